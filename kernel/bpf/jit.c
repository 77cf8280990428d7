/*
 * The eBPF JIT's driver: the layout of the code, the two passes, and the
 * static half of the interpreter's checks.
 *
 * Code layout:
 *
 *   prologue     save rbx, rbp, r12-r15; load r1, r2, r10; store the
 *                budget if compiled in (counted programs); zero the rest;
 *                call instruction 0, so that eBPF exit is always `ret`
 *   epilogue     restore and return r0
 *   err_common   record the fault (r11d), unwind rsp, go to the epilogue
 *   zero_frame   clear the 512 bytes below rbp (checked mode)
 *   body         the instructions in order, each block of a counted
 *                program (verified mode) paying its length to the budget
 *                first; offs[n]: the run-off-the-end exit
 *   stubs        per instruction, one exit per error it can raise:
 *                mov r11d, pc << 8 | err; jmp err_common
 *
 * Every jump is rel32, so no instruction's size depends on a distance: the
 * first pass only counts (and records where each instruction starts), the
 * second writes the same bytes with every target known.
 *
 * An instruction the interpreter would refuse whatever the registers hold
 * (bad opcode, register, jump target, helper) becomes its error exit, so
 * the translators in jit_alu.c, jit_mem.c and jit_jmp.c only see valid
 * instructions.
 */
#include "jit_int.h"

LM_STATIC_ASSERT((u64)BPF_JIT_MAX_INSNS * BPF_JIT_INSN_MAX_VERIFIED + BPF_JIT_FIXED_MAX < BLOCK_START,
		 "verified code offsets leave BLOCK_START free");

const u8 bpf_jit_reg[LM_BPF_NREGS] = {
	RAX, RDI, RSI, RDX, RCX, R8, RBX, R13, R14, R15, RBP,
};

/* --- which instructions the interpreter refuses statically ----------------- */

static enum bpf_err store_err(const struct lm_bpf_insn *i)
{
	u8 size = LM_BPF_SIZE(i->op);

	if (LM_BPF_CLASS(i->op) != LM_BPF_STX || LM_BPF_MODE(i->op) != LM_BPF_ATOMIC)
		return LM_BPF_MODE(i->op) == LM_BPF_MEM ? BPF_OK : BPF_EOPCODE;
	if ((size != LM_BPF_W && size != LM_BPF_DW) || !bpf_atomic_op_ok(i->imm))
		return BPF_EOPCODE;
	if ((i->imm & LM_BPF_FETCH) && i->imm != LM_BPF_CMPXCHG && LM_BPF_SRC(i) == 10)
		return BPF_EREG;
	return BPF_OK;
}

static enum bpf_err alu_err(const struct lm_bpf_insn *i)
{
	u8 oper = LM_BPF_OPER(i->op);
	int is64 = LM_BPF_CLASS(i->op) == LM_BPF_ALU64, x = (i->op & LM_BPF_X) != 0;

	if (LM_BPF_DST(i) == 10)
		return BPF_EREG;
	if (oper == LM_BPF_END)
		return (i->imm != 16 && i->imm != 32 && i->imm != 64) || i->off ||
		       (is64 && x) ? BPF_EOPCODE : BPF_OK;
	if (oper > LM_BPF_END || (oper == LM_BPF_NEG && x))
		return BPF_EOPCODE;
	if (oper == LM_BPF_DIV || oper == LM_BPF_MOD)
		return i->off == 0 || i->off == 1 ? BPF_OK : BPF_EOPCODE;
	if (oper == LM_BPF_MOV)
		return i->off == 0 || (x && (i->off == 8 || i->off == 16 || (is64 && i->off == 32)))
		       ? BPF_OK : BPF_EOPCODE;
	return i->off == 0 ? BPF_OK : BPF_EOPCODE;
}

static int in_prog(const struct jit *j, u32 pc, i64 rel)
{
	i64 t = (i64)pc + 1 + rel;
	return t >= 0 && t < (i64)j->n;
}

