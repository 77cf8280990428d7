/* CNODE_* calls: copy, mint, move, delete, revoke, identify. */
#include "harness.h"

#define CN LM_SLOT_CNODE

static lm_cptr_t frame(void)
{
	return t_new(LM_OBJ_FRAME, LM_PAGE_BITS);
}

static lm_u64 cn_slots(void)
{
	return (lm_u64)1 << t_bi->cnode_bits;
}

TEST(cnode_copy_names_the_same_object)
{
	lm_cptr_t f = frame(), c = t_slot();

	CHECK(f && c);
	CHECK_OK(lm_cnode_copy(CN, c, CN, f, LM_R_ALL));
	CHECK_EQ(t_type(c), LM_OBJ_FRAME);
	CHECK_EQ(t_id(c).addr, t_id(f).addr);
	CHECK_EQ(LM_ID_BITS(t_id(c).desc), LM_PAGE_BITS);
}

TEST(cnode_copy_reduces_rights_and_cannot_add_them)
{
	lm_cptr_t f = frame(), r = t_slot(), all = t_slot();

	CHECK(f && r && all);
	CHECK_OK(lm_cnode_copy(CN, r, CN, f, LM_R_READ));
	CHECK_EQ(t_rights(r), LM_R_READ);
	CHECK_OK(lm_cnode_copy(CN, all, CN, r, LM_R_ALL));
	CHECK_EQ(t_rights(all), LM_R_READ);
}

TEST(cnode_copy_to_full_slot_returns_EEXIST)
{
	lm_cptr_t a = frame(), b = frame();
	struct t_id before = t_id(b);

	CHECK(a && b);
	CHECK_ERR(lm_cnode_copy(CN, b, CN, a, LM_R_ALL), LM_EEXIST);
	CHECK(t_id_same(t_id(b), before));
}

TEST(cnode_copy_from_empty_slot_returns_ECAP)
{
	lm_cptr_t s = t_slot(), d = t_slot();

	CHECK(s && d);
	CHECK_ERR(lm_cnode_copy(CN, d, CN, s, LM_R_ALL), LM_ECAP);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
}

TEST(cnode_copy_index_outside_cnode_returns_ERANGE)
{
	lm_cptr_t f = frame(), d = t_slot();

	CHECK(f && d);
	CHECK_ERR(lm_cnode_copy(CN, d, CN, cn_slots(), LM_R_ALL), LM_ERANGE);
	CHECK_ERR(lm_cnode_copy(CN, cn_slots(), CN, f, LM_R_ALL), LM_ERANGE);
	CHECK_ERR(lm_cnode_copy(CN, ~0ull, CN, f, LM_R_ALL), LM_ERANGE);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
}

TEST(cnode_copy_cnode_cptr_outside_cspace_returns_ECAP)
{
	lm_cptr_t f = frame(), d = t_slot();

	CHECK(f && d);
	CHECK_ERR(lm_cnode_copy(cn_slots(), d, CN, f, LM_R_ALL), LM_ECAP);
	CHECK_ERR(lm_cnode_copy(CN, d, 1ull << 40, f, LM_R_ALL), LM_ECAP);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
}

TEST(cnode_copy_through_non_cnode_returns_ETYPE)
{
	lm_cptr_t f = frame(), d = t_slot();

	CHECK(f && d);
	CHECK_ERR(lm_cnode_copy(f, d, CN, f, LM_R_ALL), LM_ETYPE);
	CHECK_ERR(lm_cnode_copy(CN, d, LM_SLOT_TCB, f, LM_R_ALL), LM_ETYPE);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
}

TEST(cnode_copy_of_untyped_returns_ETYPE)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 12), d = t_slot();

	CHECK(u && d);
	CHECK_ERR(lm_cnode_copy(CN, d, CN, u, LM_R_ALL), LM_ETYPE);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
}

TEST(cnode_copy_with_unknown_rights_bits_returns_EINVAL)
{
	lm_cptr_t f = frame(), d = t_slot();

	CHECK(f && d);
	CHECK_ERR(lm_cnode_copy(CN, d, CN, f, LM_R_ALL | 0x10), LM_EINVAL);
	CHECK_ERR(lm_cnode_copy(CN, d, CN, f, 1ull << 63), LM_EINVAL);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
}

