/*
 * libFuzzer target for eBPF (make fuzz-bpf; 60 seconds of it in make test):
 * random instruction streams through the verifier, the interpreter and
 * both JIT modes.
 *
 * Input: one byte n (the memory is n % 65 bytes), the memory's bytes, then
 * the program, 8 bytes an instruction (at most 512; a short tail is
 * dropped). For every input the interpreter and the checked JIT run from
 * the same memory and stack and must agree: the same error and instruction,
 * or the same r0, memory and stack (unless the checked JIT, on a budget
 * that makes it stop first, stopped for it: jit_load.h). The verified JIT
 * runs on the interpreter's budget, which it counts the same way (jit.h),
 * and must give the same outcome (BPF_EBUDGET included), r0, count and
 * memory, and, for a counted program that finished, stop on one
 * instruction less; for every program bpf_verify accepts and every one
 * jit_replays_safely allows (the interpreter ran it to its exit without
 * local calls). Any difference aborts (a crash to libFuzzer), as does any
 * fault the sanitizers see in the verifier or the interpreter.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jit_load.h"

#define MAX_MEM   64
#define MAX_INSNS 512
#define BUDGET    100000    /* the interpreter's and the verified JIT's; the
                               checked JIT's: jit_budget_within */
LM_STATIC_ASSERT(BUDGET >= MAX_INSNS, "a program the JIT does not count is never stopped");

static uint64_t h_sum(uint64_t p, uint64_t len, uint64_t seed, uint64_t d, uint64_t e)
{
	const uint8_t *b = (const uint8_t *)(uintptr_t)p;
	for (uint64_t k = 0; k < len; k++)
		seed += b[k];
	return seed;
}

static uint64_t h_const(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return 42;
}

static const struct bpf_helper table[] = {
	[LM_BPF_HELPER_TICKS] = { h_const, { BPF_ARG_NONE } },
	[LM_BPF_HELPER_CSUM] = { h_sum, { BPF_ARG_MEM, BPF_ARG_SIZE, BPF_ARG_SCALAR } },
};
static const struct bpf_helpers helpers = { table, 3 };

static struct bpf_vm vm, vm0, vm_i;
static struct lm_bpf_insn prog[MAX_INSNS];

static void fail(const char *what, const struct bpf_result *a, const struct bpf_result *b)
{
	fprintf(stderr, "bpf_fuzz: %s: interpreter err %d pc %u r0 %#llx, JIT err %d pc %u r0 %#llx\n",
		what, a->err, a->pc, (unsigned long long)a->r0, b->err, b->pc,
		(unsigned long long)b->r0);
	abort();
}

/* Run the JIT in mode from mem0 and vm0; compare with the interpreter's
 * run (res, mem_i, vm_i). */
static void check_jit(enum bpf_jit_mode mode, uint32_t n, uint8_t *mem, const uint8_t *mem0,
		      const uint8_t *mem_i, size_t len, const struct bpf_result *res)
{
	const char *name = mode == BPF_JIT_CHECKED ? "checked" : "verified";
	struct jit_code jc = jit_load(prog, n, mode, &helpers);
	struct bpf_result rj;

	if (!jc.code) {
		fprintf(stderr, "bpf_fuzz: the %s JIT refused %u instructions\n", name, n);
		abort();
	}
	memcpy(mem, mem0, len);
	vm = vm0;
	if (mode == BPF_JIT_CHECKED) {
		bpf_jit_run(jc.code, &vm, len ? mem : NULL, len, jit_budget_within(BUDGET, n), &rj);
		jit_unload(&jc);
		if (rj.err == BPF_EBUDGET)      /* stopped first: nothing to compare */
			return;
	} else {
		/* The same budget, counted the same: the same outcome. */
		int counted = bpf_jit_counts(prog, n, &helpers);
		bpf_jit_run(jc.code, &vm, len ? mem : NULL, len, BUDGET, &rj);
		if (rj.err != res->err || rj.steps != (counted || rj.err ? res->steps : 0))
			fail("verified: outcome or count differs", res, &rj);
		if (counted && !rj.err && rj.steps && memcmp(mem, mem_i, len) == 0) {
			struct bpf_result rb;
			memcpy(mem, mem0, len);
			vm = vm0;
			bpf_jit_run(jc.code, &vm, len ? mem : NULL, len, res->steps - 1, &rb);
			if (rb.err != BPF_EBUDGET)
				fail("verified: not stopped one instruction short", res, &rb);
			memcpy(mem, mem_i, len);
		}
		jit_unload(&jc);
		if (rj.err == BPF_EBUDGET)      /* stopped, maybe at another instruction */
			return;
	}
	if (rj.err != res->err || rj.r0 != res->r0 || (res->err && rj.pc != res->pc))
		fail(name, res, &rj);
	if (memcmp(mem, mem_i, len))
		fail(mode == BPF_JIT_CHECKED ? "checked: memory differs" : "verified: memory differs",
		     res, &rj);
	/* Verified mode leaves new frames as they were; checked clears them. */
	if (mode == BPF_JIT_CHECKED && memcmp(&vm, &vm_i, sizeof(vm)))
		fail("checked: stack differs", res, &rj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *ws;
	uint8_t mem[MAX_MEM], mem0[MAX_MEM], mem_i[MAX_MEM];
	size_t len, take, n;
	struct bpf_result res;
	struct bpf_verify_result vr;
	/* The kernel's work bound (BPF_LOAD's). It does not bound the run
	 * within BUDGET (with the default, 1,000,000, CI found a verified loop
	 * of 131,000 steps, the seed long_loop, that the interpreter stopped
	 * and the verified JIT, then without a budget, ran to its end); the
	 * budget does, the same in both since the JIT counts instructions. */
	struct bpf_verify_cfg cfg = { .ctx_writable = 1, .r2_is_size = 1, .helpers = &helpers,
				      .max_work = LM_BPF_MAX_WORK };

	if (size < 1)
		return 0;
	len = data[0] % (MAX_MEM + 1);
	data++, size--;
	memset(mem0, 0, sizeof(mem0));
	take = size < len ? size : len;
	memcpy(mem0, data, take);
	data += take, size -= take;
	n = size / 8 < MAX_INSNS ? size / 8 : MAX_INSNS;
	memcpy(prog, data, n * 8);

	/* Everything: the interpreter against the checked JIT. */
	memcpy(mem, mem0, len);
	vm0 = vm;
	bpf_run(&vm, prog, (lm_u32)n, len ? mem : NULL, len, &helpers, BUDGET, &res);
	memcpy(mem_i, mem, len);
	vm_i = vm;
	check_jit(BPF_JIT_CHECKED, (uint32_t)n, mem, mem0, mem_i, len, &res);

	/* What the verifier accepts: against the verified JIT as well. */
	if (!ws && !(ws = malloc(bpf_verify_ws_size)))
		abort();
	cfg.ctx_size = (lm_u32)len;
	if (jit_replays_safely(prog, (lm_u32)n, res.err)) {
		memset(vm0.stack + sizeof(vm0.stack) - LM_BPF_STACK, 0, LM_BPF_STACK);
		check_jit(BPF_JIT_VERIFIED, (uint32_t)n, mem, mem0, mem_i, len, &res);
	} else if (n && bpf_verify(ws, prog, (lm_u32)n, &cfg, &vr) == LM_BPF_V_OK) {
		check_jit(BPF_JIT_VERIFIED, (uint32_t)n, mem, mem0, mem_i, len, &res);
	}
	return 0;
}
