/*
 * Wake-up predicates (Xok): BPF_WAIT puts the caller to sleep until a
 * PREDICATE program, run over one page of the caller's own memory, returns
 * non-zero. The kernel runs it when that page may have changed:
 *
 *   - at the call (true already: no sleep);
 *   - when the notification named in the call (or, with none named, the
 *     one bound to the thread) is signalled: at most PRED_SIGNAL_EVALS
 *     sleepers per signal, from the front of its list, those still asleep
 *     moved to the back;
 *   - at each timer tick: at most PRED_TICK_EVALS sleepers, in turn
 *     round the list of every sleeper (pred_all), so each is looked at
 *     again within (sleepers / PRED_TICK_EVALS) ticks.
 *
 * Each run is bounded by LM_BPF_EVAL_BUDGET instructions, so the work of
 * one event is bounded whatever user space does. The page is found again
 * at each run by walking the sleeper's address space: if it is no longer
 * mapped readable, the wait ends with LM_EFAULT; a run that breaks a rule
 * (out of budget) ends it with LM_ELIMIT.
 *
 * A sleeper is BLOCKED in BLK_PRED, on the pred_all queue (t->waitq, so
 * ipc_cancel takes it off like any waiter: THREAD_SUSPEND gives LM_EINTR)
 * and, when it has one, on its notification's preds list. It holds its
 * own capability to the program (t->predprog): the program lives while it
 * sleeps; revoking that capability ends the wait (tcb_lost_slot), and so
 * does deleting the notification (notify_finalise), both with LM_EDELETED.
 */
#include <lamina/syscall.h>
#include "syscall.h"
#include "ipc.h"
#include "vspace.h"
#include "prog.h"

#define PRED_SIGNAL_EVALS 8
#define PRED_TICK_EVALS   4

static struct waitq pred_all; /* every sleeper; the tick runs from the head */
static u64 pred_count;        /* ... and how many there are */

/* t joins the back of pred_all: FIFO, unlike a priority-ordered waitq. */
static void pred_append(struct tcb *t)
{
	t->rq_next = NULL;
	t->rq_prev = pred_all.tail;
	if (pred_all.tail)
		pred_all.tail->rq_next = t;
	else
		pred_all.head = t;
	pred_all.tail = t;
	t->waitq = &pred_all;
}

/* n's list of sleepers: t joins the back, or leaves. */
static void plist_append(struct notify *n, struct tcb *t)
{
	t->pred_next = NULL;
	t->pred_prev = n->preds_tail;
	if (n->preds_tail)
		n->preds_tail->pred_next = t;
	else
		n->preds = t;
	n->preds_tail = t;
}

static void plist_remove(struct notify *n, struct tcb *t)
{
	if (t->pred_prev)
		t->pred_prev->pred_next = t->pred_next;
	else
		n->preds = t->pred_next;
	if (t->pred_next)
		t->pred_next->pred_prev = t->pred_prev;
	else
		n->preds_tail = t->pred_prev;
	t->pred_next = t->pred_prev = NULL;
}

/* Take t off its notification's list and drop its program capability.
 * Called with t no longer in BLK_PRED (ipc_detach, pred_wake). */
void pred_detach(struct tcb *t)
{
	if (t->pred_ntfn)
		plist_remove(t->pred_ntfn, t);
	t->pred_ntfn = NULL;
	cap_delete_one(&t->predprog); /* finalising it, if last, waits for the worklist */
	pred_count--;
}

static void pred_wake(struct tcb *t, u64 err, u64 r0)
{
	waitq_remove(&pred_all, t);
	t->blocked = BLK_NONE;
	t->wait_obj = NULL;
	t->frame.rax = err;
	t->frame.rdi = err ? 0 : r0;
	pred_detach(t);
	sched_make_runnable(t);
}

/* Run t's predicate over its page. True if the wait is over: *err and *r0
 * say how it ends. */
static bool pred_eval(struct bpf_prog *p, const struct cap *vs, u64 va, u64 *err, u64 *r0)
{
	struct bpf_result res;
	void *page = vspace_user_page(vs, va, false);
	if (!page) {
		*err = LM_EFAULT;
		return true;
	}
	if (bpf_prog_run(p, page, LM_BPF_PAGE_CTX, &res)) {
		*err = LM_ELIMIT;
		return true;
	}
	*err = LM_OK;
	*r0 = res.r0;
	return res.r0 != 0;
}

