/* Shells and pools for children (lm/fork.h): a child's CNode, address
 * space and thread, made once and kept for the next child; its pool and
 * address-space IDs. Split from fork.c, which builds and reaps. */
#include "fork_int.h"

/* The child's CNode mirrors our slots up to the highest one in use, with
 * room for its own use: a slot for every page its pool of 2^pool_bits
 * bytes can make (each frame it maps or copies takes one), and 256 more
 * for its other objects; at most our own size. A smaller CNode runs out
 * of slots long before the pool runs out of memory, and an exec of a 2 MiB
 * program (a slot per page of the file) fails then with ENOMEM. */
lm_u32 child_cnode_bits(lm_u32 pool_bits)
{
	lm_u32 pages = pool_bits > LM_PAGE_BITS ? 1u << (pool_bits - LM_PAGE_BITS) : 1;
	lm_u64 desc;
	lm_u32 top = 0, bits = 8, ours;

	if (lm_cnode_identify(LM_SLOT_CNODE, LM_SLOT_CNODE, &desc, 0, 0))
		return 0;
	ours = LM_ID_BITS(desc);
	for (lm_u32 w = lm_slots.end / 64 + 1; w-- > 0;)
		if (w < LM_SLOTS_MAX / 64 && lm_slots.used[w]) {
			top = w * 64 + 63 - (lm_u32)__builtin_clzll(lm_slots.used[w]);
			break;
		}
	if (top < lm_slots.first)
		top = lm_slots.first;
	/* The slots fork takes for the child's tables and pages come first
	 * fit from the bottom (lm_fork resets the hint), so below top + 128. */
	while (bits < 31 && (1u << bits) <= top + 256 + pages)
		bits++;
	return bits < ours ? bits : ours;
}

/* Destroy a shell and everything made from its untyped. */
void shell_destroy(struct shell *sh)
{
	if (sh->ut) {
		lm_cnode_revoke(LM_SLOT_CNODE, sh->ut);
		lm_cnode_delete(LM_SLOT_CNODE, sh->ut);
		lm_slot_free(sh->ut);
	}
	if (sh->priv_ut) { /* its children's private pages (fork_pages.c) */
		lm_cnode_revoke(LM_SLOT_CNODE, sh->priv_ut);
		lm_cnode_delete(LM_SLOT_CNODE, sh->priv_ut);
		lm_slot_free(sh->priv_ut);
		lm_slot_free_n(sh->priv, 2 * sh->npriv);
	}
	lm_slot_free(sh->cnode);
	lm_slot_free(sh->vspace);
	lm_slot_free(sh->tcb);
	for (lm_u32 i = 0; i < sh->ntables; i++)
		lm_slot_free(sh->tables[i]);
	*sh = (struct shell){ 0 };
}

/*
 * A shell as a new child finds it: its CNode empty but for slots 1-3, each
 * a full-rights copy of our capability to its CNode, address space and
 * thread; the thread configured with those two and given nothing else (no
 * fault endpoint, IPC buffer, bound or stop notification, foreign entry).
 * A reaped child may have left anything in its place: moved, replaced or
 * copied what its slots 1-3 held, left other capabilities in them (a
 * parent frame it mapped, say), reconfigured its thread. We trust none of
 * it and rebuild rather than check, for CNODE_IDENTIFY cannot tell one
 * CNode or thread from another. Its address space is left with no mapping
 * but the page tables we installed and the private pages we keep for the
 * next child (shell_priv, made writable again there): every mapping is
 * made through a frame capability, and every one the child held is gone,
 * revoked with its memory or deleted here (it had no way to pass one out:
 * make_objects).
 * Its page tables were its memory's. The registers, priority and
 * exception handler are set by start_child.
 */
static int shell_ready(struct shell *sh, int fresh)
{
	lm_cptr_t t = sh->tcb;
	int err = LM_OK;

	if (!fresh &&
	    ((err = lm_cnode_delete_range(sh->cnode, 1, (1ull << sh->bits) - 1)) ||
	     (err = lm_thread_set_fault_ep(t, 0)) || (err = lm_thread_set_ipc_buffer(t, 0)) ||
	     (err = lm_thread_bind_notify(t, 0)) || (err = lm_thread_set_stop_notify(t, 0)) ||
	     (err = lm_thread_set_foreign(t, 0))))
		return err;
	if ((err = lm_cnode_copy_range(sh->cnode, LM_SLOT_CNODE, LM_SLOT_CNODE, sh->cnode, LM_R_ALL,
				       3, 0)))
		return err;
	return lm_thread_configure(t, sh->cnode, sh->vspace);
}

