/*
 * The memory manager (servers/mem, protocol in servers/mem/mem_proto.h):
 * each test starts its own manager from the "mem" module with two or four
 * chunks cut from the arena, holds the root account (badge MEM_BADGE_ROOT)
 * and talks to it with liblamina's client (lm/mem.h). The harness's revoke
 * of the arena ends the manager and everything it lent. Also the pool's
 * refill hook (lm_pool_set_refill).
 */
#include "harness.h"
#include <lm/mem.h>
#include "../../servers/mem/mem_proto.h"
#include "../../servers/mem/mem_srv.h"
#include "mem_test.h"

TEST(mem_grow_within_quota_then_a_clean_enomem)
{
	lm_cptr_t root, a, c1 = t_slot(), c2 = t_slot();
	lm_u64 badge;
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK_EQ(mt_info(root, QUOTA), 2);
	CHECK_EQ(mt_info(root, FREE), 2);
	CHECK((a = mt_split(root, 1, &badge)));
	CHECK(badge > MEM_BADGE_ROOT);
	CHECK_OK(lm_mem_grow(a, mt_ib, c1));
	struct t_id id = t_id(c1);
	CHECK_EQ(LM_ID_TYPE(id.desc), LM_OBJ_UNTYPED);
	CHECK_EQ(LM_ID_BITS(id.desc), MEM_CHUNK_BITS);
	CHECK_EQ(id.addr & ((1ull << MEM_CHUNK_BITS) - 1), 0); /* naturally aligned */
	CHECK_EQ(id.extra, 1ull << MEM_CHUNK_BITS);           /* whole */
	/* Over its quota: refused, nothing lent, the slot stays empty. */
	CHECK_ERR(lm_mem_grow(a, mt_ib, c2), LM_ENOMEM);
	CHECK_EQ(t_type(c2), LM_OBJ_NULL);
	CHECK_EQ(mt_info(a, QUOTA), 1);
	CHECK_EQ(mt_info(a, USE), 1);
	CHECK_EQ(mt_info(root, USE), 1);
	CHECK_EQ(mt_info(root, FREE), 1);
	/* The manager's memory out: the root account gets the last one, then
	 * a clean error too. */
	CHECK_OK(lm_mem_grow(root, mt_ib, c2));
	lm_cptr_t c3 = t_slot();
	CHECK_ERR(lm_mem_grow(root, mt_ib, c3), LM_ENOMEM);
	CHECK_EQ(t_type(c3), LM_OBJ_NULL);
}

TEST(mem_split_quota_counts_against_the_parent)
{
	lm_cptr_t root, a, b, d = t_slot(), e = t_slot();
	lm_u64 ba, bb;
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK((b = mt_split(a, 100, &bb)));
	CHECK_EQ(mt_info(b, QUOTA), 1); /* at most the parent's */
	CHECK_OK(lm_mem_grow(b, mt_ib, d));
	CHECK_EQ(mt_info(a, USE), 1); /* its child's chunk counts */
	CHECK_EQ(mt_info(root, USE), 1);
	/* a is within nothing now: refused, though the memory is there. */
	CHECK_ERR(lm_mem_grow(a, mt_ib, e), LM_ENOMEM);
	CHECK_EQ(mt_info(root, FREE), 1);
	/* A fork bomb of accounts below a never takes more than a's quota. */
	lm_u64 bx;
	lm_cptr_t x = mt_split(b, 5, &bx);
	CHECK(x);
	CHECK_ERR(lm_mem_grow(x, mt_ib, e), LM_ENOMEM);
	CHECK_EQ(t_type(e), LM_OBJ_NULL);
}

TEST(mem_close_revokes_every_object_made_from_a_lent_chunk)
{
	lm_cptr_t root, a, b, c = t_slot(), g = t_slot(), f = t_slot();
	lm_u64 ba, bb, n = 0;
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 2, &ba)));
	CHECK((b = mt_split(a, 2, &bb)));
	CHECK_OK(lm_mem_grow(a, mt_ib, c));
	CHECK_OK(lm_mem_grow(b, mt_ib, g));
	/* A frame from a's chunk, mapped and written. */
	CHECK_OK(lm_untyped_retype(c, LM_OBJ_FRAME, LM_PAGE_BITS, CN, f, 1));
	CHECK_OK(t_map(f, T_VA_FRESH(2), RW));
	*(volatile lm_u64 *)T_VA_FRESH(2) = 42;
	CHECK_EQ(mt_info(root, FREE), 0);
	/* Closing a closes b below it: both chunks back, every object gone. */
	CHECK_OK(lm_mem_close(root, ba, &n));
	CHECK_EQ(n, 2);
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK_EQ(t_type(c), LM_OBJ_NULL);
	CHECK_EQ(t_type(g), LM_OBJ_NULL);
	CHECK_EQ(t_type(a), LM_OBJ_NULL); /* the accounts' capabilities too */
	CHECK_EQ(t_type(b), LM_OBJ_NULL);
	CHECK_EQ(mt_info(root, FREE), 2);
	CHECK_EQ(mt_info(root, USE), 0);
	/* The chunks are lent again, whole. */
	lm_cptr_t a2 = mt_split(root, 2, &ba), c2 = t_slot();
	CHECK(a2);
	CHECK_OK(lm_mem_grow(a2, mt_ib, c2));
	CHECK_EQ(t_id(c2).extra, 1ull << MEM_CHUNK_BITS);
}

