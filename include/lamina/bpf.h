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

/* --- What the kernel's program objects see (docs/API.md, "eBPF") -------- */

/* Program types: what r1 points to, what r0 means, which helpers exist. */
enum lm_bpf_type {
	LM_BPF_PROG_MEM       = 1, /* r1: a writable buffer of ctx_size bytes, r2 its
	                              size (bpf-run's and BPF_RUN's convention) */
	LM_BPF_PROG_PREDICATE = 2, /* r1: one read-only page of the thread's memory;
	                              r0 != 0: the predicate holds, wake the thread */
	LM_BPF_PROG_SYSCALL   = 3, /* r1: a read-only struct lm_bpf_syscall_ctx;
	                              r0: an LM_BPF_SYS_* decision */
	LM_BPF_NTYPES
};

/* The context of a system-call filter: the call as the thread made it. */
struct lm_bpf_syscall_ctx {
	lm_u64 nr;       /* rax: LM_SYS_* for native calls, a Linux number otherwise */
	lm_u64 args[6];  /* rdi, rsi, rdx, r10, r8, r9 */
	lm_u64 rip;      /* the instruction after the syscall */
};

/* A filter's r0: the low 16 bits say what happens, bits 16-31 carry the
 * error for DENY. Any other value denies the call with LM_ERIGHTS (a filter
 * fails closed); API.md gives the exact rule. */
#define LM_BPF_SYS_ALLOW   0x0000u  /* the call runs */
#define LM_BPF_SYS_DENY    0x0001u  /* the call returns the error in bits 16-31 */
#define LM_BPF_SYS_REFLECT 0x0002u  /* the call goes to the thread's library OS
                                       (its foreign-ABI entry, THREAD_SET_FOREIGN) */
#define LM_BPF_SYS_ERR(r)  (((r) >> 16) & 0xffffu)

/* Helpers (call imm with src 0). Which program types may call each is in
 * API.md; the verifier refuses any other number. */
#define LM_BPF_HELPER_TICKS 1  /* () -> timer ticks since boot */
#define LM_BPF_HELPER_CSUM  2  /* (const void *p, u64 len, u64 seed) -> the
                                  16-bit ones'-complement sum of p[0..len)
                                  added to seed (folded, not inverted) */

/* Why the verifier refused a program (with the instruction's index). */
enum lm_bpf_verr {
	LM_BPF_V_OK = 0,
	LM_BPF_V_TOO_LONG,        /* no instructions, or more than LM_BPF_MAX_INSNS */
	LM_BPF_V_OPCODE,          /* not an RFC 9669 instruction, or a reserved field set */
	LM_BPF_V_REG,             /* register above r10 */
	LM_BPF_V_WRITE_R10,       /* r10, the frame pointer, is read-only */
	LM_BPF_V_JUMP_RANGE,      /* jump or call target outside the program */
	LM_BPF_V_JUMP_LDDW,       /* jump into the second slot of an lddw */
	LM_BPF_V_LDDW,            /* lddw cut off, second slot malformed, or an
	                             unsupported src (map and BTF forms) */
	LM_BPF_V_FALL_OFF,        /* a path runs past the last instruction */
	LM_BPF_V_UNREACHABLE,     /* an instruction no path reaches */
	LM_BPF_V_LOOP,            /* a loop the verifier cannot prove bounded */
	LM_BPF_V_UNINIT_REG,      /* read of a register no path has written */
	LM_BPF_V_UNINIT_STACK,    /* read of stack bytes not written on every path */
	LM_BPF_V_OUT_OF_BOUNDS,   /* access outside the context or the stack */
	LM_BPF_V_PTR_ARITH,       /* arithmetic a pointer may not take part in */
	LM_BPF_V_BAD_ACCESS,      /* load/store through a scalar, store to a
	                             read-only context, or a misaligned atomic */
	LM_BPF_V_PTR_LEAK,        /* a pointer stored where it could leak, or
	                             returned in r0 */
	LM_BPF_V_HELPER,          /* a helper that does not exist for this type */
	LM_BPF_V_HELPER_ARG,      /* a helper argument of the wrong type or size */
	LM_BPF_V_CALL_DEPTH,      /* local calls nested too deep, or recursion */
	LM_BPF_V_STACK_DEPTH,     /* local calls together use too much stack */
	LM_BPF_V_COMPLEX,         /* the verifier's own work or memory bound was hit */
	LM_BPF_V_NERR
};

#define LM_BPF_MAX_INSNS  4096  /* longest program the kernel loads */
#define LM_BPF_MAX_FRAMES 8     /* local-call depth, the entry function included */
#define LM_BPF_STACK_TOTAL 2048 /* bytes the frames of one call chain may use
                                   together (each function counts its deepest
                                   stack access, rounded up to 8) */

/* --- Program objects (LM_OBJ_BPF; docs/API.md, "eBPF programs") --------- */

/* An object of 2^size_bits bytes (LM_BPF_MIN_BITS .. LM_BPF_MAX_BITS)
 * holds a header of LM_BPF_HDR_BYTES, then the instructions; the pages
 * after those are where the JIT puts the translated code (a program with
 * no such page, or whose code does not fit, runs in the interpreter).
 * BPF_LOAD refuses a program whose instructions do not fit (LM_ERANGE). */
#define LM_BPF_HDR_BYTES   64
#define LM_BPF_INSNS_FIT(bits) (((1u << (bits)) - LM_BPF_HDR_BYTES) / 8)

#define LM_BPF_MAX_CTX     4096    /* MEM programs: largest ctx_size */
/* The verifier's work bound in the kernel (units: an instruction run on
 * one abstract state; a fork, join or loop-head check is 16). BPF_LOAD
 * runs without preemption, so this bounds one call: the worst program
 * measured costs about 450 guest instructions a unit (docs/API.md). A
 * loop-free program of LM_BPF_MAX_INSNS instructions needs about 36,000. */
#define LM_BPF_MAX_WORK    100000u
#define LM_BPF_LOAD_NOJIT  0x1u    /* BPF_LOAD flag: never JIT, always interpret */
#define LM_BPF_RUN_MAX_REPEAT 16   /* BPF_RUN: most runs one call makes */
#define LM_BPF_PAGE_CTX    4096    /* PREDICATE programs: the page they read */
#define LM_BPF_MAX_FILTERS 4       /* system-call filters on one thread */

/* Instructions one run may take: BPF_RUN, and each evaluation of a
 * predicate or a filter, JIT'ed or interpreted alike (the verifier does
 * not bound a loop this tightly). A run that would take more fails
 * (LM_ELIMIT; a filter denies). */
#define LM_BPF_RUN_BUDGET    (1u << 16)
#define LM_BPF_EVAL_BUDGET   4096

#endif
