/*
 * eBPF in Lamina: the JIT to x86-64 (jit.c, jit_alu.c, jit_mem.c,
 * jit_jmp.c, jit_emit.c, jit_run.c). Freestanding like the interpreter: it
 * builds into the kernel, the host tests and tools/bpf/bpf-run.
 *
 * Use:
 *   1. size a buffer: bpf_jit_size_bound(n, mode) bytes, writable, and a
 *      scratch of n + 1 words (the kernel: one static array of
 *      LM_BPF_MAX_INSNS + 1, 16 KiB, as for the verifier's workspace);
 *   2. bpf_jit_compile() writes the code into it and returns its size;
 *   3. make the pages executable and not writable (never both at once:
 *      on the host mprotect(PROT_READ | PROT_EXEC); in the kernel the
 *      program object's pages mapped RX in the kernel's window). The code
 *      is position-independent, so it may run from another mapping of the
 *      same pages than the one it was written through;
 *   4. bpf_jit_run() as often as wanted.
 *
 * The results are the interpreter's (bpf_run), the same r0 and memory, with
 * the same errors and instruction index in checked mode. The budget
 * (docs/DESIGN.md, "The eBPF JIT"):
 *   - verified mode counts instructions as the interpreter does, a block
 *     at a time (jit.c): with the same budget the same runs finish, with
 *     the same r0 and res->steps, and the others stop with BPF_EBUDGET
 *     (reported at the first instruction of the block the budget could not
 *     pay for, where the interpreter names the instruction it could not
 *     run). A program with no backward jump and no local call is not
 *     counted (bpf_jit_counts): it runs each instruction once at most, so
 *     a budget of at least n never stops it in either engine;
 *   - checked mode counts only backward jumps taken and local calls, so a
 *     program that loops is stopped at a different point, and one the
 *     interpreter stops for its length may finish (tools/bpf/jit_load.h
 *     has a checked budget that stops no later than a given interpreter
 *     budget).
 */
#ifndef BPF_JIT_H
#define BPF_JIT_H

#include "bpf.h"

enum bpf_jit_mode {
	/* The program passed bpf_verify: loads, stores, call depth and
	 * termination are trusted; only what RFC 9669 defines is done at run
	 * time (x / 0, INT_MIN / -1), and the instruction budget where the
	 * program loops or calls (termination is not enough: the verifier
	 * accepts loops far longer than a hook's budget). No stack clearing. */
	BPF_JIT_VERIFIED,
	/* Nothing is trusted, as in the interpreter: every load, store and
	 * atomic is checked against the memory and the live frames, call depth
	 * and the budget are counted, new frames read as zeros. Whatever the
	 * program, the code touches no other memory and stops. */
	BPF_JIT_CHECKED,
};

/* Bytes one eBPF instruction becomes at most, in each mode (with its error
 * exits; an lddw counts as its two slots), and the bytes every program has
 * besides. bpf_jit_compile checks each instruction against its bound as it
 * goes, so the bound holds by construction (the worst cases measured:
 * a checked 32-bit fetch-xor, 106 bytes; a verified signed mod, 52, and
 * 78 when it starts a counted block: the budget's charge and its exit). */
#define BPF_JIT_INSN_MAX_VERIFIED  80u
#define BPF_JIT_INSN_MAX_CHECKED   128u
#define BPF_JIT_FIXED_MAX          192u

/* Longest program: an error exit carries its instruction in 24 bits. */
#define BPF_JIT_MAX_INSNS  (1u << 24)

static inline lm_u64 bpf_jit_insn_max(enum bpf_jit_mode mode)
{
	return mode == BPF_JIT_CHECKED ? BPF_JIT_INSN_MAX_CHECKED : BPF_JIT_INSN_MAX_VERIFIED;
}

/* The buffer bpf_jit_compile needs for n instructions. The code it makes
 * is usually far smaller, and position-independent: a caller may compile
 * into a scratch buffer of this size and copy the result where it runs. */
static inline lm_u64 bpf_jit_size_bound(lm_u32 n, enum bpf_jit_mode mode)
{
	return BPF_JIT_FIXED_MAX + (lm_u64)n * bpf_jit_insn_max(mode);
}

/*
 * Translate prog (n instructions) into code[0 .. cap). In verified mode a
 * budget other than 0 is every run's, set by the code itself (the kernel's:
 * its hook's, so that nothing is passed at run time and a loop-free program
 * pays nothing); with 0 the code takes the one bpf_jit_run gives. Helper calls are
 * bound now, to the functions in helpers (NULL: none), which must outlive
 * the code; an unknown helper becomes an exit with BPF_EHELPER where it is
 * called, as every instruction the interpreter would refuse becomes an exit
 * with its error. offs is the caller's scratch of n + 1 words (the code
 * offset of each instruction, for jumps). Returns the code's size, or 0 if
 * it did not fit in cap (never, when cap >= bpf_jit_size_bound(n, mode)) or n is
 * above BPF_JIT_MAX_INSNS.
 */
lm_u64 bpf_jit_compile(const struct lm_bpf_insn *prog, lm_u32 n, enum bpf_jit_mode mode,
		       lm_u64 budget, const struct bpf_helpers *helpers, lm_u32 *offs, void *code,
		       lm_u64 cap);

/*
 * Run compiled code as bpf_run runs a program: r1 = mem, r2 = len (0 and 0
 * when mem is NULL), r10 = the top of vm's first frame (the eBPF stack
 * lives in vm, the return addresses and saved r6-r9 of local calls on the
 * native stack: at most 48 bytes a frame). budget bounds backward jumps and
 * calls in checked mode (res->steps: how many were made), instructions in
 * verified mode (res->steps: how many ran; 0 if not counted).
 *
 * The code's entry is a C function, u64 entry(struct bpf_jit_state *), in
 * the System V ABI; only this function calls it.
 */
enum bpf_err bpf_jit_run(const void *code, struct bpf_vm *vm, void *mem, lm_u64 len,
			 lm_u64 budget, struct bpf_result *res);

/* Is prog counted in verified mode (has it a backward jump or a local
 * call)? If not, its verified code ignores the budget: it runs each
 * instruction at most once, and res->steps is 0. */
int bpf_jit_counts(const struct lm_bpf_insn *prog, lm_u32 n, const struct bpf_helpers *helpers);

/* bpf_jit_run for code compiled in BPF_JIT_VERIFIED mode with its budget
 * (bpf_jit_compile) only: sets up just what that code reads; res->steps is
 * 0 (not reported). */
enum bpf_err bpf_jit_run_verified(const void *code, struct bpf_vm *vm, void *mem, lm_u64 len,
				  struct bpf_result *res);

#endif
