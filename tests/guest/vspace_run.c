/* Runs of frames (frames of 2^13 .. 2^20 bytes): mapped whole (VSPACE_MAP)
 * or in part (VSPACE_MAP_RUN) with 4 KiB entries under one mapping record
 * in the capability, unmapped, protected and revoked as one. */
#include "harness.h"

#define CN LM_SLOT_CNODE
#define VS LM_SLOT_VSPACE
#define RW (LM_R_READ | LM_R_WRITE)

/* T_VA's page table, made by mapping (and unmapping) one frame there. */
static int table_ready(void)
{
	lm_cptr_t f = t_frame_at(T_VA, LM_R_READ);

	return f ? lm_vspace_unmap(f) : LM_ENOMEM;
}

static lm_word_t poke(lm_word_t va)
{
	*(volatile lm_u64 *)va = 1;
	return 0;
}

/* Whether va is mapped in vs (PAGE_STATE finds an entry). */
static int mapped(lm_cptr_t vs, lm_u64 va)
{
	return lm_vspace_page_state(vs, va, 0, 0, 0) == LM_OK;
}

TEST(vspace_run_maps_whole_and_part_as_one)
{
	lm_cptr_t r = t_new(LM_OBJ_FRAME, 14), part = t_slot(), t;
	lm_u64 state = 0, rights = 0, n = 0;
	struct lm_thread_info ti;

	CHECK(r && part);
	CHECK_EQ(LM_ID_BITS(t_id(r).desc), 14);
	CHECK_OK(table_ready());
	/* whole: at an address aligned to its size, one record */
	CHECK_OK(t_map(r, T_VA_PAGE(4), RW));
	for (lm_u32 i = 0; i < 4; i++)
		*(volatile lm_u64 *)T_VA_PAGE(4 + i) = 0x100 + i;
	CHECK(t_id(r).desc & LM_ID_MAPPED);
	CHECK_EQ(t_id(r).extra, T_VA_PAGE(4));
	CHECK_ERR(lm_vspace_map(VS, r, T_VA_PAGE(12), RW), LM_ESTATE); /* mapped twice */
	/* a part of a copy (pages 1 and 2), at an address of no alignment */
	CHECK_OK(lm_cnode_copy(CN, part, CN, r, LM_R_READ));
	CHECK_ERR(lm_vspace_map(VS, part, T_VA_PAGE(21), LM_R_READ), LM_EALIGN);
	CHECK_OK(lm_vspace_map_run(VS, part, T_VA_PAGE(21), LM_R_READ, 1, 2));
	CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(21), 0x101);
	CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(22), 0x102);
	CHECK(!mapped(VS, T_VA_PAGE(20)) && !mapped(VS, T_VA_PAGE(23)));
	CHECK_EQ(t_id(part).extra, T_VA_PAGE(21));
	CHECK_ERR(lm_vspace_map_run(VS, part, T_VA_PAGE(30), LM_R_READ, 0, 1), LM_ESTATE);
	/* read-only as asked */
	CHECK((t = t_thread(poke, T_VA_PAGE(22), T_PRIO)));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_addr, T_VA_PAGE(22));
	/* unmapped as one: its pages only */
	CHECK_OK(lm_vspace_unmap(part));
	CHECK(!mapped(VS, T_VA_PAGE(21)) && !mapped(VS, T_VA_PAGE(22)));
	CHECK(!(t_id(part).desc & LM_ID_MAPPED));
	CHECK_ERR(lm_vspace_unmap(part), LM_ENOENT);
	CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(5), 0x101);
	/* each entry has its own accessed/dirty bits; protect works per page */
	CHECK_OK(lm_vspace_page_state(VS, T_VA_PAGE(6), LM_PG_DIRTY, &state, &rights));
	CHECK(state & LM_PG_DIRTY);
	CHECK_EQ(rights & RW, RW);
	CHECK_OK(lm_vspace_page_state(VS, T_VA_PAGE(6), 0, &state, 0));
	CHECK(!(state & LM_PG_DIRTY));
	CHECK_OK(lm_vspace_protect(VS, T_VA_PAGE(4), 4, LM_R_READ, &n));
	CHECK_EQ(n, 4);
	CHECK((t = t_thread(poke, T_VA_PAGE(7), T_PRIO)));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_OK(lm_vspace_protect(VS, T_VA_PAGE(4), 4, RW, &n));
	*(volatile lm_u64 *)T_VA_PAGE(7) = 0x103;
	/* the capability's own deletion clears its entries */
	CHECK_OK(lm_vspace_map_run(VS, part, T_VA_PAGE(40), LM_R_READ, 0, 4));
	CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(43), 0x103);
	CHECK_OK(lm_cnode_delete(CN, part));
	CHECK(!mapped(VS, T_VA_PAGE(40)) && !mapped(VS, T_VA_PAGE(43)));
	CHECK_OK(lm_cnode_delete(CN, r));
	CHECK(!mapped(VS, T_VA_PAGE(4)) && !mapped(VS, T_VA_PAGE(7)));
}

