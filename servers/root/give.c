/* Cutting untyped memory out of root's pool to give to another process. */
#include "root.h"

/*
 * Carve child untypeds from the pool, largest first, until only about
 * `keep` bytes are left. Largest first keeps every cut aligned to its own
 * size (the pool's untypeds are naturally aligned powers of two), so
 * nothing is lost to padding. Pieces smaller than 1 MiB are not worth a
 * slot. Returns how many were carved into out[].
 */
lm_u32 root_carve(struct lm_pool *p, lm_u64 keep, struct root_ut *out, lm_u32 max)
{
	lm_u32 n = 0;

	for (lm_u32 bits = 40; bits >= 20 && n < max; bits--) {
		while (n < max && lm_pool_free_bytes(p) >= keep + (1ull << bits)) {
			lm_cptr_t s;
			lm_u64 paddr;

			if (lm_pool_alloc(p, LM_OBJ_UNTYPED, bits, &s))
				break; /* no untyped this big with room: go smaller */
			lm_cnode_identify(LM_SLOT_CNODE, s, 0, &paddr, 0);
			out[n++] = (struct root_ut){ s, paddr, bits };
		}
	}
	return n;
}
