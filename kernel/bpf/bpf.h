/*
 * eBPF in Lamina: the interpreter (interp.c). Freestanding: the same source
 * builds into the kernel and, with the host tests and tools/bpf/bpf-run,
 * on the host.
 *
 * There is no verifier yet, so the interpreter trusts nothing about the
 * program: every register access, jump target, load and store is checked
 * as it runs, and a bounded number of instructions runs. A program that
 * breaks a rule stops with an error and the index of the instruction; it
 * never touches memory outside the region it was given and its stack.
 */
#ifndef BPF_H
#define BPF_H

#include <lamina/bpf.h>

#define BPF_MAX_FRAMES 8    /* call depth, the entry function included */

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
	lm_u8 stack[BPF_MAX_FRAMES * LM_BPF_STACK];
};

struct bpf_result {
	lm_u64 r0;          /* the program's result, when err is BPF_OK */
	enum bpf_err err;
	lm_u32 pc;          /* the instruction that failed, when err is not */
	lm_u64 steps;       /* instructions run */
};

/*
 * Run prog (n instructions) with r1 = mem, r2 = len (r1 = 0 when mem is
 * NULL), r10 = the top of the first 512-byte frame, for at most budget
 * instructions. Returns res->err.
 */
enum bpf_err bpf_run(struct bpf_vm *vm, const struct lm_bpf_insn *prog, lm_u32 n,
		     void *mem, lm_u64 len, lm_u64 budget, struct bpf_result *res);

/* A short name for an error ("invalid opcode"). */
const char *bpf_strerror(enum bpf_err err);

#endif
