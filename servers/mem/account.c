/* The memory manager's accounts (mem.h): quotas counted up the tree. */
#include "mem.h"

struct account accounts[MEM_MAX_ACCOUNTS];

/* The root account: all of the memory, badge MEM_BADGE_ROOT, on the
 * endpoint root minted for the shell (no cap of ours: never closed). */
void account_init(void)
{
	accounts[0] = (struct account){ .live = 1, .parent = NONE, .quota = nchunks,
					.head = NONE, .tail = NONE };
}

struct account *account_of(lm_u64 badge)
{
	if (badge < 1 || badge > MEM_MAX_ACCOUNTS || !accounts[badge - 1].live)
		return 0;
	return &accounts[badge - 1];
}

static lm_u16 index_of(const struct account *a)
{
	return (lm_u16)(a - accounts);
}

/* Add d (+1 or -n) to the use of a and of every account above it. At most
 * MEM_MAX_DEPTH + 1 steps. */
static void charge(struct account *a, long d)
{
	for (lm_u16 i = index_of(a); i != NONE; i = accounts[i].parent)
		accounts[i].use = (lm_u32)((long)accounts[i].use + d);
}

long account_grow(struct account *a, lm_cptr_t dst, lm_u64 *paddr)
{
	for (lm_u16 i = index_of(a); i != NONE; i = accounts[i].parent)
		if (accounts[i].use >= accounts[i].quota)
			return -LM_ENOMEM;
	int err = chunk_lend(index_of(a), dst, paddr);
	if (err)
		return -err;
	a->own++;
	charge(a, 1);
	return 1;
}

long account_split(struct account *a, lm_u64 quota, lm_cptr_t *cap, lm_u64 *q)
{
	lm_u16 i;

	if (quota == 0)
		return -LM_ERANGE;
	if (a->depth >= MEM_MAX_DEPTH)
		return -LM_ELIMIT;
	for (i = 1; i < MEM_MAX_ACCOUNTS && accounts[i].live; i++)
		;
	if (i == MEM_MAX_ACCOUNTS)
		return -LM_ELIMIT;
	lm_cptr_t s = lm_slot_alloc();
	if (!s)
		return -LM_ELIMIT;
	int err = lm_cnode_mint(LM_SLOT_CNODE, s, LM_SLOT_CNODE, MEM_SLOT_EP, LM_R_WRITE,
				(lm_u64)i + 1);
	if (err) {
		lm_slot_free(s);
		return -err;
	}
	accounts[i] = (struct account){
		.live = 1, .depth = (lm_u8)(a->depth + 1), .parent = index_of(a),
		.quota = quota < a->quota ? (lm_u32)quota : a->quota,
		.head = NONE, .tail = NONE, .cap = s,
	};
	*cap = s;
	*q = accounts[i].quota;
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
	chunk_return_all(a);
	charge(a, -(long)a->own);
	a->own = 0;
	lm_cnode_revoke(LM_SLOT_CNODE, a->cap);
	lm_cnode_delete(LM_SLOT_CNODE, a->cap);
	lm_slot_free(a->cap);
	a->live = 0;
	return taken;
}

long account_close(struct account *a, lm_u64 badge)
{
	struct account *t = account_of(badge);

	if (!t)
		return -LM_ENOENT;
	if (t == a || t->parent == NONE)
		return -LM_ERIGHTS;
	/* Only an account above it may: walk up from it. */
	for (lm_u16 i = t->parent; i != NONE; i = accounts[i].parent)
		if (&accounts[i] == a)
			return (long)end_tree(index_of(t));
	return -LM_ERIGHTS;
}

long account_list(lm_u64 from, lm_u64 out[4])
{
	for (lm_u64 b = from ? from : 1; b <= MEM_MAX_ACCOUNTS; b++) {
		const struct account *a = &accounts[b - 1];

		if (!a->live)
			continue;
		out[0] = b;
		out[1] = a->parent == NONE ? 0 : (lm_u64)a->parent + 1;
		out[2] = a->quota;
		out[3] = a->use;
		return (long)b;
	}
	return -LM_ENOENT;
}
