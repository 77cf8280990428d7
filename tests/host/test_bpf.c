/* Host tests of the eBPF interpreter (kernel/bpf/interp.c): one case per
 * instruction family and RFC 9669's edge cases, and the run-time checks
 * that stand in for a verifier until there is one. */
#include <stdint.h>
#include "check.h"
#include "bpf/bpf.h"

#define I(o, d, s, of, im) \
	((struct lm_bpf_insn){ .op = (o), .regs = (d) | (s) << 4, .off = (of), .imm = (im) })
#define LDDW(d, v) I(0x18, d, 0, 0, (int)(uint32_t)(v)), I(0, 0, 0, 0, (int)((uint64_t)(v) >> 32))
#define MOV(d, v) I(0xb7, d, 0, 0, v)       /* ALU64 mov imm */
#define MOVR(d, s) I(0xbf, d, s, 0, 0)      /* ALU64 mov reg */
#define EXIT I(0x95, 0, 0, 0, 0)

static struct bpf_vm vm;
static struct bpf_result res;

static enum bpf_err run_n(const struct lm_bpf_insn *p, size_t n, void *mem, uint64_t len)
{
	return bpf_run(&vm, p, (lm_u32)n, mem, len, NULL, 100000, &res);
}
#define RUN_P(prog, mem, len) run_n(prog, sizeof(prog) / sizeof(prog[0]), mem, len)

/* r0 of a program that must succeed, or a marker that cannot be a result
 * of these tests. */
#define R0(prog) (RUN_P(prog, NULL, 0) == BPF_OK ? res.r0 : 0xdeadbeefdeadbeefull)

static void alu64_add_sub_mul_or_and_xor(void)
{
	struct lm_bpf_insn p[] = {
		MOV(0, 7), I(0x07, 0, 0, 0, 5), MOV(1, 3), I(0x1f, 0, 1, 0, 0), /* 12 - 3 */
		I(0x27, 0, 0, 0, 6), I(0x47, 0, 0, 0, 0x100), I(0x57, 0, 0, 0, 0x1ff),
		I(0xa7, 0, 0, 0, 0x3), EXIT,
	};
	CHECK(R0(p) == (((((12 - 3) * 6) | 0x100) & 0x1ff) ^ 3));
}

static void alu64_imm_is_sign_extended(void)
{
	struct lm_bpf_insn p[] = { MOV(0, 0), I(0x07, 0, 0, 0, -1), I(0x37, 0, 0, 0, -1), EXIT };
	CHECK(R0(p) == 1);      /* 0xffff...ff / 0xffff...ff, unsigned */
}

static void alu32_wraps_and_zeroes_upper_half(void)
{
	struct lm_bpf_insn p[] = { MOV(0, -1), I(0x04, 0, 0, 0, 2), EXIT };
	struct lm_bpf_insn q[] = { MOV(0, -1), I(0xb4, 0, 0, 0, -1), EXIT };
	CHECK(R0(p) == 1);
	CHECK(R0(q) == 0xffffffffull);
}

static void div_by_zero_is_zero_64_and_32(void)
{
	struct lm_bpf_insn p[] = { MOV(0, 9), MOV(1, 0), I(0x3f, 0, 1, 0, 0), EXIT };
	struct lm_bpf_insn q[] = { LDDW(0, 0x100000009ull), I(0x34, 0, 0, 0, 0), EXIT };
	struct lm_bpf_insn s[] = { MOV(0, -9), I(0x37, 0, 0, 1, 0), EXIT };  /* sdiv */
	CHECK(R0(p) == 0);
	CHECK(R0(q) == 0);
	CHECK(R0(s) == 0);
}

static void mod_by_zero_keeps_dst_64_and_zero_extends_32(void)
{
	struct lm_bpf_insn p[] = { LDDW(0, 0x100000009ull), MOV(1, 0), I(0x9f, 0, 1, 0, 0), EXIT };
	struct lm_bpf_insn q[] = { LDDW(0, 0x100000009ull), I(0x94, 0, 0, 0, 0), EXIT };
	struct lm_bpf_insn s[] = { LDDW(0, 0x1fffffff7ull), I(0x94, 0, 0, 1, 0), EXIT }; /* smod32 */
	CHECK(R0(p) == 0x100000009ull);
	CHECK(R0(q) == 9);
	CHECK(R0(s) == 0xfffffff7ull);
}

