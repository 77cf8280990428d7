/* Address-space ID ranges (LM_OBJ_ASIDS): ASIDS_ISSUE and VSPACE_ASSIGN,
 * what an address space without an ID may not do, what deleting a range
 * does to the address spaces it gave IDs, and one process exhausting its
 * range while others still make address spaces. Each test runs with a
 * range of its own in lm_asid_cap (harness.c). */
#include "harness.h"
#include "../../apps/probe.h"

#define CN LM_SLOT_CNODE
#define RW (LM_R_READ | LM_R_WRITE)


static int assign(lm_cptr_t vs, lm_cptr_t range)
{
	return lm_vspace_assign(vs, range, 0);
}

TEST(asids_a_program_gets_a_range_named_by_its_bootinfo)
{
	struct t_id id = t_id(t_bi->asid_slot);

	CHECK(t_bi->asid_slot);
	CHECK_EQ(LM_ID_TYPE(id.desc), LM_OBJ_ASIDS);
	CHECK(id.extra >= 1024); /* root gives ktest 2,048, the shell 1,024 */
	CHECK(id.addr >= 1 && id.addr + id.extra <= 4096);
	CHECK_EQ(LM_ID_TYPE(t_id(lm_asid_cap).desc), LM_OBJ_ASIDS);
}

TEST(vspace_assign_gives_the_highest_free_id_of_the_range)
{
	lm_cptr_t r = t_asid_range(8), vs = t_new(LM_OBJ_VSPACE, 0), f = t_new(LM_OBJ_FRAME, 12);
	lm_u64 asid = 0;

	CHECK(r && vs && f);
	CHECK(!(t_id(vs).desc & LM_ID_MAPPED)); /* no ID yet */
	CHECK_EQ(t_id(vs).extra, 0);
	CHECK_OK(lm_vspace_assign(vs, r, &asid));
	CHECK_EQ(asid, t_first_id(r) + 7);
	CHECK(t_id(vs).desc & LM_ID_MAPPED);
	CHECK_EQ(t_id(vs).extra, asid);
	CHECK_OK(lm_map_page(vs, f, T_VA, RW));
}

TEST(vspace_without_an_id_cannot_be_mapped_copied_or_run_on)
{
	lm_cptr_t vs = t_new(LM_OBJ_VSPACE, 0), f = t_new(LM_OBJ_FRAME, 12);
	lm_cptr_t pt = t_new(LM_OBJ_PTABLE, 0), tcb = t_new(LM_OBJ_TCB, 0), c = t_slot();
	lm_u64 out[LM_SYS_NOUT];

	CHECK(vs && f && pt && tcb && c);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP, vs, f, T_VA, RW, 0, 0, out), LM_ESTATE);
	CHECK_EQ(out[0], 1);
	CHECK_ERR(lm_vspace_map_table(vs, pt, T_VA, 0), LM_ESTATE);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_PROTECT, vs, T_VA, 1, LM_R_READ, 0, 0, 0), LM_ESTATE);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_PAGE_STATE, vs, T_VA, 0, 0, 0, 0, 0), LM_ESTATE);
	CHECK_ERR(t_raw(LM_SYS_THREAD_CONFIGURE, tcb, CN, vs, 0, 0, 0, out), LM_ESTATE);
	CHECK_EQ(out[0], 3);
	CHECK_ERR(t_raw(LM_SYS_CNODE_COPY, CN, c, CN, vs, LM_R_ALL, 0, out), LM_ESTATE);
	CHECK_EQ(out[0], 4);
	CHECK_OK(lm_cnode_move(CN, c, CN, vs)); /* moving is fine */
	CHECK_OK(assign(c, lm_asid_cap));
	CHECK_OK(lm_thread_configure(tcb, CN, c));
}

