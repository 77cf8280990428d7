/* The eBPF verifier on many programs: its work grows linearly with
 * loop-free programs full of branches, hostile instruction streams cannot
 * crash it or make it work past its bound, and no program it accepts ever
 * faults in the interpreter (random mostly-valid programs, random
 * contexts). Run under ASan and UBSan like every host test. */
#include "bpf_verify_harness.h"

#define MAXN LM_BPF_MAX_INSNS
static struct lm_bpf_insn prog[MAXN];

/* --- linear scaling --------------------------------------------------------- */

/* n instructions: loads, then diamonds (a compare on a context value, a
 * different add on each side) until the exit. Path enumeration would see
 * 2^(n/4) paths; joins see each instruction once. */
static lm_u32 ndiamonds;

static lm_u32 diamonds(lm_u32 n)
{
	lm_u32 k = 0;

	ndiamonds = 0;
	prog[k++] = MOV(0, 0);
	prog[k++] = LDXDW(6, 1, 0);
	prog[k++] = LDXDW(7, 1, 8);
	while (k + 4 <= n - 1) {
		struct lm_bpf_insn cmp = (k & 8) ? JGT(6, (int)k, 2) : I(0x2d, 6, 7, 2, 0);
		prog[k++] = cmp;
		prog[k++] = ADD(0, 1);
		prog[k++] = JA(1);
		prog[k++] = I(0x27, 0, 0, 0, 3);    /* r0 *= 3 on the other side */
		ndiamonds++;
	}
	while (k < n - 1)
		prog[k++] = ADD(0, 1);
	prog[k++] = EXIT;
	return k;
}

/* n instructions, nearly all branches to one shared block at the end. */
static lm_u32 early_exits(lm_u32 n)
{
	lm_u32 k = 0;

	prog[k++] = MOV(0, 0);
	prog[k++] = LDXDW(6, 1, 0);
	for (; k < n - 3; k++)
		prog[k] = JEQ(6, (int)k, (short)(n - 2 - k - 1));
	prog[k++] = MOV(0, 2);
	prog[k++] = ADD(0, 1);
	prog[k++] = EXIT;
	return k;
}

/* A switch of `cases` cases, each its own body: a chain of compares, then
 * the bodies (r0 = its number, to the shared end). Every compare's target
 * is waiting at once if states wait in position order; only one edge leads
 * to each body, so the verifier runs them at once instead. */
static lm_u32 switch_chain(lm_u32 cases)
{
	lm_u32 k = 0, body = 2 + cases + 2, end = body + 2 * cases;

	prog[k++] = MOV(0, 0);
	prog[k++] = LDXDW(6, 1, 0);
	for (lm_u32 c = 0; c < cases; c++, k++)
		prog[k] = JEQ(6, (int)(c * 3), (short)(body + 2 * c - k - 1));
	prog[k++] = MOV(0, -1);
	prog[k++] = JA((short)(end - k - 1));
	for (lm_u32 c = 0; c < cases; c++) {
		prog[k++] = MOV(0, (int)c);
		prog[k] = JA((short)(end - k - 1));
		k++;
	}
	prog[k++] = EXIT;
	return k;
}

static lm_u64 work_of(lm_u32 n)
{
	enum lm_bpf_verr e = verify_cfg(prog, n, cfg_of(16, 0));
	if (e)
		printf("[%u instructions refused: %s at %u] ", n, bpf_verify_name(e), res.pc);
	return e ? ~0ull : res.work;
}

static void work_grows_linearly_with_diamonds(void)
{
	lm_u64 w100 = work_of(diamonds(100)), w400 = work_of(diamonds(400));
	lm_u64 w1000 = work_of(diamonds(1000)), w4000 = work_of(diamonds(4000));
	lm_u32 d4000 = ndiamonds;

	printf("(work 100: %llu, 400: %llu, 1000: %llu, 4000: %llu) ", (unsigned long long)w100,
	       (unsigned long long)w400, (unsigned long long)w1000, (unsigned long long)w4000);
	CHECK(d4000 >= 990);                /* 4,000 instructions, 1,000 diamonds */
	CHECK(w4000 != ~0ull && w4000 <= 12 * w400 && w1000 <= 3 * w400);
	CHECK(w4000 <= 20 * 4000);          /* a few units per instruction */
	CHECK(run_random(prog, diamonds(4000), &(struct bpf_verify_cfg){ .ctx_size = 16 }, 5) == 0);
}

