/*
 * The JIT's loads, stores and atomics, already decoded.
 *
 * Verified mode uses [reg + off] as it is. Checked mode computes the
 * address into r11 and lets the access through only if all its bytes are
 * in the memory [mem, mem + len) or in the live frames [r10 - 512, top),
 * exactly the interpreter's access_ok; an atomic must also be aligned. x86
 * is little-endian, so loads and stores are plain moves.
 */
#include "jit_int.h"

struct mop {
	int base, disp;         /* the access is [base + disp] */
};

/* log2 of the access size, by LM_BPF_SIZE >> 3 (W, H, B, DW). */
static const u8 size_lg[4] = { 2, 1, 0, 3 };

/*
 * Checked: k = addr - mem is inside the memory iff k < mem_lim[lg]
 * (unsigned: an address below mem wraps to a huge k); else the access must
 * start at or above r10 - 512 and at or below top - size.
 */
static struct mop address(struct jit *j, int breg, short off, u32 lg, int in_r11)
{
	struct emit *e = &j->body;
	u64 inside;

	if (!jit_checked(j) && !in_r11)
		return (struct mop){ bpf_jit_reg[breg], off };
	x86_lea(e, R11, bpf_jit_reg[breg], off);
	if (!jit_checked(j))
		return (struct mop){ R11, 0 };
	x86_mov_rr(e, 1, R10, R11);
	x86_op(e, X_W | X_MEM, 0x2b, R10, R_STATE, ST(mem));                 /* sub r10, [] */
	x86_op(e, X_W | X_MEM, 0x3b, R10, R_STATE, ST(mem_lim) + 8 * (int)lg); /* cmp r10, [] */
	inside = x86_jcc8(e, CC_B);
	x86_lea(e, R10, RBP, -LM_BPF_STACK);
	x86_alu_rr(e, 1, ALU_CMP, R11, R10);
	jit_fail_if(j, CC_B, BPF_EMEM);
	x86_op(e, X_W | X_MEM, 0x3b, R11, R_STATE, ST(stack_lim) + 8 * (int)lg);
	jit_fail_if(j, CC_A, BPF_EMEM);
	x86_land(e, inside);
	return (struct mop){ R11, 0 };
}

void jit_ldx(struct jit *j, const struct lm_bpf_insn *i)
{
	static const u32 zx[4] = { 0x0fb6, 0x0fb7, 0x8b, 0x8b }, sx[4] = { 0x0fbe, 0x0fbf, 0x63, 0x8b };
	u32 lg = size_lg[LM_BPF_SIZE(i->op) >> 3];
	int signx = LM_BPF_MODE(i->op) == LM_BPF_MEMSX;
	struct mop m = address(j, LM_BPF_SRC(i), i->off, lg, 0);
	/* Zero-extending forms write 32 bits (the CPU zeroes the rest);
	 * sign-extending ones and 64-bit loads write 64. */
	unsigned w = lg == 3 || signx ? X_W : 0;

	x86_op(&j->body, X_MEM | w, signx ? sx[lg] : zx[lg], bpf_jit_reg[LM_BPF_DST(i)], m.base, m.disp);
}

/*
 * Atomics, W or DW. add and xchg have x86 forms that return the old value
 * (xadd, xchg); fetching or, and and xor loop on cmpxchg, which needs rax
 * (eBPF r0): it is kept in r9 meanwhile. A 32-bit cmpxchg leaves the upper
 * half of rax alone when it succeeds, so r0 is zero-extended after it.
 */
static void atomic(struct jit *j, const struct lm_bpf_insn *i)
{
	static const u8 alu[16] = {
		[LM_BPF_ADD >> 4] = ALU_ADD, [LM_BPF_OR >> 4] = ALU_OR,
		[LM_BPF_AND >> 4] = ALU_AND, [LM_BPF_XOR >> 4] = ALU_XOR,
	};
	struct emit *e = &j->body;
	int op = i->imm, w = LM_BPF_SIZE(i->op) == LM_BPF_DW;
	int s = bpf_jit_reg[LM_BPF_SRC(i)], base = op & ~LM_BPF_FETCH;
	int loop = (op & LM_BPF_FETCH) && (base == LM_BPF_OR || base == LM_BPF_AND ||
					   base == LM_BPF_XOR);
	unsigned wf = w ? X_W : 0;
	struct mop m = address(j, LM_BPF_DST(i), i->off, w ? 3 : 2, loop);
	u64 again;

	if (jit_checked(j)) {
		x86_op(e, X_B8, 0xf6, 0, R11, 0);         /* test r11b, size - 1 */
		x86_byte(e, w ? 7 : 3);
		jit_fail_if(j, CC_NE, BPF_EALIGN);
	}
	if (op == LM_BPF_XCHG) {
		x86_op(e, X_MEM | wf, 0x87, s, m.base, m.disp);
	} else if (op == LM_BPF_CMPXCHG) {
		x86_op(e, X_LOCK | X_MEM | wf, 0x0fb1, s, m.base, m.disp);
		if (!w)
			x86_mov_rr(e, 0, RAX, RAX);
	} else if (op == (LM_BPF_ADD | LM_BPF_FETCH)) {
		x86_op(e, X_LOCK | X_MEM | wf, 0x0fc1, s, m.base, m.disp);    /* xadd */
	} else if (!loop) {
		x86_op(e, X_LOCK | X_MEM | wf, (u32)alu[base >> 4] << 3 | 1, s, m.base, m.disp);
	} else {
		x86_mov_rr(e, 1, R9, RAX);
		x86_op(e, X_MEM | wf, 0x8b, RAX, m.base, m.disp);
		again = e->pos;
		x86_mov_rr(e, 1, R10, RAX);
		x86_alu_rr(e, w, alu[base >> 4], R10, s == RAX ? R9 : s);
		x86_op(e, X_LOCK | X_MEM | wf, 0x0fb1, R10, m.base, m.disp);
		x86_jcc8_back(e, CC_NE, again);
		if (s != RAX) {         /* src = the old value, r0 as it was */
			x86_mov_rr(e, w, s, RAX);
			x86_mov_rr(e, 1, RAX, R9);
		}
	}
}

void jit_st(struct jit *j, const struct lm_bpf_insn *i)
{
	struct emit *e = &j->body;
	u32 lg = size_lg[LM_BPF_SIZE(i->op) >> 3];
	static const unsigned flags[4] = { X_MEM, X_MEM | X_66, X_MEM, X_MEM | X_W };
	struct mop m;

	if (LM_BPF_MODE(i->op) == LM_BPF_ATOMIC) {
		atomic(j, i);
		return;
	}
	m = address(j, LM_BPF_DST(i), i->off, lg, 0);
	if (LM_BPF_CLASS(i->op) == LM_BPF_STX) {
		x86_op(e, flags[lg] | (lg == 0 ? X_B8 : 0), lg == 0 ? 0x88 : 0x89,
		     bpf_jit_reg[LM_BPF_SRC(i)], m.base, m.disp);
		return;
	}
	x86_op(e, flags[lg], lg == 0 ? 0xc6 : 0xc7, 0, m.base, m.disp);
	if (lg == 0)
		x86_byte(e, (u8)i->imm);
	else if (lg == 1)
		x86_byte(e, (u8)i->imm), x86_byte(e, (u8)(i->imm >> 8));
	else
		x86_u32(e, (u32)i->imm);
}
