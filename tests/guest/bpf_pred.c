/* Wake-up predicates: BPF_WAIT sleeps until a program over a page holds. */
#include "bpf_util.h"

#define CN   LM_SLOT_CNODE
#define PAGE T_VA_PAGE(0)

/* r0 = the page's first word */
static const struct lm_bpf_insn first_word[] = { LDXDW(0, 1, 0), EXIT() };
static const struct lm_bpf_insn never[] = { MOV_K(0, 0), EXIT() };

struct sleep_args {
	lm_cptr_t prog, ntfn;
	lm_u64 va;
	volatile lm_u64 r0;
};

/* Exit code: 0x100 + what BPF_WAIT returned. */
static lm_word_t sleeper(lm_word_t a)
{
	struct sleep_args *s = (struct sleep_args *)a;
	lm_u64 r0 = 0;
	int err = lm_bpf_wait(s->prog, s->va, s->ntfn, &r0);
	s->r0 = r0;
	return 0x100 + (lm_u64)err;
}

static volatile lm_u64 *page(void)
{
	if (!t_frame_at(PAGE, LM_R_READ | LM_R_WRITE))
		return 0;
	return (volatile lm_u64 *)PAGE;
}

static int state_of(lm_cptr_t tcb)
{
	struct lm_thread_info ti;
	return lm_thread_info(tcb, &ti) ? -1 : (int)ti.state;
}

TEST(bpf_wait_true_at_the_call_returns_at_once)
{
	volatile lm_u64 *pg = page();
	lm_cptr_t p = t_bpf(LM_BPF_PROG_PREDICATE, first_word, NINSNS(first_word), 0);
	lm_u64 r0 = 0;
	CHECK(pg && p);
	pg[0] = 5;
	CHECK_OK(lm_bpf_wait(p, PAGE, 0, &r0));
	CHECK_EQ(r0, 5);
}

/* The consumer sleeps; a signal while the page says no leaves it asleep;
 * the producer writes the page and signals: it wakes with the value. */
