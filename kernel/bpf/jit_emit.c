/*
 * The x86-64 encoder (jit_x86.h): just the forms the eBPF JIT uses. Every
 * instruction is built by x86_op from a prefix, REX, opcode and ModRM (with
 * SIB and displacement for memory operands); the rest are names for the
 * common cases. Immediates are appended by the caller after x86_op.
 */
#include "jit_x86.h"

void x86_byte(struct emit *e, u8 b)
{
	if (e->buf && e->pos < e->cap)
		e->buf[e->pos] = b;
	else if (e->buf)
		e->full = 1;
	e->pos++;
}

void x86_u32(struct emit *e, u32 v)
{
	for (int k = 0; k < 4; k++)
		x86_byte(e, (u8)(v >> (8 * k)));
}

static int fits8(i64 v)
{
	return v >= -128 && v <= 127;
}

/*
 * [prefixes] [REX] opcode (1-3 bytes, most significant first) ModRM [SIB]
 * [disp]. reg is the ModRM reg field: a register or an opcode extension.
 * With X_MEM the operand is [rm + disp]: rsp and r12 as a base need a SIB
 * byte, rbp and r13 cannot go without a displacement.
 */
void x86_op(struct emit *e, unsigned flags, u32 opcode, int reg, int rm, int disp)
{
	u8 rex = 0x40 | (flags & X_W ? 8 : 0) | (reg & 8 ? 4 : 0) | (rm & 8 ? 1 : 0);
	int mod = 3;

	if (flags & X_66)
		x86_byte(e, 0x66);
	if (flags & X_LOCK)
		x86_byte(e, 0xf0);
	if (rex != 0x40 || (flags & X_B8))
		x86_byte(e, rex);
	if (opcode > 0xffff)
		x86_byte(e, (u8)(opcode >> 16));
	if (opcode > 0xff)
		x86_byte(e, (u8)(opcode >> 8));
	x86_byte(e, (u8)opcode);
	if (flags & X_MEM)
		mod = disp == 0 && (rm & 7) != RBP ? 0 : fits8(disp) ? 1 : 2;
	x86_byte(e, (u8)(mod << 6 | (reg & 7) << 3 | (rm & 7)));
	if (mod != 3 && (rm & 7) == RSP)
		x86_byte(e, 0x24);        /* SIB: no index, base rm */
	if (mod == 1)
		x86_byte(e, (u8)disp);
	else if (mod == 2)
		x86_u32(e, (u32)disp);
}

void x86_mov_rr(struct emit *e, int w, int dst, int src)
{
	x86_op(e, w ? X_W : 0, 0x89, src, dst, 0);
}

/* The shortest of mov r32, imm32 (zero-extends), mov r64, simm32 and
 * movabs. */
void x86_mov_imm(struct emit *e, int dst, u64 v)
{
	if (v <= 0xffffffffull) {
		if (dst & 8)
			x86_byte(e, 0x41);
		x86_byte(e, (u8)(0xb8 + (dst & 7)));
		x86_u32(e, (u32)v);
	} else if ((i64)v >= -0x80000000ll && (i64)v < 0) {
		x86_op(e, X_W, 0xc7, 0, dst, 0);
		x86_u32(e, (u32)v);
	} else {
		x86_byte(e, (u8)(0x48 | (dst & 8 ? 1 : 0)));
		x86_byte(e, (u8)(0xb8 + (dst & 7)));
		x86_u32(e, (u32)v);
		x86_u32(e, (u32)(v >> 32));
	}
}

void x86_alu_rr(struct emit *e, int w, enum x86_alu op, int dst, int src)
{
	x86_op(e, w ? X_W : 0, (u32)op << 3 | 1, src, dst, 0);
}

void x86_alu_ri(struct emit *e, int w, enum x86_alu op, int dst, int imm)
{
	if (fits8(imm)) {
		x86_op(e, w ? X_W : 0, 0x83, op, dst, 0);
		x86_byte(e, (u8)imm);
	} else {
		x86_op(e, w ? X_W : 0, 0x81, op, dst, 0);
		x86_u32(e, (u32)imm);
	}
}

/* op qword [base + disp], imm8 */
void x86_alu_mi(struct emit *e, enum x86_alu op, int base, int disp, int imm)
{
	if (imm >= -128 && imm < 128) {
		x86_op(e, X_W | X_MEM, 0x83, op, base, disp);
		x86_byte(e, (u8)imm);
		return;
	}
	x86_op(e, X_W | X_MEM, 0x81, op, base, disp);
	x86_u32(e, (u32)imm);
}

