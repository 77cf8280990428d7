/* liblamina's virtual memory (lm/vm.h): on-demand regions, layered fault
 * hooks, the fallback, and the Appel-Li primitives. */
#include "harness.h"

#define VS LM_SLOT_VSPACE
#define RO LM_R_READ
#define RW (LM_R_READ | LM_R_WRITE)
#define PG LM_PAGE_SIZE

/* A store and a ud2 that a fallback can skip. */
__asm__(".text\n"
	".globl vmt_st, vmt_st_after, vmt_ud\n"
	"vmt_st: movq $0x42, (%rdi)\n"
	"vmt_st_after: ret\n"
	"vmt_ud: ud2\n"
	"	ret\n");
extern char vmt_st[], vmt_st_after[], vmt_ud[];
void vmt_store(lm_u64 addr) __asm__("vmt_st");
void vmt_call_ud(void) __asm__("vmt_ud");

static lm_u8 exc_stack[16384] __attribute__((aligned(16)));

/* Every test runs with the dispatcher on ktest's thread and tears the
 * library down afterwards, also when a check failed. */
#define VM_TEST(name)                                                        \
	static void name##_body(void);                                       \
	TEST(name)                                                           \
	{                                                                    \
		CHECK_OK(lm_vm_init(LM_SLOT_TCB, exc_stack + sizeof exc_stack, \
				    sizeof exc_stack));                      \
		name##_body();                                               \
		CHECK_OK(lm_vm_fini(LM_SLOT_TCB));                           \
	}                                                                    \
	static void name##_body(void)

#define NPAGES 64
static lm_cptr_t frames[NPAGES];

/* An access may fault and run hooks that change the test's variables: the
 * compiler must not keep them in registers across it. */
static lm_u64 rd(lm_u64 va)
{
	lm_u64 v = *(volatile lm_u64 *)va;

	__asm__ volatile("" ::: "memory");
	return v;
}

static void wr(lm_u64 va, lm_u64 v)
{
	*(volatile lm_u64 *)va = v;
	__asm__ volatile("" ::: "memory");
}

static lm_u64 rights_of(lm_u64 va)
{
	lm_u64 st, r;

	return lm_vspace_page_state(VS, va, 0, &st, &r) ? ~0ull : r & RW;
}

/* ---- on-demand memory ------------------------------------------------------ */

VM_TEST(vm_anon_first_touch_maps_a_zeroed_page)
{
	struct lm_vm_anon a;
	lm_u64 base = T_VA_PAGE(0);

	CHECK_OK(lm_vm_anon_init(&a, base, NPAGES * PG, RW, frames));
	CHECK_EQ(rights_of(base), ~0ull); /* nothing mapped yet */
	CHECK_EQ(rd(base + 8), 0);        /* a read fault maps it */
	CHECK_EQ(a.faults, 1);
	CHECK_EQ(rights_of(base), RW);
	wr(base + 8, 0x1234);             /* mapped writable: no fault */
	CHECK_EQ(rd(base + 8), 0x1234);
	CHECK_EQ(a.faults, 1);
	wr(base + 5 * PG + 16, 5);        /* a write fault maps one too */
	CHECK_EQ(rd(base + 5 * PG + 16), 5);
	CHECK_EQ(a.faults, 2);
	CHECK_EQ(a.mapped, 2);
	CHECK_EQ(rights_of(base + PG), ~0ull); /* untouched neighbours stay unmapped */
	CHECK_EQ(rights_of(base + 4 * PG), ~0ull);
	CHECK_NE(frames[0], 0);
	CHECK_EQ(frames[1], 0);
	CHECK_OK(lm_vm_anon_destroy(&a));
	CHECK_EQ(rights_of(base), ~0ull);
	CHECK_EQ(rights_of(base + 5 * PG), ~0ull);
}

/* More pages than a chunk of frames: the supply refills on the fault path;
 * every page is a different, zeroed frame. */
