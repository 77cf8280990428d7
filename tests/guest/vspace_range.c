/* VSPACE_MAP with a count (lm_vspace_map_range): consecutive frames of a
 * CNode mapped at consecutive pages inside one page table, all or
 * nothing, each frame's capability recording its own page. */
#include "harness.h"

#define CN LM_SLOT_CNODE
#define VS LM_SLOT_VSPACE
#define RW (LM_R_READ | LM_R_WRITE)

/* n frames from the arena in consecutive slots of cn from `first`. */
static int frames_at(lm_cptr_t cn, lm_cptr_t first, lm_u32 n)
{
	return lm_untyped_retype(t_ut, LM_OBJ_FRAME, LM_PAGE_BITS, cn, first, n);
}

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

TEST(vspace_map_range_maps_each_frame_at_its_page)
{
	lm_cptr_t cn = t_new(LM_OBJ_CNODE, 6), f = lm_slot_alloc_n(1), t;
	lm_u64 out[LM_SYS_NOUT];
	struct lm_thread_info ti;

	CHECK(cn && f);
	CHECK_OK(table_ready());
	CHECK_OK(frames_at(cn, 10, 4));
	/* mark each frame through a mapping of our own first */
	for (lm_u32 i = 0; i < 4; i++) {
		CHECK_OK(lm_cnode_copy(CN, f, cn, 10 + i, RW));
		CHECK_OK(t_map(f, T_VA_PAGE(100), RW));
		*(volatile lm_u64 *)T_VA_PAGE(100) = 0x5000 + i;
		CHECK_OK(lm_cnode_delete(CN, f));
	}
	CHECK_OK(t_raw(LM_SYS_VSPACE_MAP, VS, 10, T_VA_PAGE(4), LM_R_READ, 4, cn, out));
	CHECK_EQ(out[0], 4);
	for (lm_u32 i = 0; i < 4; i++) {
		struct t_id id = t_id_in(cn, 10 + i);

		CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(4 + i), 0x5000 + i);
		CHECK(id.desc & LM_ID_MAPPED);
		CHECK_EQ(id.extra, T_VA_PAGE(4 + i));
	}
	/* read-only as asked */
	CHECK((t = t_thread(poke, T_VA_PAGE(5), T_PRIO)));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_addr, T_VA_PAGE(5));
	/* each capability unmaps its own page only */
	CHECK_OK(lm_cnode_delete(cn, 11));
	CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(4), 0x5000);
	CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(6), 0x5002);
	CHECK_ERR(lm_vspace_map_range(VS, cn, 12, T_VA_PAGE(20), LM_R_READ, 1),
		  LM_ESTATE); /* still mapped at page 6 */
	/* a whole page table's worth from our own CNode */
	{
		lm_cptr_t big = lm_slot_alloc_n(LM_MAP_MAX);

		CHECK(big);
		CHECK_OK(frames_at(CN, big, 256));
		CHECK_OK(frames_at(CN, big + 256, 256));
		CHECK_ERR(lm_vspace_map_range(VS, CN, big, T_VA_2M(1), LM_R_READ, LM_MAP_MAX),
			  LM_ETABLE); /* no page table there yet */
		CHECK_OK(lm_vspace_map_table(VS, t_new(LM_OBJ_PTABLE, 0), T_VA_2M(1), 0));
		CHECK_OK(lm_vspace_map_range(VS, CN, big, T_VA_2M(1), LM_R_READ, LM_MAP_MAX));
		CHECK_EQ(t_id(big + LM_MAP_MAX - 1).extra, T_VA_2M(2) - LM_PAGE_SIZE);
		CHECK_EQ(*(volatile lm_u64 *)(T_VA_2M(2) - 8), 0);
	}
}