void x86_test_rr(struct emit *e, int w, int a, int b)
{
	x86_op(e, w ? X_W : 0, 0x85, b, a, 0);
}

void x86_test_ri(struct emit *e, int w, int a, int imm)
{
	x86_op(e, w ? X_W : 0, 0xf7, 0, a, 0);
	x86_u32(e, (u32)imm);
}

void x86_shift_ri(struct emit *e, int w, enum x86_shift op, int dst, u8 count)
{
	x86_op(e, w ? X_W : 0, 0xc1, op, dst, 0);
	x86_byte(e, count);
}

void x86_shift_cl(struct emit *e, int w, enum x86_shift op, int dst)
{
	x86_op(e, w ? X_W : 0, 0xd3, op, dst, 0);
}

/* mov r, [base + disp] and mov [base + disp], r (32- or 64-bit) */
void x86_load(struct emit *e, int w, int dst, int base, int disp)
{
	x86_op(e, X_MEM | (w ? X_W : 0), 0x8b, dst, base, disp);
}

void x86_store(struct emit *e, int w, int base, int disp, int src)
{
	x86_op(e, X_MEM | (w ? X_W : 0), 0x89, src, base, disp);
}

void x86_lea(struct emit *e, int dst, int base, int disp)
{
	x86_op(e, X_MEM | X_W, 0x8d, dst, base, disp);
}

void x86_push(struct emit *e, int r)
{
	if (r & 8)
		x86_byte(e, 0x41);
	x86_byte(e, (u8)(0x50 + (r & 7)));
}

void x86_pop(struct emit *e, int r)
{
	if (r & 8)
		x86_byte(e, 0x41);
	x86_byte(e, (u8)(0x58 + (r & 7)));
}

/* Jumps and calls within the code take rel32 always, so an instruction's
 * size never depends on where its target is: the sizing pass and the
 * final pass lay out the same bytes. */
void x86_jmp(struct emit *e, u64 target)
{
	x86_byte(e, 0xe9);
	x86_u32(e, (u32)(target - (e->pos + 4)));
}

void x86_jcc(struct emit *e, enum x86_cc cc, u64 target)
{
	x86_byte(e, 0x0f);
	x86_byte(e, (u8)(0x80 | cc));
	x86_u32(e, (u32)(target - (e->pos + 4)));
}

void x86_call(struct emit *e, u64 target)
{
	x86_byte(e, 0xe8);
	x86_u32(e, (u32)(target - (e->pos + 4)));
}

/* A call to C code at an absolute address, through rax (which is eBPF r0:
 * every such call returns its result there anyway). */
void x86_call_abs(struct emit *e, u64 addr)
{
	x86_byte(e, 0x48);
	x86_byte(e, 0xb8);
	x86_u32(e, (u32)addr);
	x86_u32(e, (u32)(addr >> 32));
	x86_byte(e, 0xff);
	x86_byte(e, 0xd0);
}

u64 x86_jcc8(struct emit *e, int cc)
{
	x86_byte(e, cc == CC_ALWAYS ? 0xeb : (u8)(0x70 | cc));
	x86_byte(e, 0);
	return e->pos - 1;
}

/* A short jump back to a known position (a loop). */
void x86_jcc8_back(struct emit *e, int cc, u64 target)
{
	x86_byte(e, cc == CC_ALWAYS ? 0xeb : (u8)(0x70 | cc));
	x86_byte(e, (u8)(target - (e->pos + 1)));
}

/* bswap r32 / r64 */
void x86_bswap(struct emit *e, int w, int r)
{
	if (w || (r & 8))
		x86_byte(e, (u8)(0x40 | (w ? 8 : 0) | (r & 8 ? 1 : 0)));
	x86_byte(e, 0x0f);
	x86_byte(e, (u8)(0xc8 + (r & 7)));
}

/* Point the short jump whose displacement is at `at` here. The jumps
 * x86_jcc8 makes skip a few fixed instructions, far below 127 bytes. */
void x86_land(struct emit *e, u64 at)
{
	if (e->buf && at < e->cap)
		e->buf[at] = (u8)(e->pos - (at + 1));
}