TEST(mem_close_only_from_an_account_above)
{
	lm_cptr_t root, a, b, a2;
	lm_u64 ba, bb, ba2;
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK((b = mt_split(root, 1, &bb)));
	CHECK((a2 = mt_split(a, 1, &ba2)));
	CHECK_ERR(lm_mem_close(a, bb, 0), LM_ERIGHTS);   /* a sibling's */
	CHECK_ERR(lm_mem_close(a, ba, 0), LM_ERIGHTS);   /* its own */
	CHECK_ERR(lm_mem_close(a2, ba, 0), LM_ERIGHTS);  /* its parent's */
	CHECK_ERR(lm_mem_close(a, MEM_BADGE_ROOT, 0), LM_ERIGHTS);
	CHECK_ERR(lm_mem_close(root, MEM_BADGE_ROOT, 0), LM_ERIGHTS);
	CHECK_ERR(lm_mem_close(a, 0, 0), LM_ENOENT);
	CHECK_ERR(lm_mem_close(a, 9999, 0), LM_ENOENT);
	CHECK_ERR(lm_mem_close(a, ~0ull, 0), LM_ENOENT);
	CHECK_OK(lm_mem_close(a, ba2, 0)); /* its child's: yes */
	CHECK_ERR(lm_mem_close(a, ba2, 0), LM_ENOENT); /* once */
	CHECK_EQ(mt_info(b, QUOTA), 1); /* b untouched */
}

TEST(mem_bad_labels_badges_and_arguments)
{
	lm_cptr_t root, a, c = t_slot(), unbadged = t_slot();
	lm_u64 ba;
	struct lm_msg m;
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK_OK(lm_ep_call(a, LM_MSG_INFO(99, 0, 0), 0, 0, 0, 0, &m));
	CHECK_EQ(m.w[0], (lm_u64)-LM_ENOSYS);
	CHECK_OK(lm_ep_call(a, LM_MSG_INFO(0, 0, 0), 0, 0, 0, 0, &m));
	CHECK_EQ(m.w[0], (lm_u64)-LM_ENOSYS);
	CHECK_ERR(lm_ep_call(a, LM_MSG_INFO(MEM_GROW, 1, 0), 0, 0, 0, 0, &m), LM_OK);
	CHECK_EQ(m.w[0], (lm_u64)-LM_ERANGE); /* zero chunks */
	CHECK_ERR(lm_mem_split(a, mt_ib, 0, c, &ba), LM_ERANGE);
	/* Below the root account MEM_LIST shows only the caller's own
	 * subtree: not the root account, not a sibling. */
	lm_u64 bs, bsib;
	lm_cptr_t sib = mt_split(root, 1, &bsib), sub = t_slot();
	CHECK(sib && sub);
	CHECK_OK(lm_mem_split(a, mt_ib, 1, sub, &bs));
	CHECK_ERR(lm_ep_call(a, LM_MSG_INFO(MEM_LIST, 1, 0), 1, 0, 0, 0, &m), LM_OK);
	CHECK_EQ(m.w[0], ba);
	CHECK_EQ(m.w[1], MEM_BADGE_ROOT);
	CHECK_ERR(lm_ep_call(a, LM_MSG_INFO(MEM_LIST, 1, 0), ba + 1, 0, 0, 0, &m), LM_OK);
	CHECK_EQ(m.w[0], bs); /* its child; the sibling (made before it) skipped */
	CHECK_EQ(m.w[1], ba);
	CHECK_ERR(lm_ep_call(a, LM_MSG_INFO(MEM_LIST, 1, 0), bs + 1, 0, 0, 0, &m), LM_OK);
	CHECK_EQ(m.w[0], (lm_u64)-LM_ENOENT);
	CHECK_ERR(lm_ep_call(sub, LM_MSG_INFO(MEM_LIST, 1, 0), 1, 0, 0, 0, &m), LM_OK);
	CHECK_EQ(m.w[0], bs);
	CHECK_OK(lm_mem_close(root, bs, 0));
	CHECK_OK(lm_mem_close(root, bsib, 0));
	/* The endpoint without a badge is no account. */
	CHECK_OK(lm_cnode_copy(CN, unbadged, CN, mt_ep, LM_R_WRITE));
	lm_u64 q, u, fr;
	CHECK_ERR(lm_mem_info(unbadged, &q, &u, &fr), LM_ENOENT);
	CHECK_ERR(lm_mem_info(0x7fffff, &q, &u, &fr), LM_ECAP); /* no capability at all */
	/* A grow with no receive slot: lent and charged, no capability. */
	CHECK_ERR(lm_mem_grow(a, mt_ib, 0), LM_ECAP);
	CHECK_EQ(mt_info(a, USE), 1);
	lm_u64 n = 0;
	CHECK_OK(lm_mem_close(root, ba, &n)); /* and taken back */
	CHECK_EQ(n, 1);
	CHECK_EQ(mt_info(root, FREE), 2);
	/* A closed account's holder gets a clean error, never a hang. */
	CHECK_NE(lm_mem_info(a, &q, &u, &fr), LM_OK);
	/* MEM_LIST walks the live accounts. */
	CHECK_OK(lm_ep_call(root, LM_MSG_INFO(MEM_LIST, 1, 0), 1, 0, 0, 0, &m));
	CHECK_EQ(m.w[0], MEM_BADGE_ROOT);
	CHECK_EQ(m.w[2], 2);
	CHECK_OK(lm_ep_call(root, LM_MSG_INFO(MEM_LIST, 1, 0), 2, 0, 0, 0, &m));
	CHECK_EQ(m.w[0], (lm_u64)-LM_ENOENT);
}

