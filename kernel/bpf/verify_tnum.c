/*
 * The verifier's numbers: known bits (a tnum, after the tristate numbers
 * of Vishwanathan et al. that Linux's verifier also uses) and signed and
 * unsigned ranges, kept consistent with each other by scal_sync.
 *
 * Every operation here over-approximates: the result describes at least
 * every value the concrete operation can produce from values the inputs
 * describe. Precision only ever comes from facts that are certain.
 */
#include "verify.h"

#define U64_MAX (~0ull)
#define S64_MAX ((i64)(U64_MAX >> 1))
#define S64_MIN (-S64_MAX - 1)
#define SIGN    (1ull << 63)

static u64 umax64(u64 a, u64 b) { return a > b ? a : b; }
static u64 umin64(u64 a, u64 b) { return a < b ? a : b; }
static i64 smax64(i64 a, i64 b) { return a > b ? a : b; }
static i64 smin64(i64 a, i64 b) { return a < b ? a : b; }

struct tnum tnum_const(u64 v) { return (struct tnum){ v, 0 }; }
struct tnum tnum_unknown(void) { return (struct tnum){ 0, U64_MAX }; }

/* The bits min and max share from the top are known; the rest are not. */
struct tnum tnum_range(u64 min, u64 max)
{
	u64 chi = min ^ max, delta;
	int bits;

	if (chi == 0)
		return tnum_const(min);
	bits = 64 - __builtin_clzll(chi);
	if (bits > 63)
		return tnum_unknown();
	delta = (1ull << bits) - 1;
	return (struct tnum){ min & ~delta, delta };
}

/* Sum: an unknown bit may carry into every bit above it that the sums of
 * the lowest and highest candidates disagree on. */
struct tnum tnum_add(struct tnum a, struct tnum b)
{
	u64 sv = a.v + b.v, sigma = a.m + b.m + sv;
	u64 mu = (sigma ^ sv) | a.m | b.m;
	return (struct tnum){ sv & ~mu, mu };
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	u64 dv = a.v - b.v, alpha = dv + a.m, beta = dv - b.m;
	u64 mu = (alpha ^ beta) | a.m | b.m;
	return (struct tnum){ dv & ~mu, mu };
}

struct tnum tnum_and(struct tnum a, struct tnum b)
{
	u64 v = a.v & b.v;
	return (struct tnum){ v, (a.v | a.m) & (b.v | b.m) & ~v };
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
	u64 v = a.v | b.v;
	return (struct tnum){ v, (a.m | b.m) & ~v };
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	u64 mu = a.m | b.m;
	return (struct tnum){ (a.v ^ b.v) & ~mu, mu };
}

/* Exact for constants; otherwise only the trailing zeros both factors
 * certainly have survive (a product has at least their sum). */
struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	u32 za, zb;

	if (!a.m && !b.m)
		return tnum_const(a.v * b.v);
	za = (a.v | a.m) ? (u32)__builtin_ctzll(a.v | a.m) : 64;
	zb = (b.v | b.m) ? (u32)__builtin_ctzll(b.v | b.m) : 64;
	if (za + zb >= 64)
		return tnum_const(0);
	return (struct tnum){ 0, U64_MAX << (za + zb) };
}

struct tnum tnum_lsh(struct tnum a, u32 k) { return (struct tnum){ a.v << k, a.m << k }; }
struct tnum tnum_rsh(struct tnum a, u32 k) { return (struct tnum){ a.v >> k, a.m >> k }; }

/* An unknown sign bit stays unknown in every bit it is copied into. */
struct tnum tnum_arsh(struct tnum a, u32 k)
{
	return (struct tnum){ (u64)((i64)a.v >> k), (u64)((i64)a.m >> k) };
}

struct tnum tnum_trunc(struct tnum a, u32 bytes)
{
	u64 keep = bytes >= 8 ? U64_MAX : (1ull << (8 * bytes)) - 1;
	return (struct tnum){ a.v & keep, a.m & keep };
}

/* Sign-extend from the low `bits` bits. */
struct tnum tnum_sext(struct tnum a, u32 bits)
{
	u32 sh = 64 - bits;
	return tnum_arsh(tnum_lsh(a, sh), sh);
}

static u64 bswap_bits(u64 v, u32 bits)
{
	u64 out = 0;
	for (u32 i = 0; i < bits / 8; i++)
		out = out << 8 | ((v >> (8 * i)) & 0xff);
	return out;
}

/* A byte swap moves each bit, known or not, to a known place. */
struct tnum tnum_bswap(struct tnum a, u32 bits)
{
	return (struct tnum){ bswap_bits(a.v, bits), bswap_bits(a.m, bits) };
}

struct tnum tnum_join(struct tnum a, struct tnum b)
{
	u64 mu = a.m | b.m | (a.v ^ b.v);
	return (struct tnum){ a.v & ~mu, mu };
}

/* --- ranges ----------------------------------------------------------- */

