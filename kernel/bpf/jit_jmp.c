/*
 * The JIT's control flow: jumps, local calls, helper calls and exit.
 *
 * A local call is a native call: the caller pushes r6-r9 and r10 (the
 * interpreter keeps them in its frame record), moves r10 down one 512-byte
 * frame, and calls the target; eBPF exit is `ret`, which at depth 0 returns
 * to the prologue (jit.c). In checked mode the depth is checked against
 * BPF_MAX_FRAMES before the call, so the native stack grows at most
 * 8 x 48 bytes, and each call and each backward jump taken costs one unit
 * of the budget, so every loop ends.
 */
#include "jit_int.h"

static const u8 jcc_of[16] = {
	[LM_BPF_JEQ >> 4] = CC_E, [LM_BPF_JGT >> 4] = CC_A, [LM_BPF_JGE >> 4] = CC_AE,
	[LM_BPF_JSET >> 4] = CC_NE, [LM_BPF_JNE >> 4] = CC_NE, [LM_BPF_JSGT >> 4] = CC_G,
	[LM_BPF_JSGE >> 4] = CC_GE, [LM_BPF_JLT >> 4] = CC_B, [LM_BPF_JLE >> 4] = CC_BE,
	[LM_BPF_JSLT >> 4] = CC_L, [LM_BPF_JSLE >> 4] = CC_LE,
};

/* Go to instruction pc + 1 + rel if cc holds (CC_ALWAYS: always). */
static void jump(struct jit *j, int cc, i64 rel)
{
	struct emit *e = &j->body;
	i64 t = (i64)j->pc + 1 + rel;
	u64 skip = 0;

	if (!jit_checked(j) || t < 0 || t > (i64)j->pc) {
		if (cc == CC_ALWAYS)
			x86_jmp(e, jit_target(j, rel));
		else
			x86_jcc(e, cc, jit_target(j, rel));
		return;
	}
	/* Backward, checked: count it when it is taken. */
	if (cc != CC_ALWAYS)
		skip = x86_jcc8(e, cc ^ 1);       /* the opposite condition */
	jit_budget(j);
	x86_jmp(e, jit_target(j, rel));
	if (cc != CC_ALWAYS)
		x86_land(e, skip);
}

static void cond_jump(struct jit *j, const struct lm_bpf_insn *i)
{
	struct emit *e = &j->body;
	int w = LM_BPF_CLASS(i->op) == LM_BPF_JMP, x = (i->op & LM_BPF_X) != 0;
	int d = bpf_jit_reg[LM_BPF_DST(i)], s = bpf_jit_reg[LM_BPF_SRC(i)];

	if (LM_BPF_OPER(i->op) == LM_BPF_JSET) {
		if (x)
			x86_test_rr(e, w, d, s);
		else
			x86_test_ri(e, w, d, i->imm);
	} else if (x) {
		x86_alu_rr(e, w, ALU_CMP, d, s);
	} else {
		x86_alu_ri(e, w, ALU_CMP, d, i->imm);
	}
	jump(j, jcc_of[LM_BPF_OPER(i->op) >> 4], i->off);
}

static const u8 call_saved[] = { RBX, R13, R14, R15, RBP };   /* r6-r9, r10 */

static void call_local(struct jit *j, const struct lm_bpf_insn *i)
{
	struct emit *e = &j->body;

	if (jit_checked(j)) {
		x86_op(e, X_W | X_MEM, 0x3b, RBP, R_STATE, ST(call_min));    /* cmp rbp, [] */
		jit_fail_if(j, CC_B, BPF_EDEPTH);
		jit_budget(j);
	}
	for (u32 k = 0; k < sizeof(call_saved); k++)
		x86_push(e, call_saved[k]);
	x86_alu_ri(e, 1, ALU_SUB, RBP, LM_BPF_STACK);
	if (jit_checked(j))
		x86_call(e, j->zero_frame);   /* a new frame reads as zeros */
	x86_call(e, jit_target(j, i->imm));
	for (u32 k = sizeof(call_saved); k-- > 0;)
		x86_pop(e, call_saved[k]);
}

/*
 * r1-r5 are already the System V arguments and r0 is rax. Checked mode goes
 * through bpf_jit_checked_helper (jit_run.c), which checks the MEM
 * arguments as the interpreter does and flags a refusal in the state.
 * Afterwards r1-r5 read as zero, as in the interpreter: a helper's leftovers
 * in the argument registers never reach the program.
 */
static void call_helper(struct jit *j, const struct lm_bpf_insn *i)
{
	struct emit *e = &j->body;
	const struct bpf_helper *h = &j->helpers->table[(u32)i->imm];

	if (jit_checked(j)) {
		x86_store(e, 1, R_STATE, ST(fp), RBP);
		x86_mov_imm(e, R9, (u64)(uptr)h);
		x86_store(e, 1, R_STATE, ST(helper), R9);
		x86_mov_rr(e, 1, R9, R_STATE);
	}
	x86_alu_ri(e, 1, ALU_SUB, RSP, 8);
	x86_call_abs(e, jit_checked(j) ? (u64)(uptr)bpf_jit_checked_helper : (u64)(uptr)h->fn);
	x86_alu_ri(e, 1, ALU_ADD, RSP, 8);
	if (jit_checked(j)) {
		x86_op(e, X_MEM, 0x83, ALU_CMP, R_STATE, ST(fault));  /* cmp dword [], 0 */
		x86_byte(e, 0);
		jit_fail_if(j, CC_NE, BPF_EMEM);
	}
	for (u32 r = 1; r <= 5; r++)
		x86_alu_rr(e, 0, ALU_XOR, bpf_jit_reg[r], bpf_jit_reg[r]);
}

/* Classes JMP and JMP32, already decoded (jit.c): every target of JA and
 * call is inside the program, every helper exists. */
void jit_jmp(struct jit *j, const struct lm_bpf_insn *i)
{
	int is32 = LM_BPF_CLASS(i->op) == LM_BPF_JMP32;

	switch (LM_BPF_OPER(i->op)) {
	case LM_BPF_JA:
		jump(j, CC_ALWAYS, is32 ? i->imm : i->off);
		return;
	case LM_BPF_CALL:
		if (LM_BPF_SRC(i) == LM_BPF_CALL_LOCAL)
			call_local(j, i);
		else
			call_helper(j, i);
		return;
	case LM_BPF_EXIT:
		x86_byte(&j->body, 0xc3);     /* ret */
		return;
	default:
		cond_jump(j, i);
	}
}
