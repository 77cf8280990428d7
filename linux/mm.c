/*
 * The Linux program's memory map: areas (what it may touch, with which
 * rights) and pages (the frames mapped so far), the fault hook that maps a
 * page on first touch, and the checks uaccess.c asks of it.
 *
 * Invariant: a page is in the page table below only if it lies in an area,
 * and it is mapped with the area's rights, less LM_R_WRITE while a fork
 * shares its frame. Frames come from liblamina's frame supply
 * (lm_vm_frame_get: zeroed, one slot each), so a page the program has not
 * written reads as zeros; a frame given back goes to lm_fork_retire, which
 * keeps it while a child may still ask for it.
 *
 * fork (process.c, lx_mm_fork_share): every frame in the table enters the
 * child's share record and our writable pages become read-only. The child
 * inherits the table (it is in our memory) but none of the mappings: its
 * first touch of a page fetches the frame from us (lm_fork_fetch) and maps
 * it read-only; the first write to a frame that is not its own (or that
 * children of its own may see) copies it (lm_fork_copy). A frame is a
 * process's own if it made it (lm_fork_owns); with no child alive, a write
 * to its own read-only page just makes it writable again.
 *
 * MAP_SHARED anonymous areas (LX_AREA_SHARED) are the exception: before a
 * fork every page of them gets a frame (untouched ones too:
 * lx_mm_fork_prepare) and the child gets a copy of each frame capability,
 * with write, in the same slot, before it first runs; neither side ever
 * copies them or maps them read-only for the other's sake. A shared frame
 * is freed as any other: unmapped and retired (kept while a child of ours
 * may still map it), so it lives until the last process that maps it lets
 * it go.
 */
#include "mm.h"
#include "thread.h"

struct lx_area lx_areas[LX_MAX_AREAS];
int lx_nareas;

/* ---- pages: virtual page number -> frame, open addressing ------------------- */

#define PT_BITS 14 /* 16384 pages: 48 MiB mapped at once (PT_FULL) */
#define PT_SIZE (1u << PT_BITS)
#define PT_FULL (PT_SIZE / 4 * 3) /* keep probes short */

static lm_u64 pt_key[PT_SIZE];  /* vpn + 1; 0 = empty */
static lm_u32 pt_frame[PT_SIZE]; /* slot numbers fit 32 bits */
static lm_u32 pt_used;
/* Bit i set iff pt_key[i] != 0: entries are added only by pt_put and
 * removed only by pt_remove, which keep it so. Walks of the whole table
 * (fork, execve's release) visit the entries through it (pt_next), not
 * 16,384 keys. */
static lm_u64 pt_occ[PT_SIZE / 64];

/* The first entry in use at index i or above; PT_SIZE when none. */
static lm_u32 pt_next(lm_u32 i)
{
	for (lm_u32 w = i / 64; w < PT_SIZE / 64; w++) {
		lm_u64 m = pt_occ[w] & (w == i / 64 ? ~0ull << (i % 64) : ~0ull);

		if (m)
			return w * 64 + (lm_u32)__builtin_ctzll(m);
	}
	return PT_SIZE;
}

/* Entry i, empty, becomes page va's in frame f. */
static void pt_put(lm_u32 i, lm_u64 va, lm_cptr_t f)
{
	pt_key[i] = va / LX_PAGE + 1;
	pt_frame[i] = (lm_u32)f;
	pt_occ[i / 64] |= 1ull << (i % 64);
	pt_used++;
}

/* A run of 64 neighbouring pages (256 KiB) has neighbouring homes, so a
 * program's pages, which come in runs (text, data, heap, stack), sit in
 * few pages of the table: each page of it a forked child touches is a
 * fault, and a write to one (execve's release, its new entries) a copy.
 * The runs are spread by the multiplicative hash. The price: longer
 * probes where runs collide, in a table filled towards PT_FULL. */
#define PT_RUN_BITS 6
static lm_u32 pt_home(lm_u64 key)
{
	lm_u64 vpn = key - 1, run = vpn >> PT_RUN_BITS;

	return (lm_u32)(((run * 0x9e3779b97f4a7c15ull) >> (64 - PT_BITS + PT_RUN_BITS)) << PT_RUN_BITS |
			(vpn & ((1u << PT_RUN_BITS) - 1)));
}

static lm_u32 pt_find(lm_u64 va)
{
	lm_u64 key = va / LX_PAGE + 1;
	lm_u32 i = pt_home(key);

	while (pt_key[i] && pt_key[i] != key)
		i = (i + 1) & (PT_SIZE - 1);
	return i;
}

