/* kbench: vm benchmarks (see kbench.h): the page-level primitives and the
 * Appel-Li operations through liblamina's lm/vm.h, each defined as its
 * counterpart in bench/linux/lbench.c (docs/BENCHMARKS.md). */
#include "kbench.h"

#define VM_VA    0x680000000ull /* 100 touched pages: prot, trap, appel */
#define PF_VA    0x6c0000000ull /* pagefault's on-demand region */
#define NPAGES   100
#define PF_PAGES 256
#define PG       LM_PAGE_SIZE
#define BATCHES  12             /* bench(): a warm-up and 11 timed */

static lm_u8 vm_exc_stack[16384] __attribute__((aligned(16)));
static lm_cptr_t frames[NPAGES], pf_frames[PF_PAGES];
static struct lm_vm_anon mem, pf_mem;
static struct lm_vm_region trap_region;
static lm_u64 faults;
static long appel_prev = -1;

static void touch(lm_u64 va) { *(volatile lm_u8 *)va = 1; }

/* Faults are counted, as lbench's check_faults does. */
static void check_faults(const char *name, lm_u64 want)
{
	if (faults != want)
		lm_printf("# %s: %lu faults for %lu accesses\n", name, faults, want);
}

/* ---- dirty, prot1, prot100 ---------------------------------------------- */

static void op_dirty(lm_u64 n)
{
	int d;

	for (lm_u64 i = 0; i < n; i++)
		lm_vm_dirty(VM_VA, 0, &d);
}

/* As lbench's b_protect: read-only, then back, each direction timed on its
 * own: op_protect times the first, op_unprotect the second. */
static lm_u64 prot_pages;

static lm_u64 op_protect(lm_u64 n)
{
	lm_u64 c = 0;

	for (lm_u64 i = 0; i < n; i++) {
		lm_u64 t0 = span_begin();
		lm_vm_protect(VM_VA, prot_pages, LM_R_READ);
		c += span_end(t0);
		lm_vm_unprotect(VM_VA, prot_pages);
	}
	return c;
}

static lm_u64 op_unprotect(lm_u64 n)
{
	lm_u64 c = 0;

	for (lm_u64 i = 0; i < n; i++) {
		lm_vm_protect(VM_VA, prot_pages, LM_R_READ);
		lm_u64 t0 = span_begin();
		lm_vm_unprotect(VM_VA, prot_pages);
		c += span_end(t0);
	}
	return c;
}

static void run_protect(const char *prot, const char *unprot, lm_u64 pages, lm_u64 iters)
{
	prot_pages = pages;
	if (selected(prot))
		bench_self(prot, iters, 1, op_protect);
	if (selected(unprot))
		bench_self(unprot, iters, 1, op_unprotect);
}

/* ---- trap, appel1, appel2 ---------------------------------------------------- */

/* trap, appel2: make the faulting page writable; the store then completes. */
static int h_unprot(struct lm_vm_region *r, const struct lm_vm_fault *f)
{
	faults++;
	return lm_vm_unprotect(f->addr & ~(PG - 1), 1) ? LM_VM_PASS : LM_VM_HANDLED;
}

/* appel1: unprotect the faulting page and protect the previous one, so
 * exactly one of the 100 pages is writable at a time. */
static int h_appel1(struct lm_vm_region *r, const struct lm_vm_fault *f)
{
	lm_u64 page = f->addr & ~(PG - 1);

	faults++;
	if (lm_vm_unprotect(page, 1))
		return LM_VM_PASS;
	if (appel_prev >= 0)
		lm_vm_protect(VM_VA + appel_prev * PG, 1, LM_R_READ);
	appel_prev = (long)((page - VM_VA) / PG);
	return LM_VM_HANDLED;
}

/* Only the store is timed; re-protecting is not part of the operation. */
static lm_u64 op_trap(lm_u64 n)
{
	lm_u64 c = 0;

	for (lm_u64 i = 0; i < n; i++) {
		lm_u64 t0 = span_begin();
		touch(VM_VA);
		c += span_end(t0);
		lm_vm_protect(VM_VA, 1, LM_R_READ);
	}
	return c;
}

static void op_appel1(lm_u64 n)
{
	static lm_u64 next;

	for (lm_u64 i = 0; i < n; i++) {
		touch(VM_VA + next * PG);
		next = (next + 1) % NPAGES;
	}
}

/* Per page: one protect of all 100 pages, then 100 traps. */
static void op_appel2(lm_u64 n)
{
	for (lm_u64 r = 0; r < n / NPAGES; r++) {
		lm_vm_protect(VM_VA, NPAGES, LM_R_READ);
		for (lm_u64 i = 0; i < NPAGES; i++)
			touch(VM_VA + i * PG);
	}
}

