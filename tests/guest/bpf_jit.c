/* The eBPF JIT in the kernel: BPF_LOAD translates a verified program into
 * its object and runs it from the code window; the results must be the
 * interpreter's (LM_BPF_LOAD_NOJIT loads the same program interpreted). */
#include <lm/string.h>
#include "bpf_util.h"

#define CN LM_SLOT_CNODE
#define CTX 32

#define ALU64_X(op, d, s)  I_(LM_BPF_ALU64 | (op) | LM_BPF_X, d, s, 0, 0)
#define ALU32_X(op, d, s)  I_(LM_BPF_ALU | (op) | LM_BPF_X, d, s, 0, 0)
#define SDIV_X(d, s)       I_(LM_BPF_ALU64 | LM_BPF_DIV | LM_BPF_X, d, s, 1, 0)
#define SMOD_X(d, s)       I_(LM_BPF_ALU64 | LM_BPF_MOD | LM_BPF_X, d, s, 1, 0)
#define STXDW(d, s, off)   I_(LM_BPF_STX | LM_BPF_MEM | LM_BPF_DW, d, s, off, 0)
#define JSGT_X(d, s, off)  I_(LM_BPF_JMP | LM_BPF_JSGT | LM_BPF_X, d, s, off, 0)
#define JEQ32_K(d, k, off) I_(LM_BPF_JMP32 | LM_BPF_JEQ | LM_BPF_K, d, 0, off, k)
#define JSET_K(d, k, off)  I_(LM_BPF_JMP | LM_BPF_JSET | LM_BPF_K, d, 0, off, k)
#define CALL_LOCAL(off)    I_(LM_BPF_JMP | LM_BPF_CALL, 0, LM_BPF_CALL_LOCAL, 0, off)
#define ATOMIC_DW(d, s, off, op) I_(LM_BPF_STX | LM_BPF_ATOMIC | LM_BPF_DW, d, s, off, op)

/* Division and modulo, unsigned and signed: x / 0, x % 0, INT_MIN / -1. */
static const struct lm_bpf_insn p_div[] = {
	LDXDW(3, 1, 0), LDXDW(4, 1, 8), MOV_X(0, 3), ALU64_X(LM_BPF_DIV, 0, 4),
	MOV_X(5, 3), ALU64_X(LM_BPF_MOD, 5, 4), MOV_X(6, 3), SDIV_X(6, 4),
	MOV_X(7, 3), SMOD_X(7, 4), ALU64_X(LM_BPF_XOR, 0, 5), ADD_X(0, 6),
	ALU64_X(LM_BPF_SUB, 0, 7), STXDW(1, 6, 16), STXDW(1, 7, 24), EXIT(),
};

/* Shifts by a register (masked counts), 32-bit forms, a byte swap. */
static const struct lm_bpf_insn p_shift[] = {
	LDXW(3, 1, 0), LDXDW(4, 1, 8), ALU32_X(LM_BPF_LSH, 3, 4), LDXDW(5, 1, 0),
	ALU64_X(LM_BPF_ARSH, 5, 4), LDXDW(6, 1, 8),
	I_(LM_BPF_ALU | LM_BPF_ARSH | LM_BPF_K, 6, 0, 0, 3), MOV_X(0, 3),
	ALU64_X(LM_BPF_XOR, 0, 5), ADD_X(0, 6), LDXDW(7, 1, 0),
	I_(LM_BPF_ALU | LM_BPF_END | LM_BPF_X, 7, 0, 0, 32), ADD_X(0, 7),
	STXDW(1, 0, 16), EXIT(),
};

/* Signed, 32-bit and bit-test branches. */
static const struct lm_bpf_insn p_branch[] = {
	LDXDW(3, 1, 0), LDXDW(4, 1, 8), MOV_K(0, 0), JSGT_X(3, 4, 2), MOV_K(0, 1), JA(1),
	MOV_K(0, 2), JEQ32_K(3, 0, 1), ADD_K(0, 10), JSET_K(3, 0x80, 1), JA(1),
	ADD_K(0, 100), EXIT(),
};

/* The CSUM helper over the whole context, seeded from it; the sum is
 * stored back through a saved copy of r1. */
static const struct lm_bpf_insn p_helper[] = {
	MOV_X(6, 1), LDXDW(3, 1, 24), CALL(LM_BPF_HELPER_CSUM), STXDW(6, 0, 16), EXIT(),
};

