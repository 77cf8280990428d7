/*
 * Red team, second round, part one: notifications and interrupts,
 * scheduling and priorities, suspension in a call's states (part two,
 * redteam2_fault.c: upcalls, reflection, pagers, the fast path, the
 * console server). Each test makes one attack a process can make with what it
 * holds and checks that the documented behaviour holds and the kernel
 * stays consistent (DEBUG_CHECK). Tests that passed when written are
 * regression guards; the report (docs/SECURITY.md) says which found a
 * defect.
 */
#include "redteam2.h"

/* ---- bound notifications in every thread state --------------------------- */

static lm_cptr_t g_ep, g_ep2, g_n;

/* Calls g_ep (blocks there: nobody receives yet), then receives on g_ep2,
 * where nobody sends: only a pending bound notification ends that. */
static lm_word_t call_then_recv(lm_word_t arg)
{
	struct lm_msg m;
	int err = lm_ep_call(g_ep, INFO(1, 0, 0), 0, 0, 0, 0, &m);

	if (err)
		return 0x1000 + (lm_u64)err;
	err = lm_ep_recv(g_ep2, &m);
	if (err)
		return 0x2000 + (lm_u64)err;
	return (m.info & LM_MSG_NOTIFY) ? m.badge : 0x3000;
}

TEST(bound_notification_signalled_while_its_thread_waits_in_a_call_is_kept_for_its_next_receive)
{
	struct lm_thread_info ti;
	struct lm_msg m;
	lm_cptr_t t;

	g_ep = t_new(LM_OBJ_ENDPOINT, 0);
	g_ep2 = t_new(LM_OBJ_ENDPOINT, 0);
	g_n = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(g_ep && g_ep2 && g_n);
	t = start(call_then_recv, 0, LOW, g_n);
	CHECK(t);
	t_sleep_until_idle(); /* blocked sending its call */
	CHECK_EQ(state_of(t), LM_TS_BLOCKED);
	CHECK_OK(lm_ntfn_signal(g_n));
	CHECK_EQ(state_of(t), LM_TS_BLOCKED); /* a send is not a receive */
	CHECK(sound());
	CHECK_OK(lm_ep_recv(g_ep, &m));       /* take the call: it waits for the reply */
	CHECK_OK(lm_ntfn_signal(g_n));
	CHECK_EQ(state_of(t), LM_TS_BLOCKED); /* nor is waiting for a reply */
	CHECK(sound());
	CHECK_OK(lm_ep_reply(INFO(0, 0, 0), 0, 0, 0, 0));
	CHECK_OK(settle(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 1); /* the word, at its next receive */
}

static lm_word_t recv_label(lm_word_t ep)
{
	struct lm_msg m;
	int err = lm_ep_recv(ep, &m);

	if (err)
		return 0x1000 + (lm_u64)err;
	return (m.info & LM_MSG_NOTIFY) ? 0x2000 + m.badge : LM_MSG_LABEL(m.info);
}

TEST(notification_deleted_while_its_bound_thread_receives_leaves_the_receive_waiting)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), n = t_new(LM_OBJ_NOTIFY, 0), t;
	struct lm_thread_info ti;

	CHECK(ep && n);
	t = start(recv_label, ep, LOW, n);
	CHECK(t);
	t_sleep_until_idle();
	CHECK_EQ(state_of(t), LM_TS_BLOCKED);
	CHECK_OK(lm_cnode_delete(CN, n)); /* its last capability: unbound, destroyed */
	CHECK_EQ(state_of(t), LM_TS_BLOCKED);
	CHECK(sound());
	CHECK_OK(lm_ep_send(ep, INFO(0x77, 0, 0), 0, 0, 0, 0));
	CHECK_OK(settle(t, &ti));
	CHECK_EQ(ti.exit_code, 0x77);
	CHECK(sound());
}

