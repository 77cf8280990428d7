/*
 * Object allocation from untyped memory.
 *
 * A pool is a set of untyped capabilities in the caller's CNode. An object
 * is retyped from the pool entry where it wastes least alignment padding,
 * into a fresh slot from lm_slot_alloc(). The kernel carves objects at an
 * untyped's free mark and gives the memory back only when the untyped has
 * no children left, so a pool with split_bits set never carves small
 * objects straight out of a big untyped: it cuts the big one into untyped
 * pieces of 2^split_bits bytes first and carves from those. A piece whose
 * objects are all freed is whole again; the big one stays free for large
 * requests (2 MiB frames, child untypeds for other processes).
 *
 * Free space is always read back from the kernel (identify), never cached,
 * so memory that another party revoked is seen as free at once.
 *
 * Like the rest of liblamina this assumes the process layout of
 * <lamina/bootinfo.h>: the caller's own CNode is in slot LM_SLOT_CNODE.
 */
#ifndef LM_UNTYPED_H
#define LM_UNTYPED_H

#include <lamina/types.h>

#define LM_POOL_MAX 160 /* more than LM_BI_MAX_UNTYPED, plus pieces */

struct lm_pool_ut {
	lm_cptr_t slot;
	lm_u64 paddr;
	lm_u8 bits;
	lm_u8 split; /* cut into pieces: only used for objects > split_bits */
};

struct lm_pool {
	struct lm_pool_ut ut[LM_POOL_MAX];
	lm_u32 n;
	lm_u32 split_bits; /* 0: never cut untypeds into pieces */
};

void lm_pool_init(struct lm_pool *p, lm_u32 split_bits);
/* Add the untyped capability in `slot` (identify learns its size). */
int lm_pool_add(struct lm_pool *p, lm_cptr_t slot);
/* Forget the untyped in `slot` (the capability stays): LM_ENOENT if the
 * pool has none there. Before giving memory back or after it was taken. */
int lm_pool_remove(struct lm_pool *p, lm_cptr_t slot);
/* Bytes not yet carved, summed over the pool's untypeds. */
lm_u64 lm_pool_free_bytes(const struct lm_pool *p);

/* Retype one object of `type` (size `bits` where the type has one, as for
 * UNTYPED_RETYPE) into a new slot, stored in *slot. Errors are the kernel's,
 * plus LM_ENOMEM when no untyped has room, LM_ELIMIT when no slot is free. */
int lm_pool_alloc(struct lm_pool *p, lm_u32 type, lm_u32 bits, lm_cptr_t *slot);

/* Add an untyped that is never cut in pieces (a memory manager's chunk:
 * its objects are carved straight from it). */
int lm_pool_add_whole(struct lm_pool *p, lm_cptr_t slot);

/*
 * The refill hook (lm_pool_set_refill): when an allocation from the
 * default pool finds no room, lm_pool_alloc calls fn(pool, size_bits of
 * the object) once; fn adds memory to the pool (a memory manager's chunk,
 * lm/mem.h) and returns LM_OK, and the allocation is tried again, once.
 * Any other pool, and an object bigger than what fn adds, fail with
 * LM_ENOMEM as without a hook. 0 removes the hook. The hook is private
 * state: a forked child has its parent's.
 */
typedef int (*lm_pool_refill_fn)(struct lm_pool *p, lm_u32 size_bits);
void lm_pool_set_refill(lm_pool_refill_fn fn);

/* The process's default pool, used by lm_obj_alloc and lm_map_page. */
void lm_pool_use(struct lm_pool *p);
struct lm_pool *lm_pool_current(void);
int lm_obj_alloc(lm_u32 type, lm_u32 bits, lm_cptr_t *slot);

/* Destroy an object: revoke every copy made from the capability, delete it
 * and free its slot. The memory returns to its untyped once every object
 * carved from that untyped is gone. */
int lm_obj_free(lm_cptr_t slot);

/* log2 of an object's size in memory, or 0 for a type retype cannot make. */
lm_u32 lm_obj_size_bits(lm_u32 type, lm_u32 bits);

#endif
