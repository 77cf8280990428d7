/* Copy-on-write fork in the library OS (lm/fork.h): building a child and
 * reaping it. */
#include "fork_int.h"
#include "mem_int.h"

struct fork_state fk LM_PRIVATE;

/* ---- building the child ----------------------------------------------------- */

/* Map our frame `t` in the child at va. Page tables made on the way
 * belong to the shell. */
int map_in_child(struct build *b, lm_cptr_t t, lm_u64 va, lm_u64 rights)
{
	struct shell *sh = b->sh;
	lm_cptr_t tabs[3];
	lm_u32 n = 0;
	int err = lm_map_page_pool(&b->spool, sh->vspace, t, va, rights, tabs, &n);

	for (lm_u32 i = 0; i < n; i++) {
		if (sh->ntables < MAX_TABLES)
			sh->tables[sh->ntables++] = tabs[i];
		else
			err = err ? err : LM_ELIMIT; /* kept, unrecorded, until the shell goes */
	}
	return err;
}

/* Map our copy `t` of a frame in the child at va, then move it to the
 * child's slot `dst`. */
int give_mapped(struct build *b, lm_cptr_t t, lm_cptr_t dst, lm_u64 va, lm_u64 rights)
{
	int err = map_in_child(b, t, va, rights);

	if (!err)
		err = lm_cnode_move(b->sh->cnode, dst, LM_SLOT_CNODE, t);
	return err;
}

/* Our frame in slot s, mapped read-only at va in the child and in its slot
 * s. The child's capability carries only the rights of that mapping (no
 * LM_R_WRITE): a copy of it can never be mapped writable, so the child
 * cannot change our text, read-only data or bootinfo. */
static int share_page(struct build *b, lm_cptr_t s, lm_u64 va, lm_u64 rights)
{
	lm_cptr_t t = lm_slot_alloc();
	int err;

	if (!t)
		return LM_ELIMIT;
	err = lm_cnode_copy(LM_SLOT_CNODE, t, LM_SLOT_CNODE, s, rights & ~(lm_u64)LM_R_WRITE);
	if (!err && (err = give_mapped(b, t, s, va, rights)))
		lm_cnode_delete(LM_SLOT_CNODE, t);
	lm_slot_free(t);
	return err;
}

/* A read-only segment of ours (text, read-only data) mapped in the child
 * and in its slots. A run of pages whose frames are in consecutive slots
 * and lie in one page table costs three calls, not three a page: its
 * first page by share_page (which makes the page tables on the way), the
 * rest with one CNODE_COPY and one VSPACE_MAP with a count. */
static int share_readonly(struct build *b, const struct seg *s)
{
	lm_u64 n = s->r.size / PAGE, ro = s->rights & ~(lm_u64)LM_R_WRITE, made;
	int err;

	for (lm_u64 k = 0, run; k < n; k += run) {
		lm_cptr_t f = s->frames[k];
		lm_u64 va = s->r.base + k * PAGE;

		run = 1;
		if (!f)
			continue;
		if ((err = share_page(b, f, va, s->rights)))
			return err;
		while (k + run < n && run < LM_COPY_MAX && s->frames[k + run] == f + run &&
		       (va + run * PAGE) >> 21 == va >> 21)
			run++;
		if (run == 1)
			continue;
		if ((err = lm_cnode_copy_range(b->p->cnode, f + 1, LM_SLOT_CNODE, f + 1, ro, run - 1,
					       &made)) ||
		    (made != run - 1 && (err = LM_ESTATE)) ||
		    (err = lm_vspace_map_range(b->p->vspace, b->p->cnode, f + 1, va + PAGE, s->rights,
					       run - 1)))
			return err;
	}
	return LM_OK;
}

/*
 * With a memory manager (lm_mem_use): the child's memory is an account of
 * its own below ours (MEM_SPLIT with our whole quota), in the child's CNode at the
 * slot ours is in, and one chunk from it to start with; the child grows
 * its pool from the account (lm/mem.h's refill hook) and the reap closes
 * it. Its CNode is sized as without a manager (fk.pool_bits: the memory it
 * may come to use), at most what leaves its shell one chunk's size (our
 * own pool may be chunks). Nothing here depends on what our pool has free.
 */