TEST(cnode_copy_needs_write_on_dest_and_read_on_source)
{
	lm_cptr_t f = frame(), d = t_slot();
	lm_cptr_t ro = t_copy(CN, LM_R_READ), wo = t_copy(CN, LM_R_WRITE);

	CHECK(f && d && ro && wo);
	CHECK_ERR(lm_cnode_copy(ro, d, CN, f, LM_R_ALL), LM_ERIGHTS);
	CHECK_ERR(lm_cnode_copy(CN, d, wo, f, LM_R_ALL), LM_ERIGHTS);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
	CHECK_OK(lm_cnode_copy(wo, d, ro, f, LM_R_ALL)); /* exactly enough */
}

TEST(cnode_copy_of_mapped_frame_is_unmapped)
{
	lm_cptr_t f = t_frame_at(T_VA, LM_R_READ | LM_R_WRITE), c;

	CHECK(f);
	c = t_copy(f, LM_R_ALL);
	CHECK(c);
	CHECK(t_id(f).desc & LM_ID_MAPPED);
	CHECK_EQ(t_id(f).extra, T_VA);
	CHECK(!(t_id(c).desc & LM_ID_MAPPED));
}

TEST(cnode_failed_copy_reports_rejected_argument_number)
{
	lm_cptr_t s = t_slot(), d = t_slot();
	lm_u64 out[LM_SYS_NOUT];

	CHECK(s && d);
	CHECK_ERR(t_raw(LM_SYS_CNODE_COPY, CN, d, CN, s, LM_R_ALL, 0, out), LM_ECAP);
	CHECK_EQ(out[0], 4); /* si, the fourth argument, is empty */
	CHECK_ERR(t_raw(LM_SYS_CNODE_COPY, CN, d, CN, CN, 0x100, 0, out), LM_EINVAL);
	CHECK_EQ(out[0], 5);
}

TEST(cnode_mint_sets_badge_identify_shows_it)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), m = t_slot();

	CHECK(ep && m);
	CHECK_EQ(t_id(ep).addr, 0);
	CHECK_OK(lm_cnode_mint(CN, m, CN, ep, LM_R_READ | LM_R_WRITE, 0xfeedf00d12345678ull));
	CHECK_EQ(t_id(m).addr, 0xfeedf00d12345678ull);
	CHECK_EQ(t_rights(m), LM_R_READ | LM_R_WRITE);
	CHECK_EQ(t_id(ep).addr, 0); /* the source keeps its own badge */
}

TEST(cnode_mint_errors_match_copy)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), full = frame(), d = t_slot();
	lm_cptr_t ro = t_copy(CN, LM_R_READ);
	struct t_id before;

	CHECK(ep && full && d && ro);
	before = t_id(full);
	CHECK_ERR(lm_cnode_mint(CN, full, CN, ep, LM_R_ALL, 1), LM_EEXIST);
	CHECK(t_id_same(t_id(full), before));
	CHECK_ERR(lm_cnode_mint(CN, d, CN, ep, 0x40, 1), LM_EINVAL);
	CHECK_ERR(lm_cnode_mint(ro, d, CN, ep, LM_R_ALL, 1), LM_ERIGHTS);
	CHECK_ERR(lm_cnode_mint(CN, d, CN, t_slot(), LM_R_ALL, 1), LM_ECAP);
	CHECK_ERR(lm_cnode_mint(CN, cn_slots(), CN, ep, LM_R_ALL, 1), LM_ERANGE);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
}

TEST(cnode_move_keeps_rights_badge_and_mapping)
{
	lm_cptr_t f = t_frame_at(T_VA, LM_R_READ | LM_R_WRITE), d = t_slot();
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), m = t_slot(), md = t_slot();
	struct t_id fid;

	CHECK(f && d && ep && m && md);
	fid = t_id(f);
	CHECK_OK(lm_cnode_move(CN, d, CN, f));
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK(t_id_same(t_id(d), fid));
	*(volatile lm_u64 *)T_VA = 7; /* still mapped */
	CHECK_OK(lm_cnode_mint(CN, m, CN, ep, LM_R_WRITE, 99));
	CHECK_OK(lm_cnode_move(CN, md, CN, m));
	CHECK_EQ(t_id(md).addr, 99);
	CHECK_EQ(t_rights(md), LM_R_WRITE);
}

