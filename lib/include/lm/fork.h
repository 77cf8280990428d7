/*
 * Copy-on-write fork in the library OS. The kernel knows nothing of it:
 * lm_fork builds the child process from capabilities the caller holds,
 * and both processes' own exception handlers copy pages on write faults.
 *
 * What the child gets:
 *   - a CNode of the parent's size in which every slot the parent's library
 *     state names holds the child's counterpart: so the child's liblamina
 *     (a copy of the parent's memory) is right about its own capabilities
 *     without being told. Slots 1-3 are the child's own CNode, address
 *     space and TCB; 4-7 copies of the parent's (I/O ports, bootinfo, IRQ
 *     control, console endpoint);
 *   - the parent's text and read-only data mapped at once; its writable
 *     image, stack and on-demand regions (lm/vm.h) on reference: when the
 *     child first touches such a page it asks the parent's fork server (a
 *     thread lm_fork starts in the parent) for the frame, maps it
 *     read-only, and copies it when it first writes it; the parent's
 *     writable pages become read-only too and are copied on its next
 *     write while children may see them. Every capability to a parent's
 *     frame the child holds has only the rights of its read-only mapping
 *     (LM_R_READ, with LM_R_EXEC for text): no copy of it maps writable;
 *     and the server gives a child only the frames shared at its own fork;
 *   - its own copy, made at once, of liblamina's private pages (the fault
 *     path's state and the exception stack: LM_PRIVATE), in which its
 *     default pool is an untyped of 2^pool_bits bytes of its own, or,
 *     with a memory manager (lm/mem.h, lm_mem_use), one 2 MiB chunk lent
 *     to an account of its own below ours, grown through the pool's
 *     refill hook and closed when the child is reaped;
 *   - an address space whose ID comes from the parent's range
 *     (lm_asid_cap), and a range of its own issued from that one at the
 *     same slot: lm_fork_set_asids IDs, by default LM_FORK_ASIDS but at
 *     most an eighth of the parent's range; fewer (halved until a run
 *     that long is free in the parent's range) or none when the parent's
 *     range is that full or that small: such a child cannot fork. A
 *     reaped child's IDs are the parent's again at once;
 *   - the calling thread only (the main thread, LM_SLOT_TCB), resumed
 *     where lm_fork returns, with its registers and its FPU/SSE state as
 *     they were at the call.
 * Other mappings (boot modules, pages mapped by hand) are not inherited.
 *
 * The parent keeps the pages it replaced on a write fault while children
 * may still see them, and frees them when its last child is reaped; a
 * process that is not itself a forked child then makes its pages writable
 * again in one call per region instead of copying them on the next write.
 * Destroying a child destroys everything its memory made, grandchildren
 * included.
 */
#ifndef LM_FORK_H
#define LM_FORK_H

#include <lamina/types.h>
#include <lamina/regs.h>

struct lm_proc;

#define LM_FORK_CHILD (-1)
#define LM_FORK_MAX_CHILDREN 8 /* alive at once (liblamina's private pages hold them) */
#define LM_FORK_ASIDS 64 /* IDs a child's range gets by default (lm_fork_set_asids) */
#define LM_FORK_NO_ASIDS 0xffffffffu /* lm_fork_set_asids: children get no range */
/* lm_fork_set_asids: an only child half of our range, a child beside
 * others half of the largest run left; its children the same rule: a
 * chain as deep as log2 of the range. */
#define LM_FORK_HALF_ASIDS 0xfffffffeu

/* The private pages' section attribute. */
#define LM_PRIVATE __attribute__((section(".bss.lm_private")))

/* Fork the calling thread's process (call it from the main thread, the
 * one in LM_SLOT_TCB). In the parent: LM_OK with the child's handles in
 * *p, or an error (nothing left behind; LM_ELIMIT with LM_FORK_MAX_CHILDREN
 * children alive); in the child: LM_FORK_CHILD. */
int lm_fork(struct lm_proc *p);

