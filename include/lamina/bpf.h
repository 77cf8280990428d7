/*
 * The eBPF instruction encoding (RFC 9669), shared by the kernel, which
 * will load programs from user space, and the tools that build them.
 *
 * An instruction is 8 bytes, little-endian: an opcode, the destination and
 * source registers in one byte (dst in the low nibble), a signed 16-bit
 * offset and a signed 32-bit immediate. lddw takes two slots; the second
 * has opcode 0 and carries the upper 32 bits of the constant in its imm.
 */
#ifndef LAMINA_BPF_H
#define LAMINA_BPF_H

#include <lamina/types.h>

struct lm_bpf_insn {
	lm_u8 op;
	lm_u8 regs;          /* dst: bits 0-3, src: bits 4-7 */
	short off;
	int imm;
};
LM_STATIC_ASSERT(sizeof(struct lm_bpf_insn) == 8, "eBPF instructions are 8 bytes");

#define LM_BPF_DST(i) ((i)->regs & 0xf)
#define LM_BPF_SRC(i) ((i)->regs >> 4)

#define LM_BPF_NREGS     11     /* r0..r10; r10 is the read-only frame pointer */
#define LM_BPF_STACK     512    /* bytes of stack per call frame */

/* Classes: the low 3 bits of the opcode. */
#define LM_BPF_LD        0x00
#define LM_BPF_LDX       0x01
#define LM_BPF_ST        0x02
#define LM_BPF_STX       0x03
#define LM_BPF_ALU       0x04
#define LM_BPF_JMP       0x05
#define LM_BPF_JMP32     0x06
#define LM_BPF_ALU64     0x07
#define LM_BPF_CLASS(op) ((op) & 0x07)

/* Arithmetic and jumps: source bit 0x08, operation in the high nibble. */
#define LM_BPF_K         0x00   /* operand is imm */
#define LM_BPF_X         0x08   /* operand is src */
#define LM_BPF_OPER(op)  ((op) & 0xf0)

#define LM_BPF_ADD       0x00
#define LM_BPF_SUB       0x10
#define LM_BPF_MUL       0x20
#define LM_BPF_DIV       0x30   /* off 1: signed */
#define LM_BPF_OR        0x40
#define LM_BPF_AND       0x50
#define LM_BPF_LSH       0x60
#define LM_BPF_RSH       0x70
#define LM_BPF_NEG       0x80
#define LM_BPF_MOD       0x90   /* off 1: signed */
#define LM_BPF_XOR       0xa0
#define LM_BPF_MOV       0xb0   /* off 8/16/32: sign-extending move */
#define LM_BPF_ARSH      0xc0
#define LM_BPF_END       0xd0   /* ALU: K to little, X to big endian; ALU64 K: swap */

#define LM_BPF_JA        0x00   /* JMP32 JA: offset in imm (gotol) */
#define LM_BPF_JEQ       0x10
#define LM_BPF_JGT       0x20
#define LM_BPF_JGE       0x30
#define LM_BPF_JSET      0x40
#define LM_BPF_JNE       0x50
#define LM_BPF_JSGT      0x60
#define LM_BPF_JSGE      0x70
#define LM_BPF_CALL      0x80   /* src 0: helper imm; src 1: local, pc + imm + 1 */
#define LM_BPF_EXIT      0x90
#define LM_BPF_JLT       0xa0
#define LM_BPF_JLE       0xb0
#define LM_BPF_JSLT      0xc0
#define LM_BPF_JSLE      0xd0

#define LM_BPF_CALL_HELPER 0
#define LM_BPF_CALL_LOCAL  1

/* Loads and stores: size in bits 3-4, mode in bits 5-7. */
#define LM_BPF_W         0x00
#define LM_BPF_H         0x08
#define LM_BPF_B         0x10
#define LM_BPF_DW        0x18
#define LM_BPF_SIZE(op)  ((op) & 0x18)
#define LM_BPF_IMM       0x00   /* LD only: lddw */
#define LM_BPF_MEM       0x60
#define LM_BPF_MEMSX     0x80   /* LDX only: sign-extending load */
#define LM_BPF_ATOMIC    0xc0   /* STX only, W or DW */
#define LM_BPF_MODE(op)  ((op) & 0xe0)

/* Atomic operations, in imm. */
#define LM_BPF_FETCH     0x01
#define LM_BPF_XCHG      (0xe0 | LM_BPF_FETCH)
#define LM_BPF_CMPXCHG   (0xf0 | LM_BPF_FETCH)

#define LM_BPF_LDDW      (LM_BPF_LD | LM_BPF_IMM | LM_BPF_DW)

#endif
