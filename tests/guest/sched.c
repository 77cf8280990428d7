/* Scheduling: fixed priorities, round robin with preemption inside one,
 * and the priority rules of THREAD_SET_PRIORITY. Threads below ktest's
 * priority only run while ktest sleeps (t_sleep_until_idle).
 *
 * A timer tick may preempt a thread at any instruction and hand the CPU to
 * the next of its priority, so no test here assumes where ticks fall, how
 * many there are, or in which order equal-priority threads run unless they
 * are ordered by something other than the timer. Waits are loops on an
 * event (a counter moved, a state reached), bounded by a number of turns. */
#include "harness.h"

/* Turns (yields, or ticks where a spinner holds the CPU) a wait may take
 * before the test calls it a failure: far more than a working kernel
 * needs, whatever the load. */
#define TURNS 1000

static volatile lm_u32 order_log[16];
static volatile lm_u32 order_n;

static void log_reset(void)
{
	order_n = 0;
}

static void log_id(lm_u32 id)
{
	if (order_n < 16)
		order_log[order_n++] = id;
}

static lm_word_t record(lm_word_t id)
{
	log_id((lm_u32)id);
	return 0;
}

TEST(sched_higher_priority_thread_runs_first)
{
	lm_cptr_t lo, hi;

	log_reset();
	lo = t_thread(record, 80, 80);
	hi = t_thread(record, 90, 90);
	CHECK(lo && hi);
	CHECK_EQ(order_n, 0); /* both below us: neither has run */
	t_sleep_until_idle();
	CHECK_EQ(order_n, 2);
	CHECK_EQ(order_log[0], 90);
	CHECK_EQ(order_log[1], 80);
}

/* The ready bitmap has a word per 64 priorities: threads on both sides of
 * a word's edge, and runnable ones moved across it by THREAD_SET_PRIORITY
 * (which rewrites the priority's bitmap masks with it), still run highest
 * first. DEBUG_CHECK after the test checks the masks of queued threads. */
TEST(sched_priorities_across_bitmap_words_run_highest_first)
{
	lm_cptr_t t[5];
	static const lm_u32 prio[5] = { 5, 63, 64, 70, 99 };

	log_reset();
	for (int i = 0; i < 5; i++) {
		t[i] = t_thread(record, prio[i], prio[i]);
		CHECK(t[i]);
	}
	CHECK_EQ(order_n, 0);
	CHECK_OK(lm_thread_set_priority(t[0], 98)); /* word 0 -> word 1, queued */
	CHECK_OK(lm_thread_set_priority(t[4], 3));  /* word 1 -> word 0, queued */
	t_sleep_until_idle();
	CHECK_EQ(order_n, 5);
	CHECK_EQ(order_log[0], 5);  /* now 98 */
	CHECK_EQ(order_log[1], 70);
	CHECK_EQ(order_log[2], 64);
	CHECK_EQ(order_log[3], 63);
	CHECK_EQ(order_log[4], 99); /* now 3, above T_WAKER_PRIO */
}

static volatile lm_u64 spins[2];
static volatile int spin_stop;

static lm_word_t spinner(lm_word_t i)
{
	while (!spin_stop)
		spins[i]++;
	return 0;
}

/* Spin without yielding until an equal-priority spinner has run: only a
 * timer tick can have handed it the CPU, so at least one tick has come
 * (and gone: we run again). The bound only turns a dead timer into a
 * failure instead of a hang; the event is checked once more after it. */
static int wait_for_a_tick(void)
{
	lm_u64 end = t_rdtsc() + t_ms_to_tsc(60000);
	lm_cptr_t t;

	spins[1] = 0;
	spin_stop = 0;
	t = t_thread(spinner, 1, T_PRIO);
	if (!t)
		return 0;
	while (spins[1] == 0 && t_rdtsc() < end)
		;
	spin_stop = 1;
	return spins[1] != 0;
}

TEST(sched_lower_priority_thread_waits_while_higher_is_runnable)
{
	lm_cptr_t lo;

	log_reset();
	lo = t_thread(record, 50, 50);
	CHECK(lo);
	t_yield(100);             /* yield only reaches our own priority */
	CHECK(wait_for_a_tick()); /* and ticks do not hand the CPU down */
	CHECK_EQ(order_n, 0);
	t_sleep_until_idle();
	CHECK_EQ(order_n, 1);
}

static lm_word_t resume_then_record(lm_word_t hi)
{
	lm_thread_resume(hi);
	log_id(50);
	return 0;
}