static int account_objects(struct build *b)
{
	lm_cptr_t acct = lm_mem_account(), tmp = lm_slot_alloc();
	int err;

	if (!tmp)
		return LM_ELIMIT;
	b->child_ut = lm_slot_alloc();
	if (!b->child_ut)
		err = LM_ELIMIT;
	else if (!(err = lm_mem_split(acct, lm_mem_ipcbuf(), LM_MEM_QUOTA_ALL, tmp,
				      &b->sh->mem_badge)))
		err = lm_mem_guarding() /* its own state's: never taken by force */
			      ? lm_mem_grow_shared(tmp, lm_mem_ipcbuf(), b->child_ut)
			      : lm_mem_grow(tmp, lm_mem_ipcbuf(), b->child_ut);
	if (!err)
		err = lm_cnode_move(b->p->cnode, acct, LM_SLOT_CNODE, tmp);
	lm_cnode_delete(LM_SLOT_CNODE, tmp);
	lm_slot_free(tmp);
	if (err)
		return err;
	b->pool_bits = LM_MEM_CHUNK_BITS;
	lm_pool_init(&b->pool, 0);
	if ((err = lm_pool_add_whole(&b->pool, b->child_ut)) ||
	    (err = lm_cnode_identify(LM_SLOT_CNODE, b->child_ut, 0, &b->child_ut_paddr, 0)))
		return err;
	return LM_OK;
}

#define MANAGED_CNODE_POOL 24

/* The child's objects: a shell, and an untyped for its memory. */
static int make_objects(struct build *b)
{
	struct lm_proc *p = b->p;
	int managed = lm_mem_account() != 0;
	lm_u32 bits = managed ? fk.pool_bits : pool_target(); /* all of it the child's pool
				      * (its private pages and first frames are carved first) */
	lm_u32 floor = fk.pool_floor && fk.pool_floor < bits ? fk.pool_floor : bits;
	int err;

	if (!bits)
		return LM_ENOMEM;
	/* Without a manager the child's memory first, down to the floor when
	 * the memory is there but not in one piece that big (LM_ENOMEM below
	 * it): a fork that fails for want of memory leaves our kept shell
	 * alone, and the CNode is sized for the pool the child really gets. */
	if (!managed) {
		while ((err = try_pool(p, bits)) == LM_ENOMEM && bits > floor)
			bits--;
		if (err)
			return err;
	}
	/* With a manager a grandchild's CNode (and below) is sized for at
	 * most 2^MANAGED_CNODE_POOL bytes of frames: a fork's cost grows with
	 * its child's CNode (made zeroed, emptied slot by slot at the reap),
	 * and 16 MiB of frames is three busybox execs' worth. Our own
	 * children (a shell's commands) may map as much as without. */
	int capped = managed && fk.gen >= 1 && bits > MANAGED_CNODE_POOL;
	if (!(b->cnode_bits = child_cnode_bits(capped ? MANAGED_CNODE_POOL : bits)))
		return LM_ESTATE;
	if (managed && b->cnode_bits > LM_MEM_CHUNK_BITS - 1 - LM_SLOT_BITS)
		b->cnode_bits = LM_MEM_CHUNK_BITS - 1 - LM_SLOT_BITS;
	if ((err = shell_get(b)))
		return err;
	p->cnode = b->sh->cnode;
	p->vspace = b->sh->vspace;
	p->tcb = b->sh->tcb;
	b->sh->mem_badge = 0;
	if (managed) {
		if ((err = account_objects(b)))
			return err;
		b->pool_bits = bits; /* its children's CNodes: sized from it */
		goto caps;
	}
	b->pool_bits = bits;
	/* The child's pool is a child untyped of ours, so that the one revoke
	 * of ours at the reap removes all it made. */
	lm_pool_init(&b->pool, 0);
	if ((err = lm_untyped_retype(p->ut, LM_OBJ_UNTYPED, bits, LM_SLOT_CNODE,
				     b->child_ut = lm_slot_alloc(), 1)) ||
	    (err = lm_pool_add(&b->pool, b->child_ut)) ||
	    (err = lm_cnode_identify(LM_SLOT_CNODE, b->child_ut, 0, &b->child_ut_paddr, 0)))
		return err;
caps:
	/* I/O ports, IRQ control, console: whatever is there and copyable, but
	 * never a way to pass a capability on. Neither may the child send
	 * with LM_R_GRANT nor receive on an endpoint (a reply carries
	 * capabilities to the caller): all it holds stays in its CNode and
	 * its memory's objects, which the reap empties and revokes, so
	 * nothing it mapped in its address space outlives it. */
	for (lm_cptr_t s = 4; s < 8; s++) {
		lm_u64 desc, rights = LM_R_ALL & ~(lm_u64)LM_R_GRANT;

		if (s == LM_SLOT_BOOTINFO || lm_cnode_identify(LM_SLOT_CNODE, s, &desc, 0, 0) ||
		    LM_ID_TYPE(desc) == LM_OBJ_NULL)
			continue;
		if (LM_ID_TYPE(desc) == LM_OBJ_ENDPOINT)
			rights = LM_R_WRITE;
		lm_cnode_copy(p->cnode, s, LM_SLOT_CNODE, s, rights);
	}
	if ((err = give_asids(b)))
		return err;
	/* Its way to ask our server for frames: a slot free in ours. */
	if (!(b->up_slot = lm_slot_alloc()))
		return LM_ELIMIT;
	if ((err = lm_cnode_mint(p->cnode, b->up_slot, LM_SLOT_CNODE, fk.own_ep, LM_R_WRITE,
				 (lm_u64)(b->sh - fk.shells) + 1)))
		return err;
	/* The bootinfo page, read-only and shared. */
	lm_u64 desc, va;
	if (!lm_cnode_identify(LM_SLOT_CNODE, LM_SLOT_BOOTINFO, &desc, 0, &va) &&
	    LM_ID_TYPE(desc) == LM_OBJ_FRAME && (desc & LM_ID_MAPPED))
		err = share_page(b, LM_SLOT_BOOTINFO, va, LM_R_READ);
	return err;
}

