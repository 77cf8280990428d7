/*
 * Red team, second round: notifications and interrupts, scheduling and
 * priorities, upcalls and reflection at the edges of user space, faults to
 * pagers. Each test makes one attack a process can make with what it
 * holds and checks that the documented behaviour holds and the kernel
 * stays consistent (DEBUG_CHECK). Tests that passed when written are
 * regression guards; the report (docs/SECURITY.md) says which found a
 * defect.
 */
#include <lamina/exception.h>
#include "harness.h"

#define CN   LM_SLOT_CNODE
#define VS   LM_SLOT_VSPACE
#define CTL  LM_SLOT_IRQCTL
#define IO   LM_SLOT_IOPORT
#define RW   (LM_R_READ | LM_R_WRITE)
#define INFO LM_MSG_INFO

#define LOW  (T_PRIO - 1) /* below ktest: runs when ktest sleeps */

static int sound(void)
{
	lm_u64 problems = 1;

	return lm_debug_check(&problems) == LM_OK && problems == 0;
}

/* A thread of ktest at fn(arg), priority prio, bound to ntfn (0: none),
 * started. */
static lm_cptr_t start(lm_thread_fn fn, lm_word_t arg, lm_u32 prio, lm_cptr_t ntfn)
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
static int settle(lm_cptr_t t, struct lm_thread_info *ti)
{
	t_sleep_until_idle();
	return t_wait(t, ti);
}

static lm_u32 state_of(lm_cptr_t t)
{
	struct lm_thread_info ti = { 0 };

	if (lm_thread_info(t, &ti))
		return 0xdead;
	return ti.state;
}

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

static lm_word_t do_ud2(lm_word_t arg)
{
	(void)arg;
	__asm__ volatile("ud2");
	return 0;
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

/* ---- upcalls at the edges of user space ---------------------------------- */

/* Handler: exit with the frame's vector. */
__attribute__((naked)) static void exit_with_vector(void)
{
	__asm__ volatile("mov (%%rdi), %%rdi\n"
			 "	mov %0, %%eax\n"
			 "	syscall\n"
			 "	ud2\n"
			 :: "i"(LM_SYS_THREAD_EXIT));
}

/* rsp = rdi, then ud2. */
__attribute__((naked)) static void ud2_with_rsp(void)
{
	__asm__ volatile("mov %rdi, %rsp\n"
			 "	ud2\n");
}

static lm_cptr_t upcall_thread(lm_u64 rsp, lm_u64 top, lm_u64 size)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r = { 0 };

	if (!t)
		return 0;
	r.rip = (lm_u64)(void *)ud2_with_rsp;
	r.rdi = rsp;
	r.rsp = rsp;
	r.rflags = 0x202;
	if (lm_thread_write_regs(t, &r) ||
	    lm_thread_set_exception(t, (lm_u64)(void *)exit_with_vector, top, size) ||
	    lm_thread_set_priority(t, LOW) || lm_thread_resume(t)) {
		t_fail(__FILE__, __LINE__, "starting the thread");
		return 0;
	}
	return t;
}

/*
 * An exception stack at the very bottom of user space, and a thread whose
 * rsp lies just below 128 when it faults: within a page of the stack, so
 * the fault counts as nested and the frame would go below rsp - 128, an
 * address that wraps around to the top of the address space. The kernel
 * must not write there (it is its own half): the thread stops with
 * LM_FAULT_EXC_STACK.
 */
TEST(exception_stack_at_the_bottom_of_user_space_with_rsp_near_zero_stops_only_the_thread)
{
	lm_cptr_t f = t_new(LM_OBJ_FRAME, LM_PAGE_BITS), t;
	struct lm_thread_info ti;
	int err;

	CHECK(f);
	err = lm_map_page(VS, f, LM_USER_MIN, RW);
	if (err == LM_EEXIST) {
		t_note("something is mapped at %#llx already: not tried", LM_USER_MIN);
		return;
	}
	CHECK_OK(err);
	for (lm_u64 rsp = 0; rsp < 0x100; rsp += 0x38) {
		t = upcall_thread(rsp, LM_USER_MIN + LM_PAGE_SIZE, LM_PAGE_SIZE);
		CHECK(t);
		CHECK_OK(settle(t, &ti));
		if (rsp == 0) { /* a page below the stack: not nested, from its top */
			CHECK_EQ(ti.state, LM_TS_EXITED);
			CHECK_EQ(ti.exit_code, LM_FAULT_UD);
		} else {        /* nested, and no room below rsp - 128 */
			CHECK_EQ(ti.state, LM_TS_FAULTED);
			CHECK_EQ(ti.fault_kind, LM_FAULT_EXC_STACK);
			CHECK_EQ(ti.fault_error, LM_FAULT_UD);
		}
		CHECK(sound());
	}
	CHECK_OK(lm_vspace_unmap(f));
}

