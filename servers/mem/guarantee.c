/*
 * Guaranteed chunks (mem.h): an account's guaranteed quota is carved from
 * its parent's at MEM_SPLIT, the root account's being all of the manager's
 * chunks. A chunk lent from it (MEM_GROW_GUARANTEED) is never taken by
 * force. The manager only promises what it can keep: every guarantee not
 * yet lent is backed by a free chunk, so
 *
 *	nfree >= guarantee_owed()   (the guarantees promised, not yet lent)
 *
 * holds after every request: a plain grow leaves that many chunks free, a
 * guaranteed grow spends one of both, and a split below the root account
 * promises only what is free beyond what is already owed.
 */
#include "mem.h"

/* Promised and not lent: what each account below the root account has of
 * its guarantee that neither its children's guarantees nor its own
 * guaranteed chunks use. One table scan. */
lm_u32 guarantee_owed(void)
{
	lm_u32 owed = 0;

	for (lm_u16 i = 1; i < MEM_MAX_ACCOUNTS; i++)
		if (accounts[i].live)
			owed += accounts[i].guar - accounts[i].gused;
	return owed;
}

/* May a lend a chunk now (guaranteed: from its guaranteed quota)? The
 * quotas up the tree are checked apart. */
int guarantee_grow_ok(const struct account *a, int guaranteed)
{
	if (!guaranteed || a->parent == NONE)
		return nfree > guarantee_owed() && (!guaranteed || a->gused < a->guar);
	/* Below the root account a's unspent guarantee is one of the owed
	 * chunks: a free one is there for it. */
	return a->gused < a->guar;
}

/* The account whose guarantee a guaranteed grow of a spends: a itself,
 * or with shared the nearest account above it, below the root account,
 * with a guarantee left (the root account's is all the manager's memory:
 * never shared, or one account could promise itself everything). NONE
 * if none may. At most MEM_MAX_DEPTH steps. */
lm_u16 guarantee_source(const struct account *a, int shared)
{
	lm_u16 i = account_index(a);

	for (;;) {
		if (guarantee_grow_ok(&accounts[i], 1))
			return i;
		lm_u16 up = accounts[i].parent;
		if (!shared || up == NONE || accounts[up].parent == NONE)
			return NONE;
		i = up;
	}
}

/* May a give a new child a guarantee of g chunks? From a's unspent
 * guarantee; below the root account that is already backed, the root
 * account promises only free chunks not owed already. */
int guarantee_split_ok(const struct account *a, lm_u64 g)
{
	if (g > a->guar - a->gused)
		return 0;
	return a->parent != NONE || g <= nfree - guarantee_owed();
}