/* The page of the child's share record, made at its place's first fork
 * and kept. */
static int share_rec_map(struct shell *sh)
{
	lm_u32 i = (lm_u32)(sh - fk.shells);
	int err;

	if (fk.share_frames[i])
		return LM_OK;
	if ((err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &fk.share_frames[i])))
		return err;
	if ((err = map_here(fk.share_frames[i], (lm_u64)share_rec_of(sh), LM_R_READ | LM_R_WRITE))) {
		lm_obj_free(fk.share_frames[i]);
		fk.share_frames[i] = 0;
	}
	return err;
}

/* Text and read-only data: mapped in the child now (its fault handler
 * runs from them). Everything writable, and on-demand pages: nothing yet,
 * but their frames' slots go in the child's share record; the child asks
 * for a page's frame when it first touches it (maps it read-only) and
 * copies it when it first writes it. Private pages wait. */
static int share_segments(struct build *b)
{
	struct share_rec *rec = share_rec_of(b->sh);
	lm_u32 nslots = share_rec_slots(b->sh);
	int err = share_rec_map(b->sh);

	if (err)
		return err;
	/* The record covers the child's CNode (the server refuses slots past
	 * it): a kept shell's record from an earlier child is cleared here. */
	memset(rec->shared, 0, nslots / 8);
	memset(rec->exec, 0, nslots / 8);
	for (lm_u32 i = 0; i < nsegs; i++) {
		struct seg *s = &segs[i];
		lm_u64 n = s->r.size / PAGE;

		if (!s->frames)
			continue;
		if (s->rights & LM_R_WRITE) { /* the child asks for these */
			for (lm_u64 k = 0; k < n; k++) {
				lm_cptr_t f = s->frames[k];
				lm_u64 bit = 1ull << (f % 64);

				if (!f || f >= nslots || is_private(s->r.base + k * PAGE) ||
				    s->r.base + k * PAGE == b->stack_va)
					continue;
				rec->shared[f / 64] |= bit;
				if (s->rights & LM_R_EXEC)
					rec->exec[f / 64] |= bit;
			}
			continue;
		}
		if ((err = share_readonly(b, s)))
			return err;
	}
	return LM_OK;
}

