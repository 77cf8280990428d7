/* PLACEHOLDER verifier, for the jit branch only: the real one (verify*.c) is being written on
 * the verify branch and replaces this file when the branches merge.
 *
 * It accepts only programs that are safe for the JIT's verified mode
 * without any analysis: no loads, stores or atomics, no calls, no jump
 * backwards (so no loop), every register r0-r10. The fuzz target
 * (tests/fuzz/bpf_fuzz.c) needs bpf_verify to exist to run its flow.
 */
#include "kernel.h"
#include "bpf.h"

struct bpf_verify_ws {
	u8 unused;
};

const lm_u64 bpf_verify_ws_size = sizeof(struct bpf_verify_ws);

static enum lm_bpf_verr check(const struct lm_bpf_insn *i, u32 pc, u32 n)
{
	u8 cls = LM_BPF_CLASS(i->op);
	i64 rel = cls == LM_BPF_JMP32 && LM_BPF_OPER(i->op) == LM_BPF_JA ? i->imm : i->off;

	if (LM_BPF_DST(i) > 10 || LM_BPF_SRC(i) > 10)
		return LM_BPF_V_REG;
	if (cls == LM_BPF_LDX || cls == LM_BPF_ST || cls == LM_BPF_STX)
		return LM_BPF_V_BAD_ACCESS;
	if (cls != LM_BPF_JMP && cls != LM_BPF_JMP32)
		return LM_BPF_V_OK;
	if (LM_BPF_OPER(i->op) == LM_BPF_CALL)
		return LM_BPF_V_HELPER;
	if (LM_BPF_OPER(i->op) == LM_BPF_EXIT)
		return LM_BPF_V_OK;
	if ((i64)pc + 1 + rel <= (i64)pc)
		return LM_BPF_V_LOOP;
	return (i64)pc + 1 + rel < (i64)n ? LM_BPF_V_OK : LM_BPF_V_JUMP_RANGE;
}

enum lm_bpf_verr bpf_verify(struct bpf_verify_ws *ws, const struct lm_bpf_insn *prog,
			    lm_u32 n, const struct bpf_verify_cfg *cfg,
			    struct bpf_verify_result *res)
{
	res->err = n == 0 || n > LM_BPF_MAX_INSNS ? LM_BPF_V_TOO_LONG : LM_BPF_V_OK;
	res->pc = 0;
	res->work = 0;
	res->stack = 0;
	for (u32 pc = 0; pc < n && res->err == LM_BPF_V_OK; pc++) {
		res->pc = pc;
		res->err = check(&prog[pc], pc, n);
		res->work++;
	}
	if (res->err == LM_BPF_V_OK)
		res->pc = 0;
	return res->err;
}

const char *bpf_verify_strerror(enum lm_bpf_verr err)
{
	return err == LM_BPF_V_OK ? "ok" : "refused by the placeholder verifier";
}
