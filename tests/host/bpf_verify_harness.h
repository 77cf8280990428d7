/* What the eBPF verifier's host tests share (test_bpf_verify*.c): an
 * instruction notation, a helper table, and the oracle: every program the
 * verifier accepts is run by the interpreter on random contexts, and the
 * interpreter, which checks every access as it runs, must never stop it
 * with a fault. */
#ifndef BPF_VERIFY_HARNESS_H
#define BPF_VERIFY_HARNESS_H

#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "bpf/bpf.h"
#include "bpf/verify.h"

#define I(o, d, s, of, im) \
	((struct lm_bpf_insn){ .op = (o), .regs = (d) | (s) << 4, .off = (of), .imm = (im) })
#define LDDW(d, v) I(0x18, d, 0, 0, (int)(uint32_t)(v)), I(0, 0, 0, 0, (int)((uint64_t)(v) >> 32))
#define MOV(d, v) I(0xb7, d, 0, 0, v)        /* r_d = imm */
#define MOVR(d, s) I(0xbf, d, s, 0, 0)       /* r_d = r_s */
#define ADD(d, v) I(0x07, d, 0, 0, v)
#define ADDR(d, s) I(0x0f, d, s, 0, 0)
#define AND(d, v) I(0x57, d, 0, 0, v)
#define LDXB(d, s, o) I(0x71, d, s, o, 0)
#define LDXW(d, s, o) I(0x61, d, s, o, 0)
#define LDXDW(d, s, o) I(0x79, d, s, o, 0)
#define STXB(d, s, o) I(0x73, d, s, o, 0)
#define STXW(d, s, o) I(0x63, d, s, o, 0)
#define STXDW(d, s, o) I(0x7b, d, s, o, 0)
#define STDW(d, o, v) I(0x7a, d, 0, o, v)
#define JA(o) I(0x05, 0, 0, o, 0)
#define JGT(d, v, o) I(0x25, d, 0, o, v)
#define JLT(d, v, o) I(0xa5, d, 0, o, v)
#define JNE(d, v, o) I(0x55, d, 0, o, v)
#define JEQ(d, v, o) I(0x15, d, 0, o, v)
#define CALL(n) I(0x85, 0, 0, 0, n)
#define CALLL(rel) I(0x85, 0, 1, 0, rel)
#define EXIT I(0x95, 0, 0, 0, 0)
#define N(p) ((lm_u32)(sizeof(p) / sizeof((p)[0])))

static struct bpf_verify_ws *ws;
static struct bpf_verify_result res;
static struct bpf_vm vm __attribute__((aligned(16)));

static uint64_t seed = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
	return (uint32_t)(seed >> 16);
}

/* Test helpers: 1 returns 7; 2 sums the bytes of (p, len) plus a seed. */
static lm_u64 h_seven(lm_u64 a, lm_u64 b, lm_u64 c, lm_u64 d, lm_u64 e) { return 7; }
static lm_u64 h_sum(lm_u64 p, lm_u64 len, lm_u64 s, lm_u64 d, lm_u64 e)
{
	for (lm_u64 k = 0; k < len; k++)
		s += ((uint8_t *)(uintptr_t)p)[k];
	return s;
}
static const struct bpf_helper helper_table[] = {
	{ 0, { 0 } },
	{ h_seven, { BPF_ARG_NONE } },
	{ h_sum, { BPF_ARG_MEM, BPF_ARG_SIZE, BPF_ARG_SCALAR } },
};
static const struct bpf_helpers helpers = { helper_table, 3 };

static struct bpf_verify_cfg cfg_of(lm_u32 ctx, int writable)
{
	return (struct bpf_verify_cfg){ .ctx_size = ctx, .ctx_writable = (lm_u8)writable,
					.r2_is_size = 1, .helpers = &helpers };
}

/* Errors a verified program must never meet at run time. */
static int runtime_fault(enum bpf_err e)
{
	return e != BPF_OK && e != BPF_EHELPER;
}

/* Run an accepted program on `runs` random contexts; count the faults. */
static int run_random(const struct lm_bpf_insn *p, lm_u32 n, const struct bpf_verify_cfg *cfg,
		      int runs)
{
	static uint8_t buf[4096 + 64];
	struct bpf_result r;
	int faults = 0;

	for (int t = 0; t < runs; t++) {
		for (lm_u32 k = 0; k < cfg->ctx_size + 64 && k < sizeof(buf); k++)
			buf[k] = (uint8_t)(t < 2 ? -t : (int)rnd());
		bpf_run(&vm, p, n, cfg->ctx_size ? buf : NULL, cfg->ctx_size, &helpers, 10000000, &r);
		if (runtime_fault(r.err)) {
			printf("[accepted program faulted: %s at %u] ", bpf_strerror(r.err), r.pc);
			faults++;
		}
	}
	return faults;
}

static enum lm_bpf_verr verify_cfg(const struct lm_bpf_insn *p, lm_u32 n, struct bpf_verify_cfg c)
{
	return bpf_verify(ws, p, n, &c, &res);
}

/* Accepted, and safe on 50 random contexts. */
static __attribute__((unused)) int accepted(const struct lm_bpf_insn *p, lm_u32 n, lm_u32 ctx, int writable)
{
	struct bpf_verify_cfg c = cfg_of(ctx, writable);
	enum lm_bpf_verr e = verify_cfg(p, n, c);

	if (e) {
		printf("[refused: %s at %u] ", bpf_verify_name(e), res.pc);
		return 0;
	}
	return run_random(p, n, &c, 50) == 0;
}

static __attribute__((unused)) int refused(const struct lm_bpf_insn *p, lm_u32 n, lm_u32 ctx, int writable,
		   enum lm_bpf_verr want, lm_u32 pc)
{
	enum lm_bpf_verr e = verify_cfg(p, n, cfg_of(ctx, writable));

	if (e != want || res.pc != pc)
		printf("[got %s at %u, want %s at %u] ", bpf_verify_name(e), res.pc,
		       bpf_verify_name(want), pc);
	return e == want && res.pc == pc;
}
#define ACCEPT(p, ctx, w) CHECK(accepted(p, N(p), ctx, w))
#define REFUSE(p, ctx, w, err, pc) CHECK(refused(p, N(p), ctx, w, LM_BPF_V_##err, pc))


#endif
