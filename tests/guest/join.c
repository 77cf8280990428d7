/* THREAD_SET_STOP_NOTIFY and lm_thread_join: waiting for a thread's end
 * without polling. */
#include "harness.h"

static lm_word_t exit_with(lm_word_t code)
{
	return code;
}

static lm_word_t fault_now(lm_word_t arg)
{
	return *(volatile lm_u64 *)T_KERNEL_ADDR;
}

static lm_cptr_t never;

static lm_word_t block_forever(lm_word_t arg)
{
	lm_ntfn_wait(never, 0);
	return 0;
}

TEST(join_waits_for_exit_and_the_notification_carries_the_badge)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0), badged = t_slot(), t = t_thread_new();
	struct lm_regs r;
	struct lm_thread_info ti;
	lm_u64 word = 0;

	CHECK(n && badged && t);
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, badged, LM_SLOT_CNODE, n, LM_R_ALL, 0x40));
	CHECK_OK(lm_thread_set_stop_notify(t, badged));
	lm_thread_regs(&r, exit_with, 33, t_stack());
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(lm_ntfn_wait(n, &word)); /* blocks until it has exited */
	CHECK_EQ(word, 0x40);
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 33);
}

TEST(join_returns_for_a_fault_and_for_a_thread_already_gone)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	struct lm_thread_info ti;

	CHECK(n);
	lm_cptr_t t = t_thread(fault_now, 0, T_PRIO);
	CHECK(t);
	CHECK_OK(lm_thread_join(t, n, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_OK(lm_thread_join(t, n, &ti)); /* again: returns at once */
	CHECK_EQ(ti.state, LM_TS_FAULTED);
}

TEST(join_suspension_does_not_signal_and_zero_clears)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	lm_u64 word = 0;

	never = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(n && never);
	lm_cptr_t t = t_thread(block_forever, 0, T_PRIO);
	CHECK(t && t_blocked(t));
	CHECK_OK(lm_thread_set_stop_notify(t, n));
	CHECK_OK(lm_thread_suspend(t));
	CHECK_OK(lm_ntfn_poll(n, &word));
	CHECK_EQ(word, 0); /* suspended is not stopped for good */
	CHECK_OK(lm_thread_set_stop_notify(t, 0));
	struct lm_thread_info ti;
	CHECK_OK(lm_thread_resume(t)); /* its wait returns LM_EINTR: it exits */
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_OK(lm_ntfn_poll(n, &word));
	CHECK_EQ(word, 0); /* cleared: nobody told */
}

TEST(join_set_stop_notify_bad_arguments_return_errors)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0), ep = t_new(LM_OBJ_ENDPOINT, 0);
	lm_cptr_t t = t_thread_new();

	CHECK(n && ep && t);
	lm_cptr_t ro_n = t_copy(n, LM_R_READ), ro_t = t_copy(t, LM_R_READ);
	CHECK(ro_n && ro_t);
	CHECK_ERR(lm_thread_set_stop_notify(t_slot(), n), LM_ECAP);
	CHECK_ERR(lm_thread_set_stop_notify(LM_SLOT_VSPACE, n), LM_ETYPE);
	CHECK_ERR(lm_thread_set_stop_notify(ro_t, n), LM_ERIGHTS);
	CHECK_ERR(lm_thread_set_stop_notify(t, t_slot()), LM_ECAP);
	CHECK_ERR(lm_thread_set_stop_notify(t, ep), LM_ETYPE);
	CHECK_ERR(lm_thread_set_stop_notify(t, ro_n), LM_ERIGHTS); /* cannot signal */
	CHECK_OK(lm_thread_set_stop_notify(t, n));
	CHECK_OK(lm_thread_set_stop_notify(t, n)); /* replaces its copy */
	CHECK_OK(lm_thread_set_stop_notify(t, 0));
}
