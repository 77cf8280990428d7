/*
 * Regressions for kernel defects the deep fuzzer found (docs/FUZZING.md).
 * Each test does what the fuzzer's program did, reduced by hand, and fails
 * without its fix (or hangs or brings the kernel down, which the runner
 * reports under the test's name).
 */
#include "harness.h"

/* ---- 1. THREAD_RESUME of a thread blocked in IPC --------------------- */

/* Wait on n (our own stop notification), then fault. */
static lm_word_t wait_then_fault(lm_word_t n)
{
	lm_u64 bits = 0;
	int err = lm_ntfn_wait(n, &bits);

	if (err || bits != 1)
		return 0x100 + (lm_u64)err;
	__asm__ volatile("ud2");
	return 0;
}

/*
 * Resuming a thread blocked in NTFN_WAIT made it runnable while it was
 * still on the notification's queue (the run queue and wait queues share
 * their links). The fuzzer's thread then faulted, its stop notification
 * found it at the head of the queue it never left, woke it, and it
 * faulted again: `faulted: vector 256 at rip 0` for minutes, the run queue
 * corrupt and the controller never run again. Resume must leave a blocked
 * thread as it is.
 */
TEST(resume_of_a_thread_blocked_in_ipc_leaves_it_blocked)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0), t = t_thread_new();
	struct lm_thread_info ti;
	lm_u64 problems;

	CHECK(n && t);
	CHECK_OK(lm_thread_set_stop_notify(t, n));
	CHECK_OK(lm_thread_start(t, wait_then_fault, n, t_stack(), T_PRIO));
	CHECK(t_blocked(t));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_BLOCKED);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
	/* Still waiting: a signal ends the wait, then it faults once and its
	 * stop notification, which nobody waits on now, keeps the bit. */
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, 6); /* #UD */
	CHECK_OK(lm_ntfn_poll(n, &problems));
	CHECK_EQ(problems, 1);
}

/* The same on an endpoint: resumed while blocked in EP_RECV, it still
 * receives the message sent afterwards. */
static lm_word_t recv_word(lm_word_t ep)
{
	struct lm_msg m;
	int err = lm_ep_recv(ep, &m);

	return err ? 0x100 + (lm_u64)err : m.w[0];
}

TEST(resume_of_a_thread_blocked_in_receive_leaves_it_receiving)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), t = t_thread_new();
	struct lm_thread_info ti;
	lm_u64 problems;

	CHECK(ep && t);
	CHECK_OK(lm_thread_start(t, recv_word, ep, t_stack(), T_PRIO));
	CHECK(t_blocked(t));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_BLOCKED);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
	CHECK_OK(lm_ep_send(ep, LM_MSG_INFO(0, 1, 0), 0x5eed, 0, 0, 0));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x5eed);
}

/* ---- 2. DEBUG_CHECK's view of a TCB ---------------------------------- */

/*
 * A TCB's object header is not at its start, and DEBUG_CHECK marked the
 * TCB's size from the header: past the end of a TCB that ends a page, so
 * a frame in the next page, mapped, was reported as "a kernel-owned page
 * mapped into user space" (the fuzzer's TCBs filled a 64 KiB untyped, and
 * its stack page came next).
 */
TEST(frame_right_after_a_tcb_that_ends_a_page_is_not_kernel_owned)
{
	lm_cptr_t ut = t_new(LM_OBJ_UNTYPED, 13), tcbs = lm_slot_alloc_n(2), fr = t_slot();
	lm_u64 problems;

	CHECK(ut && tcbs && fr);
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_TCB, 0, LM_SLOT_CNODE, tcbs, 2));
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_FRAME, LM_PAGE_BITS, LM_SLOT_CNODE, fr, 1));
	CHECK_EQ(t_id(fr).addr, t_id(ut).addr + LM_PAGE_SIZE);
	CHECK_OK(t_map(fr, T_VA_FRESH(7), LM_R_READ | LM_R_WRITE));
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
}
