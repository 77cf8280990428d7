/* UNTYPED_RETYPE and the life of untyped memory: carving, zeroing, reuse,
 * and revoke taking back everything made from it. */
#include "harness.h"

#define CN LM_SLOT_CNODE

static lm_u64 ut_paddr(lm_cptr_t u)
{
	return t_id(u).addr;
}

static lm_word_t touch(lm_word_t va)
{
	return *(volatile lm_u64 *)va;
}

TEST(untyped_retype_frame_carves_at_the_start)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), f = t_slot();
	struct t_id id;

	CHECK(u && f);
	CHECK_EQ(t_ut_free(u), 1u << 16);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, LM_PAGE_BITS, CN, f, 1));
	id = t_id(f);
	CHECK_EQ(LM_ID_TYPE(id.desc), LM_OBJ_FRAME);
	CHECK_EQ(LM_ID_BITS(id.desc), LM_PAGE_BITS);
	CHECK_EQ(id.addr, ut_paddr(u));
	CHECK(!(id.desc & LM_ID_MAPPED));
	CHECK_EQ(t_ut_free(u), (1u << 16) - 4096);
}

TEST(untyped_retype_makes_every_object_type)
{
	static const lm_u32 types[][2] = {
		{ LM_OBJ_FRAME, 12 }, { LM_OBJ_PTABLE, 0 }, { LM_OBJ_VSPACE, 0 },
		{ LM_OBJ_CNODE, 4 },  { LM_OBJ_TCB, 0 },    { LM_OBJ_ENDPOINT, 0 },
		{ LM_OBJ_NOTIFY, 0 }, { LM_OBJ_UNTYPED, 12 },
	};
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 18);

	CHECK(u);
	for (lm_u32 i = 0; i < sizeof types / sizeof types[0]; i++) {
		lm_cptr_t s = t_slot();

		CHECK(s);
		CHECK_OK(lm_untyped_retype(u, types[i][0], types[i][1], CN, s, 1));
		CHECK_EQ(t_type(s), types[i][0]);
	}
}

TEST(untyped_retype_aligns_each_object_to_its_size)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), t = t_slot(), f = t_slot();

	CHECK(u && t && f);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_TCB, 0, CN, t, 1));
	CHECK_EQ(t_ut_free(u), (1u << 16) - (1u << LM_TCB_BITS));
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, LM_PAGE_BITS, CN, f, 1));
	CHECK_EQ(t_id(f).addr, ut_paddr(u) + 4096); /* past the TCB, 4 KiB aligned */
	CHECK_EQ(t_ut_free(u), (1u << 16) - 8192);
}

TEST(untyped_retype_count_fills_consecutive_slots)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), d = lm_slot_alloc_n(8);

	CHECK(u && d);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, LM_PAGE_BITS, CN, d, 8));
	for (lm_u32 i = 0; i < 8; i++) {
		CHECK_EQ(t_type(d + i), LM_OBJ_FRAME);
		CHECK_EQ(t_id(d + i).addr, ut_paddr(u) + i * 4096ull);
	}
	CHECK_EQ(t_ut_free(u), (1u << 16) - 8 * 4096);
}

TEST(untyped_retype_into_full_slot_returns_EEXIST_and_makes_nothing)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), d = lm_slot_alloc_n(4), full;
	lm_u64 out[LM_SYS_NOUT];

	CHECK(u && d);
	full = d + 2;
	CHECK_OK(lm_cnode_copy(CN, full, CN, LM_SLOT_BOOTINFO, LM_R_READ));
	CHECK_ERR(t_raw(LM_SYS_UNTYPED_RETYPE, u, LM_OBJ_FRAME, 12, CN, d, 4, out), LM_EEXIST);
	CHECK_EQ(out[1], full); /* rsi names the full slot */
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
	CHECK_EQ(t_type(d + 1), LM_OBJ_NULL);
	CHECK_EQ(t_type(d + 3), LM_OBJ_NULL);
	CHECK_EQ(t_ut_free(u), 1u << 16);
}

TEST(untyped_retype_without_room_returns_ENOMEM_and_makes_nothing)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 12), d = lm_slot_alloc_n(2);

	CHECK(u && d);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_FRAME, 12, CN, d, 2), LM_ENOMEM);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
	CHECK_EQ(t_ut_free(u), 4096);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_CNODE, 8, CN, d, 1), LM_ENOMEM);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, 12, CN, d, 1));
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_TCB, 0, CN, d + 1, 1), LM_ENOMEM);
	CHECK_EQ(t_type(d + 1), LM_OBJ_NULL);
}

