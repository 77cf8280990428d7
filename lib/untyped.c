/* The untyped-memory object allocator (lm/untyped.h). */
#include <lm/untyped.h>
#include <lm/slot.h>
#include <lm/sys.h>
#include <lamina/bootinfo.h>
#include <lm/fork.h>

static struct lm_pool *pool_current LM_PRIVATE;
static lm_pool_refill_fn refill LM_PRIVATE;

void lm_pool_set_refill(lm_pool_refill_fn fn)
{
	refill = fn;
}

void lm_pool_use(struct lm_pool *p)
{
	pool_current = p;
}

struct lm_pool *lm_pool_current(void)
{
	return pool_current;
}

void lm_pool_init(struct lm_pool *p, lm_u32 split_bits)
{
	p->n = 0;
	p->split_bits = split_bits;
}

lm_u32 lm_obj_size_bits(lm_u32 type, lm_u32 bits)
{
	switch (type) {
	case LM_OBJ_UNTYPED:
	case LM_OBJ_FRAME:
	case LM_OBJ_BPF:
		return bits;
	case LM_OBJ_PTABLE:
		return LM_PTABLE_BITS;
	case LM_OBJ_VSPACE:
		return LM_VSPACE_BITS;
	case LM_OBJ_CNODE:
		return bits + LM_SLOT_BITS;
	case LM_OBJ_TCB:
		return LM_TCB_BITS;
	case LM_OBJ_ENDPOINT:
		return LM_ENDPOINT_BITS;
	case LM_OBJ_NOTIFY:
		return LM_NOTIFY_BITS;
	}
	return 0;
}

static int pool_add_entry(struct lm_pool *p, lm_cptr_t slot, lm_u64 paddr,
			  lm_u32 bits)
{
	struct lm_pool_ut *u;

	if (p->n == LM_POOL_MAX)
		return LM_ELIMIT;
	u = &p->ut[p->n++];
	u->slot = slot;
	u->paddr = paddr;
	u->bits = (lm_u8)bits;
	u->split = p->split_bits && bits > p->split_bits;
	return LM_OK;
}

int lm_pool_add(struct lm_pool *p, lm_cptr_t slot)
{
	lm_u64 desc, paddr;
	int err = lm_cnode_identify(LM_SLOT_CNODE, slot, &desc, &paddr, 0);

	if (err)
		return err;
	if (LM_ID_TYPE(desc) != LM_OBJ_UNTYPED)
		return LM_ETYPE;
	return pool_add_entry(p, slot, paddr, LM_ID_BITS(desc));
}

int lm_pool_add_whole(struct lm_pool *p, lm_cptr_t slot)
{
	int err = lm_pool_add(p, slot);

	if (!err)
		p->ut[p->n - 1].split = 0;
	return err;
}

int lm_pool_remove(struct lm_pool *p, lm_cptr_t slot)
{
	for (lm_u32 i = 0; i < p->n; i++)
		if (p->ut[i].slot == slot) {
			p->ut[i] = p->ut[--p->n];
			return LM_OK;
		}
	return LM_ENOENT;
}

static lm_u64 ut_free(const struct lm_pool_ut *u)
{
	lm_u64 desc, addr, free;

	if (lm_cnode_identify(LM_SLOT_CNODE, u->slot, &desc, &addr, &free))
		return 0;
	return LM_ID_TYPE(desc) == LM_OBJ_UNTYPED ? free : 0;
}

lm_u64 lm_pool_free_bytes(const struct lm_pool *p)
{
	lm_u64 sum = 0;

	for (lm_u32 i = 0; i < p->n; i++)
		sum += ut_free(&p->ut[i]);
	return sum;
}

/* Alignment padding an object of 2^sb bytes would cost in u, or -1 if it
 * does not fit. The kernel places it at the free mark rounded up. */
static lm_i64 ut_fit(const struct lm_pool_ut *u, lm_u32 sb)
{
	lm_u64 size = 1ull << u->bits, obj = 1ull << sb;
	lm_u64 mark = size - ut_free(u);
	lm_u64 at = (mark + obj - 1) & ~(obj - 1);

	if (sb > u->bits || at > size - obj)
		return -1;
	return (lm_i64)(at - mark);
}