/* A local call that uses its own stack frame. */
static const struct lm_bpf_insn p_call[] = {
	MOV_X(6, 1), CALL_LOCAL(3), LDXDW(3, 6, 8), ADD_X(0, 3), EXIT(),
	LDXDW(2, 1, 0), STXDW(10, 2, -8), LDXDW(0, 10, -8),
	I_(LM_BPF_ALU64 | LM_BPF_MUL | LM_BPF_K, 0, 0, 0, 3), EXIT(),
};

/* Atomics: add, then fetch-add whose old value is the result. */
static const struct lm_bpf_insn p_atomic[] = {
	MOV_K(3, 1), ATOMIC_DW(1, 3, 0, LM_BPF_ADD), MOV_K(4, 2),
	ATOMIC_DW(1, 4, 8, LM_BPF_ADD | LM_BPF_FETCH), MOV_X(0, 4), EXIT(),
};

static const struct { const struct lm_bpf_insn *p; lm_u32 n; } progs[] = {
	{ p_div, NINSNS(p_div) }, { p_shift, NINSNS(p_shift) }, { p_branch, NINSNS(p_branch) },
	{ p_helper, NINSNS(p_helper) }, { p_call, NINSNS(p_call) }, { p_atomic, NINSNS(p_atomic) },
};

static const lm_u64 inputs[][4] = {
	{ 0, 0, 0, 0 },
	{ 7, 0, 1, 2 },
	{ 0x8000000000000000ull, ~0ull, 3, 4 },
	{ (lm_u64)-5, 3, 0xffff, 0x1234 },
	{ 0x123456789abcdef0ull, 0xfedcba9876543210ull, 5, 6 },
	{ 100, 7, ~0ull, ~0ull },
	{ 0xffffffffull, 63, 0x80, 0x8000000000000000ull },
	{ 0x80, 0x100000000ull, 9, 10 },
};

/* A MEM program over CTX bytes in an 8 KiB object, with flags; *jit its
 * code's size (0: interpreted). */
static lm_cptr_t load(const struct lm_bpf_insn *p, lm_u32 n, lm_u32 bits, lm_u64 flags,
		      lm_u64 *jit)
{
	struct lm_bpf_load_info info;
	lm_cptr_t o = t_new(LM_OBJ_BPF, bits);
	if (!o)
		return 0;
	int err = lm_bpf_load_flags(o, LM_BPF_PROG_MEM, p, n, CTX, flags, &info);
	if (err) {
		t_fail(__FILE__, __LINE__, "loading: %s (reason %lu at %lu)", lm_err_str(err),
		       info.why, info.pc);
		return 0;
	}
	*jit = info.jit_bytes;
	return o;
}

TEST(bpf_jit_gives_the_interpreters_results)
{
	for (lm_u32 k = 0; k < NINSNS(progs); k++) {
		lm_u64 jb = 0, ib = 1;
		lm_cptr_t j = load(progs[k].p, progs[k].n, 13, 0, &jb);
		lm_cptr_t i = load(progs[k].p, progs[k].n, 13, LM_BPF_LOAD_NOJIT, &ib);
		CHECK(j && i);
		CHECK(jb > 0 && jb < LM_PAGE_SIZE);
		CHECK_EQ(ib, 0);
		for (lm_u32 x = 0; x < NINSNS(inputs); x++) {
			lm_u64 bj[4], bi[4], rj = 1, ri = 2, sj = 1, si = 0;
			memcpy(bj, inputs[x], CTX);
			memcpy(bi, inputs[x], CTX);
			CHECK_OK(lm_bpf_run_repeat(j, bj, CTX, 1, &rj, &sj));
			CHECK_OK(lm_bpf_run_repeat(i, bi, CTX, 1, &ri, &si));
			if (rj != ri || memcmp(bj, bi, CTX))
				t_fail(__FILE__, __LINE__, "program %u input %u: r0 %#lx jit, %#lx interp",
				       k, x, rj, ri);
			CHECK_EQ(sj, 0);  /* verified JIT code counts nothing */
			CHECK(si >= progs[k].n / 2);
		}
	}
	/* With code in the window: each of its pages read-only and
	 * executable, the direct map not executable, and the window holding
	 * exactly the live programs' pages (kernel/arch/x86_64/kmap.c). */
	lm_u64 problems = 1;
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
}

