/* CNode operations: copy, mint, move, delete, revoke, identify. */
#include <lamina/syscall.h>
#include "cnode.h"
#include "syscall.h"
#include "thread.h"
#include "vspace.h"
#include "bpf/prog.h"

/* Common decode for copy/mint/move: destination and source slots. */
static u64 decode_pair(struct frame *f, u8 src_rights, struct slot **dcn, struct slot **dst,
			   struct slot **src)
{
	struct slot *scn;
	u64 e;

	if ((e = cap_lookup(ARG1(f), LM_OBJ_CNODE, LM_R_WRITE, 1, dcn)) ||
	    (e = cnode_index(*dcn, ARG2(f), 2, dst)) ||
	    (e = cap_lookup(ARG3(f), LM_OBJ_CNODE, src_rights, 3, &scn)) ||
	    (e = cnode_index(scn, ARG4(f), 4, src)))
		return e;
	if ((*src)->cap.type == LM_OBJ_NULL)
		return SYSERR(LM_ECAP, 4);
	if ((*dst)->cap.type != LM_OBJ_NULL)
		return SYSERR(LM_EEXIST, 2);
	return LM_OK;
}

static u64 derive(struct frame *f, bool mint)
{
	struct slot *dcn, *dst, *src;
	u64 e = decode_pair(f, LM_R_READ, &dcn, &dst, &src);
	if (e)
		return e;
	if (ARG5(f) & ~(u64)LM_R_ALL)
		return SYSERR(LM_EINVAL, 5);
	if (!cap_copyable(&src->cap))
		return SYSERR(src->cap.type == LM_OBJ_VSPACE ? LM_ESTATE : LM_ETYPE, 4);

	struct cap c = cap_derived(&src->cap, (u8)ARG5(f));
	if (mint) {
		if (c.type == LM_OBJ_FRAME || c.type == LM_OBJ_VSPACE || c.type == LM_OBJ_IOPORT ||
		    c.type == LM_OBJ_IRQCTL || c.type == LM_OBJ_DEBUG)
			return SYSERR(LM_ETYPE, 4); /* their words are not badges */
		/* A badge is set once: a server tells its clients apart by the
		 * badges it minted, which a holder must not be able to re-mint
		 * into another client's (seL4's rule too). */
		if (c.w2)
			return SYSERR(LM_ESTATE, 4);
		c.w2 = ARG6(f);
	}
	cnode_mark(&dcn->cap, ARG2(f), 1);
	cap_insert(dst, &c, src);
	return LM_OK;
}

/*
 * CNODE_COPY with a count (ARG6 > 1): copy slots si .. si+count-1 to
 * di .. di+count-1 in one call (a library OS copying a whole address
 * space's frames, say). Empty source slots are skipped; everything is
 * checked before anything is copied. rdi = copies made.
 */
static u64 copy_range(struct frame *f, u64 count)
{
	struct slot *dcn, *scn, *dst, *src;
	u64 di = ARG2(f), si = ARG4(f), rights = ARG5(f), e, made = 0;

	if ((e = cap_lookup(ARG1(f), LM_OBJ_CNODE, LM_R_WRITE, 1, &dcn)) ||
	    (e = cnode_index(dcn, di, 2, &dst)) ||
	    (e = cap_lookup(ARG3(f), LM_OBJ_CNODE, LM_R_READ, 3, &scn)) ||
	    (e = cnode_index(scn, si, 4, &src)))
		return e;
	if (rights & ~(u64)LM_R_ALL)
		return SYSERR(LM_EINVAL, 5);
	if (count > LM_COPY_MAX || count > (1ull << dcn->cap.bits) - di ||
	    count > (1ull << scn->cap.bits) - si)
		return SYSERR(LM_ERANGE, 6);
	if (dcn->cap.obj == scn->cap.obj && di < si + count && si < di + count)
		return SYSERR(LM_EINVAL, 6); /* overlapping ranges of one CNode */
	for (u64 i = 0; i < count; i++) {
		if (src[i].cap.type == LM_OBJ_NULL)
			continue;
		if (!cap_copyable(&src[i].cap))
			return SYSERR_D(LM_ETYPE, 4, i);
		if (dst[i].cap.type != LM_OBJ_NULL)
			return SYSERR_D(LM_EEXIST, 2, i);
	}
	cnode_mark(&dcn->cap, di, count);
	for (u64 i = 0; i < count; i++) {
		if (src[i].cap.type == LM_OBJ_NULL)
			continue;
		struct cap c = cap_derived(&src[i].cap, (u8)rights);
		cap_insert(&dst[i], &c, &src[i]);
		made++;
	}
	f->rdi = made;
	return LM_OK;
}

