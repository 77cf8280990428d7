/*
 * The memory map's internals, shared by mm.c (the map, the pages, the fault
 * hook) and mmap.c (the system calls that change it).
 *
 * Two records, kept in step: the areas (what the program may touch, with
 * which PROT_* rights) and the pages (which frame backs each page mapped so
 * far). A page is mapped only inside an area and with the area's rights;
 * pages are mapped on first touch (the fault hook) or by the loader.
 */
#ifndef LX_MM_H
#define LX_MM_H

#include "lx.h"

#define LX_MAX_AREAS 512

struct lx_area {
	lm_u64 lo, hi;  /* page-aligned, lo < hi */
	lm_u32 prot;    /* PROT_READ | PROT_WRITE | PROT_EXEC */
};

/* Sorted by address, never overlapping; adjacent areas of equal rights are
 * merged. */
extern struct lx_area lx_areas[LX_MAX_AREAS];
extern int lx_nareas;

/* [lo, hi) is somewhere a Linux program may map: inside [LX_LOW, LX_HIGH)
 * and clear of the personality's own image. */
int lx_range_valid(lm_u64 lo, lm_u64 hi);
/* No area meets [lo, hi). */
int lx_range_free(lm_u64 lo, lm_u64 hi);
/* Areas cover every page of [lo, hi). */
int lx_range_covered(lm_u64 lo, lm_u64 hi);
/* Take [lo, hi) out of the map: its pages are unmapped and freed, areas are
 * cut. 0 or -ENOMEM (splitting needs a free area record). */
int lx_unmap(lm_u64 lo, lm_u64 hi);
/* Drop the pages of [lo, hi) and keep the areas: the next touch reads zeros. */
void lx_pages_release(lm_u64 lo, lm_u64 hi);
/* Move the mapped pages of [lo, lo + len) to [to, to + len) with rights of prot. */
int lx_pages_move(lm_u64 lo, lm_u64 len, lm_u64 to, lm_u32 prot);
/* Highest free gap of len bytes in [LX_MMAP_BOTTOM, LX_MMAP_TOP), 0 if none. */
lm_u64 lx_find_gap(lm_u64 len);
/* The area holding addr, or 0. */
struct lx_area *lx_area_at(lm_u64 addr);

/* The running program's read-only segments, [lx_img_lo, lx_img_hi) in
 * pages, as execve loaded them from a file and while lx_img_kept: a change
 * to the areas there (a munmap, mprotect or MAP_FIXED mmap: area_cut,
 * area_insert) clears it, so the pages still hold the file's bytes. An
 * execve of the same file keeps them instead of reading the file again
 * (exec.c, loader.c). */
extern lm_u64 lx_img_lo, lx_img_hi;
extern int lx_img_kept;
static inline void lx_img_touch(lm_u64 lo, lm_u64 hi)
{
	if (lo < lx_img_hi && hi > lx_img_lo)
		lx_img_kept = 0;
}

#endif