/* Remove slot i, shifting later members of its probe run back into the hole
 * (no tombstones, so lookups stay short). */
static void pt_remove(lm_u32 i)
{
	lm_u32 j = i;

	pt_key[i] = 0;
	pt_occ[i / 64] &= ~(1ull << (i % 64));
	pt_used--;
	for (;;) {
		j = (j + 1) & (PT_SIZE - 1);
		if (!pt_key[j])
			return;
		lm_u32 h = pt_home(pt_key[j]);
		/* j's entry may fill the hole at i unless its home lies in (i, j]. */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		pt_key[i] = pt_key[j];
		pt_frame[i] = pt_frame[j];
		pt_occ[i / 64] |= 1ull << (i % 64);
		pt_key[j] = 0;
		pt_occ[j / 64] &= ~(1ull << (j % 64));
		i = j;
	}
}

/* A frame leaves the table: unmapped, kept while a child may ask for it. */
static void frame_drop(lm_cptr_t f)
{
	if (lm_fork_forget(f))
		return; /* inherited at fork, never fetched: not mapped, not held */
	lm_vspace_unmap(f);
	lm_fork_retire(f);
}

/* Whether a page of frame f may be mapped writable now: not while a fork
 * shares it. */
static int frame_private(lm_cptr_t f)
{
	return !lm_fork_children() && lm_fork_owns(f);
}

static lm_u64 rights_of(lm_u32 prot)
{
	lm_u64 r = LM_R_READ;

	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return 0;
	if (prot & PROT_WRITE)
		r |= LM_R_WRITE;
	if (prot & PROT_EXEC)
		r |= LM_R_EXEC;
	return r;
}

/* Whether the page at va is in a SHARED area (its frame is never copied). */
static int page_shared(lm_u64 va)
{
	struct lx_area *a = lx_area_at(va);

	return a && a->kind == LX_AREA_SHARED;
}

/* Map a fresh zeroed frame at page va (rights 0: the frame only, mapped at
 * the next touch). */
static int page_map(lm_u64 va, lm_u64 rights)
{
	lm_u32 i = pt_find(va);
	lm_cptr_t f;

	if (pt_key[i])
		return 0;
	if (pt_used >= PT_FULL || lm_vm_frame_get(&f))
		return -ENOMEM;
	if (rights && lm_map_page(LM_SLOT_VSPACE, f, va, rights)) {
		lm_vm_frame_put(f);
		return -ENOMEM;
	}
	pt_put(i, va, f);
	return 0;
}

int lx_page_adopt(lm_u64 va, lm_cptr_t f)
{
	lm_u32 i = pt_find(va);

	lm_vspace_unmap(f);
	if (pt_key[i] || pt_used >= PT_FULL ||
	    lm_map_page(LM_SLOT_VSPACE, f, va, LM_R_READ | LM_R_WRITE)) {
		lm_vm_frame_put(f);
		return -ENOMEM;
	}
	pt_put(i, va, f);
	return 0;
}

void lx_pages_release(lm_u64 lo, lm_u64 hi)
{
	if ((hi - lo) / LX_PAGE <= PT_SIZE) {
		for (lm_u64 va = lo; va < hi; va += LX_PAGE) {
			lm_u32 i = pt_find(va);

			if (pt_key[i]) {
				frame_drop(pt_frame[i]);
				pt_remove(i);
			}
		}
		return;
	}
	/* A range larger than the table: visit the table's entries instead.
	 * A removal shifts another entry into slot i, so i is looked at
	 * again. */
	for (lm_u32 i = pt_next(0); i < PT_SIZE;) {
		lm_u64 va = (pt_key[i] - 1) * LX_PAGE;

		if (va >= lo && va < hi) {
			frame_drop(pt_frame[i]);
			pt_remove(i);
			i = pt_next(i);
		} else {
			i = pt_next(i + 1);
		}
	}
}

int lx_pages_move(lm_u64 lo, lm_u64 len, lm_u64 to, lm_u32 prot)
{
	for (lm_u64 off = 0; off < len; off += LX_PAGE) {
		lm_u32 i = pt_find(lo + off);
		lm_cptr_t f = pt_frame[i];

		if (!pt_key[i])
			continue;
		pt_remove(i);
		lm_vspace_unmap(f);
		i = pt_find(to + off);
		lm_u64 r = rights_of(prot) &
			   (frame_private(f) || page_shared(to) ? ~0ull : ~(lm_u64)LM_R_WRITE);
		if (lm_map_page(LM_SLOT_VSPACE, f, to + off, r)) {
			frame_drop(f);
			return -ENOMEM;
		}
		pt_put(i, to + off, f);
	}
	return 0;
}

