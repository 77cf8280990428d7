/* Endpoints: EP_SEND/NBSEND/RECV/CALL/REPLY/REPLY_RECV, badges, long
 * messages through IPC buffers, capability transfer, and blocked calls
 * ended by deletion or suspension. */
#include "harness.h"

#define CN LM_SLOT_CNODE
#define RW (LM_R_READ | LM_R_WRITE)
#define INFO LM_MSG_INFO

static lm_cptr_t endpoint(void)
{
	return t_new(LM_OBJ_ENDPOINT, 0);
}

/* Give `tcb` an IPC buffer mapped at va in our address space. */
static struct lm_ipc_buffer *ipc_buffer(lm_cptr_t tcb, lm_u64 va)
{
	lm_cptr_t f = t_frame_at(va, RW);

	if (!f || lm_thread_set_ipc_buffer(tcb, f) != LM_OK)
		return 0;
	return (struct lm_ipc_buffer *)va;
}

/* Receive one call and reply with label + 1 and each word + 1; exit with
 * the badge the caller used. */
static lm_word_t echo_once(lm_word_t ep)
{
	struct lm_msg m;
	int err = lm_ep_recv(ep, &m);

	if (err)
		return 0x100 + (lm_u64)err;
	err = lm_ep_reply(INFO(LM_MSG_LABEL(m.info) + 1, 4, 0), m.w[0] + 1,
			  m.w[1] + 1, m.w[2] + 1, m.w[3] + 1);
	return err ? 0x200 + (lm_u64)err : m.badge;
}

static lm_word_t echo_forever(lm_word_t ep)
{
	struct lm_msg m;
	int err = lm_ep_recv(ep, &m);

	while (!err)
		err = lm_ep_reply_recv(ep, INFO(1, 1, 0), m.w[0] + 1, 0, 0, 0, &m);
	return (lm_u64)err;
}

static lm_word_t send_words(lm_word_t ep)
{
	return (lm_u64)lm_ep_send(ep, INFO(5, 4, 0), 10, 20, 30, 40);
}

/* Receive and exit with the first word (or 0x100 + error). */
static lm_word_t recv_w0(lm_word_t ep)
{
	struct lm_msg m;
	int err = lm_ep_recv(ep, &m);

	return err ? 0x100 + (lm_u64)err : m.w[0];
}

static lm_word_t recv_info(lm_word_t ep)
{
	struct lm_msg m;
	int err = lm_ep_recv(ep, &m);

	return err ? 0x100 + (lm_u64)err : m.info;
}

static lm_word_t call_w0(lm_word_t ep)
{
	struct lm_msg r;
	int err = lm_ep_call(ep, INFO(1, 1, 0), 1, 0, 0, 0, &r);

	return err ? 0x100 + (lm_u64)err : r.w[0];
}

/* Started at priority 50: runs once we block. If we are still blocked
 * after it has done its deed and waited, it breaks the wait with
 * suspend + resume, so a kernel that never ends the wait shows LM_EINTR
 * instead of hanging the suite. */
struct deed {
	lm_cptr_t victim; /* slot to delete */
	lm_cptr_t main;   /* our TCB */
};

static lm_word_t delete_then_watch(lm_word_t arg)
{
	struct deed *d = (struct deed *)arg;
	struct lm_thread_info ti;
	lm_u64 end;
	int err = lm_cnode_delete(CN, d->victim);

	end = t_rdtsc() + t_ms_to_tsc(2000);
	while (t_rdtsc() < end)
		;
	if (lm_thread_info(d->main, &ti) == LM_OK && ti.state == LM_TS_BLOCKED) {
		lm_thread_suspend(d->main);
		lm_thread_resume(d->main);
	}
	return (lm_u64)err;
}


TEST(ep_call_and_reply_carry_label_and_four_words)
{
	lm_cptr_t ep = endpoint(), srv;
	struct lm_msg r;
	struct lm_thread_info ti;

	CHECK(ep);
	srv = t_thread(echo_once, ep, T_PRIO);
	CHECK(srv);
	CHECK_OK(lm_ep_call(ep, INFO(7, 4, 0), 1, 2, 3, 4, &r));
	CHECK_EQ(LM_MSG_LABEL(r.info), 8);
	CHECK_EQ(LM_MSG_LEN(r.info), 4);
	CHECK_EQ(r.w[0], 2);
	CHECK_EQ(r.w[1], 3);
	CHECK_EQ(r.w[2], 4);
	CHECK_EQ(r.w[3], 5);
	CHECK_EQ(r.badge, 0);
	CHECK_OK(t_wait(srv, &ti));
	CHECK_EQ(ti.exit_code, 0); /* an unbadged capability: badge 0 */
}