TEST(cnode_move_onto_itself_returns_EEXIST)
{
	lm_cptr_t f = frame();
	struct t_id before = t_id(f);

	CHECK(f);
	CHECK_ERR(lm_cnode_move(CN, f, CN, f), LM_EEXIST);
	CHECK(t_id_same(t_id(f), before));
}

TEST(cnode_move_needs_write_on_both_cnodes)
{
	lm_cptr_t f = frame(), d = t_slot(), ro = t_copy(CN, LM_R_READ);

	CHECK(f && d && ro);
	CHECK_ERR(lm_cnode_move(ro, d, CN, f), LM_ERIGHTS);
	CHECK_ERR(lm_cnode_move(CN, d, ro, f), LM_ERIGHTS);
	CHECK_EQ(t_type(f), LM_OBJ_FRAME);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
}

TEST(cnode_move_errors_leave_both_slots_alone)
{
	lm_cptr_t f = frame(), g = frame(), e = t_slot();
	struct t_id fb, gb;

	CHECK(f && g && e);
	fb = t_id(f);
	gb = t_id(g);
	CHECK_ERR(lm_cnode_move(CN, g, CN, f), LM_EEXIST);
	CHECK_ERR(lm_cnode_move(CN, f, CN, e), LM_ECAP);
	CHECK_ERR(lm_cnode_move(CN, cn_slots(), CN, f), LM_ERANGE);
	CHECK_ERR(lm_cnode_move(f, e, CN, f), LM_ETYPE);
	CHECK(t_id_same(t_id(f), fb));
	CHECK(t_id_same(t_id(g), gb));
	CHECK_EQ(t_type(e), LM_OBJ_NULL);
}

TEST(cnode_move_keeps_derivation_revoke_of_parent_removes_moved_child)
{
	lm_cptr_t a = frame(), b, c = t_slot();

	CHECK(a && c);
	b = t_copy(a, LM_R_ALL);
	CHECK(b);
	CHECK_OK(lm_cnode_move(CN, c, CN, b));
	CHECK_OK(lm_cnode_revoke(CN, a));
	CHECK_EQ(t_type(c), LM_OBJ_NULL);
	CHECK_EQ(t_type(a), LM_OBJ_FRAME);
}

TEST(cnode_move_of_untyped_is_allowed)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 14), d = t_slot();

	CHECK(u && d);
	CHECK_OK(lm_cnode_move(CN, d, CN, u));
	CHECK_EQ(t_type(d), LM_OBJ_UNTYPED);
	CHECK_EQ(LM_ID_BITS(t_id(d).desc), 14);
	CHECK_EQ(t_ut_free(d), 1u << 14);
}

TEST(cnode_delete_empties_the_slot)
{
	lm_cptr_t f = frame();

	CHECK(f);
	CHECK_OK(lm_cnode_delete(CN, f));
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
}

TEST(cnode_delete_bad_arguments_change_nothing)
{
	lm_cptr_t f = frame(), e = t_slot(), ro = t_copy(CN, LM_R_READ);
	struct t_id before;

	CHECK(f && e && ro);
	before = t_id(f);
	CHECK_ERR(lm_cnode_delete(CN, e), LM_ECAP);
	CHECK_ERR(lm_cnode_delete(CN, cn_slots()), LM_ERANGE);
	CHECK_ERR(lm_cnode_delete(ro, f), LM_ERIGHTS);
	CHECK_ERR(lm_cnode_delete(f, f), LM_ETYPE);
	CHECK_ERR(lm_cnode_delete(e, f), LM_ECAP);
	CHECK_ERR(lm_cnode_delete(1ull << 32, f), LM_ECAP);
	CHECK(t_id_same(t_id(f), before));
}

TEST(cnode_delete_middle_cap_hands_children_to_parent)
{
	lm_cptr_t a = frame(), b, c;

	CHECK(a);
	b = t_copy(a, LM_R_ALL);
	CHECK(b);
	c = t_copy(b, LM_R_ALL);
	CHECK(c);
	CHECK_OK(lm_cnode_delete(CN, b));
	CHECK_EQ(t_type(c), LM_OBJ_FRAME); /* survives its parent */
	CHECK_OK(lm_cnode_revoke(CN, a));
	CHECK_EQ(t_type(c), LM_OBJ_NULL);  /* but is now a's child */
}

