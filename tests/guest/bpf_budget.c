/* The instruction budget of each hook (BPF_RUN, a system-call filter, a
 * wake-up predicate) is the same whichever engine runs the program: a
 * verified loop that runs exactly the budget finishes, JIT'ed and
 * interpreted; one instruction more stops it, in both, with the hook's
 * error. The verifier (LM_BPF_MAX_WORK) accepts loops longer than either
 * budget, so the budget, not the verifier, is what bounds a run. */
#include "bpf_util.h"

#define CN   LM_SLOT_CNODE
#define PAGE T_VA_PAGE(0)
#define JLT_K(d, k, off) I_(LM_BPF_JMP | LM_BPF_JLT | LM_BPF_K, d, 0, off, k)

static struct lm_bpf_insn prog[2048];

/*
 * [MOV r0 = 0 if longer] pre, then r5 = 0 and a loop of `body` additions
 * to r2 and r5 += 1 while r5 < rounds, then post. Run through once, it
 * takes longer + npre + 1 + rounds * (body + 2) + npost instructions.
 */
static lm_u32 looping(int longer, const struct lm_bpf_insn *pre, lm_u32 npre, lm_u32 body,
		      lm_u32 rounds, const struct lm_bpf_insn *post, lm_u32 npost)
{
	lm_u32 n = 0;
	if (longer)
		prog[n++] = (struct lm_bpf_insn)MOV_K(0, 0);
	for (lm_u32 k = 0; k < npre; k++)
		prog[n++] = pre[k];
	prog[n++] = (struct lm_bpf_insn)MOV_K(5, 0);
	for (lm_u32 k = 0; k < body; k++)
		prog[n++] = (struct lm_bpf_insn)ADD_K(2, 1);
	prog[n++] = (struct lm_bpf_insn)ADD_K(5, 1);
	prog[n++] = (struct lm_bpf_insn)JLT_K(5, rounds, -(int)(body + 2));
	for (lm_u32 k = 0; k < npost; k++)
		prog[n++] = post[k];
	return n;
}

/* prog (n instructions) loaded as type into an object with room for its
 * code (16 KiB, 32 KiB above 1,000 instructions), JIT'ed or not (and
 * checked to be so); 0 on failure (recorded). */
static lm_cptr_t load(lm_u32 type, lm_u32 n, lm_u64 ctx, int jit)
{
	struct lm_bpf_load_info info;
	lm_cptr_t o = t_new(LM_OBJ_BPF, n > 1000 ? 15 : 14);
	if (!o)
		return 0;
	int err = lm_bpf_load_flags(o, type, prog, n, ctx, jit ? 0 : LM_BPF_LOAD_NOJIT, &info);
	if (err) {
		t_fail(__FILE__, __LINE__, "loading %u instructions: %s (reason %lu at %lu, work %lu)",
		       n, lm_err_str(err), info.why, info.pc, info.work);
		return 0;
	}
	if (jit && !info.jit_bytes)
		t_fail(__FILE__, __LINE__, "not JIT'ed");
	return o;
}

static void drop(lm_cptr_t o)
{
	if (o)
		CHECK_OK(lm_cnode_delete(CN, o));
}

/* 3 + 71 x 923 = 65,536 = LM_BPF_RUN_BUDGET; r0 = rounds. */
TEST(bpf_budget_run_exactly_the_budget_finishes_one_more_is_ELIMIT_in_both_engines)
{
	static const struct lm_bpf_insn post[] = { MOV_X(0, 5), EXIT() };
	LM_STATIC_ASSERT(3 + 71 * (921 + 2) == LM_BPF_RUN_BUDGET, "the loop's length");
	for (int jit = 0; jit <= 1; jit++)
		for (int longer = 0; longer <= 1; longer++) {
			lm_u32 n = looping(longer, NULL, 0, 921, 71, post, 2);
			lm_cptr_t p = load(LM_BPF_PROG_MEM, n, 8, jit);
			lm_u64 buf = 0, r0 = 0, steps = 1;
			CHECK(p);
			int err = lm_bpf_run_repeat(p, &buf, 8, 1, &r0, &steps);
			if (longer) {
				CHECK_ERR(err, LM_ELIMIT);
			} else {
				CHECK_OK(err);
				CHECK_EQ(r0, 71);
				CHECK_EQ(steps, jit ? 0 : LM_BPF_RUN_BUDGET);
			}
			drop(p);
		}
}

