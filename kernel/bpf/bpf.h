/*
 * eBPF in Lamina: the interfaces of the interpreter (interp.c), the helper
 * tables and the verifier (verify*.c); the JIT's are in jit.h. Freestanding:
 * the same sources build into the kernel and, with the host tests and
 * tools/bpf/bpf-run, on the host.
 *
 * The interpreter trusts nothing about the program, verified or not: every
 * register access, jump target, load and store is checked as it runs, and
 * a bounded number of instructions runs. A program that breaks a rule stops
 * with an error and the index of the instruction; it never touches memory
 * outside the region it was given and its stack. (bpf-run --no-verify and
 * the fuzzers rely on that; the kernel only runs verified programs.)
 */
#ifndef BPF_H
#define BPF_H

#include <lamina/bpf.h>

#define BPF_MAX_FRAMES LM_BPF_MAX_FRAMES

enum bpf_err {
	BPF_OK,
	BPF_EOPCODE,    /* not an RFC 9669 instruction (or a reserved field set) */
	BPF_EREG,       /* register number above r10, or a write to r10 */
	BPF_EJUMP,      /* jump or call target outside the program */
	BPF_EFALL,      /* ran off the end of the program */
	BPF_ELDDW,      /* lddw cut off or its second slot malformed */
	BPF_EMEM,       /* load or store outside the memory region and stack */
	BPF_EALIGN,     /* atomic operation on an unaligned address */
	BPF_EHELPER,    /* call of a helper that does not exist */
	BPF_EDEPTH,     /* local calls nested deeper than BPF_MAX_FRAMES */
	BPF_EBUDGET,    /* instruction budget used up */
	BPF_NERR
};

/* What a run needs besides the program: the stacks of every call frame.
 * Large (4 KiB), so the caller places it; its contents need no setup. */
struct bpf_vm {
	lm_u8 stack[BPF_MAX_FRAMES * LM_BPF_STACK] __attribute__((aligned(16)));
};

struct bpf_result {
	lm_u64 r0;          /* the program's result, when err is BPF_OK */
	enum bpf_err err;
	lm_u32 pc;          /* the instruction that failed, when err is not */
	lm_u64 steps;       /* instructions run */
};


/* Is op (an atomic instruction's imm) one RFC 9669 defines: add, or, and,
 * xor with or without FETCH, xchg, cmpxchg? One rule for the interpreter,
 * the verifier and the JIT. */
static inline int bpf_atomic_op_ok(int op)
{
	int base = op & ~LM_BPF_FETCH;

	if (op == LM_BPF_XCHG || op == LM_BPF_CMPXCHG)
		return 1;
	return (op & ~0xf1) == 0 && (base == LM_BPF_ADD || base == LM_BPF_OR ||
				     base == LM_BPF_AND || base == LM_BPF_XOR);
}

/*
 * Are the fields an instruction does not use zero, as RFC 9669 requires
 * ("unused fields SHALL be cleared to zero")? The interpreter and the JIT
 * refuse one that is not (BPF_EOPCODE) when it would run, as the verifier
 * refuses it (LM_BPF_V_OPCODE) before; which fields each form uses is the
 * RFC's. Fields that carry an operand are checked where they are used.
 */
static inline int bpf_fields_ok(const struct lm_bpf_insn *i)
{
	lm_u8 cls = LM_BPF_CLASS(i->op), oper = LM_BPF_OPER(i->op);
	int x = (i->op & LM_BPF_X) != 0;

	switch (cls) {
	case LM_BPF_LDX:
		return i->imm == 0;
	case LM_BPF_ST:
		return LM_BPF_SRC(i) == 0;
	case LM_BPF_STX:
		return LM_BPF_MODE(i->op) == LM_BPF_ATOMIC || i->imm == 0;
	case LM_BPF_ALU:
	case LM_BPF_ALU64:
		if (oper == LM_BPF_END)
			return LM_BPF_SRC(i) == 0;
		if (oper == LM_BPF_NEG)
			return LM_BPF_SRC(i) == 0 && i->imm == 0;
		return x ? i->imm == 0 : LM_BPF_SRC(i) == 0;
	case LM_BPF_JMP:
	case LM_BPF_JMP32:
		if (oper == LM_BPF_JA)
			return i->regs == 0 && (cls == LM_BPF_JMP32 ? i->off == 0 : i->imm == 0);
		if (oper == LM_BPF_CALL)
			return LM_BPF_DST(i) == 0 && i->off == 0;
		if (oper == LM_BPF_EXIT)
			return i->regs == 0 && i->off == 0 && i->imm == 0;
		return x ? i->imm == 0 : LM_BPF_SRC(i) == 0;
	default:        /* LD: lddw's own checks cover its fields */
		return 1;
	}
}

