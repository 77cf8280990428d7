/*
 * liblamina system-call stubs: one static inline function per call in
 * <lamina/syscall.h>, in the same order. Each returns the kernel's
 * enum lm_err (0 = LM_OK); results come back through pointer arguments,
 * which may be NULL when not wanted, and are set to 0 when the call fails.
 *
 * lm_syscall6() is the raw form (used by the fuzzer and by tests that look
 * at the rejected-argument number a failed call leaves in rdi).
 */
#ifndef LM_SYS_H
#define LM_SYS_H

#include <lamina/types.h>
#include <lamina/error.h>
#include <lamina/object.h>
#include <lamina/regs.h>
#include <lamina/ipc.h>
#include <lamina/syscall.h>
#include <lamina/bpf.h>
#include <lamina/count.h>

/* Registers a call can return, in this order: rdi rsi rdx r10 r8 r9. */
#define LM_SYS_NOUT 6

/*
 * The raw call: rax = nr, arguments in rdi rsi rdx r10 r8 r9. Returns rax;
 * out (may be NULL) receives rdi, rsi, rdx, r10, r8, r9 as the kernel left
 * them. rcx and r11 are clobbered by SYSCALL itself.
 */
static inline lm_u64 lm_syscall6(lm_u64 nr, lm_u64 a1, lm_u64 a2, lm_u64 a3,
				 lm_u64 a4, lm_u64 a5, lm_u64 a6,
				 lm_u64 out[LM_SYS_NOUT])
{
	register lm_u64 rax __asm__("rax") = nr;
	register lm_u64 rdi __asm__("rdi") = a1;
	register lm_u64 rsi __asm__("rsi") = a2;
	register lm_u64 rdx __asm__("rdx") = a3;
	register lm_u64 r10 __asm__("r10") = a4;
	register lm_u64 r8 __asm__("r8") = a5;
	register lm_u64 r9 __asm__("r9") = a6;

	__asm__ volatile("syscall"
			 : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx),
			   "+r"(r10), "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	if (out) {
		out[0] = rdi;
		out[1] = rsi;
		out[2] = rdx;
		out[3] = r10;
		out[4] = r8;
		out[5] = r9;
	}
	return rax;
}

/* The name of an error code ("LM_ECAP"), or "LM_E?" for an unknown one. */
const char *lm_err_str(lm_u64 err);

static inline int lm_sys(lm_u64 nr, lm_u64 a1, lm_u64 a2, lm_u64 a3,
			 lm_u64 a4, lm_u64 a5, lm_u64 a6, lm_u64 *out)
{
	return (int)lm_syscall6(nr, a1, a2, a3, a4, a5, a6, out);
}

/* Store a result when the caller wants it: the value on success, else 0. */
static inline void lm_sys_put(lm_u64 *p, int err, lm_u64 v)
{
	if (p)
		*p = err ? 0 : v;
}

/* ---- debugging ---------------------------------------------------------- */

/* The slot of the kernel's debug capability (LM_OBJ_DEBUG) that these use,
 * 0 if the program has none: lm_start takes it from the bootinfo's
 * debug_slot (root's is LM_SLOT_DEBUG; root and the shell pass it on to the
 * programs they start with devices). */
extern lm_cptr_t lm_debug_cap;

static inline int lm_debug_putc(char c)
{
	return lm_sys(LM_SYS_DEBUG_PUTC, lm_debug_cap, (lm_u8)c, 0, 0, 0, 0, 0);
}

static inline int lm_debug_write(const void *buf, lm_u64 len)
{
	return lm_sys(LM_SYS_DEBUG_WRITE, lm_debug_cap, (lm_u64)buf, len, 0, 0, 0, 0);
}

/* ---- capability spaces -------------------------------------------------- */

static inline int lm_cnode_copy(lm_cptr_t dcn, lm_cptr_t di, lm_cptr_t scn,
				lm_cptr_t si, lm_u64 rights)
{
	return lm_sys(LM_SYS_CNODE_COPY, dcn, di, scn, si, rights, 0, 0);
}