TEST(vspace_assign_bad_arguments_return_errors)
{
	lm_cptr_t vs = t_new(LM_OBJ_VSPACE, 0), f = t_new(LM_OBJ_FRAME, 12), e = t_slot();
	lm_cptr_t done = t_vspace(), ro = 0;
	lm_u64 out[LM_SYS_NOUT];

	CHECK(vs && f && e && done);
	ro = t_copy(done, LM_R_READ);
	CHECK(ro);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_ASSIGN, e, lm_asid_cap, 0, 0, 0, 0, out), LM_ECAP);
	CHECK_EQ(out[0], 1);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_ASSIGN, f, lm_asid_cap, 0, 0, 0, 0, out), LM_ETYPE);
	CHECK_EQ(out[0], 1);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_ASSIGN, vs, e, 0, 0, 0, 0, out), LM_ECAP);
	CHECK_EQ(out[0], 2);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_ASSIGN, vs, f, 0, 0, 0, 0, out), LM_ETYPE);
	CHECK_EQ(out[0], 2);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_ASSIGN, ro, lm_asid_cap, 0, 0, 0, 0, out), LM_ERIGHTS);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_ASSIGN, done, lm_asid_cap, 0, 0, 0, 0, out), LM_ESTATE);
	CHECK_EQ(out[0], 1); /* assigning twice */
	CHECK(!(t_id(vs).desc & LM_ID_MAPPED)); /* the failures changed nothing */
}

TEST(asids_issue_bad_arguments_return_errors)
{
	lm_cptr_t r = t_asid_range(4), f = t_new(LM_OBJ_FRAME, 12), e = t_slot(), d = t_slot();
	lm_u64 out[LM_SYS_NOUT];

	CHECK(r && f && e && d);
	CHECK_ERR(t_raw(LM_SYS_ASIDS_ISSUE, e, 1, CN, d, 0, 0, out), LM_ECAP);
	CHECK_ERR(t_raw(LM_SYS_ASIDS_ISSUE, f, 1, CN, d, 0, 0, out), LM_ETYPE);
	CHECK_EQ(out[0], 1);
	CHECK_ERR(t_raw(LM_SYS_ASIDS_ISSUE, r, 0, CN, d, 0, 0, out), LM_ERANGE);
	CHECK_EQ(out[0], 2);
	CHECK_ERR(t_raw(LM_SYS_ASIDS_ISSUE, r, 5, CN, d, 0, 0, out), LM_ERANGE);
	CHECK_ERR(t_raw(LM_SYS_ASIDS_ISSUE, r, 1, f, d, 0, 0, out), LM_ETYPE);
	CHECK_EQ(out[0], 3);
	CHECK_ERR(t_raw(LM_SYS_ASIDS_ISSUE, r, 1, CN, 0, 0, 0, out), LM_ERANGE);
	CHECK_EQ(out[0], 4);
	CHECK_ERR(t_raw(LM_SYS_ASIDS_ISSUE, r, 1, CN, f, 0, 0, out), LM_EEXIST);
	CHECK_OK(lm_asids_issue(r, 3, CN, d));
	CHECK_ERR(t_raw(LM_SYS_ASIDS_ISSUE, r, 2, CN, e, 0, 0, out), LM_ELIMIT); /* 1 left */
	CHECK_EQ(out[0], 2);
	/* a range is never copied or minted: one mark, one owner */
	CHECK_ERR(lm_cnode_copy(CN, e, CN, r, LM_R_ALL), LM_ETYPE);
	CHECK_ERR(lm_cnode_mint(CN, e, CN, r, LM_R_ALL, 1), LM_ETYPE);
}

TEST(asids_issue_carves_disjoint_sub_ranges_and_revoke_takes_them_all_back)
{
	lm_cptr_t r = t_asid_range(16), a = t_slot(), b = t_slot(), vs = t_vspace();
	lm_u64 first;

	CHECK(r && a && b && vs);
	first = t_first_id(r);
	CHECK_OK(lm_asids_issue(r, 4, CN, a));
	CHECK_OK(lm_asids_issue(r, 4, CN, b));
	CHECK_EQ(t_first_id(a), first);
	CHECK_EQ(t_first_id(b), first + 4);
	CHECK_EQ(t_id(b).extra, 4);
	CHECK_OK(lm_cnode_revoke(CN, r)); /* both gone: the range is whole again */
	CHECK_EQ(LM_ID_TYPE(t_id(a).desc), LM_OBJ_NULL);
	CHECK_EQ(LM_ID_TYPE(t_id(b).desc), LM_OBJ_NULL);
	CHECK_OK(lm_asids_issue(r, 16, CN, a));
	CHECK_EQ(t_first_id(a), first);
}