static enum bpf_err jmp_err(const struct jit *j, u32 pc, const struct lm_bpf_insn *i)
{
	int is32 = LM_BPF_CLASS(i->op) == LM_BPF_JMP32, x = (i->op & LM_BPF_X) != 0;
	const struct bpf_helpers *h = j->helpers;

	switch (LM_BPF_OPER(i->op)) {
	case LM_BPF_JA:
		if (x)
			return BPF_EOPCODE;
		return in_prog(j, pc, is32 ? i->imm : i->off) ? BPF_OK : BPF_EJUMP;
	case LM_BPF_CALL:
		if (is32 || x)
			return BPF_EOPCODE;
		if (LM_BPF_SRC(i) == LM_BPF_CALL_LOCAL)
			return in_prog(j, pc, i->imm) ? BPF_OK : BPF_EJUMP;
		if (LM_BPF_SRC(i) != LM_BPF_CALL_HELPER)
			return BPF_EOPCODE;
		if (!h || (u32)i->imm >= h->count || !h->table[(u32)i->imm].fn)
			return BPF_EHELPER;
		return BPF_OK;
	case LM_BPF_EXIT:
		return is32 || x ? BPF_EOPCODE : BPF_OK;
	case 0xe0:
	case 0xf0:
		return BPF_EOPCODE;
	}
	return BPF_OK;
}

/* The error the interpreter stops with at pc whatever the registers hold,
 * checked in the interpreter's order; BPF_OK if it runs the instruction. */
static enum bpf_err decode_err(const struct jit *j, u32 pc)
{
	const struct lm_bpf_insn *i = &j->prog[pc], *hi = i + 1;

	if (LM_BPF_DST(i) > 10 || LM_BPF_SRC(i) > 10)
		return BPF_EREG;
	if (!bpf_fields_ok(i))
		return BPF_EOPCODE;
	switch (LM_BPF_CLASS(i->op)) {
	case LM_BPF_LD:
		if (i->op != LM_BPF_LDDW || LM_BPF_SRC(i) != 0 || i->off != 0)
			return BPF_EOPCODE;
		if (LM_BPF_DST(i) == 10)
			return BPF_EREG;
		if (pc + 1 >= j->n || hi->op != 0 || hi->regs != 0 || hi->off != 0)
			return BPF_ELDDW;
		return BPF_OK;
	case LM_BPF_LDX:
		if (LM_BPF_MODE(i->op) != LM_BPF_MEM &&
		    !(LM_BPF_MODE(i->op) == LM_BPF_MEMSX && LM_BPF_SIZE(i->op) != LM_BPF_DW))
			return BPF_EOPCODE;
		return LM_BPF_DST(i) == 10 ? BPF_EREG : BPF_OK;
	case LM_BPF_ST:
	case LM_BPF_STX:
		return store_err(i);
	case LM_BPF_ALU:
	case LM_BPF_ALU64:
		return alu_err(i);
	default:
		return jmp_err(j, pc, i);
	}
}

/* Is t the second slot of an lddw the interpreter runs? Jumping there
 * runs that slot as an instruction: opcode 0, refused. */
static int lddw_tail(const struct jit *j, u32 t)
{
	return t > 0 && j->prog[t - 1].op == LM_BPF_LDDW && decode_err(j, t - 1) == BPF_OK;
}

/* --- error exits ------------------------------------------------------------ */

static u64 stub_for(struct jit *j, u32 pc, enum bpf_err err)
{
	u64 at = j->stubs.pos;

	x86_mov_imm(&j->stubs, R11, (u64)pc << 8 | err);
	x86_jmp(&j->stubs, j->err_common);
	return at;
}

/* The current instruction's exit for err, made the first time it is asked for. */
static u64 stub(struct jit *j, enum bpf_err err)
{
	if (j->stub_at[err] == NO_STUB)
		j->stub_at[err] = stub_for(j, j->pc, err);
	return j->stub_at[err];
}