/* Copy `count` consecutive slots (si.., to di..) in one call; empty
 * source slots are skipped; *made = copies made (a count of 0 or 1 is
 * CNODE_COPY of one slot: an empty source is LM_ECAP, *made = 1 on success). */
static inline int lm_cnode_copy_range(lm_cptr_t dcn, lm_cptr_t di, lm_cptr_t scn,
				      lm_cptr_t si, lm_u64 rights, lm_u64 count,
				      lm_u64 *made)
{
	lm_u64 o[LM_SYS_NOUT];
	int e = lm_sys(LM_SYS_CNODE_COPY, dcn, di, scn, si, rights, count, o);
	/* a count of 0 or 1 is the one-slot copy, which reports no count */
	lm_sys_put(made, e, count > 1 ? o[0] : 1);
	return e;
}

static inline int lm_cnode_mint(lm_cptr_t dcn, lm_cptr_t di, lm_cptr_t scn,
				lm_cptr_t si, lm_u64 rights, lm_u64 badge)
{
	return lm_sys(LM_SYS_CNODE_MINT, dcn, di, scn, si, rights, badge, 0);
}

static inline int lm_cnode_move(lm_cptr_t dcn, lm_cptr_t di, lm_cptr_t scn,
				lm_cptr_t si)
{
	return lm_sys(LM_SYS_CNODE_MOVE, dcn, di, scn, si, 0, 0, 0);
}

static inline int lm_cnode_delete(lm_cptr_t cn, lm_cptr_t i)
{
	return lm_sys(LM_SYS_CNODE_DELETE, cn, i, 0, 0, 0, 0, 0);
}

/* Delete every capability in slots i .. i+count-1 of cn (empty ones
 * are skipped). */
static inline int lm_cnode_delete_range(lm_cptr_t cn, lm_cptr_t i, lm_u64 count)
{
	return lm_sys(LM_SYS_CNODE_DELETE, cn, i, count, 0, 0, 0, 0);
}

static inline int lm_cnode_revoke(lm_cptr_t cn, lm_cptr_t i)
{
	return lm_sys(LM_SYS_CNODE_REVOKE, cn, i, 0, 0, 0, 0, 0);
}

/* desc: LM_ID_TYPE/RIGHTS/BITS/MAPPED; addr: physical address or badge;
 * extra: mapped vaddr, untyped free bytes or port count (docs/API.md). */
static inline int lm_cnode_identify(lm_cptr_t cn, lm_cptr_t i, lm_u64 *desc,
				    lm_u64 *addr, lm_u64 *extra)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_CNODE_IDENTIFY, cn, i, 0, 0, 0, 0, o);

	lm_sys_put(desc, err, o[0]);
	lm_sys_put(addr, err, o[1]);
	lm_sys_put(extra, err, o[2]);
	return err;
}

/* ---- untyped memory ----------------------------------------------------- */

static inline int lm_untyped_retype(lm_cptr_t ut, lm_u64 type, lm_u64 bits,
				    lm_cptr_t dcn, lm_cptr_t di, lm_u64 count)
{
	return lm_sys(LM_SYS_UNTYPED_RETYPE, ut, type, bits, dcn, di, count, 0);
}

/* ---- address spaces ----------------------------------------------------- */

static inline int lm_vspace_map(lm_cptr_t vs, lm_cptr_t frame, lm_u64 vaddr,
				lm_u64 rights)
{
	return lm_sys(LM_SYS_VSPACE_MAP, vs, frame, vaddr, rights, 0, 0, 0);
}

/* Map the 4 KiB frames in slots first .. first+count-1 of CNode `cn` at
 * count consecutive pages from vaddr, inside one page table (count <=
 * LM_MAP_MAX, not crossing a 2 MiB boundary). All or nothing; count 0
 * is an error here (the one-frame form is lm_vspace_map). */