VM_TEST(vm_anon_many_pages_each_its_own_zeroed_frame)
{
	struct lm_vm_anon a;
	lm_u64 base = T_VA_2M(3) - 8 * PG; /* crosses into a new page table */

	CHECK_OK(lm_vm_anon_init(&a, base, NPAGES * PG, RW, frames));
	for (int i = 0; i < NPAGES; i++) {
		lm_u64 sum = 0;

		for (int w = 0; w < 512; w += 37)
			sum |= rd(base + i * PG + w * 8);
		CHECK_EQ(sum, 0);
		wr(base + i * PG, 0x1000 + i);
		wr(base + i * PG + PG - 8, i);
	}
	CHECK_EQ(a.faults, NPAGES);
	for (int i = 0; i < NPAGES; i++) {
		CHECK_EQ(rd(base + i * PG), 0x1000 + i);
		CHECK_EQ(rd(base + i * PG + PG - 8), i);
		for (int j = 0; j < i; j++)
			CHECK_NE(frames[i], frames[j]);
	}
	CHECK_EQ(a.faults, NPAGES);
	CHECK_OK(lm_vm_anon_destroy(&a));
}

VM_TEST(vm_anon_release_gives_zero_pages_again)
{
	struct lm_vm_anon a;
	lm_u64 base = T_VA_PAGE(0);

	CHECK_OK(lm_vm_anon_init(&a, base, 8 * PG, RW, frames));
	for (int i = 0; i < 8; i++)
		wr(base + i * PG, 0xabc0 + i);
	CHECK_EQ(a.mapped, 8);
	CHECK_OK(lm_vm_anon_release(&a, base + 2 * PG, 3 * PG));
	CHECK_EQ(a.mapped, 5);
	CHECK_EQ(rights_of(base + 2 * PG), ~0ull);
	CHECK_EQ(rights_of(base + 5 * PG), RW);
	CHECK_EQ(rd(base + 2 * PG), 0);     /* fresh */
	CHECK_EQ(rd(base + 4 * PG), 0);
	CHECK_EQ(rd(base + 1 * PG), 0xabc1); /* kept */
	CHECK_EQ(rd(base + 5 * PG), 0xabc5);
	CHECK_EQ(a.faults, 10);
	/* Bad ranges: refused, nothing released. */
	CHECK_ERR(lm_vm_anon_release(&a, base + 8, PG), LM_EINVAL);
	CHECK_ERR(lm_vm_anon_release(&a, base - PG, 2 * PG), LM_EINVAL);
	CHECK_ERR(lm_vm_anon_release(&a, base + 7 * PG, 2 * PG), LM_EINVAL);
	CHECK_EQ(a.mapped, 7);
	CHECK_OK(lm_vm_anon_destroy(&a));
	CHECK_EQ(a.mapped, 0);
}

/* A read-only on-demand region maps read-only zero pages; a store to one
 * is a protection fault no region takes. */
static int fb_calls;
static lm_u64 fb_vector, fb_addr;

static void skip_fallback(struct lm_exc_frame *f)
{
	fb_calls++;
	fb_vector = f->vector;
	fb_addr = f->addr;
	if (f->regs.rip == (lm_u64)vmt_st)
		f->regs.rip = (lm_u64)vmt_st_after;
	else if (f->regs.rip == (lm_u64)vmt_ud)
		f->regs.rip += 2;
}

VM_TEST(vm_anon_read_only_region_and_the_fallback)
{
	struct lm_vm_anon a;
	lm_u64 base = T_VA_PAGE(0);

	fb_calls = 0;
	CHECK_EQ(lm_vm_set_fallback(skip_fallback), 0);
	CHECK_OK(lm_vm_anon_init(&a, base, 4 * PG, RO, frames));
	CHECK_EQ(rd(base), 0);
	CHECK_EQ(rights_of(base), RO);
	vmt_store(base + 8); /* mapped, read-only: no one takes it */
	CHECK_EQ(fb_calls, 1);
	CHECK_EQ(fb_vector, LM_FAULT_PF);
	CHECK_EQ(fb_addr, base + 8);
	vmt_store(T_VA_PAGE(100)); /* outside every region */
	CHECK_EQ(fb_calls, 2);
	CHECK_EQ(fb_addr, T_VA_PAGE(100));
	vmt_call_ud(); /* not a page fault */
	CHECK_EQ(fb_calls, 3);
	CHECK_EQ(fb_vector, LM_FAULT_UD);
	CHECK_EQ(a.faults, 1);
	CHECK_EQ(lm_vm_set_fallback(0), (lm_u64)skip_fallback);
}