/* The frame of ours that backs private page va (its slot in the child). */
static lm_cptr_t private_frame(lm_u64 va)
{
	for (lm_u32 i = 0; i < nsegs; i++)
		if (segs[i].frames && va - segs[i].r.base < segs[i].r.size)
			return segs[i].frames[(va - segs[i].r.base) / PAGE];
	return 0;
}

/* The filled frames (fill0.., mapped in our window) given to the child at
 * its private pages' slots and addresses, when those slots are
 * consecutive: one copy, one map in the child, one delete of ours (which
 * unmaps the window), not three calls a page. 0, or an error and nothing
 * changed (give_mapped's page-by-page way then). */
static int give_private_run(struct build *b, lm_cptr_t fill0, lm_u64 npages)
{
	lm_u64 ps = (lm_u64)__lm_private_start, made = 0;
	lm_cptr_t dst = private_frame(ps);
	int err;

	for (lm_u64 k = 0; k < npages; k++)
		if (!dst || private_frame(ps + k * PAGE) != dst + k)
			return LM_ERANGE;
	if ((err = lm_cnode_copy_range(b->p->cnode, dst, LM_SLOT_CNODE, fill0,
				       LM_R_READ | LM_R_WRITE, npages, &made)) ||
	    (made != npages && (err = LM_ESTATE)) ||
	    (err = lm_vspace_map_range(b->p->vspace, b->p->cnode, dst, ps, LM_R_READ | LM_R_WRITE,
				       npages))) {
		if (made)
			lm_cnode_delete_range(b->p->cnode, dst, npages);
		return err;
	}
	lm_cnode_delete_range(LM_SLOT_CNODE, fill0, npages);
	lm_slot_free_n(fill0, (lm_u32)npages);
	b->nfill = 0;
	return LM_OK;
}

/* The child's own private pages: a copy of ours, made right for it, in
 * the frames its shell keeps for them (shell_priv), or else in new ones at
 * the same slots as ours. */
