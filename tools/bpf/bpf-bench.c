/*
 * bpf-bench: time a typical packet filter over a 64-byte header in the
 * interpreter and in both JIT modes, on the host (`make bench-bpf`).
 *
 *   bpf-bench [runs]
 *
 * The filter accepts IPv4 TCP to port 80: it checks the length, the
 * ethertype, the protocol, reads the IP header length and the port behind
 * it (20 instructions, 18 run on an accepted packet). Each figure is the
 * best of 5 rounds of `runs` runs (default 2,000,000), in ns per run,
 * including what each engine does per run (the interpreter clears its first
 * frame; the JIT's entry sets up its state).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "jit_load.h"

#define I(o, d, s, of, im) \
	((struct lm_bpf_insn){ .op = (o), .regs = (d) | (s) << 4, .off = (of), .imm = (im) })

static const struct lm_bpf_insn filter[] = {
	I(0xb7, 0, 0, 0, 0),            /* r0 = 0 */
	I(0xa5, 2, 0, 14, 54),          /* if r2 < 54 goto drop */
	I(0x69, 3, 1, 12, 0),           /* r3 = ethertype */
	I(0xdc, 3, 0, 0, 16),           /* be16 */
	I(0x55, 3, 0, 11, 0x0800),      /* IPv4? */
	I(0x71, 3, 1, 23, 0),           /* r3 = protocol */
	I(0x55, 3, 0, 9, 6),            /* TCP? */
	I(0x71, 3, 1, 14, 0),           /* r3 = version, IHL */
	I(0x57, 3, 0, 0, 0xf),
	I(0x67, 3, 0, 0, 2),            /* IP header bytes */
	I(0x25, 3, 0, 5, 32),           /* if r3 > 32 goto drop: the port is in the 64 bytes */
	I(0xbf, 4, 1, 0, 0),
	I(0x0f, 4, 3, 0, 0),            /* r4 = the TCP header - 14 */
	I(0x69, 5, 4, 16, 0),           /* r5 = destination port */
	I(0xdc, 5, 0, 0, 16),
	I(0x15, 5, 0, 2, 80),           /* if port 80 goto accept */
	I(0xb7, 0, 0, 0, 0),            /* drop: r0 = 0 */
	I(0x95, 0, 0, 0, 0),
	I(0xb7, 0, 0, 0, 1),            /* accept: r0 = 1 */
	I(0x95, 0, 0, 0, 0),
};
#define N (sizeof(filter) / sizeof(filter[0]))

static struct bpf_vm vm;

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* Best of 5 rounds, ns per run; *r0 the last result. */
static double time_it(const void *code, uint8_t *pkt, long runs, lm_u64 *r0)
{
	struct bpf_result res;
	double best = 1e30;

	for (int round = 0; round < 5; round++) {
		double t = now_ns();
		for (long k = 0; k < runs; k++) {
			if (code)
				bpf_jit_run(code, &vm, pkt, 64, 1000, &res);
			else
				bpf_run(&vm, filter, N, pkt, 64, NULL, 1000, &res);
		}
		t = (now_ns() - t) / runs;
		if (t < best)
			best = t;
	}
	*r0 = res.err ? ~0ull : res.r0;
	return best;
}

int main(int argc, char **argv)
{
	long runs = argc > 1 ? atol(argv[1]) : 2000000;
	uint8_t pkt[64] = { 0 };
	struct jit_code checked = jit_load(filter, N, BPF_JIT_CHECKED, NULL);
	struct jit_code verified = jit_load(filter, N, BPF_JIT_VERIFIED, NULL);
	lm_u64 a, b, c;

	if (!checked.code || !verified.code) {
		fprintf(stderr, "bpf-bench: the JIT refused the filter\n");
		return 1;
	}
	pkt[12] = 0x08;                 /* IPv4 */
	pkt[14] = 0x45;                 /* IHL 5: 20 bytes */
	pkt[23] = 6;                    /* TCP */
	pkt[14 + 20 + 3] = 80;          /* destination port 80 */
	double ti = time_it(NULL, pkt, runs, &a);
	double tc = time_it(checked.code, pkt, runs, &b);
	double tv = time_it(verified.code, pkt, runs, &c);
	printf("packet filter, %zu instructions, 64-byte header, best of 5 x %ld runs\n", N, runs);
	printf("  interpreter    %7.1f ns/run  r0 %llu\n", ti, (unsigned long long)a);
	printf("  JIT, checked   %7.1f ns/run  r0 %llu  %5.1fx the interpreter  (%llu bytes)\n",
	       tc, (unsigned long long)b, ti / tc, (unsigned long long)checked.size);
	printf("  JIT, verified  %7.1f ns/run  r0 %llu  %5.1fx the interpreter  (%llu bytes)\n",
	       tv, (unsigned long long)c, ti / tv, (unsigned long long)verified.size);
	jit_unload(&checked);
	jit_unload(&verified);
	return a == 1 && b == 1 && c == 1 ? 0 : 1;
}
