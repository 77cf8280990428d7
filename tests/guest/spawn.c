/* lm_spawn (lib/spawn.c): the layout it promises a child, and failing
 * without leaving anything behind. */
#include "harness.h"
#include "../../apps/probe.h"

static const void *probe_image(lm_u64 *size)
{
	return t_module("probe", size);
}

static int frame_or_table(lm_cptr_t cn, lm_cptr_t slot)
{
	lm_u32 type = LM_ID_TYPE(t_id_in(cn, slot).desc);

	return type == LM_OBJ_FRAME || type == LM_OBJ_PTABLE;
}

/* The parent copies into a child's frames through a fixed window in its own
 * address space, whose page tables are made on first use and then kept.
 * Tests that count slots spawn once first so those tables already exist. */
static void spawn_window_ready(void)
{
	struct lm_proc p;
	struct lm_thread_info ti;

	if (t_spawn_probe(PROBE_ARG(PROBE_EXIT, 0), 0, 0, &p) == LM_OK) {
		t_wait(p.tcb, &ti);
		lm_proc_destroy(&p);
	}
}

TEST(spawn_child_layout_matches_the_promise)
{
	struct lm_spawn a = { 0 };
	struct lm_proc p;
	static struct lm_bootinfo tmpl;
	struct lm_thread_info ti;
	lm_cptr_t f = t_new(LM_OBJ_FRAME, 12), view = t_slot();
	struct lm_spawn_cap cap = { 0, 20, LM_R_READ, 0, 0 };
	const struct lm_bootinfo *bi = (const struct lm_bootinfo *)T_VA;

	CHECK(f && view);
	cap.src = f;
	a.image = probe_image(&a.size);
	CHECK(a.image);
	a.arg = PROBE_ARG(PROBE_LAYOUT, 0);
	a.prio = T_PRIO;
	a.cnode_bits = 7;
	a.caps = &cap;
	a.ncaps = 1;
	tmpl = (struct lm_bootinfo){ 0 };
	memcpy(tmpl.cmdline, "child", 6);
	a.bi = &tmpl;
	CHECK_OK(lm_spawn(&a, &p));
	CHECK_OK(t_wait(p.tcb, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0); /* slots 1-3 as promised, seen from inside */
	CHECK_EQ(LM_ID_TYPE(t_id_in(p.cnode, 20).desc), LM_OBJ_FRAME);
	CHECK_EQ(LM_ID_RIGHTS(t_id_in(p.cnode, 20).desc), LM_R_READ);
	/* its own range of address-space IDs right after the listed slots,
	 * LM_SPAWN_ASIDS of them; image frames and page tables after it */
	CHECK_EQ(LM_ID_TYPE(t_id_in(p.cnode, 21).desc), LM_OBJ_ASIDS);
	CHECK_EQ(t_id_in(p.cnode, 21).extra, LM_SPAWN_ASIDS);
	CHECK(frame_or_table(p.cnode, 22));
	CHECK(frame_or_table(p.cnode, p.first_free - 1));
	CHECK_EQ(LM_ID_TYPE(t_id_in(p.cnode, p.first_free).desc), LM_OBJ_NULL);
	CHECK_EQ(LM_ID_TYPE(t_id_in(p.cnode, LM_SLOT_BOOTINFO).desc), LM_OBJ_FRAME);
	/* read the child's bootinfo page through a copy of its frame */
	CHECK_OK(lm_cnode_copy(LM_SLOT_CNODE, view, p.cnode, LM_SLOT_BOOTINFO, LM_R_READ));
	CHECK_OK(t_map(view, T_VA, LM_R_READ));
	CHECK_EQ(bi->magic, LM_BOOTINFO_MAGIC);
	CHECK_EQ(bi->cnode_bits, 7);
	CHECK_EQ(bi->boot_first, 22);
	CHECK_EQ(bi->asid_slot, 21);
	CHECK_EQ(bi->first_free, p.first_free);
	CHECK(strcmp(bi->cmdline, "child") == 0);
}

TEST(spawn_moved_capability_lands_in_the_child)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 14);
	struct lm_spawn_cap cap = { u, 8, 0, LM_SPAWN_MOVE, 0 };
	struct lm_proc p;

	CHECK(u);
	CHECK_OK(t_spawn_probe(PROBE_ARG(PROBE_EXIT, 0), &cap, 1, &p));
	CHECK_EQ(t_type(u), LM_OBJ_NULL);
	CHECK_EQ(LM_ID_TYPE(t_id_in(p.cnode, 8).desc), LM_OBJ_UNTYPED);
}

