/*
 * The harnesses' way in: the current thread makes call nr with these
 * arguments through the kernel's entry (with EVA_ENTRY_FAST, eva_ipc.c's,
 * a fast path first, as entry.S: entry_fast, eva/ipc_fast.h; then
 * syscall_dispatch: the table, the result into its frame, the scheduler
 * if needed); sys_ok asserts that a setup's call succeeds (eva.sh fails
 * unless EVA proves it). Included by eva_ipc.c and eva_bpfsys.c.
 */
#ifndef EVA_SYS_H
#define EVA_SYS_H

struct frame *syscall_dispatch(struct frame *f); /* entry.S calls it */

/* What entry_fast did with a call. */
enum { FP_DECLINED, FP_TAKEN, FP_TAKEN_BLOCKED };
#ifdef EVA_ENTRY_FAST
static int entry_fast(struct frame *f);
#else
static int entry_fast(struct frame *f)
{
	return FP_DECLINED; /* no fast path: the general path takes every call */
}
#endif

static u64 sys(u64 nr, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6)
{
	struct frame *f = &cpu0.cur->frame;
	f->rax = nr;
	f->rdi = a1;
	f->rsi = a2;
	f->rdx = a3;
	f->r10 = a4;
	f->r8 = a5;
	f->r9 = a6;
	int fp = entry_fast(f);
	if (fp == FP_DECLINED)
		syscall_dispatch(f);
	/* A call the fast path took whose caller now waits (EP_CALL,
	 * EP_REPLY_RECV) has its result written when it ends (the reply,
	 * the message received, a cancel); the general path stores LM_OK in
	 * rax meanwhile, the fast path leaves the call's number there. */
	return fp == FP_TAKEN_BLOCKED ? LM_OK : f->rax;
}

static void sys_ok(u64 nr, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6)
{
	u64 r = sys(nr, a1, a2, a3, a4, a5, a6);
	//@ assert setup_call_ok: r == LM_OK;
}

#endif
