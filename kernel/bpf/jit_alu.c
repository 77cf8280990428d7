/*
 * The JIT's arithmetic: classes ALU (32-bit) and ALU64, already decoded.
 *
 * ALU uses x86's 32-bit forms, which zero the upper half of their
 * destination as RFC 9669 asks. Immediates are sign-extended to 64 bits by
 * the x86 forms as by eBPF. Shift counts are masked by the CPU to 63 or 31,
 * as eBPF masks them. Division is the one place x86 would trap: x / 0 and
 * INT_MIN / -1 are done by hand.
 */
#include "jit_int.h"

static void mov(struct emit *e, const struct lm_bpf_insn *i, int w, int d, int s)
{
	int x = (i->op & LM_BPF_X) != 0;

	if (!x)
		x86_mov_imm(e, d, w ? (u64)(i64)i->imm : (u32)i->imm);
	else if (i->off == 0)
		x86_mov_rr(e, w, d, s);       /* even d = s: mov r32, r32 zero-extends */
	else if (i->off == 8)
		x86_op(e, X_B8 | (w ? X_W : 0), 0x0fbe, d, s, 0);    /* movsx r, r8 */
	else if (i->off == 16)
		x86_op(e, w ? X_W : 0, 0x0fbf, d, s, 0);             /* movsx r, r16 */
	else
		x86_op(e, X_W, 0x63, d, s, 0);                        /* movsxd */
}

/* The count must be in cl, and eBPF r4 lives in rcx: save it in r11. */
static void shift(struct emit *e, const struct lm_bpf_insn *i, int w, int d, int s)
{
	static const u8 sh[16] = {
		[LM_BPF_LSH >> 4] = SH_SHL, [LM_BPF_RSH >> 4] = SH_SHR, [LM_BPF_ARSH >> 4] = SH_SAR,
	};
	enum x86_shift op = sh[LM_BPF_OPER(i->op) >> 4];

	if (!(i->op & LM_BPF_X)) {
		x86_shift_ri(e, w, op, d, (u8)(i->imm & (w ? 63 : 31)));
	} else if (s == RCX) {
		x86_shift_cl(e, w, op, d);
	} else {
		x86_mov_rr(e, 1, R11, RCX);
		x86_mov_rr(e, 1, RCX, s);
		x86_shift_cl(e, w, op, d == RCX ? R11 : d);
		x86_mov_rr(e, 1, RCX, R11);
	}
	/* A 32-bit shift zero-extends its destination, but a count of 0 is a
	 * corner (x86 then leaves the flags alone) that the kernel would rely
	 * on every CPU and QEMU's TCG getting right: zero-extend explicitly,
	 * for 3 bytes. */
	if (!w)
		x86_mov_rr(e, 0, d, d);
}

/*
 * div and idiv want the dividend in rdx:rax (eBPF r3:r0), so both are kept
 * in r9 and r10 and the divisor goes to r11. RFC 9669: x / 0 = 0, x % 0 = x;
 * signed x / -1 = -x and x % -1 = 0, which also covers INT_MIN / -1 (it
 * wraps to INT_MIN), the case idiv would trap on.
 */
