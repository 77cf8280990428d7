/* The system-call table and dispatch, and capability lookup. */
#include <lamina/syscall.h>
#include "syscall.h"
#include "thread.h"
#include "ipc.h"
#include "bpf/prog.h"
#include "entry.h"

typedef u64 (*sys_fn)(struct frame *f);

/* The one table: number (relative to LM_SYS_BASE) -> handler. entry.S
 * calls it for a thread with no gate, syscall_general for the others. */
const sys_fn sys_table[LM_NSYSCALLS] = {
	[LM_SYS_DEBUG_PUTC - LM_SYS_BASE]          = sys_debug_putc,
	[LM_SYS_DEBUG_WRITE - LM_SYS_BASE]         = sys_debug_write,
	[LM_SYS_CNODE_COPY - LM_SYS_BASE]          = sys_cnode_copy,
	[LM_SYS_CNODE_MINT - LM_SYS_BASE]          = sys_cnode_mint,
	[LM_SYS_CNODE_MOVE - LM_SYS_BASE]          = sys_cnode_move,
	[LM_SYS_CNODE_DELETE - LM_SYS_BASE]        = sys_cnode_delete,
	[LM_SYS_CNODE_REVOKE - LM_SYS_BASE]        = sys_cnode_revoke,
	[LM_SYS_CNODE_IDENTIFY - LM_SYS_BASE]      = sys_cnode_identify,
	[LM_SYS_UNTYPED_RETYPE - LM_SYS_BASE]      = sys_untyped_retype,
	[LM_SYS_VSPACE_MAP - LM_SYS_BASE]          = sys_vspace_map,
	[LM_SYS_VSPACE_UNMAP - LM_SYS_BASE]        = sys_vspace_unmap,
	[LM_SYS_VSPACE_MAP_TABLE - LM_SYS_BASE]    = sys_vspace_map_table,
	[LM_SYS_VSPACE_UNMAP_TABLE - LM_SYS_BASE]  = sys_vspace_unmap_table,
	[LM_SYS_THREAD_CONFIGURE - LM_SYS_BASE]    = sys_thread_configure,
	[LM_SYS_THREAD_SET_PRIORITY - LM_SYS_BASE] = sys_thread_set_priority,
	[LM_SYS_THREAD_READ_REGS - LM_SYS_BASE]    = sys_thread_read_regs,
	[LM_SYS_THREAD_WRITE_REGS - LM_SYS_BASE]   = sys_thread_write_regs,
	[LM_SYS_THREAD_RESUME - LM_SYS_BASE]       = sys_thread_resume,
	[LM_SYS_THREAD_SUSPEND - LM_SYS_BASE]      = sys_thread_suspend,
	[LM_SYS_THREAD_INFO - LM_SYS_BASE]         = sys_thread_info,
	[LM_SYS_THREAD_SET_FSBASE - LM_SYS_BASE]   = sys_thread_set_fsbase,
	[LM_SYS_THREAD_EXIT - LM_SYS_BASE]         = sys_thread_exit,
	[LM_SYS_THREAD_YIELD - LM_SYS_BASE]        = sys_thread_yield,
	[LM_SYS_IOPORT_IN - LM_SYS_BASE]           = sys_ioport_in,
	[LM_SYS_IOPORT_OUT - LM_SYS_BASE]          = sys_ioport_out,
	[LM_SYS_DEBUG_CHECK - LM_SYS_BASE]         = sys_debug_check,
	[LM_SYS_EP_SEND - LM_SYS_BASE]             = sys_ep_send,
	[LM_SYS_EP_NBSEND - LM_SYS_BASE]           = sys_ep_nbsend,
	[LM_SYS_EP_RECV - LM_SYS_BASE]             = sys_ep_recv,
	[LM_SYS_EP_CALL - LM_SYS_BASE]             = sys_ep_call,
	[LM_SYS_EP_REPLY - LM_SYS_BASE]            = sys_ep_reply,
	[LM_SYS_EP_REPLY_RECV - LM_SYS_BASE]       = sys_ep_reply_recv,
	[LM_SYS_NTFN_SIGNAL - LM_SYS_BASE]         = sys_ntfn_signal,
	[LM_SYS_NTFN_WAIT - LM_SYS_BASE]           = sys_ntfn_wait,
	[LM_SYS_NTFN_POLL - LM_SYS_BASE]           = sys_ntfn_poll,
	[LM_SYS_THREAD_BIND_NOTIFY - LM_SYS_BASE]  = sys_thread_bind_notify,
	[LM_SYS_THREAD_SET_IPC_BUFFER - LM_SYS_BASE] = sys_thread_set_ipc_buffer,
	[LM_SYS_IRQ_CLAIM - LM_SYS_BASE]           = sys_irq_claim,
	[LM_SYS_IRQ_SET_NOTIFY - LM_SYS_BASE]      = sys_irq_set_notify,
	[LM_SYS_IRQ_ACK - LM_SYS_BASE]             = sys_irq_ack,
	[LM_SYS_THREAD_YIELD_TO - LM_SYS_BASE]     = sys_thread_yield_to,
	[LM_SYS_DEBUG_FASTPATH - LM_SYS_BASE]      = sys_debug_fastpath,
	[LM_SYS_THREAD_SET_EXCEPTION - LM_SYS_BASE] = sys_thread_set_exception,
	[LM_SYS_THREAD_SET_FAULT_EP - LM_SYS_BASE] = sys_thread_set_fault_ep,
	[LM_SYS_VSPACE_PROTECT - LM_SYS_BASE]      = sys_vspace_protect,
	[LM_SYS_VSPACE_PAGE_STATE - LM_SYS_BASE]   = sys_vspace_page_state,
	[LM_SYS_THREAD_SET_FOREIGN - LM_SYS_BASE]  = sys_thread_set_foreign,
	[LM_SYS_THREAD_SET_STOP_NOTIFY - LM_SYS_BASE] = sys_thread_set_stop_notify,
	[LM_SYS_IOPORT_ISSUE - LM_SYS_BASE]        = sys_ioport_issue,
	[LM_SYS_FINISH_DELETE - LM_SYS_BASE]       = sys_finish_delete,
	[LM_SYS_DEBUG_COVERAGE - LM_SYS_BASE]      = sys_debug_coverage,
	[LM_SYS_ASIDS_ISSUE - LM_SYS_BASE]         = sys_asids_issue,
	[LM_SYS_VSPACE_ASSIGN - LM_SYS_BASE]       = sys_vspace_assign,
	[LM_SYS_BPF_LOAD - LM_SYS_BASE]            = sys_bpf_load,
	[LM_SYS_BPF_RUN - LM_SYS_BASE]             = sys_bpf_run,
	[LM_SYS_BPF_WAIT - LM_SYS_BASE]            = sys_bpf_wait,
	[LM_SYS_THREAD_SET_FILTER - LM_SYS_BASE]   = sys_thread_set_filter,
	[LM_SYS_DEBUG_COUNTS - LM_SYS_BASE]        = sys_debug_counts,
	[LM_SYS_THREAD_SET_UPCALLS - LM_SYS_BASE]  = sys_thread_set_upcalls,
	[LM_SYS_VSPACE_MAP_RUN - LM_SYS_BASE]      = sys_vspace_map_run,
};