static int fill_private(struct build *b)
{
	lm_u64 npages = (lm_u64)(__lm_private_end - __lm_private_start) / PAGE;
	lm_u64 win = shell_priv(b, npages);
	lm_u64 delta = (win ? win : FILL_WINDOW) - (lm_u64)__lm_private_start;
	lm_cptr_t fill0 = 0;
	int err = LM_OK;

	/* Else its frames in consecutive slots of ours, made with one retype
	 * and mapped with one call where the window's page table is there. */
	if (!win && !(fill0 = lm_slot_alloc_n((lm_u32)npages)))
		return LM_ELIMIT;
	if (!win && (err = lm_untyped_retype(b->child_ut, LM_OBJ_FRAME, LM_PAGE_BITS,
					     LM_SLOT_CNODE, fill0, npages))) {
		lm_slot_free_n(fill0, (lm_u32)npages);
		return err;
	}
	for (b->nfill = 0; !win && b->nfill < npages; b->nfill++)
		b->fill[b->nfill] = fill0 + b->nfill;
	if (!win && lm_vspace_map_range(LM_SLOT_VSPACE, LM_SLOT_CNODE, fill0, FILL_WINDOW,
					LM_R_READ | LM_R_WRITE, npages))
		for (lm_u64 k = 0; k < npages; k++)
			if ((err = map_here(b->fill[k], FILL_WINDOW + k * PAGE, LM_R_READ | LM_R_WRITE)))
				return err;
	/* A few frames to start its copies with: its first writes then need
	 * no frames made (its pool has none ready yet). Same slots as ours. */
	lm_cptr_t starter = lm_slot_alloc_n(STARTER_FRAMES);
	if (!starter)
		return LM_ELIMIT;
	if ((err = lm_untyped_retype(b->child_ut, LM_OBJ_FRAME, LM_PAGE_BITS, LM_SLOT_CNODE, starter,
				     STARTER_FRAMES))) {
		lm_slot_free_n(starter, STARTER_FRAMES);
		return err;
	}
	memcpy((void *)(delta + (lm_u64)__lm_private_start), __lm_private_start, npages * PAGE);

	/* Its slot allocator: its CNode's size, and free where the child has
	 * nothing (the slots we keep its handles in, the frames being filled). */
	struct lm_slots *cs = (struct lm_slots *)((char *)&lm_slots + delta);
	lm_cptr_t ours[] = { b->p->ut, b->sh->ut, b->p->cnode, b->p->vspace, b->p->tcb };
	lm_u32 nours = sizeof ours / sizeof ours[0];
	for (lm_u32 i = 0; i < 2 * b->sh->npriv; i++) /* the shell's kept pages' */
		cs->used[(b->sh->priv + i) / 64] &= ~(1ull << ((b->sh->priv + i) % 64));
	for (lm_u32 i = 0; i < nours + b->nfill + b->sh->ntables; i++) {
		lm_cptr_t s = i < nours ? ours[i] : i < nours + b->nfill ? b->fill[i - nours]
			: b->sh->tables[i - nours - b->nfill];
		if (s) /* no p->ut with a memory manager */
			cs->used[s / 64] &= ~(1ull << (s % 64));
	}
	cs->end = 1u << b->cnode_bits;
	cs->hint = cs->first;
	cs->nfree = cs->end - cs->first;
	for (lm_u32 s = cs->first; s < cs->end; s = (s | 63) + 1) {
		lm_u64 w = cs->used[s / 64] >> (s % 64);
		lm_u32 left = 64 - s % 64;

		if (s + left > cs->end) /* bits past the end do not count */
			w &= (1ull << (cs->end - s)) - 1;
		cs->nfree -= popcount(w);
	}
	/* Its pool, its fork state, its one thread. */
	typeof(fk) *cf = (typeof(fk) *)((char *)&fk + delta);
	/* Pieces of a frame chunk's size: small objects never waste more. */
	lm_pool_init(&cf->pool, 16);
	if (b->sh->mem_badge) /* one chunk, never cut (lm_pool_add_whole) */
		cf->pool.ut[0] = (struct lm_pool_ut){ b->child_ut, b->child_ut_paddr,
						      LM_MEM_CHUNK_BITS, 0 };
	else
		cf->pool.ut[0] = (struct lm_pool_ut){ b->child_ut, b->child_ut_paddr,
						      (lm_u8)b->pool_bits, b->pool_bits > 16 };
	cf->pool.n = 1;
	/* Its children's: 2 bits less than its own, not below the floor. */
	cf->pool_bits = b->pool_bits > 18 ? b->pool_bits - 2 : 16;
	if (cf->pool_bits < fk.pool_floor)
		cf->pool_bits = fk.pool_floor;
	cf->asids = fk.asids == LM_FORK_HALF_ASIDS ? fk.asids : 0; /* the rule, not the count */
	cf->gen = fk.gen + 1;
	cf->nchildren = 0;
	cf->nretired = 0;
	cf->nspare = 0;
	cf->up_ep = b->up_slot;
	cf->own_ep = cf->server = cf->stopped = 0;
	for (lm_u32 i = 0; i < MAX_SHELLS; i++) {
		cf->shells[i] = (struct shell){ 0 };
		cf->share_frames[i] = 0; /* ours are not mapped in the child */
	}
	for (lm_u32 i = 0; i < BUILD_PAGES; i++)
		cf->build_frames[i] = 0; /* nor our build area */
	for (cf->nrecycled = 0; cf->nrecycled < STARTER_FRAMES; cf->nrecycled++)
		cf->recycled[cf->nrecycled] = starter + cf->nrecycled;
	lm_vm_fork_patch(delta, LM_SLOT_TCB, (lm_u64)fk.exc_stack,
			 (lm_u64)fk.exc_stack + EXC_STACK_SIZE);
	lm_mem_fork_patch(delta);
	for (lm_u32 i = 0; i < STARTER_FRAMES; i++)
		if (!lm_cnode_move(b->p->cnode, starter + i, LM_SLOT_CNODE, starter + i))
			lm_slot_free(starter + i);

	if (win || !give_private_run(b, fill0, npages))
		return LM_OK;
	for (lm_u64 k = 0; k < npages && !err; k++) {
		lm_u64 va = (lm_u64)__lm_private_start + k * PAGE;
		lm_cptr_t dst = private_frame(va);

		lm_vspace_unmap(b->fill[k]);
		err = dst ? give_mapped(b, b->fill[k], dst, va, LM_R_READ | LM_R_WRITE) : LM_ENOENT;
		if (!err)
			lm_slot_free(b->fill[k]);
	}
	return err;
}