/* The last page of user space as exception stack, its top exactly
 * LM_USER_MAX: the frame goes there and the handler runs. Tops and sizes
 * past the end, wrapping or too small are refused. */
TEST(exception_stack_ending_exactly_at_LM_USER_MAX_works_and_past_it_is_refused)
{
	lm_cptr_t f = t_new(LM_OBJ_FRAME, LM_PAGE_BITS), t, u = t_thread_new();
	lm_u64 top = LM_USER_MAX, entry = (lm_u64)(void *)exit_with_vector;
	struct lm_thread_info ti;

	CHECK(f && u);
	CHECK_OK(lm_map_page(VS, f, LM_USER_MAX - LM_PAGE_SIZE, RW));
	CHECK_ERR(lm_thread_set_exception(u, entry, top + 16, 4096), LM_ERANGE);
	CHECK_ERR(lm_thread_set_exception(u, entry, top, top - LM_USER_MIN + 16), LM_ERANGE);
	CHECK_ERR(lm_thread_set_exception(u, entry, top, ~0ull - 15), LM_ERANGE);
	CHECK_ERR(lm_thread_set_exception(u, entry, top, sizeof(struct lm_exc_frame)), LM_ERANGE);
	CHECK_ERR(lm_thread_set_exception(u, entry, top - 8, 4096), LM_EALIGN);
	CHECK_ERR(lm_thread_set_exception(u, LM_USER_MAX, top, 4096), LM_ERANGE);
	CHECK_OK(lm_thread_set_exception(u, entry, top, top - LM_USER_MIN));
	/* A fault on its own stack's top page: the handler runs there. */
	t = upcall_thread((lm_u64)t_stack(), top, LM_PAGE_SIZE);
	CHECK(t);
	CHECK_OK(settle(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, LM_FAULT_UD);
	/* rsp at LM_USER_MAX itself (nested): the frame goes below it. */
	t = upcall_thread(top, top, LM_PAGE_SIZE);
	CHECK(t);
	CHECK_OK(settle(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, LM_FAULT_UD);
	CHECK_OK(lm_vspace_unmap(f));
	CHECK(sound());
}

/* ---- reflection with hostile flags and at the top of user space -------- */

/* Foreign entry: exit with the caller's flags (r11) and ours or'ed in at
 * bit 32 and up. */
__attribute__((naked)) static void foreign_report_flags(void)
{
	__asm__ volatile("pushfq\n"
			 "	pop %%rdi\n"
			 "	shl $32, %%rdi\n"
			 "	or %%r11, %%rdi\n"
			 "	mov %0, %%eax\n"
			 "	syscall\n"
			 "	ud2\n"
			 :: "i"(LM_SYS_THREAD_EXIT));
}

/* A Linux-numbered call (39, getpid) made with TF and DF set. */
__attribute__((naked)) static void linux_call_with_tf_df(void)
{
	__asm__ volatile("mov $39, %eax\n"
			 "	pushfq\n"
			 "	orq $0x500, (%rsp)\n"
			 "	popfq\n"
			 "	syscall\n"
			 "	ud2\n");
}

__attribute__((naked)) static void linux_call(void)
{
	__asm__ volatile("mov $60, %eax\n"
			 "	syscall\n"
			 "	ud2\n");
}

static lm_cptr_t foreign_thread(void (*code)(void), lm_u64 entry)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r = { 0 };

	if (!t)
		return 0;
	r.rip = (lm_u64)(void *)code;
	r.rsp = (lm_u64)t_stack();
	r.rflags = 0x202;
	if (lm_thread_write_regs(t, &r) || lm_thread_set_foreign(t, entry) ||
	    lm_thread_set_priority(t, LOW) || lm_thread_resume(t)) {
		t_fail(__FILE__, __LINE__, "starting the thread");
		return 0;
	}
	return t;
}

TEST(reflected_call_made_with_tf_and_df_set_enters_the_library_os_with_both_clear)
{
	lm_cptr_t t = foreign_thread(linux_call_with_tf_df, (lm_u64)(void *)foreign_report_flags);
	struct lm_thread_info ti;

	CHECK(t);
	CHECK_OK(settle(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code & 0x500, 0x500);           /* r11: the caller's TF, DF */
	CHECK_EQ((ti.exit_code >> 32) & 0x40500, 0);     /* the entry's: TF, DF, AC clear */
	CHECK(sound());
}

TEST(foreign_entry_in_the_last_user_page_faults_there_and_past_it_is_refused)
{
	lm_cptr_t u = t_thread_new(), t;
	struct lm_thread_info ti;

	CHECK(u);
	CHECK_ERR(lm_thread_set_foreign(u, LM_USER_MAX), LM_ERANGE);
	CHECK_ERR(lm_thread_set_foreign(u, LM_USER_MIN - 1), LM_ERANGE);
	CHECK_ERR(lm_thread_set_foreign(u, ~0ull), LM_ERANGE);
	t = foreign_thread(linux_call, LM_USER_MAX - 1);
	CHECK(t);
	CHECK_OK(settle(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_rip, LM_USER_MAX - 1);
	CHECK(sound());
}

/* ---- faults to pagers -------------------------------------------------- */

#define RESUME_AT LM_MSG_INFO(LM_FAULT_RESUME_AT, 1, 0)

static lm_cptr_t paged(lm_thread_fn fn, lm_word_t arg, lm_cptr_t ep, lm_u32 prio)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r;

	if (!t || lm_thread_set_fault_ep(t, ep))
		return 0;
	lm_thread_regs(&r, fn, arg, t_stack());
	if (lm_thread_write_regs(t, &r) || lm_thread_set_priority(t, prio) ||
	    lm_thread_resume(t))
		return 0;
	return t;
}

/* A thread whose fault endpoint has no receiver (it would be its own
 * pager): it waits, can be suspended (the fault is withdrawn), faults
 * again when resumed, and is destroyed cleanly; the endpoint then too. */
TEST(thread_that_is_its_own_pager_waits_and_can_be_suspended_and_destroyed)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), t;

	CHECK(ep);
	t = paged(do_ud2, 0, ep, LOW);
	CHECK(t);
	t_sleep_until_idle();
	CHECK_EQ(state_of(t), LM_TS_BLOCKED);
	CHECK_OK(lm_thread_suspend(t));
	CHECK_EQ(state_of(t), LM_TS_INACTIVE);
	CHECK(sound());
	CHECK_OK(lm_thread_resume(t));
	t_sleep_until_idle();
	CHECK_EQ(state_of(t), LM_TS_BLOCKED);
	CHECK_OK(lm_cnode_delete(CN, t));
	CHECK(sound());
	CHECK_OK(lm_cnode_delete(CN, ep));
	CHECK(sound());
}