TEST(sched_resuming_higher_priority_thread_preempts_at_once)
{
	lm_cptr_t hi = t_thread_new(), mid;
	struct lm_regs r;

	CHECK(hi);
	log_reset();
	lm_thread_regs(&r, record, 90, t_stack());
	CHECK_OK(lm_thread_write_regs(hi, &r));
	CHECK_OK(lm_thread_set_priority(hi, 90));
	mid = t_thread(resume_then_record, hi, 50);
	CHECK(mid);
	t_sleep_until_idle();
	CHECK_EQ(order_n, 2);
	CHECK_EQ(order_log[0], 90); /* ran inside the resume call */
	CHECK_EQ(order_log[1], 50);
}

TEST(sched_equal_priority_threads_are_preempted_without_yielding)
{
	lm_cptr_t a, b;
	struct lm_thread_info ti;

	spins[0] = spins[1] = 0;
	spin_stop = 0;
	a = t_thread(spinner, 0, T_PRIO);
	b = t_thread(spinner, 1, T_PRIO);
	CHECK(a && b);
	/* Neither spinner ever yields: we and the other only get the CPU
	 * back when a time slice ends, so each of our turns is a tick. */
	for (lm_u32 turn = 0; turn < TURNS && (spins[0] < 1000 || spins[1] < 1000); turn++)
		lm_thread_yield();
	spin_stop = 1;
	CHECK(spins[0] >= 1000);
	CHECK(spins[1] >= 1000);
	CHECK_OK(t_wait(a, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_OK(t_wait(b, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
}

static volatile lm_u32 turn_of;

/* Six times: yield until it is our turn, log, pass the turn on. Only the
 * other thread passes it back, so each wait needs it to have run: a yield
 * that left the CPU with us would use up TURNS in far less than a slice.
 * A tick anywhere only lets the other thread see it is not its turn yet. */
static lm_word_t take_turns(lm_word_t id)
{
	for (lm_u32 i = 0; i < 6; i++) {
		for (lm_u32 n = 0; turn_of != id; n++) {
			if (n == TURNS)
				return 0x100 + i;
			lm_thread_yield();
		}
		log_id((lm_u32)id);
		turn_of = 3 - (lm_u32)id;
	}
	return 0;
}

TEST(sched_yield_alternates_equal_priority_threads)
{
	lm_cptr_t a, b;
	struct lm_thread_info ti;

	log_reset();
	turn_of = 1;
	a = t_thread(take_turns, 1, T_PRIO);
	b = t_thread(take_turns, 2, T_PRIO);
	CHECK(a && b);
	CHECK_OK(t_wait(a, &ti));
	CHECK_EQ(ti.exit_code, 0);
	CHECK_OK(t_wait(b, &ti));
	CHECK_EQ(ti.exit_code, 0);
	CHECK_EQ(order_n, 12);
	for (lm_u32 i = 1; i < 12; i++)
		CHECK_NE(order_log[i], order_log[i - 1]);
}

static lm_word_t try_priorities(lm_word_t self)
{
	lm_u64 up = lm_thread_set_priority(self, 60);     /* above own 50 */
	lm_u64 down = lm_thread_set_priority(self, 40);   /* lower: fine */
	lm_u64 back = lm_thread_set_priority(self, 50);   /* above own 40 now */

	return up | down << 8 | back << 16;
}

TEST(sched_thread_cannot_raise_priority_above_its_own)
{
	lm_cptr_t t = t_thread_new();
	struct lm_thread_info ti;

	CHECK(t);
	CHECK_OK(lm_thread_start(t, try_priorities, t, t_stack(), 50));
	t_sleep_until_idle();
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code & 0xff, LM_ERIGHTS);
	CHECK_EQ(ti.exit_code >> 8 & 0xff, LM_OK);
	CHECK_EQ(ti.exit_code >> 16 & 0xff, LM_ERIGHTS);
	CHECK_EQ(ti.priority, 40);
}

TEST(sched_set_priority_range_and_rights)
{
	lm_cptr_t t = t_thread_new(), ro;
	struct lm_thread_info ti;

	CHECK(t);
	ro = t_copy(t, LM_R_READ);
	CHECK(ro);
	CHECK_ERR(lm_thread_set_priority(t, LM_PRIO_MAX + 1), LM_ERANGE);
	CHECK_ERR(lm_thread_set_priority(t, ~0ull), LM_ERANGE);
	CHECK_ERR(lm_thread_set_priority(t, T_PRIO + 1), LM_ERIGHTS);
	CHECK_ERR(lm_thread_set_priority(ro, 10), LM_ERIGHTS);
	CHECK_OK(lm_thread_set_priority(t, 17));
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.priority, 17);
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	CHECK_OK(lm_thread_set_priority(t, 0));
	CHECK_ERR(lm_thread_set_priority(LM_SLOT_TCB, T_PRIO + 1), LM_ERIGHTS);
	CHECK_OK(lm_thread_set_priority(LM_SLOT_TCB, T_PRIO)); /* own: no change */
	CHECK_OK(lm_thread_info(LM_SLOT_TCB, &ti));
	CHECK_EQ(ti.priority, T_PRIO);
}

static volatile int self_flag;

static lm_word_t suspend_self(lm_word_t self)
{
	self_flag = 1;
	lm_thread_suspend(self);
	self_flag = 2;
	return 0;
}

TEST(sched_suspending_oneself_switches_away_at_once)
{
	lm_cptr_t t;
	struct lm_thread_info ti;

	self_flag = 0;
	t = t_thread_new();
	CHECK(t);
	CHECK_OK(lm_thread_start(t, suspend_self, t, t_stack(), T_PRIO));
	/* A tick may come between its flag and its suspend: wait for the
	 * state, not for a number of yields. */
	for (lm_u32 i = 0; i < TURNS; i++) {
		CHECK_OK(lm_thread_info(t, &ti));
		if (ti.state != LM_TS_RUNNABLE)
			break;
		lm_thread_yield();
	}
	CHECK_EQ(self_flag, 1);
	CHECK_EQ(ti.state, LM_TS_INACTIVE);
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(self_flag, 2);
}

TEST(sched_lowering_a_runnable_threads_priority_takes_effect)
{
	lm_cptr_t t;
	lm_u64 c;

	spins[0] = 0;
	spin_stop = 0;
	t = t_thread(spinner, 0, T_PRIO);
	CHECK(t);
	for (lm_u32 i = 0; i < TURNS && spins[0] == 0; i++)
		lm_thread_yield();
	CHECK(spins[0] != 0);
	CHECK_OK(lm_thread_set_priority(t, 50));
	c = spins[0];
	t_yield(50);
	CHECK_EQ(spins[0], c); /* below us now */
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	for (lm_u32 i = 0; i < TURNS && spins[0] == c; i++)
		lm_thread_yield();
	CHECK(spins[0] != c);
	spin_stop = 1;
}

/* One try: queue a, b, c behind us, yield to c, let all three finish.
 * 1 if c logged first. A tick may spoil a try (one before the yield runs a
 * early; one before c logs sends c to the back), and nothing a thread sees
 * tells a tick from a yield_to that ran the wrong thread: so a try is
 * repeated, and a kernel that never runs c first fails every one. */
static int yield_to_try(void)
{
	lm_cptr_t a, b, c;
	struct lm_thread_info ti;

	log_reset();
	a = t_thread(record, 1, T_PRIO); /* queued in the order a, b, c */
	b = t_thread(record, 2, T_PRIO);
	c = t_thread(record, 3, T_PRIO);
	if (!a || !b || !c)
		return 0;
	if (order_n == 0 && lm_thread_yield_to(c) != LM_OK)
		return 0;
	if (t_wait(a, &ti) || t_wait(b, &ti) || t_wait(c, &ti) || order_n != 3)
		return 0;
	return order_log[0] == 3;
}

TEST(sched_yield_to_runs_the_named_thread_first)
{
	lm_u32 tries = 1;

	while (!yield_to_try() && !t_failed() && tries < 10)
		tries++;
	if (tries > 1)
		t_note("%u tries (ticks spoil a try now and then)", tries);
	CHECK_EQ(order_n, 3);
	CHECK_EQ(order_log[0], 3);
}

TEST(sched_yield_to_checks_its_target)
{
	lm_cptr_t idle = t_thread_new(), done = t_thread(record, 9, T_PRIO);
	lm_cptr_t f = t_new(LM_OBJ_FRAME, 12), spin, ro;
	struct lm_thread_info ti;

	CHECK(idle && done && f);
	CHECK_OK(t_wait(done, &ti));
	CHECK_ERR(lm_thread_yield_to(idle), LM_ESTATE); /* never started */
	CHECK_ERR(lm_thread_yield_to(done), LM_ESTATE); /* exited */
	CHECK_ERR(lm_thread_yield_to(f), LM_ETYPE);
	CHECK_ERR(lm_thread_yield_to(t_slot()), LM_ECAP);
	spin_stop = 0;
	spin = t_thread(spinner, 0, T_PRIO);
	CHECK(spin);
	ro = t_copy(spin, LM_R_READ);
	CHECK(ro);
	CHECK_ERR(lm_thread_yield_to(ro), LM_ERIGHTS);
	CHECK_OK(lm_thread_yield_to(spin));
	spin_stop = 1;
}
