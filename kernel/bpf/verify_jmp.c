/*
 * Conditional jumps: which way a comparison can go, and what each way
 * teaches about its operands.
 *
 * A comparison is decided on views of the operands: the values themselves
 * (JMP), their low halves zero-extended (JMP32, unsigned and equality) or
 * sign-extended (JMP32, signed). What a branch teaches about a view goes
 * back into the register when the view is the register's value (always
 * for JMP; for JMP32 when the register is known to fit in 32 bits, as
 * every ALU32 result does).
 *
 * Pointers may only be compared with pointers into the same region (their
 * offsets are compared); anything else would let a program learn a kernel
 * address bit by bit, and is refused as PTR_LEAK.
 */
#include "verify.h"

#define U64_MAX (~0ull)
#define S64_MAX ((i64)(U64_MAX >> 1))
#define S64_MIN (-S64_MAX - 1)

enum { NEVER = 0, ALWAYS = 1, MAYBE = -1 };

static int is_signed(u8 op)
{
	return op == LM_BPF_JSGT || op == LM_BPF_JSGE || op == LM_BPF_JSLT || op == LM_BPF_JSLE;
}

/* The opposite condition (what the fall-through path knows). JSET's
 * opposite, "no common bit", has no opcode: 0xe0 stands for it here. */
#define NSET 0xe0
static u8 negate(u8 op)
{
	switch (op) {
	case LM_BPF_JEQ: return LM_BPF_JNE;
	case LM_BPF_JNE: return LM_BPF_JEQ;
	case LM_BPF_JGT: return LM_BPF_JLE;
	case LM_BPF_JLE: return LM_BPF_JGT;
	case LM_BPF_JGE: return LM_BPF_JLT;
	case LM_BPF_JLT: return LM_BPF_JGE;
	case LM_BPF_JSGT: return LM_BPF_JSLE;
	case LM_BPF_JSLE: return LM_BPF_JSGT;
	case LM_BPF_JSGE: return LM_BPF_JSLT;
	case LM_BPF_JSLT: return LM_BPF_JSGE;
	case LM_BPF_JSET: return NSET;
	default: return LM_BPF_JSET;
	}
}

/* a > b (unsigned, or signed) is certain or impossible? */
static int gt(const struct vreg *a, const struct vreg *b, int sgn, int or_eq)
{
	if (sgn) {
		if (a->smin > b->smax || (or_eq && a->smin >= b->smax))
			return ALWAYS;
		if (a->smax < b->smin || (!or_eq && a->smax <= b->smin))
			return NEVER;
		return MAYBE;
	}
	if (a->umin > b->umax || (or_eq && a->umin >= b->umax))
		return ALWAYS;
	if (a->umax < b->umin || (!or_eq && a->umax <= b->umin))
		return NEVER;
	return MAYBE;
}

static int decide(u8 op, const struct vreg *a, const struct vreg *b)
{
	int eq;

	switch (op) {
	case LM_BPF_JEQ:
	case LM_BPF_JNE:
		if (scal_is_const(a) && scal_is_const(b))
			eq = a->t.v == b->t.v;
		else if (a->umin > b->umax || a->umax < b->umin || a->smin > b->smax ||
			 a->smax < b->smin || ((a->t.v ^ b->t.v) & ~a->t.m & ~b->t.m))
			eq = NEVER;
		else
			return MAYBE;
		return op == LM_BPF_JEQ ? eq : !eq;
	case LM_BPF_JSET:
	case NSET:
		if (a->t.v & b->t.v)
			eq = ALWAYS;
		else if (!((a->t.v | a->t.m) & (b->t.v | b->t.m)))
			eq = NEVER;
		else
			return MAYBE;
		return op == LM_BPF_JSET ? eq : !eq;
	case LM_BPF_JGT: return gt(a, b, 0, 0);
	case LM_BPF_JGE: return gt(a, b, 0, 1);
	case LM_BPF_JLT: return gt(b, a, 0, 0);
	case LM_BPF_JLE: return gt(b, a, 0, 1);
	case LM_BPF_JSGT: return gt(a, b, 1, 0);
	case LM_BPF_JSGE: return gt(a, b, 1, 1);
	case LM_BPF_JSLT: return gt(b, a, 1, 0);
	default: return gt(b, a, 1, 1);     /* JSLE */
	}
}

/* a > b (or >=) holds: raise a's minimum, lower b's maximum. Returns 0 if
 * no values fit. */
static int refine_gt(struct vreg *a, struct vreg *b, int sgn, int or_eq)
{
	if (sgn) {
		i64 amin = b->smin, bmax = a->smax;
		if (!or_eq && (b->smin == S64_MAX || a->smax == S64_MIN))
			return 0;
		if (!or_eq)
			amin++, bmax--;
		a->smin = a->smin > amin ? a->smin : amin;
		b->smax = b->smax < bmax ? b->smax : bmax;
	} else {
		u64 amin = b->umin, bmax = a->umax;
		if (!or_eq && (b->umin == U64_MAX || a->umax == 0))
			return 0;
		if (!or_eq)
			amin++, bmax--;
		a->umin = a->umin > amin ? a->umin : amin;
		b->umax = b->umax < bmax ? b->umax : bmax;
	}
	return scal_sync(a) && scal_sync(b);
}