TEST(bpf_run_repeat_runs_the_program_that_many_times_in_one_call)
{
	lm_u64 jb, ib;
	lm_cptr_t j = load(p_atomic, NINSNS(p_atomic), 13, 0, &jb);
	lm_cptr_t i = load(p_atomic, NINSNS(p_atomic), 13, LM_BPF_LOAD_NOJIT, &ib);
	CHECK(j && i && jb && !ib);
	lm_u64 b[4] = { 0 }, r0, steps;
	CHECK_OK(lm_bpf_run_repeat(j, b, CTX, 5, &r0, &steps));
	CHECK_EQ(b[0], 5);
	CHECK_EQ(b[1], 10);
	CHECK_EQ(r0, 8);   /* the last run's fetch */
	CHECK_OK(lm_bpf_run_repeat(i, b, CTX, LM_BPF_RUN_MAX_REPEAT, &r0, &steps));
	CHECK_EQ(b[0], 5 + LM_BPF_RUN_MAX_REPEAT);
	CHECK_EQ(steps, LM_BPF_RUN_MAX_REPEAT * NINSNS(p_atomic));
	CHECK_OK(lm_bpf_run_repeat(i, b, CTX, 0, &r0, &steps)); /* 0: once */
	CHECK_EQ(b[0], 6 + LM_BPF_RUN_MAX_REPEAT);
	CHECK_ERR(lm_bpf_run_repeat(j, b, CTX, LM_BPF_RUN_MAX_REPEAT + 1, &r0, 0), LM_ERANGE);
	CHECK_EQ(b[0], 6 + LM_BPF_RUN_MAX_REPEAT); /* a refused call changes nothing */
}

TEST(bpf_load_without_a_page_for_code_or_with_NOJIT_interprets)
{
	lm_u64 jb = 1, r0 = 0, steps = 0;
	lm_cptr_t s = load(p_branch, NINSNS(p_branch), LM_BPF_MIN_BITS, 0, &jb);
	CHECK(s);
	CHECK_EQ(jb, 0); /* 4 KiB: the instructions' page is the last one */
	lm_u64 b[4] = { 5, 3, 0, 0 };
	CHECK_OK(lm_bpf_run_repeat(s, b, CTX, 1, &r0, &steps));
	CHECK_EQ(r0, 12);
	CHECK(steps > 0);
	lm_cptr_t o = t_new(LM_OBJ_BPF, 13);
	CHECK(o);
	CHECK_ERR(lm_bpf_load_flags(o, LM_BPF_PROG_MEM, p_branch, NINSNS(p_branch), CTX, 2, 0),
		  LM_EINVAL);
	CHECK_EQ(t_id(o).extra, 0); /* still not loaded */
}

/* n instructions of signed modulo (the JIT's longest), to fill the window
 * with few programs. */
#define BIG_N 3000
static struct lm_bpf_insn big[BIG_N];

/* The window is bounded (512 pages): a program that finds no room runs in
 * the interpreter with the same result, and a program's pages come free
 * when its last capability goes (DEBUG_CHECK, after the test, finds the
 * window holding exactly the live programs' code, read-only, executable). */
TEST(bpf_jit_window_full_falls_back_to_the_interpreter_and_frees_on_delete)
{
	lm_cptr_t o[24];
	lm_u64 pages = 0, jb = 0, r0 = 0, want = 0;
	lm_u32 k;
	big[0] = (struct lm_bpf_insn)LDXDW(3, 1, 0);
	big[1] = (struct lm_bpf_insn)LDXDW(4, 1, 8);
	for (k = 2; k < BIG_N - 2; k++)
		big[k] = (struct lm_bpf_insn)SMOD_X(3, 4);
	big[BIG_N - 2] = (struct lm_bpf_insn)MOV_X(0, 3);
	big[BIG_N - 1] = (struct lm_bpf_insn)EXIT();
	lm_u64 b[4] = { 1000003, 1000, 0, 0 };
	for (k = 0; k < NINSNS(o); k++) {
		o[k] = load(big, BIG_N, 18, 0, &jb);
		CHECK(o[k]);
		if (!jb)
			break;
		pages += (jb + LM_PAGE_SIZE - 1) / LM_PAGE_SIZE;
		CHECK_OK(lm_bpf_run(o[k], b, CTX, &want));
	}
	CHECK(k < NINSNS(o));
	lm_u64 per = (BIG_N * 40) / LM_PAGE_SIZE; /* at least 40 bytes each */
	CHECK(pages <= 512 && pages + per > 512);
	t_note("%u programs JIT'ed in %lu pages, the next interpreted", k, pages);
	CHECK_OK(lm_bpf_run(o[k], b, CTX, &r0));
	CHECK_EQ(r0, want);
	CHECK_EQ(want, 3);
	CHECK_OK(lm_cnode_delete(CN, o[0]));
	lm_cptr_t again = load(big, BIG_N, 18, 0, &jb);
	CHECK(again && jb);
	CHECK_OK(lm_bpf_run(again, b, CTX, &r0));
	CHECK_EQ(r0, 3);
}