static void work_grows_linearly_with_early_exits(void)
{
	lm_u64 w400 = work_of(early_exits(400)), w4000 = work_of(early_exits(4000));

	printf("(work 400: %llu, 4000: %llu) ", (unsigned long long)w400, (unsigned long long)w4000);
	CHECK(w4000 != ~0ull && w4000 <= 12 * w400 && w4000 <= 40 * 4000);
}

static void switch_with_many_distinct_cases_accepted(void)
{
	lm_u64 w100 = work_of(switch_chain(100)), w1000 = work_of(switch_chain(1000));

	printf("(work 100 cases: %llu, 1000: %llu) ", (unsigned long long)w100,
	       (unsigned long long)w1000);
	CHECK(w1000 != ~0ull && w1000 <= 12 * w100);
	CHECK(run_random(prog, switch_chain(1000), &(struct bpf_verify_cfg){ .ctx_size = 16 }, 5) == 0);
}

/* --- hostile input ------------------------------------------------------------ */

static void random_instruction_streams_never_crash_or_overwork(void)
{
	static const lm_u8 ops[] = {
		0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x57, 0x67, 0x77, 0x87, 0x97,
		0xa7, 0xb7, 0xbf, 0xc7, 0xd7, 0xdc, 0x04, 0x0c, 0x34, 0x3c, 0xb4, 0xbc, 0x05, 0x06,
		0x15, 0x1d, 0x25, 0x2d, 0x35, 0x45, 0x55, 0x65, 0xa5, 0xad, 0xc5, 0xd5, 0x16, 0x26,
		0x85, 0x95, 0x18, 0x61, 0x69, 0x71, 0x79, 0x81, 0x62, 0x72, 0x7a, 0x63, 0x7b, 0xc3,
		0xdb,
	};
	struct bpf_verify_cfg c = cfg_of(32, 1);
	int bad = 0, accepted = 0;

	c.max_work = 20000;
	for (int t = 0; t < 20000; t++) {
		lm_u32 n = 1 + rnd() % (t % 100 == 0 ? MAXN : 48);
		for (lm_u32 k = 0; k < n; k++) {
			uint32_t r = rnd();
			prog[k].op = r % 16 ? ops[(r >> 4) % sizeof(ops)] : (lm_u8)(r >> 8);
			prog[k].regs = (lm_u8)(r % 32 ? (rnd() % 11) | (rnd() % 11) << 4 : rnd());
			prog[k].off = (short)(rnd() % 8 ? (int)(rnd() % 16) - 8 : (int)rnd());
			prog[k].imm = rnd() % 4 ? (int)(rnd() % 64) - 32 : (int)rnd();
		}
		enum lm_bpf_verr e = verify_cfg(prog, n, c);
		bad += (unsigned)e >= LM_BPF_V_NERR || res.work > c.max_work + 64 ||
		       (e && res.pc >= n);
		if (!e) {
			accepted++;
			bad += run_random(prog, n, &c, 3);
		}
	}
	printf("(%d accepted) ", accepted);
	CHECK(bad == 0);
}

/* --- differential: accepted programs never fault ------------------------------- */

static lm_u32 pick_reg(void)
{
	static const lm_u8 regs[] = { 0, 0, 2, 3, 3, 4, 5, 6, 7, 8, 9, 1, 10 };
	return regs[rnd() % sizeof(regs)];
}