/*
 * For a library OS that keeps its own page table (pages mapped by hand,
 * which lm_fork does not know): lm_fork_ex calls hook(c, arg) while child
 * c is built, after its memory is set up and before it first runs or the
 * parent's own pages are made read-only. There the caller
 *   - names the frames the child may ask for (lm_fork_share: they enter
 *     the child's share record; the child then gets each, read-only, with
 *     lm_fork_fetch into the same slot), and makes its own writable pages
 *     of them read-only, to be copied on its next write (lm_fork_copy);
 *   - may put capabilities in the child's CNode (lm_fork_child_cnode),
 *     into slots the caller's own library state leaves empty.
 * The child's copy of the caller's memory is what it is when the hook
 * returns: the hook must not write pages it shares. But liblamina's own
 * private state (the slot allocator, the frame supply) is copied for the
 * child before the hook runs: a slot or frame the hook allocates is free
 * in the child's eyes, so one whose capability the child is to get in the
 * same slot must be made before lm_fork_ex (the Linux personality's
 * MAP_SHARED frames: lx_mm_fork_prepare). A hook's error ends
 * the fork (nothing left behind) and is lm_fork_ex's. lm_fork(p) is
 * lm_fork_ex(p, 0, 0).
 */
struct lm_fork_child;
typedef int (*lm_fork_hook)(struct lm_fork_child *c, void *arg);
int lm_fork_ex(struct lm_proc *p, lm_fork_hook hook, void *arg);
/* LM_ERANGE for a slot past the child's CNode. */
int lm_fork_share(struct lm_fork_child *c, lm_cptr_t frame, int exec);
lm_cptr_t lm_fork_child_cnode(const struct lm_fork_child *c);

/* The page at va (mapped, readable) copied into a frame of ours, which
 * replaces it there with `rights`; the old frame goes to lm_fork_retire.
 * The new frame's slot in *frame. */
int lm_fork_copy(lm_u64 va, lm_u64 rights, lm_cptr_t old, lm_cptr_t *frame);
/* A frame of a page that is gone or replaced (unmapped first): kept while
 * a child may still ask for it, then reused or freed. */
void lm_fork_retire(lm_cptr_t frame);
/* 1 if frame f is this process's own (not one fetched from its parent). */
int lm_fork_owns(lm_cptr_t f);
/* A frame of a page that is gone, in place of unmapping and retiring it:
 * when f is a frame of our parent's that we never fetched (our slot f is
 * in use in our slot allocator and empty, as the kernel says) and no
 * child of ours may ask for it, its slot is free again and 1 comes back,
 * after one system call instead of two (an execve in a forked child gives
 * back every page it inherited). 0 otherwise (also for a slot that is
 * free, out of range, or in a process never forked), and the caller
 * unmaps and retires f as usual. */
int lm_fork_forget(lm_cptr_t f);
/* Children alive (built and not yet reaped). */
lm_u32 lm_fork_children(void);

/* Wait for the child to stop (exit or fault), report how in *ti (may be
 * NULL), destroy it and reclaim what it shared. */
int lm_fork_wait(struct lm_proc *p, struct lm_thread_info *ti);

/* Size of the untyped each later child gets as its default pool
 * (2^bits bytes; default 22, 4 MiB). A child's own children get 2 bits
 * less (not below 16, nor below the floor). */
void lm_fork_set_pool_bits(lm_u32 bits);
/* A floor for the child's pool, inherited by children (0, the default:
 * none, the pool is 2^pool_bits exactly or the fork fails with
 * LM_ENOMEM). With a floor, a child's pool is the largest 2^b, from
 * pool_bits down to the floor, that is at most half of what the parent's
 * default pool has free and that can be allocated; the fork fails with
 * LM_ENOMEM when not even 2^floor can, or when the parent has less than
 * twice 2^floor free (it keeps as much for its own copies on write).
 * The child's CNode has a slot
 * for every page of its pool (at most the parent's size). */
void lm_fork_set_pool_floor(lm_u32 bits);

/* IDs in the range of address-space IDs each later child gets (0, the
 * default: LM_FORK_ASIDS, at most an eighth of ours; LM_FORK_NO_ASIDS:
 * none; LM_FORK_HALF_ASIDS: half, a rule the child keeps).
 * A child starts with the default, or with LM_FORK_HALF_ASIDS. */
void lm_fork_set_asids(lm_u32 n);

/* In a child: ask the parent for the frame of slot s (copied into our slot
 * s, read-only). The fault path does this on a page's first touch; the
 * parent gives only slots of writable pages' frames it shared at this
 * child's fork, each once: LM_ERIGHTS otherwise (a frame shared only at a
 * later or another fork, or fetched already, included), LM_ECAP in a
 * process that was not forked. */
int lm_fork_fetch(lm_cptr_t s);

/* 0 for a process that was not forked, else how many forks down it is. */
lm_u32 lm_fork_generation(void);
/* Pages kept for children that may still see them (see above). */
lm_u32 lm_fork_retired(void);

#endif
