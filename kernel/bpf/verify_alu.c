/*
 * The verifier's arithmetic: what ALU and ALU64 instructions do to abstract
 * values, and which of them a pointer may take part in.
 *
 * 32-bit operations work on the zero-extended low halves and truncate the
 * result (every ALU32 result is zero-extended, RFC 9669); the operations
 * whose low 32 bits depend on more than the operands' low 32 bits (signed
 * division, arithmetic shift) sign-extend their operands first.
 *
 * Division follows the RFC exactly: x / 0 = 0 and x % 0 = x, so a range
 * that includes a zero divisor includes those results too; a program that
 * relies on a divisor being nonzero for its bounds is refused.
 */
#include "verify.h"

#define U64_MAX (~0ull)
#define S64_MAX ((i64)(U64_MAX >> 1))
#define S64_MIN (-S64_MAX - 1)

/* Bounds start unknown; each operation sets what it knows, scal_sync adds
 * what the known bits imply. */
static void set_bounds(struct vreg *d, struct tnum t)
{
	struct tnum keep = t;

	scal_unknown(d);
	d->t = keep;
}

static void add(struct vreg *d, const struct vreg *s)
{
	struct vreg a = *d;
	u64 lo, hi;
	i64 slo, shi;

	set_bounds(d, tnum_add(a.t, s->t));
	if (!__builtin_add_overflow(a.umin, s->umin, &lo) &&
	    !__builtin_add_overflow(a.umax, s->umax, &hi)) {
		d->umin = lo;
		d->umax = hi;
	}
	if (!__builtin_add_overflow(a.smin, s->smin, &slo) &&
	    !__builtin_add_overflow(a.smax, s->smax, &shi)) {
		d->smin = slo;
		d->smax = shi;
	}
}

static void sub(struct vreg *d, const struct vreg *s)
{
	struct vreg a = *d;
	i64 slo, shi;

	set_bounds(d, tnum_sub(a.t, s->t));
	if (a.umin >= s->umax) {
		d->umin = a.umin - s->umax;
		d->umax = a.umax - s->umin;
	}
	if (!__builtin_sub_overflow(a.smin, s->smax, &slo) &&
	    !__builtin_sub_overflow(a.smax, s->smin, &shi)) {
		d->smin = slo;
		d->smax = shi;
	}
}

static void mul(struct vreg *d, const struct vreg *s)
{
	struct vreg a = *d;

	set_bounds(d, tnum_mul(a.t, s->t));
	if (a.umax <= 0xffffffffu && s->umax <= 0xffffffffu) {
		d->umin = a.umin * s->umin;
		d->umax = a.umax * s->umax;
	}
}

/* Unsigned x / y and x % y with y's range possibly holding 0. */
static void udivmod(struct vreg *d, const struct vreg *s, int mod)
{
	struct vreg a = *d;

	if (s->umax == 0) {                     /* always by zero */
		if (!mod)
			scal_const(d, 0);
		return;                         /* x % 0 = x */
	}
	scal_unknown(d);
	if (mod) {
		if (a.umax < s->umin) {         /* x < y: x % y = x */
			*d = a;
			return;
		}
		d->umax = s->umin ? (a.umax < s->umax - 1 ? a.umax : s->umax - 1) : a.umax;
		return;
	}
	d->umin = s->umin ? a.umin / s->umax : 0;
	d->umax = s->umin ? a.umax / s->umin : a.umax;
}

/* Signed division and modulo: exact ranges for a constant divisor, an
 * unknown value otherwise. INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0. */
static void sdivmod(struct vreg *d, const struct vreg *s, int mod)
{
	struct vreg a = *d;
	i64 c = (i64)s->t.v, lim;

	if (!scal_is_const(s)) {
		scal_unknown(d);
		return;
	}
	if (c == 0) {
		if (!mod)
			scal_const(d, 0);
		return;
	}
	scal_unknown(d);
	if (c == -1) {
		if (mod)
			scal_const(d, 0);
		else if (a.smin != S64_MIN) {
			d->smin = -a.smax;
			d->smax = -a.smin;
		}
		return;
	}
	if (c == S64_MIN)
		return;
	if (!mod) {
		d->smin = c > 0 ? a.smin / c : a.smax / c;
		d->smax = c > 0 ? a.smax / c : a.smin / c;
		return;
	}
	lim = (c < 0 ? -c : c) - 1;             /* |x % c| < |c|, sign of x */
	d->smin = a.smin >= 0 ? 0 : (a.smin > -lim ? a.smin : -lim);
	d->smax = a.smax <= 0 ? 0 : (a.smax < lim ? a.smax : lim);
}

