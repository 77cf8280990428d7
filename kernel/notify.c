/*
 * Notifications: a word of signal bits. Signal ORs the capability's badge
 * into the word (an unbadged capability signals bit 0); wait takes the whole
 * word and clears it. A thread may have one bound notification: while it
 * waits on an endpoint, a signal ends that wait too, so a server waits for
 * clients and interrupts at once.
 */
#include <lamina/syscall.h>
#include <lamina/exception.h>
#include "ipc.h"
#include "syscall.h"
#include "bpf/prog.h"

static void deliver(struct tcb *t, u64 word, u64 info)
{
	t->frame.rax = LM_OK;
	t->frame.rdi = word;
	t->frame.rsi = info;
}

static u64 ntfn_lookup(struct frame *f, u64 cptr, int argno, u8 rights, struct notify **n)
{
	struct slot *s;
	u64 e = cap_lookup(cptr, LM_OBJ_NOTIFY, rights, argno, &s);
	if (!e)
		*n = (struct notify *)s->cap.obj;
	return e;
}

/* Signal n with bits. Wakes one waiter, or the bound thread if it waits on
 * an endpoint, or keeps the bits in the word. */
void notify_signal(struct notify *n, u64 bits)
{
	struct tcb *t = n->q.head, *b = n->bound;
	if (t) {
		waitq_remove(&n->q, t);
		t->blocked = BLK_NONE;
		deliver(t, n->word | bits, 0);
		n->word = 0;
		sched_make_runnable(t);
	} else if (b && b->state == LM_TS_BLOCKED && b->blocked == BLK_RECV) {
		ipc_cancel(b, LM_OK);
		deliver(b, n->word | bits, LM_MSG_NOTIFY);
		n->word = 0;
		sched_make_runnable(b);
	} else {
		n->word |= bits;
	}
	/* The page a predicate reads may have changed: look again. */
	if (unlikely(n->preds != NULL))
		pred_signal(n);
}

SYS(ntfn_signal)
{
	struct slot *s;
	u64 e = cap_lookup(ARG1(f), LM_OBJ_NOTIFY, LM_R_WRITE, 1, &s);
	if (e)
		return e;
	notify_signal((struct notify *)s->cap.obj, s->cap.w2 ? s->cap.w2 : 1);
	return LM_OK;
}

SYS(ntfn_wait)
{
	struct notify *n;
	u64 e = ntfn_lookup(f, ARG1(f), 1, LM_R_READ, &n);
	if (e)
		return e;
	if (n->word) {
		f->rdi = n->word;
		n->word = 0;
		return LM_OK;
	}
	if (unlikely(cpu0.cur->upcalls & LM_UPCALL_ON_BLOCK))
		return upcall_blocked(cpu0.cur, LM_SYS_NTFN_WAIT);
	block_on(cpu0.cur, &n->q, BLK_NTFN, n);
	return LM_OK;
}

SYS(ntfn_poll)
{
	struct notify *n;
	u64 e = ntfn_lookup(f, ARG1(f), 1, LM_R_READ, &n);
	if (e)
		return e;
	f->rdi = n->word;
	n->word = 0;
	return LM_OK;
}

/* Receive on an endpoint: a pending bound notification comes first. */
bool notify_deliver_bound(struct tcb *t)
{
	struct notify *n = t->bound;
	if (!n || !n->word)
		return false;
	deliver(t, n->word, LM_MSG_NOTIFY);
	n->word = 0;
	return true;
}

void notify_unbind(struct tcb *t)
{
	if (t->bound) {
		t->bound->bound = NULL;
		t->bound = NULL;
	}
}

SYS(thread_bind_notify)
{
	struct slot *ts;
	struct notify *n = NULL;
	u64 e = cap_lookup(ARG1(f), LM_OBJ_TCB, LM_R_WRITE, 1, &ts);
	if (e || (e = filter_may_control((struct tcb *)ts->cap.obj, 1)))
		return e;
	if (ARG2(f) && (e = ntfn_lookup(f, ARG2(f), 2, LM_R_READ, &n)))
		return e;
	struct tcb *t = (struct tcb *)ts->cap.obj;
	if (n && n->bound && n->bound != t)
		return SYSERR(LM_ESTATE, 2);
	notify_unbind(t);
	if (n) {
		n->bound = t;
		t->bound = n;
		/* Bits that came before the binding end a receive the thread is
		 * in now, as they would a later one: a driver bound only after
		 * it began to receive must not sleep on a masked interrupt. */
		if (n->word)
			notify_signal(n, 0);
	}
	return LM_OK;
}

/* As endpoint_finalise: nothing signals it any more (its interrupt line
 * and bound thread let go first), then its waiters wake, as many as
 * *budget allows. True when none is left. */
bool notify_finalise(struct objhdr *h, u32 *budget)
{
	struct notify *n = (struct notify *)h;
	struct tcb *t;
	if (n->bound)
		notify_unbind(n->bound);
	irq_notify_gone(n);
	/* Threads in NTFN_WAIT, then those sleeping on a predicate that this
	 * notification woke (their BPF_WAIT returns LM_EDELETED). */
	while ((t = n->q.head ? n->q.head : n->preds)) {
		if (*budget < DRAIN_DELETE)
			return false;
		*budget -= DRAIN_DELETE;
		ipc_cancel(t, LM_EDELETED);
		sched_make_runnable(t);
	}
	return true;
}
