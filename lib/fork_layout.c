/* liblamina's fork: what the process has mapped that a child may share,
 * learnt once and kept up to date at every fork (lm/fork.h). */
#include "fork_int.h"

/* Private: the fault path reads them before it can fix a page. */
struct seg segs[MAX_SEGS] LM_PRIVATE;
lm_u32 nsegs LM_PRIVATE;

static int seg_add(lm_u64 base, lm_u64 npages, lm_u64 rights, lm_cptr_t *frames,
		   struct lm_vm_anon *anon)
{
	struct seg *s;

	lm_u32 i;

	for (i = 0; i < nsegs && segs[i].frames; i++)
		; /* a hole left by a region that is gone, or a new one */
	if (i == MAX_SEGS)
		return LM_ELIMIT;
	s = &segs[i];
	s->rights = rights;
	s->frames = frames;
	s->anon = anon;
	if (rights & LM_R_WRITE) {
		int err = lm_vm_region_add(&s->r, base, npages * PAGE, fork_cow_hook, s);

		if (err)
			return err;
	} else {
		s->r.base = base;
		s->r.size = npages * PAGE;
	}
	if (i == nsegs)
		nsegs++;
	return LM_OK;
}

/* ---- learning the process's own layout (once) ------------------------------ */

struct bootpage {
	lm_u64 va, rights;
	lm_cptr_t slot;
};

/* Its image, stack and bootinfo page: the frames in its boot slots. */
static int scan_boot(void)
{
	const struct lm_bootinfo *bi = (const struct lm_bootinfo *)LM_BOOTINFO_VADDR;
	static struct bootpage bp[MAX_BOOT_PAGES];
	lm_u32 n = 0;

	for (lm_cptr_t s = bi->boot_first; s < bi->boot_end; s++) {
		lm_u64 desc, addr, va, st, rights;

		if (lm_cnode_identify(LM_SLOT_CNODE, s, &desc, &addr, &va) ||
		    LM_ID_TYPE(desc) != LM_OBJ_FRAME || !(desc & LM_ID_MAPPED) ||
		    LM_ID_BITS(desc) != LM_PAGE_BITS)
			continue;
		if (va >= LM_CHILD_MODULE_VADDR && va < LM_SPAWN_STACK_TOP - (1ull << 30))
			continue; /* boot modules: not inherited */
		if (lm_vspace_page_state(LM_SLOT_VSPACE, va, 0, &st, &rights))
			continue;
		if (n == MAX_BOOT_PAGES)
			return LM_ELIMIT;
		bp[n++] = (struct bootpage){ va, rights, s };
	}
	for (lm_u32 i = 1; i < n; i++) /* by address; usually sorted already */
		for (lm_u32 j = i; j > 0 && bp[j - 1].va > bp[j].va; j--) {
			struct bootpage t = bp[j];
			bp[j] = bp[j - 1];
			bp[j - 1] = t;
		}
	for (lm_u32 i = 0; i < n;) {
		lm_u32 j = i + 1;

		while (j < n && bp[j].va == bp[j - 1].va + PAGE && bp[j].rights == bp[i].rights)
			j++;
		for (lm_u32 k = i; k < j; k++)
			fk.boot[k] = bp[k].slot;
		int err = seg_add(bp[i].va, j - i, bp[i].rights, &fk.boot[i], 0);
		if (err)
			return err;
		i = j;
	}
	return LM_OK;
}

static int anon_live(const struct lm_vm_anon *a)
{
	for (struct lm_vm_anon *q = lm_vm_anon_next(0); q; q = lm_vm_anon_next(q))
		if (q == a)
			return 1;
	return 0;
}

/* Before every fork: the segments of on-demand regions that are gone are
 * dropped, new ones get theirs, and every writable segment's hook is
 * registered (lm_vm_fini may have removed them all). */
static int refresh_segs(void)
{
	for (lm_u32 i = 0; i < nsegs; i++)
		if (segs[i].anon && !anon_live(segs[i].anon)) {
			lm_vm_region_remove(&segs[i].r);
			segs[i].anon = 0;
			segs[i].frames = 0; /* a hole: skipped from now on */
		}
	for (struct lm_vm_anon *a = lm_vm_anon_next(0); a; a = lm_vm_anon_next(a)) {
		lm_u32 i;

		for (i = 0; i < nsegs && segs[i].anon != a; i++)
			;
		if (i == nsegs) {
			int err = seg_add(a->r.base, a->r.size / PAGE, a->rights, a->frames, a);
			if (err)
				return err;
		}
	}
	/* Ours go first, newest: a fault on a page of ours is then handled
	 * without reading anyone else's region (in a child those may not be
	 * mapped yet). */
	for (lm_u32 i = 0; i < nsegs; i++)
		if (segs[i].frames && (segs[i].rights & LM_R_WRITE)) {
			lm_vm_region_remove(&segs[i].r);
			lm_vm_region_add(&segs[i].r, segs[i].r.base, segs[i].r.size, fork_cow_hook,
					 &segs[i]);
		}
	return LM_OK;
}

/* Before every fork: the process's layout learnt (once), its default pool
 * moved to private pages (the fault path allocates from it, so it must
 * never be copy-on-write), the dispatcher on the main thread with the
 * private exception stack. */
int fork_setup(void)
{
	struct lm_pool *p = lm_pool_current();
	int err;

	if (!p)
		return LM_ENOMEM;
	if (!fk.pool_bits)
		fk.pool_bits = 22;
	if (!fk.ready && (err = scan_boot()))
		return err;
	fk.ready = 1;
	if (p != &fk.pool) {
		fk.pool = *p;
		lm_pool_use(&fk.pool);
	}
	if ((err = lm_vm_init(LM_SLOT_TCB, fk.exc_stack + EXC_STACK_SIZE, EXC_STACK_SIZE)) ||
	    (err = fork_server_start()))
		return err;
	lm_vm_release = fork_release_mapped;
	return refresh_segs();
}
