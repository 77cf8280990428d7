/* The derivation tree at scale: revoke of long chains, delete and move of
 * capabilities with thousands of children, and a revoke that another
 * thread interrupts between its batches. */
#include "harness.h"

#define CN    LM_SLOT_CNODE
#define CHAIN 10000
#define WIDE  4000

static lm_u32 type_in(lm_cptr_t cn, lm_cptr_t slot)
{
	return LM_ID_TYPE(t_id_in(cn, slot).desc);
}

/* How many of slots first .. first+n-1 of cn hold a capability. */
static lm_u64 full_in(lm_cptr_t cn, lm_cptr_t first, lm_u64 n)
{
	lm_u64 full = 0;
	for (lm_u64 i = 0; i < n; i++)
		full += type_in(cn, first + i) != LM_OBJ_NULL;
	return full;
}

/* Slot 1 of cn: a copy of cap; slots 2 .. n: each a copy of the one before. */
static int chain(lm_cptr_t cn, lm_cptr_t cap, lm_u64 n)
{
	int err = lm_cnode_copy(cn, 1, CN, cap, LM_R_ALL);
	for (lm_u64 i = 2; i <= n && !err; i++)
		err = lm_cnode_copy(cn, i, cn, i - 1, LM_R_ALL);
	return err;
}

/* Slots 2 .. n+1 of cn: children of slot 1. */
static int fan(lm_cptr_t cn, lm_u64 n)
{
	int err = 0;
	for (lm_u64 i = 2; i <= n + 1 && !err; i++)
		err = lm_cnode_copy(cn, i, cn, 1, LM_R_ALL);
	return err;
}

TEST(cnode_revoke_of_10000_deep_chain_deletes_it_and_leaves_the_untyped_whole)
{
	lm_cptr_t ut = t_new(LM_OBJ_UNTYPED, 16), cn = t_new(LM_OBJ_CNODE, 14);
	lm_cptr_t f = t_slot();
	lm_u64 problems;

	CHECK(ut && cn && f);
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_FRAME, LM_PAGE_BITS, CN, f, 1));
	CHECK_OK(chain(cn, f, CHAIN));
	CHECK_EQ(full_in(cn, 1, CHAIN), CHAIN);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
	CHECK_OK(lm_cnode_revoke(CN, ut));
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK_EQ(full_in(cn, 1, CHAIN), 0);
	CHECK_EQ(t_ut_free(ut), 1u << 16);
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_UNTYPED, 16, CN, f, 1)); /* all of it again */
}

TEST(cnode_revoke_of_chain_keeps_the_cap_and_what_is_beside_it)
{
	lm_cptr_t fr = t_new(LM_OBJ_FRAME, LM_PAGE_BITS), cn = t_new(LM_OBJ_CNODE, 14);
	lm_cptr_t sib;

	CHECK(fr && cn);
	CHECK_OK(chain(cn, fr, CHAIN));
	sib = t_copy(fr, LM_R_READ);
	CHECK(sib);
	CHECK_OK(lm_cnode_revoke(cn, 1));
	CHECK_EQ(type_in(cn, 1), LM_OBJ_FRAME);
	CHECK_EQ(full_in(cn, 2, CHAIN - 1), 0);
	CHECK_EQ(t_type(sib), LM_OBJ_FRAME);
}

TEST(cnode_delete_of_cap_with_4000_children_hands_them_all_to_its_parent)
{
	lm_cptr_t fr = t_new(LM_OBJ_FRAME, LM_PAGE_BITS), cn = t_new(LM_OBJ_CNODE, 13);
	lm_u64 problems;

	CHECK(fr && cn);
	CHECK_OK(lm_cnode_copy(cn, 1, CN, fr, LM_R_ALL));
	CHECK_OK(fan(cn, WIDE));
	CHECK_OK(lm_cnode_delete(cn, 1));
	CHECK_EQ(type_in(cn, 1), LM_OBJ_NULL);
	CHECK_EQ(full_in(cn, 2, WIDE), WIDE);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
	CHECK_OK(lm_cnode_revoke(CN, fr)); /* they are fr's now */
	CHECK_EQ(full_in(cn, 2, WIDE), 0);
	CHECK_EQ(t_type(fr), LM_OBJ_FRAME);
}

