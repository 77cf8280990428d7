/*
 * The memory manager's account limit (servers/mem/account.c): every
 * account bounds how many accounts may be made below it, counted up the
 * tree, and the root account's children get half the table each at most,
 * so one client splitting over and over never takes every account from
 * the others.
 */
#include "harness.h"
#include "../../servers/mem/mem_proto.h"
#include "mem_test.h"

TEST(mem_split_flood_stops_at_its_own_account_limit_others_still_split)
{
	lm_cptr_t root, a, b, c = t_slot(), s;
	lm_u64 ba, bb, x, n = 0;
	struct lm_proc p;
	int err = LM_OK, made = 0;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 1, &ba)));
	/* Quota 1 over and over, flat below a: half the table (127 / 2). */
	while (made < 200) {
		CHECK((s = t_slot()));
		if ((err = lm_mem_split(a, mt_ib, 1, s, &x)))
			break;
		made++;
	}
	CHECK_ERR(err, LM_ELIMIT);
	CHECK_EQ(made, (MEM_MAX_ACCOUNTS - 1) / 2);
	/* Another tree is still served: it splits, and its accounts grow. */
	CHECK((b = mt_split(root, 1, &bb)));
	lm_u64 bx;
	lm_cptr_t b2 = mt_split(b, 1, &bx);
	CHECK(b2);
	CHECK_OK(lm_mem_grow(b2, mt_ib, c));
	CHECK_EQ(mt_info(root, USE), 1);
	/* Closing a gives its places back. */
	CHECK_OK(lm_mem_close(root, ba, &n));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK((s = mt_split(a, 1, &x)));
}

TEST(mem_account_limit_counts_up_the_tree_and_only_lowers)
{
	lm_cptr_t root, a, c, d, s;
	lm_u64 ba, bc, bd, x;
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split_with(root, 1, 0, 2, &ba))); /* two below it at most */
	CHECK((c = mt_split(a, 1, &bc)));
	CHECK((d = mt_split(c, 1, &bd)));      /* a grandchild counts at a too */
	CHECK((s = t_slot()));
	CHECK_ERR(lm_mem_split(a, mt_ib, 1, s, &x), LM_ELIMIT);
	CHECK_ERR(lm_mem_split(d, mt_ib, 1, s, &x), LM_ELIMIT); /* a is full */
	CHECK_EQ(t_type(s), LM_OBJ_NULL);
	/* A wish above the default is cut to it: a is full again. */
	CHECK_OK(lm_mem_close(a, bd, 0));
	lm_cptr_t c2 = mt_split_with(a, 1, 0, 1000, &x);
	CHECK(c2);
	CHECK_ERR(lm_mem_split(c2, mt_ib, 1, s, &x), LM_ELIMIT); /* a: 2 below */
	/* A bigger wish than the default is cut to it, never refused. */
	CHECK_OK(lm_mem_close(root, ba, 0));
	CHECK((a = mt_split_with(root, 1, 0, ~0ull >> 1, &ba)));
}
