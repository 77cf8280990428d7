/*
 * Red team, second round, part two: upcalls and reflection at the edges of
 * user space, faults to pagers, the fast path against the general path
 * with a bound notification pending, and the console server as attack
 * surface (part one: redteam2.c). Regression guards, as there.
 */
#include "redteam2.h"

static lm_cptr_t g_ep, g_n;

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
