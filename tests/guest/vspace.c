/* VSPACE_* calls: mapping frames and page tables, and what a mapping
 * allows (checked by threads that touch the pages and fault or not). */
#include "harness.h"

#define CN LM_SLOT_CNODE
#define VS LM_SLOT_VSPACE
#define RW (LM_R_READ | LM_R_WRITE)

#define PF_PRESENT 0x1
#define PF_WRITE   0x2
#define PF_USER    0x4
#define PF_FETCH   0x10

static lm_word_t touch(lm_word_t va)
{
	return *(volatile lm_u64 *)va;
}

static lm_word_t poke(lm_word_t va)
{
	*(volatile lm_u64 *)va = 0x1234;
	return 0;
}

static lm_word_t call_at(lm_word_t va)
{
	return ((lm_word_t (*)(void))va)();
}

/* Run fn(va) in a thread of ours and return how it ended. */
static int run_at(lm_thread_fn fn, lm_u64 va, struct lm_thread_info *ti)
{
	lm_cptr_t t = t_thread(fn, va, T_PRIO);

	return t ? t_wait(t, ti) : LM_ENOMEM;
}

static lm_cptr_t frame(void)
{
	return t_new(LM_OBJ_FRAME, LM_PAGE_BITS);
}

TEST(vspace_map_frame_makes_memory_usable)
{
	lm_cptr_t f = t_frame_at(T_VA, RW);
	volatile lm_u64 *p = (volatile lm_u64 *)T_VA;

	CHECK(f);
	p[0] = 0x1122334455667788ull;
	p[511] = 42;
	CHECK_EQ(p[0], 0x1122334455667788ull);
	CHECK_EQ(p[511], 42);
	CHECK(t_id(f).desc & LM_ID_MAPPED);
	CHECK_EQ(t_id(f).extra, T_VA);
}

TEST(vspace_map_without_tables_returns_ETABLE_naming_the_level)
{
	lm_cptr_t f = frame();
	lm_u64 out[LM_SYS_NOUT];

	CHECK(f);
	for (lm_u64 level = 3; level >= 1; level--) {
		lm_cptr_t pt = t_new(LM_OBJ_PTABLE, 0);
		lm_u64 got = 0;

		CHECK(pt);
		CHECK_ERR(t_raw(LM_SYS_VSPACE_MAP, VS, f, T_VA, RW, 0, 0, out), LM_ETABLE);
		CHECK_EQ(out[1], level);
		CHECK(!(t_id(f).desc & LM_ID_MAPPED));
		CHECK_OK(lm_vspace_map_table(VS, pt, T_VA, &got));
		CHECK_EQ(got, level);
	}
	CHECK_OK(lm_vspace_map(VS, f, T_VA, RW));
}

TEST(vspace_map_table_installs_levels_3_2_1_in_order)
{
	lm_cptr_t pt[4] = { t_new(LM_OBJ_PTABLE, 0), t_new(LM_OBJ_PTABLE, 0),
			    t_new(LM_OBJ_PTABLE, 0), t_new(LM_OBJ_PTABLE, 0) };
	lm_u64 level;

	CHECK(pt[0] && pt[1] && pt[2] && pt[3]);
	for (lm_u32 i = 0; i < 3; i++) {
		CHECK_OK(lm_vspace_map_table(VS, pt[i], T_VA_FRESH(1), &level));
		CHECK_EQ(level, 3 - i);
		CHECK(t_id(pt[i]).desc & LM_ID_MAPPED);
	}
	CHECK_ERR(lm_vspace_map_table(VS, pt[3], T_VA_FRESH(1), &level), LM_EEXIST);
	CHECK(!(t_id(pt[3]).desc & LM_ID_MAPPED));
	CHECK_ERR(lm_vspace_map_table(VS, pt[0], T_VA_FRESH(2), &level), LM_ESTATE);
}