static inline int lm_vspace_map_range(lm_cptr_t vs, lm_cptr_t cn, lm_cptr_t first,
				      lm_u64 vaddr, lm_u64 rights, lm_u64 count)
{
	if (!count)
		return LM_ERANGE;
	return lm_sys(LM_SYS_VSPACE_MAP, vs, first, vaddr, rights, count, cn, 0);
}

/* Map pages first .. first+count-1 of frame `frame` (a run of 2^13 ..
 * 2^20 bytes, or a 4 KiB frame's one page) at vaddr with 4 KiB entries,
 * inside one page table; the capability records the part, and unmapping
 * or deleting it clears the part as one. */
static inline int lm_vspace_map_run(lm_cptr_t vs, lm_cptr_t frame, lm_u64 vaddr,
				    lm_u64 rights, lm_u64 first, lm_u64 count)
{
	return lm_sys(LM_SYS_VSPACE_MAP_RUN, vs, frame, vaddr, rights, first, count, 0);
}

static inline int lm_vspace_unmap(lm_cptr_t frame)
{
	return lm_sys(LM_SYS_VSPACE_UNMAP, frame, 0, 0, 0, 0, 0, 0);
}

/* level: 3 (PDPT), 2 (PD) or 1 (PT), the level the table was installed at. */
static inline int lm_vspace_map_table(lm_cptr_t vs, lm_cptr_t pt, lm_u64 vaddr,
				      lm_u64 *level)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_VSPACE_MAP_TABLE, vs, pt, vaddr, 0, 0, 0, o);

	lm_sys_put(level, err, o[0]);
	return err;
}

static inline int lm_vspace_unmap_table(lm_cptr_t pt)
{
	return lm_sys(LM_SYS_VSPACE_UNMAP_TABLE, pt, 0, 0, 0, 0, 0, 0);
}

/* Give a new address space an ID from range `asids` (*asid: which). */
static inline int lm_vspace_assign(lm_cptr_t vs, lm_cptr_t asids, lm_u64 *asid)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_VSPACE_ASSIGN, vs, asids, 0, 0, 0, 0, o);

	lm_sys_put(asid, err, o[0]);
	return err;
}

/* ---- threads ------------------------------------------------------------ */

static inline int lm_thread_configure(lm_cptr_t tcb, lm_cptr_t cn, lm_cptr_t vs)
{
	return lm_sys(LM_SYS_THREAD_CONFIGURE, tcb, cn, vs, 0, 0, 0, 0);
}

static inline int lm_thread_set_priority(lm_cptr_t tcb, lm_u64 prio)
{
	return lm_sys(LM_SYS_THREAD_SET_PRIORITY, tcb, prio, 0, 0, 0, 0, 0);
}

static inline int lm_thread_read_regs(lm_cptr_t tcb, struct lm_regs *out)
{
	return lm_sys(LM_SYS_THREAD_READ_REGS, tcb, (lm_u64)out, 0, 0, 0, 0, 0);
}

static inline int lm_thread_write_regs(lm_cptr_t tcb, const struct lm_regs *in)
{
	return lm_sys(LM_SYS_THREAD_WRITE_REGS, tcb, (lm_u64)in, 0, 0, 0, 0, 0);
}

static inline int lm_thread_resume(lm_cptr_t tcb)
{
	return lm_sys(LM_SYS_THREAD_RESUME, tcb, 0, 0, 0, 0, 0, 0);
}

static inline int lm_thread_suspend(lm_cptr_t tcb)
{
	return lm_sys(LM_SYS_THREAD_SUSPEND, tcb, 0, 0, 0, 0, 0, 0);
}

static inline int lm_thread_info(lm_cptr_t tcb, struct lm_thread_info *out)
{
	return lm_sys(LM_SYS_THREAD_INFO, tcb, (lm_u64)out, 0, 0, 0, 0, 0);
}