void scal_const(struct vreg *r, u64 v)
{
	r->type = V_SCALAR;
	r->frame = 0;
	r->id = 0;
	r->delta = 0;
	r->smin = r->smax = (i64)v;
	r->umin = r->umax = v;
	r->t = tnum_const(v);
}

void scal_unknown(struct vreg *r)
{
	r->type = V_SCALAR;
	r->frame = 0;
	r->id = 0;
	r->delta = 0;
	r->smin = S64_MIN;
	r->smax = S64_MAX;
	r->umin = 0;
	r->umax = U64_MAX;
	r->t = tnum_unknown();
}

int scal_is_const(const struct vreg *r)
{
	return r->t.m == 0;
}

/* One round of deductions between the three descriptions. */
static void sync_once(struct vreg *r)
{
	u64 tsmin = r->t.v | (r->t.m & SIGN), tsmax = r->t.v | (r->t.m & ~SIGN);

	r->umin = umax64(r->umin, r->t.v);
	r->umax = umin64(r->umax, r->t.v | r->t.m);
	r->smin = smax64(r->smin, (i64)tsmin);
	r->smax = smin64(r->smax, (i64)tsmax);
	/* A signed range on one side of zero is also an unsigned range. */
	if ((r->smin >= 0 || r->smax < 0) && r->smin <= r->smax) {
		r->umin = umax64(r->umin, (u64)r->smin);
		r->umax = umin64(r->umax, (u64)r->smax);
	}
	/* An unsigned range within one sign half is also a signed range. */
	if ((r->umax <= (u64)S64_MAX || r->umin > (u64)S64_MAX) && r->umin <= r->umax) {
		r->smin = smax64(r->smin, (i64)r->umin);
		r->smax = smin64(r->smax, (i64)r->umax);
	}
}

int scal_sync(struct vreg *r)
{
	struct tnum t;

	sync_once(r);
	if (r->umin > r->umax || r->smin > r->smax)
		return 0;
	t = tnum_range(r->umin, r->umax);
	if ((t.v ^ r->t.v) & ~t.m & ~r->t.m)
		return 0;
	r->t = (struct tnum){ (r->t.v | t.v) & ~(r->t.m & t.m), r->t.m & t.m };
	sync_once(r);
	return r->umin <= r->umax && r->smin <= r->smax;
}

/* Keep the low 32 bits, as every ALU32 result does. Exact when the range
 * does not cross a multiple of 2^32. */
void scal_trunc32(struct vreg *r)
{
	if ((r->umin >> 32) == (r->umax >> 32)) {
		r->umin &= 0xffffffffu;
		r->umax &= 0xffffffffu;
	} else {
		r->umin = 0;
		r->umax = 0xffffffffu;
	}
	r->t = tnum_trunc(r->t, 4);
	r->smin = 0;
	r->smax = 0xffffffffll;
	scal_sync(r);
}

/* Sign-extend the low `bits` bits (a value already truncated to them, or
 * one whose higher bits are to be ignored). */
void scal_sext(struct vreg *r, u32 bits)
{
	u64 half = 1ull << (bits - 1), all = bits == 64 ? U64_MAX : (half << 1) - 1;
	struct tnum t = tnum_sext(tnum_trunc(r->t, bits / 8), bits);

	if (bits == 64)
		return;
	if (r->umax > all && (r->umin >> bits) != (r->umax >> bits)) {
		r->umin = 0;
		r->umax = all;
	} else {
		r->umin &= all;
		r->umax &= all;
	}
	if (r->umax < half) {                   /* all non-negative */
		r->smin = (i64)r->umin;
		r->smax = (i64)r->umax;
	} else if (r->umin >= half) {           /* all negative */
		r->smin = (i64)(r->umin | ~all);
		r->smax = (i64)(r->umax | ~all);
	} else {
		r->smin = -(i64)half;
		r->smax = (i64)half - 1;
	}
	r->umin = 0;
	r->umax = U64_MAX;
	r->t = t;
	scal_sync(r);
}

/* Both descriptions hold: keep what each says. */
int scal_meet(struct vreg *a, const struct vreg *b)
{
	if ((a->t.v ^ b->t.v) & ~a->t.m & ~b->t.m)
		return 0;
	a->smin = smax64(a->smin, b->smin);
	a->smax = smin64(a->smax, b->smax);
	a->umin = umax64(a->umin, b->umin);
	a->umax = umin64(a->umax, b->umax);
	a->t = (struct tnum){ (a->t.v | b->t.v) & ~(a->t.m & b->t.m), a->t.m & b->t.m };
	return scal_sync(a);
}

/* Either description may hold: keep what both allow. */
void scal_join(struct vreg *a, const struct vreg *b)
{
	a->smin = smin64(a->smin, b->smin);
	a->smax = smax64(a->smax, b->smax);
	a->umin = umin64(a->umin, b->umin);
	a->umax = umax64(a->umax, b->umax);
	a->t = tnum_join(a->t, b->t);
}