/* A kept shell with a CNode of at least 2^bits slots, or a new one. */
int shell_get(struct build *b)
{
	struct shell *sh = 0;
	int err;

	for (lm_u32 i = 0; i < MAX_SHELLS && !sh; i++)
		if (fk.shells[i].state == SHELL_KEPT && fk.shells[i].bits >= b->cnode_bits)
			sh = &fk.shells[i];
	if (sh) {
		sh->state = SHELL_USED;
		b->sh = sh;
		b->cnode_bits = sh->bits;
		lm_pool_init(&b->spool, 0);
		return lm_pool_add(&b->spool, sh->ut);
	}
	for (lm_u32 i = 0; i < MAX_SHELLS; i++) /* too small now: make room */
		if (fk.shells[i].state == SHELL_KEPT)
			shell_destroy(&fk.shells[i]);
	for (lm_u32 i = 0; i < MAX_SHELLS && !sh; i++)
		if (fk.shells[i].state == SHELL_FREE)
			sh = &fk.shells[i];
	if (!sh)
		return LM_ELIMIT;
	*sh = (struct shell){ .bits = b->cnode_bits, .state = SHELL_USED };
	b->sh = sh;
	b->new_shell = 1;
	/* Its CNode, and as much again for the rest (about 20 page tables). */
	lm_u32 cn = b->cnode_bits + LM_SLOT_BITS, bits = cn + 1 > 17 ? cn + 1 : 17;
	lm_cptr_t objs = lm_slot_alloc_n(3);
	if (!objs)
		return LM_ELIMIT;
	sh->cnode = objs;
	sh->vspace = objs + 1;
	sh->tcb = objs + 2;
	lm_pool_init(&b->spool, 0);
	if ((err = lm_pool_alloc(lm_pool_current(), LM_OBJ_UNTYPED, bits, &sh->ut)) ||
	    (err = lm_pool_add(&b->spool, sh->ut)) ||
	    (err = lm_untyped_retype(sh->ut, LM_OBJ_CNODE, sh->bits, LM_SLOT_CNODE, sh->cnode, 1)) ||
	    (err = lm_untyped_retype(sh->ut, LM_OBJ_VSPACE, 0, LM_SLOT_CNODE, sh->vspace, 1)) ||
	    (err = lm_vspace_assign(sh->vspace, lm_asid_cap, 0)) ||
	    (err = lm_untyped_retype(sh->ut, LM_OBJ_TCB, 0, LM_SLOT_CNODE, sh->tcb, 1)))
		return err;
	return shell_ready(sh, 1);
}

/* Empty a reaped child's shell (shell_ready) and keep it, or destroy it if
 * one is kept already. */
void shell_put(struct shell *sh)
{
	for (lm_u32 i = 0; i < MAX_SHELLS; i++)
		if (fk.shells[i].state == SHELL_KEPT) {
			shell_destroy(sh);
			return;
		}
	if (shell_ready(sh, 0)) {
		shell_destroy(sh);
		return;
	}
	sh->state = SHELL_KEPT;
}

/* The child's own range of address-space IDs, a sub-range of ours at the
 * slot of ours (its copy of our state names that slot): fk.asids IDs, by
 * default LM_FORK_ASIDS but at most an eighth of our range, so that a
 * child's children get some too. When no run that long is free in our
 * range the child gets the largest power of two fewer that fits, down to
 * none (it runs, but cannot fork). A reaped child's IDs are ours again. */
int give_asids(struct build *b)
{
	lm_u64 n = fk.asids, count = 0;
	int half = n == LM_FORK_HALF_ASIDS, err = LM_OK;

	if (!lm_asid_cap || n == LM_FORK_NO_ASIDS)
		return LM_OK;
	if ((!n || half) && !lm_cnode_identify(LM_SLOT_CNODE, lm_asid_cap, 0, 0, &count))
		n = half ? count / 2 : count / 8 < LM_FORK_ASIDS ? count / 8 : LM_FORK_ASIDS;
	if (n == LM_FORK_HALF_ASIDS)
		return LM_OK; /* our range unreadable: none */
	for (; n; n /= 2)
		if ((err = lm_asids_issue(lm_asid_cap, n, b->p->cnode, lm_asid_cap)) != LM_ELIMIT)
			break;
	/* HALF: an only child gets half of our range (a chain of command
	 * substitutions nests log2 of it deep); a child beside others half
	 * of the largest run left, so that the next ones, and every child's
	 * own address-space ID, still find room (eight children at once). */
	if (half && !err && n > 1 && fk.nchildren &&
	    !(err = lm_cnode_delete(b->p->cnode, lm_asid_cap)))
		err = lm_asids_issue(lm_asid_cap, n / 2, b->p->cnode, lm_asid_cap);
	return err == LM_ELIMIT ? LM_OK : err;
}

/*
 * The size of the child's pool (lm_fork_set_pool_floor): without a floor,
 * 2^fk.pool_bits exactly. With one, the largest size from that down to
 * the floor that is at most half of what our pool has free (the rest
 * stays ours: our own copies on write, our other children); 0 (the fork
 * fails with LM_ENOMEM) when not even the floor is. Whether it fits in
 * one piece is found when it is allocated (try_pool).
 */
lm_u32 pool_target(void)
{
	lm_u32 bits = fk.pool_bits;
	lm_u64 half;

	if (!fk.pool_floor || bits <= fk.pool_floor)
		return bits;
	half = lm_pool_free_bytes(lm_pool_current()) / 2;
	if (half < 1ull << fk.pool_floor)
		return 0; /* the floor for the child, as much again kept for us */
	while (bits > fk.pool_floor && (1ull << bits) > half)
		bits--;
	return bits;
}

/* An untyped of at least 2^bits bytes for the child in p->ut: a reaped
 * child's first, the smallest big enough (memory carved from a big
 * untyped only comes back when all of it is free), else a new one. */
int try_pool(struct lm_proc *p, lm_u32 bits)
{
	lm_u32 best = fk.nspare;

	for (lm_u32 i = 0; i < fk.nspare; i++)
		if (fk.spare[i].bits >= bits &&
		    (best == fk.nspare || fk.spare[i].bits < fk.spare[best].bits))
			best = i;
	if (best < fk.nspare) {
		p->ut = fk.spare[best].slot;
		fk.spare[best] = fk.spare[--fk.nspare];
		return LM_OK;
	}
	return lm_pool_alloc(lm_pool_current(), LM_OBJ_UNTYPED, bits, &p->ut);
}