TEST(rebinding_or_deleting_a_bound_thread_frees_its_old_notification)
{
	lm_cptr_t n1 = t_new(LM_OBJ_NOTIFY, 0), n2 = t_new(LM_OBJ_NOTIFY, 0);
	lm_cptr_t t = t_thread_new(), u = t_thread_new(), v = t_thread_new();

	CHECK(n1 && n2 && t && u && v);
	CHECK_OK(lm_thread_bind_notify(t, n1));
	CHECK_ERR(lm_thread_bind_notify(u, n1), LM_ESTATE);
	CHECK_OK(lm_thread_bind_notify(t, n1)); /* again: no change */
	CHECK_OK(lm_thread_bind_notify(t, n2)); /* replaces: n1 is free */
	CHECK_OK(lm_thread_bind_notify(u, n1));
	CHECK_ERR(lm_thread_bind_notify(v, n2), LM_ESTATE);
	CHECK(sound());
	CHECK_OK(lm_cnode_delete(CN, t)); /* t destroyed while bound */
	CHECK_OK(lm_thread_bind_notify(v, n2));
	CHECK_OK(lm_thread_bind_notify(u, 0));
	CHECK_OK(lm_thread_bind_notify(v, n1));
	CHECK(sound());
}

static lm_word_t wait_then_poll(lm_word_t n)
{
	lm_u64 w = 0, p = 0;

	if (lm_ntfn_wait(n, &w) || lm_ntfn_poll(n, &p))
		return 0xdead;
	return w | p << 16;
}

TEST(thread_waiting_on_its_own_bound_notification_takes_each_signal_once)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0), b = t_slot(), t;
	struct lm_thread_info ti;

	CHECK(n && b);
	CHECK_OK(lm_cnode_mint(CN, b, CN, n, LM_R_ALL, 0x30));
	t = start(wait_then_poll, n, LOW, n);
	CHECK(t);
	t_sleep_until_idle();
	CHECK_EQ(state_of(t), LM_TS_BLOCKED);
	CHECK_OK(lm_ntfn_signal(b));
	CHECK_OK(settle(t, &ti));
	CHECK_EQ(ti.exit_code, 0x30);
	CHECK(sound());
}

TEST(waiters_on_a_bound_notification_are_served_before_its_receiving_thread)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), n = t_new(LM_OBJ_NOTIFY, 0), w, r;
	struct lm_thread_info ti;

	CHECK(ep && n);
	w = start(wait_then_poll, n, LOW, 0);
	r = start(recv_label, ep, LOW, n);
	CHECK(w && r);
	t_sleep_until_idle();
	CHECK_EQ(state_of(w), LM_TS_BLOCKED);
	CHECK_EQ(state_of(r), LM_TS_BLOCKED);
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(settle(w, &ti));
	CHECK_EQ(ti.exit_code, 1);
	CHECK_EQ(state_of(r), LM_TS_BLOCKED);
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(settle(r, &ti));
	CHECK_EQ(ti.exit_code, 0x2001);
	CHECK(sound());
}

/* ---- interrupt lines whose notification or capability goes away ---------- */

#define SPARE_LINE 5
#define PIT_LINE   2

static void irq_off(lm_cptr_t irq)
{
	t_pit_run(0);
	lm_irq_set_notify(irq, 0);
	lm_cnode_delete(CN, irq);
}

/* The line keeps only a pointer to its notification: destroying the
 * notification must leave the line with none (no signal to freed memory),
 * and binding a new one must work. */