TEST(bpf_wait_consumer_wakes_when_the_producer_writes_and_signals)
{
	volatile lm_u64 *pg = page();
	lm_cptr_t p = t_bpf(LM_BPF_PROG_PREDICATE, first_word, NINSNS(first_word), 0);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	struct lm_thread_info ti;
	CHECK(pg && p && n);
	pg[0] = 0;
	struct sleep_args s = { p, n, PAGE, 0 };
	lm_cptr_t c = t_thread(sleeper, (lm_word_t)&s, T_PRIO);
	CHECK(c);
	CHECK(t_blocked(c));
	CHECK_OK(lm_ntfn_signal(n));
	t_yield(10);
	CHECK_EQ(state_of(c), LM_TS_BLOCKED);
	pg[0] = 42;
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(t_wait(c, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_OK);
	CHECK_EQ(s.r0, 42);
}

static lm_word_t ponger(lm_word_t a)
{
	lm_cptr_t *n = (lm_cptr_t *)a;
	for (int i = 0; i < 50; i++) {
		if (lm_ntfn_wait(n[0], 0) || lm_ntfn_signal(n[1]))
			return 1;
	}
	return 2;
}

/* Never true: the sleeper stays asleep through signals while other
 * threads go on; suspending it ends its call with LM_EINTR. */
TEST(bpf_wait_never_true_sleeps_while_others_run_until_suspended)
{
	volatile lm_u64 *pg = page();
	lm_cptr_t p = t_bpf(LM_BPF_PROG_PREDICATE, never, NINSNS(never), 0);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0), pp[2] = { t_new(LM_OBJ_NOTIFY, 0), t_new(LM_OBJ_NOTIFY, 0) };
	struct lm_thread_info ti;
	CHECK(pg && p && n && pp[0] && pp[1]);
	struct sleep_args s = { p, n, PAGE, 0 };
	lm_cptr_t c = t_thread(sleeper, (lm_word_t)&s, T_PRIO);
	CHECK(c);
	CHECK(t_blocked(c));
	lm_cptr_t w = t_thread(ponger, (lm_word_t)pp, T_PRIO);
	CHECK(w);
	for (int i = 0; i < 50; i++) {
		pg[0] = (lm_u64)i + 1;
		CHECK_OK(lm_ntfn_signal(n));
		CHECK_OK(lm_ntfn_signal(pp[0]));
		CHECK_OK(lm_ntfn_wait(pp[1], 0));
	}
	CHECK_OK(t_wait(w, &ti));
	CHECK_EQ(ti.exit_code, 2);
	CHECK_EQ(state_of(c), LM_TS_BLOCKED);
	CHECK_OK(lm_thread_suspend(c));
	CHECK_EQ(state_of(c), LM_TS_INACTIVE);
	CHECK_OK(lm_thread_resume(c));
	CHECK_OK(t_wait(c, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_EINTR);
}

/* With no notification named, the thread's bound one makes it look. */
TEST(bpf_wait_uses_the_bound_notification_when_none_is_named)
{
	volatile lm_u64 *pg = page();
	lm_cptr_t p = t_bpf(LM_BPF_PROG_PREDICATE, first_word, NINSNS(first_word), 0);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0), c = t_thread_new();
	struct lm_thread_info ti;
	CHECK(pg && p && n && c);
	pg[0] = 0;
	struct sleep_args s = { p, 0, PAGE, 0 };
	CHECK_OK(lm_thread_bind_notify(c, n));
	CHECK_OK(lm_thread_start(c, sleeper, (lm_word_t)&s, t_stack(), T_PRIO));
	CHECK(t_blocked(c));
	pg[0] = 7;
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(t_wait(c, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_OK);
	CHECK_EQ(s.r0, 7);
}

/* With no notification at all, timer ticks look again (no test may say
 * when; this one only needs that ticks come). */
TEST(bpf_wait_without_notification_wakes_at_a_tick)
{
	volatile lm_u64 *pg = page();
	lm_cptr_t p = t_bpf(LM_BPF_PROG_PREDICATE, first_word, NINSNS(first_word), 0);
	struct lm_thread_info ti;
	CHECK(pg && p);
	pg[0] = 0;
	struct sleep_args s = { p, 0, PAGE, 0 };
	lm_cptr_t c = t_thread(sleeper, (lm_word_t)&s, T_PRIO);
	CHECK(c);
	CHECK(t_blocked(c));
	pg[0] = 9;
	CHECK_OK(t_wait(c, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_OK);
	CHECK_EQ(s.r0, 9);
}

TEST(bpf_wait_ends_with_EDELETED_when_its_notification_goes)
{
	volatile lm_u64 *pg = page();
	lm_cptr_t p = t_bpf(LM_BPF_PROG_PREDICATE, never, NINSNS(never), 0);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	struct lm_thread_info ti;
	CHECK(pg && p && n);
	struct sleep_args s = { p, n, PAGE, 0 };
	lm_cptr_t c = t_thread(sleeper, (lm_word_t)&s, T_PRIO);
	CHECK(c && t_blocked(c));
	CHECK_OK(lm_cnode_delete(CN, n));
	CHECK_OK(t_wait(c, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_EDELETED);
}

/* The sleeper holds its own capability to the program: deleting the one
 * it named does not end the wait; revoking the program's does. */
TEST(bpf_wait_survives_deletion_of_its_cap_and_ends_on_revoke)
{
	volatile lm_u64 *pg = page();
	lm_cptr_t p = t_bpf(LM_BPF_PROG_PREDICATE, first_word, NINSNS(first_word), 0);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	struct lm_thread_info ti;
	CHECK(pg && p && n);
	pg[0] = 0;
	lm_cptr_t c1 = t_copy(p, LM_R_ALL);
	CHECK(c1);
	struct sleep_args s1 = { c1, n, PAGE, 0 };
	lm_cptr_t a = t_thread(sleeper, (lm_word_t)&s1, T_PRIO);
	CHECK(a && t_blocked(a));
	CHECK_OK(lm_cnode_delete(CN, c1));
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_EQ(state_of(a), LM_TS_BLOCKED);
	pg[0] = 3;
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(t_wait(a, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_OK);
	CHECK_EQ(s1.r0, 3);

	pg[0] = 0;
	struct sleep_args s2 = { p, n, PAGE, 0 };
	lm_cptr_t b = t_thread(sleeper, (lm_word_t)&s2, T_PRIO);
	CHECK(b && t_blocked(b));
	CHECK_OK(lm_cnode_revoke(CN, p));
	CHECK_OK(t_wait(b, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_EDELETED);
}

TEST(bpf_wait_ends_with_EFAULT_when_its_page_is_unmapped)
{
	lm_cptr_t f = t_frame_at(PAGE, LM_R_READ | LM_R_WRITE);
	lm_cptr_t p = t_bpf(LM_BPF_PROG_PREDICATE, first_word, NINSNS(first_word), 0);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	struct lm_thread_info ti;
	CHECK(f && p && n);
	*(volatile lm_u64 *)PAGE = 0;
	struct sleep_args s = { p, n, PAGE, 0 };
	lm_cptr_t c = t_thread(sleeper, (lm_word_t)&s, T_PRIO);
	CHECK(c && t_blocked(c));
	CHECK_OK(lm_vspace_unmap(f));
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(t_wait(c, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_EFAULT);
}

TEST(bpf_wait_refuses_bad_arguments)
{
	volatile lm_u64 *pg = page();
	lm_cptr_t p = t_bpf(LM_BPF_PROG_PREDICATE, first_word, NINSNS(first_word), 0);
	lm_cptr_t m = t_bpf(LM_BPF_PROG_MEM, never, NINSNS(never), 0);
	lm_cptr_t un = t_new(LM_OBJ_BPF, LM_BPF_MIN_BITS), n = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(pg && p && m && un && n);
	pg[0] = 0;
	lm_cptr_t nw = t_copy(n, LM_R_WRITE);
	CHECK(nw);
	CHECK_ERR(lm_bpf_wait(0, PAGE, n, 0), LM_ECAP);
	CHECK_ERR(lm_bpf_wait(n, PAGE, n, 0), LM_ETYPE);
	CHECK_ERR(lm_bpf_wait(un, PAGE, n, 0), LM_ESTATE);
	CHECK_ERR(lm_bpf_wait(m, PAGE, n, 0), LM_ETYPE);
	CHECK_ERR(lm_bpf_wait(p, 0, n, 0), LM_ERANGE);
	CHECK_ERR(lm_bpf_wait(p, T_KERNEL_ADDR, n, 0), LM_ERANGE);
	CHECK_ERR(lm_bpf_wait(p, PAGE + 8, n, 0), LM_EALIGN);
	CHECK_ERR(lm_bpf_wait(p, T_VA_PAGE(1), n, 0), LM_EFAULT);
	CHECK_ERR(lm_bpf_wait(p, PAGE, t_slot(), 0), LM_ECAP);
	CHECK_ERR(lm_bpf_wait(p, PAGE, p, 0), LM_ETYPE);
	CHECK_ERR(lm_bpf_wait(p, PAGE, nw, 0), LM_ERIGHTS);
}

/* More sleepers on one notification than a signal looks at (8): each
 * signal looks at those it reached least recently, so signals alone wake
 * them all; the lists stay consistent (the harness's DEBUG_CHECK). */
TEST(bpf_wait_many_sleepers_on_one_notification_all_wake)
{
	enum { N = 12 };
	volatile lm_u64 *pg = page();
	lm_cptr_t p = t_bpf(LM_BPF_PROG_PREDICATE, first_word, NINSNS(first_word), 0);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0), c[N];
	static struct sleep_args s[N];
	struct lm_thread_info ti;
	CHECK(pg && p && n);
	pg[0] = 0;
	for (int i = 0; i < N; i++) {
		s[i] = (struct sleep_args){ p, n, PAGE, 0 };
		c[i] = t_thread(sleeper, (lm_word_t)&s[i], T_PRIO);
		CHECK(c[i] && t_blocked(c[i]));
	}
	CHECK_OK(lm_ntfn_signal(n)); /* all still false: rotated */
	pg[0] = 11;
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(lm_ntfn_signal(n));
	for (int i = 0; i < N; i++) {
		CHECK_OK(t_wait(c[i], &ti));
		CHECK_EQ(ti.exit_code, 0x100 + LM_OK);
		CHECK_EQ(s[i].r0, 11);
	}
}