SYS(cnode_copy)
{
	return ARG6(f) > 1 ? copy_range(f, ARG6(f)) : derive(f, false);
}
SYS(cnode_mint) { return derive(f, true); }

SYS(cnode_move)
{
	struct slot *dcn, *dst, *src;
	u64 e = decode_pair(f, LM_R_WRITE, &dcn, &dst, &src);
	if (e)
		return e;
	cnode_mark(&dcn->cap, ARG2(f), 1);
	cap_move(dst, src);
	return LM_OK;
}

/* Slot ARG2 of CNode ARG1, which must hold a capability (delete, revoke). */
static u64 decode_full(struct frame *f, struct slot **s)
{
	struct slot *cn;
	u64 e;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_CNODE, LM_R_WRITE, 1, &cn)) ||
	    (e = cnode_index(cn, ARG2(f), 2, s)))
		return e;
	return (*s)->cap.type == LM_OBJ_NULL ? SYSERR(LM_ECAP, 2) : LM_OK;
}

/*
 * CNODE_DELETE with a count (ARG3 > 1): every capability in slots
 * i .. i+count-1; empty slots are skipped. Restarted after REVOKE_BATCH
 * deletions or when finalisation work is left, like revoke, so the work
 * between interrupts stays bounded;
 * the restarted call starts where this one stopped (its slot and count
 * arguments are rewritten: rsi and rdx are not preserved by this call).
 */
/* The OR of sixteen slots' types: 0 when all are empty. Written out: a
 * loop is not unrolled at -O2. */
static inline u8 types16(const struct slot *s)
{
	return s[0].cap.type | s[1].cap.type | s[2].cap.type | s[3].cap.type | s[4].cap.type |
	       s[5].cap.type | s[6].cap.type | s[7].cap.type | s[8].cap.type | s[9].cap.type |
	       s[10].cap.type | s[11].cap.type | s[12].cap.type | s[13].cap.type |
	       s[14].cap.type | s[15].cap.type;
}

static u64 delete_range(struct frame *f, u64 count)
{
	struct slot *cn, *s;
	u64 i = ARG2(f), e;
	int n = 0;

	if ((e = cap_lookup(ARG1(f), LM_OBJ_CNODE, LM_R_WRITE, 1, &cn)) ||
	    (e = cnode_index(cn, i, 2, &s)))
		return e;
	if (count > (1ull << cn->cap.bits) - i)
		return SYSERR(LM_ERANGE, 3);
	if (!cap_drained())
		return SYS_RESTART; /* an earlier round's finalisation first */
	/* A reaped child's CNode (lib/fork_shell.c's shell_ready) is mostly
	 * empty: whole groups are skipped by the occupancy summary
	 * (cnode.h), and within a used group sixteen empty slots at a test. */
	struct cnode_hdr *h = (struct cnode_hdr *)cn->cap.obj;
	u32 sh = cnode_group_shift(cn->cap.bits);
	for (u64 k = 0; k < count;) {
		u64 g = (i + k) >> sh, gend = ((g + 1) << sh) - i;
		if (gend > count)
			gend = count;
		if (!(h->occ >> g & 1)) {
			k = gend;
			continue;
		}
		for (; k < gend; k++) {
			while (gend - k >= 16 && !types16(&s[k]))
				k += 16;
			if (k == gend)
				break;
			if (s[k].cap.type == LM_OBJ_NULL)
				continue;
			if (n++ == REVOKE_BATCH || cap_zombies) {
				/* Carry on from here when the call runs again. */
				f->rsi = i + k;
				f->rdx = count - k;
				return SYS_RESTART;
			}
			cap_delete(&s[k]);
			if (cn->cap.type != LM_OBJ_CNODE)
				return LM_OK; /* it held the last capability to its own CNode */
		}
		/* Swept whole in this call (slot 0 never holds one): empty now. */
		if ((g << sh >= i || (g == 0 && i == 1)) && gend == ((g + 1) << sh) - i)
			h->occ &= ~(1ull << g);
	}
	return LM_OK;
}

SYS(cnode_delete)
{
	struct slot *s;
	u64 e;
	if (ARG3(f) > 1)
		return delete_range(f, ARG3(f));
	if ((e = decode_full(f, &s)))
		return e;
	cap_delete(s);
	return LM_OK;
}

