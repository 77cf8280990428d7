/*
 * The verifier's states: the fixed pool they live in, the order of their
 * positions, and the join of two states that reach the same position.
 *
 * The pool is ws->st[]; a state is free, eager (in ws->eager: at an
 * instruction one edge leads to, run before the others in any order),
 * waiting (in ws->pending, at a join point, sorted by position, the
 * smallest last) or the one being run. No two waiting states share a
 * position: a state arriving where one waits is joined into it.
 * Everything here is bounded by V_NSTATES and the state's size.
 */
#include "verify.h"

void vfy_pool_init(struct bpf_verify_ws *ws)
{
	ws->npending = 0;
	ws->neager = 0;
	ws->nfree = V_NSTATES;
	for (u32 k = 0; k < V_NSTATES; k++)
		ws->free[k] = (u16)(V_NSTATES - 1 - k);
}

struct vstate *vfy_alloc(struct bpf_verify_ws *ws)
{
	return ws->nfree ? &ws->st[ws->free[--ws->nfree]] : 0;
}

void vfy_free(struct bpf_verify_ws *ws, struct vstate *S)
{
	ws->free[ws->nfree++] = (u16)(S - ws->st);
}

struct vstate *vfy_clone(struct bpf_verify_ws *ws, const struct vstate *S)
{
	struct vstate *T = vfy_alloc(ws);

	if (T)
		__builtin_memcpy(T, S, sizeof(*T));
	return T;
}

void vfy_reg_uninit(struct vreg *r)
{
	__builtin_memset(r, 0, sizeof(*r));
}

int vfy_spill_alloc(struct vstate *S)
{
	u64 freebits = ~S->sp_used & ((1ull << V_NSPILL) - 1);
	int k;

	if (!freebits)
		return -1;
	k = __builtin_ctzll(freebits);
	S->sp_used |= 1ull << k;
	return k;
}

void vfy_spill_drop(struct vstate *S, u32 frame, u32 slot)
{
	u32 k = S->f[frame].spill[slot] - 1u;

	vfy_reg_uninit(&S->sp[k]);
	S->sp_used &= ~(1ull << k);
	S->f[frame].spill[slot] = 0;
}

/* --- positions ------------------------------------------------------------ */

/* Element k of a frame's position: head pc and iteration of each loop
 * around it, outermost first, then its pc. */
static u32 elem(const struct bpf_verify_ws *ws, const struct vpos *p, u32 k)
{
	if (k == 2u * p->nl)
		return p->pc;
	return k & 1 ? p->it[k / 2] : ws->loops[p->loop[k / 2]].head;
}

/* Lexicographic over the frames' element sequences, a caller before its
 * callee's frames. Every successor of a state compares greater: a forward
 * jump raises a pc (or enters a loop whose head is past the old pc), a back
 * edge raises its loop's iteration, a call appends a frame, a return
 * raises the caller's pc. */
int vfy_poscmp(const struct bpf_verify_ws *ws, const struct vstate *a, const struct vstate *b)
{
	u32 depth = a->depth < b->depth ? a->depth : b->depth;

	for (u32 f = 0; f < depth; f++) {
		const struct vpos *p = &a->pos[f], *q = &b->pos[f];
		u32 na = 2u * p->nl + 1, nb = 2u * q->nl + 1;
		for (u32 k = 0; k < na && k < nb; k++) {
			u32 x = elem(ws, p, k), y = elem(ws, q, k);
			if (x != y)
				return x < y ? -1 : 1;
		}
		if (na != nb)
			return na < nb ? -1 : 1;
	}
	return a->depth == b->depth ? 0 : a->depth < b->depth ? -1 : 1;
}

/* --- joins ------------------------------------------------------------------ */

static void join_reg(struct vreg *b, const struct vreg *a)
{
	if (a->type != b->type || a->frame != b->frame) {
		vfy_reg_uninit(b);        /* a pointer here, a number there: unusable */
		return;
	}
	if (b->type != V_UNINIT)
		scal_join(b, a);
}

