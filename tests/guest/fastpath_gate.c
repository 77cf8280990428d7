/* The IPC fast paths and a thread's gate: SYSCALL entry calls the fast
 * paths itself only for a thread with no gate, so a filtered thread's
 * calls reach them after its filter has seen them (syscall.c,
 * syscall_gate): a call the filter allows still takes the fast path, and
 * one it denies never gets past it. */
#include "harness.h"
#include "bpf_util.h"

#define FP_CALLS 8

static const struct lm_bpf_insn allow_all[] = { MOV_K(0, LM_BPF_SYS_ALLOW), EXIT() };
/* EP_CALL is denied with LM_ENOENT, everything else allowed. */
static const struct lm_bpf_insn deny_call[] = {
	LDXDW(2, 1, CTX_NR), MOV_K(0, LM_BPF_SYS_ALLOW), JNE_K(2, LM_SYS_EP_CALL, 1),
	MOV_K(0, DENY(LM_ENOENT)), EXIT(),
};

static lm_cptr_t gate_ep;

static lm_u64 fastpath_hits(void)
{
	lm_u64 out[LM_SYS_NOUT];
	if (lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out) != LM_OK)
		return 0;
	return out[1];
}

/* Answers FP_CALLS calls with word 0 + 1, the last by EP_REPLY. */
static lm_word_t adder(lm_word_t ep)
{
	lm_u64 out[LM_SYS_NOUT];
	lm_u64 r = lm_syscall6(LM_SYS_EP_RECV, ep, 0, 0, 0, 0, 0, out);
	for (int i = 0; i < FP_CALLS && r == LM_OK; i++) {
		lm_u64 nr = i < FP_CALLS - 1 ? LM_SYS_EP_REPLY_RECV : LM_SYS_EP_REPLY;
		r = lm_syscall6(nr, ep, LM_MSG_INFO(1, 1, 0), out[2] + 1, 0, 0, 0, out);
	}
	return r;
}

/* Calls gate_ep FP_CALLS times; exits with how many calls returned the
 * error arg (LM_OK: with the right answer). */
static lm_word_t caller(lm_word_t err)
{
	lm_u64 out[LM_SYS_NOUT], n = 0;
	for (lm_u64 i = 0; i < FP_CALLS; i++) {
		lm_u64 r = lm_syscall6(LM_SYS_EP_CALL, gate_ep, LM_MSG_INFO(2, 1, 0), 100 + i, 0, 0, 0, out);
		n += r == err && (err != LM_OK || out[2] == 101 + i);
	}
	return n;
}

static int run_filtered(lm_cptr_t prog, lm_word_t arg, struct lm_thread_info *ti)
{
	lm_cptr_t t = t_thread_new();
	int err;
	if (!t)
		return LM_ENOMEM;
	if ((err = lm_thread_set_filter(t, prog)) || (err = lm_thread_start(t, caller, arg, t_stack(), T_PRIO)))
		return err;
	return t_wait(t, ti);
}

TEST(fastpath_is_taken_by_a_filtered_thread_whose_filter_allows_the_call)
{
	lm_cptr_t prog = t_bpf(LM_BPF_PROG_SYSCALL, allow_all, NINSNS(allow_all), 0);
	struct lm_thread_info ti, si;
	gate_ep = t_new(LM_OBJ_ENDPOINT, 0);
	CHECK(prog && gate_ep);
	lm_u64 hits0 = fastpath_hits();
	lm_cptr_t server = t_thread(adder, gate_ep, T_PRIO);
	CHECK(server);
	CHECK_OK(run_filtered(prog, LM_OK, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, FP_CALLS); /* every answer right */
	CHECK_OK(t_wait(server, &si));
	CHECK_EQ(si.exit_code, LM_OK);
	/* The server's reply-receives take it from entry.S, which could make
	 * FP_CALLS - 1 at most; the filtered client's calls make the rest (the
	 * first may find the server not yet waiting). */
	CHECK(fastpath_hits() - hits0 >= 2 * FP_CALLS - 2);
}

static lm_word_t receive_once(lm_word_t ep)
{
	lm_u64 out[LM_SYS_NOUT];
	lm_u64 r = lm_syscall6(LM_SYS_EP_RECV, ep, 0, 0, 0, 0, 0, out);
	return r == LM_OK ? out[2] : 0xdead;
}

TEST(fastpath_never_takes_a_call_the_filter_denies)
{
	lm_cptr_t prog = t_bpf(LM_BPF_PROG_SYSCALL, deny_call, NINSNS(deny_call), 0);
	struct lm_thread_info ti, si;
	lm_u64 out[LM_SYS_NOUT];
	gate_ep = t_new(LM_OBJ_ENDPOINT, 0);
	CHECK(prog && gate_ep);
	lm_cptr_t server = t_thread(receive_once, gate_ep, T_PRIO);
	CHECK(server);
	lm_u64 hits0 = fastpath_hits();
	CHECK_OK(run_filtered(prog, LM_ENOENT, &ti));
	CHECK_EQ(ti.exit_code, FP_CALLS); /* every call denied */
	CHECK_EQ(fastpath_hits(), hits0);
	/* The server, waiting all along, gets the first message that is let
	 * through: this one. */
	CHECK_EQ(lm_syscall6(LM_SYS_EP_SEND, gate_ep, LM_MSG_INFO(3, 1, 0), 0x77, 0, 0, 0, out), LM_OK);
	CHECK_OK(t_wait(server, &si));
	CHECK_EQ(si.exit_code, 0x77);
}
