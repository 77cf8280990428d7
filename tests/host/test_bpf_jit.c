/* Host tests of the eBPF JIT (kernel/bpf/jit*.c): the JIT must give the
 * interpreter's results. Every program of test_bpf.c runs through both (the
 * interpreter's tests are included with bpf_run standing for a run of
 * both, compared); then RFC 9669's edge cases in both JIT modes, helpers,
 * the budget, the size bound, and thousands of random programs. */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "bpf/jit.h"
#include "../../tools/bpf/jit_load.h"

static void *bpf_verify_ws_mem;

/* Does the verifier accept p for a writable context of len bytes (r1) and
 * its size in r2, as bpf_run starts a program? */
static int verifies(const struct lm_bpf_insn *p, lm_u32 n, lm_u64 len, const struct bpf_helpers *h)
{
	struct bpf_verify_cfg cfg = { .ctx_size = (lm_u32)len, .ctx_writable = 1, .r2_is_size = 1,
				      .helpers = h };
	struct bpf_verify_result vr;

	if (!bpf_verify_ws_mem)
		bpf_verify_ws_mem = malloc(bpf_verify_ws_size);
	return bpf_verify(bpf_verify_ws_mem, p, n, &cfg, &vr) == LM_BPF_V_OK;
}

static enum bpf_err jit_run_mode(struct bpf_vm *vm, const struct lm_bpf_insn *p, lm_u32 n,
				 void *mem, lm_u64 len, const struct bpf_helpers *h, lm_u64 budget,
				 struct bpf_result *res, enum bpf_jit_mode mode)
{
	struct jit_code jc = jit_load(p, n, mode, h);

	if (!jc.code) {
		printf("(the JIT refused %u instructions) ", n);
		*res = (struct bpf_result){ .err = BPF_NERR };
		return BPF_NERR;
	}
	bpf_jit_run(jc.code, vm, mem, len, budget, res);
	jit_unload(&jc);
	return res->err;
}

/* Do two runs agree? The checked JIT runs on a budget that stops it first
 * (jit_load.h): if it finished, the interpreter did and the two must agree;
 * if it stopped for its budget there is nothing to compare. */
static int same(const struct bpf_result *a, const struct bpf_result *b)
{
	if (b->err == BPF_EBUDGET)
		return 1;
	return a->err == b->err && a->r0 == b->r0 && (a->err == BPF_OK || a->pc == b->pc);
}

/* The verified JIT runs on the interpreter's budget and must agree on
 * everything: the error (BPF_EBUDGET included), r0, the count (0 if the
 * program is not counted), the instruction (but where the budget ran out:
 * the JIT names the block's first). */
static int same_verified(const struct bpf_result *a, const struct bpf_result *b, int counted)
{
	return a->err == b->err && a->r0 == b->r0 &&
	       b->steps == (counted || a->err == BPF_EBUDGET ? a->steps : 0) &&
	       (a->err == BPF_OK || a->err == BPF_EBUDGET || a->pc == b->pc);
}

/* A counted program that finished in s instructions: the verified JIT
 * finishes on a budget of s and stops (BPF_EBUDGET) on s - 1, as the
 * interpreter would. From mem0 and vm0, in the caller's mem and vm (the
 * same addresses: a program may look at them). */
static int budget_is_exact(const struct lm_bpf_insn *p, lm_u32 n, const struct bpf_helpers *h,
			   uint8_t *mem, const uint8_t *mem0, lm_u64 len, struct bpf_vm *vm,
			   const struct bpf_vm *vm0, const struct bpf_result *a)
{
	struct bpf_result r;
	int ok = 1;

	for (lm_u64 b = a->steps - 1; b <= a->steps && ok; b++) {
		*vm = *vm0;
		memset(vm->stack + sizeof(vm->stack) - LM_BPF_STACK, 0, LM_BPF_STACK);
		if (len)
			memcpy(mem, mem0, len);
		jit_run_mode(vm, p, n, len ? mem : NULL, len, h, b, &r, BPF_JIT_VERIFIED);
		ok = b < a->steps ? r.err == BPF_EBUDGET : r.err == BPF_OK && r.r0 == a->r0 &&
									r.steps == a->steps;
		if (!ok)
			printf("[budget %llu: err %d pc %u steps %llu r0 %#llx] ", (unsigned long long)b,
			       r.err, r.pc, (unsigned long long)r.steps, (unsigned long long)r.r0);
	}
	return ok;
}