/* a != b: a constant at the edge of the other's range moves the edge. */
static void refine_ne(struct vreg *a, const struct vreg *b)
{
	u64 c = b->t.v;

	if (!scal_is_const(b))
		return;
	if (a->umin == c && a->umin < a->umax)
		a->umin++;
	else if (a->umax == c && a->umin < a->umax)
		a->umax--;
	if (a->smin == (i64)c && a->smin < a->smax)
		a->smin++;
	else if (a->smax == (i64)c && a->smin < a->smax)
		a->smax--;
}

/* Refine a and b for `a op b` holding; 0 if it cannot. */
static int refine(u8 op, struct vreg *a, struct vreg *b)
{
	u64 c = b->t.v;

	switch (op) {
	case LM_BPF_JEQ:
		if (!scal_meet(a, b))
			return 0;
		*b = *a;
		return 1;
	case LM_BPF_JNE:
		refine_ne(a, b);
		refine_ne(b, a);
		return scal_sync(a) && scal_sync(b);
	case LM_BPF_JSET:       /* a single-bit constant: that bit is set */
		if (scal_is_const(b) && c && !(c & (c - 1))) {
			a->t.v |= c;
			a->t.m &= ~c;
		}
		return scal_sync(a);
	case NSET:              /* a constant: its bits are clear */
		if (scal_is_const(b)) {
			a->t.v &= ~c;
			a->t.m &= ~c;
		}
		return scal_sync(a);
	case LM_BPF_JGT: return refine_gt(a, b, 0, 0);
	case LM_BPF_JGE: return refine_gt(a, b, 0, 1);
	case LM_BPF_JLT: return refine_gt(b, a, 0, 0);
	case LM_BPF_JLE: return refine_gt(b, a, 0, 1);
	case LM_BPF_JSGT: return refine_gt(a, b, 1, 0);
	case LM_BPF_JSGE: return refine_gt(a, b, 1, 1);
	case LM_BPF_JSLT: return refine_gt(b, a, 1, 0);
	default: return refine_gt(b, a, 1, 1);     /* JSLE */
	}
}

/* The view of r a comparison sees. */
static struct vreg view(const struct vreg *r, int is32, int sgn)
{
	struct vreg v = *r;

	v.type = V_SCALAR;
	if (is32) {
		scal_trunc32(&v);
		if (sgn)
			scal_sext(&v, 32);
	}
	return v;
}

/* What a refined view says about the register it was taken from. */
static int write_back(struct vreg *r, const struct vreg *v, int is32)
{
	u8 type = r->type, frame = r->frame;
	struct vreg low = *v;

	if (!is32) {
		*r = *v;
	} else if (r->umax <= 0xffffffffu) {
		scal_trunc32(&low);
		if (!scal_meet(r, &low))
			return 0;
	}
	r->type = type;
	r->frame = frame;
	return 1;
}

static int is_ptr(const struct vreg *r)
{
	return r->type == V_PTR_CTX || r->type == V_PTR_STACK;
}

enum lm_bpf_verr vfy_cond(const struct vstate *S, const struct lm_bpf_insn *i, struct vcond *c)
{
	u8 op = LM_BPF_OPER(i->op);
	int is32 = LM_BPF_CLASS(i->op) == LM_BPF_JMP32, x = (i->op & LM_BPF_X) != 0;
	const struct vreg *a = &S->r[LM_BPF_DST(i)];
	struct vreg imm, b0;

	scal_const(&imm, is32 ? (u64)(u32)i->imm : (u64)(i64)i->imm);
	b0 = x ? S->r[LM_BPF_SRC(i)] : imm;
	if (a->type == V_UNINIT || b0.type == V_UNINIT)
		return LM_BPF_V_UNINIT_REG;
	if ((is_ptr(a) || is_ptr(&b0)) &&
	    (a->type != b0.type || a->frame != b0.frame || is32 ||
	     op == LM_BPF_JSET))
		return LM_BPF_V_PTR_LEAK;
	for (int way = 0; way < 2; way++) {
		u8 o = way ? op : negate(op);
		struct vreg va = view(a, is32, is_signed(o)), vb = view(&b0, is32, is_signed(o));

		c->d[way] = *a;
		c->s[way] = b0;
		c->ok[way] = decide(o, &va, &vb) != NEVER && refine(o, &va, &vb) &&
			     write_back(&c->d[way], &va, is32) && write_back(&c->s[way], &vb, is32);
	}
	return LM_BPF_V_OK;
}

/* A register a branch refined teaches the same about the registers linked
 * to it (verify.h, struct vreg): each is it plus a known difference. */
void vfy_link_refine(struct vstate *S, u32 k)
{
	const struct vreg *r = &S->r[k];

	if (!r->id)
		return;
	for (u32 j = 0; j < LM_BPF_NREGS; j++) {
		struct vreg *o = &S->r[j], t = *r, m;
		if (j == k || o->id != r->id)
			continue;
		scal_add_const(&t, o->delta - r->delta);
		m = *o;
		if (scal_meet(&m, &t))
			*o = m;
	}
}