/* A deletion's tail (syscall.c's finish_later): one batch of the work left,
 * then the call's own result once none is. */
SYS(finish_delete)
{
	struct tcb *cur = cpu0.cur;
	if (!cur->finish_owed)
		return SYSERR(LM_ESTATE, 0);
	if (!cap_drained())
		return SYS_RESTART;
	cur->finish_owed = false;
	return cur->finish_result;
}

SYS(cnode_revoke)
{
	struct slot *s;
	u64 e = decode_full(f, &s);
	if (e)
		return e;
	return cap_revoke(s) ? SYS_RESTART : LM_OK;
}

SYS(cnode_identify)
{
	static const struct slot empty;
	struct slot *cn, *s;
	u64 e = cap_lookup(ARG1(f), LM_OBJ_CNODE, LM_R_READ, 1, &cn);
	if (e)
		return e;
	/* Slot 0 exists but can never hold anything: report it empty. */
	if (ARG2(f) == 0)
		s = (struct slot *)&empty;
	else if ((e = cnode_index(cn, ARG2(f), 2, &s)))
		return e;
	const struct cap *c = &s->cap;
	u64 addr = c->obj, extra = 0;

	switch (c->type) {
	case LM_OBJ_UNTYPED:
		/* With no children left the whole untyped is free again. */
		extra = (1ull << c->bits) - (mdb_has_children(&s->mdb) ? c->w2 : 0);
		break;
	case LM_OBJ_FRAME:
	case LM_OBJ_PTABLE:
		extra = (c->flags & CAP_F_MAPPED) ? c->w2 : 0;
		break;
	case LM_OBJ_VSPACE: /* "mapped": it has a live ID, which extra gives */
		addr = 0;
		extra = vspace_live(c) ? c->w2 : 0;
		break;
	case LM_OBJ_CNODE:
	case LM_OBJ_TCB:
	case LM_OBJ_ENDPOINT:
	case LM_OBJ_NOTIFY:
		addr = c->w2; /* badge; kernel addresses stay hidden */
		break;
	case LM_OBJ_BPF: /* extra: the program type once loaded, 0 before */
		addr = c->w2;
		extra = ((struct bpf_prog *)c->obj)->type;
		break;
	case LM_OBJ_IOPORT:
	case LM_OBJ_ASIDS:
		extra = c->w2;
		break;
	case LM_OBJ_IRQCTL:
	case LM_OBJ_DEBUG:
		addr = 0;
		break;
	}
	f->rdi = c->type | ((u64)c->rights << 8) | ((u64)c->bits << 16) |
		 ((c->flags & CAP_F_MAPPED) || (c->type == LM_OBJ_VSPACE && vspace_live(c)) ?
		  LM_ID_MAPPED : 0);
	f->rsi = addr;
	f->rdx = extra;
	return LM_OK;
}

/* The last capability to this CNode is gone: empty its slots, from where
 * the last batch stopped (h->fin), while *budget lasts. True when all are
 * empty. Objects this drops to zero references join the worklist in cap.c.
 * Until then the CNode's memory stays whole: retype waits for the list. */
bool cnode_finalise(struct objhdr *h, u32 *budget)
{
	struct slot *slots = (struct slot *)h;
	u64 n = 1ull << h->bits, i = h->fin ? h->fin : 1;
	u64 occ = ((struct cnode_hdr *)h)->occ;
	u32 sh = cnode_group_shift(h->bits);

	/* Looked at in blocks of DRAIN_SCAN slots, each charged like one
	 * deletion, so the test per slot stays as cheap as it was unbounded:
	 * most of a big CNode is empty. */
	while (i < n) {
		if (!(occ >> (i >> sh) & 1)) { /* a group never used (cnode.h): empty */
			i = ((i >> sh) + 1) << sh;
			continue;
		}
		if (*budget < DRAIN_DELETE)
			goto stop;
		*budget -= DRAIN_DELETE;
		for (u64 end = i + DRAIN_SCAN < n ? i + DRAIN_SCAN : n; i < end; i++) {
			if (slots[i].cap.type == LM_OBJ_NULL)
				continue;
			if (*budget < DRAIN_DELETE)
				goto stop;
			*budget -= DRAIN_DELETE;
			cap_delete_one(&slots[i]);
		}
	}
	h->fin = (u32)n;
	return true;
stop:
	h->fin = (u32)i;
	return false;
}