static void signed_div_overflow_int_min_by_minus_one(void)
{
	struct lm_bpf_insn d64[] = { LDDW(0, INT64_MIN), I(0x37, 0, 0, 1, -1), EXIT };
	struct lm_bpf_insn m64[] = { LDDW(0, INT64_MIN), I(0x97, 0, 0, 1, -1), EXIT };
	struct lm_bpf_insn d32[] = { I(0xb4, 0, 0, 0, INT32_MIN), I(0x34, 0, 0, 1, -1), EXIT };
	struct lm_bpf_insn m32[] = { I(0xb4, 0, 0, 0, INT32_MIN), I(0x94, 0, 0, 1, -1), EXIT };
	CHECK(R0(d64) == (uint64_t)INT64_MIN);
	CHECK(R0(m64) == 0);
	CHECK(R0(d32) == 0x80000000ull);
	CHECK(R0(m32) == 0);
}

static void signed_div_and_mod_truncate_toward_zero(void)
{
	struct lm_bpf_insn d[] = { MOV(0, -7), I(0x37, 0, 0, 1, 2), EXIT };
	struct lm_bpf_insn m[] = { MOV(0, -7), I(0x97, 0, 0, 1, 2), EXIT };
	struct lm_bpf_insn m2[] = { MOV(0, 7), MOV(1, -2), I(0x9f, 0, 1, 1, 0), EXIT };
	struct lm_bpf_insn u[] = { MOV(0, -7), I(0x37, 0, 0, 0, 2), EXIT };   /* unsigned */
	CHECK(R0(d) == (uint64_t)-3);
	CHECK(R0(m) == (uint64_t)-1);
	CHECK(R0(m2) == 1);
	CHECK(R0(u) == (uint64_t)-7 / 2);
}

static void shifts_are_masked_to_width(void)
{
	struct lm_bpf_insn l64[] = { MOV(0, 1), MOV(1, 65), I(0x6f, 0, 1, 0, 0), EXIT };
	struct lm_bpf_insn l32[] = { MOV(0, 1), MOV(1, 33), I(0x6c, 0, 1, 0, 0), EXIT };
	struct lm_bpf_insn r64[] = { MOV(0, -1), I(0x77, 0, 0, 0, 124), EXIT };   /* >> 60 */
	struct lm_bpf_insn a64[] = { MOV(0, -16), I(0xc7, 0, 0, 0, 2), EXIT };
	struct lm_bpf_insn a32[] = { I(0xb4, 0, 0, 0, INT32_MIN), I(0xc4, 0, 0, 0, 63), EXIT };
	CHECK(R0(l64) == 2);
	CHECK(R0(l32) == 2);
	CHECK(R0(r64) == 0xf);
	CHECK(R0(a64) == (uint64_t)-4);
	CHECK(R0(a32) == 0xffffffffull);
}

static void neg_64_and_32(void)
{
	struct lm_bpf_insn n64[] = { MOV(0, 5), I(0x87, 0, 0, 0, 0), EXIT };
	struct lm_bpf_insn n32[] = { MOV(0, 5), I(0x84, 0, 0, 0, 0), EXIT };
	CHECK(R0(n64) == (uint64_t)-5);
	CHECK(R0(n32) == 0xfffffffbull);
}

static void movsx_sign_extends_8_16_32(void)
{
	struct lm_bpf_insn s8[] = { MOV(1, 0x180), I(0xbf, 0, 1, 8, 0), EXIT };
	struct lm_bpf_insn s16[] = { MOV(1, 0x8000), I(0xbc, 0, 1, 16, 0), EXIT };
	struct lm_bpf_insn s32[] = { LDDW(1, 0x180000000ull), I(0xbf, 0, 1, 32, 0), EXIT };
	struct lm_bpf_insn bad32[] = { MOV(1, 1), I(0xbc, 0, 1, 32, 0), EXIT }; /* ALU32: 8/16 only */
	CHECK(R0(s8) == 0xffffffffffffff80ull);
	CHECK(R0(s16) == 0xffff8000ull);
	CHECK(R0(s32) == 0xffffffff80000000ull);
	CHECK(RUN_P(bad32, NULL, 0) == BPF_EOPCODE && res.pc == 1);
}

