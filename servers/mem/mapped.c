/*
 * Where a chunk's frames are mapped, in the holder's own words
 * (MEM_MAPPED, mem_proto.h): a bounded list of runs per chunk, copied into
 * the abort records when the chunk is taken by force (revoke.c) so the
 * record names the virtual addresses lost, not only the frames.
 *
 * The manager never maps, checks or uses these addresses: a holder that
 * lies garbles only its own records. The work is bounded per request (a
 * walk of the account's chunks, MEM_RUNS runs), the storage fixed (runs[]
 * beside chunks[]); a chunk's runs are forgotten when it is lent again.
 */
#include "mem.h"

struct run runs[MEM_MAX_CHUNKS][MEM_RUNS];

#define CHUNK_PAGES (1u << (MEM_CHUNK_BITS - LM_PAGE_BITS))

/* The chunk of a's own holding frame paddr, or NONE. */
static lm_u16 own_chunk(const struct account *a, lm_u64 paddr)
{
	lm_u64 base = paddr & ~((1ull << MEM_CHUNK_BITS) - 1);

	for (lm_u16 i = a->head; i != NONE; i = chunks[i].next)
		if (chunks[i].paddr == base)
			return i;
	return NONE;
}

/* The runs of chunk i at vaddr are dropped; the rest keep their order. */
static void forget(lm_u16 i, lm_u64 vaddr)
{
	lm_u8 n = 0;

	for (lm_u8 k = 0; k < chunks[i].nruns; k++)
		if (runs[i][k].vaddr != vaddr)
			runs[i][n++] = runs[i][k];
	chunks[i].nruns = n;
}

/* w[0] = first frame's paddr, w[1] = vaddr, w[2] = pages (0: forget). */
long mapped_declare(struct account *a, const lm_u64 w[4])
{
	lm_u64 pa = w[0], va = w[1], n = w[2];

	if ((pa | va) & (LM_PAGE_SIZE - 1))
		return -LM_EINVAL;
	lm_u16 i = own_chunk(a, pa);
	if (i == NONE)
		return -LM_ENOENT;
	if (n == 0) {
		forget(i, va);
		return chunks[i].nruns;
	}
	lm_u64 first = (pa - chunks[i].paddr) >> LM_PAGE_BITS;
	/* Each bound alone, so no sum can wrap. */
	if (n > CHUNK_PAGES - first || va >= MEM_USER_TOP ||
	    n > (MEM_USER_TOP - va) >> LM_PAGE_BITS)
		return -LM_ERANGE;
	if (chunks[i].nruns == MEM_RUNS)
		return -LM_ELIMIT;
	runs[i][chunks[i].nruns++] = (struct run){ va, (lm_u16)first, (lm_u16)n };
	return chunks[i].nruns;
}
