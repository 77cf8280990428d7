/* liblamina's memory-manager client, shared by lib/mem.c (the calls, the
 * pool's refill) and lib/mem_reclaim.c (requests and abort records). */
#ifndef LIB_MEM_INT_H
#define LIB_MEM_INT_H

#include <lm/mem.h>

/* The chunks the default pool grew by (slot 0: unused): the default
 * reclaim policy gives back those with nothing made from them. */
#define MEM_HELD_MAX 64
struct mem_held {
	lm_cptr_t slot;
	lm_u64 paddr;
};
extern struct mem_held mem_held[MEM_HELD_MAX];

int mem_call(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_u64 label, const lm_u64 w[3],
	     lm_cptr_t send, lm_cptr_t dst, struct lm_msg *m);

/* lm_fork: the child starts with no registration, maps or held chunks. */
void lm_mem_fork_patch(lm_u64 delta);
/* lm_mem_fork_patch's part in lib/mem.c: the child's program pieces. */
void lm_mem_fork_patch_early(lm_u64 delta);

#endif