static void byte_swaps_le_be_and_bswap(void)
{
	static const struct { uint8_t op; int bits; uint64_t want; } t[] = {
		{ 0xd4, 16, 0xcdef }, { 0xd4, 32, 0x89abcdef }, { 0xd4, 64, 0x0123456789abcdefull },
		{ 0xdc, 16, 0xefcd }, { 0xdc, 32, 0xefcdab89 }, { 0xdc, 64, 0xefcdab8967452301ull },
		{ 0xd7, 16, 0xefcd }, { 0xd7, 32, 0xefcdab89 }, { 0xd7, 64, 0xefcdab8967452301ull },
	};
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		struct lm_bpf_insn p[] = { LDDW(0, 0x0123456789abcdefull), I(t[k].op, 0, 0, 0, t[k].bits), EXIT };
		CHECK(R0(p) == t[k].want);
	}
	struct lm_bpf_insn bad[] = { I(0xd4, 0, 0, 0, 8), EXIT };
	CHECK(RUN_P(bad, NULL, 0) == BPF_EOPCODE);
}

/* r0 = 1 if `op r1, r2` jumps, else 0. */
static uint64_t jumps(uint8_t op, uint64_t a, uint64_t b)
{
	struct lm_bpf_insn p[] = {
		LDDW(1, a), LDDW(2, b), MOV(0, 0), I(op, 1, 2, 0, 0) /* off below */, EXIT, MOV(0, 1), EXIT,
	};
	p[5].off = 1;
	return R0(p);
}

static void conditional_jumps_64_and_32(void)
{
	static const struct { uint8_t op; uint64_t a, b, want; } t[] = {
		{ 0x1d, 5, 5, 1 }, { 0x1d, 5, 6, 0 }, { 0x5d, 5, 6, 1 },          /* jeq, jne */
		{ 0x2d, -1, 1, 1 }, { 0x3d, 1, 1, 1 }, { 0xad, -1, 1, 0 }, { 0xbd, 1, 1, 1 },
		{ 0x6d, -1, 1, 0 }, { 0x7d, 1, 1, 1 }, { 0xcd, -1, 1, 1 }, { 0xdd, 2, 1, 0 },
		{ 0x4d, 6, 2, 1 }, { 0x4d, 4, 3, 0 },                             /* jset */
		/* 32-bit: only the low halves count */
		{ 0x1e, 0x100000005ull, 5, 1 }, { 0x5e, 0x100000005ull, 5, 0 },
		{ 0x2e, 0x100000000ull, 1, 0 }, { 0x6e, 0xffffffffull, 1, 0 },
		{ 0xce, 0xffffffffull, 0, 1 }, { 0xae, 0xffffffffull, 0, 0 }, { 0x4e, 0x100000000ull, 0x100000000ull, 0 },
		{ 0x3e, 7, 7, 1 }, { 0xbe, 8, 7, 0 }, { 0x7e, 0x80000000ull, 0, 0 }, { 0xde, 0x80000000ull, 0, 1 },
	};
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		if (jumps(t[k].op, t[k].a, t[k].b) != t[k].want)
			printf("op %#x a %#llx b %#llx ", t[k].op, (unsigned long long)t[k].a,
			       (unsigned long long)t[k].b);
		CHECK(jumps(t[k].op, t[k].a, t[k].b) == t[k].want);
	}
	struct lm_bpf_insn imm[] = { MOV(1, -1), MOV(0, 0), I(0x15, 1, 0, 1, -1), EXIT, MOV(0, 1), EXIT };
	CHECK(R0(imm) == 1);    /* jeq imm: the imm is sign-extended */
}

static void ja_and_ja32(void)
{
	struct lm_bpf_insn p[] = { MOV(0, 1), I(0x05, 0, 0, 1, 0), MOV(0, 2), EXIT };
	struct lm_bpf_insn q[] = { MOV(0, 1), I(0x06, 0, 0, 0, 2), MOV(0, 2), MOV(0, 3), EXIT };
	CHECK(R0(p) == 1);
	CHECK(R0(q) == 1);
}

static void lddw_in_the_middle_takes_two_slots(void)
{
	struct lm_bpf_insn p[] = { MOV(0, 1), LDDW(0, 0x1122334455667788ull), I(0x07, 0, 0, 0, 1), EXIT };
	struct lm_bpf_insn over[] = { MOV(0, 1), I(0x05, 0, 0, 2, 0), LDDW(0, 5), EXIT };
	struct lm_bpf_insn into[] = { MOV(0, 1), I(0x05, 0, 0, 1, 0), LDDW(0, 5), EXIT };
	struct lm_bpf_insn cut[] = { MOV(0, 1), I(0x18, 0, 0, 0, 5) };
	CHECK(R0(p) == 0x1122334455667789ull);
	CHECK(R0(over) == 1);
	CHECK(RUN_P(into, NULL, 0) == BPF_EOPCODE && res.pc == 3);
	CHECK(RUN_P(cut, NULL, 0) == BPF_ELDDW && res.pc == 1);
}

