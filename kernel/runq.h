/*
 * The run queues: one FIFO per priority and a bitmap of the non-empty ones
 * (rq_bits; rq_words has bit i set when rq_bits[i] is not 0). The current
 * thread is never queued; every other runnable thread is on the queue of
 * its priority. Inline, so that the scheduler (sched.c), the fast paths
 * (fastpath.c) and the directed yield (thread.c) share one definition
 * without a call.
 */
#ifndef RUNQ_H
#define RUNQ_H

#include "switch.h"

extern struct tcb *rq_head[256], *rq_tail[256];

/* t, on no queue and with its rq_next NULL, joins the tail of its
 * queue (rq_add's checks are the caller's). */
static always_inline void rq_link_tail(struct tcb *t)
{
	u8 p = t->prio;
	t->queued = true;
	t->rq_prev = rq_tail[p];
	if (rq_tail[p])
		rq_tail[p]->rq_next = t;
	else
		rq_head[p] = t;
	rq_tail[p] = t;
	rq_bits[t->prio_word] |= t->prio_bit;
	rq_words |= t->prio_wbit;
}

static always_inline void rq_add(struct tcb *t, bool front)
{
	u8 p = t->prio;
	KASSERT(!t->queued);
	if (!front) {
		t->rq_next = NULL;
		rq_link_tail(t);
		return;
	}
	t->queued = true;
	t->rq_prev = NULL;
	t->rq_next = rq_head[p];
	if (rq_head[p])
		rq_head[p]->rq_prev = t;
	else
		rq_tail[p] = t;
	rq_head[p] = t;
	rq_bits[t->prio_word] |= t->prio_bit;
	rq_words |= t->prio_wbit;
}

/* The queue of t's priority became empty: its bit goes, and its word's if
 * that was the last. */
static always_inline void rq_emptied(const struct tcb *t)
{
	if (!(rq_bits[t->prio_word] &= t->prio_nbit))
		rq_words &= t->prio_nwbit;
}

static always_inline void rq_remove(struct tcb *t)
{
	u8 p = t->prio;
	KASSERT(t->queued);
	if (t->rq_prev)
		t->rq_prev->rq_next = t->rq_next;
	else
		rq_head[p] = t->rq_next;
	if (t->rq_next)
		t->rq_next->rq_prev = t->rq_prev;
	else
		rq_tail[p] = t->rq_prev;
	if (!rq_head[p])
		rq_emptied(t);
	t->queued = false;
	t->rq_next = t->rq_prev = NULL;
}

/* The highest priority with a ready thread, or -1 (a long: it indexes
 * the queues with no sign extension). */
static always_inline long rq_top(void)
{
	if (!rq_words)
		return -1;
	/* The index of the highest bit: one BSR each, 64-bit results (the
	 * builtin's int costs a sign extension per use as an index). Neither
	 * word is 0: a set bit of rq_words means its rq_bits word has one. */
	u64 i, j;
#ifndef __FRAMAC__
	__asm__("bsr %1, %0" : "=r"(i) : "rm"(rq_words) : "cc");
	__asm__("bsr %1, %0" : "=r"(j) : "rm"(rq_bits[i]) : "cc");
#else
	/* EVA cannot see an asm's outputs written: the same by the builtin. */
	i = 63 ^ (u64)__builtin_clzll(rq_words);
	j = 63 ^ (u64)__builtin_clzll(rq_bits[i]);
#endif
	return (long)(i << 6 | j);
}

/* The head of queue p, which is not empty, taken off: rq_remove for the
 * one place a head is (no predecessor to unlink, by the queue's shape). */
static always_inline struct tcb *rq_pop(long p)
{
	struct tcb *t = rq_head[p], *n = t->rq_next;
	rq_head[p] = n;
	if (n) {
		n->rq_prev = NULL;
		t->rq_next = NULL;
	} else { /* t was alone: its rq_next is NULL already */
		rq_tail[p] = NULL;
		rq_emptied(t);
	}
	t->queued = false;
	return t;
}

/* The highest-priority ready thread, taken off its queue, or NULL. */
static always_inline struct tcb *sched_take_next_inline(void)
{
	return rq_words ? rq_pop(rq_top()) : NULL; /* rq_top is then not -1 */
}

/* t, which the running thread cur woke from a wait (so t is not cur, and
 * cur is runnable), joins the tail of its queue; true if it outranks cur,
 * which must then give way (the caller reschedules): sched_make_runnable
 * without the tests that cannot fail here (the notification fast path's
 * signal). t was just taken off
 * a wait queue, with its rq_next cleared (fp_pop_head): a thread that
 * waits is on no run queue, so rq_add's check and that store are left
 * out. */
static always_inline bool sched_wake(struct tcb *t, const struct tcb *cur)
{
	t->state = LM_TS_RUNNABLE;
	rq_link_tail(t);
	return t->prio > cur->prio;
}

/* c, not queued, takes the place of t at the tail of their common queue:
 * the same as rq_remove(t) and then rq_add(c, false), but the bitmap
 * cannot change, and t's neighbour is the only other thread touched. */
static always_inline void rq_replace_tail(struct tcb *t, struct tcb *c)
{
	u8 p = t->prio;
	KASSERT(t->queued && !c->queued && c->prio == p && rq_tail[p] == t);
	c->queued = true;
	c->rq_next = NULL;
	c->rq_prev = t->rq_prev;
	if (t->rq_prev)
		t->rq_prev->rq_next = c;
	else
		rq_head[p] = c;
	rq_tail[p] = c;
	t->queued = false;
	t->rq_prev = NULL;
}

/*
 * Directed yield: t runs now with what is left of the caller's slice; the
 * caller goes to the back of its queue. t must be runnable and may not
 * outrank the caller's view of the queues: a thread of lower priority than
 * something else ready is only switched to if the caller could have been.
 * Inline in its one caller, THREAD_YIELD_TO (thread.c).
 */
static always_inline void sched_yield_to(struct tcb *t)
{
	struct tcb *cur = cpu0.cur;
	if (t == cur)
		return;
	t->slice = cur->slice;
	cur->slice = SLICE_TICKS;
	/* t is runnable and not current, so queued. The last of the caller's
	 * own queue (two threads of one priority yielding to each other) just
	 * trades places with it. */
	if (rq_tail[t->prio] == t && t->prio == cur->prio) {
		rq_replace_tail(t, cur);
	} else {
		rq_remove(t);
		rq_add(cur, false);
	}
	switch_to(t);
	need_resched = sched_outranked(t);
}

#endif