void jit_fail_if(struct jit *j, enum x86_cc cc, enum bpf_err err)
{
	x86_jcc(&j->body, cc, stub(j, err));
}

void jit_fail(struct jit *j, enum bpf_err err)
{
	x86_jmp(&j->body, stub(j, err));
}

/* Where control goes for a jump or call to instruction t: its code, the
 * exit for t's refusal if t is an lddw's second slot, or the current
 * instruction's EJUMP exit if t is outside the program. */
u64 jit_target(struct jit *j, i64 rel)
{
	i64 t = (i64)j->pc + 1 + rel;

	if (t < 0 || t >= (i64)j->n)
		return stub(j, BPF_EJUMP);
	if (lddw_tail(j, (u32)t))
		return stub_for(j, (u32)t, BPF_EOPCODE);
	return j->offs[t] & ~BLOCK_START;
}

/* Checked mode: one more backward jump or call, BPF_EBUDGET if none is left. */
void jit_budget(struct jit *j)
{
	x86_alu_mi(&j->body, ALU_SUB, R_STATE, ST(budget), 1);
	jit_fail_if(j, CC_B, BPF_EBUDGET);
}

/* --- the instruction budget of verified code -------------------------------
 *
 * The interpreter counts every instruction it runs and stops the run that
 * would take more than its budget. Verified code does the same without a
 * count per instruction: a block (from a jump target, the instruction after
 * a jump, call or exit, or instruction 0, up to the next such) runs whole
 * once entered, so its length is taken from the budget on entry, and the
 * run stops (BPF_EBUDGET, at the block's first instruction) when the budget
 * cannot pay for it, that is exactly when the interpreter's run would take
 * more than the budget. The outcome is the interpreter's: the same runs
 * finish, with the same r0 and count (res->steps); only the instruction a
 * stopped run reports and the stores it made before it stopped may differ.
 *
 * A program with no backward jump and no local call runs each instruction
 * at most once, n at most: it is not counted at all (no cost), and the
 * caller gives it a budget of at least n (the kernel's budgets are at least
 * LM_BPF_MAX_INSNS).
 */

/* Slots the instruction at pc takes: 2 for an lddw the JIT translates. */
static u32 slots_at(const struct jit *j, u32 pc)
{
	return j->prog[pc].op == LM_BPF_LDDW && decode_err(j, pc) == BPF_OK ? 2 : 1;
}

static void mark(struct jit *j, int marking, i64 t)
{
	if (marking && t >= 0 && t < (i64)j->n)
		j->offs[t] |= BLOCK_START;
}

/* Does the program loop or call (it is counted then)? If marking, mark in
 * offs where blocks start. An instruction that would be an error exit may
 * split a block needlessly or make a program counted: never wrong, since
 * a block still runs whole or not at all. */
static int scan_blocks(struct jit *j, int marking)
{
	int counted = 0;

	mark(j, marking, 0);
	for (u32 pc = 0; pc < j->n; pc += slots_at(j, pc)) {
		const struct lm_bpf_insn *i = &j->prog[pc];
		u8 cls = LM_BPF_CLASS(i->op), oper = LM_BPF_OPER(i->op);
		i64 rel;

		if (cls != LM_BPF_JMP && cls != LM_BPF_JMP32)
			continue;
		if (oper == LM_BPF_CALL && LM_BPF_SRC(i) != LM_BPF_CALL_LOCAL)
			continue;   /* a helper: the block goes on after it */
		mark(j, marking, (i64)pc + 1);
		if (oper == LM_BPF_EXIT)
			continue;
		rel = oper == LM_BPF_CALL || (oper == LM_BPF_JA && cls == LM_BPF_JMP32) ? i->imm : i->off;
		mark(j, marking, (i64)pc + 1 + rel);
		counted |= oper == LM_BPF_CALL || rel < 0;
	}
	return counted;
}