static inline int lm_thread_set_fsbase(lm_cptr_t tcb, lm_u64 base)
{
	return lm_sys(LM_SYS_THREAD_SET_FSBASE, tcb, base, 0, 0, 0, 0, 0);
}

/* The GS base (THREAD_SET_FSBASE with LM_BASE_GS): a library OS's pointer
 * to its per-thread state, read back with a %gs: load. */
static inline int lm_thread_set_gsbase(lm_cptr_t tcb, lm_u64 base)
{
	return lm_sys(LM_SYS_THREAD_SET_FSBASE, tcb, base, LM_BASE_GS, 0, 0, 0, 0);
}

static inline __attribute__((noreturn)) void lm_thread_exit(lm_u64 code)
{
	lm_sys(LM_SYS_THREAD_EXIT, code, 0, 0, 0, 0, 0, 0);
	__builtin_trap(); /* exit never returns; if it did, fault loudly */
}

static inline int lm_thread_yield(void)
{
	return lm_sys(LM_SYS_THREAD_YIELD, 0, 0, 0, 0, 0, 0, 0);
}

/* Directed yield: run `tcb` now with the rest of our time slice. */
static inline int lm_thread_set_exception(lm_cptr_t tcb, lm_u64 entry, lm_u64 stack_top,
					  lm_u64 stack_size)
{
	return lm_sys(LM_SYS_THREAD_SET_EXCEPTION, tcb, entry, stack_top, stack_size, 0, 0, 0);
}

/* Scheduling upcalls (LM_UPCALL_ON_*, <lamina/exception.h>) for a thread
 * with an exception handler; *old (may be NULL) gets the flags it had. */
static inline int lm_thread_set_upcalls(lm_cptr_t tcb, lm_u64 flags, lm_u64 *old)
{
	lm_u64 o[LM_SYS_NOUT];
	int e = lm_sys(LM_SYS_THREAD_SET_UPCALLS, tcb, flags, 0, 0, 0, 0, o);
	lm_sys_put(old, e, o[0]);
	return e;
}

static inline int lm_thread_yield_to(lm_cptr_t tcb)
{
	return lm_sys(LM_SYS_THREAD_YIELD_TO, tcb, 0, 0, 0, 0, 0, 0);
}

/* ---- I/O ports ---------------------------------------------------------- */

static inline int lm_ioport_in(lm_cptr_t cap, lm_u64 port, lm_u64 width,
			       lm_u64 *value)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_IOPORT_IN, cap, port, width, 0, 0, 0, o);

	lm_sys_put(value, err, o[0]);
	return err;
}

static inline int lm_ioport_out(lm_cptr_t cap, lm_u64 port, lm_u64 width,
				lm_u64 value)
{
	return lm_sys(LM_SYS_IOPORT_OUT, cap, port, width, value, 0, 0, 0);
}

static inline int lm_debug_check(lm_u64 *problems)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_DEBUG_CHECK, lm_debug_cap, 0, 0, 0, 0, 0, o);

	lm_sys_put(problems, err, o[0]);
	return err;
}

/* How many times so far a deletion's finalisation ran out of its batch
 * and went on after an interrupt window (FINISH_DELETE, for tests). */
static inline int lm_debug_drain_batches(lm_u64 *batches)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_DEBUG_CHECK, lm_debug_cap, 0, 0, 0, 0, 0, o);

	lm_sys_put(batches, err, o[1]);
	return err;
}

/* The kernel's event counters since boot (switches, CR3 writes, TLB
 * flushes): only in the counting build (`make bench-count`); elsewhere
 * LM_ENOSYS. */
static inline int lm_debug_counts(struct lm_counts *c)
{
	return lm_sys(LM_SYS_DEBUG_COUNTS, lm_debug_cap, (lm_u64)c, 0, 0, 0, 0, 0);
}

/* ---- IPC: endpoints ----------------------------------------------------- */

/* A received message: the badge of the sender's capability (or the
 * notification word when LM_MSG_NOTIFY is set in info), the info word and
 * the four register words. */