/* The entry that fits an object of 2^sb bytes with least padding, smallest
 * entry first on a tie; -1 if none. Split entries only take big objects. */
static int pool_pick(const struct lm_pool *p, lm_u32 sb)
{
	int best = -1;
	lm_i64 best_pad = 0;

	for (lm_u32 i = 0; i < p->n; i++) {
		const struct lm_pool_ut *u = &p->ut[i];
		lm_i64 pad;

		if (u->split && sb <= p->split_bits)
			continue;
		pad = ut_fit(u, sb);
		if (pad < 0)
			continue;
		if (best < 0 || pad < best_pad ||
		    (pad == best_pad && u->bits < p->ut[best].bits)) {
			best = (int)i;
			best_pad = pad;
		}
	}
	return best;
}

static int retype_one(lm_cptr_t ut, lm_u32 type, lm_u32 bits, lm_cptr_t *slot)
{
	lm_cptr_t s = lm_slot_alloc();
	int err;

	if (!s)
		return LM_ELIMIT;
	err = lm_untyped_retype(ut, type, bits, LM_SLOT_CNODE, s, 1);
	if (err) {
		lm_slot_free(s);
		return err;
	}
	*slot = s;
	return LM_OK;
}

/* Cut a new 2^split_bits piece from the split entry with the least padding
 * and add it to the pool. */
static int pool_split(struct lm_pool *p)
{
	int from = -1;
	lm_i64 best_pad = 0;
	lm_cptr_t s;
	lm_u64 desc, paddr;
	int err;

	if (p->n == LM_POOL_MAX)
		return LM_ENOMEM;
	for (lm_u32 i = 0; i < p->n; i++) {
		lm_i64 pad = p->ut[i].split ? ut_fit(&p->ut[i], p->split_bits) : -1;

		if (pad >= 0 && (from < 0 || pad < best_pad)) {
			from = (int)i;
			best_pad = pad;
		}
	}
	if (from < 0)
		return LM_ENOMEM;
	err = retype_one(p->ut[from].slot, LM_OBJ_UNTYPED, p->split_bits, &s);
	if (err)
		return err;
	lm_cnode_identify(LM_SLOT_CNODE, s, &desc, &paddr, 0);
	return pool_add_entry(p, s, paddr, p->split_bits);
}

static int pool_alloc_once(struct lm_pool *p, lm_u32 type, lm_u32 bits, lm_u32 sb,
			   lm_cptr_t *slot)
{
	int i, err;

	i = pool_pick(p, sb);
	if (i < 0 && p->split_bits && sb <= p->split_bits) {
		err = pool_split(p);
		if (err)
			return err;
		i = pool_pick(p, sb);
	}
	if (i < 0)
		return LM_ENOMEM;
	return retype_one(p->ut[i].slot, type, bits, slot);
}

int lm_pool_alloc(struct lm_pool *p, lm_u32 type, lm_u32 bits, lm_cptr_t *slot)
{
	lm_u32 sb = lm_obj_size_bits(type, bits);
	int err;

	if (!p)
		return LM_ENOMEM;
	if (sb == 0)
		return LM_EINVAL;
	err = pool_alloc_once(p, type, bits, sb, slot);
	/* The default pool asks its hook for more, once (lm_pool_set_refill). */
	if (err == LM_ENOMEM && refill && p == pool_current && !refill(p, sb))
		err = pool_alloc_once(p, type, bits, sb, slot);
	return err;
}

int lm_obj_alloc(lm_u32 type, lm_u32 bits, lm_cptr_t *slot)
{
	return lm_pool_alloc(pool_current, type, bits, slot);
}

int lm_obj_free(lm_cptr_t slot)
{
	int err = lm_cnode_revoke(LM_SLOT_CNODE, slot);

	if (!err)
		err = lm_cnode_delete(LM_SLOT_CNODE, slot);
	if (!err)
		lm_slot_free(slot);
	return err;
}