TEST(irq_notification_destroyed_while_bound_leaves_the_line_silent_until_rebound)
{
	lm_cptr_t irq = t_slot(), n1 = t_new(LM_OBJ_NOTIFY, 0), n2 = t_new(LM_OBJ_NOTIFY, 0);
	lm_u64 got;

	if (!t_pit_free())
		return;
	CHECK(irq && n1 && n2);
	CHECK_OK(lm_irq_claim(CTL, PIT_LINE, CN, irq));
	CHECK_OK(lm_irq_set_notify(irq, n1));
	CHECK_OK(lm_cnode_delete(CN, n1));
	CHECK_OK(t_pit_run(1));
	for (int i = 0; i < 50; i++) /* any edge now has no notification */
		CHECK_OK(lm_irq_ack(irq));
	(void)t_poll_for(n2, 20);
	CHECK(sound());
	CHECK_OK(lm_irq_set_notify(irq, n2));
	CHECK_OK(lm_irq_ack(irq));
	got = t_poll_for(n2, 10000);
	irq_off(irq);
	CHECK_EQ(got, 1);
	CHECK(sound());
}

/* Rebinding moves the line: the old notification hears nothing more. */
TEST(irq_rebound_to_another_notification_signals_only_the_new_one)
{
	lm_cptr_t irq = t_slot(), n1 = t_new(LM_OBJ_NOTIFY, 0), n2 = t_new(LM_OBJ_NOTIFY, 0);
	lm_u64 got, old;

	if (!t_pit_free())
		return;
	CHECK(irq && n1 && n2);
	CHECK_OK(lm_irq_claim(CTL, PIT_LINE, CN, irq));
	CHECK_OK(lm_irq_set_notify(irq, n1));
	CHECK_OK(lm_irq_set_notify(irq, n2));
	CHECK_OK(t_pit_run(1));
	got = t_poll_for(n2, 10000);
	CHECK_OK(lm_ntfn_poll(n1, &old));
	irq_off(irq);
	CHECK_EQ(got, 1);
	CHECK_EQ(old, 0);
}

/* An interrupt is delivered and not acknowledged (the line is masked);
 * the capability is deleted: the line is free, a new claim of it starts
 * unbound and masked, and acknowledging without a pending interrupt is
 * harmless. */
TEST(irq_capability_deleted_while_its_interrupt_is_unacknowledged_frees_the_line)
{
	lm_cptr_t irq = t_slot(), again = t_slot(), moved = t_slot(), n = t_new(LM_OBJ_NOTIFY, 0);
	lm_u64 first, none, second;

	if (!t_pit_free())
		return;
	CHECK(irq && again && moved && n);
	CHECK_OK(lm_irq_claim(CTL, PIT_LINE, CN, irq));
	CHECK_OK(lm_irq_set_notify(irq, n));
	CHECK_OK(t_pit_run(1));
	first = t_poll_for(n, 10000);
	CHECK_OK(lm_cnode_delete(CN, irq)); /* masked, unacknowledged */
	CHECK_OK(lm_irq_claim(CTL, PIT_LINE, CN, again));
	CHECK_OK(lm_irq_ack(again)); /* unbound: no effect */
	CHECK_OK(lm_ntfn_poll(n, &none));
	none = t_poll_for(n, 20);      /* masked and unbound: nothing can come */
	CHECK_OK(lm_cnode_move(CN, moved, CN, again));
	CHECK_ERR(lm_irq_ack(again), LM_ECAP);
	CHECK_OK(lm_irq_set_notify(moved, n));
	for (int i = 0; i < 3; i++)
		CHECK_OK(lm_irq_ack(moved));
	second = t_poll_for(n, 10000);
	irq_off(moved);
	CHECK_EQ(first, 1);
	CHECK_EQ(none, 0);
	CHECK_EQ(second, 1);
	CHECK(sound());
}

TEST(irq_ack_and_set_notify_on_an_idle_line_many_times_stay_consistent)
{
	lm_cptr_t irq = t_slot(), n = t_new(LM_OBJ_NOTIFY, 0), b = t_slot();

	CHECK(irq && n && b);
	CHECK_OK(lm_cnode_mint(CN, b, CN, n, LM_R_ALL, 1ull << 63));
	CHECK_OK(lm_irq_claim(CTL, SPARE_LINE, CN, irq));
	for (int i = 0; i < 100; i++) {
		CHECK_OK(lm_irq_ack(irq));
		CHECK_OK(lm_irq_set_notify(irq, i & 1 ? b : n));
		CHECK_OK(lm_irq_ack(irq));
		if (i % 10 == 0)
			CHECK_OK(lm_irq_set_notify(irq, 0));
	}
	CHECK_OK(lm_cnode_delete(CN, b));
	CHECK_OK(lm_irq_ack(irq));
	CHECK_OK(lm_cnode_delete(CN, irq));
	CHECK(sound());
}

