/*
 * The Linux program's memory map: areas (what it may touch, with which
 * rights) and pages (the frames mapped so far), the fault hook that maps a
 * page on first touch, and the checks uaccess.c asks of it.
 *
 * Invariant: a page is in the page table below only if it lies in an area,
 * and it is mapped with the area's rights. Frames come from liblamina's
 * frame supply (lm_vm_frame_get: zeroed, one slot each), so a page the
 * program has not written reads as zeros, and giving a frame back
 * (lm_vm_frame_put) deletes it, which unmaps it.
 */
#include "mm.h"

struct lx_area lx_areas[LX_MAX_AREAS];
int lx_nareas;

/* ---- pages: virtual page number -> frame, open addressing ------------------- */

#define PT_BITS 14 /* 16384 pages: 48 MiB mapped at once (PT_FULL) */
#define PT_SIZE (1u << PT_BITS)
#define PT_FULL (PT_SIZE / 4 * 3) /* keep probes short */

static lm_u64 pt_key[PT_SIZE];  /* vpn + 1; 0 = empty */
static lm_u32 pt_frame[PT_SIZE]; /* slot numbers fit 32 bits */
static lm_u32 pt_used;

static lm_u32 pt_home(lm_u64 key)
{
	return (lm_u32)((key * 0x9e3779b97f4a7c15ull) >> (64 - PT_BITS));
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
		pt_key[j] = 0;
		i = j;
	}
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

/* Map a fresh zeroed frame at page va. */
static int page_map(lm_u64 va, lm_u64 rights)
{
	lm_u32 i = pt_find(va);
	lm_cptr_t f;

	if (pt_key[i])
		return 0;
	if (pt_used >= PT_FULL || lm_vm_frame_get(&f))
		return -ENOMEM;
	if (lm_map_page(LM_SLOT_VSPACE, f, va, rights)) {
		lm_vm_frame_put(f);
		return -ENOMEM;
	}
	pt_key[i] = va / LX_PAGE + 1;
	pt_frame[i] = f;
	pt_used++;
	return 0;
}

void lx_pages_release(lm_u64 lo, lm_u64 hi)
{
	if ((hi - lo) / LX_PAGE <= PT_SIZE) {
		for (lm_u64 va = lo; va < hi; va += LX_PAGE) {
			lm_u32 i = pt_find(va);

			if (pt_key[i]) {
				lm_vm_frame_put(pt_frame[i]);
				pt_remove(i);
			}
		}
		return;
	}
	/* A range larger than the table: visit the table instead. A removal
	 * shifts another entry into slot i, so i is looked at again. */
	for (lm_u32 i = 0; i < PT_SIZE; i++) {
		lm_u64 va = (pt_key[i] - 1) * LX_PAGE;

		if (pt_key[i] && va >= lo && va < hi) {
			lm_vm_frame_put(pt_frame[i]);
			pt_remove(i--);
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
		if (lm_map_page(LM_SLOT_VSPACE, f, to + off, rights_of(prot))) {
			lm_vm_frame_put(f);
			return -ENOMEM;
		}
		pt_key[i] = (to + off) / LX_PAGE + 1;
		pt_frame[i] = f;
		pt_used++;
	}
	return 0;
}

/* ---- areas ----------------------------------------------------------------- */

int lx_range_valid(lm_u64 lo, lm_u64 hi)
{
	return lo < hi && lo >= LX_LOW && hi <= LX_HIGH &&
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

int lx_mm_allows(lm_u64 addr, lm_u64 len, lm_u32 prot)
{
	lm_u64 end = addr + len;

	if (end < addr)
		return 0;
	while (addr < end) {
		struct lx_area *a = lx_area_at(addr);

		if (!a)
			return 0;
		/* x86 pages that can be written or run can be read */
		lm_u32 eff = a->prot | (a->prot & (PROT_WRITE | PROT_EXEC) ? PROT_READ : 0);

		if ((eff & prot) != prot)
			return 0;
		addr = a->hi;
	}
	return 1;
}

/* Cut [lo, hi) out of the areas (pages untouched). Needs at most one free
 * record (when [lo, hi) splits one area in two). */
static int area_cut(lm_u64 lo, lm_u64 hi)
{
	for (int i = 0; i < lx_nareas; i++) {
		struct lx_area *a = &lx_areas[i];

		if (a->hi <= lo || a->lo >= hi)
			continue;
		if (a->lo < lo && a->hi > hi) {
			if (lx_nareas == LX_MAX_AREAS)
				return -ENOMEM;
			memmove(a + 2, a + 1, (lx_nareas - i - 1) * sizeof *a);
			a[1] = (struct lx_area){ hi, a->hi, a->prot };
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
static int area_insert(lm_u64 lo, lm_u64 hi, lm_u32 prot)
{
	int i = 0;

	while (i < lx_nareas && lx_areas[i].lo < lo)
		i++;
	struct lx_area *l = i > 0 ? &lx_areas[i - 1] : 0;
	struct lx_area *r = i < lx_nareas ? &lx_areas[i] : 0;
	int left = l && l->hi == lo && l->prot == prot;
	int right = r && r->lo == hi && r->prot == prot;

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
		lx_areas[i] = (struct lx_area){ lo, hi, prot };
		lx_nareas++;
	}
	return 0;
}

int lx_mm_add(lm_u64 lo, lm_u64 hi, lm_u32 prot)
{
	if (!lx_range_valid(lo, hi) || !lx_range_free(lo, hi))
		return -ENOMEM;
	return area_insert(lo, hi, prot);
}

int lx_unmap(lm_u64 lo, lm_u64 hi)
{
	if (lx_nareas + 1 > LX_MAX_AREAS)
		return -ENOMEM; /* checked first: a failed call changes nothing */
	lx_pages_release(lo, hi);
	return area_cut(lo, hi);
}

int lx_mm_protect(lm_u64 lo, lm_u64 hi, lm_u32 prot)
{
	if (lx_nareas + 2 > LX_MAX_AREAS)
		return -ENOMEM;
	area_cut(lo, hi);
	area_insert(lo, hi, prot);
	/* holes (pages not touched yet) are skipped; they map with prot later */
	lm_vm_protect_range(lo, (hi - lo) / LX_PAGE, rights_of(prot));
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

/* A first touch inside an area, with an access its rights allow: map a
 * zeroed page. Anything else is the program's fault (the fallback). */
static int mm_fault(struct lm_vm_region *r, const struct lm_vm_fault *f)
{
	struct lx_area *a = lx_area_at(f->addr);
	lm_u32 need = f->access == LM_VM_WRITE ? PROT_WRITE :
		      f->access == LM_VM_EXEC ? PROT_EXEC : PROT_READ;

	if (!a || f->present || !((a->prot | (a->prot ? PROT_READ : 0)) & need))
		return LM_VM_PASS;
	return page_map(LX_PAGE_DOWN(f->addr), rights_of(a->prot)) ? LM_VM_PASS : LM_VM_HANDLED;
}

int lx_mm_init(void)
{
	int err = lm_vm_init(LM_SLOT_TCB, exc_stack + sizeof exc_stack, sizeof exc_stack);

	if (!err)
		err = lm_vm_region_add(&region, LX_LOW, LX_HIGH - LX_LOW, mm_fault, 0);
	lm_vm_set_fallback(lx_sig_fault); /* the program's faults: signals */
	return err ? -ENOMEM : 0;
}
