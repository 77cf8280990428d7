/*
 * Memory: loads, stores and atomics through pointers, and the arguments of
 * helper calls, checked against the context (cfg->ctx_size bytes, written
 * only if cfg->ctx_writable) and the stack frames of the current call chain
 * (512 bytes each; a pointer names its frame, so a callee may use its
 * caller's stack through a pointer it was given).
 *
 * Stack bytes are tracked one by one (written or not); an aligned 8-byte
 * store keeps the register's whole abstract value (a spill), and only an
 * aligned 8-byte load gets it back. A spilled pointer is never read in
 * part: a partial overwrite leaves the rest of its bytes unreadable, a
 * partial read is refused. Nothing but the stack may hold a pointer.
 */
#include "verify.h"

#define STACK_LO (-(i64)LM_BPF_STACK)
#define FAR      (1ll << 40)       /* offsets beyond this are never in bounds */

static const u8 size_bytes[4] = { 4, 2, 1, 8 };    /* by LM_BPF_SIZE >> 3 */

static int is_ptr(const struct vreg *r)
{
	return r->type == V_PTR_CTX || r->type == V_PTR_STACK;
}

/* An unknown value as a load of `size` bytes gives it. */
static void scal_sized(struct vreg *r, u32 size, int sext)
{
	scal_unknown(r);
	if (size < 8) {
		r->umax = (1ull << (8 * size)) - 1;
		scal_sync(r);
		if (sext)
			scal_sext(r, 8 * size);
	}
}

/* The first and last start offsets of a size-byte access at p + off, if
 * every byte lies in p's region; its base must be a pointer. */
static enum lm_bpf_verr bounds(struct bpf_verify_ws *ws, const struct vstate *S,
			       const struct vreg *p, short off, u64 size, i64 *lo, i64 *hi)
{
	if (p->type == V_UNINIT)
		return LM_BPF_V_UNINIT_REG;
	if (!is_ptr(p))
		return LM_BPF_V_BAD_ACCESS;
	if (p->smin < -FAR || p->smax > FAR || size > FAR)
		return LM_BPF_V_OUT_OF_BOUNDS;
	*lo = p->smin + off;
	*hi = p->smax + off;
	if (p->type == V_PTR_CTX)
		return *lo >= 0 && *hi + (i64)size <= (i64)ws->cfg->ctx_size ?
		       LM_BPF_V_OK : LM_BPF_V_OUT_OF_BOUNDS;
	if (*lo < STACK_LO || *hi + (i64)size > 0)
		return LM_BPF_V_OUT_OF_BOUNDS;
	{
		u16 *use = &ws->func_stack[S->f[p->frame].func];
		if (-*lo > *use)
			*use = (u16)-*lo;
	}
	return LM_BPF_V_OK;
}

/* --- the stack ---------------------------------------------------------- */

/* May bytes [lo, hi + size) of frame f be read as a scalar? */
static enum lm_bpf_verr stack_readable(const struct vstate *S, u32 f, i64 lo, i64 hi, u64 size)
{
	const struct vframe *fr = &S->f[f];

	for (i64 b = lo - STACK_LO; b < hi - STACK_LO + (i64)size; b++) {
		u32 slot = (u32)b / 8;
		if (fr->spill[slot]) {
			const struct vreg *v = &S->sp[fr->spill[slot] - 1];
			if (v->type == V_UNINIT)
				return LM_BPF_V_UNINIT_STACK;
			if (v->type != V_SCALAR)
				return LM_BPF_V_PTR_LEAK;
		} else if (!(fr->init[slot] & (1u << (b & 7)))) {
			return LM_BPF_V_UNINIT_STACK;
		}
	}
	return LM_BPF_V_OK;
}

/* The slot no longer holds a whole register: a scalar's bytes stay
 * readable, a pointer's (or a maybe-uninitialised value's) do not. */