struct lm_msg {
	lm_u64 badge;
	lm_u64 info;
	lm_u64 w[LM_MSG_REG_WORDS];
};

/* A failed call leaves a zeroed message. Two plain branches: the words go
 * straight from the registers the call returned them in. */
static inline void lm_msg_put(struct lm_msg *m, int err, const lm_u64 *o)
{
	if (!m)
		return;
	if (err) {
		*m = (struct lm_msg){ 0 };
		return;
	}
	m->badge = o[0];
	m->info = o[1];
	for (int i = 0; i < LM_MSG_REG_WORDS; i++)
		m->w[i] = o[2 + i];
}

static inline int lm_ep_send(lm_cptr_t ep, lm_u64 info, lm_u64 w0, lm_u64 w1,
			     lm_u64 w2, lm_u64 w3)
{
	return lm_sys(LM_SYS_EP_SEND, ep, info, w0, w1, w2, w3, 0);
}

static inline int lm_ep_nbsend(lm_cptr_t ep, lm_u64 info, lm_u64 w0, lm_u64 w1,
			       lm_u64 w2, lm_u64 w3)
{
	return lm_sys(LM_SYS_EP_NBSEND, ep, info, w0, w1, w2, w3, 0);
}

static inline int lm_ep_recv(lm_cptr_t ep, struct lm_msg *m)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_EP_RECV, ep, 0, 0, 0, 0, 0, o);

	lm_msg_put(m, err, o);
	return err;
}

static inline int lm_ep_call(lm_cptr_t ep, lm_u64 info, lm_u64 w0, lm_u64 w1,
			     lm_u64 w2, lm_u64 w3, struct lm_msg *reply)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_EP_CALL, ep, info, w0, w1, w2, w3, o);

	lm_msg_put(reply, err, o);
	return err;
}

static inline int lm_ep_reply(lm_u64 info, lm_u64 w0, lm_u64 w1, lm_u64 w2,
			      lm_u64 w3)
{
	return lm_sys(LM_SYS_EP_REPLY, 0, info, w0, w1, w2, w3, 0);
}

static inline int lm_ep_reply_recv(lm_cptr_t ep, lm_u64 info, lm_u64 w0,
				   lm_u64 w1, lm_u64 w2, lm_u64 w3,
				   struct lm_msg *m)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_EP_REPLY_RECV, ep, info, w0, w1, w2, w3, o);

	lm_msg_put(m, err, o);
	return err;
}

/* ---- IPC: notifications ------------------------------------------------- */

static inline int lm_ntfn_signal(lm_cptr_t ntfn)
{
	return lm_sys(LM_SYS_NTFN_SIGNAL, ntfn, 0, 0, 0, 0, 0, 0);
}

static inline int lm_ntfn_wait(lm_cptr_t ntfn, lm_u64 *word)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_NTFN_WAIT, ntfn, 0, 0, 0, 0, 0, o);

	lm_sys_put(word, err, o[0]);
	return err;
}

static inline int lm_ntfn_poll(lm_cptr_t ntfn, lm_u64 *word)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_NTFN_POLL, ntfn, 0, 0, 0, 0, 0, o);

	lm_sys_put(word, err, o[0]);
	return err;
}

static inline int lm_thread_bind_notify(lm_cptr_t tcb, lm_cptr_t ntfn)
{
	return lm_sys(LM_SYS_THREAD_BIND_NOTIFY, tcb, ntfn, 0, 0, 0, 0, 0);
}

static inline int lm_thread_set_ipc_buffer(lm_cptr_t tcb, lm_cptr_t frame)
{
	return lm_sys(LM_SYS_THREAD_SET_IPC_BUFFER, tcb, frame, 0, 0, 0, 0, 0);
}

/* ---- interrupts --------------------------------------------------------- */

static inline int lm_irq_claim(lm_cptr_t irqctl, lm_u64 line, lm_cptr_t dcn,
			       lm_cptr_t di)
{
	return lm_sys(LM_SYS_IRQ_CLAIM, irqctl, line, dcn, di, 0, 0, 0);
}