int bpf_jit_counts(const struct lm_bpf_insn *prog, lm_u32 n, const struct bpf_helpers *helpers)
{
	struct jit j = { .prog = prog, .n = n, .helpers = helpers };

	return scan_blocks(&j, 0);
}

/* The instructions (an lddw is one) of the block starting at pc. */
static u32 block_len(const struct jit *j, u32 pc)
{
	u32 len = 0;

	do {
		pc += slots_at(j, pc);
		len++;
	} while (pc < j->n && !(j->offs[pc] & BLOCK_START));
	return len;
}

static void jit_charge(struct jit *j, u32 insns)
{
	x86_alu_mi(&j->body, ALU_SUB, R_STATE, ST(budget), (int)insns);
	jit_fail_if(j, CC_B, BPF_EBUDGET);
}

/* --- prologue and shared routines ------------------------------------------- */

static const u8 saved_regs[] = { RBP, RBX, R12, R13, R14, R15 };

/* Positions of zero_frame and of the body come from the sizing pass (the
 * same in both passes); the prologue only needs them in the final one. */
static void emit_prologue(struct jit *j)
{
	struct emit *e = &j->body;
	u64 epilogue, loop;

	for (u32 k = 0; k < sizeof(saved_regs); k++)
		x86_push(e, saved_regs[k]);
	x86_mov_rr(e, 1, R_STATE, RDI);
	x86_store(e, 1, R_STATE, ST(saved_rsp), RSP);
	x86_load(e, 1, RDI, R_STATE, ST(mem));
	x86_load(e, 1, RSI, R_STATE, ST(len));
	x86_load(e, 1, RBP, R_STATE, ST(top));
	if (j->budget && (j->offs[0] & BLOCK_START)) {   /* counted: its budget */
		x86_mov_imm(e, R11, j->budget);
		x86_store(e, 1, R_STATE, ST(budget), R11);
	}
	/* The interpreter's registers start at zero: so do these. */
	for (u32 r = 0; r < LM_BPF_NREGS; r++)
		if (r != 1 && r != 2 && r != 10)
			x86_alu_rr(e, 0, ALU_XOR, bpf_jit_reg[r], bpf_jit_reg[r]);
	if (jit_checked(j))
		x86_call(e, j->zero_frame);
	x86_alu_ri(e, 1, ALU_SUB, RSP, 8);
	x86_call(e, j->body_start);
	x86_alu_ri(e, 1, ALU_ADD, RSP, 8);

	epilogue = e->pos;
	for (u32 k = sizeof(saved_regs); k-- > 0;)
		x86_pop(e, saved_regs[k]);
	x86_byte(e, 0xc3);

	j->err_common = e->pos;
	x86_op(e, X_MEM, 0x89, R11, R_STATE, ST(fault));
	x86_load(e, 1, RSP, R_STATE, ST(saved_rsp));
	x86_jmp(e, epilogue);

	/* zero_frame (checked mode): [rbp - 512, rbp) = 0, eight stores a
	 * round, with r9-r11 (rep stosq needs eBPF r0, r1 and r4, and measured
	 * slower: with it the checked packet filter of tools/bpf/bpf-bench.c
	 * ran 2.6-3.6x the interpreter's speed, with this loop 4.4-4.7x). */
	j->zero_frame = e->pos;
	if (!jit_checked(j)) {
		j->body_start = e->pos;
		return;
	}
	x86_lea(e, R11, RBP, -LM_BPF_STACK);
	x86_alu_rr(e, 0, ALU_XOR, R10, R10);
	x86_mov_imm(e, R9, LM_BPF_STACK / 64);
	loop = e->pos;
	for (int k = 0; k < 8; k++)
		x86_store(e, 1, R11, 8 * k, R10);
	x86_alu_ri(e, 1, ALU_ADD, R11, 64);
	x86_op(e, 0, 0xff, 1, R9, 0);         /* dec r9d */
	x86_jcc8_back(e, CC_NE, loop);
	x86_byte(e, 0xc3);
	j->body_start = e->pos;
}