/*
 * The call in f completed but left finalisation work (cap.c): the caller
 * does not return before it is done. It is restarted as FINISH_DELETE,
 * which works off a batch at a time, with an interrupt window between,
 * and then returns r. Only for a caller still running: one that blocked
 * or gave way gets its results later from someone else, and the work is
 * left to the next call (retype finishes it first in any case).
 */
static u64 finish_later(struct frame *f, u64 r)
{
	struct tcb *cur = cpu0.cur;
	if (&cur->frame != f || cur->state != LM_TS_RUNNABLE)
		return r;
	cur->finish_owed = true;
	cur->finish_result = r;
	f->rax = LM_SYS_FINISH_DELETE;
	return SYS_RESTART;
}

/* Reflection: another OS's system call goes back to the thread's own
 * library OS, registers as they are: rax the number, the arguments in
 * place, rcx the return address and r11 the flags (as SYSCALL left them).
 * IRETQ, not SYSRET, keeps that rcx. */
void syscall_reflect(struct frame *f)
{
	frame_syscall_regs(f);
	f->rip = cpu0.cur->foreign_entry;
	/* TF, DF, AC: the handler starts clean; r11 has the caller's. */
	f->rflags &= ~(BIT(8) | BIT(10) | BIT(18));
	f->vector = FRAME_IRET;
}

/* A result other than plain success into the frame: a restart re-executes
 * the SYSCALL, an error puts its code in rax and the detail in rdi, rsi. */
static void syscall_result(struct frame *f, u64 r)
{
	if (r == SYS_RESTART) {
		f->rip -= 2; /* re-execute the SYSCALL; rax still holds its number */
	} else {
		f->rax = r & 0xff;
		if (r & 0xff) {
			f->rdi = (r >> 8) & 0xff;
			f->rsi = r >> 32;
		}
	}
}