/* ---- areas ----------------------------------------------------------------- */

int lx_range_valid(lm_u64 lo, lm_u64 hi)
{
	/* never the personality's own pages: its image, and the file
	 * server's page, the IPC buffer, the signal page, the capture and
	 * terminal pages the whole tree shares (a program's MAP_FIXED there
	 * made them its memory: the fuzzer's child wrote its reads into the
	 * tree's capture buffer, and the top process faulted flushing it) */
	return lo < hi && lo >= LX_LOW && hi <= LX_OWN_BASE &&
	       (hi <= LX_LIBOS_BASE || lo >= LX_LIBOS_END);
}

struct lx_area *lx_area_at(lm_u64 addr)
{
	for (int i = 0; i < lx_nareas && lx_areas[i].lo <= addr; i++)
		if (addr < lx_areas[i].hi)
			return &lx_areas[i];
	return 0;
}

int lx_range_free(lm_u64 lo, lm_u64 hi)
{
	for (int i = 0; i < lx_nareas; i++)
		if (lx_areas[i].lo < hi && lo < lx_areas[i].hi)
			return 0;
	return 1;
}

int lx_range_covered(lm_u64 lo, lm_u64 hi)
{
	while (lo < hi) {
		struct lx_area *a = lx_area_at(lo);

		if (!a)
			return 0;
		lo = a->hi;
	}
	return 1;
}

/* Whether a page of [lo, hi) lost its frame to the memory manager
 * (mm_revoke.c): in the table, its slot empty, and not a frame our parent
 * still gives (inherited at fork, never fetched: fetched now, as the
 * touch would). Looked at only once something was taken: a capability
 * lookup per page in the table. */
static int pages_lost(lm_u64 lo, lm_u64 hi)
{
	lm_u64 desc;

	if ((hi - lo) / LX_PAGE > PT_SIZE)
		return 0; /* not walked: the touch itself is SIGBUS */
	for (lm_u64 va = LX_PAGE_DOWN(lo); va < hi; va += LX_PAGE) {
		lm_u32 i = pt_find(va);

		if (!pt_key[i] || (!lm_cnode_identify(LM_SLOT_CNODE, pt_frame[i], &desc, 0, 0) &&
				   LM_ID_TYPE(desc) != LM_OBJ_NULL))
			continue;
		if (lm_fork_fetch(pt_frame[i]))
			return 1;
	}
	return 0;
}

int lx_mm_allows(lm_u64 addr, lm_u64 len, lm_u32 prot)
{
	lm_u64 end = addr + len, lo = addr;

	if (end < addr)
		return 0;
	while (addr < end) {
		struct lx_area *a = lx_area_at(addr);

		if (!a || a->kind == LX_AREA_BUS)
			return 0;
		/* x86 pages that can be written or run can be read */
		lm_u32 eff = a->prot | (a->prot & (PROT_WRITE | PROT_EXEC) ? PROT_READ : 0);

		if ((eff & prot) != prot)
			return 0;
		addr = a->hi;
	}
	/* A page taken by force: EFAULT, as Linux's copy from a truncated
	 * file mapping (the personality would fault in its own copy). */
	return !lx_mem_lost || !pages_lost(lo, end);
}

/* Cut [lo, hi) out of the areas (pages untouched). Needs at most one free
 * record (when [lo, hi) splits one area in two). */
static int area_cut(lm_u64 lo, lm_u64 hi)
{
	lx_img_touch(lo, hi);
	for (int i = 0; i < lx_nareas; i++) {
		struct lx_area *a = &lx_areas[i];

		if (a->hi <= lo || a->lo >= hi)
			continue;
		if (a->lo < lo && a->hi > hi) {
			if (lx_nareas == LX_MAX_AREAS)
				return -ENOMEM;
			memmove(a + 2, a + 1, (lx_nareas - i - 1) * sizeof *a);
			a[1] = (struct lx_area){ hi, a->hi, a->prot, a->kind };
			a->hi = lo;
			lx_nareas++;
			return 0;
		}
		if (a->lo < lo) {
			a->hi = lo;
		} else if (a->hi > hi) {
			a->lo = hi;
		} else {
			memmove(a, a + 1, (lx_nareas - i - 1) * sizeof *a);
			lx_nareas--;
			i--;
		}
	}
	return 0;
}

