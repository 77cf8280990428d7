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

/* What backs an area's pages, which decides what fork, mprotect, madvise
 * and a fault do with them. */
enum {
	LX_AREA_ANON,    /* private: zeroed on touch, copied on write after fork */
	LX_AREA_SHARED,  /* MAP_SHARED anonymous (or /dev/zero): every page gets its
			  * frame at fork, and the child maps the same frames,
			  * writable, never copied (lx_mm_fork_share) */
	LX_AREA_FILE,    /* MAP_PRIVATE of a file: read in at mmap (mmap_file.c),
			  * then private like ANON; madvise(DONTNEED) keeps it */
	LX_AREA_FILE_RO, /* MAP_SHARED of a file, read-only: as FILE, but
			  * mprotect may not add PROT_WRITE (EACCES) */
	LX_AREA_BUS,     /* past a mapped file's last page: a touch is SIGBUS,
			  * a system call given it EFAULT */
};

struct lx_area {
	lm_u64 lo, hi;  /* page-aligned, lo < hi */
	lm_u32 prot;    /* PROT_READ | PROT_WRITE | PROT_EXEC */
	lm_u32 kind;    /* LX_AREA_* */
};

/* Sorted by address, never overlapping; adjacent areas of equal rights and
 * kind are merged. */
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
/* lx_mm_add with a kind (LX_AREA_*). */
int lx_mm_add_kind(lm_u64 lo, lm_u64 hi, lm_u32 prot, lm_u32 kind);
/* The identity of the futex word at uaddr in a SHARED area, the same in
 * every process that maps its frame: the frame's physical address plus
 * the offset. 0 if uaddr is not in a SHARED area or its page has no frame
 * yet (then no other process can see it). */
lm_u64 lx_mm_shared_key(lm_u64 uaddr);

/* mmap_file.c: mmap of descriptor fd at off for len bytes: 0 with the
 * area's kind in *kind, or the error (EINVAL, EOVERFLOW, EBADF, EACCES,
 * ENODEV) before the map changes. */
long lx_mmap_file_check(long fd, lm_u64 off, lm_u64 len, lm_u32 prot, int shared, lm_u32 *kind);
/* Map the file (kind LX_AREA_FILE or FILE_RO) at [at, at + len), a free
 * range: at, or -errno with the range free again. */
long lx_mmap_file(lm_u64 at, lm_u64 len, lm_u32 prot, lm_u32 kind, long fd, lm_u64 off);

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
