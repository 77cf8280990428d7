/* eBPF programs for the guest tests, written as instruction arrays (the
 * clang-built ones come later), and a helper that loads one. */
#ifndef BPF_UTIL_H
#define BPF_UTIL_H

#include <lamina/bpf.h>
#include "harness.h"

#define I_(op, dst, src, off, imm) \
	{ (lm_u8)(op), (lm_u8)((dst) | (src) << 4), (short)(off), (int)(imm) }

#define MOV_K(d, k)      I_(LM_BPF_ALU64 | LM_BPF_MOV | LM_BPF_K, d, 0, 0, k)
#define MOV_X(d, s)      I_(LM_BPF_ALU64 | LM_BPF_MOV | LM_BPF_X, d, s, 0, 0)
#define ADD_X(d, s)      I_(LM_BPF_ALU64 | LM_BPF_ADD | LM_BPF_X, d, s, 0, 0)
#define ADD_K(d, k)      I_(LM_BPF_ALU64 | LM_BPF_ADD | LM_BPF_K, d, 0, 0, k)
#define AND_K(d, k)      I_(LM_BPF_ALU64 | LM_BPF_AND | LM_BPF_K, d, 0, 0, k)
#define RSH_K(d, k)      I_(LM_BPF_ALU64 | LM_BPF_RSH | LM_BPF_K, d, 0, 0, k)
#define LDXW(d, s, off)  I_(LM_BPF_LDX | LM_BPF_MEM | LM_BPF_W, d, s, off, 0)
#define LDXH(d, s, off)  I_(LM_BPF_LDX | LM_BPF_MEM | LM_BPF_H, d, s, off, 0)
#define LDXB(d, s, off)  I_(LM_BPF_LDX | LM_BPF_MEM | LM_BPF_B, d, s, off, 0)
#define LDXDW(d, s, off) I_(LM_BPF_LDX | LM_BPF_MEM | LM_BPF_DW, d, s, off, 0)
#define STXW(d, s, off)  I_(LM_BPF_STX | LM_BPF_MEM | LM_BPF_W, d, s, off, 0)
#define STW(d, off, k)   I_(LM_BPF_ST | LM_BPF_MEM | LM_BPF_W, d, 0, off, k)
#define JEQ_K(d, k, off) I_(LM_BPF_JMP | LM_BPF_JEQ | LM_BPF_K, d, 0, off, k)
#define JNE_K(d, k, off) I_(LM_BPF_JMP | LM_BPF_JNE | LM_BPF_K, d, 0, off, k)
#define JGT_K(d, k, off) I_(LM_BPF_JMP | LM_BPF_JGT | LM_BPF_K, d, 0, off, k)
#define JA(off)          I_(LM_BPF_JMP | LM_BPF_JA, 0, 0, off, 0)
#define CALL(h)          I_(LM_BPF_JMP | LM_BPF_CALL, 0, 0, 0, h)
#define EXIT()           I_(LM_BPF_JMP | LM_BPF_EXIT, 0, 0, 0, 0)
/* lddw: two slots */
#define LDDW(d, v)       I_(LM_BPF_LDDW, d, 0, 0, (lm_u32)(v)), I_(0, 0, 0, 0, (lm_u64)(v) >> 32)

/* Offsets into struct lm_bpf_syscall_ctx. */
#define CTX_NR     0
#define CTX_ARG(i) (8 + 8 * (i))

/* A filter decision: DENY with error e. */
#define DENY(e) (LM_BPF_SYS_DENY | (lm_u32)(e) << 16)

#define NINSNS(a) (sizeof(a) / sizeof((a)[0]))

/* A program object of 2^13 bytes (room for the JIT's code) with insns
 * loaded as `type`, or 0 (the failure recorded). */
lm_cptr_t t_bpf(lm_u32 type, const struct lm_bpf_insn *insns, lm_u64 n, lm_u64 ctx_size);

#endif
