/* Helpers shared by the second red-team round's tests (redteam2*.c). */
#ifndef REDTEAM2_H
#define REDTEAM2_H

#include <lamina/exception.h>
#include "harness.h"

#define CN   LM_SLOT_CNODE
#define VS   LM_SLOT_VSPACE
#define CTL  LM_SLOT_IRQCTL
#define IO   LM_SLOT_IOPORT
#define RW   (LM_R_READ | LM_R_WRITE)
#define INFO LM_MSG_INFO

#define LOW  (T_PRIO - 1) /* below ktest: runs when ktest sleeps */

static inline int sound(void)
{
	lm_u64 problems = 1;

	return lm_debug_check(&problems) == LM_OK && problems == 0;
}

/* A thread of ktest at fn(arg), priority prio, bound to ntfn (0: none),
 * started. */
static inline lm_cptr_t start(lm_thread_fn fn, lm_word_t arg, lm_u32 prio, lm_cptr_t ntfn)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r;

	if (!t)
		return 0;
	lm_thread_regs(&r, fn, arg, t_stack());
	if (lm_thread_write_regs(t, &r) || lm_thread_set_priority(t, prio) ||
	    (ntfn && lm_thread_bind_notify(t, ntfn)) || lm_thread_resume(t)) {
		t_fail(__FILE__, __LINE__, "starting a thread");
		return 0;
	}
	return t;
}

/* Let the threads below ktest run until they stop or block, then read
 * t's state: t_wait alone only yields, which runs nothing lower. */
static inline int settle(lm_cptr_t t, struct lm_thread_info *ti)
{
	t_sleep_until_idle();
	return t_wait(t, ti);
}

static inline lm_u32 state_of(lm_cptr_t t)
{
	struct lm_thread_info ti = { 0 };

	if (lm_thread_info(t, &ti))
		return 0xdead;
	return ti.state;
}

static inline lm_word_t do_ud2(lm_word_t arg)
{
	(void)arg;
	__asm__ volatile("ud2");
	return 0;
}

#endif