static void join_slot(struct vstate *B, const struct vstate *A, u32 f, u32 s)
{
	struct vframe *fb = &B->f[f];
	const struct vframe *fa = &A->f[f];
	u8 ia = fa->init[s];

	if (fa->spill[s] && fb->spill[s]) {
		join_reg(&B->sp[fb->spill[s] - 1], &A->sp[fa->spill[s] - 1]);
		return;
	}
	if (fa->spill[s] && A->sp[fa->spill[s] - 1].type != V_SCALAR)
		ia = 0;                 /* a pointer's bytes are never readable */
	if (fb->spill[s]) {
		u8 ib = B->sp[fb->spill[s] - 1].type == V_SCALAR ? 0xff : 0;
		vfy_spill_drop(B, f, s);
		fb->init[s] = ib;
	}
	fb->init[s] &= ia;
}

/* B := what holds on either of A's and B's paths (same position). */
static void join(struct vstate *B, const struct vstate *A)
{
	if (A->next_id > B->next_id)
		B->next_id = A->next_id;
	for (u32 k = 0; k < LM_BPF_NREGS; k++)
		join_reg(&B->r[k], &A->r[k]);
	for (u32 f = 0; f < B->depth; f++) {
		for (u32 k = 0; k < 4; k++)
			join_reg(&B->f[f].saved[k], &A->f[f].saved[k]);
		for (u32 s = 0; s < V_SLOTS; s++)
			join_slot(B, A, f, s);
	}
}

/* Wait S, or join it into the state waiting at its position. */
int vfy_insert(struct bpf_verify_ws *ws, struct vstate *S)
{
	u32 lo = 0, hi = ws->npending;

	while (lo < hi) {
		u32 mid = (lo + hi) / 2;
		int c = vfy_poscmp(ws, S, &ws->st[ws->pending[mid]]);
		if (c == 0) {
			join(&ws->st[ws->pending[mid]], S);
			vfy_free(ws, S);
			ws->res->work += V_WORK_STATE;
			return 1;
		}
		if (c > 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (u32 k = ws->npending; k > lo; k--)
		ws->pending[k] = ws->pending[k - 1];
	ws->pending[lo] = (u16)(S - ws->st);
	ws->npending++;
	return 1;
}

/* Queue a state that is not run next: at a join point it waits in
 * position order (and may be joined), elsewhere it runs before any of
 * those. */
void vfy_queue(struct bpf_verify_ws *ws, struct vstate *S)
{
	if (ws->flags[S->pos[S->depth - 1].pc] & VI_JOIN)
		vfy_insert(ws, S);
	else
		ws->eager[ws->neager++] = (u16)(S - ws->st);
}

/* The next state to run: an eager one, else the first waiting one. Why
 * that order is right: every state's successors have larger positions, so
 * once no eager state is left, nothing can still arrive at the smallest
 * waiting position. */
struct vstate *vfy_peek(struct bpf_verify_ws *ws)
{
	if (ws->neager)
		return &ws->st[ws->eager[ws->neager - 1]];
	return ws->npending ? &ws->st[ws->pending[ws->npending - 1]] : 0;
}

struct vstate *vfy_pop(struct bpf_verify_ws *ws)
{
	if (ws->neager)
		return &ws->st[ws->eager[--ws->neager]];
	return ws->npending ? &ws->st[ws->pending[--ws->npending]] : 0;
}

/* FNV-1a over the abstract part of a state: registers, each frame's
 * written bytes and spilled values by slot; not its position, nor link ids
 * or spill-table indices, which name the same things differently on each
 * iteration. */
static u64 fnv(u64 h, const void *p, size_t n)
{
	for (const u8 *b = p; n--; b++)
		h = (h ^ *b) * 0x100000001b3ull;
	return h;
}

static u64 hash_reg(u64 h, const struct vreg *r)
{
	h = fnv(h, r, 2);
	return fnv(h, &r->smin, sizeof(r->smin) * 4 + sizeof(r->t));
}

u64 vfy_hash(const struct vstate *S)
{
	u64 h = 0xcbf29ce484222325ull;

	for (u32 k = 0; k < LM_BPF_NREGS; k++)
		h = hash_reg(h, &S->r[k]);
	for (u32 f = 0; f < S->depth; f++) {
		for (u32 k = 0; k < 4; k++)
			h = hash_reg(h, &S->f[f].saved[k]);
		h = fnv(h, S->f[f].init, sizeof(S->f[f].init));
		for (u32 s = 0; s < V_SLOTS; s++)
			if (S->f[f].spill[s])
				h = hash_reg(fnv(h, &s, sizeof(s)), &S->sp[S->f[f].spill[s] - 1]);
	}
	return h;
}
