/* VSPACE_PROTECT and VSPACE_PAGE_STATE: the page-level primitives a library
 * OS builds virtual memory on. Faults they cause are observed with an
 * in-process exception handler (upcall), which either skips the access or
 * gives the page back its rights so the access completes. */
#include "harness.h"

#define CN LM_SLOT_CNODE
#define VS LM_SLOT_VSPACE
#define RO LM_R_READ
#define RW (LM_R_READ | LM_R_WRITE)
#define RWX (LM_R_READ | LM_R_WRITE | LM_R_EXEC)

#define PF_PRESENT 0x1
#define PF_WRITE   0x2

/* Access sites: a store and a load; *_after is where a skipping handler
 * resumes. */
__asm__(".text\n"
	".globl vp_st, vp_st_after, vp_ld, vp_ld_at, vp_ld_after\n"
	"vp_st: movq $0x42, (%rdi)\n"
	"vp_st_after: ret\n"
	"vp_ld: xor %eax, %eax\n"
	"vp_ld_at: mov (%rdi), %rax\n"
	"vp_ld_after: ret\n");
extern char vp_st[], vp_st_after[], vp_ld_at[], vp_ld_after[];
void vp_store(lm_u64 addr) __asm__("vp_st");
lm_u64 vp_load(lm_u64 addr) __asm__("vp_ld");

enum { SKIP, UNPROTECT };

#define NREC 128
static struct { lm_u64 vector, addr, error; } rec[NREC];
static int nrec, mode, unprot_err;
static lm_u8 exc_stack[16384] __attribute__((aligned(16)));

static void handler(struct lm_exc_frame *f)
{
	if (nrec < NREC)
		rec[nrec++] = (typeof(rec[0])){ f->vector, f->addr, f->error };
	if (f->vector == LM_FAULT_PF && mode == UNPROTECT) {
		int e = lm_vspace_protect(VS, f->addr & ~(LM_PAGE_SIZE - 1), 1, RW, 0);
		if (e && !unprot_err)
			unprot_err = e;
		if (!e)
			return; /* the access runs again and completes */
	}
	if (f->regs.rip == (lm_u64)vp_st)
		f->regs.rip = (lm_u64)vp_st_after;
	else if (f->regs.rip == (lm_u64)vp_ld_at)
		f->regs.rip = (lm_u64)vp_ld_after;
	else
		lm_thread_exit(0xbad); /* not ours: a test bug */
}

static int install(int m)
{
	nrec = unprot_err = 0;
	mode = m;
	return lm_exc_install(LM_SLOT_TCB, handler, exc_stack + sizeof exc_stack, sizeof exc_stack);
}

static void uninstall(void)
{
	lm_exc_install(LM_SLOT_TCB, 0, 0, 0);
}

/* Rights of the page at va as PAGE_STATE reports them (READ/WRITE only:
 * EXEC depends on whether the CPU has NX), or ~0 on error. */
static lm_u64 rights_of(lm_u64 va)
{
	lm_u64 st, r;

	if (lm_vspace_page_state(VS, va, 0, &st, &r))
		return ~0ull;
	return r & RW;
}

static lm_u64 state_of(lm_u64 va)
{
	lm_u64 st, r;

	if (lm_vspace_page_state(VS, va, 0, &st, &r))
		return ~0ull;
	return st;
}

/* The argument number (rdi) a failed protect reports. */
static lm_u64 protect_raw(lm_u64 vs, lm_u64 va, lm_u64 n, lm_u64 rights, lm_u64 *arg)
{
	lm_u64 out[LM_SYS_NOUT];
	lm_u64 e = t_raw(LM_SYS_VSPACE_PROTECT, vs, va, n, rights, 0, 0, out);

	*arg = out[0];
	return e;
}

static lm_u64 state_raw(lm_u64 vs, lm_u64 va, lm_u64 clear, lm_u64 *arg)
{
	lm_u64 out[LM_SYS_NOUT];
	lm_u64 e = t_raw(LM_SYS_VSPACE_PAGE_STATE, vs, va, clear, 0, 0, 0, out);

	*arg = out[0];
	return e;
}

/* ---- correct use ---------------------------------------------------------- */