/* Pages lo .. hi-1 read-only but for those in [xlo, xhi). */
static void protect_around(lm_u64 lo, lm_u64 hi, lm_u64 xlo, lm_u64 xhi, lm_u64 ro)
{
	if (xlo < hi && xhi > lo) {
		if (xlo > lo)
			lm_vm_protect_range(lo, (xlo - lo) / PAGE, ro);
		if (hi > xhi)
			lm_vm_protect_range(xhi, (hi - xhi) / PAGE, ro);
	} else {
		lm_vm_protect_range(lo, (hi - lo) / PAGE, ro);
	}
}

/* Our writable pages read-only: from now on a write copies. The private
 * pages stay writable throughout, and so does the stack page the child
 * got a copy of (give_stack): no child can ask for its frame. */
static void protect_ours(lm_u64 stack_va)
{
	lm_u64 ps = (lm_u64)__lm_private_start, pe = (lm_u64)__lm_private_end;

	for (lm_u32 i = 0; i < nsegs; i++) {
		struct seg *s = &segs[i];
		lm_u64 lo = s->r.base, hi = s->r.base + s->r.size;
		lm_u64 ro = s->rights & ~(lm_u64)LM_R_WRITE;

		if (!s->frames || !(s->rights & LM_R_WRITE))
			continue;
		if (stack_va - lo < hi - lo) /* never the private pages' segment */
			protect_around(lo, hi, stack_va, stack_va + PAGE, ro);
		else
			protect_around(lo, hi, ps, pe, ro);
	}
}

/* A child is gone. When it was the last, no child sees our pages any
 * more: the pages kept for them go, and our own pages become writable
 * again one by one as they are written (fork_cow_hook), not all at once. */
static void child_gone(void)
{
	if (fk.nchildren && --fk.nchildren)
		return;
	for (lm_u32 i = 0; i < fk.nretired; i++)
		fork_release(fk.retired[i]);
	fk.nretired = 0;
}

static int start_child(struct build *b, const struct lm_regs *saved)
{
	struct lm_regs r = *saved, self;
	struct lm_thread_info ti;
	int err;

	if ((err = lm_thread_read_regs(LM_SLOT_TCB, &self)) ||
	    (err = lm_thread_info(LM_SLOT_TCB, &ti)))
		return err;
	r.rax = 0;
	r.rflags = 0x202;
	r.fs_base = self.fs_base;
	r.gs_base = self.gs_base;
	if ((err = lm_thread_write_regs(b->p->tcb, &r)) ||
	    (err = lm_thread_set_exception(b->p->tcb, (lm_u64)lm_exc_entry,
					   (lm_u64)fk.exc_stack + EXC_STACK_SIZE, EXC_STACK_SIZE)) ||
	    (err = lm_thread_set_priority(b->p->tcb, ti.priority)))
		return err;
	return lm_thread_resume(b->p->tcb);
}

int lm_fork_share(struct lm_fork_child *c, lm_cptr_t f, int exec)
{
	struct build *b = (struct build *)c;
	struct share_rec *rec = share_rec_of(b->sh);
	lm_u64 bit = 1ull << (f % 64);

	if (!f || f >= share_rec_slots(b->sh))
		return LM_ERANGE;
	rec->shared[f / 64] |= bit;
	if (exec)
		rec->exec[f / 64] |= bit;
	return LM_OK;
}

/*
 * The hot slots our child's record holds, given to it now as the server
 * would give them on its first touches (read-only, executable where the
 * page is; the record's bit cleared): each such page is then a fault the
 * child handles alone, with no request to us. What it gets is what it
 * could ask for, so the log (which the server thread writes while we read
 * it: a hint, no more) needs no trust. A slot we do not hold ourselves
 * (our parent's frame we never fetched) fails its copy and stays in the
 * record. The hot slots not in this record are dropped from the log.
 */
