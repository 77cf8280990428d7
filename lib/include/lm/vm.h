/*
 * Virtual memory for a library OS, on the page-level primitives
 * (VSPACE_PROTECT, VSPACE_PAGE_STATE) and in-process exception upcalls.
 *
 * One process-wide dispatcher receives every exception of the threads given
 * to lm_vm_init / lm_vm_thread. A page fault goes to the registered regions
 * that contain its address, newest first: each region's hook either handles
 * it (LM_VM_HANDLED: the thread resumes and runs the access again) or
 * passes (LM_VM_PASS: the next region is asked). So regions may overlap and
 * layer: an Appel-Li trap region, or a copy-on-write region catching write
 * faults on read-only shared pages, registered over an on-demand region,
 * sees its faults first and passes the others down. Other exceptions, and
 * page faults no region takes, go to the fallback handler
 * (lm_vm_set_fallback); without one the thread is stopped as if it had no
 * handler at all (it faults for real: THREAD_INFO or its pager sees it).
 *
 * On-demand (anonymous) regions map a zeroed frame at the first touch of
 * each page. Frames come from the default pool (lm_pool_current()) in
 * chunks of LM_VM_CHUNK_FRAMES, made and zeroed by one retype, so a fault
 * usually costs one map call; page tables are made on demand (lm_map_page).
 *
 * Like the rest of liblamina this is not thread-safe: faults of several
 * threads must not be handled at the same time.
 */
#ifndef LM_VM_H
#define LM_VM_H

#include <lamina/bootinfo.h>
#include <lm/exception.h>
#include <lm/sys.h>

/* Access kinds of a fault (struct lm_vm_fault.access). */
#define LM_VM_READ  0x1
#define LM_VM_WRITE 0x2
#define LM_VM_EXEC  0x4

/* A hook's answer. */
#define LM_VM_PASS    0
#define LM_VM_HANDLED 1

#define LM_VM_MAX_THREADS  16 /* threads with the dispatcher installed */
#define LM_VM_CHUNK_FRAMES 16 /* frames made by one retype */

struct lm_vm_fault {
	lm_u64 addr;    /* the faulting address (cr2) */
	lm_u32 access;  /* LM_VM_READ, LM_VM_WRITE or LM_VM_EXEC */
	lm_u32 present; /* 1: the page is mapped and its rights forbid the
			 * access; 0: nothing mapped there, or no access (rights 0) */
	struct lm_exc_frame *frame; /* the thread's state; a hook may edit it */
};

struct lm_vm_region;
typedef int (*lm_vm_hook)(struct lm_vm_region *r, const struct lm_vm_fault *f);

/* A range of the address space [base, base + size) with its fault hook.
 * The caller owns the memory; it stays registered until removed. */
struct lm_vm_region {
	lm_u64 base, size;
	lm_vm_hook hook;
	void *arg;                  /* for the hook */
	struct lm_vm_region *next;  /* the library's */
};

/* Install the dispatcher for thread `tcb`, with an exception stack of
 * `size` bytes ending at `stack_top` (16-byte aligned).
 * Everything acts on the caller's address space, LM_SLOT_VSPACE. */
int lm_vm_init(lm_cptr_t tcb, void *stack_top, lm_u64 size);
/* Remove the dispatcher from `tcb`. The last thread out also destroys the
 * remaining on-demand regions, forgets all regions and frees the frames the
 * library keeps ready. */
int lm_vm_fini(lm_cptr_t tcb);
/* Where exceptions other than page faults, and page faults no region takes,
 * go (0: stop the thread). Returns the previous one. A program using this
 * library installs its other handling here, not with lm_exc_install. */
lm_exc_fn lm_vm_set_fallback(lm_exc_fn fn);

/* Register a region (base and size page-aligned, size > 0): LM_EINVAL
 * otherwise, LM_EEXIST if already registered. */
int lm_vm_region_add(struct lm_vm_region *r, lm_u64 base, lm_u64 size,
		     lm_vm_hook hook, void *arg);
/* Unregister it (LM_ENOENT if it was not). Mappings are left as they are. */
int lm_vm_region_remove(struct lm_vm_region *r);

/* ---- on-demand memory ------------------------------------------------------ */

