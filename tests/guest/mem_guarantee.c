/*
 * Guaranteed chunks (servers/mem/guarantee.c): an account's guaranteed
 * quota is carved from its parent's, the manager promises only chunks it
 * holds free, and a chunk lent from a guarantee is never taken by force.
 * MEM_GROW_SHARED: an account below draws on the guarantee of the
 * nearest account above it (never the root account's). lm_mem_guard_own:
 * a library OS's own state in guaranteed memory, the program's frames in
 * ordinary chunks apart.
 */
#include "harness.h"
#include "../../servers/mem/mem_proto.h"
#include "mem_test.h"

TEST(mem_guarantees_never_exceed_what_the_manager_holds)
{
	lm_cptr_t root, a, b, s = t_slot();
	lm_u64 ba, bb, x, g = 0;
	struct lm_proc p;
	struct lm_msg m;

	CHECK_OK(mt_start(2, &root, &p)); /* 4 chunks */
	CHECK_ERR(lm_mem_split_with(root, mt_ib, 4, 5, 0, s, &x), LM_ERANGE); /* > quota */
	CHECK((a = mt_split_with(root, 4, 3, 0, &ba)));
	CHECK_OK(lm_mem_guaranteed(a, &g));
	CHECK_EQ(g, 3);
	/* One chunk is left to promise. */
	CHECK_ERR(lm_mem_split_with(root, mt_ib, 4, 2, 0, s, &x), LM_ENOMEM);
	CHECK_EQ(t_type(s), LM_OBJ_NULL);
	CHECK((b = mt_split_with(root, 4, 1, 0, &bb)));
	/* All four promised: a plain chunk would break a promise. */
	CHECK(!mt_grow(root, 0, 0));
	CHECK(!mt_grow(a, 0, 0));
	CHECK(mt_grow(a, 1, 0));
	CHECK(mt_grow(a, 1, 0));
	CHECK(mt_grow(a, 1, 0));
	CHECK(!mt_grow(a, 1, 0)); /* its guarantee spent */
	CHECK(mt_grow(b, 1, 0));
	CHECK_EQ(mt_info(root, FREE), 0);
	/* A child's guarantee comes from its parent's. */
	CHECK_ERR(lm_mem_split_with(a, mt_ib, 1, 1, 0, s, &x), LM_ENOMEM);
	/* MEM_LIST shows each guarantee (the high half of w3). */
	CHECK_OK(lm_ep_call(root, LM_MSG_INFO(MEM_LIST, 1, 0), ba, 0, 0, 0, &m));
	CHECK_EQ(m.w[0], ba);
	CHECK_EQ(m.w[3] >> 32, 3);
	CHECK_EQ(m.w[3] & 0xffffffff, 3);
	/* Closing a frees its promise with its chunks. */
	CHECK_OK(lm_mem_close(root, ba, 0));
	CHECK(mt_grow(root, 0, 0));
	CHECK((a = mt_split_with(root, 2, 2, 0, &ba)));
	CHECK(!mt_grow(root, 0, 0)); /* 2 free, both promised to a */
	CHECK_ERR(lm_mem_grow(root, mt_ib, 0x7fffff), LM_ENOMEM);
	/* A bad flag is refused. */
	CHECK_OK(lm_ep_call(a, LM_MSG_INFO(MEM_GROW, 2, 0), 1, 0x80, 0, 0, &m));
	CHECK_EQ(m.w[0], (lm_u64)-LM_EINVAL);
}