TEST(vmprim_protect_read_only_then_a_store_faults)
{
	lm_u64 va = T_VA_PAGE(0), n = 0;
	volatile lm_u64 *p = (volatile lm_u64 *)va;

	CHECK(t_frame_at(va, RW));
	p[0] = 7;
	CHECK_OK(lm_vspace_protect(VS, va, 1, RO, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(rights_of(va), RO);
	CHECK_EQ(p[0], 7); /* still readable */

	CHECK_OK(install(SKIP));
	vp_store(va);
	uninstall();
	CHECK_EQ(nrec, 1);
	CHECK_EQ(rec[0].vector, LM_FAULT_PF);
	CHECK_EQ(rec[0].addr, va);
	CHECK_EQ(rec[0].error & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
	CHECK_EQ(p[0], 7); /* the store did not happen */

	/* Unprotect: the same store now runs without a fault. */
	CHECK_OK(lm_vspace_protect(VS, va, 1, RW, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(rights_of(va), RW);
	CHECK_OK(install(SKIP));
	vp_store(va);
	uninstall();
	CHECK_EQ(nrec, 0);
	CHECK_EQ(p[0], 0x42);
}

TEST(vmprim_handler_unprotects_and_the_store_completes)
{
	lm_u64 va = T_VA_PAGE(1);

	CHECK(t_frame_at(va, RW));
	CHECK_OK(lm_vspace_protect(VS, va, 1, RO, 0));
	CHECK_OK(install(UNPROTECT));
	vp_store(va + 16);
	vp_store(va + 24); /* writable now: no second fault */
	uninstall();
	CHECK_OK(unprot_err);
	CHECK_EQ(nrec, 1);
	CHECK_EQ(rec[0].addr, va + 16);
	CHECK_EQ(*(volatile lm_u64 *)(va + 16), 0x42);
	CHECK_EQ(*(volatile lm_u64 *)(va + 24), 0x42);
}

/* Protecting the same rights again is allowed and still counts the page. */
/* One page of an address space that is not the running one (its TLB is
 * flushed when it is next loaded): changed and counted the same; an
 * unmapped page there, and one with no tables, count 0. */
TEST(vmprim_protect_one_page_of_another_address_space)
{
	lm_cptr_t vs = t_vspace(), f = t_new(LM_OBJ_FRAME, LM_PAGE_BITS);
	lm_u64 va = T_VA_PAGE(3), n = 9, st, r;
	int e, tables = 0;

	CHECK(vs && f);
	while ((e = lm_vspace_map(vs, f, va, RW)) == LM_ETABLE && tables++ < 3)
		CHECK_OK(lm_vspace_map_table(vs, t_new(LM_OBJ_PTABLE, 0), va, 0));
	CHECK_OK(e);
	CHECK_OK(lm_vspace_protect(vs, va, 1, RO, &n));
	CHECK_EQ(n, 1);
	CHECK_OK(lm_vspace_page_state(vs, va, 0, &st, &r));
	CHECK_EQ(r & RWX, RO);
	CHECK_OK(lm_vspace_protect(vs, va, 1, RW, &n));
	CHECK_EQ(n, 1);
	CHECK_OK(lm_vspace_page_state(vs, va, 0, &st, &r));
	CHECK_EQ(r & RW, RW);
	CHECK_OK(lm_vspace_protect(vs, va + LM_PAGE_SIZE, 1, RO, &n));
	CHECK_EQ(n, 0);
	CHECK_OK(lm_vspace_protect(vs, T_VA_FRESH(3), 1, RO, &n));
	CHECK_EQ(n, 0);
	CHECK_ERR(lm_vspace_protect(vs, va, 1, RWX + 8, &n), LM_EINVAL);
	CHECK_OK(lm_vspace_unmap(f));
}

TEST(vmprim_protect_to_the_same_rights_counts_and_keeps)
{
	lm_u64 va = T_VA_PAGE(2), n = 0;

	CHECK(t_frame_at(va, RW));
	CHECK_OK(lm_vspace_protect(VS, va, 1, RW, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(rights_of(va), RW);
	*(volatile lm_u64 *)va = 1;
}

TEST(vmprim_protect_100_pages_in_one_call)
{
	lm_u64 va = T_VA_PAGE(0), n = 0;

	for (int i = 0; i < 100; i++) {
		CHECK(t_frame_at(va + i * LM_PAGE_SIZE, RW));
		*(volatile lm_u64 *)(va + i * LM_PAGE_SIZE) = i;
	}
	CHECK_OK(lm_vspace_protect(VS, va, 100, RO, &n));
	CHECK_EQ(n, 100);
	for (int i = 0; i < 100; i++)
		CHECK_EQ(rights_of(va + i * LM_PAGE_SIZE), RO);
	CHECK_EQ(rights_of(va + 100 * LM_PAGE_SIZE), ~0ull); /* nothing there */

	/* Every page traps once; the handler unprotects it. */
	CHECK_OK(install(UNPROTECT));
	for (int i = 0; i < 100; i++)
		vp_store(va + i * LM_PAGE_SIZE + 8);
	for (int i = 0; i < 100; i++)
		vp_store(va + i * LM_PAGE_SIZE + 8);
	uninstall();
	CHECK_OK(unprot_err);
	CHECK_EQ(nrec, 100);
	for (int i = 0; i < 100; i++) {
		CHECK_EQ(rec[i].addr, va + i * LM_PAGE_SIZE + 8);
		CHECK_EQ(*(volatile lm_u64 *)(va + i * LM_PAGE_SIZE), i);
		CHECK_EQ(*(volatile lm_u64 *)(va + i * LM_PAGE_SIZE + 8), 0x42);
	}

	/* And all 100 back in one call (more pages than are flushed one by one). */
	CHECK_OK(lm_vspace_protect(VS, va, 100, RO, &n));
	CHECK_OK(lm_vspace_protect(VS, va, 100, RW, &n));
	CHECK_EQ(n, 100);
	for (int i = 0; i < 100; i++)
		*(volatile lm_u64 *)(va + i * LM_PAGE_SIZE + 16) = i; /* no fault */
}

TEST(vmprim_no_access_then_unmap_and_map_again)
{
	lm_u64 va = T_VA_PAGE(5), n = 0, st, r;
	lm_cptr_t f = t_frame_at(va, RW), g = t_new(LM_OBJ_FRAME, LM_PAGE_BITS);

	CHECK(f && g);
	*(volatile lm_u64 *)va = 0x77;
	CHECK_OK(lm_vspace_protect(VS, va, 1, 0, &n));
	CHECK_EQ(n, 1);
	CHECK_OK(lm_vspace_page_state(VS, va, 0, &st, &r));
	CHECK_EQ(r, 0); /* still mapped, no access */
	CHECK(t_id(f).desc & LM_ID_MAPPED);

	/* A read faults, as not present. */
	CHECK_OK(install(SKIP));
	lm_u64 v = vp_load(va);
	uninstall();
	CHECK_EQ(nrec, 1);
	CHECK_EQ(rec[0].addr, va);
	CHECK_EQ(rec[0].error & (PF_PRESENT | PF_WRITE), 0);
	CHECK_EQ(v, 0);

	/* The place is still taken: another frame cannot go there. */
	CHECK_ERR(lm_vspace_map(VS, g, va, RW), LM_EEXIST);
	/* Protecting it again counts it. */
	CHECK_OK(lm_vspace_protect(VS, va, 1, 0, &n));
	CHECK_EQ(n, 1);

	/* Unmapping frees the place; the frame maps again, contents kept. */
	CHECK_OK(lm_vspace_unmap(f));
	CHECK(!(t_id(f).desc & LM_ID_MAPPED));
	CHECK_ERR(lm_vspace_page_state(VS, va, 0, &st, &r), LM_ENOENT);
	CHECK_OK(lm_vspace_protect(VS, va, 1, RW, &n));
	CHECK_EQ(n, 0);
	CHECK_OK(lm_vspace_map(VS, f, va, RW));
	CHECK_EQ(rights_of(va), RW);
	CHECK_EQ(*(volatile lm_u64 *)va, 0x77);
	*(volatile lm_u64 *)va = 0x78;
}

TEST(vmprim_no_access_frame_deleted_unmaps_it)
{
	lm_u64 va = T_VA_PAGE(6), st, r;
	lm_cptr_t f = t_frame_at(va, RW);

	CHECK(f);
	CHECK_OK(lm_vspace_protect(VS, va, 1, 0, 0));
	CHECK_OK(lm_cnode_delete(CN, f));
	CHECK_ERR(lm_vspace_page_state(VS, va, 0, &st, &r), LM_ENOENT);
	CHECK(t_frame_at(va, RW));
	CHECK_EQ(*(volatile lm_u64 *)va, 0); /* a fresh, zeroed frame */
}

TEST(vmprim_holes_are_skipped_and_mapped_pages_counted)
{
	/* Pages 0, 1, 3, 600 (another page table), 1023; nothing else. */
	static const int at[] = { 0, 1, 3, 600, 1023 };
	lm_u64 n = 0;

	for (unsigned i = 0; i < 5; i++)
		CHECK(t_frame_at(T_VA_PAGE(at[i]), RW));
	CHECK_OK(lm_vspace_protect(VS, T_VA_PAGE(0), 1024, RO, &n));
	CHECK_EQ(n, 5);
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ(rights_of(T_VA_PAGE(at[i])), RO);
	/* A range starting in a hole. */
	CHECK_OK(lm_vspace_protect(VS, T_VA_PAGE(2), 599, RW, &n));
	CHECK_EQ(n, 2); /* 3 and 600 */
	CHECK_EQ(rights_of(T_VA_PAGE(3)), RW);
	CHECK_EQ(rights_of(T_VA_PAGE(600)), RW);
	CHECK_EQ(rights_of(T_VA_PAGE(1)), RO);
	CHECK_EQ(rights_of(T_VA_PAGE(1023)), RO);
	/* Only holes: no page table at all, and the largest range. */
	CHECK_OK(lm_vspace_protect(VS, T_VA_PAGE(4), 100, RO, &n));
	CHECK_EQ(n, 0);
	CHECK_OK(lm_vspace_protect(VS, T_VA_FRESH(2), LM_PROTECT_MAX_PAGES, RO, &n));
	CHECK_EQ(n, 0);
	/* The largest range over the mapped ones counts each once. */
	CHECK_OK(lm_vspace_protect(VS, T_VA, LM_PROTECT_MAX_PAGES, RW, &n));
	CHECK_EQ(n, 5);
}

TEST(vmprim_large_page_protected_whole_not_in_part)
{
	lm_cptr_t big = t_new(LM_OBJ_FRAME, LM_LARGE_PAGE_BITS);
	lm_u64 va = T_VA_2M(1), n = 0, arg;

	CHECK(big);
	CHECK_OK(t_map(big, va, RW));
	*(volatile lm_u64 *)(va + 8192) = 5;
	CHECK_OK(lm_vspace_protect(VS, va, 512, RO, &n));
	CHECK_EQ(n, 512);
	CHECK_EQ(rights_of(va), RO);
	CHECK_EQ(rights_of(va + 0x1ff000), RO);

	CHECK_OK(install(SKIP));
	vp_store(va + 0x100008);
	uninstall();
	CHECK_EQ(nrec, 1);
	CHECK_EQ(rec[0].addr, va + 0x100008);

	/* Part of it: refused, nothing changed. */
	CHECK_ERR(protect_raw(VS, va, 1, RW, &arg), LM_EALIGN);
	CHECK_EQ(arg, 3);
	CHECK_ERR(protect_raw(VS, va + LM_PAGE_SIZE, 511, RW, &arg), LM_EALIGN);
	CHECK_EQ(arg, 3);
	CHECK_ERR(protect_raw(VS, va - LM_PAGE_SIZE, 2, RW, &arg), LM_EALIGN);
	CHECK_EQ(rights_of(va), RO);

	/* A range around it, holes on both sides, counts its 512 pages. */
	CHECK_OK(lm_vspace_protect(VS, va - 16 * LM_PAGE_SIZE, 512 + 32, RW, &n));
	CHECK_EQ(n, 512);
	CHECK_EQ(rights_of(va + 0x1ff000), RW);
	*(volatile lm_u64 *)(va + 0x100008) = 6;
	CHECK_EQ(*(volatile lm_u64 *)(va + 8192), 5);

	/* No access, then unmap and map again. */
	CHECK_OK(lm_vspace_protect(VS, va, 512, 0, &n));
	CHECK_EQ(rights_of(va), 0);
	/* Still there: no table or page may go in its place. */
	lm_cptr_t pt = t_new(LM_OBJ_PTABLE, 0), f = t_new(LM_OBJ_FRAME, LM_PAGE_BITS);
	CHECK(pt && f);
	CHECK_ERR(lm_vspace_map_table(VS, pt, va, 0), LM_EEXIST);
	CHECK_ERR(lm_vspace_map(VS, f, va + LM_PAGE_SIZE, RW), LM_EEXIST);
	CHECK_OK(lm_vspace_unmap(big));
	CHECK_EQ(rights_of(va), ~0ull);
	CHECK_OK(lm_vspace_map(VS, big, va, RW));
	CHECK_EQ(*(volatile lm_u64 *)(va + 0x100008), 6);
}

TEST(vmprim_dirty_set_by_a_store_cleared_and_set_again)
{
	lm_u64 va = T_VA_PAGE(9), st, r;
	volatile lm_u64 *p = (volatile lm_u64 *)va;

	CHECK(t_frame_at(va, RW));
	CHECK_EQ(state_of(va), 0); /* never touched */
	(void)p[0];
	CHECK_EQ(state_of(va), LM_PG_ACCESSED);
	p[1] = 1;
	CHECK_EQ(state_of(va), LM_PG_ACCESSED | LM_PG_DIRTY);

	/* Clearing returns the bits as they were. */
	CHECK_OK(lm_vspace_page_state(VS, va, LM_PG_DIRTY, &st, &r));
	CHECK_EQ(st, LM_PG_ACCESSED | LM_PG_DIRTY);
	CHECK_EQ(r & RW, RW);
	CHECK_EQ(state_of(va), LM_PG_ACCESSED);
	(void)p[1]; /* a read does not make it dirty */
	CHECK_EQ(state_of(va), LM_PG_ACCESSED);

	/* The TLB entry said dirty: only a flush makes the CPU set it again. */
	p[2] = 2;
	CHECK_EQ(state_of(va), LM_PG_ACCESSED | LM_PG_DIRTY);
	for (int i = 0; i < 3; i++) {
		CHECK_OK(lm_vspace_page_state(VS, va, LM_PG_DIRTY | LM_PG_ACCESSED, &st, &r));
		CHECK_EQ(st, LM_PG_ACCESSED | LM_PG_DIRTY);
		CHECK_EQ(state_of(va), 0);
		p[3] = i;
	}
	(void)p[0];
	CHECK_OK(lm_vspace_page_state(VS, va, LM_PG_ACCESSED, &st, &r));
	CHECK_EQ(st, LM_PG_ACCESSED | LM_PG_DIRTY);
	CHECK_EQ(state_of(va), LM_PG_DIRTY);
	(void)p[0];
	CHECK_EQ(state_of(va), LM_PG_ACCESSED | LM_PG_DIRTY);
}

TEST(vmprim_page_state_reports_rights_of_each_kind)
{
	lm_u64 va = T_VA_PAGE(10), st, r;

	CHECK(t_frame_at(va, RW));
	CHECK_OK(lm_vspace_page_state(VS, va + 123, 0, &st, &r)); /* any address in the page */
	CHECK_EQ(r & RW, RW);
	CHECK_OK(lm_vspace_protect(VS, va, 1, RO, 0));
	CHECK_OK(lm_vspace_page_state(VS, va, 0, &st, &r));
	CHECK_EQ(r & RW, RO);
	CHECK_OK(lm_vspace_protect(VS, va, 1, RWX, 0));
	CHECK_OK(lm_vspace_page_state(VS, va, 0, &st, &r));
	CHECK_EQ(r, RWX);
	CHECK_OK(lm_vspace_protect(VS, va, 1, 0, 0));
	CHECK_OK(lm_vspace_page_state(VS, va, 0, &st, &r));
	CHECK_EQ(r, 0);
}

TEST(vmprim_read_only_vspace_cap_queries_but_cannot_clear_or_protect)
{
	lm_u64 va = T_VA_PAGE(11), st = 0, r = 0, arg;
	lm_cptr_t vsr = t_copy(VS, LM_R_READ);

	CHECK(vsr);
	CHECK(t_frame_at(va, RW));
	*(volatile lm_u64 *)va = 1;
	CHECK_OK(lm_vspace_page_state(vsr, va, 0, &st, &r));
	CHECK_EQ(st, LM_PG_ACCESSED | LM_PG_DIRTY);
	CHECK_EQ(r & RW, RW);
	CHECK_ERR(state_raw(vsr, va, LM_PG_DIRTY, &arg), LM_ERIGHTS);
	CHECK_EQ(arg, 1);
	CHECK_EQ(state_of(va), LM_PG_ACCESSED | LM_PG_DIRTY); /* nothing cleared */
	CHECK_ERR(protect_raw(vsr, va, 1, RO, &arg), LM_ERIGHTS);
	CHECK_EQ(arg, 1);
	CHECK_EQ(rights_of(va), RW);
}

/* ---- bad input: refused, and nothing changed ------------------------------- */

TEST(vmprim_protect_bad_capabilities)
{
	lm_u64 va = T_VA_PAGE(0), arg;
	lm_cptr_t none = t_copy(VS, 0);

	CHECK(none);
	CHECK(t_frame_at(va, RW));
	CHECK_ERR(protect_raw(0, va, 1, RO, &arg), LM_ECAP);
	CHECK_EQ(arg, 1);
	CHECK_ERR(protect_raw(t_slot(), va, 1, RO, &arg), LM_ECAP); /* empty */
	CHECK_ERR(protect_raw(1ull << 40, va, 1, RO, &arg), LM_ECAP); /* outside the CNode */
	CHECK_ERR(protect_raw(LM_SLOT_TCB, va, 1, RO, &arg), LM_ETYPE);
	CHECK_EQ(arg, 1);
	CHECK_ERR(protect_raw(CN, va, 1, RO, &arg), LM_ETYPE);
	CHECK_ERR(protect_raw(none, va, 1, RO, &arg), LM_ERIGHTS);
	CHECK_EQ(arg, 1);
	CHECK_EQ(rights_of(va), RW);
}

TEST(vmprim_protect_beyond_the_frame_capability_is_refused)
{
	lm_u64 va = T_VA_PAGE(0), n, arg;
	lm_cptr_t ok = t_frame_at(va, RW);
	lm_cptr_t f = t_new(LM_OBJ_FRAME, LM_PAGE_BITS), fro;

	CHECK(ok && f);
	fro = t_copy(f, LM_R_READ); /* a read-only frame capability */
	CHECK(fro);
	CHECK_OK(t_map(fro, va + LM_PAGE_SIZE, RO));
	CHECK_OK(lm_vspace_protect(VS, va, 1, RO, &n));

	/* The range holds a page that may become RW and one that may not:
	 * refused as a whole, the first page not changed either. */
	CHECK_ERR(protect_raw(VS, va, 2, RW, &arg), LM_ERIGHTS);
	CHECK_EQ(arg, 4);
	CHECK_EQ(rights_of(va), RO);
	CHECK_EQ(rights_of(va + LM_PAGE_SIZE), RO);
	CHECK_ERR(protect_raw(VS, va + LM_PAGE_SIZE, 1, RW, &arg), LM_ERIGHTS);
	/* Execute needs EXEC on the frame capability too. */
	CHECK_ERR(protect_raw(VS, va + LM_PAGE_SIZE, 1, LM_R_READ | LM_R_EXEC, &arg), LM_ERIGHTS);
	CHECK_EQ(rights_of(va + LM_PAGE_SIZE), RO);
	/* Down to no access and back to read is within what it allowed. */
	CHECK_OK(lm_vspace_protect(VS, va + LM_PAGE_SIZE, 1, 0, &n));
	CHECK_OK(lm_vspace_protect(VS, va + LM_PAGE_SIZE, 1, RO, &n));
	CHECK_EQ(n, 1);
	/* A frame mapped read-write, then protected read-only, may become
	 * writable again. */
	CHECK_OK(lm_vspace_protect(VS, va, 1, RW, &n));
	CHECK_EQ(rights_of(va), RW);
	/* So may one first mapped read-only through a writable capability. */
	CHECK_OK(lm_vspace_unmap(ok));
	CHECK_OK(lm_vspace_map(VS, ok, va, RO));
	CHECK_OK(lm_vspace_protect(VS, va, 1, RW, &n));
	CHECK_EQ(rights_of(va), RW);
}

TEST(vmprim_protect_bad_addresses_counts_and_rights)
{
	lm_u64 va = T_VA_PAGE(0), arg;

	CHECK(t_frame_at(va, RW));
	CHECK_ERR(protect_raw(VS, va + 8, 1, RO, &arg), LM_EALIGN);
	CHECK_EQ(arg, 2);
	CHECK_ERR(protect_raw(VS, 0, 1, RO, &arg), LM_ERANGE);
	CHECK_EQ(arg, 2);
	CHECK_ERR(protect_raw(VS, LM_USER_MAX, 1, RO, &arg), LM_ERANGE);
	CHECK_EQ(arg, 2);
	CHECK_ERR(protect_raw(VS, T_NONCANON, 1, RO, &arg), LM_ERANGE);
	CHECK_ERR(protect_raw(VS, T_KERNEL_ADDR, 1, RO, &arg), LM_ERANGE);
	CHECK_EQ(arg, 2);
	CHECK_ERR(protect_raw(VS, va, 0, RO, &arg), LM_ERANGE);
	CHECK_EQ(arg, 3);
	CHECK_ERR(protect_raw(VS, va, LM_PROTECT_MAX_PAGES + 1, RO, &arg), LM_ERANGE);
	CHECK_EQ(arg, 3);
	CHECK_ERR(protect_raw(VS, va, ~0ull, RO, &arg), LM_ERANGE);
	CHECK_EQ(arg, 3);
	CHECK_ERR(protect_raw(VS, LM_USER_MAX - LM_PAGE_SIZE, 2, RO, &arg), LM_ERANGE);
	CHECK_EQ(arg, 3);
	CHECK_OK(protect_raw(VS, LM_USER_MAX - LM_PAGE_SIZE, 1, RO, &arg)); /* the last page */
	CHECK_ERR(protect_raw(VS, va, 1, LM_R_GRANT, &arg), LM_EINVAL);
	CHECK_EQ(arg, 4);
	CHECK_ERR(protect_raw(VS, va, 1, RO | 0x100, &arg), LM_EINVAL);
	CHECK_EQ(arg, 4);
	CHECK_EQ(rights_of(va), RW);
	*(volatile lm_u64 *)va = 1; /* still writable */
}

TEST(vmprim_page_state_bad_input)
{
	lm_u64 va = T_VA_PAGE(0), arg;
	lm_cptr_t none = t_copy(VS, 0), wo = t_copy(VS, LM_R_WRITE);

	CHECK(none && wo);
	CHECK(t_frame_at(va, RW));
	*(volatile lm_u64 *)va = 1;
	CHECK_ERR(state_raw(0, va, 0, &arg), LM_ECAP);
	CHECK_EQ(arg, 1);
	CHECK_ERR(state_raw(1ull << 40, va, LM_PG_DIRTY, &arg), LM_ECAP);
	CHECK_ERR(state_raw(LM_SLOT_TCB, va, LM_PG_DIRTY, &arg), LM_ETYPE);
	CHECK_EQ(arg, 1);
	CHECK_ERR(state_raw(none, va, 0, &arg), LM_ERIGHTS);
	CHECK_EQ(arg, 1);
	CHECK_ERR(state_raw(wo, va, 0, &arg), LM_ERIGHTS); /* a query needs READ */
	CHECK_OK(state_raw(wo, va, LM_PG_ACCESSED, &arg)); /* clearing needs WRITE */
	CHECK_EQ(state_of(va), LM_PG_DIRTY);
	CHECK_ERR(state_raw(VS, T_VA_PAGE(1), 0, &arg), LM_ENOENT);
	CHECK_EQ(arg, 2);
	CHECK_ERR(state_raw(VS, T_VA_FRESH(3), 0, &arg), LM_ENOENT);
	CHECK_ERR(state_raw(VS, 0, 0, &arg), LM_ERANGE);
	CHECK_EQ(arg, 2);
	CHECK_ERR(state_raw(VS, T_KERNEL_ADDR, 0, &arg), LM_ERANGE);
	CHECK_ERR(state_raw(VS, T_NONCANON, 0, &arg), LM_ERANGE);
	CHECK_ERR(state_raw(VS, va, 4, &arg), LM_EINVAL);
	CHECK_EQ(arg, 3);
	CHECK_ERR(state_raw(VS, va, LM_PG_DIRTY | 0x80, &arg), LM_EINVAL);
	CHECK_EQ(arg, 3);
	CHECK_EQ(state_of(va), LM_PG_DIRTY); /* nothing cleared by the failures */
}