TEST(cnode_revoke_deletes_descendants_at_depth_3_and_keeps_the_cap)
{
	lm_cptr_t a = frame(), b, c, d, e;

	CHECK(a);
	b = t_copy(a, LM_R_ALL);
	CHECK(b);
	c = t_copy(b, LM_R_ALL);
	CHECK(c);
	d = t_copy(c, LM_R_READ);
	CHECK(d);
	e = t_copy(a, LM_R_READ);
	CHECK(e);
	CHECK_OK(lm_cnode_revoke(CN, a));
	CHECK_EQ(t_type(b), LM_OBJ_NULL);
	CHECK_EQ(t_type(c), LM_OBJ_NULL);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
	CHECK_EQ(t_type(e), LM_OBJ_NULL);
	CHECK_EQ(t_type(a), LM_OBJ_FRAME);
}

TEST(cnode_revoke_of_middle_cap_spares_parent_and_siblings)
{
	lm_cptr_t a = frame(), b, c, s;

	CHECK(a);
	b = t_copy(a, LM_R_ALL);
	s = t_copy(a, LM_R_ALL);
	CHECK(b && s);
	c = t_copy(b, LM_R_ALL);
	CHECK(c);
	CHECK_OK(lm_cnode_revoke(CN, b));
	CHECK_EQ(t_type(c), LM_OBJ_NULL);
	CHECK_EQ(t_type(b), LM_OBJ_FRAME);
	CHECK_EQ(t_type(s), LM_OBJ_FRAME);
	CHECK_EQ(t_type(a), LM_OBJ_FRAME);
}

TEST(cnode_revoke_bad_arguments_change_nothing)
{
	lm_cptr_t a = frame(), b, e = t_slot(), ro = t_copy(CN, LM_R_READ);

	CHECK(a && e && ro);
	b = t_copy(a, LM_R_ALL);
	CHECK(b);
	CHECK_ERR(lm_cnode_revoke(CN, e), LM_ECAP);
	CHECK_ERR(lm_cnode_revoke(CN, cn_slots()), LM_ERANGE);
	CHECK_ERR(lm_cnode_revoke(ro, a), LM_ERIGHTS);
	CHECK_ERR(lm_cnode_revoke(a, a), LM_ETYPE);
	CHECK_EQ(t_type(b), LM_OBJ_FRAME);
}

/* Many descendants: revoke runs in restartable steps and must still
 * finish with every one gone. */
TEST(cnode_revoke_of_large_tree_removes_every_descendant)
{
	enum { WIDE = 1500, DEEP = 300 };
	lm_cptr_t a = frame(), wide = lm_slot_alloc_n(WIDE), deep = lm_slot_alloc_n(DEEP);
	lm_cptr_t prev;

	CHECK(a && wide && deep);
	for (lm_u32 i = 0; i < WIDE; i++)
		CHECK_OK(lm_cnode_copy(CN, wide + i, CN, a, LM_R_ALL));
	prev = a;
	for (lm_u32 i = 0; i < DEEP; i++, prev = deep + i - 1)
		CHECK_OK(lm_cnode_copy(CN, deep + i, CN, prev, LM_R_ALL));
	CHECK_OK(lm_cnode_revoke(CN, a));
	for (lm_u32 i = 0; i < WIDE; i++)
		CHECK_EQ(t_type(wide + i), LM_OBJ_NULL);
	for (lm_u32 i = 0; i < DEEP; i++)
		CHECK_EQ(t_type(deep + i), LM_OBJ_NULL);
	CHECK_EQ(t_type(a), LM_OBJ_FRAME);
}

TEST(cnode_identify_empty_slot_reports_null_type)
{
	lm_cptr_t e = t_slot();
	struct t_id id;

	CHECK(e);
	id = t_id(e);
	CHECK_OK(id.err);
	CHECK_EQ(LM_ID_TYPE(id.desc), LM_OBJ_NULL);
	CHECK_EQ(t_type(LM_SLOT_NULL), LM_OBJ_NULL);
}