TEST(asids_issue_after_a_sub_range_is_deleted_reuses_its_ids)
{
	lm_cptr_t r = t_asid_range(8), a = t_slot(), b = t_slot(), c = t_slot();
	lm_cptr_t v = t_new(LM_OBJ_VSPACE, 0);
	lm_u64 first, id = 0;

	CHECK(r && a && b && c && v);
	first = t_first_id(r);
	CHECK_OK(lm_asids_issue(r, 4, CN, a));
	CHECK_OK(lm_asids_issue(r, 4, CN, b)); /* all 8 issued */
	CHECK_ERR(lm_asids_issue(r, 1, CN, c), LM_ELIMIT);
	CHECK_ERR(assign(v, r), LM_ELIMIT);
	CHECK_OK(lm_cnode_delete(CN, a)); /* b stays: a's IDs are r's again at once */
	CHECK_OK(lm_asids_issue(r, 4, CN, c));
	CHECK_EQ(t_first_id(c), first);
	CHECK_OK(lm_cnode_delete(CN, c));
	CHECK_OK(lm_vspace_assign(v, r, &id)); /* and assignable: the highest of them */
	CHECK_EQ(id, first + 3);
	CHECK_EQ(t_first_id(b), first + 4); /* b never moved */
	for (int k = 0; k < 100; k++) { /* issue and delete forever, b kept */
		CHECK_OK(lm_asids_issue(r, 3, CN, c));
		CHECK_EQ(t_first_id(c), first);
		CHECK_OK(lm_cnode_delete(CN, c));
	}
}

TEST(asids_issue_fits_the_lowest_hole_a_deleted_sub_range_left)
{
	lm_cptr_t r = t_asid_range(16), a = t_slot(), b = t_slot(), c = t_slot(), d = t_slot();
	lm_cptr_t e = t_slot(), g = t_slot(), v = t_new(LM_OBJ_VSPACE, 0);
	lm_u64 first, out[LM_SYS_NOUT];

	CHECK(r && a && b && c && d && e && g && v);
	first = t_first_id(r);
	CHECK_OK(lm_asids_issue(r, 4, CN, a));
	CHECK_OK(lm_asids_issue(r, 4, CN, b));
	CHECK_OK(lm_asids_issue(r, 4, CN, c));
	CHECK_OK(assign(v, r)); /* the top ID, first + 15: in use */
	CHECK_OK(lm_cnode_delete(CN, b)); /* a hole of 4 in the middle */
	CHECK_ERR(t_raw(LM_SYS_ASIDS_ISSUE, r, 5, CN, d, 0, 0, out), LM_ELIMIT);
	CHECK_EQ(out[0], 2); /* 4 + 3 free, but no run of 5 */
	CHECK_OK(lm_asids_issue(r, 3, CN, d));
	CHECK_EQ(t_first_id(d), first + 4); /* the lowest that fits: the hole */
	CHECK_OK(lm_asids_issue(r, 2, CN, e));
	CHECK_EQ(t_first_id(e), first + 12); /* 1 left in the hole: too small */
	CHECK_OK(lm_asids_issue(r, 1, CN, g));
	CHECK_EQ(t_first_id(g), first + 7);
	CHECK_ERR(lm_asids_issue(r, 2, CN, t_slot()), LM_ELIMIT); /* first + 14 only */
}

/* A range deleted between its issuer and its own sub-range: its IDs go up
 * to the issuer, its sub-range's stay the sub-range's (and its address
 * spaces live) until that goes too; revoking the top kills them all. */
