/* IPC under load and under loss: many clients on one server lose and
 * duplicate nothing; a client that dies before its reply leaves the
 * server a clean error, not a crash or a stuck thread. */
#include "harness.h"

#define NCLIENTS 8
#define NCALLS   200

static lm_u64 served[NCLIENTS + 1]; /* per badge: calls the server saw */
static lm_u64 next_seq[NCLIENTS + 1]; /* per badge: the sequence it expects */
static lm_u64 out_of_order;

/* Echo w0 + 1; check each client's sequence numbers arrive in order, once. */
static lm_word_t counting_server(lm_word_t ep)
{
	struct lm_msg m;
	int err = lm_ep_recv(ep, &m);

	while (!err) {
		if (m.badge >= 1 && m.badge <= NCLIENTS) {
			out_of_order += m.w[0] != next_seq[m.badge];
			next_seq[m.badge] = m.w[0] + 1;
			served[m.badge]++;
		}
		err = lm_ep_reply_recv(ep, LM_MSG_INFO(0, 1, 0), m.w[0] + 1, 0, 0, 0, &m);
	}
	return (lm_u64)err;
}

static lm_word_t hammer(lm_word_t ep)
{
	struct lm_msg r;
	for (lm_u64 i = 0; i < NCALLS; i++) {
		int err = lm_ep_call(ep, LM_MSG_INFO(0, 1, 0), i, 0, 0, 0, &r);
		if (err)
			return 0x1000 + (lm_u64)err;
		if (r.w[0] != i + 1)
			return 0x2000 + i;
		if (i % 16 == 0)
			lm_thread_yield(); /* mix the clients up in the queue */
	}
	return 0;
}

TEST(ep_eight_clients_hammering_one_server_lose_and_duplicate_nothing)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), cl[NCLIENTS];
	struct lm_thread_info ti;

	CHECK(ep);
	for (int i = 1; i <= NCLIENTS; i++)
		served[i] = next_seq[i] = 0;
	out_of_order = 0;
	CHECK(t_thread(counting_server, ep, T_PRIO));
	for (int i = 0; i < NCLIENTS; i++) {
		lm_cptr_t b = t_slot();
		CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, b, LM_SLOT_CNODE, ep, LM_R_WRITE, i + 1));
		cl[i] = t_thread(hammer, b, T_PRIO);
		CHECK(cl[i]);
	}
	for (int i = 0; i < NCLIENTS; i++) {
		CHECK_OK(t_wait(cl[i], &ti));
		CHECK_EQ(ti.state, LM_TS_EXITED);
		CHECK_EQ(ti.exit_code, 0);
	}
	for (int i = 1; i <= NCLIENTS; i++)
		CHECK_EQ(served[i], NCALLS);
	CHECK_EQ(out_of_order, 0);
}

static lm_cptr_t got_call, go_on;

/* Take one call, say so, wait for the go, then try to reply. */
static lm_word_t slow_server(lm_word_t ep)
{
	struct lm_msg m;
	int err = lm_ep_recv(ep, &m);

	if (err)
		return 0x100 + (lm_u64)err;
	lm_ntfn_signal(got_call);
	lm_ntfn_wait(go_on, 0);
	return (lm_u64)lm_ep_reply(LM_MSG_INFO(0, 1, 0), 1, 0, 0, 0);
}

static lm_word_t one_call(lm_word_t ep)
{
	struct lm_msg r;
	return (lm_u64)lm_ep_call(ep, LM_MSG_INFO(0, 1, 0), 7, 0, 0, 0, &r);
}

TEST(ep_client_that_dies_before_the_reply_leaves_the_server_ESTATE)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), srv, cli;
	struct lm_thread_info ti;

	got_call = t_new(LM_OBJ_NOTIFY, 0);
	go_on = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(ep && got_call && go_on);
	srv = t_thread(slow_server, ep, T_PRIO);
	cli = t_thread(one_call, ep, T_PRIO);
	CHECK(srv && cli);
	CHECK_OK(lm_ntfn_wait(got_call, 0));
	CHECK_OK(lm_thread_info(cli, &ti));
	CHECK_EQ(ti.state, LM_TS_BLOCKED); /* waiting for its reply */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, cli)); /* the client is gone */
	CHECK_OK(lm_ntfn_signal(go_on));
	CHECK_OK(t_wait(srv, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, LM_ESTATE); /* nobody left to reply to */
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_CHECK, lm_debug_cap, 0, 0, 0, 0, 0, 0), LM_OK);
}
