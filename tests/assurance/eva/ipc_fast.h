/*
 * The IPC harness's (eva_ipc.c's) model of entry.S's way in through the
 * IPC fast paths (run ipcfp, EVA_FASTPATH: kernel/fastpath.c analysed,
 * fastpath_enabled true), with what each call is asserted to leave, and
 * (EVA_FP_MORE) the pager's answers to a fault. Without EVA_FASTPATH
 * every call takes syscall_dispatch. Included once, by eva_ipc.c, after
 * state_sig.
 */
#ifndef EVA_IPC_FAST_H
#define EVA_IPC_FAST_H

#ifdef EVA_FP_MORE /* ipcfpall (eva.sh --long) */
/* A reply's label and first word by cur: if it owes the reply to a
 * faulted thread (START_FAULT), the pager's answers: resume, resume at a
 * user rip or at one that is not (5), anything else (label 7); else
 * label 7, word 5. The fast path takes the first two (fp_fault_reply).
 * step() splits on the label. */
static bool owes_fault(const struct tcb *cur)
{
	return cur->reply_to && cur->reply_to->fault_ipc;
}

static u64 reply_label(const struct tcb *cur)
{
	if (!owes_fault(cur))
		return 7;
	u64 l = Frama_C_interval(0, 2);
	return l == 2 ? 7 : l == 1 ? LM_FAULT_RESUME_AT : LM_FAULT_RESUME;
}

static u64 reply_word(const struct tcb *cur)
{
	return owes_fault(cur) && Frama_C_interval(0, 1) ? 0x401000 : 5;
}
#define W0 a3 /* the reply's first word: reply_word's */
#else
#define reply_label(cur) 7
#define W0 5
#endif

#ifdef EVA_FASTPATH

/* The kernel's own self-check (DEBUG_CHECK, debug.c) finds nothing wrong:
 * tree links, reference counts, IPC and wait-queue links, run queues. */
static void self_check(void)
{
	struct frame s = { .rdi = S_DEBUG };
	u64 r = sys_debug_check(&s);
	//@ assert fp_consistent: r != LM_OK || s.rdi == 0;
}

/*
 * entry.S's way in (syscall_entry): a call in the fast paths' range by a
 * thread with no gate goes to its fast path first, and to syscall_dispatch
 * only when that declines. fastpath_try is entry.S's choice in C: the
 * table's entry, and for FP_MSG(s) (another thread runs) the message
 * registers of frame s loaded into that thread's frame, which is what
 * entry.S loads as it leaves: the registers the thread has in user mode
 * after, for the events that follow (a fault or an upcall saves them).
 * Asserted: a declined call changed nothing (the caller runs, its
 * registers, the state's signature: eva_sig's, every thread's, object's
 * and slot of root's CNode); a taken one left what the general path
 * (endpoint.c, notify.c) would: who runs and who waits on what, the reply
 * links, the message, and a state the kernel's self-check finds sound.
 */
static int entry_fast(struct frame *f)
{
	struct tcb *me = cpu0.cur, *c = me->reply_to;
	u64 nr = f->rax, a1 = f->rdi, info = f->rsi;
	u64 w0 = f->rdx, w1 = f->r10, w2 = f->r8, w3 = f->r9;
	bool fault = c && c->fault_ipc;
	u64 c0 = c ? c->frame.rdx : 0, c1 = c ? c->frame.r10 : 0;
	u64 c2 = c ? c->frame.r8 : 0, c3 = c ? c->frame.r9 : 0;

	if (nr - SYS_FAST_FIRST >= SYS_FAST_COUNT || me->sysgate)
		return FP_DECLINED;
	u64 sig = ep0 ? state_sig() : 0; /* objects() not yet run in setup */
	if (!fastpath_try(f)) {
		u64 now_sig = ep0 ? state_sig() : 0;
		//@ assert fp_declined: cpu0.cur == me && f->rax == nr && f->rdi == a1 && f->rsi == info;
		//@ assert fp_declined_words: f->rdx == w0 && f->r10 == w1 && f->r8 == w2 && f->r9 == w3;
		//@ assert fp_declined_state: now_sig == sig;
		return FP_DECLINED;
	}
	struct tcb *now = cpu0.cur;
	const struct frame *nf = &now->frame;
	switch (nr) {
	case LM_SYS_EP_CALL: /* the receiver runs, the caller waits for it */
		//@ assert fp_call: now != me && now->reply_to == me && me->replier == now && me->state == LM_TS_BLOCKED && me->blocked == BLK_REPLY && me->wait_obj == now && !me->queued;
		//@ assert fp_call_msg: nf->rax == LM_OK && nf->rdi == root_cnode[a1].cap.w2 && nf->rdx == w0 && nf->r10 == w1 && nf->r8 == w2 && nf->r9 == w3;
		//@ assert fp_call_info: LM_MSG_LABEL(nf->rsi) == LM_MSG_LABEL(info) && LM_MSG_NCAPS(nf->rsi) == 0 && LM_MSG_LEN(nf->rsi) <= LM_MSG_LEN(info);
		break;
	case LM_SYS_EP_REPLY_RECV: /* the caller runs, the server receives */
		//@ assert fp_reply_recv: now == c && c->replier == \null && me->reply_to == \null && me->state == LM_TS_BLOCKED && me->blocked == BLK_RECV && me->wait_obj == (void *)root_cnode[a1].cap.obj && c->state == LM_TS_RUNNABLE && !c->fault_ipc;
		//@ assert fp_reply_msg: fault || (nf->rax == LM_OK && nf->rdi == 0 && nf->rdx == w0 && nf->r10 == w1 && nf->r8 == w2 && nf->r9 == w3);
		//@ assert fp_fault_resumed: !fault || (nf->rdx == c0 && nf->r10 == c1 && nf->r8 == c2 && nf->r9 == c3);
		break;
	case LM_SYS_NTFN_SIGNAL: /* the signaller runs on unless it woke a thread above it */
		//@ assert fp_signal: f->rax == LM_OK && (now == me || (me->state == LM_TS_RUNNABLE && me->queued));
		break;
	default: /* NTFN_WAIT: the bits at once, or the waiter sleeps */
		//@ assert fp_wait: nr == LM_SYS_NTFN_WAIT && f->rax == LM_OK && ((now == me && f->rdi != 0) || (now != me && me->state == LM_TS_BLOCKED && me->blocked == BLK_NTFN));
		break;
	}
	self_check();
	return nr == LM_SYS_EP_CALL || nr == LM_SYS_EP_REPLY_RECV ? FP_TAKEN_BLOCKED : FP_TAKEN;
}
#else
static int entry_fast(struct frame *f)
{
	return FP_DECLINED; /* fastpath_enabled false: the general path takes every call */
}
#endif

#endif
