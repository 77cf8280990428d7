/* The M:N user-level thread package (lm/uthread.h): its threads are
 * switched by the preemption upcall without the kernel knowing them.
 * Ordered by flags and upcall counts, never by time: a spin is bounded far
 * above a tick interval and fails the test if no upcall switched it. */
#include "harness.h"

#define SPIN_BOUND (1ull << 28) /* cpurev.c says why this is plenty */

#define N 3
#define ROUNDS 3
static volatile int turn, progress[4], spin_failed;

/* Each waits, spinning, for its turn, then passes it on: only a
 * preemption upcall can take the CPU from a thread whose turn it is not. */
static void *spinner(void *arg)
{
	int me = (int)(lm_u64)arg, n = me >= 10 ? 4 : N;
	me %= 10;
	for (int r = 0; r < ROUNDS; r++) {
		lm_u64 spins = 0;
		while (turn != me)
			if (++spins > SPIN_BOUND) {
				spin_failed = 1;
				return 0;
			}
		progress[me]++;
		turn = (me + 1) % n;
	}
	return (void *)(lm_u64)(me + 100);
}

static void reset(void)
{
	turn = spin_failed = 0;
	for (int i = 0; i < 4; i++)
		progress[i] = 0;
	lm_uth_stats = (struct lm_uth_stats){ 0 };
}

TEST(uthread_spinning_threads_switched_by_preemption)
{
	reset();
	for (int i = 0; i < N; i++)
		CHECK(lm_uth_create(spinner, (void *)(lm_u64)i));
	CHECK_OK(lm_uth_run(LM_SLOT_TCB, 0));
	CHECK_EQ(spin_failed, 0);
	for (int i = 0; i < N; i++)
		CHECK_EQ(progress[i], ROUNDS);
	/* every turn but the first began with a preemption switch, apart
	 * from those an exit handed over */
	CHECK(lm_uth_stats.preempt_switches >= N * ROUNDS - 1 - N);
	CHECK(lm_uth_stats.preempt_upcalls >= lm_uth_stats.preempt_switches);
	CHECK_EQ(lm_uth_stats.yields, 0);
}

static void *twice(void *arg)
{
	lm_uth_yield();
	return (void *)((lm_u64)arg * 2);
}

static volatile lm_u64 joined_sum;

static void *joiner(void *arg)
{
	lm_uthread_t *t[5];
	lm_u64 sum = 0;
	for (int i = 0; i < 5; i++)
		t[i] = lm_uth_create(twice, (void *)(lm_u64)(i + 1));
	for (int i = 0; i < 5; i++)
		sum += t[i] ? (lm_u64)lm_uth_join(t[i]) : 1000;
	joined_sum = sum;
	return 0;
}

TEST(uthread_join_returns_what_threads_return)
{
	reset();
	joined_sum = 0;
	CHECK(lm_uth_create(joiner, 0));
	CHECK_OK(lm_uth_run(LM_SLOT_TCB, 0));
	CHECK_EQ(joined_sum, 2 * (1 + 2 + 3 + 4 + 5));
	CHECK(lm_uth_stats.yields >= 5);
}

/* A bounded buffer of one under a mutex and two conditions. */
static struct lm_uth_mutex mu;
static struct lm_uth_cond not_empty, not_full;
static int full, item;
static volatile lm_u64 consumed;
#define ITEMS 20

static void *producer(void *arg)
{
	for (int i = 1; i <= ITEMS; i++) {
		lm_uth_mutex_lock(&mu);
		while (full)
			lm_uth_cond_wait(&not_full, &mu);
		item = i;
		full = 1;
		lm_uth_cond_signal(&not_empty);
		lm_uth_mutex_unlock(&mu);
	}
	return 0;
}

static void *consumer(void *arg)
{
	for (int i = 1; i <= ITEMS; i++) {
		lm_uth_mutex_lock(&mu);
		while (!full)
			lm_uth_cond_wait(&not_empty, &mu);
		consumed = consumed * 3 + (lm_u64)item; /* order matters */
		full = 0;
		lm_uth_cond_signal(&not_full);
		lm_uth_mutex_unlock(&mu);
	}
	return 0;
}

TEST(uthread_mutex_and_condition_pass_items_in_order)
{
	lm_u64 want = 0;

	reset();
	mu = (struct lm_uth_mutex){ 0 };
	not_empty = not_full = (struct lm_uth_cond){ 0 };
	full = item = 0;
	consumed = 0;
	CHECK(lm_uth_create(consumer, 0));
	CHECK(lm_uth_create(producer, 0));
	CHECK_OK(lm_uth_run(LM_SLOT_TCB, 0));
	for (int i = 1; i <= ITEMS; i++)
		want = want * 3 + (lm_u64)i;
	CHECK_EQ(consumed, want);
}

/* Each holds the mutex until a preemption upcall has come (so the other
 * runs meanwhile and must wait for the mutex), then adds to the count. */
static volatile int counter, contended, held;

/* The package's count, read afresh each time (it changes under us). */
static lm_u64 switches(void)
{
	return *(volatile lm_u64 *)&lm_uth_stats.preempt_switches;
}