static void give_hot(struct build *b)
{
	struct share_rec *rec = share_rec_of(b->sh);
	lm_u32 nslots = share_rec_slots(b->sh), kept = 0;

	for (lm_u32 i = 0; i < fk.nhot && i < MAX_HOT; i++) {
		lm_u32 s = fk.hot[i];

		if (s >= nslots || !bit_test(rec->shared, s))
			continue;
		fk.hot[kept++] = (lm_u16)s;
		if (!lm_cnode_copy(b->p->cnode, s, LM_SLOT_CNODE, s,
				   LM_R_READ | (bit_test(rec->exec, s) ? LM_R_EXEC : 0)))
			rec->shared[s / 64] &= ~(1ull << (s % 64));
	}
	fk.nhot = kept;
}

lm_cptr_t lm_fork_child_cnode(const struct lm_fork_child *c)
{
	return ((const struct build *)c)->p->cnode;
}

/* With a memory manager: the child's chunk (moved into its CNode) is
 * still there. The manager may take it by force at any time (issue 13);
 * taken before the child starts, its copies of our memory went with it,
 * so the fork fails (LM_ENOMEM) instead of starting a child that faults at
 * once. Taken after this look, the child finds out itself. */
static int chunk_kept(struct build *b)
{
	lm_u64 desc;

	if (!b->sh || !b->sh->mem_badge)
		return LM_OK;
	if (lm_cnode_identify(b->p->cnode, b->child_ut, &desc, 0, 0) ||
	    LM_ID_TYPE(desc) != LM_OBJ_UNTYPED)
		return LM_ENOMEM;
	return LM_OK;
}

_Static_assert(sizeof(struct build) <= BUILD_PAGES * PAGE, "the build area holds it");

/* lm_fork's working state at BUILD_WINDOW, its frames made and mapped at
 * our first fork and kept (a child maps its own at its first fork). */
static struct build *build_area(void)
{
	for (lm_u32 i = 0; i < BUILD_PAGES; i++) {
		if (fk.build_frames[i])
			continue;
		if (lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &fk.build_frames[i]))
			return 0;
		if (map_here(fk.build_frames[i], BUILD_WINDOW + i * PAGE, LM_R_READ | LM_R_WRITE)) {
			lm_obj_free(fk.build_frames[i]);
			fk.build_frames[i] = 0;
			return 0;
		}
	}
	return (struct build *)BUILD_WINDOW;
}

static int fork_parent(struct lm_proc *p, const struct lm_regs *saved, lm_fork_hook hook,
		       void *arg)
{
	struct build *b;
	int err;

	if ((err = fork_setup()))
		return err;
	if (!(b = build_area())) /* one fork at a time */
		return LM_ENOMEM;
	memset(b, 0, __builtin_offsetof(struct build, pool)); /* 11 KiB in all */
	b->p = p;
	*p = (struct lm_proc){ 0 };
	/* Our slots are taken first fit (lm/slot.h: no slot below the hint
	 * is free), so the child's land low (child_cnode_bits) without a
	 * rescan from the bottom, which cost a word test per 64 slots in use
	 * for each slot taken. */
	err = make_objects(b);
	if (!err) {
		pick_stack(b, saved->rsp);
		err = share_segments(b);
	}
	if (!err)
		err = fill_private(b);
	if (!err)
		err = give_stack(b);
	if (!err)
		err = lm_cnode_move(p->cnode, b->child_ut, LM_SLOT_CNODE, b->child_ut);
	int counted = !err;
	if (!err) {
		/* From here a page we copy may still be the child's: keep it. */
		fk.nchildren++;
		if (hook)
			err = hook((struct lm_fork_child *)b, arg);
		if (!err)
			err = chunk_kept(b);
		if (!err) {
			give_hot(b);
			protect_ours(b->stack_va);
			err = start_child(b, saved);
		}
	}
	if (!err)
		lm_slot_free(b->child_ut);
	lm_slot_free(b->up_slot); /* it is the child's slot */
	for (lm_u32 i = 0; i < b->nfill && err; i++)
		lm_slot_free(b->fill[i]);
	if (err) {
		if (b->sh && b->sh->mem_badge) /* the account and its chunk */
			lm_mem_close(lm_mem_account(), b->sh->mem_badge, 0);
		if (b->sh)
			b->sh->mem_badge = 0;
		if (p->ut) {
			lm_cnode_revoke(LM_SLOT_CNODE, p->ut);
			lm_cnode_delete(LM_SLOT_CNODE, p->ut);
			lm_slot_free(p->ut);
		}
		if (b->sh && b->new_shell)
			shell_destroy(b->sh);
		else if (b->sh)
			shell_put(b->sh); /* emptied and kept again */
		if (counted)
			child_gone();
		lm_slot_free(b->child_ut);
		*p = (struct lm_proc){ 0 };
		return err;
	}
	return LM_OK;
}