TEST(untyped_retype_unmakeable_type_returns_EINVAL)
{
	static const lm_u64 bad[] = { LM_OBJ_NULL, LM_OBJ_IOPORT, LM_OBJ_IRQCTL,
				      LM_OBJ_IRQ, LM_OBJ_NTYPES, 99, ~0ull };
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), d = t_slot();

	CHECK(u && d);
	for (lm_u32 i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_ERR(lm_untyped_retype(u, bad[i], 12, CN, d, 1), LM_EINVAL);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
	CHECK_EQ(t_ut_free(u), 1u << 16);
}

TEST(untyped_retype_size_out_of_range_returns_ERANGE)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), d = t_slot();

	CHECK(u && d);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_FRAME, 22, CN, d, 1), LM_ERANGE);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_FRAME, 11, CN, d, 1), LM_ERANGE);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_FRAME, 30, CN, d, 1), LM_ERANGE);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_CNODE, 1, CN, d, 1), LM_ERANGE);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_CNODE, 17, CN, d, 1), LM_ERANGE);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_UNTYPED, 11, CN, d, 1), LM_ERANGE);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_UNTYPED, 17, CN, d, 1), LM_ERANGE);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_UNTYPED, 64, CN, d, 1), LM_ERANGE);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
	CHECK_EQ(t_ut_free(u), 1u << 16);
}

TEST(untyped_retype_count_out_of_range_makes_nothing)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), d = lm_slot_alloc_n(4);
	lm_u64 slots = (lm_u64)1 << t_bi->cnode_bits;
	int err;

	CHECK(u && d);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_NOTIFY, 0, CN, d, LM_RETYPE_MAX_COUNT + 1), LM_ERANGE);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_NOTIFY, 0, CN, slots - 2, 4), LM_ERANGE);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_NOTIFY, 0, CN, ~0ull - 1, 4), LM_ERANGE);
	err = lm_untyped_retype(u, LM_OBJ_NOTIFY, 0, CN, d, 0);
	CHECK(err == LM_OK || err == LM_ERANGE); /* count 0: nothing either way */
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
	CHECK_EQ(t_ut_free(u), 1u << 16);
}

TEST(untyped_retype_over_zeroing_limit_returns_ERANGE)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 23), d = lm_slot_alloc_n(4);

	CHECK(u && d);
	/* 3 x 2 MiB = 6 MiB to zero: more than one call may do. */
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_FRAME, 21, CN, d, 3), LM_ERANGE);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
	CHECK_EQ(t_ut_free(u), 1u << 23);
	/* Exactly at the limit is fine, and untyped children need no zeroing. */
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, 21, CN, d, 2));
	CHECK_OK(lm_cnode_revoke(CN, u));
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_UNTYPED, 21, CN, d, 4));
}

TEST(untyped_retype_bad_capabilities_return_errors)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), f = t_new(LM_OBJ_FRAME, 12);
	lm_cptr_t d = t_slot(), e = t_slot(), ro = t_copy(CN, LM_R_READ);

	CHECK(u && f && d && e && ro);
	CHECK_ERR(lm_untyped_retype(f, LM_OBJ_FRAME, 12, CN, d, 1), LM_ETYPE);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_FRAME, 12, f, d, 1), LM_ETYPE);
	CHECK_ERR(lm_untyped_retype(e, LM_OBJ_FRAME, 12, CN, d, 1), LM_ECAP);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_FRAME, 12, e, d, 1), LM_ECAP);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_FRAME, 12, ro, d, 1), LM_ERIGHTS);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
	CHECK_EQ(t_ut_free(u), 1u << 16);
}

TEST(untyped_retype_into_another_cnode)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), x = t_new(LM_OBJ_CNODE, 3);

	CHECK(u && x);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_ENDPOINT, 0, x, 2, 6));
	for (lm_u32 i = 2; i < 8; i++)
		CHECK_EQ(LM_ID_TYPE(t_id_in(x, i).desc), LM_OBJ_ENDPOINT);
	CHECK_ERR(lm_untyped_retype(u, LM_OBJ_ENDPOINT, 0, x, 7, 2), LM_ERANGE);
}