TEST(fault_endpoint_destroyed_while_a_fault_is_queued_stops_the_thread_with_PAGER_GONE)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), t;
	struct lm_thread_info ti;

	CHECK(ep);
	t = paged(do_ud2, 0, ep, LOW);
	CHECK(t);
	t_sleep_until_idle();
	CHECK_EQ(state_of(t), LM_TS_BLOCKED);
	CHECK_OK(lm_thread_set_fault_ep(t, 0)); /* its own copy goes; the fault stays queued */
	CHECK_EQ(state_of(t), LM_TS_BLOCKED);
	CHECK_OK(lm_cnode_delete(CN, ep));      /* the last capability */
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PAGER_GONE);
	CHECK_EQ(ti.fault_error, LM_FAULT_UD);
	CHECK(sound());
}

static lm_word_t ud2_then_return_7(lm_word_t arg)
{
	(void)arg;
	__asm__ volatile("ud2");
	return 7;
}

/* ktest, bound to a notification with bits pending, is the pager: the
 * receive gives the notification first, then the fault; the answers at
 * the edges of user space are checked. */
TEST(pager_with_a_bound_notification_pending_gets_it_first_and_resume_at_edges_are_checked)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), n = t_new(LM_OBJ_NOTIFY, 0), t, t2;
	struct lm_thread_info ti;
	struct lm_msg m;

	CHECK(ep && n);
	t = paged(ud2_then_return_7, 0, ep, LOW);
	CHECK(t);
	t_sleep_until_idle(); /* its fault is queued on ep */
	CHECK_OK(lm_thread_bind_notify(LM_SLOT_TCB, n));
	CHECK_OK(lm_ntfn_signal(n));
	int err = lm_ep_recv(ep, &m);
	lm_thread_bind_notify(LM_SLOT_TCB, 0);
	CHECK_OK(err);
	CHECK(m.info & LM_MSG_NOTIFY);
	CHECK_EQ(m.badge, 1);
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), LM_FAULT_MSG);
	CHECK_EQ(m.w[0], LM_FAULT_UD);
	/* The last byte of user space: it faults there and asks again. */
	CHECK_OK(lm_ep_reply(RESUME_AT, LM_USER_MAX - 1, 0, 0, 0));
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), LM_FAULT_MSG);
	CHECK_EQ(m.w[0], LM_FAULT_PF);
	CHECK_EQ(m.w[3], LM_USER_MAX - 1);
	/* Past it: refused, the thread stops. */
	CHECK_OK(lm_ep_reply(RESUME_AT, LM_USER_MAX, 0, 0, 0));
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PAGER_REPLY);
	/* Below LM_USER_MIN, and a non-canonical address: refused too. */
	t2 = paged(ud2_then_return_7, 0, ep, LOW);
	CHECK(t2);
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_OK(lm_ep_reply(RESUME_AT, LM_USER_MIN - 1, 0, 0, 0));
	CHECK_OK(lm_thread_info(t2, &ti));
	CHECK_EQ(ti.fault_kind, LM_FAULT_PAGER_REPLY);
	CHECK_OK(lm_thread_write_regs(t2, &(struct lm_regs){ .rip = (lm_u64)(void *)ud2_then_return_7,
							    .rsp = (lm_u64)t_stack(), .rflags = 0x202 }));
	CHECK_OK(lm_thread_resume(t2));
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_OK(lm_ep_reply(RESUME_AT, 1ull << 47, 0, 0, 0));
	CHECK_OK(lm_thread_info(t2, &ti));
	CHECK_EQ(ti.fault_kind, LM_FAULT_PAGER_REPLY);
	CHECK(sound());
}