/* ---- priorities of threads that wait --------------------------------- */

static lm_word_t send_label(lm_word_t label)
{
	return (lm_word_t)lm_ep_send(g_ep, INFO(label, 0, 0), 0, 0, 0, 0);
}

TEST(changing_the_priority_of_blocked_senders_reorders_the_endpoint_queue)
{
	lm_cptr_t s[4];
	struct lm_msg m;

	g_ep = t_new(LM_OBJ_ENDPOINT, 0);
	CHECK(g_ep);
	for (int i = 0; i < 4; i++) {
		s[i] = start(send_label, (lm_word_t)i + 1, 50, 0);
		CHECK(s[i]);
		t_sleep_until_idle(); /* queued in this order: 1 2 3 4 */
	}
	CHECK_OK(lm_thread_set_priority(s[3], 90));  /* 4 to the front */
	CHECK_OK(lm_thread_set_priority(s[0], 0));   /* 1 to the back, priority 0 */
	CHECK_OK(lm_thread_set_priority(s[2], 50));  /* 3 unchanged: keeps its place */
	CHECK_ERR(lm_thread_set_priority(s[1], 256), LM_ERANGE);
	CHECK_ERR(lm_thread_set_priority(s[1], 255), LM_ERIGHTS);
	CHECK(sound());
	lm_u64 want[4] = { 4, 2, 3, 1 };
	for (int i = 0; i < 4; i++) {
		CHECK_OK(lm_ep_recv(g_ep, &m));
		CHECK_EQ(LM_MSG_LABEL(m.info), want[i]);
	}
	CHECK(sound());
}

TEST(raising_a_notification_waiters_priority_makes_it_the_one_woken)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0), w1, w2;
	struct lm_thread_info ti;

	CHECK(n);
	w1 = start(wait_then_poll, n, 40, 0);
	CHECK(w1);
	t_sleep_until_idle();
	w2 = start(wait_then_poll, n, 40, 0);
	CHECK(w2);
	t_sleep_until_idle();
	CHECK_OK(lm_thread_set_priority(w2, 60));
	CHECK(sound());
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(settle(w2, &ti));
	CHECK_EQ(ti.exit_code, 1);
	CHECK_EQ(state_of(w1), LM_TS_BLOCKED);
	CHECK_OK(lm_thread_set_priority(w1, T_WAKER_PRIO + 1)); /* alone on the queue */
	CHECK(sound());
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(settle(w1, &ti));
	CHECK_EQ(ti.exit_code, 1);
}


static lm_word_t exit_at_once(lm_word_t arg)
{
	return arg;
}

TEST(yield_to_a_thread_that_cannot_run_returns_ESTATE_and_to_itself_returns)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), blocked, faulted, exited, fresh, gone;
	struct lm_thread_info ti;

	CHECK(ep);
	blocked = start(recv_label, ep, LOW, 0);
	faulted = start(do_ud2, 0, LOW, 0);
	exited = start(exit_at_once, 5, LOW, 0);
	fresh = t_thread_new();
	gone = t_thread_new();
	CHECK(blocked && faulted && exited && fresh && gone);
	t_sleep_until_idle();
	CHECK_OK(settle(faulted, &ti));
	CHECK_OK(settle(exited, &ti));
	CHECK_ERR(lm_thread_yield_to(blocked), LM_ESTATE);
	CHECK_ERR(lm_thread_yield_to(faulted), LM_ESTATE);
	CHECK_ERR(lm_thread_yield_to(exited), LM_ESTATE);
	CHECK_ERR(lm_thread_yield_to(fresh), LM_ESTATE);
	CHECK_OK(lm_cnode_delete(CN, gone));
	CHECK_ERR(lm_thread_yield_to(gone), LM_ECAP);
	CHECK_OK(lm_thread_yield_to(LM_SLOT_TCB));
	CHECK_OK(lm_thread_suspend(blocked)); /* its receive ends: EINTR */
	CHECK_ERR(lm_thread_yield_to(blocked), LM_ESTATE);
	CHECK(sound());
}

