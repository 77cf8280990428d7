/*
 * kbench: BPF_LOAD, the verifier's cost (docs/BENCHMARKS.md, "Verifier
 * scaling"). Lamina only; each load goes into a fresh object (the retype
 * and the delete are not timed).
 *   bpf_load_100, bpf_load_1000, bpf_load_4000  loop-free programs of
 *                       that many instructions, nearly all in diamonds (a
 *                       compare on a context value, a different update
 *                       on each side), verified, not JIT'ed
 *   bpf_load_jit_4000   the 4,000 one verified and JIT'ed
 *   bpf_load_worst_loop, bpf_load_worst_diamond  hostile programs: a loop
 *                       the verifier unrolls until its work bound refuses
 *                       it (EVERIFY); the body a single add, or diamonds
 * A "# <name> insns=<n> work=<units> err=<error> why=<enum lm_bpf_verr>"
 * line goes with each.
 */
#include "kbench.h"
#include <lamina/bpf.h>

#define I_(op, dst, src, off, imm) \
	((struct lm_bpf_insn){ (lm_u8)(op), (lm_u8)((dst) | (src) << 4), (short)(off), (int)(imm) })
#define MOV_K(d, k)     I_(LM_BPF_ALU64 | LM_BPF_MOV | LM_BPF_K, d, 0, 0, k)
#define ADD_K(d, k)     I_(LM_BPF_ALU64 | LM_BPF_ADD | LM_BPF_K, d, 0, 0, k)
#define MUL_K(d, k)     I_(LM_BPF_ALU64 | LM_BPF_MUL | LM_BPF_K, d, 0, 0, k)
#define LDXDW(d, s, o)  I_(LM_BPF_LDX | LM_BPF_MEM | LM_BPF_DW, d, s, o, 0)
#define JGT_K(d, k, o)  I_(LM_BPF_JMP | LM_BPF_JGT | LM_BPF_K, d, 0, o, k)
#define JGT_X(d, s, o)  I_(LM_BPF_JMP | LM_BPF_JGT | LM_BPF_X, d, s, o, 0)
#define JLT_K(d, k, o)  I_(LM_BPF_JMP | LM_BPF_JLT | LM_BPF_K, d, 0, o, k)
#define JA(o)           I_(LM_BPF_JMP | LM_BPF_JA, 0, 0, o, 0)
#define EXIT()          I_(LM_BPF_JMP | LM_BPF_EXIT, 0, 0, 0, 0)

static struct lm_bpf_insn prog[4096];
static lm_u32 prog_n, load_bits;
static lm_u64 load_flags, last_work, last_err, last_why;
static int failed;

/* n instructions: two loads, then 4-instruction diamonds, then the exit
 * (path enumeration would see 2^(n/4) paths; the verifier joins them). */
static void diamonds(lm_u32 n)
{
	lm_u32 k = 0;
	prog[k++] = MOV_K(0, 0);
	prog[k++] = LDXDW(6, 1, 0);
	prog[k++] = LDXDW(7, 1, 8);
	while (k + 4 <= n - 1) {
		prog[k] = (k & 8) ? JGT_K(6, (int)k, 2) : JGT_X(6, 7, 2);
		prog[k + 1] = ADD_K(0, 1);
		prog[k + 2] = JA(1);
		prog[k + 3] = MUL_K(0, 3);
		k += 4;
	}
	while (k < n - 1)
		prog[k++] = ADD_K(0, 1);
	prog[k++] = EXIT();
	prog_n = k;
}

/* A counting loop of (in effect) endless trips; body: one add, or
 * `d` diamonds on a context value before the count. */
static void hostile(lm_u32 d)
{
	lm_u32 k = 0;
	prog[k++] = MOV_K(0, 0);
	prog[k++] = LDXDW(6, 1, 0);
	prog[k++] = MOV_K(3, 0);
	lm_u32 head = k;
	for (lm_u32 i = 0; i < d; i++) {
		prog[k++] = JGT_K(6, (int)i, 2);
		prog[k++] = ADD_K(0, 1);
		prog[k++] = JA(1);
		prog[k++] = MUL_K(0, 3);
	}
	prog[k++] = ADD_K(3, 1);
	prog[k] = JLT_K(3, 0x7fffffff, (short)(head - (k + 1)));
	k++;
	prog[k++] = EXIT();
	prog_n = k;
}

static lm_u64 op_load(lm_u64 n)
{
	lm_u64 cycles = 0;
	for (lm_u64 i = 0; i < n; i++) {
		struct lm_bpf_load_info info;
		lm_cptr_t o = new_obj(LM_OBJ_BPF, load_bits);
		if (!o) {
			failed = 1;
			return 0;
		}
		lm_u64 t0 = span_begin();
		last_err = (lm_u64)lm_bpf_load_flags(o, LM_BPF_PROG_MEM, prog, prog_n, 16, load_flags,
						     &info);
		cycles += span_end(t0);
		last_work = info.work;
		last_why = info.why;
		failed |= lm_cnode_delete(LM_SLOT_CNODE, o);
	}
	return cycles;
}

static void one(const char *name, lm_u32 bits, lm_u64 flags, lm_u64 iters)
{
	load_bits = bits;
	load_flags = flags;
	bench_self(name, iters, 1, op_load);
	lm_printf("# %s insns=%u work=%lu err=%s why=%lu\n", name, prog_n, last_work,
		  lm_err_str(last_err), last_why);
}

void kb_bpf_load(void)
{
	static const struct { const char *name; lm_u32 n, iters; } sizes[] = {
		{ "bpf_load_100", 100, 20 }, { "bpf_load_1000", 1000, 5 }, { "bpf_load_4000", 4000, 2 },
	};
	for (lm_u32 i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (selected(sizes[i].name)) {
			diamonds(sizes[i].n);
			one(sizes[i].name, 16, LM_BPF_LOAD_NOJIT, sizes[i].iters);
		}
	if (selected("bpf_load_jit_4000")) {
		diamonds(4000);
		one("bpf_load_jit_4000", 18, 0, 2);
	}
	if (selected("bpf_load_worst_loop")) {
		hostile(0);
		one("bpf_load_worst_loop", 13, LM_BPF_LOAD_NOJIT, 1);
	}
	if (selected("bpf_load_worst_diamond")) {
		hostile(8);
		one("bpf_load_worst_diamond", 13, LM_BPF_LOAD_NOJIT, 1);
	}
	if (failed)
		lm_printf("kbench: a BPF_LOAD benchmark's call failed\n");
}