TEST(spawn_failure_puts_moved_capabilities_back)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 14), e = t_slot();
	struct lm_spawn_cap caps[2] = { { u, 8, 0, LM_SPAWN_MOVE, 0 },
					{ e, 9, 0, LM_SPAWN_MOVE, 0 } };
	struct lm_proc p;
	lm_u32 free_slots;

	CHECK(u && e);
	spawn_window_ready();
	free_slots = lm_slot_nfree();
	CHECK_ERR(t_spawn_probe(PROBE_ARG(PROBE_EXIT, 0), caps, 2, &p), LM_ECAP);
	CHECK_EQ(t_type(u), LM_OBJ_UNTYPED);
	CHECK_EQ(lm_slot_nfree(), free_slots);
}

TEST(spawn_rejects_caps_aimed_at_fixed_or_missing_slots)
{
	lm_cptr_t f = t_new(LM_OBJ_FRAME, 12);
	struct lm_spawn_cap cap = { f, LM_SLOT_TCB, LM_R_READ, 0, 0 };
	struct lm_proc p;

	CHECK(f);
	CHECK_ERR(t_spawn_probe(PROBE_ARG(PROBE_EXIT, 0), &cap, 1, &p), LM_ERANGE);
	cap.dst = 64; /* probe's CNode has 64 slots */
	CHECK_ERR(t_spawn_probe(PROBE_ARG(PROBE_EXIT, 0), &cap, 1, &p), LM_ERANGE);
}

TEST(spawn_of_a_bad_image_fails_and_leaves_nothing)
{
	static lm_u8 img[8192];
	struct lm_spawn a = { 0 };
	struct lm_proc p;
	lm_u64 size;
	const void *good = probe_image(&size);
	lm_u32 free_slots = lm_slot_nfree();
	lm_u64 arena = t_ut_free(t_ut);

	CHECK(good);
	memcpy(img, good, sizeof img < size ? sizeof img : size);
	img[18] = 3; /* e_machine: i386 */
	a.image = img;
	a.size = sizeof img < size ? sizeof img : size;
	a.prio = T_PRIO;
	a.cnode_bits = 6;
	CHECK_ERR(lm_spawn(&a, &p), LM_EINVAL);
	a.image = good;
	a.size = size;
	a.cnode_bits = 1;
	CHECK_ERR(lm_spawn(&a, &p), LM_ERANGE);
	CHECK_EQ(lm_slot_nfree(), free_slots);
	CHECK_EQ(t_ut_free(t_ut), arena);
}

TEST(spawn_priority_above_own_fails_cleanly)
{
	struct lm_spawn a = { 0 };
	struct lm_proc p;
	lm_u32 free_slots;
	lm_u64 before;

	spawn_window_ready();
	free_slots = lm_slot_nfree();
	before = t_ut_free(t_ut);

	a.image = probe_image(&a.size);
	CHECK(a.image);
	a.prio = T_PRIO + 1;
	a.cnode_bits = 6;
	CHECK_ERR(lm_spawn(&a, &p), LM_ERIGHTS);
	CHECK_EQ(lm_slot_nfree(), free_slots);
	/* the process untyped was carved and revoked: the arena's mark moved
	 * but nothing in it is left */
	CHECK(t_ut_free(t_ut) <= before);
}

TEST(spawn_destroy_returns_the_process_memory)
{
	struct lm_proc p;
	lm_u64 before;
	lm_u32 free_slots;
	struct lm_thread_info ti;
	lm_cptr_t ut;

	spawn_window_ready();
	before = t_ut_free(t_ut);
	free_slots = lm_slot_nfree();

	CHECK_OK(t_spawn_probe(PROBE_ARG(PROBE_EXIT, 5), 0, 0, &p));
	CHECK_OK(t_wait(p.tcb, &ti));
	CHECK_EQ(ti.exit_code, 5);
	ut = p.ut;
	CHECK(t_ut_free(t_ut) < before);
	CHECK_OK(lm_proc_destroy(&p));
	CHECK_EQ(t_type(ut), LM_OBJ_NULL);
	CHECK_EQ(lm_slot_nfree(), free_slots);
}