/* Insert a free range, merged with equal neighbours. */
static int area_insert(lm_u64 lo, lm_u64 hi, lm_u32 prot, lm_u32 kind)
{
	int i = 0;

	lx_img_touch(lo, hi);
	while (i < lx_nareas && lx_areas[i].lo < lo)
		i++;
	struct lx_area *l = i > 0 ? &lx_areas[i - 1] : 0;
	struct lx_area *r = i < lx_nareas ? &lx_areas[i] : 0;
	int left = l && l->hi == lo && l->prot == prot && l->kind == kind;
	int right = r && r->lo == hi && r->prot == prot && r->kind == kind;

	if (left && right) {
		l->hi = r->hi;
		memmove(r, r + 1, (lx_nareas - i - 1) * sizeof *r);
		lx_nareas--;
	} else if (left) {
		l->hi = hi;
	} else if (right) {
		r->lo = lo;
	} else {
		if (lx_nareas == LX_MAX_AREAS)
			return -ENOMEM;
		memmove(&lx_areas[i + 1], &lx_areas[i], (lx_nareas - i) * sizeof *r);
		lx_areas[i] = (struct lx_area){ lo, hi, prot, kind };
		lx_nareas++;
	}
	return 0;
}

int lx_mm_add_kind(lm_u64 lo, lm_u64 hi, lm_u32 prot, lm_u32 kind)
{
	if (!lx_range_valid(lo, hi) || !lx_range_free(lo, hi))
		return -ENOMEM;
	return area_insert(lo, hi, prot, kind);
}

int lx_mm_add(lm_u64 lo, lm_u64 hi, lm_u32 prot)
{
	return lx_mm_add_kind(lo, hi, prot, LX_AREA_ANON);
}

int lx_unmap(lm_u64 lo, lm_u64 hi)
{
	if (lx_nareas + 1 > LX_MAX_AREAS)
		return -ENOMEM; /* checked first: a failed call changes nothing */
	lx_pages_release(lo, hi);
	return area_cut(lo, hi);
}

/* Area by area, each keeping its kind: only the first and the last may
 * be split, so two free records are all it needs. Holes in [lo, hi) are
 * skipped (mprotect checked there are none). */
int lx_mm_protect(lm_u64 lo, lm_u64 hi, lm_u32 prot)
{
	if (lx_nareas + 2 > LX_MAX_AREAS)
		return -ENOMEM;
	while (lo < hi) {
		struct lx_area *a = lx_area_at(lo);
		lm_u64 end;
		lm_u32 kind;

		if (!a) {
			lo += LX_PAGE;
			continue;
		}
		end = a->hi < hi ? a->hi : hi;
		kind = a->kind;
		area_cut(lo, end);
		area_insert(lo, end, prot, kind);
		/* pages not touched yet are skipped; they map with prot later.
		 * While private pages may be shared with a fork, write comes
		 * back page by page (the fault hook copies, or gives it back
		 * to a page of our own); SHARED pages are written in place. */
		lm_u64 r = rights_of(prot);
		if (kind != LX_AREA_SHARED && (lm_fork_children() || lm_fork_generation()))
			r &= ~(lm_u64)LM_R_WRITE;
		lm_vm_protect_range(lo, (end - lo) / LX_PAGE, r);
		lo = end;
	}
	return 0;
}

int lx_mm_populate(lm_u64 lo, lm_u64 hi)
{
	for (lm_u64 va = lo; va < hi; va += LX_PAGE) {
		int err = page_map(va, LM_R_READ | LM_R_WRITE);

		if (err)
			return err;
	}
	return lm_vm_protect_range(lo, (hi - lo) / LX_PAGE, LM_R_READ | LM_R_WRITE) ? -ENOMEM : 0;
}


void lx_mm_reset(void)
{
	lx_pages_release(LX_LOW, LX_HIGH);
	lx_nareas = 0;
}

lm_u64 lx_find_gap(lm_u64 len)
{
	lm_u64 top = LX_MMAP_TOP;

	for (int i = lx_nareas - 1;; i--) {
		lm_u64 floor = i >= 0 ? lx_areas[i].hi : 0;

		if (floor < LX_MMAP_BOTTOM)
			floor = LX_MMAP_BOTTOM;
		if (floor < top && top - floor >= len)
			return top - len;
		if (i < 0)
			return 0;
		if (lx_areas[i].lo < top)
			top = lx_areas[i].lo;
		if (top <= LX_MMAP_BOTTOM)
			return 0;
	}
}