TEST(vspace_map_table_bad_arguments_return_errors)
{
	lm_cptr_t pt = t_new(LM_OBJ_PTABLE, 0), f = frame(), ro = t_copy(VS, LM_R_READ);
	lm_cptr_t e = t_slot();

	CHECK(pt && f && ro && e);
	CHECK_ERR(lm_vspace_map_table(f, pt, T_VA, 0), LM_ETYPE);
	CHECK_ERR(lm_vspace_map_table(VS, f, T_VA, 0), LM_ETYPE);
	CHECK_ERR(lm_vspace_map_table(e, pt, T_VA, 0), LM_ECAP);
	CHECK_ERR(lm_vspace_map_table(VS, e, T_VA, 0), LM_ECAP);
	CHECK_ERR(lm_vspace_map_table(ro, pt, T_VA, 0), LM_ERIGHTS);
	CHECK_ERR(lm_vspace_map_table(VS, pt, T_KERNEL_ADDR, 0), LM_ERANGE);
	CHECK_ERR(lm_vspace_map_table(VS, pt, LM_USER_MAX, 0), LM_ERANGE);
	CHECK(!(t_id(pt).desc & LM_ID_MAPPED));
}

TEST(vspace_map_rights_beyond_the_frame_cap_return_ERIGHTS)
{
	lm_cptr_t f = frame(), ro;

	CHECK(f);
	ro = t_copy(f, LM_R_READ);
	CHECK(ro);
	CHECK_ERR(lm_map_page(VS, ro, T_VA, RW), LM_ERIGHTS);
	CHECK_ERR(lm_vspace_map(VS, ro, T_VA, LM_R_READ | LM_R_EXEC), LM_ERIGHTS);
	CHECK(!(t_id(ro).desc & LM_ID_MAPPED));
	CHECK_OK(lm_map_page(VS, ro, T_VA, LM_R_READ)); /* makes the tables too */
	CHECK_EQ(*(volatile lm_u64 *)T_VA, 0);
}

TEST(vspace_map_rights_outside_rwx_return_EINVAL)
{
	lm_cptr_t f = t_frame_at(T_VA, RW), g = frame();

	CHECK(f && g);
	CHECK_ERR(lm_vspace_map(VS, g, T_VA_PAGE(1), LM_R_GRANT), LM_EINVAL);
	CHECK_ERR(lm_vspace_map(VS, g, T_VA_PAGE(1), 0x10), LM_EINVAL);
	CHECK_ERR(lm_vspace_map(VS, g, T_VA_PAGE(1), ~0ull), LM_EINVAL);
	CHECK(!(t_id(g).desc & LM_ID_MAPPED));
}

TEST(vspace_map_outside_user_space_returns_ERANGE)
{
	lm_cptr_t f = frame();

	CHECK(f);
	CHECK_ERR(lm_vspace_map(VS, f, 0, RW), LM_ERANGE);
	CHECK_ERR(lm_vspace_map(VS, f, LM_USER_MAX, RW), LM_ERANGE);
	CHECK_ERR(lm_vspace_map(VS, f, T_KERNEL_ADDR, RW), LM_ERANGE);
	CHECK_ERR(lm_vspace_map(VS, f, 0xfffffffffffff000ull, RW), LM_ERANGE);
	CHECK(!(t_id(f).desc & LM_ID_MAPPED));
}

TEST(vspace_map_unaligned_address_returns_EALIGN)
{
	lm_cptr_t f = t_frame_at(T_VA, RW), g = frame(), big = t_new(LM_OBJ_FRAME, 21);

	CHECK(f && g && big);
	CHECK_ERR(lm_vspace_map(VS, g, T_VA_PAGE(1) + 8, RW), LM_EALIGN);
	CHECK_ERR(lm_vspace_map(VS, g, T_VA_PAGE(1) + 0x800, RW), LM_EALIGN);
	CHECK_ERR(lm_vspace_map(VS, big, T_VA_2M(1) + 4096, RW), LM_EALIGN);
	CHECK(!(t_id(g).desc & LM_ID_MAPPED));
	CHECK(!(t_id(big).desc & LM_ID_MAPPED));
}

