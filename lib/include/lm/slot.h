/*
 * Free-slot allocation in the caller's own CNode. The allocator only keeps
 * a bitmap: it never looks at what a slot holds, so a caller frees a slot
 * after emptying it (delete or move), not before.
 *
 * One allocator per process (lm_slots), initialised from the range of free
 * slots the process was given (bootinfo's first_free .. 2^cnode_bits).
 */
#ifndef LM_SLOT_H
#define LM_SLOT_H

#include <lamina/types.h>

/* The most slots one process's allocator manages (a larger CNode's slots
 * beyond this are left to the caller). Its bitmap lives in liblamina's
 * private pages, which a fork copies: so not 2^16. */
#define LM_SLOTS_MAX (1u << 14)

struct lm_slots {
	lm_u32 first, end; /* the managed range [first, end) */
	lm_u32 hint;       /* where the next search starts */
	lm_u32 nfree;
	lm_u64 used[LM_SLOTS_MAX / 64];
};

extern struct lm_slots lm_slots;

void lm_slot_init(lm_cptr_t first, lm_cptr_t end);
/* A free slot, or 0 (LM_SLOT_NULL, never a valid result) if none is left. */
lm_cptr_t lm_slot_alloc(void);
/* n consecutive free slots (for retype with count > 1); the first, or 0. */
lm_cptr_t lm_slot_alloc_n(lm_u32 n);
void lm_slot_free(lm_cptr_t s);
void lm_slot_free_n(lm_cptr_t s, lm_u32 n);
lm_u32 lm_slot_nfree(void);

#endif