/* For -t: how much of the program is in memory at its end. */
void lx_mm_report(void)
{
	lm_printf("[linux] %u pages mapped (%u KiB), %d areas\n", pt_used, pt_used * 4, lx_nareas);
}

/* ---- the fault hook ---------------------------------------------------------- */

static struct lm_vm_region region;
static lm_u8 exc_stack[16384] __attribute__((aligned(16)));

/* Before a fork: every page of a SHARED area gets its frame (the child
 * maps the same one). Before lm_fork_ex, not in its hook: the child's
 * copy of liblamina's slot allocator and frame supply is made before the
 * hook runs, so a frame made there would be free in the child's eyes.
 * Counted first: a fork that cannot have them all takes none. */
int lx_mm_fork_prepare(void)
{
	lm_u64 need = 0;

	for (int k = 0; k < lx_nareas; k++) {
		struct lx_area *a = &lx_areas[k];

		if (a->kind == LX_AREA_SHARED && (a->hi - a->lo) / LX_PAGE > PT_FULL)
			return -ENOMEM; /* never walk a huge one */
		for (lm_u64 va = a->lo; a->kind == LX_AREA_SHARED && va < a->hi; va += LX_PAGE)
			need += !pt_key[pt_find(va)];
	}
	if (pt_used + need > PT_FULL)
		return -ENOMEM;
	for (int k = 0; k < lx_nareas; k++) {
		struct lx_area *a = &lx_areas[k];

		for (lm_u64 va = a->lo; a->kind == LX_AREA_SHARED && va < a->hi; va += LX_PAGE)
			if (!pt_key[pt_find(va)] && page_map(va, 0))
				return -ENOMEM;
	}
	return 0;
}

/* Fork: the child gets a capability to every SHARED page's frame in the
 * same slot, with write whatever the area's rights now (its mprotect may
 * add it back). */
static int fork_shared(struct lm_fork_child *c)
{
	lm_cptr_t cn = lm_fork_child_cnode(c);

	for (int k = 0; k < lx_nareas; k++) {
		struct lx_area *a = &lx_areas[k];

		for (lm_u64 va = a->lo; a->kind == LX_AREA_SHARED && va < a->hi; va += LX_PAGE) {
			lm_u32 i = pt_find(va);

			if (!pt_key[i] || lm_cnode_copy(cn, pt_frame[i], LM_SLOT_CNODE, pt_frame[i],
							LM_R_READ | LM_R_WRITE | LM_R_EXEC))
				return -ENOMEM;
		}
	}
	return 0;
}

/* Fork: every frame of the table to child c; our writable pages read-only,
 * one VSPACE_PROTECT per writable area rather than one per page (holes
 * are skipped by the kernel; a 1 MiB area was 256 calls). Every page
 * mapped in an area is in the table, so the two cover the same pages.
 * SHARED areas stay as they are: fork_shared gave the child their frames. */
int lx_mm_fork_share(struct lm_fork_child *c)
{
	struct lx_area *a = 0; /* the last entry's: most pages are in a few areas */

	if (fork_shared(c))
		return -ENOMEM;
	for (lm_u32 i = pt_next(0); i < PT_SIZE; i = pt_next(i + 1)) {
		lm_u64 va = (pt_key[i] - 1) * LX_PAGE;

		if ((!a || va < a->lo || va >= a->hi) && !(a = lx_area_at(va)))
			continue;
		if (a->kind == LX_AREA_SHARED)
			continue;
		if (lm_fork_share(c, pt_frame[i], a->prot & PROT_EXEC))
			return -ENOMEM;
	}
	for (int i = 0; i < lx_nareas; i++) {
		struct lx_area *w = &lx_areas[i];

		if ((w->prot & PROT_WRITE) && w->kind != LX_AREA_SHARED &&
		    lm_vm_protect_range(w->lo, (w->hi - w->lo) / LX_PAGE,
					rights_of(w->prot) & ~(lm_u64)LM_R_WRITE))
			return -ENOMEM;
	}
	return 0;
}

/* A page in the table not mapped here: inherited at fork. Its frame is
 * fetched from our parent the first time, and mapped read-only unless it
 * is our own. */