TEST(vspace_map_of_mapped_frame_returns_ESTATE)
{
	lm_cptr_t f = t_frame_at(T_VA, RW);

	CHECK(f);
	CHECK_ERR(lm_vspace_map(VS, f, T_VA_PAGE(1), RW), LM_ESTATE);
	CHECK_EQ(t_id(f).extra, T_VA);
}

TEST(vspace_map_over_existing_mapping_returns_EEXIST)
{
	lm_cptr_t f = t_frame_at(T_VA, RW), g = frame();

	CHECK(f && g);
	*(volatile lm_u64 *)T_VA = 77;
	CHECK_ERR(lm_vspace_map(VS, g, T_VA, RW), LM_EEXIST);
	CHECK(!(t_id(g).desc & LM_ID_MAPPED));
	CHECK_EQ(*(volatile lm_u64 *)T_VA, 77); /* still f */
}

TEST(vspace_map_bad_capabilities_return_errors)
{
	lm_cptr_t f = frame(), e = t_slot(), ro = t_copy(VS, LM_R_READ);

	CHECK(f && e && ro);
	CHECK_ERR(lm_vspace_map(f, f, T_VA, RW), LM_ETYPE);
	CHECK_ERR(lm_vspace_map(VS, LM_SLOT_TCB, T_VA, RW), LM_ETYPE);
	CHECK_ERR(lm_vspace_map(e, f, T_VA, RW), LM_ECAP);
	CHECK_ERR(lm_vspace_map(VS, e, T_VA, RW), LM_ECAP);
	CHECK_ERR(lm_vspace_map(VS, (lm_u64)1 << 40, T_VA, RW), LM_ECAP);
	CHECK_ERR(lm_vspace_map(ro, f, T_VA, RW), LM_ERIGHTS);
	CHECK(!(t_id(f).desc & LM_ID_MAPPED));
}

TEST(vspace_unmap_removes_access)
{
	lm_cptr_t f = t_frame_at(T_VA, RW);
	struct lm_thread_info ti;

	CHECK(f);
	*(volatile lm_u64 *)T_VA = 5;
	CHECK_OK(lm_vspace_unmap(f));
	CHECK(!(t_id(f).desc & LM_ID_MAPPED));
	CHECK_OK(run_at(touch, T_VA, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_addr, T_VA);
	CHECK(ti.fault_error & PF_USER);
	CHECK(!(ti.fault_error & PF_PRESENT));
	/* and it maps again, with its contents */
	CHECK_OK(lm_vspace_map(VS, f, T_VA_PAGE(1), RW));
	CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(1), 5);
}

TEST(vspace_unmap_bad_arguments_return_errors)
{
	lm_cptr_t f = frame(), e = t_slot();

	CHECK(f && e);
	CHECK_ERR(lm_vspace_unmap(f), LM_ENOENT);
	CHECK_ERR(lm_vspace_unmap(e), LM_ECAP);
	CHECK_ERR(lm_vspace_unmap(LM_SLOT_TCB), LM_ETYPE);
	CHECK_ERR(lm_vspace_unmap((lm_u64)1 << 40), LM_ECAP);
}

TEST(vspace_unmap_needs_no_rights_beyond_holding_the_cap)
{
	lm_cptr_t f = frame(), ro;

	CHECK(f);
	ro = t_copy(f, LM_R_READ);
	CHECK(ro);
	CHECK_OK(t_map(ro, T_VA, LM_R_READ));
	CHECK_OK(lm_vspace_unmap(ro));
	CHECK(!(t_id(ro).desc & LM_ID_MAPPED));
}