static inline int lm_irq_set_notify(lm_cptr_t irq, lm_cptr_t ntfn)
{
	return lm_sys(LM_SYS_IRQ_SET_NOTIFY, irq, ntfn, 0, 0, 0, 0, 0);
}

static inline int lm_irq_ack(lm_cptr_t irq)
{
	return lm_sys(LM_SYS_IRQ_ACK, irq, 0, 0, 0, 0, 0, 0);
}

/* ---- exceptions, pagers, page-level primitives, reflection --------------- */

/* Faults of tcb (without an in-process handler) become fault messages on
 * ep (0: none); see <lamina/exception.h>. */
static inline int lm_thread_set_fault_ep(lm_cptr_t tcb, lm_cptr_t ep)
{
	return lm_sys(LM_SYS_THREAD_SET_FAULT_EP, tcb, ep, 0, 0, 0, 0, 0);
}

/* Set the rights (LM_R_READ/WRITE/EXEC, 0 = no access) of every page
 * mapped in [vaddr, vaddr + npages * 4 KiB); *mapped = how many there were. */
static inline int lm_vspace_protect(lm_cptr_t vs, lm_u64 vaddr, lm_u64 npages,
				    lm_u64 rights, lm_u64 *mapped)
{
	lm_u64 o[LM_SYS_NOUT];
	int e = lm_sys(LM_SYS_VSPACE_PROTECT, vs, vaddr, npages, rights, 0, 0, o);
	lm_sys_put(mapped, e, o[0]);
	return e;
}

/* The accessed/dirty bits (LM_PG_*) of the page at vaddr and its current
 * rights; the bits in `clear` are cleared after reading. */
static inline int lm_vspace_page_state(lm_cptr_t vs, lm_u64 vaddr, lm_u64 clear,
				       lm_u64 *state, lm_u64 *rights)
{
	lm_u64 o[LM_SYS_NOUT];
	int e = lm_sys(LM_SYS_VSPACE_PAGE_STATE, vs, vaddr, clear, 0, 0, 0, o);
	lm_sys_put(state, e, o[0]);
	lm_sys_put(rights, e, o[1]);
	return e;
}

/* System calls numbered below LM_SYS_BASE go to entry (0: none); see
 * docs/API.md, "System-call reflection". */
static inline int lm_thread_set_foreign(lm_cptr_t tcb, lm_u64 entry)
{
	return lm_sys(LM_SYS_THREAD_SET_FOREIGN, tcb, entry, 0, 0, 0, 0, 0);
}

/* ntfn (its badge, or 1) is signalled when tcb exits or stops on a
 * fault (0: none). lm_thread_join waits that way. */
static inline int lm_thread_set_stop_notify(lm_cptr_t tcb, lm_cptr_t ntfn)
{
	return lm_sys(LM_SYS_THREAD_SET_STOP_NOTIFY, tcb, ntfn, 0, 0, 0, 0, 0);
}

/* A capability for ports [first, first + count) of `ioport`, in slot di
 * of CNode dcn (a child of it). */
static inline int lm_ioport_issue(lm_cptr_t ioport, lm_u64 first, lm_u64 count,
				  lm_cptr_t dcn, lm_cptr_t di)
{
	return lm_sys(LM_SYS_IOPORT_ISSUE, ioport, first, count, dcn, di, 0, 0);
}

/* ---- address-space ID ranges -------------------------------------------- */

/* The next `count` IDs of range `asids` as a sub-range capability in
 * dcn[di] (revoking `asids` takes it back). */
static inline int lm_asids_issue(lm_cptr_t asids, lm_u64 count, lm_cptr_t dcn, lm_cptr_t di)
{
	return lm_sys(LM_SYS_ASIDS_ISSUE, asids, count, dcn, di, 0, 0, 0);
}

/* ---- eBPF programs (docs/API.md, "eBPF programs") ------------------------ */