TEST(ep_receiver_sees_the_badge_of_the_senders_capability)
{
	lm_cptr_t ep = endpoint(), minted = t_slot(), srv;
	struct lm_msg r;
	struct lm_thread_info ti;

	CHECK(ep && minted);
	CHECK_OK(lm_cnode_mint(CN, minted, CN, ep, LM_R_WRITE, 0xbadc0de));
	srv = t_thread(echo_once, ep, T_PRIO);
	CHECK(srv);
	CHECK_OK(lm_ep_call(minted, INFO(1, 0, 0), 0, 0, 0, 0, &r));
	CHECK_OK(t_wait(srv, &ti));
	CHECK_EQ(ti.exit_code, 0xbadc0de);
}

TEST(ep_send_blocks_until_a_receiver_takes_the_message)
{
	lm_cptr_t ep = endpoint(), s;
	struct lm_msg m;
	struct lm_thread_info ti;

	CHECK(ep);
	s = t_thread(send_words, ep, T_PRIO);
	CHECK(s);
	CHECK(t_blocked(s));
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), 5);
	CHECK_EQ(m.w[0] + m.w[1] + m.w[2] + m.w[3], 100);
	CHECK_OK(t_wait(s, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, LM_OK);
}

TEST(ep_nbsend_without_receiver_returns_EAGAIN)
{
	lm_cptr_t ep = endpoint(), r;
	struct lm_thread_info ti;

	CHECK(ep);
	CHECK_ERR(lm_ep_nbsend(ep, INFO(1, 1, 0), 99, 0, 0, 0), LM_EAGAIN);
	r = t_thread(recv_w0, ep, T_PRIO); /* the lost message must not arrive */
	CHECK(r);
	CHECK(t_blocked(r));
	CHECK_OK(lm_ep_nbsend(ep, INFO(1, 1, 0), 42, 0, 0, 0));
	CHECK_OK(t_wait(r, &ti));
	CHECK_EQ(ti.exit_code, 42);
}

static lm_word_t recv_expect_erights(lm_word_t ep)
{
	return (lm_u64)lm_ep_recv(ep, 0);
}