TEST(vspace_deleting_mapped_frame_cap_unmaps_it)
{
	lm_cptr_t f = t_frame_at(T_VA, RW);
	struct lm_thread_info ti;

	CHECK(f);
	CHECK_OK(lm_cnode_delete(CN, f));
	CHECK_OK(run_at(touch, T_VA, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_addr, T_VA);
}

TEST(vspace_copies_of_a_frame_share_its_memory)
{
	lm_cptr_t f = t_frame_at(T_VA, RW), c;

	CHECK(f);
	c = t_copy(f, RW);
	CHECK(c);
	CHECK_OK(t_map(c, T_VA_PAGE(1), RW));
	*(volatile lm_u64 *)T_VA = 0xabcdef;
	CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(1), 0xabcdef);
	*(volatile lm_u64 *)(T_VA_PAGE(1) + 8) = 3;
	CHECK_EQ(*(volatile lm_u64 *)(T_VA + 8), 3);
}

TEST(vspace_write_to_read_only_mapping_faults)
{
	lm_cptr_t f = t_frame_at(T_VA, LM_R_READ);
	struct lm_thread_info ti;

	CHECK(f);
	CHECK_EQ(*(volatile lm_u64 *)T_VA, 0); /* reading is fine */
	CHECK_OK(run_at(poke, T_VA, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_addr, T_VA);
	CHECK_EQ(ti.fault_error & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
}

TEST(vspace_exec_mapping_runs_code_and_non_exec_faults)
{
	lm_cptr_t f = t_frame_at(T_VA, RW), x, nx;
	struct lm_thread_info ti;
	static const lm_u8 code[] = { 0xb8, 42, 0, 0, 0, 0xc3 }; /* mov $42,%eax; ret */

	CHECK(f);
	memcpy((void *)T_VA, code, sizeof code);
	x = t_copy(f, LM_R_READ | LM_R_EXEC);
	nx = t_copy(f, LM_R_READ);
	CHECK(x && nx);
	CHECK_OK(t_map(x, T_VA_PAGE(1), LM_R_READ | LM_R_EXEC));
	CHECK_OK(run_at(call_at, T_VA_PAGE(1), &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 42);
	if (!(t_bi->cpu_features & LM_CPU_NX)) {
		t_note("no NX: non-executable mappings not checked");
		return;
	}
	CHECK_OK(t_map(nx, T_VA_PAGE(2), LM_R_READ));
	CHECK_OK(run_at(call_at, T_VA_PAGE(2), &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_addr, T_VA_PAGE(2));
	CHECK_EQ(ti.fault_rip, T_VA_PAGE(2));
	CHECK(ti.fault_error & PF_FETCH);
}

TEST(vspace_large_frame_maps_2mib_and_works)
{
	lm_cptr_t big = t_new(LM_OBJ_FRAME, 21);
	volatile lm_u64 *p = (volatile lm_u64 *)T_VA_2M(1);
	lm_u64 words = LM_LARGE_PAGE_SIZE / 8;

	CHECK(big);
	CHECK_EQ(LM_ID_BITS(t_id(big).desc), 21);
	CHECK_EQ(t_id(big).addr & (LM_LARGE_PAGE_SIZE - 1), 0);
	CHECK_OK(t_map(big, T_VA_2M(1), RW));
	CHECK_EQ(t_id(big).extra, T_VA_2M(1));
	for (lm_u64 i = 0; i < words; i += 4096 / 8) /* retype zeroed all of it */
		CHECK_EQ(p[i], 0);
	p[0] = 1;
	p[words / 2] = 2;
	p[words - 1] = 3;
	CHECK_EQ(p[0] + p[words / 2] + p[words - 1], 6);
}

TEST(vspace_large_page_and_page_table_exclude_each_other)
{
	lm_cptr_t big = t_new(LM_OBJ_FRAME, 21), big2 = t_new(LM_OBJ_FRAME, 21);
	lm_cptr_t f = frame(), pt = t_new(LM_OBJ_PTABLE, 0), g = frame();

	CHECK(big && big2 && f && pt && g);
	CHECK_OK(t_map(big, T_VA_2M(1), RW));
	CHECK_ERR(lm_vspace_map(VS, f, T_VA_2M(1) + 4096, RW), LM_EEXIST);
	CHECK_ERR(lm_vspace_map_table(VS, pt, T_VA_2M(1), 0), LM_EEXIST);
	CHECK_OK(t_map(g, T_VA_2M(2), RW)); /* makes a page table there */
	CHECK_ERR(lm_vspace_map(VS, big2, T_VA_2M(2), RW), LM_EEXIST);
	CHECK(!(t_id(f).desc & LM_ID_MAPPED));
	CHECK(!(t_id(big2).desc & LM_ID_MAPPED));
}

TEST(vspace_unmap_table_stops_mappings_below_it)
{
	lm_cptr_t f = frame(), tabs[3];
	lm_u32 n = 0;
	struct lm_thread_info ti;

	CHECK(f);
	CHECK_OK(lm_map_page_pool(0, VS, f, T_VA, RW, tabs, &n));
	CHECK(n >= 1);
	CHECK_OK(lm_vspace_unmap_table(tabs[n - 1])); /* the page table */
	CHECK(!(t_id(tabs[n - 1]).desc & LM_ID_MAPPED));
	CHECK(t_id(f).desc & LM_ID_MAPPED); /* the record stays until unmapped */
	CHECK_OK(run_at(touch, T_VA, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_addr, T_VA);
	CHECK_ERR(lm_vspace_unmap_table(tabs[n - 1]), LM_ENOENT);
	CHECK_OK(lm_vspace_unmap(f));
}

TEST(vspace_unmap_table_bad_arguments_return_errors)
{
	lm_cptr_t pt = t_new(LM_OBJ_PTABLE, 0), f = frame(), e = t_slot();

	CHECK(pt && f && e);
	CHECK_ERR(lm_vspace_unmap_table(pt), LM_ENOENT);
	CHECK_ERR(lm_vspace_unmap_table(f), LM_ETYPE);
	CHECK_ERR(lm_vspace_unmap_table(e), LM_ECAP);
}

TEST(vspace_other_address_space_mappings_are_invisible_here)
{
	lm_cptr_t vs = t_vspace(), f = frame();
	struct lm_thread_info ti;

	CHECK(vs && f);
	CHECK_OK(lm_map_page(vs, f, T_VA, RW));
	CHECK_EQ(t_id(f).extra, T_VA);
	CHECK_OK(run_at(touch, T_VA, &ti)); /* our address space: nothing there */
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_addr, T_VA);
}

TEST(vspace_destroyed_address_space_leaves_unmappable_record)
{
	lm_cptr_t vs = t_vspace(), f = frame();

	CHECK(vs && f);
	CHECK_OK(lm_map_page(vs, f, T_VA, RW));
	CHECK_OK(lm_cnode_delete(CN, vs)); /* last capability: destroyed */
	CHECK_OK(lm_vspace_unmap(f));
	CHECK(!(t_id(f).desc & LM_ID_MAPPED));
	CHECK_OK(t_map(f, T_VA, RW)); /* usable here now */
	*(volatile lm_u64 *)T_VA = 1;
}

TEST(vspace_user_address_bounds_are_exact)
{
	lm_cptr_t lo = frame(), hi = frame();

	CHECK(lo && hi);
	CHECK_ERR(lm_vspace_map(VS, lo, LM_USER_MIN - LM_PAGE_SIZE, RW), LM_ERANGE);
	CHECK_OK(t_map(hi, LM_USER_MAX - LM_PAGE_SIZE, RW));
	*(volatile lm_u64 *)(LM_USER_MAX - 8) = 9;
	CHECK_EQ(*(volatile lm_u64 *)(LM_USER_MAX - 8), 9);
}