/* --- the passes -------------------------------------------------------------- */

/* One instruction; returns the slots it takes (2 for lddw). */
static u32 emit_insn(struct jit *j)
{
	const struct lm_bpf_insn *i = &j->prog[j->pc];
	enum bpf_err err = decode_err(j, j->pc);

	if (err) {
		jit_fail(j, err);
		return 1;
	}
	switch (LM_BPF_CLASS(i->op)) {
	case LM_BPF_LD:
		x86_mov_imm(&j->body, bpf_jit_reg[LM_BPF_DST(i)],
			  (u64)(u32)i->imm | (u64)(u32)i[1].imm << 32);
		return 2;
	case LM_BPF_LDX:
		jit_ldx(j, i);
		return 1;
	case LM_BPF_ST:
	case LM_BPF_STX:
		jit_st(j, i);
		return 1;
	case LM_BPF_ALU:
	case LM_BPF_ALU64:
		jit_alu(j, i);
		return 1;
	default:
		jit_jmp(j, i);
		return 1;
	}
}

/* One pass over the program. The sizing pass (final 0) counts and fills
 * offs; the final one writes the same bytes, its offsets checked against
 * the first's. Returns 0 if a part outgrew its bound in jit.h or the
 * layout changed (a bug: the caller gets no code rather than wrong code). */
static int pass(struct jit *j, int final)
{
	u32 slots;

	emit_prologue(j);
	if (j->body.pos + 11 > BPF_JIT_FIXED_MAX)
		return 0;
	for (j->pc = 0; j->pc < j->n; j->pc += slots) {
		u64 b = j->body.pos, s = j->stubs.pos;

		u32 block = j->offs[j->pc] & BLOCK_START;

		if (final && (j->offs[j->pc] & ~BLOCK_START) != b)
			return 0;
		j->offs[j->pc] = (u32)b | block;
		for (u32 k = 0; k < BPF_NERR; k++)
			j->stub_at[k] = NO_STUB;
		if (block)
			jit_charge(j, block_len(j, j->pc));
		slots = emit_insn(j);
		if (slots == 2)
			j->offs[j->pc + 1] = (u32)j->body.pos | (j->offs[j->pc + 1] & BLOCK_START);
		if ((j->body.pos - b) + (j->stubs.pos - s) > slots * bpf_jit_insn_max(j->mode))
			return 0;
	}
	if (final && j->offs[j->n] != j->body.pos)
		return 0;
	j->offs[j->n] = (u32)j->body.pos;
	x86_mov_imm(&j->body, R11, (u64)j->n << 8 | BPF_EFALL);   /* 6 bytes */
	x86_jmp(&j->body, j->err_common);                         /* 5 */
	return 1;
}

lm_u64 bpf_jit_compile(const struct lm_bpf_insn *prog, lm_u32 n, enum bpf_jit_mode mode,
		       lm_u64 budget, const struct bpf_helpers *helpers, lm_u32 *offs, void *code,
		       lm_u64 cap)
{
	struct jit j = { .prog = prog, .n = n, .mode = mode, .helpers = helpers, .offs = offs,
			 .budget = mode == BPF_JIT_VERIFIED ? budget : 0 };
	u64 body_end;

	if (n > BPF_JIT_MAX_INSNS)
		return 0;
	for (u32 k = 0; k <= n; k++)
		offs[k] = 0;
	if (mode == BPF_JIT_VERIFIED && scan_blocks(&j, 0))
		scan_blocks(&j, 1);
	if (!pass(&j, 0))
		return 0;
	body_end = j.body.pos;
	j.body = (struct emit){ .buf = code, .cap = cap };
	j.stubs = (struct emit){ .buf = code, .cap = cap, .pos = body_end };
	if (!pass(&j, 1) || j.body.pos != body_end || j.body.full || j.stubs.full)
		return 0;
	return j.stubs.pos;
}