/* ---- suspension in the states of a call ------------------------------- */

static lm_word_t call_g_ep(lm_word_t arg)
{
	struct lm_msg m;

	return (lm_word_t)lm_ep_call(g_ep, INFO(arg, 0, 0), 0, 0, 0, 0, &m);
}

/* Receives one call, then waits on g_n: it owes the reply meanwhile. */
static lm_word_t owe_a_reply(lm_word_t arg)
{
	struct lm_msg m;
	lm_u64 w;

	(void)arg;
	if (lm_ep_recv(g_ep, &m))
		return 1;
	lm_ntfn_wait(g_n, &w);
	return (lm_word_t)lm_ep_reply(INFO(0, 0, 0), 0, 0, 0, 0);
}

TEST(suspending_a_caller_while_it_sends_or_waits_for_the_reply_ends_its_call_with_EINTR)
{
	lm_cptr_t c1, c2;
	struct lm_thread_info ti;
	struct lm_msg m;

	g_ep = t_new(LM_OBJ_ENDPOINT, 0);
	CHECK(g_ep);
	c1 = start(call_g_ep, 1, LOW, 0);
	CHECK(c1);
	t_sleep_until_idle();
	CHECK_EQ(state_of(c1), LM_TS_BLOCKED); /* sending */
	CHECK_OK(lm_thread_suspend(c1));
	CHECK(sound());
	CHECK_OK(lm_thread_resume(c1));
	CHECK_OK(settle(c1, &ti));
	CHECK_EQ(ti.exit_code, LM_EINTR);

	c2 = start(call_g_ep, 2, LOW, 0);
	CHECK(c2);
	t_sleep_until_idle();
	CHECK_OK(lm_ep_recv(g_ep, &m)); /* c2 now waits for our reply */
	CHECK_OK(lm_thread_suspend(c2));
	CHECK_ERR(lm_ep_reply(INFO(0, 0, 0), 0, 0, 0, 0), LM_ESTATE);
	CHECK(sound());
	CHECK_OK(lm_thread_resume(c2));
	CHECK_OK(settle(c2, &ti));
	CHECK_EQ(ti.exit_code, LM_EINTR);
}

TEST(suspending_or_destroying_a_server_that_owes_a_reply_is_seen_by_its_caller)
{
	lm_cptr_t s, c;
	struct lm_thread_info ti;

	g_ep = t_new(LM_OBJ_ENDPOINT, 0);
	g_n = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(g_ep && g_n);
	s = start(owe_a_reply, 0, LOW, 0);
	c = start(call_g_ep, 3, LOW - 1, 0);
	CHECK(s && c);
	t_sleep_until_idle();
	CHECK_EQ(state_of(s), LM_TS_BLOCKED); /* in its notification wait, owing */
	CHECK_EQ(state_of(c), LM_TS_BLOCKED); /* waiting for the reply */
	CHECK_OK(lm_thread_suspend(s));       /* it still owes it */
	CHECK_EQ(state_of(c), LM_TS_BLOCKED);
	CHECK(sound());
	CHECK_OK(lm_cnode_delete(CN, s));     /* now nobody does */
	CHECK_OK(settle(c, &ti));
	CHECK_EQ(ti.exit_code, LM_EDELETED);
	CHECK(sound());
}