TEST(mem_guaranteed_chunks_are_never_taken_by_force)
{
	lm_cptr_t root, a, cg[2], cp[2], fg[2], fp[2], ntf;
	lm_u64 ba, asked = 0, taken = 0;
	struct lm_proc p;

	CHECK_OK(mt_start(2, &root, &p));
	CHECK((a = mt_split_with(root, 4, 2, 0, &ba)));
	CHECK_OK(mt_register(a, &ntf, MT_PAGE_VA));
	for (int i = 0; i < 2; i++) {
		CHECK((cg[i] = mt_grow(a, 1, 0)));
		CHECK((cp[i] = mt_grow(a, 0, 0)));
		CHECK((fg[i] = mt_frame_of(cg[i], T_VA_FRESH(2) + i * LM_PAGE_SIZE)));
		CHECK((fp[i] = mt_frame_of(cp[i], T_VA_FRESH(3) + i * LM_PAGE_SIZE)));
		*(volatile lm_u64 *)(T_VA_FRESH(2) + i * LM_PAGE_SIZE) = 7 + i;
	}
	/* Asked for everything: only what is not guaranteed can be owed. */
	CHECK_OK(lm_mem_request(root, ba, 4, 0, &asked));
	CHECK_EQ(asked, 2);
	CHECK_OK(lm_mem_enforce(root, ba, &taken));
	CHECK_EQ(taken, 2);
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(t_type(fp[i]), LM_OBJ_NULL);
		CHECK_EQ(t_type(cp[i]), LM_OBJ_NULL);
		CHECK_EQ(t_type(fg[i]), LM_OBJ_FRAME);
		CHECK_EQ(*(volatile lm_u64 *)(T_VA_FRESH(2) + i * LM_PAGE_SIZE), 7 + i);
	}
	/* Again: nothing left to take. */
	CHECK_OK(lm_mem_request(root, ba, 4, 0, &asked));
	CHECK_EQ(asked, 0);
	CHECK_OK(lm_mem_enforce(root, ba, &taken));
	CHECK_EQ(taken, 0);
	CHECK_EQ(mt_info(a, USE), 2);
	CHECK_EQ(t_type(fg[0]), LM_OBJ_FRAME);
	/* A guaranteed chunk given back by choice is a guarantee again. */
	CHECK_OK(lm_mem_return(a, t_id(cg[1]).addr, &asked));
	CHECK_EQ(t_type(fg[1]), LM_OBJ_NULL);
	CHECK(mt_grow(a, 1, 0));
}

static lm_cptr_t grow_shared(lm_cptr_t acct)
{
	lm_cptr_t s = t_slot();

	return s && !lm_mem_grow_shared(acct, mt_ib, s) ? s : 0;
}

TEST(mem_shared_guarantee_is_drawn_on_below_and_given_back)
{
	lm_cptr_t root, a, b, c, s1, s2, s3, plain;
	lm_u64 ba, bb, bc, asked = 0, taken = 9, x, g = 9;
	struct lm_proc p;
	struct lm_msg m;

	CHECK_OK(mt_start(2, &root, &p)); /* 4 chunks */
	/* The root account's guarantee is never shared: b's own is 0. */
	CHECK((b = mt_split_with(root, 4, 0, 0, &bb)));
	CHECK(!grow_shared(b));
	CHECK_OK(lm_mem_close(root, bb, 0));
	/* a holds the tree's guarantee (2); b below it has none, c below b
	 * has none: both draw on a's as they need. */
	CHECK((a = mt_split_with(root, 4, 2, 0, &ba)));
	CHECK((b = mt_split_with(a, 4, 0, 0, &bb)));
	CHECK((c = mt_split_with(b, 4, 0, 0, &bc)));
	CHECK(!mt_grow(b, 1, 0)); /* its own guarantee: none */
	CHECK((s1 = grow_shared(c)));
	CHECK((s2 = grow_shared(b)));
	CHECK(!grow_shared(c)); /* a's spent */
	CHECK(!grow_shared(a));
	CHECK_ERR(lm_mem_split_with(a, mt_ib, 1, 1, 0, t_slot(), &x), LM_ENOMEM);
	CHECK_OK(lm_mem_guaranteed(c, &g));
	CHECK_EQ(g, 0);
	/* Never taken by force: only c's plain chunk goes. */
	CHECK((plain = mt_grow(c, 0, 0)));
	CHECK_OK(lm_mem_request(root, bc, 4, 0, &asked));
	CHECK_EQ(asked, 1);
	CHECK_OK(lm_mem_enforce(root, bc, &taken));
	CHECK_EQ(taken, 1);
	CHECK_EQ(t_type(plain), LM_OBJ_NULL);
	CHECK_EQ(t_type(s1), LM_OBJ_UNTYPED);
	/* Given back by choice: a's guarantee again, drawn on anew. */
	CHECK_OK(lm_mem_return(b, t_id(s2).addr, &x));
	CHECK_EQ(t_type(s2), LM_OBJ_NULL);
	CHECK((s3 = grow_shared(c)));
	CHECK(!grow_shared(b));
	/* c closed: its two shared chunks are a's guarantee again, so a may
	 * promise both to a new child. */
	CHECK_OK(lm_mem_close(b, bc, 0));
	CHECK_EQ(t_type(s3), LM_OBJ_NULL);
	CHECK((c = mt_split_with(a, 2, 2, 0, &bc)));
	CHECK((s1 = mt_grow(c, 1, 0)));
	/* MEM_GROW_SHARED alone is refused. */
	CHECK_OK(lm_ep_call(b, LM_MSG_INFO(MEM_GROW, 2, 0), 1, MEM_GROW_SHARED, 0, 0, &m));
	CHECK_EQ(m.w[0], (lm_u64)-LM_EINVAL);
}