static void loads_and_stores_of_each_size(void)
{
	uint8_t mem[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	struct lm_bpf_insn p[] = {
		I(0x72, 1, 0, 8, 0xab),         /* stb [r1+8] */
		I(0x6a, 1, 0, 9, 0xcdef),       /* sth [r1+9] */
		I(0x62, 1, 0, 11, 0x12345678),  /* stw [r1+11] */
		I(0x79, 0, 1, 0, 0),            /* ldxdw r0, [r1] */
		I(0x7b, 10, 0, -8, 0),          /* stxdw [r10-8], r0 */
		I(0x61, 3, 10, -8, 0),          /* ldxw r3, [r10-8] */
		I(0x69, 4, 10, -6, 0),          /* ldxh */
		I(0x71, 5, 10, -1, 0),          /* ldxb */
		I(0x73, 1, 5, 15, 0),           /* stxb [r1+15], r5 */
		I(0x6b, 1, 4, 13, 0),           /* stxh [r1+13], r4 */
		I(0x63, 1, 3, 0, 0),            /* stxw [r1], r3 */
		EXIT,
	};
	CHECK(RUN_P(p, mem, sizeof(mem)) == BPF_OK);
	CHECK(res.r0 == 0x8877665544332211ull);
	CHECK(mem[8] == 0xab && mem[9] == 0xef && mem[10] == 0xcd);
	CHECK(mem[11] == 0x78 && mem[12] == 0x56);
	CHECK(mem[13] == 0x33 && mem[14] == 0x44 && mem[15] == 0x88);  /* r4 = 0x4433, r5 = 0x88 */
	CHECK(mem[0] == 0x11 && mem[3] == 0x44 && mem[4] == 0x55);     /* r3 = 0x44332211 */
	struct lm_bpf_insn dw[] = { I(0x7a, 10, 0, -8, -2), I(0x79, 0, 10, -8, 0), EXIT };
	CHECK(R0(dw) == (uint64_t)-2);  /* stdw imm is sign-extended */
}

static void sign_extending_loads(void)
{
	uint8_t mem[8] = { 0x80, 0xff, 0xff, 0xff, 0x7f };
	struct lm_bpf_insn b[] = { I(0x91, 0, 1, 0, 0), EXIT };
	struct lm_bpf_insn h[] = { I(0x89, 0, 1, 0, 0), EXIT };
	struct lm_bpf_insn w[] = { I(0x81, 0, 1, 0, 0), EXIT };
	struct lm_bpf_insn pos[] = { I(0x91, 0, 1, 4, 0), EXIT };
	struct lm_bpf_insn dw[] = { I(0x99, 0, 1, 0, 0), EXIT };    /* no ldxsdw */
	CHECK(RUN_P(b, mem, 8) == BPF_OK && res.r0 == 0xffffffffffffff80ull);
	CHECK(RUN_P(h, mem, 8) == BPF_OK && res.r0 == 0xffffffffffffff80ull);
	CHECK(RUN_P(w, mem, 8) == BPF_OK && res.r0 == 0xffffffffffffff80ull);
	CHECK(RUN_P(pos, mem, 8) == BPF_OK && res.r0 == 0x7f);
	CHECK(RUN_P(dw, mem, 8) == BPF_EOPCODE);
}

static void atomics_with_and_without_fetch(void)
{
	uint64_t m[2] = { 10, 0xf0 };
	struct lm_bpf_insn p[] = {
		MOV(2, 5), I(0xdb, 1, 2, 0, 0x00),          /* add: m0 = 15 */
		MOV(3, 1), I(0xdb, 1, 3, 0, 0x01),          /* fetch add: r3 = 15, m0 = 16 */
		MOV(4, 0x0f), I(0xdb, 1, 4, 8, 0x41),       /* fetch or: r4 = 0xf0, m1 = 0xff */
		MOV(5, 0x3c), I(0xdb, 1, 5, 8, 0x50),       /* and: m1 = 0x3c */
		MOV(6, 0x0f), I(0xdb, 1, 6, 8, 0xa1),       /* fetch xor: r6 = 0x3c, m1 = 0x33 */
		MOV(7, 99), I(0xdb, 1, 7, 0, 0xe1),         /* xchg: r7 = 16, m0 = 99 */
		MOVR(0, 3), I(0x0f, 0, 4, 0, 0), I(0x0f, 0, 6, 0, 0), I(0x0f, 0, 7, 0, 0), EXIT,
	};
	CHECK(RUN_P(p, m, sizeof(m)) == BPF_OK);
	CHECK(res.r0 == 15 + 0xf0 + 0x3c + 16);
	CHECK(m[0] == 99 && m[1] == 0x33);
}

static void atomics_32_bit_zero_extend(void)
{
	uint32_t m[2] = { 0xfffffffe, 7 };
	struct lm_bpf_insn p[] = { MOV(0, -1), I(0xc3, 1, 0, 0, 0x01), EXIT };  /* fetch add32 */
	CHECK(RUN_P(p, m, sizeof(m)) == BPF_OK && res.r0 == 0xfffffffe && m[0] == 0xfffffffd);
	CHECK(m[1] == 7);
}

static void cmpxchg_success_and_failure(void)
{
	uint64_t m = 42;
	struct lm_bpf_insn ok[] = { MOV(0, 42), MOV(2, 7), I(0xdb, 1, 2, 0, 0xf1), EXIT };
	struct lm_bpf_insn no[] = { MOV(0, 1), MOV(2, 9), I(0xdb, 1, 2, 0, 0xf1), EXIT };
	CHECK(RUN_P(ok, &m, 8) == BPF_OK && res.r0 == 42 && m == 7);
	CHECK(RUN_P(no, &m, 8) == BPF_OK && res.r0 == 7 && m == 7);
	uint32_t w[2] = { 5, 0 };
	struct lm_bpf_insn ok32[] = { LDDW(0, 0x700000005ull), MOV(2, 6), I(0xc3, 1, 2, 0, 0xf1), EXIT };
	CHECK(RUN_P(ok32, w, 8) == BPF_OK && res.r0 == 5 && w[0] == 6);
}

static void atomics_refuse_unaligned_and_bad_ops(void)
{
	uint64_t m[2] = { 0 };
	struct lm_bpf_insn un[] = { MOV(2, 1), I(0xdb, 1, 2, 1, 0), EXIT };
	struct lm_bpf_insn bad[] = { MOV(2, 1), I(0xdb, 1, 2, 0, 0x10), EXIT };    /* no atomic sub */
	struct lm_bpf_insn b8[] = { MOV(2, 1), I(0xd3, 1, 2, 0, 0), EXIT };        /* no 8-bit */
	CHECK(RUN_P(un, m, 16) == BPF_EALIGN && res.pc == 1);
	CHECK(RUN_P(bad, m, 16) == BPF_EOPCODE && res.pc == 1);
	CHECK(RUN_P(b8, m, 16) == BPF_EOPCODE);
}

/* main: [r10-8] = 1, r6 = 100; f writes its own [r10-8] = 2 and clobbers
 * r6; back in main both are as they were. */
static void local_calls_have_their_own_stack_and_keep_r6_r9(void)
{
	struct lm_bpf_insn p[] = {
		I(0x7a, 10, 0, -8, 1), MOV(6, 100), MOV(1, 3),
		I(0x85, 0, 1, 0, 4),                        /* call +4: insn 8 */
		I(0x79, 2, 10, -8, 0), I(0x0f, 0, 2, 0, 0), I(0x0f, 0, 6, 0, 0), EXIT,
		I(0x7a, 10, 0, -8, 2), MOV(6, 0), MOVR(0, 1), I(0x27, 0, 0, 0, 10), EXIT,
	};
	CHECK(R0(p) == 30 + 1 + 100);
}

static void callee_may_use_callers_stack_but_not_a_returned_frame(void)
{
	struct lm_bpf_insn p[] = {
		MOVR(1, 10), I(0x07, 1, 0, 0, -8), I(0x85, 0, 1, 0, 2),
		I(0x79, 0, 10, -8, 0), EXIT,
		I(0x7a, 1, 0, 0, 77), EXIT,                 /* f: *r1 = 77 */
	};
	CHECK(R0(p) == 77);
	struct lm_bpf_insn q[] = {
		I(0x85, 0, 1, 0, 2), I(0x79, 0, 0, 0, 0), EXIT,     /* read f's old frame */
		MOVR(0, 10), I(0x07, 0, 0, 0, -8), EXIT,            /* f: r0 = its r10 - 8 */
	};
	CHECK(RUN_P(q, NULL, 0) == BPF_EMEM && res.pc == 1);
}

static void recursion_deeper_than_the_frame_limit_stops(void)
{
	struct lm_bpf_insn p[] = { I(0x85, 0, 1, 0, -1), EXIT };
	CHECK(RUN_P(p, NULL, 0) == BPF_EDEPTH && res.pc == 0);
}

static void out_of_bounds_loads_and_stores_are_refused(void)
{
	uint8_t mem[8] = { 0 };
	struct lm_bpf_insn past[] = { I(0x79, 0, 1, 1, 0), EXIT };
	struct lm_bpf_insn before[] = { I(0x71, 0, 1, -1, 0), EXIT };
	struct lm_bpf_insn st[] = { I(0x62, 1, 0, 5, 1), EXIT };
	struct lm_bpf_insn below[] = { I(0x7a, 10, 0, -520, 1), EXIT };
	struct lm_bpf_insn above[] = { I(0x71, 0, 10, 0, 0), EXIT };
	struct lm_bpf_insn wrap[] = { MOV(2, -1), I(0x69, 0, 2, 0, 0), EXIT };   /* addr + 2 wraps */
	CHECK(RUN_P(past, mem, 8) == BPF_EMEM && res.pc == 0);
	CHECK(RUN_P(before, mem, 8) == BPF_EMEM);
	CHECK(RUN_P(st, mem, 8) == BPF_EMEM);
	CHECK(RUN_P(below, mem, 8) == BPF_EMEM);
	CHECK(RUN_P(above, mem, 8) == BPF_EMEM);
	CHECK(RUN_P(wrap, mem, 8) == BPF_EMEM && res.pc == 1);
	CHECK(RUN_P(past, NULL, 0) == BPF_EMEM);    /* r1 = 0: no memory */
	struct lm_bpf_insn last[] = { I(0x71, 0, 1, 7, 0), I(0x7a, 10, 0, -512, 3), EXIT };
	mem[7] = 9;
	CHECK(RUN_P(last, mem, 8) == BPF_OK && res.r0 == 9);    /* the last bytes are fine */
}

static void r1_r2_hold_memory_and_length(void)
{
	uint8_t mem[5];
	struct lm_bpf_insn p[] = { MOVR(0, 2), EXIT };
	struct lm_bpf_insn q[] = { MOVR(0, 1), EXIT };
	CHECK(RUN_P(p, mem, 5) == BPF_OK && res.r0 == 5);
	CHECK(RUN_P(q, NULL, 0) == BPF_OK && res.r0 == 0);
}

static void budget_stops_an_endless_loop(void)
{
	struct lm_bpf_insn p[] = { MOV(0, 0), I(0x05, 0, 0, -1, 0), EXIT };
	CHECK(bpf_run(&vm, p, 3, NULL, 0, NULL, 1000, &res) == BPF_EBUDGET && res.steps == 1000);
	CHECK(res.pc == 1);
}

static void invalid_opcodes_name_the_instruction(void)
{
	static const uint8_t bad[] = { 0x00, 0x20, 0x40, 0x8d, 0x9d, 0x0d, 0x86, 0xe7, 0xf4, 0x8f, 0x0e, 0xdf, 0xe5 };
	for (size_t k = 0; k < sizeof(bad); k++) {
		struct lm_bpf_insn p[] = { MOV(0, 1), MOV(0, 2), I(bad[k], 0, 0, 0, 0), EXIT };
		CHECK(RUN_P(p, NULL, 0) == BPF_EOPCODE && res.pc == 2);
	}
	struct lm_bpf_insn off[] = { I(0x07, 0, 0, 1, 0), EXIT };    /* add with off 1 */
	CHECK(RUN_P(off, NULL, 0) == BPF_EOPCODE);
}

static void helper_calls_are_unknown(void)
{
	struct lm_bpf_insn p[] = { I(0x85, 0, 0, 0, 1), EXIT };
	CHECK(RUN_P(p, NULL, 0) == BPF_EHELPER && res.pc == 0);
	CHECK(strcmp(bpf_strerror(BPF_EHELPER), "unknown helper") == 0);
}

static void registers_r10_and_above_are_checked(void)
{
	struct lm_bpf_insn w10[] = { MOV(10, 0), EXIT };
	struct lm_bpf_insn r11[] = { MOVR(0, 11), EXIT };
	struct lm_bpf_insn ld10[] = { I(0x79, 10, 10, -8, 0), EXIT };
	CHECK(RUN_P(w10, NULL, 0) == BPF_EREG);
	CHECK(RUN_P(r11, NULL, 0) == BPF_EREG);
	CHECK(RUN_P(ld10, NULL, 0) == BPF_EREG);
}

/* RFC 9669: fields a form does not use must be zero; a program that sets
 * one stops there (the verifier refuses it before: OPCODE). */
static void reserved_fields_are_refused(void)
{
	struct lm_bpf_insn mov_src[] = { I(0xb7, 0, 1, 0, 1), EXIT };     /* mov imm, src set */
	struct lm_bpf_insn add_imm[] = { MOV(0, 1), I(0x0f, 0, 0, 0, 5), EXIT }; /* add reg, imm set */
	struct lm_bpf_insn exit_imm[] = { MOV(0, 1), I(0x95, 0, 0, 0, 1) };
	struct lm_bpf_insn ldx_imm[] = { I(0x79, 0, 10, -8, 3), EXIT };
	struct lm_bpf_insn ja_imm[] = { I(0x05, 0, 0, 0, 1), MOV(0, 2), EXIT };
	struct lm_bpf_insn neg_imm[] = { MOV(0, 1), I(0x87, 0, 0, 0, 1), EXIT };

	CHECK(RUN_P(mov_src, NULL, 0) == BPF_EOPCODE && res.pc == 0);
	CHECK(RUN_P(add_imm, NULL, 0) == BPF_EOPCODE && res.pc == 1);
	CHECK(RUN_P(exit_imm, NULL, 0) == BPF_EOPCODE && res.pc == 1);
	CHECK(RUN_P(ldx_imm, NULL, 0) == BPF_EOPCODE && res.pc == 0);
	CHECK(RUN_P(ja_imm, NULL, 0) == BPF_EOPCODE && res.pc == 0);
	CHECK(RUN_P(neg_imm, NULL, 0) == BPF_EOPCODE && res.pc == 1);
}

static void control_must_stay_inside_the_program(void)
{
	struct lm_bpf_insn fall[] = { MOV(0, 1) };
	struct lm_bpf_insn jmp[] = { I(0x05, 0, 0, 5, 0), EXIT };
	struct lm_bpf_insn back[] = { I(0x05, 0, 0, -2, 0), EXIT };
	struct lm_bpf_insn call[] = { I(0x85, 0, 1, 0, 9), EXIT };
	CHECK(RUN_P(fall, NULL, 0) == BPF_EFALL && res.pc == 1);
	CHECK(RUN_P(jmp, NULL, 0) == BPF_EJUMP && res.pc == 0);
	CHECK(RUN_P(back, NULL, 0) == BPF_EJUMP);
	CHECK(RUN_P(call, NULL, 0) == BPF_EJUMP);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Most generated instructions clear the fields their form does not use,
 * as RFC 9669 requires and a compiler does; one in 16 keeps what it drew,
 * so that refusing a reserved field (bpf_fields_ok) is tested too. Also
 * used by test_bpf_jit.c, which includes this file. */
static void clear_unused(struct lm_bpf_insn *i)
{
	uint8_t cls = LM_BPF_CLASS(i->op), oper = LM_BPF_OPER(i->op);
	int x = (i->op & LM_BPF_X) != 0;

	if (rnd() % 16 == 0)
		return;
	switch (cls) {
	case LM_BPF_LDX:
		i->imm = 0;
		break;
	case LM_BPF_ST:
		i->regs &= 0x0f;
		break;
	case LM_BPF_STX:
		if (LM_BPF_MODE(i->op) != LM_BPF_ATOMIC)
			i->imm = 0;
		break;
	case LM_BPF_ALU:
	case LM_BPF_ALU64:
		if (oper == LM_BPF_END || oper == LM_BPF_NEG || !x)
			i->regs &= 0x0f;
		if (oper == LM_BPF_NEG || (x && oper != LM_BPF_END))
			i->imm = 0;
		break;
	case LM_BPF_JMP:
	case LM_BPF_JMP32:
		if (oper == LM_BPF_JA) {
			i->regs = 0;
			if (cls == LM_BPF_JMP32)
				i->off = 0;
			else
				i->imm = 0;
		} else if (oper == LM_BPF_CALL) {
			i->regs &= 0xf0;
			i->off = 0;
		} else if (oper == LM_BPF_EXIT) {
			i->regs = 0, i->off = 0, i->imm = 0;
		} else if (x) {
			i->imm = 0;
		} else {
			i->regs &= 0x0f;
		}
		break;
	}
}

/* Random programs, mostly made of real opcodes with registers, offsets and
 * immediates near the memory's size, never write outside it (the guard
 * bytes on both sides keep their pattern) and always stop: with a result
 * or one of the errors, within the budget. */
static void random_programs_stay_inside_memory_and_stop(void)
{
	static const uint8_t ops[] = {
		0x07, 0x0f, 0x17, 0x1f, 0xb7, 0xbf, 0x04, 0x0c, 0x3f, 0x9f, 0x37, 0x97, 0x6f, 0x7f,
		0xc7, 0x87, 0xdc, 0xd7, 0x05, 0x06, 0x15, 0x1d, 0x2d, 0x6e, 0xad, 0x85, 0x95, 0x18,
		0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73,
		0x7b, 0xc3, 0xdb,
	};
	static const int imms[] = { 0, 1, 8, 16, 32, 64, -1, -8, 0x01, 0xf1, 0xe1, 0x41 };
	uint8_t buf[64 + 2 * 32];
	struct lm_bpf_insn p[24];
	int bad = 0, ok = 0, wrote = 0, refused = 0;

	for (int t = 0; t < 5000; t++) {
		memset(buf, 0xa5, sizeof(buf));
		for (size_t k = 0; k < 24; k++) {
			uint32_t r = rnd();
			p[k].op = r % 8 ? ops[r % sizeof(ops)] : (uint8_t)(r >> 8);
			p[k].regs = (uint8_t)(rnd() % 11 | (rnd() % 11) << 4);
			p[k].off = (short)((int)(rnd() % 80) - 40);
			p[k].imm = rnd() % 4 ? imms[rnd() % (sizeof(imms) / sizeof(imms[0]))] : (int)rnd();
			clear_unused(&p[k]);
		}
		p[23] = EXIT;
		enum bpf_err e = bpf_run(&vm, p, 24, buf + 32, 64, NULL, 2000, &res);
		for (size_t k = 0; k < 32; k++)
			bad += buf[k] != 0xa5 || buf[96 + k] != 0xa5;
		bad += (unsigned)e >= BPF_NERR || res.steps > 2000;
		ok += e == BPF_OK;
		refused += e == BPF_EMEM;
		for (size_t k = 32; k < 96; k++)
			if (buf[k] != 0xa5) {
				wrote++;
				break;
			}
	}
	printf("(%d ran to exit, %d wrote memory, %d refused an access) ", ok, wrote, refused);
	CHECK(bad == 0);
	CHECK(ok > 0 && wrote > 0 && refused > 0);     /* the programs did reach memory */
}

int main(void)
{
	RUN(alu64_add_sub_mul_or_and_xor);
	RUN(alu64_imm_is_sign_extended);
	RUN(alu32_wraps_and_zeroes_upper_half);
	RUN(div_by_zero_is_zero_64_and_32);
	RUN(mod_by_zero_keeps_dst_64_and_zero_extends_32);
	RUN(signed_div_overflow_int_min_by_minus_one);
	RUN(signed_div_and_mod_truncate_toward_zero);
	RUN(shifts_are_masked_to_width);
	RUN(neg_64_and_32);
	RUN(movsx_sign_extends_8_16_32);
	RUN(byte_swaps_le_be_and_bswap);
	RUN(conditional_jumps_64_and_32);
	RUN(ja_and_ja32);
	RUN(lddw_in_the_middle_takes_two_slots);
	RUN(loads_and_stores_of_each_size);
	RUN(sign_extending_loads);
	RUN(atomics_with_and_without_fetch);
	RUN(atomics_32_bit_zero_extend);
	RUN(cmpxchg_success_and_failure);
	RUN(atomics_refuse_unaligned_and_bad_ops);
	RUN(local_calls_have_their_own_stack_and_keep_r6_r9);
	RUN(callee_may_use_callers_stack_but_not_a_returned_frame);
	RUN(recursion_deeper_than_the_frame_limit_stops);
	RUN(out_of_bounds_loads_and_stores_are_refused);
	RUN(r1_r2_hold_memory_and_length);
	RUN(budget_stops_an_endless_loop);
	RUN(invalid_opcodes_name_the_instruction);
	RUN(helper_calls_are_unknown);
	RUN(registers_r10_and_above_are_checked);
	RUN(control_must_stay_inside_the_program);
	RUN(reserved_fields_are_refused);
	RUN(random_programs_stay_inside_memory_and_stop);
	return CHECK_DONE();
}