/* What BPF_LOAD says besides its error. */
struct lm_bpf_load_info {
	lm_u64 work;        /* the verifier's work units (also when it refused) */
	lm_u64 jit_bytes;   /* bytes of JIT'ed code; 0: the program is interpreted */
	lm_u64 why, pc;     /* LM_EVERIFY: the enum lm_bpf_verr reason, the instruction */
};

/* BPF_LOAD with flags (LM_BPF_LOAD_*); *info may be NULL. */
static inline int lm_bpf_load_flags(lm_cptr_t prog, lm_u32 type, const struct lm_bpf_insn *insns,
				    lm_u64 n, lm_u64 ctx_size, lm_u64 flags,
				    struct lm_bpf_load_info *info)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_BPF_LOAD, prog, type, (lm_u64)insns, n, ctx_size, flags, o);

	if (info) {
		info->work = err == LM_OK ? o[0] : err == LM_EVERIFY ? o[3] : 0;
		info->jit_bytes = err == LM_OK ? o[1] : 0;
		info->why = err == LM_EVERIFY ? o[1] : 0;
		info->pc = err == LM_EVERIFY ? o[2] : 0;
	}
	return err;
}

/* Verify and load n instructions into program object prog as `type` (enum
 * lm_bpf_type) over a context of ctx_size bytes (0: the type's own size).
 * Refused by the verifier: LM_EVERIFY, and *why / *pc say why and where
 * (either may be NULL). */
static inline int lm_bpf_load(lm_cptr_t prog, lm_u32 type, const struct lm_bpf_insn *insns,
			      lm_u64 n, lm_u64 ctx_size, lm_u64 *why, lm_u64 *pc)
{
	struct lm_bpf_load_info i;
	int err = lm_bpf_load_flags(prog, type, insns, n, ctx_size, 0, &i);

	if (why)
		*why = i.why;
	if (pc)
		*pc = i.pc;
	return err;
}

/* Run MEM program prog over buf (len: its ctx_size), in place; *r0 its
 * result (may be NULL). */
static inline int lm_bpf_run(lm_cptr_t prog, void *buf, lm_u64 len, lm_u64 *r0)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_BPF_RUN, prog, (lm_u64)buf, len, 0, 0, 0, o);

	lm_sys_put(r0, err, o[0]);
	return err;
}

/* BPF_RUN making `repeat` runs (1 .. LM_BPF_RUN_MAX_REPEAT) over the same
 * buffer in one call; *r0 the last run's result, *steps the instructions
 * the interpreter ran in all (0 when JIT'ed); either may be NULL. */
static inline int lm_bpf_run_repeat(lm_cptr_t prog, void *buf, lm_u64 len, lm_u64 repeat,
				    lm_u64 *r0, lm_u64 *steps)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_BPF_RUN, prog, (lm_u64)buf, len, repeat, 0, 0, o);

	lm_sys_put(r0, err, o[0]);
	lm_sys_put(steps, err, o[1]);
	return err;
}

/* Sleep until PREDICATE program prog, run over the page at vaddr, returns
 * non-zero (*r0, may be NULL); it is run again when ntfn is signalled (0:
 * the thread's bound notification, if any) and at timer ticks. */
static inline int lm_bpf_wait(lm_cptr_t prog, lm_u64 vaddr, lm_cptr_t ntfn, lm_u64 *r0)
{
	lm_u64 o[LM_SYS_NOUT];
	int err = lm_sys(LM_SYS_BPF_WAIT, prog, vaddr, ntfn, 0, 0, 0, o);

	lm_sys_put(r0, err, o[0]);
	return err;
}

/* Add SYSCALL program prog to tcb's system-call filters (for good). */
static inline int lm_thread_set_filter(lm_cptr_t tcb, lm_cptr_t prog)
{
	return lm_sys(LM_SYS_THREAD_SET_FILTER, tcb, prog, 0, 0, 0, 0, 0);
}

#endif