/* One instruction (or a few) of a plausible program at prog[k]. */
static lm_u32 gen_one(lm_u32 k, lm_u32 end, lm_u32 ctx)
{
	static const lm_u8 alu[] = { 0x07, 0x17, 0x27, 0x37, 0x47, 0x57, 0x67, 0x77, 0x97, 0xa7,
				     0xb7, 0xc7, 0x04, 0x14, 0x24, 0x34, 0x54, 0x64, 0x74, 0x94,
				     0xb4, 0xc4 };
	static const lm_u8 alux[] = { 0x0f, 0x1f, 0x2f, 0x3f, 0x4f, 0x5f, 0x9f, 0xaf, 0xbf, 0x0c,
				      0x3c, 0xbc, 0x6f, 0x7f };
	static const lm_u8 jmp[] = { 0x15, 0x25, 0x35, 0x45, 0x55, 0x65, 0x75, 0xa5, 0xb5, 0xc5,
				     0xd5, 0x16, 0x26, 0xa6, 0xc6, 0x1d, 0x2d, 0x3d, 0xad, 0x5d };
	static const lm_u8 ld[] = { 0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91 };
	static const lm_u8 st[] = { 0x63, 0x6b, 0x73, 0x7b, 0x62, 0x6a, 0x72, 0x7a };
	lm_u32 d = pick_reg(), s = pick_reg(), r = rnd() % 16;

	if (d == 10 || d == 1)
		d = 0;
	if (r < 4) {
		prog[k] = I(alu[rnd() % sizeof(alu)], d, 0, 0, (int)(rnd() % 40) - 8);
		if (rnd() % 8 == 0) {       /* signed division or modulo */
			prog[k].op = (lm_u8)((prog[k].op & 0x07) | (rnd() % 2 ? 0x30 : 0x90));
			prog[k].off = 1;
		}
	} else if (r < 6) {
		prog[k] = I(alux[rnd() % sizeof(alux)], d, s, 0, 0);
		if (prog[k].op == 0xbf && rnd() % 4 == 0)
			prog[k].off = (short)(8 << (rnd() % 3));    /* movsx */
	} else if (r < 9) {         /* a load through r1 or the stack */
		int stack = rnd() % 2;
		prog[k] = I(ld[rnd() % sizeof(ld)], d, stack ? 10 : 1, 0, 0);
		prog[k].off = (short)(stack ? -(int)(rnd() % 40) : (int)(rnd() % (ctx + 4)) - 2);
	} else if (r < 12) {
		int stack = rnd() % 4;
		lm_u8 op = st[rnd() % sizeof(st)];
		prog[k] = LM_BPF_CLASS(op) == LM_BPF_ST ? I(op, stack ? 10 : 1, 0, 0, (int)(rnd() % 9))
							: I(op, stack ? 10 : 1, s, 0, 0);
		prog[k].off = (short)(stack ? -(int)(rnd() % 40) : (int)(rnd() % (ctx + 4)) - 2);
	} else if (r < 13 && k + 2 < end) {
		lm_u8 op = jmp[rnd() % sizeof(jmp)];
		prog[k] = I(op, d, op & 8 ? s : 0, (short)(rnd() % (end - k - 1)), op & 8 ? 0 : (int)(rnd() % 20));
	} else if (r < 14 && k + 4 < end) {    /* a bounded index into the context */
		prog[k++] = MOVR(d, s);
		prog[k++] = AND(d, (int)(rnd() % 32));
		prog[k++] = ADDR(d, 1);
		prog[k] = I(ld[rnd() % sizeof(ld)], pick_reg() % 10, d, (short)(rnd() % 8), 0);
	} else if (r < 15 && rnd() % 2 && k + 9 < end) {
		/* the bounds-check idiom: check a copy, access the original */
		lm_u32 a = 6 + rnd() % 4, b = 6 + (a - 5) % 4, e = 6 + (a - 4) % 4;
		prog[k++] = MOVR(e, 1);
		prog[k++] = ADDR(e, 2);                     /* end = ctx + len */
		prog[k++] = LDXB(b, 1, (short)(rnd() % 4));
		prog[k++] = MOVR(a, 1);
		prog[k++] = ADDR(a, b);                     /* a = ctx + a byte */
		prog[k++] = MOVR(b, a);
		prog[k++] = ADD(b, (int)(rnd() % 10));
		prog[k++] = I(0x2d, b, e, 1, 0);            /* if b > end: skip */
		prog[k] = I(ld[rnd() % sizeof(ld)], 0, a, (short)(rnd() % 8), 0);
	} else if (k + 4 < end) {   /* a small counted loop */
		prog[k++] = MOV(9, 0);
		prog[k++] = ADDR(0, 9);
		prog[k++] = ADD(9, 1);
		prog[k] = JLT(9, (int)(1 + rnd() % 6), -3);
	} else {
		prog[k] = CALL(1);
	}
	return k + 1;
}

