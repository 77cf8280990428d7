/*
 * The JIT's insides, shared by its files: the run state the code reads, the
 * register mapping and the translator's state.
 *
 * Register mapping (eBPF -> x86-64). r1-r5 sit in the System V argument
 * registers so a helper call needs no moves, r0 in rax where results come
 * back, r6-r9 in callee-saved registers so they survive helper calls, and
 * r10 in rbp:
 *
 *   r0 rax  r1 rdi  r2 rsi  r3 rdx  r4 rcx  r5 r8
 *   r6 rbx  r7 r13  r8 r14  r9 r15  r10 rbp
 *   r12: the struct bpf_jit_state; r9, r10, r11: scratch.
 *
 * Native stack: inside eBPF code rsp is 8 mod 16 (as just after a call);
 * a helper call first subtracts 8. A local call pushes r6-r9 and r10
 * (5 words) and calls, keeping that rule in the callee.
 */
#ifndef BPF_JIT_INT_H
#define BPF_JIT_INT_H

#include "jit.h"
#include "jit_x86.h"

/* What the code reads and writes while it runs, at r12. */
struct bpf_jit_state {
	u64 mem, len, top;         /* r1, r2 and r10 at entry */
	u64 mem_lim[4];            /* by log2(size): a load or store of that size
	                              at mem + k is inside the memory iff
	                              k < mem_lim (unsigned); 0 without memory */
	u64 stack_lim[4];          /* top - size: the highest stack address a
	                              load or store of that size may start at */
	u64 call_min;              /* lowest r10 a local call may be made from */
	u64 budget;                /* checked: backward jumps and calls left;
	                              verified, counted: instructions left */
	u64 saved_rsp;             /* rsp after the prologue: errors return there */
	u64 fp;                    /* r10 when a checked helper call is made */
	const struct bpf_helper *helper;  /* the helper being called (checked) */
	u32 fault;                 /* 0, or pc << 8 | enum bpf_err */
};

#define ST(f) ((int)__builtin_offsetof(struct bpf_jit_state, f))
#define R_STATE R12

extern const u8 bpf_jit_reg[LM_BPF_NREGS];

struct jit {
	const struct lm_bpf_insn *prog;
	u32 n, pc;
	enum bpf_jit_mode mode;
	const struct bpf_helpers *helpers;
	u32 *offs;                 /* each instruction's code; offs[n]: the
	                              exit for running off the end */
	struct emit body;          /* the instructions, in order */
	struct emit stubs;         /* error exits, after the body */
	u64 stub_at[BPF_NERR];     /* this instruction's exits (NO_STUB: none yet) */
	u64 err_common, zero_frame; /* shared routines, before the body */
	u64 body_start;
	u64 budget;                /* verified, counted: set by the prologue (0: the caller's) */
};

/* offs[k] | BLOCK_START: k starts a block whose instructions are charged
 * to the budget on entry (verified mode, counted programs). Verified code
 * is below 2^31 bytes (BPF_JIT_MAX_INSNS x BPF_JIT_INSN_MAX_VERIFIED), so
 * the bit is free. */
#define BLOCK_START 0x80000000u

static inline int jit_checked(const struct jit *j)
{
	return j->mode == BPF_JIT_CHECKED;
}

#define NO_STUB (~0ull)

/* jit.c: go to the exit reporting err at the current instruction (if cc
 * holds); where a jump or call rel instructions on goes; one tick of the
 * budget (checked mode). */
void jit_fail_if(struct jit *j, enum x86_cc cc, enum bpf_err err);
void jit_fail(struct jit *j, enum bpf_err err);
u64 jit_target(struct jit *j, i64 rel);
void jit_budget(struct jit *j);

void jit_jmp(struct jit *j, const struct lm_bpf_insn *i);

void jit_alu(struct jit *j, const struct lm_bpf_insn *i);
void jit_ldx(struct jit *j, const struct lm_bpf_insn *i);
void jit_st(struct jit *j, const struct lm_bpf_insn *i);

/* jit_run.c: a helper call in checked mode (its MEM arguments checked). */
u64 bpf_jit_checked_helper(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, struct bpf_jit_state *st);

#endif