static void report(const char *what, const struct bpf_result *a, const struct bpf_result *b)
{
	printf("[%s: interp err %d pc %u r0 %#llx, jit err %d pc %u r0 %#llx] ", what,
		       a->err, a->pc, (unsigned long long)a->r0, b->err, b->pc,
		       (unsigned long long)b->r0);
}

/*
 * The interpreter, then the checked JIT (and the verified JIT when the
 * verifier accepts the program, or jit_replays_safely) from the same
 * memory and stack: same
 * error, instruction, r0, memory and stack. Returns the interpreter's run.
 */
static int mismatches, verified_runs, exact_checks;

static enum bpf_err run_both(struct bpf_vm *vm, const struct lm_bpf_insn *p, lm_u32 n,
			     void *mem, lm_u64 len, const struct bpf_helpers *h, lm_u64 budget,
			     struct bpf_result *res)
{
	static struct bpf_vm vm0, vm_i;
	uint8_t *mem0 = malloc(len + 1), *mem_i = malloc(len + 1);
	struct bpf_result rj;
	size_t mlen = mem ? len : 0;
	int bad = 0;

	if (mlen)
		memcpy(mem0, mem, mlen);
	vm0 = *vm;
	bpf_run(vm, p, n, mem, len, h, budget, res);
	if (mlen)
		memcpy(mem_i, mem, mlen);
	vm_i = *vm;
	for (int mode = BPF_JIT_VERIFIED; mode <= BPF_JIT_CHECKED; mode++) {
		int replay = mode == BPF_JIT_VERIFIED && jit_replays_safely(p, n, res->err);
		if (mode == BPF_JIT_VERIFIED && !replay && !verifies(p, n, mlen, h))
			continue;
		if (mlen)
			memcpy(mem, mem0, mlen);
		*vm = vm0;
		if (replay)     /* the first frame as the interpreter starts it */
			memset(vm->stack + sizeof(vm->stack) - LM_BPF_STACK, 0, LM_BPF_STACK);
		verified_runs += mode == BPF_JIT_VERIFIED;
		if (mode == BPF_JIT_CHECKED) {
			jit_run_mode(vm, p, n, mem, len, h, jit_budget_within(budget, n), &rj, mode);
		} else {
			int counted = bpf_jit_counts(p, n, h);
			if (!counted && budget < n)   /* below what the JIT promises (jit.h) */
				continue;
			jit_run_mode(vm, p, n, mem, len, h, budget, &rj, mode);
			if (!same_verified(res, &rj, counted)) {
				report("verified", res, &rj);
				printf("[steps: interp %llu, jit %llu] ", (unsigned long long)res->steps,
				       (unsigned long long)rj.steps);
				bad = 1;
			}
			exact_checks += counted && res->err == BPF_OK && res->steps;
			if (counted && res->err == BPF_OK && res->steps &&
			    !budget_is_exact(p, n, h, mem, mem0, mlen, vm, &vm0, res)) {
				printf("[verified: budget not exact at %llu] ",
				       (unsigned long long)res->steps);
				bad = 1;
			}
		}
		if (!same(res, &rj)) {
			report(mode == BPF_JIT_CHECKED ? "checked" : "verified", res, &rj);
			bad = 1;
		} else if (rj.err != BPF_EBUDGET &&
			   ((mlen && memcmp(mem, mem_i, mlen)) ||
			    (mode == BPF_JIT_CHECKED && memcmp(vm, &vm_i, sizeof(vm_i))))) {
			printf("[%s: memory differs] ", mode ? "checked" : "verified");
			bad = 1;
		}
	}
	if (mlen)
		memcpy(mem, mem_i, mlen);
	*vm = vm_i;
	free(mem0);
	free(mem_i);
	mismatches += bad;
	CHECK(!bad);
	return res->err;
}

/* --- the interpreter's tests, each program through both -------------------- */

#define bpf_run run_both
#define main test_bpf_main
#undef CHECK_DONE
#define CHECK_DONE() 0
#include "test_bpf.c"
#undef bpf_run
#undef main
#undef CHECK_DONE
#define CHECK_DONE() \
	(printf("%d passed, %d failed\n", check_passed, check_failed), check_failed != 0)