TEST(vspace_map_range_bad_arguments_map_nothing)
{
	lm_cptr_t cn = t_new(LM_OBJ_CNODE, 6), ep = t_new(LM_OBJ_ENDPOINT, 0);
	lm_u64 out[LM_SYS_NOUT];

	CHECK(cn && ep);
	CHECK_OK(table_ready());
	CHECK_OK(frames_at(cn, 10, 4));
	/* the count: none here, too many, past the CNode, across a table */
	CHECK_ERR(lm_vspace_map_range(VS, cn, 10, T_VA, LM_R_READ, 0), LM_ERANGE);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP, VS, 10, T_VA, LM_R_READ, LM_MAP_MAX + 1, cn, out),
		  LM_ERANGE);
	CHECK_EQ(out[0], 5);
	CHECK_ERR(lm_vspace_map_range(VS, cn, 62, T_VA, LM_R_READ, 4), LM_ERANGE);
	CHECK_ERR(lm_vspace_map_range(VS, cn, 10, T_VA_2M(1) - LM_PAGE_SIZE, LM_R_READ, 2),
		  LM_ERANGE);
	/* addresses: unaligned, kernel, non-canonical, below user space */
	CHECK_ERR(lm_vspace_map_range(VS, cn, 10, T_VA + 8, LM_R_READ, 4), LM_EALIGN);
	CHECK_ERR(lm_vspace_map_range(VS, cn, 10, T_KERNEL_ADDR, LM_R_READ, 4), LM_ERANGE);
	CHECK_ERR(lm_vspace_map_range(VS, cn, 10, T_NONCANON, LM_R_READ, 4), LM_ERANGE);
	CHECK_ERR(lm_vspace_map_range(VS, cn, 10, 0, LM_R_READ, 4), LM_ERANGE);
	/* capabilities: the CNode, the address space, the slots */
	CHECK_ERR(lm_vspace_map_range(VS, t_slot(), 10, T_VA, LM_R_READ, 4), LM_ECAP);
	CHECK_ERR(lm_vspace_map_range(VS, ep, 10, T_VA, LM_R_READ, 4), LM_ETYPE);
	CHECK_ERR(lm_vspace_map_range(VS, t_copy(cn, LM_R_READ), 10, T_VA, LM_R_READ, 4),
		  LM_ERIGHTS);
	CHECK_ERR(lm_vspace_map_range(cn, cn, 10, T_VA, LM_R_READ, 4), LM_ETYPE);
	CHECK_ERR(lm_vspace_map_range(VS, cn, 0, T_VA, LM_R_READ, 4), LM_ERANGE);
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP, VS, 9, T_VA, LM_R_READ, 4, cn, out), LM_ECAP);
	CHECK_EQ(out[1], 0); /* the index of the empty slot */
	CHECK_OK(lm_cnode_copy(cn, 14, CN, ep, LM_R_ALL));
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP, VS, 11, T_VA, LM_R_READ, 4, cn, out), LM_ETYPE);
	CHECK_EQ(out[1], 3);
	/* rights: unknown bits; more than a frame allows */
	CHECK_ERR(lm_vspace_map_range(VS, cn, 10, T_VA, 0x100, 4), LM_EINVAL);
	CHECK_OK(lm_cnode_delete(cn, 14));
	CHECK_OK(lm_cnode_copy(cn, 14, cn, 13, LM_R_READ));
	CHECK_ERR(lm_vspace_map_range(VS, cn, 11, T_VA, RW, 4), LM_ERIGHTS);
	/* a large frame; a frame mapped already; a page in use */
	CHECK_OK(lm_untyped_retype(t_ut, LM_OBJ_FRAME, LM_LARGE_PAGE_BITS, cn, 20, 1));
	CHECK_ERR(lm_vspace_map_range(VS, cn, 20, T_VA, LM_R_READ, 1), LM_EINVAL);
	CHECK_OK(lm_vspace_map_range(VS, cn, 13, T_VA_PAGE(8), LM_R_READ, 1));
	CHECK_ERR(lm_vspace_map_range(VS, cn, 10, T_VA, LM_R_READ, 4), LM_ESTATE);
	CHECK_ERR(lm_vspace_map_range(VS, cn, 10, T_VA_PAGE(6), LM_R_READ, 3), LM_EEXIST);
	/* a missing table names its level */
	CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP, VS, 10, T_VA_FRESH(1), LM_R_READ, 3, cn, out),
		  LM_ETABLE);
	CHECK_EQ(out[1], 3);
	/* nothing of the refused calls was mapped */
	for (lm_u32 i = 10; i < 13; i++)
		CHECK(!(t_id_in(cn, i).desc & LM_ID_MAPPED));
	CHECK_OK(lm_vspace_map_range(VS, cn, 10, T_VA, LM_R_READ, 3));
}