/*
 * A call's end other than the usual one (LM_OK with no finalisation work
 * left, which entry.S and syscall_general complete themselves): an error,
 * a restart, or work left on the worklist (cap.c), then the reschedule
 * the call may have asked for. Returns f (entry.S).
 */
struct frame *syscall_finish(struct frame *f, u64 r)
{
	if (cap_zombies && r != SYS_RESTART)
		r = finish_later(f, r);
	syscall_result(f, r);
	if (need_resched)
		schedule();
	return f;
}

/*
 * A number the table does not have: another OS's (below LM_SYS_BASE),
 * reflected to the thread's library OS if it has one, else LM_ENOSYS.
 * entry.S answers LM_ENOSYS for those above the table itself, the same
 * way. Returns f (entry.S).
 */
struct frame *syscall_unassigned(struct frame *f)
{
	if (f->rax < LM_SYS_BASE && cpu0.cur->foreign_entry)
		syscall_reflect(f);
	else
		syscall_result(f, SYSERR(LM_ENOSYS, 0));
	return f;
}

/* The general path in C (entry.S has its own copy of these few lines for
 * a thread with no gate): the table, then the result into the frame. */
static always_inline void syscall_general(struct frame *f)
{
	u64 nr = f->rax - LM_SYS_BASE, r;
	if (unlikely(nr >= LM_NSYSCALLS)) {
		syscall_unassigned(f);
		if (need_resched)
			schedule();
		return;
	}
	r = sys_table[nr](f);
	/* The usual end, LM_OK with no finalisation work left, is one
	 * test: anything else goes the long way. */
	if (unlikely(r | (uptr)cap_zombies)) {
		syscall_finish(f, r);
		return;
	}
	f->rax = LM_OK;
	if (need_resched)
		schedule();
}

/*
 * A thread with sysgate set: a filtered one's calls go through its filters
 * first (bpf/filter.c), then, as any thread's, to the fast paths (which
 * entry.S tries itself for threads with no gate); one whose blocking calls
 * upcall (upcall.c) skips the fast paths, which block without asking.
 * entry.S calls it directly, having saved every register into f. Returns
 * f, for entry.S's test of whether its thread is still current.
 */
__attribute__((noinline)) struct frame *syscall_gate(struct frame *f)
{
	u8 g = cpu0.cur->sysgate;
	if ((g & GATE_FILTER) && filter_syscall(f))
		return f;
	if (!(g & GATE_SLOW) && fastpath_try(f))
		return f;
	syscall_general(f);
	return f;
}

/* Any thread's call, its frame holding all its registers: the counting
 * build's (count.c) and the assurance harnesses'. Returns f. */
struct frame *syscall_dispatch(struct frame *f)
{
	if (cpu0.cur->sysgate)
		return syscall_gate(f);
	syscall_general(f);
	return f;
}

/*
 * For a handler about to read the current thread's callee-saved registers
 * from its frame (THREAD_READ_REGS of itself): they are there if the call
 * came in gated (entry.S saves every register for a thread with a gate),
 * and then 0; otherwise SYS_RESTART, with GATE_ONCE set so that the
 * restarted call, the same SYSCALL again, comes in gated. GATE_ONCE goes
 * here, or when THREAD_WRITE_REGS moves the thread elsewhere.
 */
u64 frame_complete(struct tcb *t)
{
	if (t != cpu0.cur)
		return 0;
	if (t->sysgate) {
		t->sysgate &= ~GATE_ONCE;
		return 0;
	}
	t->sysgate = GATE_ONCE;
	return SYS_RESTART;
}

_Static_assert(__builtin_offsetof(struct tcb, sysgate) == TCB_SYSGATE, "entry.h: tcb.sysgate");
_Static_assert(SYS_BASE == LM_SYS_BASE && SYS_COUNT == LM_NSYSCALLS && SYS_ENOSYS == LM_ENOSYS &&
	       LM_OK == 0 && sizeof(need_resched) == 1, "entry.h: the table as entry.S indexes it");
_Static_assert(__builtin_offsetof(struct percpu, sys_top) == PCPU_SYS_TOP &&
	       __builtin_offsetof(struct percpu, kstack_top) == PCPU_KSTACK &&
	       __builtin_offsetof(struct percpu, cur) == PCPU_CUR, "entry.h: struct percpu");
