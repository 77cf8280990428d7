/*
 * Address spaces, and mapping pages with page tables made on demand. The kernel maps a frame
 * only where every paging structure on the way exists and otherwise says
 * LM_ETABLE; these helpers then make a page table from a pool, install it
 * with VSPACE_MAP_TABLE and try again.
 */
#ifndef LM_VSPACE_H
#define LM_VSPACE_H

#include <lamina/types.h>

struct lm_pool;

/* The process's range of address-space IDs (LM_OBJ_ASIDS), 0 if it has
 * none: lm_start takes it from the bootinfo's asid_slot. Every address
 * space a process makes needs an ID from a range it holds. */
extern lm_cptr_t lm_asid_cap;

/* Make an address space from `pool` (NULL: the default pool) and give it
 * an ID from range `asids` (0: lm_asid_cap). Nothing is left on failure
 * (LM_ELIMIT: the range has no free ID; LM_ECAP: no range). */
int lm_vspace_alloc(struct lm_pool *pool, lm_cptr_t asids, lm_cptr_t *vs);

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