TEST(cnode_move_of_cap_with_4000_children_keeps_them_below_it)
{
	lm_cptr_t fr = t_new(LM_OBJ_FRAME, LM_PAGE_BITS), cn = t_new(LM_OBJ_CNODE, 13);
	lm_cptr_t moved = t_slot();
	lm_u64 problems;

	CHECK(fr && cn && moved);
	CHECK_OK(lm_cnode_copy(cn, 1, CN, fr, LM_R_ALL));
	CHECK_OK(fan(cn, WIDE));
	CHECK_OK(lm_cnode_move(CN, moved, cn, 1)); /* to another CNode */
	CHECK_EQ(type_in(cn, 1), LM_OBJ_NULL);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
	CHECK_OK(lm_cnode_revoke(CN, moved));
	CHECK_EQ(full_in(cn, 2, WIDE), 0);
	CHECK_EQ(t_type(moved), LM_OBJ_FRAME);
	CHECK_EQ(t_type(fr), LM_OBJ_FRAME);
}

/* ---- a revoke interrupted between batches -------------------------------- */

#define SHORT 2000 /* well past one batch of 64 */

static lm_cptr_t rv_ut, rv_done;
static volatile int rv_result = -1;

static lm_word_t revoker(lm_word_t arg)
{
	rv_result = lm_cnode_revoke(CN, rv_ut);
	lm_ntfn_signal(rv_done);
	return 0;
}

/*
 * The untyped's newest child is an endpoint we wait on, so the revoke's
 * first batch deletes it and wakes us; being above the revoker we run
 * before its next batch. Meanwhile the tree is consistent, and we change
 * the part still to be revoked: delete and move capabilities in it, copy
 * a new one into it, retype more from the untyped. The revoke, resumed,
 * removes all of it, as it would have without us.
 */
TEST(cnode_revoke_interrupted_between_batches_finishes_with_the_same_result)
{
	lm_cptr_t cn = t_new(LM_OBJ_CNODE, 12), f = t_slot(), ep = t_slot(), g = t_slot();
	lm_cptr_t tcb;
	struct lm_msg m;
	lm_u64 problems, left;

	rv_ut = t_new(LM_OBJ_UNTYPED, 16);
	rv_done = t_new(LM_OBJ_NOTIFY, 0);
	rv_result = -1;
	CHECK(cn && f && ep && g && rv_ut && rv_done);
	CHECK_OK(lm_untyped_retype(rv_ut, LM_OBJ_FRAME, LM_PAGE_BITS, CN, f, 1));
	CHECK_OK(chain(cn, f, SHORT));
	CHECK_OK(lm_untyped_retype(rv_ut, LM_OBJ_ENDPOINT, 0, CN, ep, 1));
	tcb = t_thread(revoker, 0, T_PRIO - 1);
	CHECK(tcb);
	CHECK_ERR(lm_ep_recv(ep, &m), LM_EDELETED);

	CHECK_EQ(rv_result, -1); /* it has not returned */
	left = full_in(cn, 1, SHORT);
	CHECK(left > 0 && left < SHORT);
	CHECK_EQ(type_in(cn, SHORT), LM_OBJ_FRAME);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
	CHECK_OK(lm_cnode_delete(cn, SHORT / 2));
	CHECK_OK(lm_cnode_move(cn, SHORT + 1, cn, SHORT / 4));
	CHECK_OK(lm_cnode_copy(cn, SHORT + 2, cn, SHORT - 1, LM_R_READ));
	CHECK_OK(lm_untyped_retype(rv_ut, LM_OBJ_FRAME, LM_PAGE_BITS, CN, g, 1));
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);

	CHECK_OK(lm_ntfn_wait(rv_done, 0)); /* the revoke runs on */
	CHECK_OK(rv_result);
	CHECK_EQ(full_in(cn, 1, SHORT + 2), 0);
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK_EQ(t_type(ep), LM_OBJ_NULL);
	CHECK_EQ(t_type(g), LM_OBJ_NULL);
	CHECK_EQ(t_ut_free(rv_ut), 1u << 16);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
}
