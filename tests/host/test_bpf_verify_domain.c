/* Soundness of the verifier's abstract values, operation by operation: an
 * abstract value is built as the join of a few concrete numbers; every
 * ALU operation (64 and 32 bits, immediate or register) applied to members
 * must give a member of the abstract result, the interpreter computing the
 * concrete one; and every comparison's refined operands must keep the
 * members that take that way. */
#include "bpf_verify_harness.h"

static const lm_u64 edges[] = {
	0, 1, 2, 7, 8, 15, 16, 31, 32, 63, 64, 255, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
	0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
	~0ull, ~0ull - 1, ~0ull - 7,
};

static lm_u64 sample(void)
{
	lm_u64 v;

	switch (rnd() % 4) {
	case 0: return edges[rnd() % (sizeof(edges) / sizeof(edges[0]))];
	case 1: return rnd() % 64;
	case 2: return (lm_u64)(int64_t)(int)(rnd() % 64) - 32;
	default: v = (lm_u64)rnd() << 32 | rnd(); return v >> (rnd() % 64);
	}
}

/* An abstract value holding the k numbers in v. */
static struct vreg abstract(const lm_u64 *v, int k)
{
	struct vreg r, c;

	scal_const(&r, v[0]);
	for (int j = 1; j < k; j++) {
		scal_const(&c, v[j]);
		scal_join(&r, &c);
	}
	scal_sync(&r);
	return r;
}

static int member(const struct vreg *r, lm_u64 v)
{
	return r->type == V_SCALAR && v >= r->umin && v <= r->umax && (i64)v >= r->smin &&
	       (i64)v <= r->smax && (v & ~r->t.m) == r->t.v;
}

static lm_u64 concrete(lm_u8 op, short off, lm_u64 a, lm_u64 b, int *ok)
{
	struct lm_bpf_insn p[] = { LDDW(0, a), LDDW(1, b), I(op, 0, 1, off, 0), EXIT };
	struct bpf_result r;

	*ok = bpf_run(&vm, p, N(p), NULL, 0, NULL, 100, &r) == BPF_OK;
	return r.r0;
}

static void alu_results_contain_every_concrete_result(void)
{
	static const lm_u8 opers[] = { 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80,
				       0x90, 0xa0, 0xb0, 0xc0 };
	int bad = 0, checked = 0;

	for (int t = 0; t < 40000; t++) {
		lm_u64 a[4], b[4];
		int ka = 1 + rnd() % 4, kb = 1 + rnd() % 4, is64 = rnd() % 2;
		lm_u8 oper = opers[rnd() % sizeof(opers)], op = oper | 0x08 | (is64 ? 0x07 : 0x04);
		short off = (oper == 0x30 || oper == 0x90) ? (short)(rnd() % 2) : 0;
		struct vreg A, B, R;

		if (oper == 0xb0 && rnd() % 2)
			off = (short)(8 << (rnd() % (is64 ? 3 : 2)));  /* movsx */
		if (oper == 0x80)
			op &= (lm_u8)~0x08;                         /* neg has no source */
		for (int j = 0; j < 4; j++)
			a[j] = sample(), b[j] = sample();
		A = abstract(a, ka);
		B = abstract(b, kb);
		R = A;
		if (oper == 0xb0) {
			struct vstate S = { .depth = 1 };
			S.r[0] = A;
			S.r[1] = B;
			vfy_alu(&S, &I(op, 0, 1, off, 0));
			R = S.r[0];
		} else {
			scal_alu(&R, &B, oper, is64, off == 1);
		}
		for (int i = 0; i < ka; i++)
			for (int j = 0; j < kb; j++) {
				int ok;
				lm_u64 v = concrete(op, off, a[i], b[j], &ok);
				checked += ok;
				if (ok && !member(&R, v)) {
					if (bad++ < 5)
						printf("[op %#x off %d: %#llx, %#llx -> %#llx not in "
						       "u[%#llx,%#llx] s[%lld,%lld] t %#llx/%#llx] ", op, off,
						       (unsigned long long)a[i], (unsigned long long)b[j],
						       (unsigned long long)v, (unsigned long long)R.umin,
						       (unsigned long long)R.umax, (long long)R.smin,
						       (long long)R.smax, (unsigned long long)R.t.v,
						       (unsigned long long)R.t.m);
				}
			}
	}
	printf("(%d results checked) ", checked);
	CHECK(bad == 0);
}

static void byte_swaps_contain_every_concrete_result(void)
{
	static const lm_u8 ops[] = { 0xd4, 0xdc, 0xd7 };
	int bad = 0;

	for (int t = 0; t < 20000; t++) {
		lm_u64 a[4];
		int ka = 1 + rnd() % 4, bits = 16 << (rnd() % 3);
		struct lm_bpf_insn sw = I(ops[rnd() % 3], 0, 0, 0, bits);
		struct vstate S = { .depth = 1 };

		for (int j = 0; j < 4; j++)
			a[j] = sample();
		S.r[0] = abstract(a, ka);
		vfy_alu(&S, &sw);
		for (int i = 0; i < ka; i++) {
			struct lm_bpf_insn p[] = { LDDW(0, a[i]), sw, EXIT };
			struct bpf_result r;
			bpf_run(&vm, p, N(p), NULL, 0, NULL, 100, &r);
			bad += !member(&S.r[0], r.r0);
		}
	}
	CHECK(bad == 0);
}

static int jump_taken(lm_u8 op, lm_u64 a, lm_u64 b)
{
	struct lm_bpf_insn p[] = { LDDW(1, a), LDDW(2, b), MOV(0, 0), I(op, 1, 2, 1, 0), EXIT,
				   MOV(0, 1), EXIT };
	struct bpf_result r;

	bpf_run(&vm, p, N(p), NULL, 0, NULL, 100, &r);
	return (int)r.r0;
}

static void comparisons_keep_every_value_that_takes_each_way(void)
{
	static const lm_u8 opers[] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0,
				       0xc0, 0xd0 };
	int bad = 0;

	for (int t = 0; t < 40000; t++) {
		lm_u64 a[4], b[4];
		int ka = 1 + rnd() % 4, kb = 1 + rnd() % 4;
		lm_u8 op = opers[rnd() % sizeof(opers)] | 0x08 | (rnd() % 2 ? 0x05 : 0x06);
		struct vstate S = { .depth = 1 };
		struct vcond c;

		for (int j = 0; j < 4; j++)
			a[j] = sample(), b[j] = sample();
		S.r[1] = abstract(a, ka);
		S.r[2] = abstract(b, kb);
		if (vfy_cond(&S, &I(op, 1, 2, 1, 0), &c) != LM_BPF_V_OK) {
			bad++;
			continue;
		}
		for (int i = 0; i < ka; i++)
			for (int j = 0; j < kb; j++) {
				int way = jump_taken(op, a[i], b[j]);
				if (!c.ok[way] || !member(&c.d[way], a[i]) || !member(&c.s[way], b[j])) {
					if (bad++ < 5)
						printf("[op %#x: %#llx, %#llx way %d lost] ", op,
						       (unsigned long long)a[i], (unsigned long long)b[j], way);
				}
			}
	}
	CHECK(bad == 0);
}

int main(void)
{
	RUN(alu_results_contain_every_concrete_result);
	RUN(byte_swaps_contain_every_concrete_result);
	RUN(comparisons_keep_every_value_that_takes_each_way);
	return CHECK_DONE();
}