/* Shifts by a known amount are exact on the known bits; by an unknown one
 * only what every shift keeps is known. */
static void shift(struct vreg *d, const struct vreg *s, u8 oper, u32 width)
{
	struct vreg a = *d;
	u32 k = (u32)(s->t.v & (width - 1));

	if (!scal_is_const(s)) {
		scal_unknown(d);
		if (oper == LM_BPF_RSH)
			d->umax = a.umax;       /* x >> k <= x */
		else if (oper == LM_BPF_ARSH) {
			d->smin = a.smin < 0 ? a.smin : 0;
			d->smax = a.smax >= 0 ? a.smax : -1;
		}
		return;
	}
	if (oper == LM_BPF_LSH) {
		set_bounds(d, tnum_lsh(a.t, k));
		if (a.umax <= (U64_MAX >> k)) {
			d->umin = a.umin << k;
			d->umax = a.umax << k;
		}
	} else if (oper == LM_BPF_RSH) {
		set_bounds(d, tnum_rsh(a.t, k));
		d->umin = a.umin >> k;
		d->umax = a.umax >> k;
	} else {
		set_bounds(d, tnum_arsh(a.t, k));
		d->smin = a.smin >> k;
		d->smax = a.smax >> k;
	}
}

/* d = d <oper> s on scalars, 64-bit. sgn: the signed form of DIV/MOD. */
static void alu64(struct vreg *d, const struct vreg *s, u8 oper, int sgn, u32 width)
{
	struct vreg a = *d;

	switch (oper) {
	case LM_BPF_ADD: add(d, s); break;
	case LM_BPF_SUB: sub(d, s); break;
	case LM_BPF_MUL: mul(d, s); break;
	case LM_BPF_DIV:
	case LM_BPF_MOD:
		if (sgn)
			sdivmod(d, s, oper == LM_BPF_MOD);
		else
			udivmod(d, s, oper == LM_BPF_MOD);
		break;
	case LM_BPF_AND:
		set_bounds(d, tnum_and(a.t, s->t));
		d->umax = a.umax < s->umax ? a.umax : s->umax;
		break;
	case LM_BPF_OR:
		set_bounds(d, tnum_or(a.t, s->t));
		d->umin = a.umin > s->umin ? a.umin : s->umin;
		break;
	case LM_BPF_XOR:
		set_bounds(d, tnum_xor(a.t, s->t));
		break;
	case LM_BPF_LSH:
	case LM_BPF_RSH:
	case LM_BPF_ARSH:
		shift(d, s, oper, width);
		break;
	case LM_BPF_NEG: {
		struct vreg zero;
		scal_const(&zero, 0);
		*d = zero;
		sub(d, &a);
		break;
	}
	default:        /* MOV */
		*d = *s;
		break;
	}
	scal_sync(d);
}

/* The 32-bit forms: operands as the low halves (sign-extended where the
 * operation is signed), the result's low half zero-extended. */
void scal_alu(struct vreg *d, const struct vreg *s, u8 oper, int is64, int sgn)
{
	struct vreg b = *s;

	if (is64) {
		alu64(d, &b, oper, sgn, 64);
		return;
	}
	scal_trunc32(d);
	scal_trunc32(&b);
	if (oper == LM_BPF_ARSH || sgn) {
		scal_sext(d, 32);
		if (sgn)
			scal_sext(&b, 32);
	}
	alu64(d, &b, oper, sgn, 32);
	scal_trunc32(d);
}

/* --- the instruction --------------------------------------------------- */

static int is_ptr(const struct vreg *r)
{
	return r->type == V_PTR_CTX || r->type == V_PTR_STACK;
}

static void byte_swap(struct vreg *d, const struct lm_bpf_insn *i)
{
	u32 bits = (u32)i->imm;
	int to_le = LM_BPF_CLASS(i->op) == LM_BPF_ALU && !(i->op & LM_BPF_X);
	struct tnum t = to_le ? tnum_trunc(d->t, bits / 8) : tnum_bswap(d->t, bits);

	if (to_le && bits == 64)
		return;
	if (to_le && (d->umin >> bits) == (d->umax >> bits)) {
		u64 keep = (1ull << bits) - 1;
		u64 lo = d->umin & keep, hi = d->umax & keep;
		scal_unknown(d);
		d->umin = lo;
		d->umax = hi;
	} else {
		scal_unknown(d);
	}
	d->t = t;
	scal_sync(d);
}

