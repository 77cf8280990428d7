/* PLACEHOLDER, to be replaced by the real verifier (kernel/bpf/verify*.c) at merge. */
/*
 * Structure checks only, so that program objects can be built and tested
 * against the declared API (bpf.h): length, registers, lddw pairs, jump
 * targets, helper numbers, and, for a read-only context, stores through
 * r10 only (so no store can reach the context). Everything else is left to
 * the interpreter's run-time checks, which stop any run that breaks a rule.
 */
#include "bpf.h"

struct bpf_verify_ws { lm_u8 unused; };
const lm_u64 bpf_verify_ws_size = sizeof(struct bpf_verify_ws);

static enum lm_bpf_verr check(const struct lm_bpf_insn *p, lm_u32 n, lm_u32 pc,
			      const struct bpf_verify_cfg *cfg)
{
	const struct lm_bpf_insn *i = &p[pc];
	lm_u8 cls = LM_BPF_CLASS(i->op), dst = LM_BPF_DST(i), src = LM_BPF_SRC(i);
	long target = (long)pc + 1 + i->off;

	if (dst > 10 || src > 10)
		return LM_BPF_V_REG;
	if ((cls == LM_BPF_ALU || cls == LM_BPF_ALU64 || cls == LM_BPF_LDX || cls == LM_BPF_LD) &&
	    dst == 10)
		return LM_BPF_V_WRITE_R10;
	if ((cls == LM_BPF_ST || cls == LM_BPF_STX) && !cfg->ctx_writable && dst != 10)
		return LM_BPF_V_BAD_ACCESS;
	if (cls != LM_BPF_JMP && cls != LM_BPF_JMP32)
		return LM_BPF_V_OK;
	lm_u8 oper = LM_BPF_OPER(i->op);
	if (oper == LM_BPF_EXIT)
		return LM_BPF_V_OK;
	if (oper == LM_BPF_CALL) {
		const struct bpf_helpers *h = cfg->helpers;
		if (src == LM_BPF_CALL_LOCAL)
			target = (long)pc + 1 + i->imm;
		else if (!h || (lm_u32)i->imm >= h->count || !h->table[i->imm].fn)
			return LM_BPF_V_HELPER;
		else
			return LM_BPF_V_OK;
	} else if (cls == LM_BPF_JMP32 && oper == LM_BPF_JA) {
		target = (long)pc + 1 + i->imm;
	}
	if (target < 0 || target >= (long)n)
		return LM_BPF_V_JUMP_RANGE;
	return LM_BPF_V_OK;
}

enum lm_bpf_verr bpf_verify(struct bpf_verify_ws *ws, const struct lm_bpf_insn *prog,
			    lm_u32 n, const struct bpf_verify_cfg *cfg,
			    struct bpf_verify_result *res)
{
	enum lm_bpf_verr e = LM_BPF_V_OK;
	lm_u32 pc = 0;

	if (n == 0 || n > LM_BPF_MAX_INSNS)
		e = LM_BPF_V_TOO_LONG;
	for (; !e && pc < n; pc++) {
		if (prog[pc].op == LM_BPF_LDDW) {
			if (pc + 1 >= n || prog[pc + 1].op || prog[pc + 1].regs || prog[pc + 1].off)
				e = LM_BPF_V_LDDW;
			else if ((e = check(prog, n, pc, cfg)) == LM_BPF_V_OK)
				pc++;
			if (e)
				break;
			continue;
		}
		e = check(prog, n, pc, cfg);
		if (e)
			break;
	}
	lm_u8 last = e ? 0 : prog[n - 1].op;
	if (!e && last != (LM_BPF_JMP | LM_BPF_EXIT) && last != (LM_BPF_JMP | LM_BPF_JA) &&
	    last != (LM_BPF_JMP32 | LM_BPF_JA))
		e = LM_BPF_V_FALL_OFF, pc = n - 1;
	res->err = e;
	res->pc = e ? pc : 0;
	res->work = pc;
	res->stack = 0;
	return e;
}

const char *bpf_verify_strerror(enum lm_bpf_verr err)
{
	return err == LM_BPF_V_OK ? "ok" : "refused (placeholder verifier)";
}
