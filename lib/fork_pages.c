/* Pages a child gets at once rather than on reference (lm/fork.h): the
 * page of our stack pointer at the fork, and its private pages in frames
 * its shell keeps. Split from fork.c, which builds and reaps. */
#include "fork_int.h"

/*
 * The page of our stack pointer, to be copied for the child at once
 * (give_stack) rather than shared copy-on-write: both of us write it
 * first thing, we on the way out of lm_fork, the child on its way out of
 * lm_fork_save, so sharing it costs our copy of it and the child's fault
 * for it. Only when no other child is alive (one could still ask for
 * that frame, so it must stay read-only for us), and when the page lies
 * in a writable segment with a frame, away from the private pages.
 */
void pick_stack(struct build *b, lm_u64 rsp)
{
	lm_u64 va = rsp & ~(lm_u64)(PAGE - 1);
	lm_u64 ps = (lm_u64)__lm_private_start, pe = (lm_u64)__lm_private_end;

	if (fk.nchildren)
		return;
	for (lm_u32 i = 0; i < nsegs; i++) {
		struct seg *s = &segs[i];
		lm_u64 lo = s->r.base, hi = lo + s->r.size;

		if (!s->frames || !(s->rights & LM_R_WRITE) || va - lo >= s->r.size)
			continue;
		lm_cptr_t f = s->frames[(va - lo) / PAGE];
		if (f && f < 1u << b->cnode_bits && !(ps < hi && pe > lo)) {
			b->stack_va = va;
			b->stack_frame = f;
			b->stack_rights = s->rights;
		}
		return;
	}
}

/* The child's copy of our stack page (pick_stack): a frame of its memory,
 * filled through the fill window (free again after fill_private), mapped
 * at the page in the child and put in the slot of our frame for it. */
int give_stack(struct build *b)
{
	lm_cptr_t t;
	int err;

	if (!b->stack_va)
		return LM_OK;
	if (!(t = lm_slot_alloc()))
		return LM_ELIMIT;
	if ((err = lm_untyped_retype(b->child_ut, LM_OBJ_FRAME, LM_PAGE_BITS, LM_SLOT_CNODE, t,
				     1))) {
		lm_slot_free(t);
		return err;
	}
	if (!(err = map_here(t, FILL_WINDOW, LM_R_READ | LM_R_WRITE))) {
		memcpy((void *)FILL_WINDOW, (const void *)b->stack_va, PAGE);
		lm_vspace_unmap(t);
		err = give_mapped(b, t, b->stack_frame, b->stack_va, b->stack_rights);
	}
	if (err)
		lm_cnode_delete(LM_SLOT_CNODE, t);
	lm_slot_free(t);
	return err;
}

/*
 * The frames a shell keeps for its children's private pages: made at its
 * first child from a piece of the shell's own untyped (a big shell's has
 * room: it is twice its CNode), mapped at the private pages in its address
 * space through capabilities only we hold (no child can unmap them: it
 * holds none), and through copies in our address space at the place's
 * window, where each fork copies ours into them. So a fork makes, zeroes,
 * maps and deletes no frame for them. A child may have protected them in
 * its address space: each fork makes them writable there again. The
 * window's address, or 0 (then fill_private makes frames as before).
 */
lm_u64 shell_priv(struct build *b, lm_u64 npages)
{
	struct shell *sh = b->sh;
	lm_u64 win = PRIV_WINDOW(sh - fk.shells), ps = (lm_u64)__lm_private_start, made = 0;
	lm_u64 rw = LM_R_READ | LM_R_WRITE;
	lm_u32 ubits = LM_PAGE_BITS;
	lm_cptr_t s, ut;

	if (sh->npriv == npages)
		return lm_vspace_protect(sh->vspace, ps, npages, rw, 0) ? 0 : win;
	if (sh->npriv || sh->bits < PRIV_MIN_CNODE_BITS || npages > PRIV_WINDOW_PAGES)
		return 0;
	while ((1ull << ubits) < npages * PAGE)
		ubits++;
	if (!(ut = lm_slot_alloc()))
		return 0;
	if (!(s = lm_slot_alloc_n(2 * (lm_u32)npages)) ||
	    lm_untyped_retype(sh->ut, LM_OBJ_UNTYPED, ubits, LM_SLOT_CNODE, ut, 1)) {
		lm_slot_free(ut);
		if (s)
			lm_slot_free_n(s, 2 * (lm_u32)npages);
		return 0;
	}
	sh->priv_ut = ut;
	if (lm_untyped_retype(ut, LM_OBJ_FRAME, LM_PAGE_BITS, LM_SLOT_CNODE, s, npages) ||
	    lm_cnode_copy_range(LM_SLOT_CNODE, s + npages, LM_SLOT_CNODE, s, rw, npages, &made) ||
	    made != npages)
		goto undo;
	for (lm_u64 k = 0; k < npages; k++)
		if (map_in_child(b, s + k, ps + k * PAGE, rw) ||
		    map_here(s + npages + k, win + k * PAGE, rw))
			goto undo;
	sh->priv = s;
	sh->npriv = (lm_u32)npages;
	return win;
undo:
	lm_cnode_revoke(LM_SLOT_CNODE, ut);
	lm_cnode_delete(LM_SLOT_CNODE, ut);
	lm_slot_free(ut);
	sh->priv_ut = 0;
	lm_slot_free_n(s, 2 * (lm_u32)npages);
	return 0;
}
