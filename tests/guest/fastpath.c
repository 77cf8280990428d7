/* The IPC fast path gives exactly the results of the general path: the
 * same calls, made once with each, leave every register the same on both
 * sides (DEBUG_FASTPATH switches it; its counter proves which ran). */
#include "harness.h"

#define NCALLS 12
#define INFO LM_MSG_INFO

struct regs7 {
	lm_u64 rax, out[LM_SYS_NOUT];
};

static struct regs7 seen_by_server[2][NCALLS], seen_by_client[2][NCALLS];
static int run_no;

/* Records everything each receive returns, replies with a transformation
 * of it, through the raw system call so no register is lost. */
static lm_word_t recorder(lm_word_t ep)
{
	struct regs7 r;
	r.rax = lm_syscall6(LM_SYS_EP_RECV, ep, 0, 0, 0, 0, 0, r.out);
	for (int i = 0; i < NCALLS && r.rax == LM_OK; i++) {
		seen_by_server[run_no][i] = r;
		lm_u64 info = INFO(LM_MSG_LABEL(r.out[1]) + 7, LM_MSG_LEN(r.out[1]), 0);
		/* The last reply must not wait for another call: the next run's
		 * calls belong to the next recorder. */
		lm_u64 nr = i < NCALLS - 1 ? LM_SYS_EP_REPLY_RECV : LM_SYS_EP_REPLY;
		r.rax = lm_syscall6(nr, ep, info, r.out[2] ^ 0xff, r.out[3] + 1, r.out[4] * 2,
				    r.out[5] - 1, r.out);
	}
	return 0;
}

static void one_run(int n, lm_cptr_t ep, lm_cptr_t badged)
{
	run_no = n;
	CHECK(t_thread(recorder, ep, T_PRIO));
	for (int i = 0; i < NCALLS; i++) {
		lm_u64 len = (lm_u64)i % 6; /* 5: longer than registers: general path */
		struct regs7 *r = &seen_by_client[n][i];
		r->rax = lm_syscall6(LM_SYS_EP_CALL, i & 1 ? badged : ep, INFO(i, len, 0),
				     i * 11, i * 13, i * 17, i * 19, r->out);
	}
}

TEST(fastpath_and_general_path_give_identical_results)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), badged = t_slot();
	lm_u64 out[LM_SYS_NOUT], hits0, hits1, hits2;

	CHECK(ep && badged);
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, badged, LM_SLOT_CNODE, ep, LM_R_ALL, 0xbad9e));
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	hits0 = out[1];
	one_run(0, ep, badged);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 0, 0, 0, 0, 0, out), LM_OK);
	hits1 = out[1];
	one_run(1, ep, badged);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	hits2 = out[1];
	CHECK(hits1 > hits0);   /* the first run took the fast path */
	CHECK_EQ(hits2, hits1); /* the second never did */
	for (int i = 0; i < NCALLS; i++) {
		CHECK_EQ(seen_by_client[0][i].rax, LM_OK);
		CHECK_EQ(seen_by_server[0][i].rax, LM_OK);
		for (int k = 0; k < LM_SYS_NOUT; k++) {
			CHECK_EQ(seen_by_client[0][i].out[k], seen_by_client[1][i].out[k]);
			CHECK_EQ(seen_by_server[0][i].out[k], seen_by_server[1][i].out[k]);
		}
	}
	/* Spot checks: the badge of the minted capability, the reply's label. */
	CHECK_EQ(seen_by_server[0][1].out[0], 0xbad9e);
	CHECK_EQ(LM_MSG_LABEL(seen_by_client[0][3].out[1]), 3 + 7);
}

/* Notification ping-pong: every register each side gets back from SIGNAL
 * and WAIT, recorded through the raw call. */
#define NPING 10
static struct regs7 ping_seen[2][NPING][2], pong_seen[2][NPING][2];
static lm_cptr_t ping_a, ping_b;

static lm_word_t ponger(lm_word_t run)
{
	for (int i = 0; i < NPING; i++) {
		struct regs7 *r = pong_seen[run][i];
		r[0].rax = lm_syscall6(LM_SYS_NTFN_WAIT, ping_a, 0, 0, 0, 0, 0, r[0].out);
		r[1].rax = lm_syscall6(LM_SYS_NTFN_SIGNAL, ping_b, 0, 0, 0, 0, 0, r[1].out);
	}
	return 0;
}

static void ping_run(int run)
{
	struct lm_thread_info ti;
	lm_cptr_t t = t_thread(ponger, run, T_PRIO);
	CHECK(t);
	for (int i = 0; i < NPING; i++) {
		struct regs7 *r = ping_seen[run][i];
		r[0].rax = lm_syscall6(LM_SYS_NTFN_SIGNAL, ping_a, 0, 0, 0, 0, 0, r[0].out);
		r[1].rax = lm_syscall6(LM_SYS_NTFN_WAIT, ping_b, 0, 0, 0, 0, 0, r[1].out);
	}
	CHECK_OK(t_wait(t, &ti));
}

TEST(fastpath_notifications_match_the_general_path)
{
	lm_cptr_t a = t_new(LM_OBJ_NOTIFY, 0), b = t_new(LM_OBJ_NOTIFY, 0);
	lm_u64 out[LM_SYS_NOUT], hits0, hits1, hits2;

	ping_a = t_slot();
	ping_b = t_slot();
	CHECK(a && b && ping_a && ping_b);
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, ping_a, LM_SLOT_CNODE, a, LM_R_ALL, 0x5));
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, ping_b, LM_SLOT_CNODE, b, LM_R_ALL, 0x30));
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	hits0 = out[1];
	ping_run(0);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 0, 0, 0, 0, 0, out), LM_OK);
	hits1 = out[1];
	ping_run(1);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	hits2 = out[1];
	CHECK(hits1 > hits0);
	CHECK_EQ(hits2, hits1);
	for (int i = 0; i < NPING; i++)
		for (int k = 0; k < 2; k++) {
			CHECK_EQ(ping_seen[0][i][k].rax, LM_OK);
			CHECK_EQ(pong_seen[0][i][k].rax, LM_OK);
			for (int o = 0; o < LM_SYS_NOUT; o++) {
				CHECK_EQ(ping_seen[0][i][k].out[o], ping_seen[1][i][k].out[o]);
				CHECK_EQ(pong_seen[0][i][k].out[o], pong_seen[1][i][k].out[o]);
			}
		}
	CHECK_EQ(pong_seen[0][0][0].out[0], 0x5);  /* the word: the badge signalled */
	CHECK_EQ(ping_seen[0][0][1].out[0], 0x30);
}

TEST(fastpath_debug_switch_rejects_other_values)
{
	lm_u64 out[LM_SYS_NOUT];
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 2, 0, 0, 0, 0, out), LM_EINVAL);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	CHECK_EQ(out[0], 1); /* still on */
}