TEST(cnode_identify_reports_own_layout)
{
	CHECK_EQ(t_type(LM_SLOT_CNODE), LM_OBJ_CNODE);
	CHECK_EQ(LM_ID_BITS(t_id(LM_SLOT_CNODE).desc), t_bi->cnode_bits);
	CHECK_EQ(t_type(LM_SLOT_VSPACE), LM_OBJ_VSPACE);
	CHECK_EQ(t_type(LM_SLOT_TCB), LM_OBJ_TCB);
	CHECK_EQ(t_type(LM_SLOT_IOPORT), LM_OBJ_IOPORT);
	CHECK_EQ(t_type(LM_SLOT_BOOTINFO), LM_OBJ_FRAME);
	CHECK_EQ(t_id(LM_SLOT_BOOTINFO).extra, LM_BOOTINFO_VADDR);
	CHECK_EQ(t_type(LM_SLOT_IRQCTL), LM_OBJ_IRQCTL);
	/* Slots from first_free on were empty at start; the harness has since
	 * put this test's arena there, so check the layout, not emptiness. */
	CHECK(t_bi->first_free >= t_bi->boot_end);
	CHECK(t_bi->boot_end >= t_bi->boot_first);
}

TEST(cnode_identify_bad_arguments_return_errors)
{
	lm_cptr_t f = frame(), wo = t_copy(CN, LM_R_WRITE);

	CHECK(f && wo);
	CHECK_ERR(t_id_in(wo, f).err, LM_ERIGHTS);
	CHECK_ERR(t_id_in(CN, cn_slots()).err, LM_ERANGE);
	CHECK_ERR(t_id_in(f, 1).err, LM_ETYPE);
	CHECK_ERR(t_id_in(t_slot(), 1).err, LM_ECAP);
	CHECK_ERR(t_id_in(cn_slots() + 5, 1).err, LM_ECAP);
}

TEST(cnode_operations_reach_into_another_cnode)
{
	lm_cptr_t x = t_new(LM_OBJ_CNODE, 4), f = frame(), back = t_slot();

	CHECK(x && f && back);
	CHECK_EQ(LM_ID_BITS(t_id(x).desc), 4);
	CHECK_OK(lm_cnode_copy(x, 3, CN, f, LM_R_READ));
	CHECK_EQ(LM_ID_TYPE(t_id_in(x, 3).desc), LM_OBJ_FRAME);
	CHECK_EQ(LM_ID_RIGHTS(t_id_in(x, 3).desc), LM_R_READ);
	CHECK_ERR(lm_cnode_copy(x, 16, CN, f, LM_R_READ), LM_ERANGE);
	CHECK_ERR(t_id_in(x, 16).err, LM_ERANGE);
	CHECK_OK(lm_cnode_move(CN, back, x, 3));
	CHECK_EQ(LM_ID_TYPE(t_id_in(x, 3).desc), LM_OBJ_NULL);
	CHECK_EQ(t_rights(back), LM_R_READ);
}

TEST(cnode_deleting_last_cap_to_cnode_deletes_what_it_holds)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), x = t_slot(), f = t_slot();

	CHECK(u && x && f);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_CNODE, 2, CN, x, 1));
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, LM_PAGE_BITS, CN, f, 1));
	CHECK_OK(lm_cnode_move(x, 1, CN, f));
	CHECK(t_ut_free(u) < 1u << 16);
	CHECK_OK(lm_cnode_delete(CN, x)); /* destroys the CNode and the frame */
	CHECK_EQ(t_ut_free(u), 1u << 16);
}

TEST(cnode_slot_zero_never_holds_a_capability)
{
	lm_cptr_t f = frame();

	CHECK(f);
	CHECK(lm_cnode_copy(CN, LM_SLOT_NULL, CN, f, LM_R_ALL) != LM_OK);
	CHECK(lm_cnode_move(CN, LM_SLOT_NULL, CN, f) != LM_OK);
	CHECK_EQ(t_type(LM_SLOT_NULL), LM_OBJ_NULL);
	CHECK_EQ(t_type(f), LM_OBJ_FRAME);
}

/* CNODE_COPY with a count: consecutive slots in one call, into another
 * CNode (as lm_fork does). */
TEST(cnode_copy_range_copies_consecutive_slots_and_skips_empty_ones)
{
	lm_cptr_t src = lm_slot_alloc_n(4), cn = t_new(LM_OBJ_CNODE, 6);
	lm_u64 made = 0;

	CHECK(src && cn);
	CHECK_OK(lm_untyped_retype(t_ut, LM_OBJ_FRAME, LM_PAGE_BITS, CN, src, 2));
	CHECK_OK(lm_untyped_retype(t_ut, LM_OBJ_ENDPOINT, 0, CN, src + 3, 1)); /* src+2 empty */
	CHECK_OK(lm_cnode_copy_range(cn, 10, CN, src, LM_R_READ, 4, &made));
	CHECK_EQ(made, 3);
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 10).desc), LM_OBJ_FRAME);
	CHECK_EQ(t_id_in(cn, 11).addr, t_id(src + 1).addr);
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 12).desc), LM_OBJ_NULL);
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 13).desc), LM_OBJ_ENDPOINT);
	CHECK_EQ(LM_ID_RIGHTS(t_id_in(cn, 13).desc), LM_R_READ);
	/* the copies are children: revoking the originals removes them */
	CHECK_OK(lm_cnode_revoke(CN, src));
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 10).desc), LM_OBJ_NULL);
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 11).desc), LM_OBJ_FRAME);
}