TEST(vspace_run_revoke_clears_every_address_space)
{
	lm_cptr_t r = t_new(LM_OBJ_FRAME, 20), vs2 = t_vspace(), a = t_slot(), b = t_slot();

	CHECK(r && vs2 && a && b);
	CHECK_OK(table_ready());
	CHECK_OK(t_map(r, T_VA_2M(1), RW));
	*(volatile lm_u64 *)(T_VA_2M(1) + (200ull << 12)) = 0x77;
	CHECK_OK(lm_cnode_copy(CN, a, CN, r, LM_R_READ));
	CHECK_OK(lm_cnode_copy(CN, b, CN, r, LM_R_READ));
	/* 256 pages in another address space, a part of 100 in ours */
	CHECK_OK(lm_map_page(vs2, a, T_VA, LM_R_READ));
	CHECK_OK(lm_vspace_map_run(VS, b, T_VA_PAGE(300), LM_R_READ, 150, 100));
	CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(350), 0x77);
	CHECK(mapped(vs2, T_VA_PAGE(255)) && mapped(vs2, T_VA));
	CHECK_OK(lm_cnode_revoke(CN, r));
	CHECK_EQ(t_id(a).desc, 0);
	CHECK_EQ(t_id(b).desc, 0);
	CHECK(!mapped(vs2, T_VA) && !mapped(vs2, T_VA_PAGE(255)));
	CHECK(!mapped(VS, T_VA_PAGE(300)) && !mapped(VS, T_VA_PAGE(399)));
	CHECK_EQ(*(volatile lm_u64 *)(T_VA_2M(1) + (200ull << 12)), 0x77); /* its own stays */
	CHECK_OK(lm_cnode_delete(CN, r));
	CHECK(!mapped(VS, T_VA_2M(1)));
}

