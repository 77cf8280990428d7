/*
 * Fixed-priority round-robin scheduler over the run queues of runq.h. A
 * bitmap of non-empty queues makes picking the highest O(1).
 */
#include <lamina/bootinfo.h>
#include <lamina/exception.h>
#include "arch.h"
#include "asm.h"
#include "thread.h"
#include "vspace.h"
#include "runq.h"

struct tcb *rq_head[256], *rq_tail[256];
u64 rq_bits[4];
u64 rq_words;
bool need_resched;

/* t becomes runnable: it joins the tail of its queue (unless it is the
 * current thread), and the current thread gives way at its next exit if t
 * outranks it or it no longer runs. */
void sched_make_runnable(struct tcb *t)
{
	struct tcb *cur = cpu0.cur;
	t->state = LM_TS_RUNNABLE;
	if (t == cur)
		return;
	rq_add(t, false);
	if (!cur || cur->state != LM_TS_RUNNABLE || t->prio > cur->prio)
		need_resched = true;
}

void sched_stop(struct tcb *t, u32 state)
{
	if (t->queued)
		rq_remove(t);
	if (t == cpu0.cur)
		need_resched = true;
	t->state = state;
}

/* The current thread goes to the back of its queue. */
void sched_yield(void)
{
	struct tcb *cur = cpu0.cur;
	cur->slice = SLICE_TICKS;
	rq_add(cur, false);
	need_resched = true;
}

u64 sched_ticks; /* timer ticks since boot */

void sched_tick(void)
{
	struct tcb *cur = cpu0.cur;
	sched_ticks++;
	if (!cur || cur->state != LM_TS_RUNNABLE || cur->queued)
		return;
	if (cur->reply_to && cur->borrowed < 0xffff)
		cur->borrowed++;
	if (--cur->slice == 0) {
		if (unlikely(cur->upcalls & LM_UPCALL_ON_PREEMPT)) {
			upcall_preempted(cur, LM_PREEMPT_SLICE);
			if (cur->state != LM_TS_RUNNABLE)
				return; /* stopped: no exception stack to tell it on */
		}
		sched_yield();
	}
}

/*
 * Time a server spends on a call counts against the caller: at the reply,
 * the ticks the server spent (its own and, passed up the same way, those
 * of servers it called in turn) come off c's slice, and off c's own
 * caller's account if c is a server too. True when that uses c's slice
 * up: c then goes to the back of its queue rather than being switched to,
 * so a client whose calls keep a server busy cannot keep the CPU from
 * the other threads of its priority. Charged at the reply, through the
 * reply link the kernel keeps, so nothing points at a caller that died.
 */
bool sched_charge_ticks(struct tcb *server, struct tcb *c)
{
	u16 b = server->borrowed;
	server->borrowed = 0;
	if (c->reply_to) {
		/* u16 operands add as int: saturate by hand, not by wrap test. */
		u32 sum = (u32)c->borrowed + b;
		c->borrowed = sum > 0xffff ? 0xffff : (u16)sum;
	}
	if (b < c->slice) {
		c->slice -= b;
		return false;
	}
	c->slice = SLICE_TICKS;
	return true;
}


/*
 * t was woken by the current thread, which now waits (call, reply-receive):
 * run t at once, without a trip through the run queue, unless something of
 * higher priority is ready.
 */
void sched_switch_to(struct tcb *t)
{
	t->state = LM_TS_RUNNABLE;
	if (cpu0.cur->state != LM_TS_RUNNABLE && rq_top() <= t->prio) {
		switch_to(t);
		need_resched = false;
	} else {
		sched_make_runnable(t);
	}
}

struct tcb *sched_take_next(void)
{
	return sched_take_next_inline();
}

/* Choose the thread to return to; idles with interrupts on if none. */
void schedule(void)
{
	struct tcb *cur = cpu0.cur;
	need_resched = false;
	if (cur && cur->state == LM_TS_RUNNABLE && !cur->queued) {
		if (rq_top() <= cur->prio)
			return;
		if (unlikely(cur->upcalls & LM_UPCALL_ON_PREEMPT))
			upcall_preempted(cur, LM_PREEMPT_PRIO);
		if (cur->state == LM_TS_RUNNABLE)
			rq_add(cur, true); /* preempted: it keeps its place */
	}
	long p;
	while ((p = rq_top()) < 0) {
		/* Nothing to run: park on the kernel's own page tables, since
		 * the last thread's address space may be on its way out. */
		cpu0.cur = NULL;
		cpu0.cr3_pml4 = kernel_pml4_phys();
		write_cr3(cpu0.cr3_pml4);
		arch_idle();
	}
	struct tcb *next = rq_pop(p);
	need_resched = false;
	switch_to(next);
}

/* Queue consistency for DEBUG_CHECK: every queued thread is runnable and
 * on the queue of its priority; the bitmap matches. */
int sched_check(void)
{
	int bad = 0;
	for (int p = 0; p < 256; p++) {
		struct tcb *prev = NULL;
		for (struct tcb *t = rq_head[p]; t; prev = t, t = t->rq_next) {
			bad += t->prio != p || !t->queued || t->state != LM_TS_RUNNABLE;
			bad += t->prio_bit != BIT(p & 63) || t->prio_wbit != BIT(p >> 6) || t->prio_word != p >> 6 ||
			       t->prio_nbit != ~t->prio_bit || t->prio_nwbit != ~t->prio_wbit;
			bad += t->rq_prev != prev;
		}
		bad += rq_tail[p] != prev;
		bad += !!(rq_bits[p >> 6] & BIT(p & 63)) != (rq_head[p] != NULL);
	}
	for (int i = 0; i < 4; i++)
		bad += !!rq_bits[i] != !!(rq_words & BIT(i));
	return bad;
}