TEST(cnode_copy_range_bad_arguments_change_nothing)
{
	lm_cptr_t src = lm_slot_alloc_n(4), cn = t_new(LM_OBJ_CNODE, 6), ut = t_new(LM_OBJ_UNTYPED, 12);
	lm_u64 out[LM_SYS_NOUT];

	CHECK(src && cn && ut);
	CHECK_OK(lm_untyped_retype(t_ut, LM_OBJ_FRAME, LM_PAGE_BITS, CN, src, 4));
	CHECK_OK(lm_untyped_retype(t_ut, LM_OBJ_FRAME, LM_PAGE_BITS, cn, 12, 1)); /* in the way */
	CHECK_ERR(lm_cnode_copy_range(cn, 10, CN, src, LM_R_ALL, 4, 0), LM_EEXIST);
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 10).desc), LM_OBJ_NULL); /* nothing copied */
	CHECK_EQ(t_raw(LM_SYS_CNODE_COPY, cn, 20, CN, src, LM_R_ALL, LM_COPY_MAX + 1, out), LM_ERANGE);
	CHECK_EQ(out[0], 6);
	CHECK_ERR(lm_cnode_copy_range(cn, 62, CN, src, LM_R_ALL, 4, 0), LM_ERANGE); /* past its end */
	CHECK_ERR(lm_cnode_copy_range(CN, src + 2, CN, src, LM_R_ALL, 4, 0), LM_EINVAL); /* overlap */
	CHECK_ERR(lm_cnode_copy_range(cn, 20, CN, src, 0x100, 4, 0), LM_EINVAL);
	CHECK_ERR(lm_cnode_copy_range(cn, 20, LM_SLOT_VSPACE, src, LM_R_ALL, 4, 0), LM_ETYPE);
	CHECK_ERR(lm_cnode_copy_range(t_slot(), 20, CN, src, LM_R_ALL, 4, 0), LM_ECAP);
	/* an untyped cannot be copied: refused, nothing copied */
	CHECK_OK(lm_cnode_delete(CN, src + 3));
	CHECK_OK(lm_cnode_move(CN, src + 3, CN, ut));
	CHECK_ERR(lm_cnode_copy_range(cn, 20, CN, src, LM_R_ALL, 4, 0), LM_ETYPE);
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 20).desc), LM_OBJ_NULL);
	CHECK_OK(lm_cnode_move(CN, ut, CN, src + 3));
}

/* CNODE_DELETE with a count: every capability in a range, restarted in
 * batches past 64 (the restart carries on where it stopped). */
TEST(cnode_delete_range_empties_the_range_and_nothing_else)
{
	lm_cptr_t cn = t_new(LM_OBJ_CNODE, 9), f = frame();
	lm_u64 made = 0;

	CHECK(cn && f);
	for (lm_cptr_t s = 10; s < 310; s += 3) /* 100 copies, holes between */
		CHECK_OK(lm_cnode_copy(cn, s, CN, f, LM_R_ALL));
	CHECK_OK(lm_cnode_copy(cn, 400, CN, f, LM_R_ALL)); /* outside the range */
	CHECK_OK(lm_cnode_copy(cn, 9, CN, f, LM_R_ALL));
	CHECK_OK(lm_cnode_delete_range(cn, 10, 300));
	for (lm_cptr_t s = 10; s < 310; s++)
		CHECK_EQ(LM_ID_TYPE(t_id_in(cn, s).desc), LM_OBJ_NULL);
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 9).desc), LM_OBJ_FRAME);
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 400).desc), LM_OBJ_FRAME);
	CHECK_OK(lm_cnode_copy_range(cn, 10, CN, f, LM_R_ALL, 1, &made)); /* count 1: one */
	CHECK_OK(lm_cnode_delete_range(cn, 8, 500)); /* empty slots are fine */
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 400).desc), LM_OBJ_NULL);
}