/* Tear-down frees every frame the library made: a second round of the same
 * work ends with exactly the slots of the first (the first one also made
 * page tables, which stay). 192 pages are 12 chunks of frames: releasing
 * them all keeps a few empty chunks for reuse and gives the rest back. */
#define BIG_PAGES 192
static lm_cptr_t big_frames[BIG_PAGES];

static lm_u64 round_of_work(void)
{
	struct lm_vm_anon a;
	lm_u64 base = T_VA_PAGE(0);
	int ok = 1;

	if (lm_vm_init(LM_SLOT_TCB, exc_stack + sizeof exc_stack, sizeof exc_stack))
		return 0;
	if (lm_vm_anon_init(&a, base, BIG_PAGES * PG, RW, big_frames) == LM_OK) {
		for (int i = 0; i < BIG_PAGES; i++)
			wr(base + i * PG, i + 1);
		lm_vm_anon_release(&a, base, 16 * PG);
		for (int i = 0; i < 20; i++)
			wr(base + i * PG, i);
		lm_vm_anon_release(&a, base, BIG_PAGES * PG);
		for (int i = 0; i < BIG_PAGES; i += 3)
			ok &= rd(base + i * PG) == 0;
	} else {
		ok = 0;
	}
	lm_vm_fini(LM_SLOT_TCB); /* destroys the region too */
	return ok ? lm_slots.nfree : 0;
}

TEST(vm_teardown_frees_every_frame)
{
	lm_u64 n1 = round_of_work(), n2 = round_of_work(), st, r;

	CHECK_NE(n1, 0);
	CHECK_NE(n2, 0);
	CHECK_EQ(n2, n1);
	CHECK_ERR(lm_vspace_page_state(VS, T_VA_PAGE(0), 0, &st, &r), LM_ENOENT);
	CHECK_ERR(lm_vspace_page_state(VS, T_VA_PAGE(BIG_PAGES - 3), 0, &st, &r), LM_ENOENT);
	/* No frame capability is left in any slot we own. */
	for (lm_u32 s = lm_slots.first; s < lm_slots.end; s++)
		if ((lm_slots.used[s / 64] >> (s % 64)) & 1)
			CHECK(t_type(s) != LM_OBJ_FRAME);
}

/* ---- regions and hooks ------------------------------------------------------- */

static struct { lm_u64 addr; lm_u32 access, present; } trap[64];
static int ntrap, trap_mode;

enum { T_UNPROTECT, T_PASS, T_READ_ONLY };

static int trap_hook(struct lm_vm_region *r, const struct lm_vm_fault *f)
{
	if (ntrap < 64)
		trap[ntrap] = (typeof(trap[0])){ f->addr, f->access, f->present };
	ntrap++;
	if (r->arg != (void *)trap || trap_mode == T_PASS)
		return LM_VM_PASS;
	lm_u64 page = f->addr & ~(PG - 1);
	if (trap_mode == T_READ_ONLY)
		return lm_vm_protect(page, 1, RO) ? LM_VM_PASS : LM_VM_HANDLED;
	return lm_vm_unprotect(page, 1) ? LM_VM_PASS : LM_VM_HANDLED;
}