static void divmod(struct emit *e, const struct lm_bpf_insn *i, int w, int d, int s)
{
	int mod = LM_BPF_OPER(i->op) == LM_BPF_MOD, sgn = i->off == 1;
	unsigned wf = w ? X_W : 0;
	u64 nonzero, other, done0, done1 = 0;

	x86_mov_rr(e, 1, R9, RAX);
	x86_mov_rr(e, 1, R10, RDX);
	if (i->op & LM_BPF_X)
		x86_mov_rr(e, 1, R11, s);
	else
		x86_mov_imm(e, R11, w ? (u64)(i64)i->imm : (u32)i->imm);
	x86_mov_rr(e, 1, RAX, d);
	x86_test_rr(e, w, R11, R11);
	nonzero = x86_jcc8(e, CC_NE);
	if (!mod)
		x86_alu_rr(e, 0, ALU_XOR, RAX, RAX);
	done0 = x86_jcc8(e, CC_ALWAYS);
	x86_land(e, nonzero);
	if (sgn) {
		x86_alu_ri(e, w, ALU_CMP, R11, -1);
		other = x86_jcc8(e, CC_NE);
		if (mod)
			x86_alu_rr(e, 0, ALU_XOR, RAX, RAX);
		else
			x86_op(e, wf, 0xf7, 3, RAX, 0);           /* neg */
		done1 = x86_jcc8(e, CC_ALWAYS);
		x86_land(e, other);
		if (w)
			x86_byte(e, 0x48);
		x86_byte(e, 0x99);                            /* cqo / cdq */
		x86_op(e, wf, 0xf7, 7, R11, 0);               /* idiv r11 */
	} else {
		x86_alu_rr(e, 0, ALU_XOR, RDX, RDX);
		x86_op(e, wf, 0xf7, 6, R11, 0);               /* div r11 */
	}
	if (mod)
		x86_mov_rr(e, 1, RAX, RDX);
	x86_land(e, done0);
	if (sgn)
		x86_land(e, done1);
	x86_mov_rr(e, w, R11, RAX);       /* the result; ALU: zero-extended */
	x86_mov_rr(e, 1, RAX, R9);
	x86_mov_rr(e, 1, RDX, R10);
	x86_mov_rr(e, 1, d, R11);
}

/* ALU K: to little endian, a truncation on x86. ALU X (to big endian) and
 * ALU64 K: a swap of the low 16, 32 or 64 bits, the rest zeroed. */
static void endian(struct emit *e, const struct lm_bpf_insn *i, int d)
{
	int swap = LM_BPF_CLASS(i->op) == LM_BPF_ALU64 || (i->op & LM_BPF_X);

	if (i->imm == 16) {
		if (swap) {
			x86_op(e, X_66, 0xc1, SH_ROL, d, 0);      /* rol r16, 8 */
			x86_byte(e, 8);
		}
		x86_op(e, 0, 0x0fb7, d, d, 0);                /* movzx r32, r16 */
	} else if (i->imm == 32) {
		if (swap)
			x86_bswap(e, 0, d);
		else
			x86_mov_rr(e, 0, d, d);
	} else if (swap) {
		x86_bswap(e, 1, d);
	}
}

void jit_alu(struct jit *j, const struct lm_bpf_insn *i)
{
	static const u8 alu[16] = {
		[LM_BPF_ADD >> 4] = ALU_ADD, [LM_BPF_SUB >> 4] = ALU_SUB, [LM_BPF_OR >> 4] = ALU_OR,
		[LM_BPF_AND >> 4] = ALU_AND, [LM_BPF_XOR >> 4] = ALU_XOR,
	};
	struct emit *e = &j->body;
	u8 oper = LM_BPF_OPER(i->op);
	int w = LM_BPF_CLASS(i->op) == LM_BPF_ALU64, x = (i->op & LM_BPF_X) != 0;
	int d = bpf_jit_reg[LM_BPF_DST(i)], s = bpf_jit_reg[LM_BPF_SRC(i)];

	switch (oper) {
	case LM_BPF_ADD:
	case LM_BPF_SUB:
	case LM_BPF_OR:
	case LM_BPF_AND:
	case LM_BPF_XOR:
		if (x)
			x86_alu_rr(e, w, alu[oper >> 4], d, s);
		else
			x86_alu_ri(e, w, alu[oper >> 4], d, i->imm);
		return;
	case LM_BPF_MUL:
		if (x) {
			x86_op(e, w ? X_W : 0, 0x0faf, d, s, 0);     /* imul d, s */
		} else {
			x86_op(e, w ? X_W : 0, 0x69, d, d, 0);       /* imul d, d, imm32 */
			x86_u32(e, (u32)i->imm);
		}
		return;
	case LM_BPF_MOV:
		mov(e, i, w, d, s);
		return;
	case LM_BPF_NEG:
		x86_op(e, w ? X_W : 0, 0xf7, 3, d, 0);
		return;
	case LM_BPF_LSH:
	case LM_BPF_RSH:
	case LM_BPF_ARSH:
		shift(e, i, w, d, s);
		return;
	case LM_BPF_DIV:
	case LM_BPF_MOD:
		divmod(e, i, w, d, s);
		return;
	default:
		endian(e, i, d);
	}
}