/* Look at sleeper t again; true if it woke. */
static bool pred_recheck(struct tcb *t)
{
	u64 err, r0 = 0;
	struct bpf_prog *p = (struct bpf_prog *)t->predprog.cap.obj;
	if (!pred_eval(p, &t->vspace.cap, t->pred_vaddr, &err, &r0))
		return false;
	pred_wake(t, err, r0);
	return true;
}

/* Those still asleep go to the back: the next signal starts with the
 * ones this one did not reach, and stops when it comes round. */
void pred_signal(struct notify *n)
{
	struct tcb *t, *first = NULL;
	for (int k = 0; k < PRED_SIGNAL_EVALS && (t = n->preds) && t != first; k++) {
		if (pred_recheck(t))
			continue;
		plist_remove(n, t);
		plist_append(n, t);
		if (!first)
			first = t;
	}
}

void pred_tick(void)
{
	struct tcb *t;
	u64 n = pred_count < PRED_TICK_EVALS ? pred_count : PRED_TICK_EVALS;
	for (u64 k = 0; k < n && (t = pred_all.head); k++) {
		if (pred_recheck(t))
			continue;
		/* Still asleep: to the back, so the next look starts elsewhere. */
		waitq_remove(&pred_all, t);
		pred_append(t);
	}
}

/* (prog, vaddr, ntfn or 0) -> rdi = the predicate's r0. */
SYS(bpf_wait)
{
	struct tcb *cur = cpu0.cur;
	struct slot *ps, *ns;
	struct notify *n = cur->bound;
	u64 va = ARG2(f), e, err, r0 = 0;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_BPF, LM_R_ATTACH, 1, &ps)))
		return e;
	struct bpf_prog *p = (struct bpf_prog *)ps->cap.obj;
	if (!p->type)
		return SYSERR(LM_ESTATE, 1);
	if (p->type != LM_BPF_PROG_PREDICATE)
		return SYSERR(LM_ETYPE, 1);
	if (va < LM_USER_MIN || va >= LM_USER_MAX)
		return SYSERR(LM_ERANGE, 2);
	if (va & (LM_PAGE_SIZE - 1))
		return SYSERR(LM_EALIGN, 2);
	if (ARG3(f)) {
		if ((e = cap_lookup(ARG3(f), LM_OBJ_NOTIFY, LM_R_READ, 3, &ns)))
			return e;
		n = (struct notify *)ns->cap.obj;
	}
	if (!vspace_user_page(&cur->vspace.cap, va, false))
		return SYSERR(LM_EFAULT, 2);

	if (pred_eval(p, &cur->vspace.cap, va, &err, &r0)) {
		f->rdi = r0;
		return err == LM_ELIMIT ? SYSERR(LM_ELIMIT, 1) : LM_OK;
	}
	tcb_set_slot(cur, &cur->predprog, ps);
	cur->pred_vaddr = va;
	cur->pred_ntfn = n;
	if (n)
		plist_append(n, cur);
	block_on(cur, NULL, BLK_PRED, n);
	pred_append(cur); /* at the back: the tick reaches it in turn */
	pred_count++;
	return LM_OK;
}

/* DEBUG_CHECK: every sleeper is blocked on a predicate it holds, and on
 * its notification's list exactly when it has one. */
int pred_check(void)
{
	int bad = 0;
	u64 n = 0;
	for (struct tcb *t = pred_all.head; t; t = t->rq_next, n++) {
		bad += t->state != LM_TS_BLOCKED || t->blocked != BLK_PRED || t->waitq != &pred_all;
		bad += t->predprog.cap.type != LM_OBJ_BPF;
		bad += t->wait_obj != t->pred_ntfn;
		if (t->pred_ntfn) {
			struct tcb *u = t->pred_ntfn->preds;
			while (u && u != t)
				u = u->pred_next;
			bad += u != t;
			for (u = t; u->pred_next; u = u->pred_next)
				;
			bad += t->pred_ntfn->preds_tail != u;
		}
	}
	return bad + (n != pred_count);
}
