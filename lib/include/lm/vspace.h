/*
 * Mapping pages with page tables made on demand. The kernel maps a frame
 * only where every paging structure on the way exists and otherwise says
 * LM_ETABLE; these helpers then make a page table from a pool, install it
 * with VSPACE_MAP_TABLE and try again.
 */
#ifndef LM_VSPACE_H
#define LM_VSPACE_H

#include <lamina/types.h>

struct lm_pool;

/* Map `frame` at `vaddr` in address space `vs` with `rights` (LM_R_*),
 * making missing paging structures from the default pool. Tables made stay
 * in the caller's CNode. */
int lm_map_page(lm_cptr_t vs, lm_cptr_t frame, lm_u64 vaddr, lm_u64 rights);

/* As lm_map_page, with tables from `pool` (NULL: the default pool); the
 * slots of the tables made (at most 3) are stored in tables[] and their
 * number in *ntables, so that a caller can hand them to someone else. */
int lm_map_page_pool(struct lm_pool *pool, lm_cptr_t vs, lm_cptr_t frame,
		     lm_u64 vaddr, lm_u64 rights, lm_cptr_t tables[3],
		     lm_u32 *ntables);

#endif