TEST(ep_send_needs_write_and_recv_needs_read)
{
	lm_cptr_t ep = endpoint(), ro, wo, r;
	struct lm_msg m;
	struct lm_thread_info ti;

	CHECK(ep);
	ro = t_copy(ep, LM_R_READ);
	wo = t_copy(ep, LM_R_WRITE);
	CHECK(ro && wo);
	CHECK_ERR(lm_ep_send(ro, INFO(1, 0, 0), 0, 0, 0, 0), LM_ERIGHTS);
	CHECK_ERR(lm_ep_nbsend(ro, INFO(1, 0, 0), 0, 0, 0, 0), LM_ERIGHTS);
	CHECK_ERR(lm_ep_call(ro, INFO(1, 0, 0), 0, 0, 0, 0, &m), LM_ERIGHTS);
	/* a receive that wrongly succeeded would block: try it in a thread */
	r = t_thread(recv_expect_erights, wo, T_PRIO);
	CHECK(r);
	CHECK_OK(t_wait_ms(r, 2000, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, LM_ERIGHTS);
}

TEST(ep_bad_message_info_returns_ERANGE_or_EINVAL)
{
	lm_cptr_t ep = endpoint();

	CHECK(ep);
	CHECK_ERR(lm_ep_nbsend(ep, INFO(1, LM_MSG_MAX_WORDS + 1, 0), 0, 0, 0, 0), LM_ERANGE);
	CHECK_ERR(lm_ep_nbsend(ep, INFO(1, 0, 0) | LM_MSG_NOTIFY, 0, 0, 0, 0), LM_EINVAL);
	CHECK_ERR(lm_ep_nbsend(ep, INFO(1, 0, 0) | 0x80, 0, 0, 0, 0), LM_EINVAL);
	CHECK_ERR(lm_ep_nbsend(ep, INFO(1, 0, 0) | 0xc000, 0, 0, 0, 0), LM_EINVAL);
}

TEST(ep_calls_on_wrong_or_missing_caps_return_ETYPE_or_ECAP)
{
	lm_cptr_t f = t_new(LM_OBJ_FRAME, 12), e = t_slot();
	struct lm_msg m;

	CHECK(f && e);
	CHECK_ERR(lm_ep_send(f, 0, 0, 0, 0, 0), LM_ETYPE);
	CHECK_ERR(lm_ep_nbsend(f, 0, 0, 0, 0, 0), LM_ETYPE);
	CHECK_ERR(lm_ep_recv(f, &m), LM_ETYPE);
	CHECK_ERR(lm_ep_call(f, 0, 0, 0, 0, 0, &m), LM_ETYPE);
	CHECK_ERR(lm_ep_reply_recv(f, 0, 0, 0, 0, 0, &m), LM_ETYPE);
	CHECK_ERR(lm_ep_send(e, 0, 0, 0, 0, 0), LM_ECAP);
	CHECK_ERR(lm_ep_recv(e, &m), LM_ECAP);
	CHECK_ERR(lm_ep_recv((lm_u64)1 << 40, &m), LM_ECAP);
}

TEST(ep_reply_with_no_caller_returns_ESTATE)
{
	CHECK_ERR(lm_ep_reply(INFO(1, 0, 0), 0, 0, 0, 0), LM_ESTATE);
}

TEST(ep_reply_recv_serves_a_loop_of_calls)
{
	lm_cptr_t ep = endpoint(), srv;
	struct lm_msg r;

	CHECK(ep);
	srv = t_thread(echo_forever, ep, T_PRIO);
	CHECK(srv);
	for (lm_u64 i = 0; i < 20; i++) {
		CHECK_OK(lm_ep_call(ep, INFO(1, 1, 0), i * 3, 0, 0, 0, &r));
		CHECK_EQ(r.w[0], i * 3 + 1);
	}
}

/* Receive a call of 20 words whose words 4 .. 19 in the IPC buffer at
 * page are in + i, and reply with 10, words 4 .. 9 out + i. */
static lm_word_t long_echo_at(lm_word_t ep, lm_u64 page, lm_u64 in, lm_u64 out)
{
	struct lm_ipc_buffer *b = (struct lm_ipc_buffer *)page;
	struct lm_msg m;
	int err = lm_ep_recv(ep, &m);

	if (err)
		return 0x100 + (lm_u64)err;
	if (LM_MSG_LEN(m.info) != 20)
		return 0x200 + LM_MSG_LEN(m.info);
	for (int i = 4; i < 20; i++)
		if (b->msg[i] != in + (lm_u64)i)
			return 0x300 + (lm_u64)i;
	for (int i = 4; i < 10; i++)
		b->msg[i] = out + (lm_u64)i;
	return (lm_u64)lm_ep_reply(INFO(2, 10, 0), m.w[0], 0, 0, 0);
}

static lm_word_t long_echo(lm_word_t ep) { return long_echo_at(ep, T_VA_PAGE(1), 1000, 2000); }
/* The server's IPC buffer is the caller's frame too (T_VA_PAGE(2)). */
static lm_word_t shared_echo(lm_word_t ep) { return long_echo_at(ep, T_VA_PAGE(2), 3000, 4000); }

/* Start srv at fn, call it with 20 words (4 .. 19 from our buffer mine:
 * in + i), and check its reply of 10 (out + i) and its exit; a failed
 * check fails the test that called. */
static void long_call(lm_cptr_t ep, lm_cptr_t srv, lm_word_t (*fn)(lm_word_t),
		     struct lm_ipc_buffer *mine, lm_u64 in, lm_u64 out)
{
	struct lm_msg r;
	struct lm_thread_info ti;

	CHECK_OK(lm_thread_start(srv, fn, ep, t_stack(), T_PRIO));
	for (int i = 4; i < 20; i++)
		mine->msg[i] = in + (lm_u64)i;
	CHECK_OK(lm_ep_call(ep, INFO(1, 20, 0), 7, 0, 0, 0, &r));
	CHECK_OK(lm_thread_set_ipc_buffer(LM_SLOT_TCB, 0));
	CHECK_OK(t_wait(srv, &ti));
	CHECK_EQ(ti.exit_code, LM_OK);
	CHECK_EQ(LM_MSG_LEN(r.info), 10);
	CHECK_EQ(r.w[0], 7);
	for (int i = 4; i < 10; i++)
		CHECK_EQ(mine->msg[i], out + (lm_u64)i);
}

TEST(ep_long_messages_travel_through_ipc_buffers)
{
	lm_cptr_t ep = endpoint(), srv = t_thread_new();
	struct lm_ipc_buffer *mine, *theirs;

	CHECK(ep && srv);
	mine = ipc_buffer(LM_SLOT_TCB, T_VA_PAGE(0));
	theirs = ipc_buffer(srv, T_VA_PAGE(1));
	CHECK(mine && theirs);
	long_call(ep, srv, long_echo, mine, 1000, 2000);
}

/* Two threads may share one frame as their IPC buffer: the long message
 * is in place when it arrives (transfer copies nothing onto itself). */
TEST(ep_long_message_between_threads_sharing_one_ipc_buffer)
{
	lm_cptr_t ep = endpoint(), srv = t_thread_new(), f = t_frame_at(T_VA_PAGE(2), RW);
	lm_cptr_t f2 = t_slot();

	CHECK(ep && srv && f && f2);
	CHECK_OK(lm_cnode_copy(CN, f2, CN, f, RW));
	CHECK_OK(lm_thread_set_ipc_buffer(LM_SLOT_TCB, f));
	CHECK_OK(lm_thread_set_ipc_buffer(srv, f2));
	long_call(ep, srv, shared_echo, (struct lm_ipc_buffer *)T_VA_PAGE(2), 3000, 4000);
}

TEST(ep_message_is_cut_to_4_words_without_ipc_buffers)
{
	lm_cptr_t ep = endpoint(), r;
	struct lm_thread_info ti;

	CHECK(ep);
	r = t_thread(recv_info, ep, T_PRIO);
	CHECK(r);
	CHECK(t_blocked(r));
	CHECK_OK(lm_ep_nbsend(ep, INFO(3, 12, 0), 1, 2, 3, 4));
	CHECK_OK(t_wait(r, &ti));
	CHECK_EQ(LM_MSG_LEN(ti.exit_code), 4);
	CHECK_EQ(LM_MSG_LABEL(ti.exit_code), 3);
}

/* One capability transfer: the receiver's endpoint, landing slot and IPC
 * buffer. Static: the receiving thread reads it. */
struct xfer {
	lm_cptr_t ep, slot;
	struct lm_ipc_buffer *buf;
};
static struct xfer xfer;

/* Receive one message carrying a capability; exit with the number of
 * capabilities the received info says arrived. */
static lm_word_t recv_cap(lm_word_t arg)
{
	struct xfer *x = (struct xfer *)arg;
	struct lm_msg m;
	int err;

	x->buf->recv_slots[0] = x->slot;
	err = lm_ep_recv(x->ep, &m);
	return err ? 0x100 + (lm_u64)err : LM_MSG_NCAPS(m.info);
}

/* Send `cap` (with info flags) to a receiver landing it in `dst`; returns
 * how many capabilities the receiver was told arrived, or ~0 on a setup
 * failure. Each round of a test uses its own two buffer pages. */
static lm_u64 transfer(lm_cptr_t cap, lm_cptr_t dst, lm_u64 flags, lm_u32 round)
{
	lm_cptr_t r = t_thread_new();
	struct lm_ipc_buffer *mine;
	struct lm_thread_info ti;

	xfer.ep = endpoint();
	xfer.slot = dst;
	if (!xfer.ep || !r)
		return ~0ull;
	mine = ipc_buffer(LM_SLOT_TCB, T_VA_PAGE(2 * round));
	xfer.buf = ipc_buffer(r, T_VA_PAGE(2 * round + 1));
	if (!mine || !xfer.buf)
		return ~0ull;
	if (lm_thread_start(r, recv_cap, (lm_u64)&xfer, t_stack(), T_PRIO) || !t_blocked(r))
		return ~0ull;
	mine->send_caps[0] = cap;
	lm_ep_send(xfer.ep, INFO(1, 0, 1) | flags, 0, 0, 0, 0);
	lm_thread_set_ipc_buffer(LM_SLOT_TCB, 0);
	if (t_wait(r, &ti) || ti.state != LM_TS_EXITED)
		return ~0ull;
	return ti.exit_code;
}

TEST(ep_capability_transfer_copies_a_child_of_the_senders)
{
	lm_cptr_t f = t_new(LM_OBJ_FRAME, 12), dst = t_slot();

	CHECK(f && dst);
	CHECK_EQ(transfer(f, dst, 0, 0), 1);
	CHECK_EQ(t_type(dst), LM_OBJ_FRAME);
	CHECK_EQ(t_id(dst).addr, t_id(f).addr);
	CHECK_EQ(t_type(f), LM_OBJ_FRAME);
	CHECK_OK(lm_cnode_revoke(CN, f)); /* the copy is f's child */
	CHECK_EQ(t_type(dst), LM_OBJ_NULL);
}

TEST(ep_capability_transfer_can_move)
{
	lm_cptr_t f = t_new(LM_OBJ_FRAME, 12), dst = t_slot();
	lm_u64 paddr;

	CHECK(f && dst);
	paddr = t_id(f).addr;
	CHECK_EQ(transfer(f, dst, LM_MSG_MOVE, 0), 1);
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK_EQ(t_id(dst).addr, paddr);
}

TEST(ep_untyped_capability_only_travels_by_move)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 12), dst = t_slot();

	CHECK(u && dst);
	CHECK_EQ(transfer(u, dst, 0, 0), 0); /* copy: skipped */
	CHECK_EQ(t_type(u), LM_OBJ_UNTYPED);
	CHECK_EQ(t_type(dst), LM_OBJ_NULL);
	CHECK_EQ(transfer(u, dst, LM_MSG_MOVE, 1), 1);
	CHECK_EQ(t_type(dst), LM_OBJ_UNTYPED);
	CHECK_EQ(t_type(u), LM_OBJ_NULL);
}