/* ---- the fast path against the general path, with a bound notification -- */

#define NROUNDS 6

struct regs7 {
	lm_u64 rax, out[LM_SYS_NOUT];
};

static struct regs7 srv_seen[2][NROUNDS], cli_seen[2][NROUNDS];
static int run_no;

/*
 * A server bound to g_n: it signals g_n itself (so a notification is
 * pending) before every other reply-receive, which then replies and
 * returns the notification at once; the general path has to do that,
 * the fast path must decline. Everything each side sees is recorded.
 */
static lm_word_t bound_server(lm_word_t arg)
{
	struct regs7 r;
	int i = 0;

	(void)arg;
	r.rax = lm_syscall6(LM_SYS_EP_RECV, g_ep, 0, 0, 0, 0, 0, r.out);
	while (i < NROUNDS && r.rax == LM_OK) {
		if (r.out[1] & LM_MSG_NOTIFY) { /* the notification: receive again */
			r.rax = lm_syscall6(LM_SYS_EP_RECV, g_ep, 0, 0, 0, 0, 0, r.out);
			continue;
		}
		srv_seen[run_no][i] = r;
		if (i & 1)
			lm_ntfn_signal(g_n);
		lm_u64 nr = i < NROUNDS - 1 ? LM_SYS_EP_REPLY_RECV : LM_SYS_EP_REPLY;
		r.rax = lm_syscall6(nr, g_ep, INFO(i + 1, 2, 0), r.out[2] + 1, r.out[3] + 2, 0, 0,
				    r.out);
		i++;
	}
	return 0;
}

static void bound_run(int n)
{
	struct lm_thread_info ti;
	lm_cptr_t s;

	run_no = n;
	s = start(bound_server, 0, T_PRIO, g_n);
	CHECK(s);
	for (int i = 0; i < NROUNDS; i++) {
		struct regs7 *r = &cli_seen[n][i];
		r->rax = lm_syscall6(LM_SYS_EP_CALL, g_ep, INFO(i, 2, 0), i * 3, i * 5, 0, 0, r->out);
	}
	CHECK_OK(t_wait(s, &ti));
	CHECK_OK(lm_thread_bind_notify(s, 0));
}