static void unspill(struct vstate *S, u32 f, u32 slot)
{
	struct vframe *fr = &S->f[f];

	if (!fr->spill[slot])
		return;
	fr->init[slot] = S->sp[fr->spill[slot] - 1].type == V_SCALAR ? 0xff : 0;
	vfy_spill_drop(S, f, slot);
}

/* Write bytes [lo, hi + size) of frame f; val is the value when the
 * access is one aligned 8-byte store, else NULL (what is written is an
 * unknown scalar, or its low bytes). */
static enum lm_bpf_verr stack_write(struct vstate *S, u32 f, i64 lo, i64 hi, u64 size,
				    const struct vreg *val)
{
	struct vframe *fr = &S->f[f];
	u32 first = (u32)(lo - STACK_LO), end = (u32)(hi - STACK_LO + (i64)size);

	for (u32 s = first / 8; s <= (end - 1) / 8; s++)
		unspill(S, f, s);
	if (lo != hi)
		return LM_BPF_V_OK;     /* which bytes got written is not known */
	if (val) {
		int k = vfy_spill_alloc(S);
		if (k < 0) {
			if (val->type != V_SCALAR)
				return LM_BPF_V_COMPLEX;
			fr->init[first / 8] = 0xff;
			return LM_BPF_V_OK;
		}
		S->sp[k] = *val;
		fr->spill[first / 8] = (u8)(k + 1);
		fr->init[first / 8] = 0xff;
		return LM_BPF_V_OK;
	}
	for (u32 b = first; b < end; b++)
		fr->init[b / 8] |= (u8)(1u << (b & 7));
	return LM_BPF_V_OK;
}

/* --- loads, stores, atomics --------------------------------------------- */

enum lm_bpf_verr vfy_ldx(struct bpf_verify_ws *ws, struct vstate *S, const struct lm_bpf_insn *i)
{
	u32 size = size_bytes[LM_BPF_SIZE(i->op) >> 3];
	const struct vreg *p = &S->r[LM_BPF_SRC(i)];
	struct vreg v;
	i64 lo, hi;
	enum lm_bpf_verr e = bounds(ws, S, p, i->off, size, &lo, &hi);

	if (e)
		return e;
	scal_sized(&v, size, LM_BPF_MODE(i->op) == LM_BPF_MEMSX);
	if (p->type == V_PTR_STACK) {
		const struct vframe *fr = &S->f[p->frame];
		u32 slot = (u32)(lo - STACK_LO) / 8;
		if (lo == hi && size == 8 && !(lo & 7) && fr->spill[slot]) {
			v = S->sp[fr->spill[slot] - 1];     /* the fill of a spill */
			if (v.type == V_UNINIT)
				return LM_BPF_V_UNINIT_STACK;
		} else if ((e = stack_readable(S, p->frame, lo, hi, size))) {
			return e;
		}
	}
	S->r[LM_BPF_DST(i)] = v;
	return LM_BPF_V_OK;
}

static enum lm_bpf_verr atomic(struct bpf_verify_ws *ws, struct vstate *S,
			       const struct lm_bpf_insn *i, u32 size, i64 lo, i64 hi)
{
	const struct vreg *p = &S->r[LM_BPF_DST(i)];
	struct vreg old, *r0 = &S->r[0];
	enum lm_bpf_verr e;

	if (i->imm == LM_BPF_CMPXCHG && r0->type != V_SCALAR)
		return r0->type == V_UNINIT ? LM_BPF_V_UNINIT_REG : LM_BPF_V_PTR_LEAK;
	if ((p->t.m & (size - 1)) || ((p->t.v + (u64)(i64)i->off) & (size - 1)))
		return LM_BPF_V_BAD_ACCESS;     /* not certainly aligned */
	if (p->type == V_PTR_STACK) {
		if ((e = stack_readable(S, p->frame, lo, hi, size)))
			return e;
		if ((e = stack_write(S, p->frame, lo, hi, size, NULL)))
			return e;
	}
	scal_sized(&old, size, 0);
	if (i->imm == LM_BPF_CMPXCHG)
		*r0 = old;
	else if (i->imm & LM_BPF_FETCH)
		S->r[LM_BPF_SRC(i)] = old;
	return LM_BPF_V_OK;
}