TEST(cnode_delete_range_bad_arguments_return_errors)
{
	lm_cptr_t cn = t_new(LM_OBJ_CNODE, 6), f = frame();

	CHECK(cn && f);
	lm_cptr_t ro = t_copy(cn, LM_R_READ);
	CHECK(ro);
	CHECK_OK(lm_cnode_copy(cn, 5, CN, f, LM_R_ALL));
	CHECK_ERR(lm_cnode_delete_range(cn, 5, 60), LM_ERANGE); /* past its 64 slots */
	CHECK_ERR(lm_cnode_delete_range(cn, 64, 2), LM_ERANGE);
	CHECK_ERR(lm_cnode_delete_range(ro, 5, 2), LM_ERIGHTS);
	CHECK_ERR(lm_cnode_delete_range(f, 5, 2), LM_ETYPE);
	CHECK_ERR(lm_cnode_delete_range(t_slot(), 5, 2), LM_ECAP);
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 5).desc), LM_OBJ_FRAME); /* still there */
}

/* Every slot but 0 of cn holds a copy of cap (runs of copies of the
 * first slots, doubling up to LM_COPY_MAX a call). */
static void fill(lm_cptr_t cn, lm_u32 bits, lm_cptr_t cap)
{
	lm_u64 n = 1ull << bits, made;

	CHECK_OK(lm_cnode_copy(cn, 1, CN, cap, LM_R_ALL));
	for (lm_u64 have = 1; have < n - 1; have += made) {
		lm_u64 k = have < LM_COPY_MAX ? have : LM_COPY_MAX;
		if (k > n - 1 - have)
			k = n - 1 - have;
		if (k == 1) { /* a count of one is a plain copy, with no count back */
			CHECK_OK(lm_cnode_copy(cn, 1 + have, cn, 1, LM_R_ALL));
			made = 1;
			continue;
		}
		CHECK_OK(lm_cnode_copy_range(cn, 1 + have, cn, 1, LM_R_ALL, k, &made));
		CHECK_EQ(made, k);
	}
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, n - 1).desc), LM_OBJ_ENDPOINT);
}

/* Destroying a CNode empties its slots a batch at a time, with interrupt
 * windows between (FINISH_DELETE), and the delete returns only when all of
 * it is done. */
TEST(cnode_destroying_a_full_big_cnode_runs_in_batches_and_finishes)
{
	lm_cptr_t cn = t_new(LM_OBJ_CNODE, 12), ep = t_new(LM_OBJ_ENDPOINT, 0);
	lm_u64 b0, b1, problems;

	CHECK(cn && ep);
	fill(cn, 12, ep);
	CHECK_OK(lm_debug_drain_batches(&b0));
	CHECK_OK(lm_cnode_delete(CN, cn)); /* the last capability to it */
	CHECK_OK(lm_debug_drain_batches(&b1));
	/* 4,095 deletions at DRAIN_DELETE each, DRAIN_BATCH a batch: 15 */
	CHECK(b1 - b0 >= 10);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
	CHECK_EQ(LM_ID_TYPE(t_id(cn).desc), LM_OBJ_NULL);
	CHECK_ERR(lm_ep_nbsend(ep, 0, 0, 0, 0, 0), LM_EAGAIN); /* ours still works */
}

/* A CNode holding the last capability to another: both are emptied, the
 * inner one's slots too, and the memory they came from is whole again and
 * can be retyped at once. */
TEST(cnode_revoke_of_nested_full_cnodes_finishes_and_frees_everything)
{
	lm_cptr_t ut = t_new(LM_OBJ_UNTYPED, 20), ep = t_new(LM_OBJ_ENDPOINT, 0);
	lm_cptr_t outer = t_slot(), inner = t_slot();
	lm_u64 problems;

	CHECK(ut && ep && outer && inner);
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_CNODE, 11, CN, outer, 1));
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_CNODE, 11, CN, inner, 1));
	fill(inner, 11, ep);
	fill(outer, 11, ep);
	CHECK_OK(lm_cnode_delete(outer, 7));
	CHECK_OK(lm_cnode_move(outer, 7, CN, inner)); /* outer holds inner's only one */
	CHECK_OK(lm_cnode_revoke(CN, ut));
	CHECK_EQ(LM_ID_TYPE(t_id(outer).desc), LM_OBJ_NULL);
	CHECK_EQ(t_ut_free(ut), 1ull << 20);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_CNODE, 12, CN, outer, 1)); /* from the start again */
}

