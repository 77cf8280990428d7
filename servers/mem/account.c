/* The memory manager's accounts (mem.h): quotas and account limits
 * counted up the tree. */
#include "mem.h"

struct account accounts[MEM_MAX_ACCOUNTS];

/* The root account: all of the memory, badge MEM_BADGE_ROOT, on the
 * endpoint root minted for the shell (no cap of ours: never closed). All
 * of it may be guaranteed; every other account may be below it. */
void account_init(void)
{
	accounts[0] = (struct account){ .live = 1, .parent = NONE, .quota = nchunks,
					.guar = nchunks, .alimit = MEM_MAX_ACCOUNTS - 1,
					.head = NONE, .tail = NONE };
}

struct account *account_of(lm_u64 badge)
{
	if (badge < 1 || badge > MEM_MAX_ACCOUNTS || !accounts[badge - 1].live)
		return 0;
	return &accounts[badge - 1];
}

lm_u16 account_index(const struct account *a)
{
	return (lm_u16)(a - accounts);
}

/* 1 if a is strictly above t. At most MEM_MAX_DEPTH steps. */
int account_is_above(const struct account *a, const struct account *t)
{
	for (lm_u16 i = t->parent; i != NONE; i = accounts[i].parent)
		if (&accounts[i] == a)
			return 1;
	return 0;
}

/* Add d (+1 or -n) to the use of a and of every account above it. At most
 * MEM_MAX_DEPTH + 1 steps. */
void account_charge(struct account *a, long d)
{
	for (lm_u16 i = account_index(a); i != NONE; i = accounts[i].parent)
		accounts[i].use = (lm_u32)((long)accounts[i].use + d);
}

/* Add d to the count of accounts below every account above a. */
static void count_below(struct account *a, int d)
{
	for (lm_u16 i = a->parent; i != NONE; i = accounts[i].parent)
		accounts[i].below = (lm_u16)(accounts[i].below + d);
}

long account_grow(struct account *a, lm_u64 flags, lm_cptr_t dst, lm_u64 *paddr)
{
	int g = (flags & MEM_GROW_GUARANTEED) != 0;
	lm_u16 gi = NONE; /* whose guarantee it spends */

	if ((flags & ~(lm_u64)(MEM_GROW_GUARANTEED | MEM_GROW_SHARED)) ||
	    ((flags & MEM_GROW_SHARED) && !g))
		return -LM_EINVAL;
	for (lm_u16 i = account_index(a); i != NONE; i = accounts[i].parent)
		if (accounts[i].use >= accounts[i].quota)
			return -LM_ENOMEM;
	if (g ? (gi = guarantee_source(a, (flags & MEM_GROW_SHARED) != 0)) == NONE
	      : !guarantee_grow_ok(a, 0))
		return -LM_ENOMEM;
	int err = chunk_lend(account_index(a), dst, paddr);
	if (err)
		return -err;
	a->own++;
	account_charge(a, 1);
	if (g) {
		chunks[a->tail].guaranteed = 1;
		chunks[a->tail].gfrom = gi;
		accounts[gi].gused++;
	}
	return 1;
}

/* The account limit of a new child of a: one less than a's (its subtree
 * is inside a's), half the table below the root account, so one subtree
 * never takes the whole table. `want` (0: no wish) may only lower it. */
static lm_u16 child_limit(const struct account *a, lm_u64 want)
{
	lm_u16 lim = a->parent == NONE ? a->alimit / 2 : (lm_u16)(a->alimit - 1);

	return want && want < lim ? (lm_u16)want : lim;
}