/* A short name for an error ("invalid opcode"). */
const char *bpf_strerror(enum bpf_err err);

/* --- helpers -------------------------------------------------------------- */

/* How the verifier types a helper's argument. */
enum bpf_arg {
	BPF_ARG_NONE,      /* not an argument (the list ends) */
	BPF_ARG_SCALAR,    /* any initialised scalar */
	BPF_ARG_MEM,       /* pointer to readable bytes (context or initialised
	                      stack); their number is the next argument */
	BPF_ARG_SIZE,      /* scalar, the size of the MEM before it: its bounds
	                      must keep the access inside that memory */
};

typedef lm_u64 (*bpf_helper_fn)(lm_u64, lm_u64, lm_u64, lm_u64, lm_u64);

struct bpf_helper {
	bpf_helper_fn fn;          /* NULL: no helper with this number */
	lm_u8 args[5];             /* enum bpf_arg for r1..r5 */
};

/* The helpers one program type may call: helper number i is table[i]. */
struct bpf_helpers {
	const struct bpf_helper *table;
	lm_u32 count;
};

/*
 * Run prog (n instructions) with r1 = mem, r2 = len (r1 = 0 when mem is
 * NULL), r10 = the top of the first 512-byte frame, for at most budget
 * instructions; helper calls go to helpers (NULL: none). Returns res->err.
 */
enum bpf_err bpf_run(struct bpf_vm *vm, const struct lm_bpf_insn *prog, lm_u32 n,
		     void *mem, lm_u64 len, const struct bpf_helpers *helpers,
		     lm_u64 budget, struct bpf_result *res);

/* --- verifier (verify*.c) ---------------------------------------------------- */

/* What the program is checked against. */
struct bpf_verify_cfg {
	lm_u32 ctx_size;               /* bytes r1 points to; 0: r1 is the scalar 0 */
	lm_u8 ctx_writable;            /* stores into the context allowed */
	lm_u8 r2_is_size;              /* r2 starts as the scalar ctx_size */
	const struct bpf_helpers *helpers;
	lm_u64 max_work;               /* bound on the verifier's own steps (0: default) */
};

struct bpf_verify_result {
	enum lm_bpf_verr err;
	lm_u32 pc;                     /* the instruction refused, when err is not OK */
	lm_u64 work;                   /* the verifier's steps, for the scaling table */
	lm_u32 stack;                  /* deepest stack use over all call chains (bytes) */
};

/* The verifier's working memory, placed by the caller (the kernel keeps one,
 * statically; it allocates nothing). Its size bounds what the verifier can
 * hold; running out is LM_BPF_V_COMPLEX, never an overflow. Defined in
 * verify.h so only the verifier knows its layout. */
struct bpf_verify_ws;
extern const lm_u64 bpf_verify_ws_size;   /* bytes a struct bpf_verify_ws needs */

enum lm_bpf_verr bpf_verify(struct bpf_verify_ws *ws, const struct lm_bpf_insn *prog,
			    lm_u32 n, const struct bpf_verify_cfg *cfg,
			    struct bpf_verify_result *res);

/* A short reason for a verifier error ("read of an uninitialised register"). */
const char *bpf_verify_strerror(enum lm_bpf_verr err);

#endif