TEST(finish_delete_called_directly_returns_ESTATE)
{
	CHECK_ERR(lm_sys(LM_SYS_FINISH_DELETE, 0, 0, 0, 0, 0, 0, 0), LM_ESTATE);
}

/* The occupancy summary (kernel/cnode.h): a range delete skips the groups
 * of a CNode no capability was ever put in, so every way of putting one in
 * must mark its group, and one emptied group must be marked again when a
 * capability comes back. In a 4,096-slot CNode a group is 64 slots. */
static void put_every_way(lm_cptr_t cn, lm_cptr_t ut, lm_cptr_t f, lm_cptr_t ep)
{
	lm_cptr_t tmp = t_copy(f, LM_R_ALL);
	lm_u64 made = 0, problems;

	CHECK(tmp);
	CHECK_OK(lm_cnode_copy(cn, 100, CN, f, LM_R_ALL));              /* group 1 */
	CHECK_OK(lm_cnode_mint(cn, 700, CN, ep, LM_R_ALL, 5));          /* group 10 */
	CHECK_OK(lm_cnode_move(cn, 1500, CN, tmp));                     /* group 23 */
	CHECK_OK(lm_cnode_copy_range(cn, 2040, CN, f, LM_R_READ, 1, &made));
	CHECK_OK(lm_cnode_copy(cn, 2100, CN, f, LM_R_ALL));
	CHECK_OK(lm_cnode_copy_range(cn, 2200, cn, 2100, LM_R_READ, 100, &made)); /* 34 */
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_FRAME, LM_PAGE_BITS, cn, 4000, 3)); /* 62, 63 */
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
}

static void check_empty(lm_cptr_t cn, lm_cptr_t lo, lm_cptr_t hi)
{
	for (lm_cptr_t s = lo; s < hi; s++)
		CHECK_EQ(LM_ID_TYPE(t_id_in(cn, s).desc), LM_OBJ_NULL);
}

TEST(cnode_delete_range_finds_capabilities_put_in_every_way)
{
	lm_cptr_t cn = t_new(LM_OBJ_CNODE, 12), ut = t_new(LM_OBJ_UNTYPED, 16);
	lm_cptr_t f = frame(), ep = t_new(LM_OBJ_ENDPOINT, 0);

	CHECK(cn && ut && f && ep);
	put_every_way(cn, ut, f, ep);
	CHECK_OK(lm_cnode_delete_range(cn, 1, 4095));
	check_empty(cn, 1, 4096);
	/* The same groups again, now marked empty: found again. */
	put_every_way(cn, ut, f, ep);
	CHECK_OK(lm_cnode_delete_range(cn, 1, 4095));
	check_empty(cn, 1, 4096);
	CHECK_OK(lm_cnode_delete(CN, cn));
}

/* A delete of part of a group leaves the group marked: the rest of it is
 * found by a later delete; a delete that ends inside one group and one
 * that starts inside the next clear neither. */
TEST(cnode_delete_range_of_part_of_a_group_keeps_the_rest)
{
	lm_cptr_t cn = t_new(LM_OBJ_CNODE, 12), f = frame();
	lm_u64 problems;

	CHECK(cn && f);
	CHECK_OK(lm_cnode_copy(cn, 130, CN, f, LM_R_ALL)); /* group 2: 128-191 */
	CHECK_OK(lm_cnode_copy(cn, 190, CN, f, LM_R_ALL));
	CHECK_OK(lm_cnode_delete_range(cn, 100, 40)); /* 100-139: ends in group 2 */
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 130).desc), LM_OBJ_NULL);
	CHECK_EQ(LM_ID_TYPE(t_id_in(cn, 190).desc), LM_OBJ_FRAME);
	CHECK_OK(lm_cnode_copy(cn, 135, CN, f, LM_R_ALL));
	CHECK_OK(lm_cnode_delete_range(cn, 150, 30)); /* 150-179: inside it */
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
	CHECK_OK(lm_cnode_delete_range(cn, 1, 4095));
	check_empty(cn, 1, 4096);
	CHECK_OK(lm_cnode_delete(CN, cn));
}