struct lm_vm_anon {
	struct lm_vm_region r;
	lm_u64 rights;      /* of the pages mapped (LM_R_READ | ...) */
	lm_cptr_t *frames;  /* one per page, 0 = not mapped yet */
	lm_u64 mapped;      /* pages mapped now */
	lm_u64 faults;      /* faults that mapped a page */
};

/* Register [base, base + size) as on-demand memory with `rights` (READ is
 * implied); `frames` has size / 4 KiB entries, which this sets to 0. */
int lm_vm_anon_init(struct lm_vm_anon *a, lm_u64 base, lm_u64 size,
		    lm_u64 rights, lm_cptr_t *frames);
/* Unmap and free the pages mapped in [addr, addr + size) (page-aligned,
 * inside the region); the next touch maps fresh zeroed frames. */
int lm_vm_anon_release(struct lm_vm_anon *a, lm_u64 addr, lm_u64 size);
/* Release every page and unregister the region. */
int lm_vm_anon_destroy(struct lm_vm_anon *a);

/* The frame supply: a zeroed frame, not mapped, in a slot of its own;
 * and giving one back (unmapped by the deletion). Any other frame given
 * to lm_vm_frame_put is revoked and deleted and its slot freed. */
int lm_vm_frame_get(lm_cptr_t *frame);
void lm_vm_frame_put(lm_cptr_t frame);
/* A frame for a library OS's own state (its tables, the copies a forked
 * child makes of its data): from a second supply whose chunks come from
 * the default pool once lm_vm_set_piece_source has sent the program's
 * (lm_vm_frame_get's) elsewhere; until then the same as lm_vm_frame_get.
 * Given back with lm_vm_frame_put. */
int lm_vm_own_frame_get(lm_cptr_t *frame);
/* Where lm_vm_frame_get's chunks (untypeds of 2^bits bytes) come from
 * from now on: fn(bits, &slot, &kept) returns LM_OK with a new untyped in
 * slot, *kept 1 if it is memory a take never reaches (the own supply may
 * then reuse its frames), or the error. 0: the default pool, one supply
 * (the start). lm/mem.h's lm_mem_guard_own sets it. */
typedef int (*lm_vm_piece_fn)(lm_u32 bits, lm_cptr_t *slot, int *kept);
void lm_vm_set_piece_source(lm_vm_piece_fn fn);

/* Free the frames made ahead and not handed out (the fault path makes more
 * when it needs them). */
void lm_vm_trim(void);
/* After memory was taken by force (lm_mem_service): the frame supply
 * forgets what it made ahead from untypeds that are gone, so it hands out
 * no empty slot. Frames it handed out keep their slots until given back. */
void lm_vm_frames_gone(void);

/* ---- Appel-Li primitives ---------------------------------------------------- */

/* Set the rights (LM_R_*, 0 = no access) of the mapped pages in
 * [addr, addr + npages * 4 KiB); holes are skipped. One VSPACE_PROTECT,
 * or several of LM_PROTECT_MAX_PAGES for a larger range
 * (lm_vm_protect_range). unprotect gives READ | WRITE back. */
int lm_vm_protect_range(lm_u64 addr, lm_u64 npages, lm_u64 rights);

static inline int lm_vm_protect(lm_u64 addr, lm_u64 npages, lm_u64 rights)
{
	if (npages - 1 < LM_PROTECT_MAX_PAGES) /* one call: the fault path's case */
		return lm_vspace_protect(LM_SLOT_VSPACE, addr, npages, rights, 0);
	return lm_vm_protect_range(addr, npages, rights);
}

static inline int lm_vm_unprotect(lm_u64 addr, lm_u64 npages)
{
	return lm_vm_protect(addr, npages, LM_R_READ | LM_R_WRITE);
}

/* Whether the page at addr was written since it was mapped or since the
 * last clear (*dirty = 0 or 1); `clear` resets the bit. LM_ENOENT if
 * nothing is mapped there. */
int lm_vm_dirty(lm_u64 addr, int clear, int *dirty);

/* Trap hooks are regions: lm_vm_region_add(r, base, size, hook, arg) with a
 * hook that looks at f->addr and f->access, typically calls lm_vm_unprotect
 * on the page and returns LM_VM_HANDLED. */

#endif
