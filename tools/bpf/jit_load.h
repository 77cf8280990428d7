/*
 * Loading JIT'ed eBPF on the host (bpf-run, the host tests, the fuzz target,
 * the benchmark): the pages are mapped writable, the code written, then
 * made executable and read-only. They are never writable and executable at
 * once (W^X), as in the kernel.
 */
#ifndef JIT_LOAD_H
#define JIT_LOAD_H

#include <stdlib.h>
#include <sys/mman.h>
#include "bpf/jit.h"

struct jit_code {
	void *code;         /* NULL: the program did not compile */
	size_t map_len;     /* the mapping to unmap */
	lm_u64 size;        /* bytes of code */
};

/* budget: verified mode's compiled-in budget (bpf_jit_compile), 0: none. */
static inline struct jit_code jit_load_budget(const struct lm_bpf_insn *prog, lm_u32 n,
					      enum bpf_jit_mode mode, lm_u64 budget,
					      const struct bpf_helpers *helpers)
{
	struct jit_code jc = { 0 };
	lm_u64 cap = bpf_jit_size_bound(n, mode);
	size_t len = (cap + 4095) & ~(size_t)4095;
	lm_u32 *offs = malloc(((size_t)n + 1) * sizeof(*offs));
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!offs || p == MAP_FAILED) {
		free(offs);
		if (p != MAP_FAILED)
			munmap(p, len);
		return jc;
	}
	jc.size = bpf_jit_compile(prog, n, mode, budget, helpers, offs, p, cap);
	free(offs);
	if (!jc.size || mprotect(p, len, PROT_READ | PROT_EXEC) != 0) {
		munmap(p, len);
		jc.size = 0;
		return jc;
	}
	jc.code = p;
	jc.map_len = len;
	return jc;
}

static inline struct jit_code jit_load(const struct lm_bpf_insn *prog, lm_u32 n,
				       enum bpf_jit_mode mode, const struct bpf_helpers *helpers)
{
	return jit_load_budget(prog, n, mode, 0, helpers);
}

/*
 * A JIT budget that makes the JIT stop no later than the interpreter with
 * `budget` steps would, for an n-instruction program: between two counted
 * events (a backward jump taken, a call) or returns, the pc only grows, so
 * a run with e events takes at most n * (2e + 1) steps. A JIT run that
 * finishes within this budget therefore finishes in the interpreter too,
 * and the two must agree exactly; only a JIT stopped for its budget may
 * differ (the differential tests use this).
 */
static inline lm_u64 jit_budget_within(lm_u64 budget, lm_u32 n)
{
	lm_u64 per = n ? budget / n : budget;
	return per > 1 ? (per - 1) / 2 : 0;
}

/*
 * May the differential tests run this program in the verified mode though
 * no verifier passed it? Yes if the interpreter ran it to its exit and it
 * makes no local call: from the same registers, memory and first frame
 * (zeroed, as the interpreter has it) the verified code takes the same
 * path and makes the same accesses, all of which the interpreter checked.
 * (With local calls a frame used twice would hold the first callee's bytes
 * in the JIT and zeros in the interpreter.)
 */
static inline int jit_replays_safely(const struct lm_bpf_insn *p, lm_u32 n, enum bpf_err interp)
{
	if (interp != BPF_OK)
		return 0;
	for (lm_u32 k = 0; k < n; k++)
		if (p[k].op == (LM_BPF_JMP | LM_BPF_CALL) && LM_BPF_SRC(&p[k]) == LM_BPF_CALL_LOCAL)
			return 0;
	return 1;
}

static inline void jit_unload(struct jit_code *jc)
{
	if (jc->code)
		munmap(jc->code, jc->map_len);
	jc->code = NULL;
}

#endif