/* --- RFC 9669's edge cases, in both modes --------------------------------- */

static uint64_t jit_r0(const struct lm_bpf_insn *p, size_t n, enum bpf_jit_mode mode)
{
	struct bpf_result r;
	if (jit_run_mode(&vm, p, (lm_u32)n, NULL, 0, NULL, 1000, &r, mode) != BPF_OK)
		return 0xdeadbeefdeadbeefull;
	return r.r0;
}

#define J(prog, mode) jit_r0(prog, sizeof(prog) / sizeof(prog[0]), mode)

static void rfc_edge_cases_in_both_jit_modes(void)
{
	static const struct { struct lm_bpf_insn p[5]; uint64_t want; } t[] = {
		{ { LDDW(0, INT64_MIN), I(0x37, 0, 0, 1, -1), EXIT }, (uint64_t)INT64_MIN },
		{ { LDDW(0, INT64_MIN), I(0x97, 0, 0, 1, -1), EXIT }, 0 },
		{ { I(0xb4, 0, 0, 0, INT32_MIN), I(0x34, 0, 0, 1, -1), EXIT }, 0x80000000ull },
		{ { I(0xb4, 0, 0, 0, INT32_MIN), I(0x94, 0, 0, 1, -1), EXIT }, 0 },
		{ { LDDW(0, 0x100000009ull), I(0x94, 0, 0, 0, 0), EXIT }, 9 },        /* x % 0 */
		{ { LDDW(0, 0x100000009ull), I(0x97, 0, 0, 0, 0), EXIT }, 0x100000009ull },
		{ { MOV(0, 9), I(0x37, 0, 0, 1, 0), EXIT }, 0 },                    /* x / 0 */
		{ { MOV(0, 1), MOV(4, 65), I(0x6f, 0, 4, 0, 0), EXIT }, 2 },        /* count in rcx */
		{ { MOV(4, 1), MOV(1, 33), I(0x6c, 4, 1, 0, 0), MOVR(0, 4), EXIT }, 2 },
		{ { MOV(0, -1), I(0x04, 0, 0, 0, 0), EXIT }, 0xffffffffull },       /* add32 0 */
		{ { MOV(0, -1), I(0x64, 0, 0, 0, 0), EXIT }, 0xffffffffull },       /* lsh32 0 */
		{ { MOV(0, -1), MOV(1, 32), I(0x6c, 0, 1, 0, 0), EXIT }, 0xffffffffull },
		{ { MOV(1, 0x180), I(0xbf, 0, 1, 8, 0), EXIT }, 0xffffffffffffff80ull },
		{ { MOV(1, -32768), I(0xbc, 0, 1, 16, 0), EXIT }, 0xffff8000ull },
		{ { LDDW(0, 0x0123456789abcdefull), I(0xdc, 0, 0, 0, 16), EXIT }, 0xefcd },
		{ { LDDW(0, 0x0123456789abcdefull), I(0xd7, 0, 0, 0, 32), EXIT }, 0xefcdab89 },
		{ { LDDW(3, 7), MOV(0, 100), I(0x3f, 0, 3, 0, 0), EXIT }, 14 },     /* r0 / r3 */
		{ { MOV(0, 100), MOV(3, 7), I(0x9f, 3, 0, 0, 0), MOVR(0, 3), EXIT }, 7 },  /* r3 % r0 */
	};
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		const struct lm_bpf_insn *p = t[k].p;
		uint64_t want = t[k].want;
		lm_u32 n = 5;
		while (p[n - 1].op != 0x95)     /* up to the exit: nothing unreachable */
			n--;
		uint64_t ri = run_n(p, n, NULL, 0) == BPF_OK ? res.r0 : 1;
		CHECK(ri == want);
		CHECK(jit_r0(p, n, BPF_JIT_CHECKED) == want);
		CHECK(verifies(p, n, 0, NULL) && jit_r0(p, n, BPF_JIT_VERIFIED) == want);
		if (check_cur_failed) {
			printf("case %zu ", k);
			return;
		}
	}
}

/* --- helpers ------------------------------------------------------------- */

static uint64_t h_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return a * 1 + b * 10 + c * 100 + d * 1000 + e * 10000;
}