TEST(asids_deleting_a_middle_range_gives_its_ids_up_and_revoke_kills_below)
{
	lm_cptr_t r = t_asid_range(16), s = t_slot(), t = t_slot(), u = t_slot();
	lm_cptr_t vs = t_new(LM_OBJ_VSPACE, 0), vt = t_new(LM_OBJ_VSPACE, 0);
	lm_cptr_t vr = t_new(LM_OBJ_VSPACE, 0);
	lm_u64 first;

	CHECK(r && s && t && u && vs && vt && vr);
	first = t_first_id(r);
	CHECK_OK(lm_asids_issue(r, 8, CN, s));
	CHECK_OK(lm_asids_issue(s, 4, CN, t)); /* first .. first + 3 */
	CHECK_EQ(t_first_id(t), first);
	CHECK_OK(assign(vs, s)); /* first + 7 */
	CHECK_OK(assign(vt, t)); /* first + 3 */
	CHECK_EQ(t_id(vs).extra, first + 7);
	CHECK_EQ(t_id(vt).extra, first + 3);
	CHECK_OK(lm_cnode_delete(CN, s));
	CHECK(!(t_id(vs).desc & LM_ID_MAPPED)); /* s's own: dead */
	CHECK(t_id(vt).desc & LM_ID_MAPPED);    /* t's: alive */
	CHECK_OK(lm_asids_issue(r, 4, CN, u));  /* s's free IDs are r's */
	CHECK_EQ(t_first_id(u), first + 4);
	CHECK_OK(lm_cnode_delete(CN, u));
	CHECK_ERR(lm_asids_issue(r, 13, CN, u), LM_ELIMIT); /* t still holds 4 */
	CHECK_OK(assign(vr, r));
	CHECK_EQ(t_id(vr).extra, first + 15);
	CHECK_OK(lm_cnode_revoke(CN, r)); /* t goes, and its address space */
	CHECK_EQ(LM_ID_TYPE(t_id(t).desc), LM_OBJ_NULL);
	CHECK(!(t_id(vt).desc & LM_ID_MAPPED));
	CHECK(t_id(vr).desc & LM_ID_MAPPED); /* r's own stays */
	CHECK_OK(lm_asids_issue(r, 15, CN, u));
	CHECK_EQ(t_first_id(u), first);
}

TEST(asids_exhausted_range_returns_ELIMIT_until_an_address_space_goes)
{
	lm_cptr_t r = t_asid_range(2), v1 = t_new(LM_OBJ_VSPACE, 0), v2 = t_new(LM_OBJ_VSPACE, 0);
	lm_cptr_t v3 = t_new(LM_OBJ_VSPACE, 0), c = t_slot(), d = t_slot();
	lm_u64 out[LM_SYS_NOUT], id1 = 0;

	CHECK(r && v1 && v2 && v3 && c && d);
	CHECK_OK(lm_vspace_assign(v1, r, &id1));
	CHECK_OK(assign(v2, r));
	CHECK_ERR(t_raw(LM_SYS_VSPACE_ASSIGN, v3, r, 0, 0, 0, 0, out), LM_ELIMIT);
	CHECK_EQ(out[0], 2);
	CHECK_ERR(t_raw(LM_SYS_ASIDS_ISSUE, r, 1, CN, d, 0, 0, out), LM_ELIMIT); /* in use */
	CHECK_OK(lm_cnode_copy(CN, c, CN, v1, LM_R_ALL));
	CHECK_OK(lm_cnode_delete(CN, v1)); /* a copy still names it */
	CHECK_ERR(assign(v3, r), LM_ELIMIT);
	CHECK_OK(lm_cnode_delete(CN, c)); /* the last: its ID goes back */
	CHECK_OK(assign(v3, r));
	CHECK_EQ(t_id(v3).extra, id1);
}