/* w[0] = quota, w[1] = guaranteed, w[2] = account limit (mem_proto.h). */
long account_split(struct account *a, const lm_u64 w[4], lm_cptr_t *cap, lm_u64 *q)
{
	lm_u64 quota = w[0] < a->quota ? w[0] : a->quota, g = w[1];
	lm_u16 i;

	if (quota == 0 || g > quota)
		return -LM_ERANGE;
	if (a->depth >= MEM_MAX_DEPTH)
		return -LM_ELIMIT;
	for (lm_u16 k = account_index(a); k != NONE; k = accounts[k].parent)
		if (accounts[k].below >= accounts[k].alimit)
			return -LM_ELIMIT;
	for (i = 1; i < MEM_MAX_ACCOUNTS && accounts[i].live; i++)
		;
	if (i == MEM_MAX_ACCOUNTS)
		return -LM_ELIMIT;
	if (!guarantee_split_ok(a, g))
		return -LM_ENOMEM;
	lm_cptr_t s = lm_slot_alloc();
	if (!s)
		return -LM_ELIMIT;
	/* GRANT: MEM_REGISTER passes a notification (the manager keeps no
	 * other capability a client sends). */
	int err = lm_cnode_mint(LM_SLOT_CNODE, s, LM_SLOT_CNODE, MEM_SLOT_EP,
				LM_R_WRITE | LM_R_GRANT, (lm_u64)i + 1);
	if (err) {
		lm_slot_free(s);
		return -err;
	}
	accounts[i] = (struct account){
		.live = 1, .depth = (lm_u8)(a->depth + 1), .parent = account_index(a),
		.quota = (lm_u32)quota, .guar = (lm_u32)g, .alimit = child_limit(a, w[2]),
		.head = NONE, .tail = NONE, .cap = s,
		.page = accounts[i].page, .frame = accounts[i].frame,
	};
	a->gused += (lm_u32)g;
	count_below(&accounts[i], 1);
	*cap = s;
	*q = quota;
	return (long)i + 1;
}

/* End account i and every account below it: their chunks back to the
 * free list, their caps revoked. Depth-first over the table: each level
 * scans it once, and there are at most MEM_MAX_DEPTH levels. */
static lm_u64 end_tree(lm_u16 i)
{
	struct account *a = &accounts[i];
	lm_u64 taken = 0;

	for (lm_u16 k = 1; k < MEM_MAX_ACCOUNTS; k++)
		if (accounts[k].live && accounts[k].parent == i)
			taken += end_tree(k);
	taken += a->own;
	/* Its chunks from a guarantee above it are that guarantee's again
	 * (its own guarantee goes back whole below). */
	for (lm_u16 c = a->head; c != NONE; c = chunks[c].next)
		if (chunks[c].guaranteed && chunks[c].gfrom != i)
			accounts[chunks[c].gfrom].gused--;
	chunk_return_all(a);
	account_charge(a, -(long)a->own);
	a->own = 0;
	accounts[a->parent].gused -= a->guar;
	count_below(a, -1);
	revoke_forget(a);
	lm_cnode_revoke(LM_SLOT_CNODE, a->cap);
	lm_cnode_delete(LM_SLOT_CNODE, a->cap);
	lm_slot_free(a->cap);
	a->live = 0;
	return taken;
}

/* The live account `badge` strictly below a, or 0 with *err: -LM_ENOENT
 * (none), -LM_ERIGHTS (not below a: only an account above may act on it). */
struct account *account_below(const struct account *a, lm_u64 badge, long *err)
{
	struct account *t = account_of(badge);

	*err = !t ? -LM_ENOENT : !account_is_above(a, t) ? -LM_ERIGHTS : 0;
	return *err ? 0 : t;
}

long account_close(struct account *a, lm_u64 badge)
{
	long err;
	struct account *t = account_below(a, badge, &err);

	return t ? (long)end_tree(account_index(t)) : err;
}

/* The first live account at or after badge `from` that is a or below it
 * (the root account sees them all): one table scan, a walk up from each. */
long account_list(const struct account *a, lm_u64 from, lm_u64 out[4])
{
	for (lm_u64 b = from ? from : 1; b <= MEM_MAX_ACCOUNTS; b++) {
		const struct account *t = &accounts[b - 1];

		if (!t->live || (t != a && !account_is_above(a, t)))
			continue;
		out[0] = b;
		out[1] = t->parent == NONE ? 0 : (lm_u64)t->parent + 1;
		out[2] = t->quota;
		out[3] = t->use | (lm_u64)t->guar << 32;
		return (long)b;
	}
	return -LM_ENOENT;
}