/* A filter that makes THREAD_YIELD run 6 + 10 x 409 = 4,096 =
 * LM_BPF_EVAL_BUDGET instructions before it allows it (reading an
 * argument, so the decision cache cannot answer), everything else at
 * once. */
static lm_word_t yield_once(lm_word_t a)
{
	return 0x100 + (lm_u64)lm_thread_yield();
}

TEST(bpf_budget_filter_exactly_the_budget_allows_one_more_denies_in_both_engines)
{
	static const struct lm_bpf_insn pre[] = {
		LDXDW(3, 1, CTX_NR), JNE_K(3, LM_SYS_THREAD_YIELD, 407 + 4), LDXDW(4, 1, CTX_ARG(0)),
	};
	static const struct lm_bpf_insn post[] = { MOV_K(0, LM_BPF_SYS_ALLOW), EXIT() };
	LM_STATIC_ASSERT(3 + 1 + 10 * (407 + 2) + 2 == LM_BPF_EVAL_BUDGET, "the loop's length");
	for (int jit = 0; jit <= 1; jit++)
		for (int longer = 0; longer <= 1; longer++) {
			lm_u32 n = looping(longer, pre, NINSNS(pre), 407, 10, post, 2);
			lm_cptr_t p = load(LM_BPF_PROG_SYSCALL, n, 0, jit);
			lm_cptr_t t = t_thread_new();
			struct lm_thread_info ti;
			CHECK(p && t);
			CHECK_OK(lm_thread_set_filter(t, p));
			CHECK_OK(lm_thread_start(t, yield_once, 0, t_stack(), T_PRIO));
			CHECK_OK(t_wait(t, &ti));
			CHECK_EQ(ti.state, LM_TS_EXITED);  /* THREAD_EXIT: allowed at once */
			/* out of budget: the run breaks a rule, the filter denies */
			CHECK_EQ(ti.exit_code, 0x100 + (longer ? LM_ERIGHTS : LM_OK));
			drop(t);
			drop(p);
		}
}

/* A predicate true after 1 + 1 + 12 x 341 + 2 = 4,096 = LM_BPF_EVAL_BUDGET
 * instructions: BPF_WAIT returns at once; one more ends the wait with
 * LM_ELIMIT at the call. */
TEST(bpf_budget_predicate_exactly_the_budget_holds_one_more_is_ELIMIT_in_both_engines)
{
	static const struct lm_bpf_insn pre[] = { LDXDW(3, 1, 0) };
	static const struct lm_bpf_insn post[] = { MOV_K(0, 1), EXIT() };
	LM_STATIC_ASSERT(1 + 1 + 12 * (339 + 2) + 2 == LM_BPF_EVAL_BUDGET, "the loop's length");
	CHECK(t_frame_at(PAGE, LM_R_READ | LM_R_WRITE));
	for (int jit = 0; jit <= 1; jit++)
		for (int longer = 0; longer <= 1; longer++) {
			lm_u32 n = looping(longer, pre, NINSNS(pre), 339, 12, post, 2);
			lm_cptr_t p = load(LM_BPF_PROG_PREDICATE, n, 0, jit);
			lm_u64 r0 = 0;
			CHECK(p);
			int err = lm_bpf_wait(p, PAGE, 0, &r0);
			if (longer) {
				CHECK_ERR(err, LM_ELIMIT);
			} else {
				CHECK_OK(err);
				CHECK_EQ(r0, 1);
			}
			drop(p);
		}
}

/* The verifier accepts a loop of about 96,000 instructions (its work
 * bound counts each instruction of each round once, and a round's loop
 * check): more than either budget. Both engines stop it. */
TEST(bpf_budget_bounds_a_verified_loop_longer_than_any_budget)
{
	static const struct lm_bpf_insn post[] = { MOV_X(0, 5), EXIT() };
	for (int jit = 0; jit <= 1; jit++) {
		lm_u32 n = looping(0, NULL, 0, 1996, 48, post, 2);   /* 95,907 */
		lm_cptr_t p = load(LM_BPF_PROG_MEM, n, 8, jit);
		lm_u64 buf = 0;
		CHECK(p);
		CHECK_ERR(lm_bpf_run(p, &buf, 8, NULL), LM_ELIMIT);
		drop(p);
	}
}