TEST(ep_receiver_slot_0_refuses_capabilities)
{
	lm_cptr_t f = t_new(LM_OBJ_FRAME, 12);

	CHECK(f);
	CHECK_EQ(transfer(f, 0, LM_MSG_MOVE, 0), 0);
	CHECK_EQ(t_type(f), LM_OBJ_FRAME); /* still ours */
}

TEST(ep_senders_queue_by_priority_then_arrival)
{
	lm_cptr_t ep = endpoint(), lo, hi, a, b;
	struct lm_msg m;

	CHECK(ep);
	/* lo and hi run (and block in send) only while we sleep */
	lo = t_thread(send_words, ep, 60);
	hi = t_thread(call_w0, ep, 70);
	CHECK(lo && hi);
	t_sleep_until_idle();
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), 1); /* the caller, at 70 */
	CHECK_OK(lm_ep_reply(INFO(0, 1, 0), 0, 0, 0, 0));
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), 5);
	/* equal priorities: first come, first served */
	a = t_thread(call_w0, ep, T_PRIO);
	CHECK(a && t_blocked(a));
	b = t_thread(send_words, ep, T_PRIO);
	CHECK(b && t_blocked(b));
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), 1);
	CHECK_OK(lm_ep_reply(INFO(0, 1, 0), 0, 0, 0, 0));
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), 5);
}

