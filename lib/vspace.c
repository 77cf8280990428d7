/* Address spaces (lm_vspace_alloc) and lm_map_page: map, and on LM_ETABLE
 * add the missing table and retry. */
#include <lm/vspace.h>
#include <lm/untyped.h>
#include <lm/sys.h>

int lm_vspace_alloc(struct lm_pool *pool, lm_cptr_t asids, lm_cptr_t *vs)
{
	int err = lm_pool_alloc(pool ? pool : lm_pool_current(), LM_OBJ_VSPACE, 0, vs);

	if (err)
		return err;
	err = lm_vspace_assign(*vs, asids ? asids : lm_asid_cap, 0);
	if (err) {
		lm_obj_free(*vs);
		*vs = 0;
	}
	return err;
}

int lm_map_page_pool(struct lm_pool *pool, lm_cptr_t vs, lm_cptr_t frame,
		     lm_u64 vaddr, lm_u64 rights, lm_cptr_t tables[3],
		     lm_u32 *ntables)
{
	lm_u32 made = 0;
	int err;

	if (!pool)
		pool = lm_pool_current();
	/* A 4 KiB page needs at most three tables below the PML4: PDPT, PD,
	 * PT, each added by one pass of this loop. */
	for (;;) {
		lm_cptr_t pt;

		err = lm_vspace_map(vs, frame, vaddr, rights);
		if (err != LM_ETABLE || made == 3)
			break;
		err = lm_pool_alloc(pool, LM_OBJ_PTABLE, 0, &pt);
		if (err)
			break;
		err = lm_vspace_map_table(vs, pt, vaddr, 0);
		if (err) {
			lm_obj_free(pt);
			break;
		}
		if (tables)
			tables[made] = pt;
		made++;
	}
	if (ntables)
		*ntables = made;
	return err;
}

int lm_map_page(lm_cptr_t vs, lm_cptr_t frame, lm_u64 vaddr, lm_u64 rights)
{
	return lm_map_page_pool(0, vs, frame, vaddr, rights, 0, 0);
}