enum lm_bpf_verr vfy_store(struct bpf_verify_ws *ws, struct vstate *S, const struct lm_bpf_insn *i)
{
	u32 size = size_bytes[LM_BPF_SIZE(i->op) >> 3];
	const struct vreg *p = &S->r[LM_BPF_DST(i)];
	struct vreg val;
	i64 lo, hi;
	enum lm_bpf_verr e;

	if (LM_BPF_CLASS(i->op) == LM_BPF_STX) {
		val = S->r[LM_BPF_SRC(i)];
		if (val.type == V_UNINIT)
			return LM_BPF_V_UNINIT_REG;
	} else {
		scal_const(&val, (u64)(i64)i->imm);
	}
	if (p->type == V_PTR_CTX && !ws->cfg->ctx_writable)
		return LM_BPF_V_BAD_ACCESS;
	if ((e = bounds(ws, S, p, i->off, size, &lo, &hi)))
		return e;
	if (is_ptr(&val) && (p->type != V_PTR_STACK || lo != hi || size != 8 || (lo & 7) ||
			     LM_BPF_MODE(i->op) == LM_BPF_ATOMIC))
		return LM_BPF_V_PTR_LEAK;       /* only whole, aligned spills */
	if (LM_BPF_MODE(i->op) == LM_BPF_ATOMIC)
		return atomic(ws, S, i, size, lo, hi);
	if (p->type == V_PTR_CTX)
		return LM_BPF_V_OK;
	return stack_write(S, p->frame, lo, hi, size, size == 8 && !(lo & 7) ? &val : NULL);
}

/* --- helper calls --------------------------------------------------------- */

/* A MEM argument: a pointer to `size`'s largest value of readable bytes. */
static enum lm_bpf_verr mem_arg(struct bpf_verify_ws *ws, struct vstate *S, u32 k)
{
	const struct vreg *p = &S->r[1 + k], *size = &S->r[2 + k];
	i64 lo, hi;

	if (k >= 4 || size->type != V_SCALAR || !is_ptr(p))
		return LM_BPF_V_HELPER_ARG;
	if (bounds(ws, S, p, 0, size->umax, &lo, &hi))
		return LM_BPF_V_HELPER_ARG;
	if (p->type == V_PTR_STACK && size->umax &&
	    stack_readable(S, p->frame, lo, hi, size->umax))
		return LM_BPF_V_HELPER_ARG;
	return LM_BPF_V_OK;
}

enum lm_bpf_verr vfy_helper(struct bpf_verify_ws *ws, struct vstate *S, const struct lm_bpf_insn *i)
{
	const struct bpf_helpers *hs = ws->cfg->helpers;
	const struct bpf_helper *h;
	enum lm_bpf_verr e;

	if (!hs || (u32)i->imm >= hs->count || !hs->table[(u32)i->imm].fn)
		return LM_BPF_V_HELPER;
	h = &hs->table[(u32)i->imm];
	for (u32 k = 0; k < 5; k++) {
		switch (h->args[k]) {
		case BPF_ARG_SCALAR:
		case BPF_ARG_SIZE:
			if (S->r[1 + k].type != V_SCALAR)
				return LM_BPF_V_HELPER_ARG;
			break;
		case BPF_ARG_MEM:
			if ((e = mem_arg(ws, S, k)))
				return e;
			break;
		}
	}
	scal_unknown(&S->r[0]);
	for (u32 k = 1; k <= 5; k++)
		vfy_reg_uninit(&S->r[k]);
	return LM_BPF_V_OK;
}