TEST(vspace_run_bad_arguments_map_nothing)
{
	lm_cptr_t r = t_new(LM_OBJ_FRAME, 15), ep = t_new(LM_OBJ_ENDPOINT, 0);
	lm_cptr_t big = t_new(LM_OBJ_FRAME, LM_LARGE_PAGE_BITS), small = t_new(LM_OBJ_FRAME, 12);
	lm_cptr_t d = t_slot();
	lm_u64 out[LM_SYS_NOUT];

	CHECK(r && ep && big && small && d);
	CHECK_OK(table_ready());
	/* sizes: below a page, above a large page */
	CHECK_ERR(lm_untyped_retype(t_ut, LM_OBJ_FRAME, 11, CN, d, 1), LM_ERANGE);
	CHECK_ERR(lm_untyped_retype(t_ut, LM_OBJ_FRAME, 22, CN, d, 1), LM_ERANGE);
	/* the part: first past the end, no pages, beyond the run's end */
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP_RUN, VS, r, T_VA, LM_R_READ, 8, 1, out), LM_ERANGE);
	CHECK_EQ(out[0], 5);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP_RUN, VS, r, T_VA, LM_R_READ, 0, 0, out), LM_ERANGE);
	CHECK_EQ(out[0], 6);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP_RUN, VS, r, T_VA, LM_R_READ, 5, 4, out), LM_ERANGE);
	CHECK_EQ(out[0], 6);
	/* addresses: unaligned, across a page table, kernel, non-canonical, 0 */
	CHECK_ERR(lm_vspace_map_run(VS, r, T_VA + 8, LM_R_READ, 0, 8), LM_EALIGN);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP_RUN, VS, r, T_VA_2M(1) - LM_PAGE_SIZE, LM_R_READ, 0, 2,
			out), LM_ERANGE);
	CHECK_EQ(out[0], 3);
	CHECK_ERR(lm_vspace_map_run(VS, r, T_KERNEL_ADDR, LM_R_READ, 0, 8), LM_ERANGE);
	CHECK_ERR(lm_vspace_map_run(VS, r, T_NONCANON, LM_R_READ, 0, 8), LM_ERANGE);
	CHECK_ERR(lm_vspace_map_run(VS, r, 0, LM_R_READ, 0, 8), LM_ERANGE);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP_RUN, VS, r, LM_USER_MAX - LM_PAGE_SIZE, LM_R_READ, 0, 2,
			out), LM_ERANGE); /* past the last user page */
	CHECK_EQ(out[0], 3);
	/* capabilities: empty, wrong type, a read-only address space */
	CHECK_ERR(lm_vspace_map_run(VS, t_slot(), T_VA, LM_R_READ, 0, 8), LM_ECAP);
	CHECK_ERR(lm_vspace_map_run(VS, ep, T_VA, LM_R_READ, 0, 8), LM_ETYPE);
	CHECK_ERR(lm_vspace_map_run(ep, r, T_VA, LM_R_READ, 0, 8), LM_ETYPE);
	CHECK_ERR(lm_vspace_map_run(t_copy(VS, LM_R_READ), r, T_VA, LM_R_READ, 0, 8),
		  LM_ERIGHTS);
	/* rights: unknown bits, more than the frame allows */
	CHECK_ERR(lm_vspace_map_run(VS, r, T_VA, 0x100, 0, 8), LM_EINVAL);
	CHECK_ERR(lm_vspace_map_run(VS, t_copy(r, LM_R_READ), T_VA, RW, 0, 8), LM_ERIGHTS);
	/* a 2 MiB frame maps only whole, as a large page */
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP_RUN, VS, big, T_VA, LM_R_READ, 0, 1, out), LM_EINVAL);
	CHECK_EQ(out[0], 2);
	/* a page in use names its index; a missing table its level */
	CHECK_OK(t_map(small, T_VA_PAGE(3), LM_R_READ));
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP_RUN, VS, r, T_VA, LM_R_READ, 0, 8, out), LM_EEXIST);
	CHECK_EQ(out[1], 3);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP_RUN, VS, r, T_VA_FRESH(1), LM_R_READ, 0, 8, out),
		  LM_ETABLE);
	CHECK_EQ(out[1], 3);
	/* nothing of the refused calls was mapped */
	CHECK(!(t_id(r).desc & LM_ID_MAPPED));
	CHECK(!mapped(VS, T_VA) && !mapped(VS, T_VA_PAGE(4)));
	/* a 4 KiB frame: its one page */
	CHECK_OK(lm_vspace_unmap(small));
	CHECK_ERR(lm_vspace_map_run(VS, small, T_VA, LM_R_READ, 1, 1), LM_ERANGE);
	CHECK_OK(lm_vspace_map_run(VS, small, T_VA_PAGE(9), LM_R_READ, 0, 1));
	CHECK_EQ(t_id(small).extra, T_VA_PAGE(9));
	CHECK_OK(lm_vspace_map_run(VS, r, T_VA_PAGE(10), LM_R_READ, 7, 1));
	CHECK_OK(lm_vspace_unmap(small));
	CHECK(!mapped(VS, T_VA_PAGE(9)) && mapped(VS, T_VA_PAGE(10)));
}
