/* Notifications: NTFN_SIGNAL/WAIT/POLL and THREAD_BIND_NOTIFY. */
#include "harness.h"

#define CN LM_SLOT_CNODE

static lm_cptr_t notification(void)
{
	return t_new(LM_OBJ_NOTIFY, 0);
}

static lm_cptr_t badged(lm_cptr_t n, lm_u64 badge)
{
	lm_cptr_t s = t_slot();

	if (s && lm_cnode_mint(CN, s, CN, n, LM_R_ALL, badge) != LM_OK) {
		t_fail(__FILE__, __LINE__, "mint failed");
		return 0;
	}
	return s;
}


static lm_word_t wait_word(lm_word_t n)
{
	lm_u64 w;
	int err = lm_ntfn_wait(n, &w);

	return err ? 0x100 + (lm_u64)err : w;
}

TEST(ntfn_signal_then_poll_returns_bit_0_and_clears)
{
	lm_cptr_t n = notification();
	lm_u64 w = 99;

	CHECK(n);
	CHECK_OK(lm_ntfn_poll(n, &w));
	CHECK_EQ(w, 0);
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(lm_ntfn_signal(n)); /* signals accumulate, not count */
	CHECK_OK(lm_ntfn_poll(n, &w));
	CHECK_EQ(w, 1);
	CHECK_OK(lm_ntfn_poll(n, &w));
	CHECK_EQ(w, 0);
}

TEST(ntfn_badged_signals_or_together)
{
	lm_cptr_t n = notification(), a, b;
	lm_u64 w;

	CHECK(n);
	a = badged(n, 0x1);
	b = badged(n, 0x40);
	CHECK(a && b);
	CHECK_OK(lm_ntfn_signal(a));
	CHECK_OK(lm_ntfn_signal(b));
	CHECK_OK(lm_ntfn_signal(b));
	CHECK_OK(lm_ntfn_poll(n, &w));
	CHECK_EQ(w, 0x41);
}

TEST(ntfn_wait_blocks_until_a_signal_comes)
{
	lm_cptr_t n = notification(), b, t;
	struct lm_thread_info ti;

	CHECK(n);
	b = badged(n, 0x800);
	CHECK(b);
	t = t_thread(wait_word, n, T_PRIO);
	CHECK(t && t_blocked(t));
	CHECK_OK(lm_ntfn_signal(b));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x800);
}

TEST(ntfn_wait_with_pending_bits_returns_at_once)
{
	lm_cptr_t n = notification(), b;
	lm_u64 w = 0;

	CHECK(n);
	b = badged(n, 0x6);
	CHECK(b);
	CHECK_OK(lm_ntfn_signal(b));
	CHECK_OK(lm_ntfn_wait(n, &w));
	CHECK_EQ(w, 0x6);
}

static lm_word_t wait_expect_error(lm_word_t n)
{
	return (lm_u64)lm_ntfn_wait(n, 0);
}

TEST(ntfn_signal_needs_write_wait_and_poll_need_read)
{
	lm_cptr_t n = notification(), ro, wo, t;
	struct lm_thread_info ti;
	lm_u64 w;

	CHECK(n);
	ro = t_copy(n, LM_R_READ);
	wo = t_copy(n, LM_R_WRITE);
	CHECK(ro && wo);
	CHECK_ERR(lm_ntfn_signal(ro), LM_ERIGHTS);
	CHECK_ERR(lm_ntfn_poll(wo, &w), LM_ERIGHTS);
	t = t_thread(wait_expect_error, wo, T_PRIO); /* a wrong success would block */
	CHECK(t);
	CHECK_OK(t_wait_ms(t, 2000, &ti));
	CHECK_EQ(ti.exit_code, LM_ERIGHTS);
	CHECK_OK(lm_ntfn_poll(ro, &w));
	CHECK_EQ(w, 0); /* the refused signal left nothing */
}

TEST(ntfn_calls_on_wrong_or_missing_caps_return_ETYPE_or_ECAP)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), e = t_slot(), n = notification();
	lm_u64 w;

	CHECK(ep && e && n);
	CHECK_ERR(lm_ntfn_signal(ep), LM_ETYPE);
	CHECK_ERR(lm_ntfn_wait(ep, &w), LM_ETYPE);
	CHECK_ERR(lm_ntfn_poll(ep, &w), LM_ETYPE);
	CHECK_ERR(lm_ntfn_signal(e), LM_ECAP);
	CHECK_ERR(lm_ntfn_poll(e, &w), LM_ECAP);
	CHECK_ERR(lm_thread_bind_notify(LM_SLOT_TCB, ep), LM_ETYPE);
	CHECK_ERR(lm_thread_bind_notify(n, n), LM_ETYPE);
	CHECK_ERR(lm_thread_bind_notify(LM_SLOT_TCB, e), LM_ECAP);
}

