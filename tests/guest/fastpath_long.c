/* Messages longer than the registers on the IPC fast path: words past the
 * fourth go between the IPC buffers exactly as on the general path, and a
 * message is cut to its register words when either side has no buffer.
 * The same calls run with the fast path on and off (DEBUG_FASTPATH) and
 * leave the same registers and buffer words on both sides. */
#include "harness.h"

#define LCALLS 12
#define LRUNS  2
#define RW (LM_R_READ | LM_R_WRITE)
#define SRV_BUF ((struct lm_ipc_buffer *)T_VA_PAGE(1))
#define CLI_BUF ((struct lm_ipc_buffer *)T_VA_PAGE(0))

struct seen {
	lm_u64 rax, out[LM_SYS_NOUT], words[LM_MSG_MAX_WORDS];
};

static struct seen by_server[LRUNS][LCALLS], by_client[LRUNS][LCALLS];
static int lrun;

/* Words 4.. of the message s received (its info in out[1]) from buffer
 * b, if there is one, into s; 0 past its length. */
static void grab(struct seen *s, const struct lm_ipc_buffer *b)
{
	lm_u64 len = LM_MSG_LEN(s->out[1]);
	for (lm_u64 i = LM_MSG_REG_WORDS; i < LM_MSG_MAX_WORDS; i++)
		s->words[i] = b && i < len ? b->msg[i] : 0;
}

/* Replies to each call with as many words as it got, each + 1; the last
 * reply by EP_REPLY, so that the next run's calls find the next server. */
static lm_word_t long_server(lm_word_t ep)
{
	struct seen s;
	s.rax = lm_syscall6(LM_SYS_EP_RECV, ep, 0, 0, 0, 0, 0, s.out);
	for (int i = 0; i < LCALLS && s.rax == LM_OK; i++) {
		grab(&s, SRV_BUF);
		by_server[lrun][i] = s;
		lm_u64 len = LM_MSG_LEN(s.out[1]);
		for (lm_u64 k = LM_MSG_REG_WORDS; k < len; k++)
			SRV_BUF->msg[k] = s.words[k] + 1;
		lm_u64 nr = i < LCALLS - 1 ? LM_SYS_EP_REPLY_RECV : LM_SYS_EP_REPLY;
		s.rax = lm_syscall6(nr, ep, LM_MSG_INFO(9, len, 0), s.out[2] + 1, s.out[3] + 1,
				    s.out[4] + 1, s.out[5] + 1, s.out);
	}
	return 0;
}

/* Calls of 5 to 64 words, with f and g the client's and server's buffers; the last third after the client gave up its
 * buffer (its messages are cut to 4 words, and so are the replies). */
static void long_run(lm_cptr_t ep, lm_cptr_t f, lm_cptr_t g)
{
	lm_cptr_t srv = t_thread_new();
	struct lm_thread_info ti;

	CHECK(srv);
	CHECK_OK(lm_thread_set_ipc_buffer(LM_SLOT_TCB, f));
	CHECK_OK(lm_thread_set_ipc_buffer(srv, g));
	for (int k = 0; k < LM_MSG_MAX_WORDS; k++)
		SRV_BUF->msg[k] = 0;
	CHECK_OK(lm_thread_start(srv, long_server, ep, t_stack(), T_PRIO));
	for (int i = 0; i < LCALLS; i++) {
		struct seen *s = &by_client[lrun][i];
		lm_u64 len = 5 + (lm_u64)i * 59 / (LCALLS - 1);
		if (i == 2 * LCALLS / 3)
			CHECK_OK(lm_thread_set_ipc_buffer(LM_SLOT_TCB, 0));
		if (i < 2 * LCALLS / 3)
			for (lm_u64 k = LM_MSG_REG_WORDS; k < len; k++)
				CLI_BUF->msg[k] = (lm_u64)i << 16 | k;
		s->rax = lm_syscall6(LM_SYS_EP_CALL, ep, LM_MSG_INFO(i, len, 0), i, i * 2, i * 3, i * 4, s->out);
		grab(s, i < 2 * LCALLS / 3 ? CLI_BUF : 0);
	}
	CHECK_OK(t_wait(srv, &ti));
	CHECK_OK(lm_thread_set_ipc_buffer(srv, 0));
}

TEST(fastpath_long_messages_match_the_general_path)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0);
	lm_cptr_t f = t_frame_at(T_VA_PAGE(0), RW), g = t_frame_at(T_VA_PAGE(1), RW);
	lm_u64 out[LM_SYS_NOUT], hits0, hits1, hits2;

	CHECK(ep && f && g);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	hits0 = out[1];
	lrun = 0;
	long_run(ep, f, g);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 0, 0, 0, 0, 0, out), LM_OK);
	hits1 = out[1];
	lrun = 1;
	long_run(ep, f, g);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	hits2 = out[1];
	CHECK(hits1 - hits0 >= LCALLS); /* the first run's long calls went fast */
	CHECK_EQ(hits2, hits1);
	for (int i = 0; i < LCALLS; i++) {
		CHECK_EQ(by_client[0][i].rax, LM_OK);
		CHECK_EQ(by_server[0][i].rax, LM_OK);
		for (int k = 0; k < LM_SYS_NOUT; k++) {
			CHECK_EQ(by_client[0][i].out[k], by_client[1][i].out[k]);
			CHECK_EQ(by_server[0][i].out[k], by_server[1][i].out[k]);
		}
		for (int k = LM_MSG_REG_WORDS; k < LM_MSG_MAX_WORDS; k++) {
			CHECK_EQ(by_client[0][i].words[k], by_client[1][i].words[k]);
			CHECK_EQ(by_server[0][i].words[k], by_server[1][i].words[k]);
		}
	}
	/* Spot checks: a long call arrives whole, and its reply; without the
	 * client's buffer both are cut to 4 words. */
	CHECK_EQ(LM_MSG_LEN(by_server[0][LCALLS / 2].out[1]), 5 + (LCALLS / 2) * 59 / (LCALLS - 1));
	CHECK_EQ(by_server[0][1].words[5], 1ull << 16 | 5);
	CHECK_EQ(by_client[0][1].words[5], (1ull << 16 | 5) + 1);
	CHECK_EQ(LM_MSG_LEN(by_server[0][LCALLS - 1].out[1]), LM_MSG_REG_WORDS);
	CHECK_EQ(LM_MSG_LEN(by_client[0][LCALLS - 1].out[1]), LM_MSG_REG_WORDS);
}