static uint64_t h_sum(uint64_t p, uint64_t len, uint64_t seed, uint64_t d, uint64_t e)
{
	const uint8_t *b = (const uint8_t *)(uintptr_t)p;
	for (uint64_t k = 0; k < len; k++)
		seed += b[k];
	return seed;
}

static const struct bpf_helper helper_table[] = {
	[1] = { (bpf_helper_fn)h_mix, { BPF_ARG_SCALAR, BPF_ARG_SCALAR, BPF_ARG_SCALAR,
					BPF_ARG_SCALAR, BPF_ARG_SCALAR } },
	[2] = { (bpf_helper_fn)h_sum, { BPF_ARG_MEM, BPF_ARG_SIZE, BPF_ARG_SCALAR } },
};
static const struct bpf_helpers helpers = { helper_table, 3 };

static void helpers_get_r1_to_r5_and_r6_to_r9_survive(void)
{
	struct lm_bpf_insn p[] = {
		MOV(1, 1), MOV(2, 2), MOV(3, 3), MOV(4, 4), MOV(5, 5), MOV(6, 6), MOV(7, 7),
		MOV(8, 8), MOV(9, 9), I(0x85, 0, 0, 0, 1),
		/* r0 += r6 + r7 + r8 + r9 + r1 + r2 + r3 + r4 + r5 (the last five 0) */
		I(0x0f, 0, 6, 0, 0), I(0x0f, 0, 7, 0, 0), I(0x0f, 0, 8, 0, 0), I(0x0f, 0, 9, 0, 0),
		I(0x0f, 0, 1, 0, 0), I(0x0f, 0, 2, 0, 0), I(0x0f, 0, 3, 0, 0), I(0x0f, 0, 4, 0, 0),
		I(0x0f, 0, 5, 0, 0), EXIT,
	};
	CHECK(run_both(&vm, p, sizeof(p) / 8, NULL, 0, &helpers, 100, &res) == BPF_OK);
	CHECK(res.r0 == 54321 + 30);
}