/* Pointer arithmetic: only ALU64 add and subtract of a scalar, and the
 * difference of two pointers into the same region (a scalar). */
static enum lm_bpf_verr ptr_alu(struct vreg *d, const struct vreg *s, u8 oper, int is64)
{
	struct vreg off;
	u8 type, frame;

	if (!is64 || (oper != LM_BPF_ADD && oper != LM_BPF_SUB))
		return LM_BPF_V_PTR_ARITH;
	if (is_ptr(d) && is_ptr(s)) {
		if (oper != LM_BPF_SUB || d->type != s->type || d->frame != s->frame)
			return LM_BPF_V_PTR_ARITH;
		sub(d, s);
		d->type = V_SCALAR;
		d->frame = 0;
		scal_sync(d);
		return LM_BPF_V_OK;
	}
	if (is_ptr(s)) {                        /* scalar + pointer */
		if (oper == LM_BPF_SUB)
			return LM_BPF_V_PTR_ARITH;
		off = *d;
		*d = *s;
	} else {
		off = *s;
	}
	type = d->type;
	frame = d->frame;
	if (oper == LM_BPF_ADD)
		add(d, &off);
	else
		sub(d, &off);
	scal_sync(d);
	d->type = type;         /* the offset changed, not what it is from */
	d->frame = frame;
	return LM_BPF_V_OK;
}

/* A 64-bit copy links source and destination (verify.h, struct vreg). */
static enum lm_bpf_verr alu_mov(struct vstate *S, struct vreg *d, struct vreg *s,
				const struct lm_bpf_insn *i, int is64)
{
	if (is_ptr(s) && (i->off || !is64))
		return LM_BPF_V_PTR_ARITH;      /* a truncated or extended pointer */
	if (is64 && !i->off && !s->id && (i->op & LM_BPF_X)) {
		s->id = ++S->next_id;
		s->delta = 0;
	}
	*d = *s;
	if (is_ptr(d) || (is64 && !i->off))
		return LM_BPF_V_OK;
	d->id = 0;
	d->delta = 0;
	if (i->off)
		scal_sext(d, (u32)i->off);
	if (!is64)
		scal_trunc32(d);
	return LM_BPF_V_OK;
}

enum lm_bpf_verr vfy_alu(struct vstate *S, const struct lm_bpf_insn *i)
{
	u8 oper = LM_BPF_OPER(i->op);
	int is64 = LM_BPF_CLASS(i->op) == LM_BPF_ALU64;
	int x = (i->op & LM_BPF_X) != 0;
	struct vreg *d = &S->r[LM_BPF_DST(i)], imm, *s = &imm;
	u32 id = d->id;
	u64 delta = d->delta, c;
	enum lm_bpf_verr e = LM_BPF_V_OK;

	if (x && oper != LM_BPF_END) {
		s = &S->r[LM_BPF_SRC(i)];
		if (s->type == V_UNINIT)
			return LM_BPF_V_UNINIT_REG;
	} else {
		scal_const(&imm, (u64)(i64)i->imm);
	}
	if (oper == LM_BPF_MOV)
		return alu_mov(S, d, s, i, is64);
	if (d->type == V_UNINIT)
		return LM_BPF_V_UNINIT_REG;
	c = s->t.v;
	if (oper == LM_BPF_END) {
		if (is_ptr(d))
			return LM_BPF_V_PTR_ARITH;
		byte_swap(d, i);
	} else if (is_ptr(d) || is_ptr(s)) {
		e = ptr_alu(d, s, oper, is64);
	} else {
		scal_alu(d, s, oper, is64, i->off == 1);
	}
	/* Adding a constant keeps a link; anything else breaks it. */
	if (is64 && (oper == LM_BPF_ADD || oper == LM_BPF_SUB) && s->type == V_SCALAR &&
	    scal_is_const(s) && s != d && id) {
		d->id = id;
		d->delta = oper == LM_BPF_ADD ? delta + c : delta - c;
	} else {
		d->id = 0;
		d->delta = 0;
	}
	return e;
}

void scal_add_const(struct vreg *r, u64 c)
{
	struct vreg k = *r;
	u8 type = r->type, frame = r->frame;

	scal_const(&k, c);
	add(r, &k);
	scal_sync(r);
	r->type = type;
	r->frame = frame;
}
