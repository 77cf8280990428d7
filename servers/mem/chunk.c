/* The memory manager's chunks: cut once from the untypeds root gives it,
 * lent whole, taken back whole (mem.h). */
#include "mem.h"

struct chunk chunks[MEM_MAX_CHUNKS];
lm_u32 nchunks, nfree;
static lm_u16 free_head = NONE;

static void put_free(lm_u16 i)
{
	chunks[i].account = NONE;
	chunks[i].guaranteed = 0;
	chunks[i].next = free_head;
	free_head = i;
	nfree++;
}

/* Every untyped from MEM_SLOT_UT up to the first slot holding none, cut in
 * chunks (pieces smaller than a chunk are left alone). */
int chunk_init(void)
{
	for (lm_cptr_t s = MEM_SLOT_UT;; s++) {
		lm_u64 desc, paddr;

		if (lm_cnode_identify(LM_SLOT_CNODE, s, &desc, &paddr, 0) ||
		    LM_ID_TYPE(desc) != LM_OBJ_UNTYPED)
			break;
		if (LM_ID_BITS(desc) < MEM_CHUNK_BITS)
			continue;
		lm_u32 n = 1u << (LM_ID_BITS(desc) - MEM_CHUNK_BITS);
		if (n > MEM_MAX_CHUNKS - nchunks)
			n = MEM_MAX_CHUNKS - nchunks;
		lm_cptr_t first = n ? lm_slot_alloc_n(n) : 0;
		if (!first || lm_untyped_retype(s, LM_OBJ_UNTYPED, MEM_CHUNK_BITS, LM_SLOT_CNODE,
						first, n))
			break;
		for (lm_u32 k = 0; k < n; k++) {
			chunks[nchunks] = (struct chunk){
				.slot = first + k, .paddr = paddr + ((lm_u64)k << MEM_CHUNK_BITS),
			};
			put_free((lm_u16)nchunks++);
		}
	}
	return nchunks ? LM_OK : LM_ENOMEM;
}

/* A free chunk lent to account acct: its whole child untyped in our slot
 * dst (moved to the borrower by the reply), appended to the account's
 * list. The caller has checked the quotas. */
int chunk_lend(lm_u16 acct, lm_cptr_t dst, lm_u64 *paddr)
{
	struct account *a = &accounts[acct];
	lm_u16 i = free_head;
	int err;

	if (i == NONE)
		return LM_ENOMEM;
	err = lm_untyped_retype(chunks[i].slot, LM_OBJ_UNTYPED, MEM_CHUNK_BITS, LM_SLOT_CNODE,
				dst, 1);
	if (err)
		return err;
	free_head = chunks[i].next;
	nfree--;
	chunks[i].account = acct;
	chunks[i].next = NONE;
	chunks[i].nruns = 0; /* the last borrower's word is not this one's */
	if (a->tail == NONE)
		a->head = i;
	else
		chunks[a->tail].next = i;
	a->tail = i;
	*paddr = chunks[i].paddr;
	return LM_OK;
}

/* Take back every chunk lent to a: revoke removes the borrower's untyped
 * and every object made from it, wherever it was mapped or held. */
void chunk_return_all(struct account *a)
{
	lm_u16 i = a->head;

	while (i != NONE) {
		lm_u16 next = chunks[i].next;

		lm_cnode_revoke(LM_SLOT_CNODE, chunks[i].slot);
		put_free(i);
		i = next;
	}
	a->head = a->tail = NONE;
}

/* a's chunks in lending order (the oldest first) into out; how many. */
lm_u32 chunk_list(const struct account *a, lm_u16 *out)
{
	lm_u32 n = 0;

	for (lm_u16 i = a->head; i != NONE && n < MEM_MAX_CHUNKS; i = chunks[i].next)
		out[n++] = i;
	return n;
}

/* Take back chunk i, one of a's: out of a's list (a walk of it), revoked,
 * free. The caller uncharges it. */
void chunk_take(struct account *a, lm_u16 i)
{
	lm_u16 prev = NONE;

	for (lm_u16 k = a->head; k != NONE && k != i; k = chunks[k].next)
		prev = k;
	if (prev == NONE)
		a->head = chunks[i].next;
	else
		chunks[prev].next = chunks[i].next;
	if (a->tail == i)
		a->tail = prev;
	lm_cnode_revoke(LM_SLOT_CNODE, chunks[i].slot);
	put_free(i);
}