static void helper_memory_arguments_are_checked(void)
{
	uint8_t mem[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct lm_bpf_insn ok[] = { MOV(2, 8), MOV(3, 100), I(0x85, 0, 0, 0, 2), EXIT };
	struct lm_bpf_insn past[] = { MOV(2, 9), MOV(3, 100), I(0x85, 0, 0, 0, 2), EXIT };
	struct lm_bpf_insn stack[] = { I(0x7a, 10, 0, -8, 5), MOVR(1, 10), I(0x07, 1, 0, 0, -8),
				       MOV(2, 8), MOV(3, 0), I(0x85, 0, 0, 0, 2), EXIT };
	CHECK(run_both(&vm, ok, 4, mem, 8, &helpers, 100, &res) == BPF_OK && res.r0 == 136);
	CHECK(run_both(&vm, past, 4, mem, 8, &helpers, 100, &res) == BPF_EMEM && res.pc == 2);
	CHECK(run_both(&vm, stack, 7, mem, 8, &helpers, 100, &res) == BPF_OK && res.r0 == 5);
	struct lm_bpf_insn none[] = { I(0x85, 0, 0, 0, 0), EXIT };      /* table[0] is empty */
	CHECK(run_both(&vm, none, 2, mem, 8, &helpers, 100, &res) == BPF_EHELPER);
}

/* --- the budget and the native stack -------------------------------------- */

static void checked_jit_stops_loops_and_deep_calls(void)
{
	struct bpf_result r;
	struct lm_bpf_insn loop[] = { MOV(0, 0), I(0x05, 0, 0, -1, 0), EXIT };
	struct lm_bpf_insn cond[] = { MOV(0, 0), I(0x07, 0, 0, 0, 1), I(0x55, 1, 0, -2, 7), EXIT };
	struct lm_bpf_insn rec[] = { I(0x85, 0, 1, 0, -1), EXIT };
	struct lm_bpf_insn gotol[] = { I(0x06, 0, 0, 0, -1), EXIT };
	CHECK(jit_run_mode(&vm, loop, 3, NULL, 0, NULL, 1000, &r, BPF_JIT_CHECKED) == BPF_EBUDGET);
	CHECK(r.pc == 1 && r.steps == 1000);
	CHECK(jit_run_mode(&vm, cond, 4, NULL, 0, NULL, 50, &r, BPF_JIT_CHECKED) == BPF_EBUDGET);
	CHECK(r.pc == 2);
	CHECK(jit_run_mode(&vm, cond, 4, NULL, 0, NULL, 0, &r, BPF_JIT_CHECKED) == BPF_EBUDGET);
	CHECK(jit_run_mode(&vm, rec, 2, NULL, 0, NULL, 1000, &r, BPF_JIT_CHECKED) == BPF_EDEPTH);
	CHECK(r.pc == 0 && r.steps == BPF_MAX_FRAMES - 1);
	CHECK(jit_run_mode(&vm, gotol, 2, NULL, 0, NULL, 7, &r, BPF_JIT_CHECKED) == BPF_EBUDGET);
	/* A loop of 10 finishes with 10 backward jumps counted. */
	struct lm_bpf_insn ten[] = { MOV(0, 0), MOV(1, 10), I(0x07, 0, 0, 0, 3), I(0x07, 1, 0, 0, -1),
				     I(0x55, 1, 0, -3, 0), EXIT };
	CHECK(jit_run_mode(&vm, ten, 6, NULL, 0, NULL, 1000, &r, BPF_JIT_CHECKED) == BPF_OK);
	CHECK(r.r0 == 30 && r.steps == 9);
}

/* The verified JIT's budget counts instructions as the interpreter's does:
 * a loop, local calls and a loop-free program, each on the exact budget and
 * one less, in both engines. */
static void verified_jit_counts_instructions_as_the_interpreter(void)
{
	struct bpf_result r, ri;
	struct lm_bpf_insn ten[] = { MOV(0, 0), MOV(1, 10), I(0x07, 0, 0, 0, 3), I(0x07, 1, 0, 0, -1),
				     I(0x55, 1, 0, -3, 0), EXIT };
	/* main calls f twice (3 instructions each, r0 = 10); both loop-free */
	struct lm_bpf_insn calls[] = { I(0x85, 0, 1, 0, 3), I(0x85, 0, 1, 0, 2), I(0x07, 0, 0, 0, 1),
				       EXIT, MOV(0, 5), I(0x07, 0, 0, 0, 5), EXIT };
	struct lm_bpf_insn flat[] = { MOV(0, 1), I(0x15, 0, 0, 1, 1), MOV(0, 2), I(0x18, 0, 0, 0, 7),
				      I(0, 0, 0, 0, 0), EXIT };
	struct { struct lm_bpf_insn *p; lm_u32 n; lm_u64 steps, r0; int counted; } c[] = {
		{ ten, 6, 2 + 10 * 3 + 1, 30, 1 },
		{ calls, 7, 4 + 2 * 3, 11, 1 },
		{ flat, 6, 4, 7, 0 },
	};

	for (unsigned k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		CHECK(verifies(c[k].p, c[k].n, 0, NULL));
		CHECK(bpf_jit_counts(c[k].p, c[k].n, NULL) == c[k].counted);
		CHECK(bpf_run(&vm, c[k].p, c[k].n, NULL, 0, NULL, c[k].steps, &ri) == BPF_OK);
		CHECK(ri.steps == c[k].steps && ri.r0 == c[k].r0);
		CHECK(jit_run_mode(&vm, c[k].p, c[k].n, NULL, 0, NULL, c[k].steps, &r,
				   BPF_JIT_VERIFIED) == BPF_OK);
		CHECK(r.r0 == c[k].r0 && r.steps == (c[k].counted ? c[k].steps : 0));
		CHECK(bpf_run(&vm, c[k].p, c[k].n, NULL, 0, NULL, c[k].steps - 1, &ri) == BPF_EBUDGET);
		if (c[k].counted)
			CHECK(jit_run_mode(&vm, c[k].p, c[k].n, NULL, 0, NULL, c[k].steps - 1, &r,
					   BPF_JIT_VERIFIED) == BPF_EBUDGET && r.steps == c[k].steps - 1);
	}
	/* The loop stops in its last round: at its block's start, pc 2, where
	 * the interpreter names the instruction it could not run (pc 4). */
	CHECK(jit_run_mode(&vm, ten, 6, NULL, 0, NULL, 31, &r, BPF_JIT_VERIFIED) == BPF_EBUDGET);
	CHECK(r.pc == 2 && r.r0 == 0);
	CHECK(bpf_run(&vm, ten, 6, NULL, 0, NULL, 31, &ri) == BPF_EBUDGET && ri.pc == 4);

	/* The kernel's way: the budget compiled in, bpf_jit_run_verified (one
	 * short: the exit's block, pc 5, is the one not paid for). */
	for (lm_u64 b = 32; b <= 33; b++) {
		struct jit_code jc = jit_load_budget(ten, 6, BPF_JIT_VERIFIED, b, NULL);
		CHECK(jc.code != NULL);
		if (!jc.code)
			continue;
		enum bpf_err e = bpf_jit_run_verified(jc.code, &vm, NULL, 0, &r);
		CHECK(b == 33 ? e == BPF_OK && r.r0 == 30 : e == BPF_EBUDGET && r.pc == 5);
		jit_unload(&jc);
	}
}

/* --- the size bound ------------------------------------------------------ */

/* The longest forms of the instructions, in checked mode, with registers
 * that need REX prefixes or collide with rax, rdx and rcx (r0, r3, r4):
 * bpf_jit_compile checks each against its bound as it goes. Then
 * the same program into a buffer one byte short: refused, nothing written
 * past its end. */
static void code_fits_the_size_bound_and_a_short_buffer_is_refused(void)
{
	static const struct lm_bpf_insn forms[] = {
		I(0xdb, 0, 0, -2000, 0x41), I(0xdb, 0, 0, -2000, 0x51), I(0xc3, 0, 9, -2000, 0xa1),
		I(0xc3, 0, 2, -2000, 0xf1), I(0xdb, 9, 0, -2000, 0xe1), I(0xdb, 0, 3, -2000, 0x01),
		I(0x7a, 9, 0, -2000, -5), I(0x6a, 9, 0, -2000, 0x1234), I(0x72, 9, 0, -2000, 1),
		I(0x91, 9, 9, -2000, 0), I(0x81, 4, 3, -2000, 0), I(0x73, 9, 1, -2000, 0),
		I(0x3f, 9, 4, 1, 0), I(0x97, 9, 0, 1, 0x12345678), I(0x94, 3, 0, 1, -1),
		I(0x9c, 0, 3, 0, 0), I(0x6f, 4, 9, 0, 0), I(0x6c, 9, 2, 0, 0), I(0xcf, 9, 4, 0, 0),
		I(0xbf, 9, 1, 8, 0), I(0xbc, 9, 9, 16, 0), I(0xdc, 9, 0, 0, 16), I(0xd7, 9, 0, 0, 64),
		I(0x85, 0, 0, 0, 2), I(0x2d, 9, 1, -1, 0), I(0x16, 9, 0, -1, 0x12345678),
		I(0x05, 0, 0, -1, 0), I(0x06, 0, 0, 0, -1), I(0x85, 0, 1, 0, -1),
	};
	size_t nf = sizeof(forms) / sizeof(forms[0]);
	struct lm_bpf_insn p[sizeof(forms) / sizeof(forms[0]) * 4 + 3];
	uint32_t n = 0;

	for (int rep = 0; rep < 4; rep++)
		for (size_t k = 0; k < nf; k++) {
			p[n] = forms[k];
			if (rep & 1)        /* also as destination r0 / source r10 */
				p[n].regs = (uint8_t)(p[n].regs & 0xf0);
			n++;
		}
	p[n++] = (struct lm_bpf_insn)I(0x18, 9, 0, 0, 1);
	p[n++] = (struct lm_bpf_insn)I(0, 0, 0, 0, -1);
	p[n++] = EXIT;
	uint64_t cap = bpf_jit_size_bound(n, BPF_JIT_CHECKED);
	uint8_t *buf = malloc(cap + 64);
	uint32_t *offs = malloc((n + 1) * sizeof(*offs));
	uint64_t size = bpf_jit_compile(p, n, BPF_JIT_CHECKED, 0, &helpers, offs, buf, cap);
	CHECK(size > 0 && size <= cap);
	memset(buf, 0x5a, cap + 64);
	CHECK(size > 0 && bpf_jit_compile(p, n, BPF_JIT_CHECKED, 0, &helpers, offs, buf, size - 1) == 0);
	for (int k = 0; k < 64 && size > 0; k++)
		CHECK(buf[size - 1 + k] == 0x5a);
	printf("(%u instructions, %llu bytes, bound %llu", n, (unsigned long long)size,
	       (unsigned long long)cap);
	free(buf);
	free(offs);

	/* Verified mode, every form starting a counted block (after a ja +0):
	 * each pays the budget's charge and its exit within its bound. */
	struct lm_bpf_insn q[sizeof(p) / sizeof(p[0]) * 2];
	uint32_t m = 0;
	for (uint32_t k = 0; k < n; k++) {
		q[m++] = p[k];
		if (p[k].op != 0x18)
			q[m++] = (struct lm_bpf_insn)I(0x05, 0, 0, 0, 0);
	}
	cap = bpf_jit_size_bound(m, BPF_JIT_VERIFIED);
	buf = malloc(cap);
	offs = malloc((m + 1) * sizeof(*offs));
	CHECK(bpf_jit_counts(q, m, &helpers));
	size = bpf_jit_compile(q, m, BPF_JIT_VERIFIED, 1000, &helpers, offs, buf, cap);
	CHECK(size > 0 && size <= cap);
	printf("; verified, counted: %u instructions, %llu bytes, bound %llu) ", m,
	       (unsigned long long)size, (unsigned long long)cap);
	free(buf);
	free(offs);
}

/* --- random programs ----------------------------------------------------- */

static uint32_t pick(const int *v, size_t n)
{
	return (uint32_t)v[rnd() % n];
}

/* One instruction, mostly well-formed: registers r0-r10 (r10 rarely a
 * destination), memory offsets near r1's 64 bytes and r10's frame, jumps
 * inside the program, helpers 0-3. */
static struct lm_bpf_insn random_insn(uint32_t pc, uint32_t n)
{
	static const int imms[] = { 0, 1, 2, 7, 8, 16, 31, 32, 63, 64, -1, -2, INT32_MIN,
				    INT32_MAX, 0x80, 0xffff, 0x12345678 };
	static const int atom[] = { 0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1 };
	static const uint8_t alu[] = { 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80,
				       0x90, 0xa0, 0xb0, 0xc0, 0xd0 };
	static const uint8_t jmp[] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0,
				       0xc0, 0xd0 };
	static const uint8_t sizes[] = { 0x00, 0x08, 0x10, 0x18 };
	struct lm_bpf_insn i = { 0 };
	uint32_t r = rnd(), kind = r % 100;
	int dst = rnd() % 10, src = rnd() % 11;
	int off_mem = (int)(rnd() % 80) - 8, off_stk = -(int)(rnd() % 520) - 1;

	i.regs = (uint8_t)(dst | src << 4);
	i.imm = rnd() % 3 ? (int)pick(imms, sizeof(imms) / sizeof(imms[0])) : (int)rnd();
	if (kind < 40) {                        /* ALU / ALU64 */
		i.op = (uint8_t)(alu[rnd() % sizeof(alu)] | (rnd() % 2 ? 0x07 : 0x04) |
				 (rnd() % 2 ? LM_BPF_X : 0));
		if ((i.op & 0xf0) == 0x30 || (i.op & 0xf0) == 0x90)
			i.off = rnd() % 2;
		if ((i.op & 0xf0) == 0xb0 && (i.op & LM_BPF_X) && rnd() % 3 == 0)
			i.off = (short)(8 << (rnd() % 3));
		if ((i.op & 0xf0) == 0xd0)
			i.imm = 16 << (rnd() % 3);
		if ((i.op & 0xf0) == 0x80)
			i.op &= (uint8_t)~LM_BPF_X;
	} else if (kind < 55) {                 /* LDX */
		i.op = (uint8_t)(0x61 | sizes[rnd() % 4] | (rnd() % 5 == 0 ? 0x80 : 0));
		i.regs = (uint8_t)(dst | (rnd() % 2 ? 1 : 10) << 4);
		i.off = (short)(i.regs >> 4 == 1 ? off_mem : off_stk);
	} else if (kind < 68) {                 /* ST, STX */
		i.op = (uint8_t)((rnd() % 2 ? 0x63 : 0x62) | sizes[rnd() % 4]);
		i.regs = (uint8_t)((rnd() % 2 ? 1 : 10) | src << 4);
		i.off = (short)((i.regs & 15) == 1 ? off_mem : off_stk);
	} else if (kind < 74) {                 /* atomics, mostly aligned */
		i.op = rnd() % 2 ? 0xdb : 0xc3;
		i.regs = (uint8_t)((rnd() % 2 ? 1 : 10) | src << 4);
		i.off = (short)((i.regs & 15) == 1 ? off_mem : off_stk);
		if (rnd() % 4)
			i.off &= ~7;
		i.imm = (int)pick(atom, sizeof(atom) / sizeof(atom[0]));
	} else if (kind < 90) {                 /* conditional jumps, JA */
		i.op = (uint8_t)(jmp[rnd() % sizeof(jmp)] | (rnd() % 3 ? 0x05 : 0x06) |
				 (rnd() % 2 ? LM_BPF_X : 0));
		if (rnd() % 8 == 0)
			i.op = rnd() % 2 ? 0x05 : 0x06;
		i.off = (short)((int)(rnd() % (n + 2)) - (int)pc - 1 + (rnd() % 4 ? 0 : -1));
		if (i.op == 0x06)
			i.imm = i.off, i.off = 0;
	} else if (kind < 94) {                 /* calls */
		i.op = 0x85;
		i.regs = (uint8_t)((rnd() % 3 ? 1 : 0) << 4);
		i.imm = i.regs ? (int)(rnd() % n) - (int)pc - 1 : (int)(rnd() % 4);
	} else if (kind < 96) {
		i.op = 0x18;                    /* lddw: the next slot is made to fit */
		i.regs = (uint8_t)dst;
	} else if (kind < 99) {
		i.op = 0x95;
	} else {
		return (struct lm_bpf_insn){ (uint8_t)rnd(), (uint8_t)rnd(), (short)rnd(), (int)rnd() };
	}
	clear_unused(&i);
	return i;
}