/* The FPU and SSE state at the fork (an FXSAVE image), which the child
 * starts from as a Linux child does: its rounding modes and exception masks
 * (callee-saved by the ABI) are the parent's, not those its thread object
 * last held (a kept shell's thread ran a sibling). Private, so each process
 * saves its own while the child's copy is the parent's of that moment. */
static struct lm_fpu_state fork_fpu LM_PRIVATE;

int lm_fork_ex(struct lm_proc *p, lm_fork_hook hook, void *arg)
{
	struct lm_regs r;

	lm_fpu_save(&fork_fpu);
	if (lm_fork_save(&r) == 0) {
		lm_fpu_restore(&fork_fpu);
		return LM_FORK_CHILD;
	}
	return fork_parent(p, &r, hook, arg);
}

int lm_fork(struct lm_proc *p)
{
	return lm_fork_ex(p, 0, 0);
}

/* ---- reaping ------------------------------------------------------------------ */

int lm_fork_wait(struct lm_proc *p, struct lm_thread_info *ti)
{
	int err = lm_thread_join(p->tcb, fk.stopped, ti);

	if (err)
		return err;
	struct shell *sh = 0;
	for (lm_u32 i = 0; i < MAX_SHELLS && !sh; i++)
		if (fk.shells[i].state == SHELL_USED && fk.shells[i].tcb == p->tcb)
			sh = &fk.shells[i];
	if (!sh)
		return LM_ENOENT; /* not a child of lm_fork */
	if ((err = lm_thread_suspend(p->tcb)))
		return err;
	if (sh->mem_badge) {
		/* Its account ends: every chunk lent to it and to its own
		 * children's accounts is revoked, all they made with them. */
		if ((err = lm_mem_close(lm_mem_account(), sh->mem_badge, 0)))
			return err;
		sh->mem_badge = 0;
		fork_server_sync();
		shell_put(sh);
		*p = (struct lm_proc){ 0 };
		child_gone();
		return LM_OK;
	}
	/* Everything the child's memory made goes with one revoke; the
	 * untyped stays, whole, for the next child. */
	lm_u64 desc;
	if ((err = lm_cnode_revoke(LM_SLOT_CNODE, p->ut)) ||
	    (err = lm_cnode_identify(LM_SLOT_CNODE, p->ut, &desc, 0, 0)))
		return err;
	/* Its threads are gone; a request of theirs the server is in the
	 * middle of is finished before the place is emptied and reused. */
	fork_server_sync();
	if (fk.nspare < MAX_SPARE) {
		fk.spare[fk.nspare].slot = p->ut;
		fk.spare[fk.nspare++].bits = LM_ID_BITS(desc);
	} else {
		lm_cnode_delete(LM_SLOT_CNODE, p->ut);
		lm_slot_free(p->ut);
	}
	shell_put(sh);
	*p = (struct lm_proc){ 0 };
	child_gone();
	return LM_OK;
}

void lm_fork_set_pool_bits(lm_u32 bits)
{
	fk.pool_bits = bits;
}

void lm_fork_set_pool_floor(lm_u32 bits)
{
	fk.pool_floor = bits;
}

void lm_fork_set_asids(lm_u32 n)
{
	fk.asids = n;
}

lm_u32 lm_fork_generation(void)
{
	return fk.gen;
}

lm_u32 lm_fork_retired(void)
{
	return fk.nretired;
}

lm_u32 lm_fork_children(void)
{
	return fk.nchildren;
}