VM_TEST(vm_trap_hook_sees_address_and_access)
{
	struct lm_vm_region r;
	lm_u64 base = T_VA_PAGE(0);

	for (int i = 0; i < 8; i++) {
		CHECK(t_frame_at(base + i * PG, RW));
		wr(base + i * PG, i);
	}
	ntrap = 0;
	trap_mode = T_UNPROTECT;
	CHECK_OK(lm_vm_region_add(&r, base, 8 * PG, trap_hook, trap));
	CHECK_OK(lm_vm_protect(base, 8, RO));
	CHECK_EQ(rd(base + 3 * PG), 3); /* reads go on */
	CHECK_EQ(ntrap, 0);
	wr(base + 3 * PG + 0x18, 33);
	CHECK_EQ(ntrap, 1);
	CHECK_EQ(trap[0].addr, base + 3 * PG + 0x18);
	CHECK_EQ(trap[0].access, LM_VM_WRITE);
	CHECK_EQ(trap[0].present, 1);
	CHECK_EQ(rd(base + 3 * PG + 0x18), 33);
	CHECK_EQ(rights_of(base + 3 * PG), RW);
	CHECK_EQ(rights_of(base + 4 * PG), RO);

	/* No access: a read traps as not present; the hook makes it RO. */
	CHECK_OK(lm_vm_protect(base + 6 * PG, 1, 0));
	trap_mode = T_READ_ONLY;
	CHECK_EQ(rd(base + 6 * PG + 8), 0);
	CHECK_EQ(ntrap, 2);
	CHECK_EQ(trap[1].addr, base + 6 * PG + 8);
	CHECK_EQ(trap[1].access, LM_VM_READ);
	CHECK_EQ(trap[1].present, 0);
	CHECK_EQ(rights_of(base + 6 * PG), RO);

	CHECK_OK(lm_vm_region_remove(&r));
	CHECK_ERR(lm_vm_region_remove(&r), LM_ENOENT);
}

/* A trap region over an on-demand region: write faults on protected pages
 * go to the newer trap hook, first touches pass down to the older one. */
VM_TEST(vm_regions_layer_newest_first)
{
	struct lm_vm_anon a;
	struct lm_vm_region r;
	lm_u64 base = T_VA_PAGE(0);

	ntrap = 0;
	trap_mode = T_UNPROTECT;
	CHECK_OK(lm_vm_anon_init(&a, base, 16 * PG, RW, frames));
	CHECK_OK(lm_vm_region_add(&r, base + 4 * PG, 4 * PG, trap_hook, 0)); /* passes all */
	wr(base + 5 * PG, 1); /* first touch: trap hook passes, anon maps */
	CHECK_EQ(ntrap, 1);
	CHECK_EQ(trap[0].present, 0);
	CHECK_EQ(a.faults, 1);
	wr(base, 1); /* outside the trap region */
	CHECK_EQ(ntrap, 1);
	CHECK_EQ(a.faults, 2);
	CHECK_OK(lm_vm_region_remove(&r));

	CHECK_OK(lm_vm_region_add(&r, base + 4 * PG, 4 * PG, trap_hook, trap));
	CHECK_OK(lm_vm_protect(base, 16, RO));
	trap_mode = T_PASS;
	CHECK_EQ(rd(base + 6 * PG), 0);   /* first touch: mapped by anon */
	CHECK_EQ(a.faults, 3);
	CHECK_EQ(rights_of(base + 6 * PG), RW); /* mapped after the protect */
	trap_mode = T_UNPROTECT;
	wr(base + 5 * PG, 2); /* protected: the trap hook takes it */
	CHECK_EQ(ntrap, 3);
	CHECK_EQ(trap[2].present, 1);
	CHECK_EQ(a.faults, 3);
	CHECK_EQ(rd(base + 5 * PG), 2);
	CHECK_ERR(lm_vm_region_add(&r, base, PG, trap_hook, trap), LM_EEXIST);
	/* fini removes the trap region and destroys the anon one */
}

VM_TEST(vm_region_bad_input)
{
	struct lm_vm_region r;
	struct lm_vm_anon a;

	CHECK_ERR(lm_vm_region_add(&r, T_VA + 8, PG, trap_hook, 0), LM_EINVAL);
	CHECK_ERR(lm_vm_region_add(&r, T_VA, PG + 8, trap_hook, 0), LM_EINVAL);
	CHECK_ERR(lm_vm_region_add(&r, T_VA, 0, trap_hook, 0), LM_EINVAL);
	CHECK_ERR(lm_vm_region_add(&r, T_VA, 0 - T_VA, trap_hook, 0), LM_EINVAL); /* wraps */
	CHECK_ERR(lm_vm_region_add(&r, ~0ull << 12, 2 * PG, trap_hook, 0), LM_EINVAL);
	CHECK_ERR(lm_vm_region_add(&r, T_VA, PG, 0, 0), LM_EINVAL);
	CHECK_ERR(lm_vm_region_remove(&r), LM_ENOENT);
	CHECK_ERR(lm_vm_anon_init(&a, T_VA, PG, RW, 0), LM_EINVAL);
	CHECK_ERR(lm_vm_anon_init(&a, T_VA, PG, LM_R_GRANT, frames), LM_EINVAL);
	CHECK_ERR(lm_vm_fini(LM_SLOT_CNODE), LM_ENOENT);
}