static int map_inherited(lm_u64 va, lm_cptr_t f, lm_u64 rights, int shared)
{
	if (!shared && !frame_private(f))
		rights &= ~(lm_u64)LM_R_WRITE;
	if (!lm_map_page(LM_SLOT_VSPACE, f, va, rights))
		return LM_VM_HANDLED;
	/* A frame of our own whose slot is empty was taken by force: never
	 * asked of our parent, which might hold another page in that slot. */
	if (lm_fork_owns(f) || lm_fork_fetch(f) || lm_map_page(LM_SLOT_VSPACE, f, va, rights))
		return LM_VM_PASS;
	return LM_VM_HANDLED;
}

/* A write to a read-only page of a writable area: shared at a fork. */
static int write_shared(lm_u64 va, lm_u32 i, lm_u64 rights, int shared)
{
	lm_cptr_t f = pt_frame[i], nf;

	if (shared || frame_private(f))
		return lm_vspace_protect(LM_SLOT_VSPACE, va, 1, rights, 0) ? LM_VM_PASS : LM_VM_HANDLED;
	if (lm_fork_copy(va, rights, f, &nf))
		return LM_VM_PASS;
	pt_frame[i] = (lm_u32)nf;
	return LM_VM_HANDLED;
}

/* A first touch inside an area, with an access its rights allow: map a
 * zeroed page, or an inherited one; a write to a shared page: copy it.
 * Anything else is the program's fault (the fallback). */
static int mm_fault_locked(const struct lm_vm_fault *f)
{
	struct lx_area *a = lx_area_at(f->addr);
	lm_u32 need = f->access == LM_VM_WRITE ? PROT_WRITE :
		      f->access == LM_VM_EXEC ? PROT_EXEC : PROT_READ;
	lm_u64 va = LX_PAGE_DOWN(f->addr);

	if (!a || a->kind == LX_AREA_BUS || !((a->prot | (a->prot ? PROT_READ : 0)) & need))
		return LM_VM_PASS; /* past a file's end: SIGBUS (signal_deliver.c) */
	lm_u32 i = pt_find(va);
	int shared = a->kind == LX_AREA_SHARED;
	if (f->present)
		return pt_key[i] && need == PROT_WRITE
			       ? write_shared(va, i, rights_of(a->prot), shared) : LM_VM_PASS;
	if (pt_key[i]) {
		int r = map_inherited(va, pt_frame[i], rights_of(a->prot), shared);

		/* A write to a page mapped read-only just now is copied at
		 * once, not at a second fault when it is retried. */
		if (r == LM_VM_HANDLED && need == PROT_WRITE && !shared && !frame_private(pt_frame[i]))
			return write_shared(va, i, rights_of(a->prot), shared);
		return r;
	}
	return page_map(va, rights_of(a->prot)) ? LM_VM_PASS : LM_VM_HANDLED;
}

/* The lock nests: a fault while the personality copies in or out. */
static int mm_fault(struct lm_vm_region *r, const struct lm_vm_fault *f)
{
	int res;

	lx_lock();
	res = mm_fault_locked(f);
	if (res == LM_VM_PASS) {
		/* Memory taken by force meanwhile? Its records read, the pool
		 * and frame supply rid of it (mm_revoke.c), once more: a page
		 * never mapped gets a frame that is there; one whose frame was
		 * taken still fails, and the fallback sends SIGBUS. */
		lx_mem_poll();
		res = mm_fault_locked(f);
	}
	lx_unlock();
	return res;
}

int lx_mm_init(void)
{
	int err = lm_vm_init(LM_SLOT_TCB, exc_stack + sizeof exc_stack, sizeof exc_stack);

	if (!err)
		err = lm_vm_region_add(&region, LX_LOW, LX_HIGH - LX_LOW, mm_fault, 0);
	lm_vm_set_fallback(lx_sig_fault); /* the program's faults: signals */
	return err ? -ENOMEM : 0;
}

lm_u64 lx_mm_shared_key(lm_u64 uaddr)
{
	lm_u32 i = pt_find(uaddr);
	lm_u64 desc, paddr;

	if (!page_shared(uaddr) || !pt_key[i] ||
	    lm_cnode_identify(LM_SLOT_CNODE, pt_frame[i], &desc, &paddr, 0) ||
	    LM_ID_TYPE(desc) != LM_OBJ_FRAME)
		return 0;
	return paddr + (uaddr & (LX_PAGE - 1));
}

void lx_mm_usage(lm_u64 *vsize, lm_u64 *rss)
{
	*vsize = 0;
	for (int i = 0; i < lx_nareas; i++)
		*vsize += lx_areas[i].hi - lx_areas[i].lo;
	*rss = pt_used;
}