/* The trap region lies over the on-demand one and takes the faults. */
static int trap_hook(lm_vm_hook hook)
{
	lm_vm_region_remove(&trap_region);
	faults = 0;
	return lm_vm_region_add(&trap_region, VM_VA, NPAGES * PG, hook, 0);
}

static void run_traps(void)
{
	if (selected("trap") && !trap_hook(h_unprot)) {
		lm_vm_protect(VM_VA, 1, LM_R_READ);
		bench_self("trap", 100, 1, op_trap);
		check_faults("trap", BATCHES * 100);
		lm_vm_unprotect(VM_VA, NPAGES);
	}
	if (selected("appel1") && !trap_hook(h_appel1)) {
		lm_vm_protect(VM_VA, NPAGES, LM_R_READ);
		appel_prev = -1;
		bench("appel1", 50, 1, op_appel1);
		check_faults("appel1", BATCHES * 50);
		lm_vm_unprotect(VM_VA, NPAGES);
	}
	if (selected("appel2") && !trap_hook(h_unprot)) {
		bench("appel2", NPAGES, 1, op_appel2);
		check_faults("appel2", BATCHES * NPAGES);
	}
	lm_vm_region_remove(&trap_region);
}

/* ---- pagefault --------------------------------------------------------------- */

/* First touch of each page of an on-demand region; the frames are freed
 * after the batch, untimed (lbench: munmap). */
static lm_u64 op_pagefault(lm_u64 n)
{
	lm_u64 t0 = span_begin();

	for (lm_u64 i = 0; i < n; i++)
		touch(PF_VA + i * PG);
	lm_u64 c = span_end(t0);
	lm_vm_anon_release(&pf_mem, PF_VA, n * PG);
	return c;
}

/* ---- map_page ------------------------------------------------------------ */

/* One op: VSPACE_MAP of a 4 KiB frame at a page whose tables exist (in
 * VM_VA's page table, past the touched pages), timed alone as seL4's
 * map-a-page is; the VSPACE_UNMAP after it is not timed. */
#define MAP_VA (VM_VA + 256 * PG)
static lm_cptr_t map_frame;

static lm_u64 op_map_page(lm_u64 n)
{
	lm_u64 c = 0;

	for (lm_u64 i = 0; i < n; i++) {
		lm_u64 t0 = span_begin();
		lm_vspace_map(LM_SLOT_VSPACE, map_frame, MAP_VA, LM_R_READ | LM_R_WRITE);
		c += span_end(t0);
		lm_vspace_unmap(map_frame);
	}
	return c;
}

static void run_map_page(void)
{
	if (!selected("map_page"))
		return;
	if (!(map_frame = new_obj(LM_OBJ_FRAME, LM_PAGE_BITS)) ||
	    lm_vspace_map(LM_SLOT_VSPACE, map_frame, MAP_VA, LM_R_READ) ||
	    lm_vspace_unmap(map_frame)) {
		lm_printf("kbench: cannot set up map_page\n");
		return;
	}
	bench_self("map_page", 1000, 1, op_map_page);
}

void kb_vm(void)
{
	int err = lm_vm_init(LM_SLOT_TCB, vm_exc_stack + sizeof vm_exc_stack, sizeof vm_exc_stack);

	if (!err)
		err = lm_vm_anon_init(&mem, VM_VA, NPAGES * PG, LM_R_READ | LM_R_WRITE, frames);
	if (!err)
		err = lm_vm_anon_init(&pf_mem, PF_VA, PF_PAGES * PG, LM_R_READ | LM_R_WRITE, pf_frames);
	if (err) {
		lm_printf("kbench: cannot set up virtual memory: %s\n", lm_err_str(err));
		lm_vm_fini(LM_SLOT_TCB);
		return;
	}
	for (lm_u64 i = 0; i < NPAGES; i++) /* as lbench's touched_pages */
		touch(VM_VA + i * PG);

	if (selected("dirty"))
		bench("dirty", 1000, 1, op_dirty);
	run_protect("prot1", "unprot1", 1, 200);
	run_protect("prot100", "unprot100", NPAGES, 32);
	run_traps();
	if (selected("pagefault")) {
		lm_u64 before = pf_mem.faults;

		bench_self("pagefault", PF_PAGES, 1, op_pagefault);
		faults = pf_mem.faults - before;
		check_faults("pagefault", BATCHES * PF_PAGES);
	}
	run_map_page();
	lm_vm_fini(LM_SLOT_TCB);
}
