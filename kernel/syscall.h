/*
 * System-call plumbing. Handlers take the caller's frame, decode every
 * argument first (looking up capabilities, checking types, rights, ranges
 * and user memory) and only then change state, so a failed call changes
 * nothing. A handler returns LM_OK, SYSERR(...) or SYS_RESTART.
 */
#ifndef SYSCALL_H
#define SYSCALL_H

#include "arch.h"
#include "cap.h"
#include "thread.h"

/* err in bits 0-7, the rejected argument's number in 8-15, a detail in 32-63. */
#define SYSERR(e, arg)       ((u64)(e) | ((u64)(arg) << 8))
#define SYSERR_D(e, arg, d)  (SYSERR(e, arg) | ((u64)(d) << 32))
#define SYS_RESTART          (~0ull)

/* Argument n of the call (1-based). */
#define ARG1(f) ((f)->rdi)
#define ARG2(f) ((f)->rsi)
#define ARG3(f) ((f)->rdx)
#define ARG4(f) ((f)->r10)
#define ARG5(f) ((f)->r8)
#define ARG6(f) ((f)->r9)

u64 debug_cap_check(u64 cptr); /* debug.c: cptr names the debug capability */
u64 frame_complete(struct tcb *t); /* syscall.c: before reading t's rbx, rbp, r12-r15 */

/* Find cptr in the caller's CSpace; type 0 accepts any type. Inline: the
 * callers name the type, rights and argument as constants, which fold away
 * (a call to it was 28 instructions). */
static inline u64 cap_lookup(u64 cptr, u8 type, u8 rights, int argno, struct slot **out)
{
	const struct cap *cs = &cpu0.cur->cspace.cap;
	if (cptr == 0 || cptr >= (1ull << cs->bits))
		return SYSERR(LM_ECAP, argno);
	struct slot *s = (struct slot *)cs->obj + cptr;
	if (s->cap.type == LM_OBJ_NULL)
		return SYSERR(LM_ECAP, argno);
	if (type && s->cap.type != type)
		return SYSERR(LM_ETYPE, argno);
	if ((s->cap.rights & rights) != rights)
		return SYSERR(LM_ERIGHTS, argno);
	*out = s;
	return LM_OK;
}

/* Slot idx of the CNode that cn names. */
static inline u64 cnode_index(const struct slot *cn, u64 idx, int argno, struct slot **out)
{
	if (idx == 0 || idx >= (1ull << cn->cap.bits))
		return SYSERR(LM_ERANGE, argno);
	*out = (struct slot *)cn->cap.obj + idx;
	return LM_OK;
}

#define SYS(name) u64 sys_##name(struct frame *f)
SYS(debug_putc); SYS(debug_write); SYS(debug_check); SYS(finish_delete);
SYS(debug_coverage); SYS(debug_counts);
SYS(cnode_copy); SYS(cnode_mint); SYS(cnode_move); SYS(cnode_delete);
SYS(cnode_revoke); SYS(cnode_identify);
SYS(untyped_retype);
SYS(vspace_map); SYS(vspace_map_run); SYS(vspace_unmap); SYS(vspace_map_table); SYS(vspace_unmap_table);
SYS(vspace_assign); SYS(asids_issue);
SYS(thread_configure); SYS(thread_set_priority); SYS(thread_read_regs);
SYS(thread_write_regs); SYS(thread_resume); SYS(thread_suspend); SYS(thread_info);
SYS(thread_set_fsbase); SYS(thread_exit); SYS(thread_yield); SYS(thread_set_upcalls);
SYS(ioport_in); SYS(ioport_out); SYS(ioport_issue);
SYS(ep_send); SYS(ep_nbsend); SYS(ep_recv); SYS(ep_call); SYS(ep_reply); SYS(ep_reply_recv);
SYS(ntfn_signal); SYS(ntfn_wait); SYS(ntfn_poll); SYS(thread_bind_notify);
SYS(thread_set_ipc_buffer);
SYS(thread_yield_to); SYS(debug_fastpath); SYS(thread_set_exception);
SYS(thread_set_fault_ep); SYS(thread_set_foreign); SYS(thread_set_stop_notify); SYS(vspace_protect); SYS(vspace_page_state);
SYS(irq_claim); SYS(irq_set_notify); SYS(irq_ack);
SYS(bpf_load); SYS(bpf_run); SYS(bpf_wait); SYS(thread_set_filter);
void syscall_reflect(struct frame *f);

#endif