/* ---- Appel-Li primitives --------------------------------------------------- */

VM_TEST(vm_protect_many_pages_in_one_call)
{
	struct lm_vm_anon a;
	struct lm_vm_region r;
	lm_u64 base = T_VA_PAGE(0);

	CHECK_OK(lm_vm_anon_init(&a, base, NPAGES * PG, RW, frames));
	for (int i = 0; i < NPAGES; i++)
		wr(base + i * PG, i);
	CHECK_OK(lm_vm_protect(base, NPAGES, RO));
	for (int i = 0; i < NPAGES; i++)
		CHECK_EQ(rights_of(base + i * PG), RO);
	ntrap = 0;
	trap_mode = T_UNPROTECT;
	CHECK_OK(lm_vm_region_add(&r, base, NPAGES * PG, trap_hook, trap));
	for (int i = 0; i < NPAGES; i++)
		wr(base + i * PG + 8, i);
	CHECK_EQ(ntrap, NPAGES);
	for (int i = 0; i < NPAGES; i++) {
		CHECK_EQ(trap[i].addr, base + i * PG + 8);
		CHECK_EQ(rd(base + i * PG), i);
	}
	/* More than one system call's worth: split, holes skipped. */
	CHECK_OK(lm_vm_protect(T_VA, 2 * LM_PROTECT_MAX_PAGES + 3, RO));
	CHECK_EQ(rights_of(base + (NPAGES - 1) * PG), RO);
	CHECK_OK(lm_vm_unprotect(T_VA, 2 * LM_PROTECT_MAX_PAGES + 3));
	CHECK_EQ(rights_of(base), RW);
	CHECK_ERR(lm_vm_protect(base + 8, 1, RO), LM_EALIGN);
	CHECK_ERR(lm_vm_protect(base, 1, 8), LM_EINVAL);
	CHECK_OK(lm_vm_protect(base, 0, RO)); /* nothing to do */
}

VM_TEST(vm_dirty_query_and_clear)
{
	lm_u64 va = T_VA_PAGE(0);
	int d = -1;

	CHECK(t_frame_at(va, RW));
	CHECK_OK(lm_vm_dirty(va, 0, &d));
	CHECK_EQ(d, 0);
	(void)rd(va);
	CHECK_OK(lm_vm_dirty(va, 0, &d));
	CHECK_EQ(d, 0);
	wr(va, 1);
	CHECK_OK(lm_vm_dirty(va, 1, &d)); /* reports, then clears */
	CHECK_EQ(d, 1);
	CHECK_OK(lm_vm_dirty(va, 0, &d));
	CHECK_EQ(d, 0);
	wr(va, 2);
	CHECK_OK(lm_vm_dirty(va, 0, &d));
	CHECK_EQ(d, 1);
	CHECK_ERR(lm_vm_dirty(va + PG, 0, &d), LM_ENOENT);
	CHECK_EQ(d, 0);
}

/* ---- a fault no one takes --------------------------------------------------- */

static lm_u8 thr_exc_stack[8192] __attribute__((aligned(16)));

static lm_word_t faulting_thread(lm_word_t tcb)
{
	if (lm_vm_init(tcb, thr_exc_stack + sizeof thr_exc_stack, sizeof thr_exc_stack))
		return 1;
	wr(T_VA_PAGE(77) + 8, 1); /* no region, no fallback */
	return 2;
}

TEST(vm_unhandled_fault_stops_the_thread_as_a_real_fault)
{
	lm_cptr_t t = t_thread_new();
	struct lm_thread_info ti;

	CHECK(t);
	CHECK_OK(lm_thread_start(t, faulting_thread, t, t_stack(), T_PRIO));
	CHECK_OK(t_wait(t, &ti));
	CHECK_OK(lm_vm_fini(t));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_addr, T_VA_PAGE(77) + 8);
}