TEST(mem_flood_of_accounts_is_bounded_and_closed_at_once)
{
	lm_cptr_t root, a, c = t_slot();
	lm_u64 ba, b, n = 0, made = 0;
	struct lm_proc p;
	int err = LM_OK;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 2, &ba)));
	/* A chain as deep as the manager allows, then a table full of
	 * accounts: each refused with LM_ELIMIT, the manager still serving. */
	lm_cptr_t cur = a;
	while (made < 300) {
		lm_cptr_t s = t_slot();

		CHECK(s);
		if ((err = lm_mem_split(cur, mt_ib, 1, s, &b)))
			break;
		made++;
		cur = s;
	}
	CHECK_EQ(err, LM_ELIMIT);
	while (made < 300) {
		lm_cptr_t s = t_slot();

		CHECK(s);
		if ((err = lm_mem_split(a, mt_ib, 1, s, &b)))
			break;
		made++;
	}
	CHECK_EQ(err, LM_ELIMIT);
	CHECK(made < 128);
	CHECK_OK(lm_mem_grow(root, mt_ib, c)); /* others are still served */
	CHECK_OK(lm_mem_close(root, ba, &n));
	CHECK_EQ(mt_info(root, USE), 1);
	lm_cptr_t a2 = mt_split(root, 1, &ba);
	CHECK(a2); /* every place in the table free again */
}

/* ---- the pool's refill hook --------------------------------------------- */

static int refills;
static int refill_from_arena(struct lm_pool *p, lm_u32 size_bits)
{
	lm_cptr_t u;

	refills++;
	if (size_bits > 16 || lm_pool_alloc(&t_pool, LM_OBJ_UNTYPED, 16, &u))
		return LM_ENOMEM;
	return lm_pool_add_whole(p, u);
}

TEST(mem_pool_refill_hook_is_asked_once_per_failed_allocation)
{
	static struct lm_pool small;
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, LM_PAGE_BITS), f1, f2, big;
	struct lm_pool *was = lm_pool_current();

	CHECK(u);
	lm_pool_init(&small, 0);
	CHECK_OK(lm_pool_add(&small, u));
	refills = 0;
	lm_pool_use(&small);
	lm_pool_set_refill(refill_from_arena);
	int e1 = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f1); /* fits */
	int e2 = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f2); /* refilled */
	int r2 = refills;
	int e3 = lm_obj_alloc(LM_OBJ_UNTYPED, 17, &big);        /* bigger: refused */
	int r3 = refills;
	/* Another pool than the default one never asks. */
	lm_cptr_t x;
	lm_pool_use(was);
	int e4 = lm_pool_alloc(&small, LM_OBJ_UNTYPED, 17, &x);
	lm_pool_set_refill(0);
	CHECK_OK(e1);
	CHECK_OK(e2);
	CHECK_EQ(r2, 1);
	CHECK_ERR(e3, LM_ENOMEM);
	CHECK_EQ(r3, 2);
	CHECK_ERR(e4, LM_ENOMEM);
	CHECK_EQ(refills, 2);
}