TEST(fastpath_reply_recv_with_a_bound_notification_pending_matches_the_general_path)
{
	lm_u64 out[LM_SYS_NOUT], hits0, hits1, hits2;

	g_ep = t_new(LM_OBJ_ENDPOINT, 0);
	g_n = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(g_ep && g_n);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	hits0 = out[1];
	bound_run(0);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 0, 0, 0, 0, 0, out), LM_OK);
	hits1 = out[1];
	bound_run(1);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	hits2 = out[1];
	CHECK(hits1 > hits0);
	CHECK_EQ(hits2, hits1);
	for (int i = 0; i < NROUNDS; i++) {
		CHECK_EQ(cli_seen[0][i].rax, LM_OK);
		CHECK_EQ(cli_seen[1][i].rax, LM_OK);
		CHECK_EQ(srv_seen[0][i].rax, LM_OK);
		for (int k = 0; k < LM_SYS_NOUT; k++) {
			CHECK_EQ(cli_seen[0][i].out[k], cli_seen[1][i].out[k]);
			CHECK_EQ(srv_seen[0][i].out[k], srv_seen[1][i].out[k]);
		}
		CHECK_EQ(LM_MSG_LABEL(cli_seen[0][i].out[1]), i + 1);
		CHECK_EQ(cli_seen[0][i].out[2], i * 3 + 1);
	}
	CHECK(sound());
}

/* ---- the console server as attack surface -------------------------------- */

/*
 * What a program can send the console through the output endpoint it is
 * given: unknown operations, lengths past 32, long messages, capabilities
 * attached, plain sends that want no reply, and fault messages (its
 * output endpoint made a thread's fault endpoint). The console answers
 * each as documented, keeps none of our capabilities, stops the faulting
 * thread (its reply is not a pager's answer) and goes on serving.
 */
TEST(console_server_survives_malformed_requests_capabilities_and_fault_messages)
{
	lm_cptr_t con = LM_SLOT_CONSOLE, f = t_new(LM_OBJ_FRAME, LM_PAGE_BITS), t;
	struct lm_thread_info ti;
	struct lm_msg m;

	CHECK(f);
	/* WRITE of "255" bytes: cut to 32. */
	CHECK_OK(lm_ep_call(con, INFO(CON_LABEL(CON_WRITE, 255), 4, 0), 0x0a2e2e2e2e2e2e2eull,
			    0x2e2e2e2e2e2e2e2eull, 0x2e2e2e2e2e2e2e2eull, 0x0a2e2e2e2e2e2e2eull, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), CON_LABEL(CON_OK, 32));
	/* Unknown operations, with high label bits. */
	CHECK_OK(lm_ep_call(con, INFO(0xff, 0, 0), 0, 0, 0, 0, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), CON_EBADREQ);
	CHECK_OK(lm_ep_call(con, INFO(0xffffffff0000ull | CON_WRITE, 0, 0), 0, 0, 0, 0, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), CON_OK); /* op WRITE, n 0: nothing written */
	/* 64 words and a capability: the words past 4 and the capability
	 * stay ours (no IPC buffer there, no GRANT on our capability). */
	CHECK_OK(lm_ep_call(con, INFO(CON_EBADREQ + 7, 64, 1) | LM_MSG_MOVE, 0, 0, 0, 0, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), CON_EBADREQ);
	CHECK_EQ(t_type(f), LM_OBJ_FRAME);
	/* A send that wants no reply, of each kind. */
	CHECK_OK(lm_ep_send(con, INFO(CON_READ, 0, 0), 0, 0, 0, 0));
	CHECK_OK(lm_ep_send(con, INFO(CON_LABEL(CON_WRITE, 1), 1, 0), '\n', 0, 0, 0));
	/* Its output endpoint as a thread's fault endpoint. */
	t = t_thread_new();
	CHECK(t);
	CHECK_OK(lm_thread_set_fault_ep(t, con));
	{
		struct lm_regs r;
		lm_thread_regs(&r, do_ud2, 0, t_stack());
		CHECK_OK(lm_thread_write_regs(t, &r));
	}
	CHECK_OK(lm_thread_set_priority(t, LOW));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(settle(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PAGER_REPLY);
	/* Still serving. */
	CHECK_OK(lm_con_write(con, "console: still serving\n", 23));
	CHECK(sound());
}