static struct lm_ipc_buffer *guard_ib(void)
{
	return mt_ib;
}

/* lm_mem_guard_own: refused without an account (LM_ECAP) or a guarantee
 * (LM_ENOMEM, nothing changes); with one, the program's frames past its
 * first 4 chunks (64 frames, cut from the default pool) come from an
 * ordinary chunk of the account, the library's own frames from the
 * default pool; lm_mem_use turns it off. */
TEST(mem_guard_own_keeps_the_program_frames_apart)
{
	lm_cptr_t root, a, b, fr[80], own = 0;
	lm_u64 ba, bb, use_prog, use_own;
	struct lm_proc p;
	int err = LM_OK, err_own;
	lm_u32 n = 0;

	CHECK_EQ(lm_mem_account(), 0); /* ktest has none of its own */
	CHECK_OK(mt_start(2, &root, &p)); /* 4 chunks */
	CHECK_ERR(lm_mem_guard_own(), LM_ECAP);
	CHECK((a = mt_split_with(root, 4, 0, 0, &ba)));
	lm_mem_use(a, guard_ib);
	CHECK_ERR(lm_mem_guard_own(), LM_ENOMEM);
	CHECK_EQ(lm_mem_guarding(), 0);
	CHECK((b = mt_split_with(root, 4, 2, 0, &bb)));
	lm_mem_use(b, guard_ib);
	CHECK_OK(lm_mem_guard_own());
	CHECK_EQ(lm_mem_guarding(), 1);
	lm_vm_trim(); /* none made ahead: the next frame starts a chunk */
	for (; n < 80 && !err; n++)
		err = lm_vm_frame_get(&fr[n]);
	use_prog = mt_info(b, USE);
	err_own = lm_vm_own_frame_get(&own);
	use_own = mt_info(b, USE);
	while (n-- > 0)
		if (fr[n])
			lm_vm_frame_put(fr[n]);
	if (own)
		lm_vm_frame_put(own);
	lm_vm_trim();
	lm_mem_use(0, 0);
	CHECK_EQ(lm_mem_guarding(), 0);
	CHECK_OK(err);
	CHECK_OK(err_own);
	CHECK_EQ(use_prog, 1); /* one ordinary chunk, for frames 65 to 80 */
	CHECK_EQ(use_own, 1);  /* the own frame: from the default pool */
	CHECK_OK(lm_mem_close(root, bb, 0));
	CHECK_OK(lm_mem_close(root, ba, 0));
}