TEST(asids_deleted_range_leaves_its_address_spaces_dead_for_good)
{
	lm_cptr_t r = t_asid_range(2), vs = t_new(LM_OBJ_VSPACE, 0), f = t_new(LM_OBJ_FRAME, 12);
	lm_cptr_t tcb = t_new(LM_OBJ_TCB, 0), copy = 0, again = t_slot();
	lm_u64 first;

	CHECK(r && vs && f && tcb && again);
	first = t_first_id(r);
	CHECK_OK(assign(vs, r));
	CHECK_OK(lm_map_page(vs, f, T_VA, RW));
	copy = t_copy(vs, LM_R_ALL);
	CHECK(copy);
	CHECK_OK(lm_cnode_delete(CN, r));
	CHECK(!(t_id(vs).desc & LM_ID_MAPPED));
	CHECK_ERR(lm_vspace_map(vs, f, T_VA_PAGE(1), RW), LM_ESTATE);
	CHECK_ERR(lm_thread_configure(tcb, CN, copy), LM_ESTATE);
	CHECK_ERR(assign(vs, lm_asid_cap), LM_ESTATE); /* never again */
	CHECK_OK(lm_vspace_unmap(f)); /* the stale record just clears */
	CHECK_OK(t_map(f, T_VA, RW)); /* and the frame maps elsewhere */
	/* Its IDs are the test range's again: the same two, both free. */
	CHECK_OK(lm_asids_issue(lm_asid_cap, 2, CN, again));
	CHECK_EQ(t_first_id(again), first);
	for (int i = 0; i < 2; i++) {
		lm_cptr_t v = t_new(LM_OBJ_VSPACE, 0);
		CHECK(v);
		CHECK_OK(assign(v, again));
	}
}


/* The attack the ranges close: a process takes every ID it can. It gets
 * its range's worth and LM_ELIMIT; everyone else still makes address
 * spaces; revoking our range takes its range back, leaves what it made
 * dead, and the IDs are ours again. */
TEST(asids_process_exhausting_its_range_leaves_others_theirs)
{
	lm_cptr_t ut = t_new(LM_OBJ_UNTYPED, 16), r = t_asid_range(4), again = t_slot();
	struct lm_spawn_cap caps[] = {
		{ ut, PROBE_FRAME_SLOT, 0, LM_SPAWN_MOVE, 0 },
		{ r, PROBE_ASID_SLOT, 0, LM_SPAWN_MOVE, 0 },
	};
	struct lm_proc p;
	struct lm_thread_info ti;
	lm_u64 first;
	lm_cptr_t top = 63;

	CHECK(ut && r && again);
	first = t_first_id(r);
	CHECK_OK(t_spawn_probe_with(PROBE_ARG(PROBE_ASIDS, 0), 0, caps, 2, &p));
	CHECK_OK(t_wait(p.tcb, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 4u << 8 | LM_ELIMIT);
	CHECK(t_vspace()); /* the parent still makes address spaces */
	CHECK(t_id_in(p.cnode, top).desc & LM_ID_MAPPED);
	CHECK_OK(lm_cnode_revoke(CN, lm_asid_cap));
	CHECK_EQ(LM_ID_TYPE(t_id_in(p.cnode, PROBE_ASID_SLOT).desc), LM_OBJ_NULL);
	for (lm_cptr_t s = top; s > top - 4; s--) {
		CHECK_EQ(LM_ID_TYPE(t_id_in(p.cnode, s).desc), LM_OBJ_VSPACE);
		CHECK(!(t_id_in(p.cnode, s).desc & LM_ID_MAPPED));
	}
	CHECK_OK(lm_asids_issue(lm_asid_cap, 4, CN, again));
	CHECK_EQ(t_first_id(again), first);
	for (int i = 0; i < 4; i++) {
		lm_cptr_t vs = t_new(LM_OBJ_VSPACE, 0);
		CHECK(vs);
		CHECK_OK(assign(vs, again));
	}
	CHECK_OK(lm_proc_destroy(&p));
}

/* A thread whose address space loses its ID runs on no user mapping at
 * all: it faults at once, and cannot be resumed. */
TEST(asids_thread_in_an_address_space_whose_range_is_deleted_faults)
{
	lm_cptr_t r = t_asid_range(1);
	struct lm_proc p;
	struct lm_thread_info ti;

	CHECK(r);
	CHECK_OK(t_spawn_probe_with(PROBE_ARG(PROBE_SPIN, 0), r, 0, 0, &p));
	lm_thread_yield();
	CHECK_OK(lm_thread_info(p.tcb, &ti));
	CHECK_EQ(ti.state, LM_TS_RUNNABLE);
	CHECK_OK(lm_cnode_delete(CN, r));
	CHECK_OK(t_wait(p.tcb, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_ERR(lm_thread_resume(p.tcb), LM_ESTATE);
	CHECK_OK(lm_proc_destroy(&p));
}