static lm_word_t recv_on(lm_word_t ep)
{
	struct lm_msg m;
	int err = lm_ep_recv(ep, &m);

	if (err)
		return 0x100 + (lm_u64)err;
	return m.info & LM_MSG_NOTIFY ? m.badge : 0x200;
}

TEST(ntfn_signal_ends_a_bound_threads_receive)
{
	lm_cptr_t n = notification(), ep = t_new(LM_OBJ_ENDPOINT, 0), b, t = t_thread_new();
	struct lm_thread_info ti;

	CHECK(n && ep && t);
	b = badged(n, 0x10);
	CHECK(b);
	CHECK_OK(lm_thread_bind_notify(t, n));
	CHECK_OK(lm_thread_start(t, recv_on, ep, t_stack(), T_PRIO));
	CHECK(t_blocked(t));
	CHECK_OK(lm_ntfn_signal(b));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x10);
}

TEST(ntfn_pending_bits_come_first_on_receive)
{
	lm_cptr_t n = notification(), ep = t_new(LM_OBJ_ENDPOINT, 0), b;
	struct lm_msg m;

	CHECK(n && ep);
	b = badged(n, 0x3);
	CHECK(b);
	CHECK_OK(lm_thread_bind_notify(LM_SLOT_TCB, n));
	CHECK_OK(lm_ntfn_signal(b));
	CHECK_OK(lm_ep_recv(ep, &m)); /* returns at once with the bits */
	CHECK_OK(lm_thread_bind_notify(LM_SLOT_TCB, 0));
	CHECK(m.info & LM_MSG_NOTIFY);
	CHECK_EQ(m.badge, 0x3);
}

TEST(ntfn_bound_to_a_thread_already_receiving_ends_the_receive_with_its_bits)
{
	lm_cptr_t n = notification(), ep = t_new(LM_OBJ_ENDPOINT, 0), b, t = t_thread_new();
	struct lm_thread_info ti;

	CHECK(n && ep && t);
	b = badged(n, 0x24);
	CHECK(b);
	CHECK_OK(lm_thread_start(t, recv_on, ep, t_stack(), T_PRIO));
	CHECK(t_blocked(t));
	CHECK_OK(lm_ntfn_signal(b)); /* nobody bound yet: the bits are kept */
	CHECK_OK(lm_thread_bind_notify(t, n));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x24);
}

TEST(ntfn_binds_to_one_thread_at_a_time)
{
	lm_cptr_t n = notification(), m = notification(), a = t_thread_new(), b = t_thread_new();

	CHECK(n && m && a && b);
	CHECK_OK(lm_thread_bind_notify(a, n));
	CHECK_ERR(lm_thread_bind_notify(b, n), LM_ESTATE);
	CHECK_OK(lm_thread_bind_notify(a, m)); /* binding replaces: n is free */
	CHECK_OK(lm_thread_bind_notify(b, n));
	CHECK_OK(lm_thread_bind_notify(b, 0));
	CHECK_OK(lm_thread_bind_notify(a, 0));
	CHECK_OK(lm_thread_bind_notify(a, n));
}

TEST(ntfn_bind_needs_write_on_thread_and_read_on_notification)
{
	lm_cptr_t n = notification(), t = t_thread_new(), tro, nwo;

	CHECK(n && t);
	tro = t_copy(t, LM_R_READ);
	nwo = t_copy(n, LM_R_WRITE);
	CHECK(tro && nwo);
	CHECK_ERR(lm_thread_bind_notify(tro, n), LM_ERIGHTS);
	CHECK_ERR(lm_thread_bind_notify(t, nwo), LM_ERIGHTS);
	CHECK_OK(lm_thread_bind_notify(t, n));
}

TEST(ntfn_suspending_a_waiter_makes_its_wait_return_EINTR)
{
	lm_cptr_t n = notification(), t;
	struct lm_thread_info ti;

	CHECK(n);
	t = t_thread(wait_word, n, T_PRIO);
	CHECK(t && t_blocked(t));
	CHECK_OK(lm_thread_suspend(t));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_EINTR);
}

TEST(ntfn_destroyed_while_a_thread_waits_returns_EDELETED)
{
	lm_cptr_t n = notification(), t;
	struct lm_thread_info ti;

	CHECK(n);
	t = t_thread(wait_word, n, T_PRIO);
	CHECK(t && t_blocked(t));
	CHECK_OK(lm_cnode_delete(CN, n)); /* the last capability */
	CHECK_OK(t_wait_ms(t, 2000, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x100 + LM_EDELETED);
}
