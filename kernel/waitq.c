/* IPC wait queues (ipc.h) and blocking. */
#include <lamina/exception.h>
#include "ipc.h"
#include "bpf/prog.h"

void waitq_add(struct waitq *q, struct tcb *t)
{
	struct tcb *after = q->tail;
	while (after && after->prio < t->prio)
		after = after->rq_prev;
	t->rq_prev = after;
	t->rq_next = after ? after->rq_next : q->head;
	if (t->rq_next)
		t->rq_next->rq_prev = t;
	else
		q->tail = t;
	if (after)
		after->rq_next = t;
	else
		q->head = t;
	t->waitq = q;
}

void waitq_remove(struct waitq *q, struct tcb *t)
{
	if (t->rq_prev)
		t->rq_prev->rq_next = t->rq_next;
	else
		q->head = t->rq_next;
	if (t->rq_next)
		t->rq_next->rq_prev = t->rq_prev;
	else
		q->tail = t->rq_prev;
	t->rq_next = t->rq_prev = NULL;
	t->waitq = NULL;
}

struct tcb *waitq_pop(struct waitq *q)
{
	struct tcb *t = q->head;
	if (t)
		waitq_remove(q, t);
	return t;
}

/* Every thread on q is blocked for `blocked` on obj, in priority order. */
int waitq_check(const struct waitq *q, u8 blocked, const void *obj)
{
	int bad = 0;
	const struct tcb *prev = NULL;
	for (const struct tcb *t = q->head; t; prev = t, t = t->rq_next) {
		bad += t->state != LM_TS_BLOCKED || t->blocked != blocked || t->wait_obj != obj;
		bad += t->rq_prev != prev || t->waitq != q;
		bad += prev && prev->prio < t->prio;
	}
	return bad + (q->tail != prev);
}

/* t stops until someone takes it off q (or it is cancelled). */
void block_on(struct tcb *t, struct waitq *q, u8 kind, void *obj)
{
	sched_stop(t, LM_TS_BLOCKED);
	t->blocked = kind;
	t->wait_obj = obj;
	if (q)
		waitq_add(q, t);
}

/* Take t out of whatever it waits for; its call returns err. A fault
 * message is not a call: suspending the thread withdraws it (resumed, the
 * thread faults again), anything else leaves the fault unserved for good,
 * and then true is returned: t must be stopped (thread_stop_fault), which
 * the caller does, so that chains of such stops are a loop (thread.c). */
static bool ipc_detach(struct tcb *t, u64 err)
{
	if (t->state != LM_TS_BLOCKED)
		return false;
	bool pred = t->blocked == BLK_PRED;
	if (t->waitq)
		waitq_remove(t->waitq, t);
	if (t->blocked == BLK_REPLY && t->replier) {
		t->replier->reply_to = NULL;
		t->replier = NULL;
	}
	t->blocked = BLK_NONE;
	t->wait_obj = NULL;
	t->state = LM_TS_INACTIVE;
	if (pred) /* after BLK_NONE: dropping its program must not cancel again */
		pred_detach(t);
	if (!t->fault_ipc) {
		t->frame.rax = err;
		return false;
	}
	t->fault_ipc = false;
	return err != LM_EINTR;
}

void ipc_cancel(struct tcb *t, u64 err)
{
	if (ipc_detach(t, err))
		thread_stop_fault(t, LM_FAULT_PAGER_GONE);
}

/* The caller that server owes a reply gives up: its call fails. A caller
 * that was a faulted thread waiting for server as its pager must stop in
 * turn: it is returned, for the caller of this to stop. */
struct tcb *reply_detach(struct tcb *server)
{
	struct tcb *c = server->reply_to;
	server->reply_to = NULL;
	c->replier = NULL;
	if (ipc_detach(c, LM_EDELETED))
		return c;
	if (c->state == LM_TS_INACTIVE)
		sched_make_runnable(c);
	return NULL;
}

void reply_drop(struct tcb *server)
{
	struct tcb *c = reply_detach(server);
	if (c)
		thread_stop_fault(c, LM_FAULT_PAGER_GONE);
}

/* t is being destroyed: nobody may keep waiting on it or for it. */
void ipc_thread_gone(struct tcb *t)
{
	ipc_cancel(t, LM_EDELETED);
	if (t->reply_to)
		reply_drop(t);
	notify_unbind(t);
}