static void random_programs_interpreter_and_jit_agree(void)
{
	static struct lm_bpf_insn p[48];
	uint8_t mem[64];
	int stats[BPF_NERR + 1] = { 0 };
	int before = mismatches, verified_before = verified_runs, exact_before = exact_checks;

	for (int t = 0; t < 20000 && mismatches - before < 5; t++) {
		uint32_t n = 2 + rnd() % 46;
		for (uint32_t k = 0; k < n; k++) {
			p[k] = random_insn(k, n);
			if (p[k].op == 0x18 && k + 1 < n && rnd() % 8)
				p[++k] = (struct lm_bpf_insn){ 0, 0, 0, (int)rnd() };
		}
		p[n - 1] = EXIT;
		for (size_t k = 0; k < sizeof(mem); k++)
			mem[k] = (uint8_t)rnd();
		int m = mismatches;
		enum bpf_err e = run_both(&vm, p, n, mem, sizeof(mem), &helpers, 5000, &res);
		stats[e < BPF_NERR ? e : BPF_NERR]++;
		if (mismatches != m) {
			printf("\nprogram %d (%u):\n", t, n);
			for (uint32_t k = 0; k < n; k++)
				printf("  %u: %02x %02x %d %d\n", k, p[k].op, p[k].regs, p[k].off, p[k].imm);
		}
	}
	printf("(ok %d, mem %d, opcode %d, jump %d, budget %d, depth %d; %d in verified mode too, "
	       "%d of them counted, on their exact budget and one less) ",
	       stats[BPF_OK], stats[BPF_EMEM], stats[BPF_EOPCODE], stats[BPF_EJUMP],
	       stats[BPF_EBUDGET], stats[BPF_EDEPTH], verified_runs - verified_before,
	       exact_checks - exact_before);
	CHECK(mismatches == before && exact_checks - exact_before > 100);
	CHECK(stats[BPF_OK] > 1000 && stats[BPF_EMEM] > 100 && verified_runs - verified_before > 1000);
}

int main(void)
{
	test_bpf_main();
	RUN(rfc_edge_cases_in_both_jit_modes);
	RUN(helpers_get_r1_to_r5_and_r6_to_r9_survive);
	RUN(helper_memory_arguments_are_checked);
	RUN(checked_jit_stops_loops_and_deep_calls);
	RUN(verified_jit_counts_instructions_as_the_interpreter);
	RUN(code_fits_the_size_bound_and_a_short_buffer_is_refused);
	RUN(random_programs_interpreter_and_jit_agree);
	return CHECK_DONE();
}
