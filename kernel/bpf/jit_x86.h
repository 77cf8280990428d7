/*
 * The x86-64 instruction encoder the eBPF JIT writes with (jit_emit.c).
 *
 * An emitter appends bytes at pos. With buf NULL it only counts (the JIT's
 * sizing pass); a byte past cap is dropped and sets full, so a too-small
 * buffer is reported, never overrun. Positions are offsets from the start
 * of the code, and every jump the JIT emits is relative, so the code runs
 * at whatever address it is mapped (position-independent).
 */
#ifndef BPF_JIT_X86_H
#define BPF_JIT_X86_H

#include "kernel.h"

enum x86_reg {
	RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
	R8, R9, R10, R11, R12, R13, R14, R15,
};

/* Condition codes (the low nibble of jcc). */
enum x86_cc {
	CC_B = 0x2, CC_AE = 0x3, CC_E = 0x4, CC_NE = 0x5, CC_BE = 0x6, CC_A = 0x7,
	CC_L = 0xc, CC_GE = 0xd, CC_LE = 0xe, CC_G = 0xf,
	CC_ALWAYS = 0x10,       /* x86_jcc8 only: jmp */
};

/* Group-1 arithmetic: the /digit of 0x81/0x83, and (<< 3 | 1) the r/m, reg opcode. */
enum x86_alu { ALU_ADD = 0, ALU_OR = 1, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7 };

/* Shifts and rotates: the /digit of 0xc1/0xd3. */
enum x86_shift { SH_ROL = 0, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

struct emit {
	u8 *buf;        /* NULL: count only */
	u64 pos, cap;
	int full;       /* some byte did not fit in cap */
};

/* x86_op flags. */
#define X_W     0x01    /* REX.W: 64-bit operand */
#define X_B8    0x02    /* a byte register: always a REX, so 4-7 mean spl..dil */
#define X_66    0x04    /* operand-size prefix: 16-bit operand */
#define X_LOCK  0x08    /* lock prefix */
#define X_MEM   0x10    /* rm is the base of [rm + disp], not a register */

void x86_byte(struct emit *e, u8 b);
void x86_u32(struct emit *e, u32 v);
void x86_op(struct emit *e, unsigned flags, u32 opcode, int reg, int rm, int disp);

void x86_mov_rr(struct emit *e, int w, int dst, int src);
void x86_mov_imm(struct emit *e, int dst, u64 v);
void x86_alu_rr(struct emit *e, int w, enum x86_alu op, int dst, int src);
void x86_alu_ri(struct emit *e, int w, enum x86_alu op, int dst, int imm);
void x86_alu_mi(struct emit *e, enum x86_alu op, int base, int disp, int imm);
void x86_test_rr(struct emit *e, int w, int a, int b);
void x86_test_ri(struct emit *e, int w, int a, int imm);
void x86_shift_ri(struct emit *e, int w, enum x86_shift op, int dst, u8 count);
void x86_shift_cl(struct emit *e, int w, enum x86_shift op, int dst);
void x86_load(struct emit *e, int w, int dst, int base, int disp);
void x86_store(struct emit *e, int w, int base, int disp, int src);
void x86_lea(struct emit *e, int dst, int base, int disp);
void x86_push(struct emit *e, int r);
void x86_pop(struct emit *e, int r);

void x86_jmp(struct emit *e, u64 target);
void x86_jcc(struct emit *e, enum x86_cc cc, u64 target);
void x86_call(struct emit *e, u64 target);
void x86_call_abs(struct emit *e, u64 addr);
void x86_bswap(struct emit *e, int w, int r);
/* A short forward jump (cc or CC_ALWAYS): returns where its displacement
 * goes, for x86_land to fill in once the target is reached. */
u64 x86_jcc8(struct emit *e, int cc);
void x86_land(struct emit *e, u64 at);
void x86_jcc8_back(struct emit *e, int cc, u64 target);

#endif
