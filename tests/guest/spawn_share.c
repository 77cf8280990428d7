/* lm_spawn with the image's frames (lm_spawn.frames): read-only pages are
 * the caller's frames, mapped through read-only copies; writable pages are
 * the child's own; bad frames fail the spawn and leave nothing behind. */
#include "harness.h"
#include "../../apps/probe.h"

static const struct lm_bi_module *probe_module(void)
{
	for (lm_u32 i = 0; i < t_bi->n_modules && i < LM_BI_MAX_MODULES; i++)
		if (strncmp(t_bi->modules[i].name, "probe", LM_BI_NAME_LEN) == 0)
			return &t_bi->modules[i];
	return 0;
}

/* Spawn probe with arg from its frames [frames, frames + nframes), wait. */
static int spawn_shared(lm_u64 arg, lm_cptr_t frames, lm_u32 nframes, struct lm_proc *p,
			struct lm_thread_info *ti)
{
	const struct lm_bi_module *m = probe_module();
	struct lm_spawn a = { 0 };
	int err;

	if (!m)
		return LM_ENOENT;
	a.image = (const void *)m->vaddr;
	a.size = m->size;
	a.frames = frames;
	a.nframes = nframes;
	a.arg = arg;
	a.prio = T_PRIO;
	a.cnode_bits = 6;
	err = lm_spawn(&a, p);
	return err ? err : t_wait(p->tcb, ti);
}

/* Frames of the child that are the module's own; each lacks write. */
static lm_u32 shared_frames(const struct lm_proc *p, const struct lm_bi_module *m, int *writable)
{
	lm_u32 n = 0;

	*writable = 0;
	for (lm_cptr_t s = LM_SLOT_FIRST_BOOT; s < p->first_free; s++) {
		struct t_id id = t_id_in(p->cnode, s);

		if (LM_ID_TYPE(id.desc) != LM_OBJ_FRAME)
			continue;
		for (lm_u32 f = 0; f < m->nframes; f++)
			if (id.addr == t_id(m->slot + f).addr) {
				n++;
				*writable |= (LM_ID_RIGHTS(id.desc) & LM_R_WRITE) != 0;
			}
	}
	return n;
}