static lm_u32 gen_program(lm_u32 ctx)
{
	lm_u32 n = 8 + rnd() % 40, k = 0;

	prog[k++] = MOV(0, 0);
	for (lm_u32 r = 3; r <= 9; r++)
		if (rnd() % 12)
			prog[k++] = MOV(r, (int)(rnd() % 16));
	if (rnd() % 2)
		prog[k++] = STDW(10, -8, 1), prog[k++] = STDW(10, -16, 2);
	while (k < n - 1)
		k = gen_one(k, n - 1, ctx);
	prog[k++] = EXIT;
	return k;
}

static void accepted_random_programs_never_fault(void)
{
	int accepted = 0, mutants = 0, faults = 0, by_err[LM_BPF_V_NERR] = { 0 };

	for (int t = 0; t < 20000; t++) {
		lm_u32 ctx = rnd() % 3 ? 8 + rnd() % 32 : 0;
		struct bpf_verify_cfg c = cfg_of(ctx, rnd() % 2);
		lm_u32 n = gen_program(ctx);
		c.max_work = 50000;
		enum lm_bpf_verr e = verify_cfg(prog, n, c);
		by_err[e]++;
		if (e)
			continue;
		accepted++;
		faults += run_random(prog, n, &c, 20);
		/* Mutants of an accepted program probe the edges of each rule. */
		for (int m = 0; m < 4; m++) {
			lm_u32 at = rnd() % n;
			struct lm_bpf_insn keep = prog[at];
			switch (rnd() % 4) {
			case 0: prog[at].off = (short)(prog[at].off + (int)(rnd() % 9) - 4); break;
			case 1: prog[at].imm += (int)(rnd() % 9) - 4; break;
			case 2: prog[at].regs = (lm_u8)((rnd() % 11) | (rnd() % 11) << 4); break;
			default: prog[at].op ^= (lm_u8)(1u << (rnd() % 8)); break;
			}
			if (verify_cfg(prog, n, c) == LM_BPF_V_OK) {
				mutants++;
				faults += run_random(prog, n, &c, 10);
			}
			prog[at] = keep;
		}
	}
	printf("(%d of 20000 accepted; refused:", accepted);
	for (int e = 1; e < LM_BPF_V_NERR; e++)
		if (by_err[e])
			printf(" %s %d", bpf_verify_name(e), by_err[e]);
	printf("; %d mutants accepted) ", mutants);
	CHECK(faults == 0);
	CHECK(accepted >= 2000);
}

int main(void)
{
	const char *sd = getenv("BPF_VERIFY_SEED");     /* to explore other programs */

	if (sd)
		seed = strtoull(sd, NULL, 0) | 1;
	printf("seed %#llx\n", (unsigned long long)seed);
	ws = malloc(bpf_verify_ws_size);
	if (!ws)
		return 1;
	RUN(work_grows_linearly_with_diamonds);
	RUN(work_grows_linearly_with_early_exits);
	RUN(switch_with_many_distinct_cases_accepted);
	RUN(random_instruction_streams_never_crash_or_overwork);
	RUN(accepted_random_programs_never_fault);
	free(ws);
	return CHECK_DONE();
}