TEST(ep_receiving_a_new_call_drops_the_unanswered_one)
{
	lm_cptr_t ep = endpoint(), a, b;
	struct lm_msg m;
	struct lm_thread_info ti;

	CHECK(ep);
	a = t_thread(call_w0, ep, T_PRIO);
	CHECK(a && t_blocked(a));
	CHECK_OK(lm_ep_recv(ep, &m)); /* a's call: we owe a a reply */
	b = t_thread(call_w0, ep, T_PRIO);
	CHECK(b && t_blocked(b));
	CHECK_OK(lm_ep_recv(ep, &m)); /* b's call: a's reply right is gone */
	CHECK_OK(lm_ep_reply(INFO(0, 1, 0), 77, 0, 0, 0));
	CHECK_OK(t_wait(a, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_EDELETED);
	CHECK_OK(t_wait(b, &ti));
	CHECK_EQ(ti.exit_code, 77);
}

/* The choice docs/API.md records (and kernel/models/ipc.pml checks): a
 * failed EP_REPLY_RECV has not replied, and the reply is still owed. */
TEST(ep_reply_recv_on_a_deleted_endpoint_fails_before_it_replies)
{
	lm_cptr_t ep = endpoint(), a;
	struct lm_msg m;
	struct lm_thread_info ti;

	CHECK(ep);
	a = t_thread(call_w0, ep, T_PRIO);
	CHECK(a && t_blocked(a));
	CHECK_OK(lm_ep_recv(ep, &m)); /* a's call: we owe a a reply */
	CHECK_OK(lm_cnode_delete(CN, ep));
	CHECK_ERR(lm_ep_reply_recv(ep, INFO(0, 1, 0), 55, 0, 0, 0, &m), LM_ECAP);
	CHECK(t_blocked(a)); /* no reply was given */
	CHECK_OK(lm_ep_reply(INFO(0, 1, 0), 77, 0, 0, 0)); /* and ours to give */
	CHECK_OK(t_wait(a, &ti));
	CHECK_EQ(ti.exit_code, 77);
}

TEST(ep_suspending_a_blocked_receiver_makes_its_call_return_EINTR)
{
	lm_cptr_t ep = endpoint(), r;
	struct lm_thread_info ti;

	CHECK(ep);
	r = t_thread(recv_w0, ep, T_PRIO);
	CHECK(r && t_blocked(r));
	CHECK_OK(lm_thread_suspend(r));
	CHECK_OK(lm_thread_info(r, &ti));
	CHECK_EQ(ti.state, LM_TS_INACTIVE);
	CHECK_OK(lm_thread_resume(r));
	CHECK_OK(t_wait(r, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x100 + LM_EINTR);
	CHECK_ERR(lm_ep_nbsend(ep, INFO(1, 0, 0), 0, 0, 0, 0), LM_EAGAIN); /* off the queue */
}

TEST(ep_destroyed_while_we_wait_returns_EDELETED)
{
	lm_cptr_t ep = endpoint(), k;
	static struct deed d;
	struct lm_msg m;

	CHECK(ep);
	d = (struct deed){ ep, LM_SLOT_TCB };
	k = t_thread(delete_then_watch, (lm_u64)&d, 50);
	CHECK(k);
	CHECK_ERR(lm_ep_recv(ep, &m), LM_EDELETED); /* k runs while we block */
	CHECK_EQ(t_type(ep), LM_OBJ_NULL);
}

static lm_word_t recv_then_exit(lm_word_t ep)
{
	return (lm_u64)lm_ep_recv(ep, 0); /* takes the call, never replies */
}

TEST(ep_call_to_a_server_that_dies_returns_EDELETED)
{
	lm_cptr_t ep = endpoint(), srv, k;
	static struct deed d;
	struct lm_msg r;

	CHECK(ep);
	srv = t_thread(recv_then_exit, ep, T_PRIO);
	CHECK(srv && t_blocked(srv));
	d = (struct deed){ srv, LM_SLOT_TCB };
	k = t_thread(delete_then_watch, (lm_u64)&d, 50);
	CHECK(k);
	CHECK_ERR(lm_ep_call(ep, INFO(1, 0, 0), 0, 0, 0, 0, &r), LM_EDELETED);
}

TEST(ipc_buffer_must_be_a_4k_frame_with_read_and_write)
{
	lm_cptr_t t = t_thread_new(), f = t_new(LM_OBJ_FRAME, 12), big = t_new(LM_OBJ_FRAME, 21);
	lm_cptr_t ep = endpoint(), fro, tro;

	CHECK(t && f && big && ep);
	fro = t_copy(f, LM_R_READ);
	tro = t_copy(t, LM_R_READ);
	CHECK(fro && tro);
	CHECK_ERR(lm_thread_set_ipc_buffer(t, big), LM_ETYPE);
	CHECK_ERR(lm_thread_set_ipc_buffer(t, ep), LM_ETYPE);
	CHECK_ERR(lm_thread_set_ipc_buffer(t, fro), LM_ERIGHTS);
	CHECK_ERR(lm_thread_set_ipc_buffer(tro, f), LM_ERIGHTS);
	CHECK_ERR(lm_thread_set_ipc_buffer(f, f), LM_ETYPE);
	CHECK_ERR(lm_thread_set_ipc_buffer(t, t_slot()), LM_ECAP);
	CHECK_OK(lm_thread_set_ipc_buffer(t, f));
	CHECK_OK(lm_thread_set_ipc_buffer(t, 0));
}

TEST(ipc_buffer_of_a_blocked_thread_cannot_change)
{
	lm_cptr_t ep = endpoint(), f = t_new(LM_OBJ_FRAME, 12), r;

	CHECK(ep && f);
	r = t_thread(recv_w0, ep, T_PRIO);
	CHECK(r && t_blocked(r));
	CHECK_ERR(lm_thread_set_ipc_buffer(r, f), LM_ESTATE);
	CHECK_OK(lm_ep_nbsend(ep, INFO(1, 1, 0), 1, 0, 0, 0));
}