TEST(spawn_with_frames_maps_read_only_pages_from_them)
{
	const struct lm_bi_module *m = probe_module();
	struct lm_thread_info ti;
	struct lm_proc p;
	int writable;

	CHECK(m);
	CHECK_OK(spawn_shared(PROBE_ARG(PROBE_EXIT, 7), m->slot, m->nframes, &p, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 7);
	CHECK(shared_frames(&p, m, &writable) >= 1); /* probe's text and rodata */
	CHECK(!writable);
	CHECK_OK(lm_proc_destroy(&p));
	/* the module's frames are the caller's still */
	CHECK_EQ(t_type(m->slot), LM_OBJ_FRAME);
}

TEST(spawn_with_frames_child_cannot_write_them)
{
	const struct lm_bi_module *m = probe_module();
	struct lm_thread_info ti;
	struct lm_proc p;
	lm_u64 entry, data = 0;
	lm_u64 before[2];
	struct lm_elf_seg s;
	lm_u32 nsegs;

	CHECK(m);
	CHECK_OK(lm_elf_check((const void *)m->vaddr, m->size, &entry, &nsegs));
	memcpy(before, (const void *)m->vaddr, sizeof before);
	CHECK_OK(spawn_shared(PROBE_ARG(PROBE_WRITE_TEXT, 0), m->slot, m->nframes, &p, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_addr, entry);
	CHECK(memcmp(before, (const void *)m->vaddr, sizeof before) == 0);
	CHECK_OK(lm_proc_destroy(&p));
	/* a writable segment's page is the child's own copy */
	for (lm_u32 i = 0; i < nsegs; i++) {
		CHECK_OK(lm_elf_segment((const void *)m->vaddr, m->size, i, &s));
		if (s.rights & LM_R_WRITE)
			data = s.vaddr;
	}
	CHECK(data);
	memcpy(before, (const void *)(m->vaddr + s.offset), sizeof before);
	CHECK_OK(spawn_shared(PROBE_ARG(PROBE_WRITE, data), m->slot, m->nframes, &p, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK(memcmp(before, (const void *)(m->vaddr + s.offset), sizeof before) == 0);
}

TEST(spawn_with_read_only_frames_copies_text)
{
	const struct lm_bi_module *m = probe_module();
	lm_cptr_t ro = lm_slot_alloc_n(8);
	struct lm_thread_info ti;
	struct lm_proc p;
	int writable;

	CHECK(m && ro && m->nframes <= 8);
	CHECK_OK(lm_cnode_copy_range(LM_SLOT_CNODE, ro, LM_SLOT_CNODE, m->slot, LM_R_READ,
				     m->nframes, 0));
	CHECK_OK(spawn_shared(PROBE_ARG(PROBE_EXIT, 3), ro, m->nframes, &p, &ti));
	CHECK_EQ(ti.exit_code, 3);
	/* rodata shared, text (needs exec) copied: fewer shared than with exec */
	{
		lm_u32 ro_shared = shared_frames(&p, m, &writable), all;
		struct lm_proc q;

		CHECK_OK(lm_proc_destroy(&p));
		CHECK_OK(spawn_shared(PROBE_ARG(PROBE_EXIT, 3), m->slot, m->nframes, &q, &ti));
		all = shared_frames(&q, m, &writable);
		CHECK(ro_shared < all);
	}
}

TEST(spawn_with_bad_frames_fails_and_leaves_nothing)
{
	const struct lm_bi_module *m = probe_module();
	lm_cptr_t holes = lm_slot_alloc_n(8), ep = t_new(LM_OBJ_ENDPOINT, 0), empty = t_slot();
	struct lm_thread_info ti;
	struct lm_proc p;
	lm_u32 free_slots;
	lm_u64 arena;

	CHECK(m && holes && ep && empty && m->nframes >= 3 && m->nframes <= 8);
	/* frames with a hole where the text's second page is (file page 2) */
	CHECK_OK(lm_cnode_copy_range(LM_SLOT_CNODE, holes, LM_SLOT_CNODE, m->slot, LM_R_ALL,
				     m->nframes, 0));
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, holes + 2));
	/* a first spawn makes the copy window's tables, which are kept */
	CHECK_OK(spawn_shared(PROBE_ARG(PROBE_EXIT, 0), 0, 0, &p, &ti));
	CHECK_OK(lm_proc_destroy(&p));
	free_slots = lm_slot_nfree();
	arena = t_ut_free(t_ut);
	CHECK_ERR(spawn_shared(PROBE_ARG(PROBE_EXIT, 0), empty, m->nframes, &p, &ti), LM_ECAP);
	CHECK_ERR(spawn_shared(PROBE_ARG(PROBE_EXIT, 0), ep, m->nframes, &p, &ti), LM_ETYPE);
	CHECK_ERR(spawn_shared(PROBE_ARG(PROBE_EXIT, 0), holes, m->nframes, &p, &ti), LM_ECAP);
	CHECK_EQ(lm_slot_nfree(), free_slots);
	CHECK(t_ut_free(t_ut) <= arena); /* carved and revoked: nothing left in it */
	/* the copies made before the hole went with the child's CNode */
	CHECK_OK(lm_cnode_revoke(LM_SLOT_CNODE, holes + 1));
	CHECK_OK(spawn_shared(PROBE_ARG(PROBE_EXIT, 4), m->slot, m->nframes, &p, &ti));
	CHECK_EQ(ti.exit_code, 4);
}

/* The image in runs of 8 KiB (frames of 2^13 bytes): each segment's shared
 * pages are parts of runs, one copy of a run per part in the child. */
TEST(spawn_with_runs_maps_parts_of_them)
{
	const struct lm_bi_module *m = probe_module();
	struct lm_thread_info ti;
	struct lm_proc p;
	lm_u32 n, copies = 0;
	lm_cptr_t runs;

	CHECK(m);
	n = (lm_u32)((m->size + 8191) / 8192);
	CHECK((runs = lm_slot_alloc_n(n)));
	CHECK_OK(lm_untyped_retype(t_ut, LM_OBJ_FRAME, 13, LM_SLOT_CNODE, runs, n));
	for (lm_u32 i = 0; i < n; i++)
		CHECK_OK(t_map(runs + i, T_VA_2M(3) + i * 8192ull, LM_R_READ | LM_R_WRITE));
	memcpy((void *)T_VA_2M(3), (const void *)m->vaddr, m->size);
	CHECK_OK(spawn_shared(PROBE_ARG(PROBE_EXIT, 9), runs, n, &p, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 9);
	for (lm_cptr_t s = LM_SLOT_FIRST_BOOT; s < p.first_free; s++) {
		struct t_id id = t_id_in(p.cnode, s);

		if (LM_ID_TYPE(id.desc) != LM_OBJ_FRAME || LM_ID_BITS(id.desc) != 13)
			continue;
		copies++;
		CHECK(id.desc & LM_ID_MAPPED);
		CHECK(!(LM_ID_RIGHTS(id.desc) & LM_R_WRITE));
	}
	CHECK(copies >= 1); /* probe's text and rodata */
	CHECK_OK(lm_proc_destroy(&p));
	CHECK_EQ(t_id(runs).extra, T_VA_2M(3)); /* ours still mapped */
	/* a 2 MiB frame is no image frame: refused, nothing made */
	{
		lm_cptr_t big = t_new(LM_OBJ_FRAME, LM_LARGE_PAGE_BITS);

		CHECK(big);
		CHECK_ERR(spawn_shared(PROBE_ARG(PROBE_EXIT, 9), big, 1, &p, &ti), LM_EINVAL);
	}
}