static void *locker(void *arg)
{
	for (int r = 0; r < 3; r++) {
		lm_uth_mutex_lock(&mu);
		held = 1;
		lm_u64 seen = switches(), spins = 0;
		while (switches() == seen && ++spins < SPIN_BOUND)
			;
		if (spins >= SPIN_BOUND)
			spin_failed = 1;
		counter++;
		held = 0;
		lm_uth_mutex_unlock(&mu);
	}
	return 0;
}

static void *bystander(void *arg)
{
	/* runs while a locker holds the mutex: only preemption got it here */
	while (!spin_failed && counter < 6) {
		if (held)
			contended++;
		lm_u64 seen = switches(), spins = 0;
		while (switches() == seen && counter < 6 && ++spins < SPIN_BOUND)
			;
		if (spins >= SPIN_BOUND)
			spin_failed = 1;
	}
	return 0;
}

TEST(uthread_mutex_held_across_preemption)
{
	reset();
	mu = (struct lm_uth_mutex){ 0 };
	counter = contended = held = 0;
	CHECK(lm_uth_create(locker, 0));
	CHECK(lm_uth_create(locker, 0));
	CHECK(lm_uth_create(bystander, 0));
	CHECK_OK(lm_uth_run(LM_SLOT_TCB, 0));
	CHECK_EQ(spin_failed, 0);
	CHECK_EQ(counter, 6);
	CHECK(contended > 0);
}

/* ---- would-block upcalls -------------------------------------------- */

static lm_cptr_t wb_ntfn;
static volatile lm_u64 wb_word;
static volatile int wb_order[4], wb_n;

static void *waiter(void *arg)
{
	lm_u64 w = 0;
	wb_order[wb_n++] = 1;
	lm_ntfn_wait(wb_ntfn, &w); /* would block: the signaller runs first */
	wb_word = w;
	wb_order[wb_n++] = 3;
	return 0;
}

static void *signaller(void *arg)
{
	wb_order[wb_n++] = 2;
	lm_ntfn_signal(wb_ntfn);
	return 0;
}

/* A fresh start for the would-block tests; 0 if no notification. */
static int wb_reset(void)
{
	reset();
	wb_word = wb_n = 0;
	wb_ntfn = t_new(LM_OBJ_NOTIFY, 0);
	return wb_ntfn != 0;
}

TEST(uthread_would_block_runs_other_threads_first)
{
	CHECK(wb_reset());
	CHECK(lm_uth_create(waiter, 0));
	CHECK(lm_uth_create(signaller, 0));
	CHECK_OK(lm_uth_run(LM_SLOT_TCB, LM_UTH_BLOCKING));
	CHECK_EQ(wb_word, 1);
	CHECK_EQ(wb_n, 3);
	CHECK_EQ(wb_order[0], 1);
	CHECK_EQ(wb_order[1], 2);
	CHECK_EQ(wb_order[2], 3);
	CHECK(lm_uth_stats.block_upcalls >= 1);
	CHECK(lm_uth_stats.block_switches >= 1);
	CHECK_EQ(lm_uth_stats.blocked_in_kernel, 0);
}

/* A kernel thread below ktest's priority: it runs only once ktest blocks. */
static lm_word_t low_signaller(lm_word_t ntfn)
{
	lm_ntfn_signal(ntfn);
	return 0;
}

TEST(uthread_would_block_alone_blocks_the_kernel_thread)
{
	CHECK(wb_reset());
	CHECK(t_thread(low_signaller, wb_ntfn, T_PRIO - 1));
	CHECK(lm_uth_create(waiter, 0));
	CHECK_OK(lm_uth_run(LM_SLOT_TCB, LM_UTH_BLOCKING));
	CHECK_EQ(wb_word, 1);
	CHECK_EQ(lm_uth_stats.blocked_in_kernel, 1);
}

/* ---- two kernel threads ---------------------------------------------- */

static volatile int vcpu2_err = -1;

static lm_word_t second_vcpu(lm_word_t tcb)
{
	vcpu2_err = lm_uth_run(tcb, 0);
	return 0;
}

TEST(uthread_two_kernel_threads_share_the_queue)
{
	lm_cptr_t t = t_thread_new();
	struct lm_thread_info ti;

	reset();
	CHECK(t);
	for (int i = 0; i < 4; i++)
		CHECK(lm_uth_create(spinner, (void *)(lm_u64)(10 + i)));
	vcpu2_err = -1;
	CHECK_OK(lm_thread_start(t, second_vcpu, t, t_stack(), T_PRIO));
	CHECK_OK(lm_uth_run(LM_SLOT_TCB, 0));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(vcpu2_err, 0);
	CHECK_EQ(spin_failed, 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(progress[i], ROUNDS);
}

TEST(uthread_run_bad_input)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);

	CHECK(n);
	reset();
	CHECK(lm_uth_create(twice, 0));
	/* not a thread: the package's setup fails and says why */
	CHECK_ERR(lm_uth_run(n, 0), LM_ETYPE);
	CHECK_ERR(lm_uth_run(0, 0), LM_ECAP);
	/* the thread is still there to run */
	CHECK_OK(lm_uth_run(LM_SLOT_TCB, 0));
	CHECK(lm_uth_stats.yields >= 1);
}