TEST(untyped_retype_zeroes_reused_memory)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 12), f = t_slot();
	volatile lm_u64 *p = (volatile lm_u64 *)T_VA;
	lm_u64 first;

	CHECK(u && f);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, 12, CN, f, 1));
	first = t_id(f).addr;
	CHECK_OK(t_map(f, T_VA, LM_R_READ | LM_R_WRITE));
	for (lm_u32 i = 0; i < 512; i++)
		p[i] = 0xdeadbeef00000000ull | i;
	CHECK_OK(lm_vspace_unmap(f));
	CHECK_OK(lm_cnode_revoke(CN, u));
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, 12, CN, f, 1));
	CHECK_EQ(t_id(f).addr, first); /* the same memory again */
	CHECK_OK(t_map(f, T_VA, LM_R_READ | LM_R_WRITE));
	for (lm_u32 i = 0; i < 512; i++)
		CHECK_EQ(p[i], 0);
}

TEST(untyped_memory_is_reused_after_revoke)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), d = lm_slot_alloc_n(4);

	CHECK(u && d);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_TCB, 0, CN, d, 1));
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_CNODE, 6, CN, d + 1, 1));
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, 12, CN, d + 2, 2));
	CHECK(t_ut_free(u) < (1u << 16) - 3 * 4096);
	CHECK_OK(lm_cnode_revoke(CN, u));
	CHECK_EQ(t_ut_free(u), 1u << 16);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, 12, CN, d, 1));
	CHECK_EQ(t_id(d).addr, ut_paddr(u)); /* carving starts over */
}

TEST(untyped_memory_returns_only_when_last_child_goes)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 14), d = lm_slot_alloc_n(2);

	CHECK(u && d);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, 12, CN, d, 2));
	CHECK_OK(lm_cnode_delete(CN, d));
	CHECK_EQ(t_ut_free(u), (1u << 14) - 2 * 4096); /* d + 1 still there */
	CHECK_OK(lm_cnode_delete(CN, d + 1));
	CHECK_EQ(t_ut_free(u), 1u << 14);
}

TEST(untyped_revoke_removes_grandchildren_through_child_untyped)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), c = t_slot(), f = t_slot(), g;

	CHECK(u && c && f);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_UNTYPED, 14, CN, c, 1));
	CHECK_OK(lm_untyped_retype(c, LM_OBJ_FRAME, 12, CN, f, 1));
	g = t_copy(f, LM_R_READ);
	CHECK(g);
	CHECK_OK(lm_cnode_revoke(CN, u));
	CHECK_EQ(t_type(c), LM_OBJ_NULL);
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK_EQ(t_type(g), LM_OBJ_NULL);
	CHECK_EQ(t_ut_free(u), 1u << 16);
}

TEST(untyped_revoke_unmaps_every_frame_made_from_it)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 14), f = lm_slot_alloc_n(3);
	struct lm_thread_info ti;

	CHECK(u && f);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, 12, CN, f, 3));
	for (lm_u32 i = 0; i < 3; i++) {
		CHECK_OK(t_map(f + i, T_VA_PAGE(i), LM_R_READ | LM_R_WRITE));
		*(volatile lm_u64 *)T_VA_PAGE(i) = i + 1;
	}
	CHECK_OK(lm_cnode_revoke(CN, u));
	/* A thread of ours in this address space touches each page: each
	 * access must fault now, at that address. */
	for (lm_u32 i = 0; i < 3; i++) {
		lm_cptr_t t = t_thread(touch, T_VA_PAGE(i), T_PRIO);

		CHECK(t);
		CHECK_OK(t_wait(t, &ti));
		CHECK_EQ(ti.state, LM_TS_FAULTED);
		CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
		CHECK_EQ(ti.fault_addr, T_VA_PAGE(i));
		CHECK_EQ(t_type(f + i), LM_OBJ_NULL);
	}
}

static volatile lm_u64 spin_count;

static lm_word_t spin(lm_word_t arg)
{
	for (;;)
		spin_count++;
	return 0;
}

TEST(untyped_revoke_stops_threads_made_from_it)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 14), tcb = t_slot();
	lm_u64 before;

	CHECK(u && tcb);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_TCB, 0, CN, tcb, 1));
	CHECK_OK(lm_thread_configure(tcb, CN, LM_SLOT_VSPACE));
	spin_count = 0;
	CHECK_OK(lm_thread_start(tcb, spin, 0, t_stack(), T_PRIO));
	for (lm_u32 i = 0; i < 1000 && spin_count == 0; i++)
		lm_thread_yield();
	CHECK(spin_count != 0);
	CHECK_OK(lm_cnode_revoke(CN, u));
	CHECK_EQ(t_type(tcb), LM_OBJ_NULL);
	before = spin_count;
	t_yield(20);
	CHECK_EQ(spin_count, before);
	CHECK_EQ(t_ut_free(u), 1u << 14);
}
