/*
 * The abort protocol (servers/mem/revoke.c, lib/mem_reclaim.c): at the
 * deadline (MEM_ENFORCE) the manager takes what is still owed by force:
 * the revoke removes every object and mapping made from a chunk, in every
 * address space, and the holder finds an abort record per chunk in its
 * page (records that did not fit are counted); a later touch of a taken
 * page faults into the library OS, which reads the record and recovers.
 */
#include "harness.h"
#include <lm/vm.h>
#include "../../servers/mem/mem_proto.h"
#include "mem_test.h"

/* Take n of acct's chunks by force, as its parent root. */
static lm_u64 force(lm_cptr_t root, lm_u64 badge, lm_u64 n)
{
	lm_u64 asked = 0, taken = ~0ull;

	if (lm_mem_request(root, badge, n, 0, &asked) || lm_mem_enforce(root, badge, &taken))
		return ~0ull;
	return taken;
}

TEST(mem_enforce_removes_a_frame_mapped_in_three_address_spaces)
{
	lm_cptr_t root, a, b, c, cb, fb, ntf, f, vs[3], fr[3];
	lm_u64 ba, bb, pa, n = 0, lost = 9, st, r;
	lm_u64 va = T_VA_FRESH(2);
	struct lm_mem_abort rec[4];
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK((b = mt_split(root, 1, &bb)));
	CHECK_OK(mt_register(a, &ntf, MT_PAGE_VA));
	CHECK((c = mt_grow(a, 0, &pa)));
	CHECK((cb = mt_grow(b, 0, 0)));
	CHECK((fb = mt_frame_of(cb, T_VA_FRESH(3))));
	CHECK((f = mt_frame_of(c, va)));
	*(volatile lm_u64 *)va = 42;
	*(volatile lm_u64 *)T_VA_FRESH(3) = 43;
	vs[0] = LM_SLOT_VSPACE;
	fr[0] = f;
	for (int i = 1; i < 3; i++) {
		CHECK((vs[i] = t_vspace()));
		CHECK((fr[i] = t_copy(f, RW)));
		CHECK_OK(lm_map_page(vs[i], fr[i], va + i * LM_PAGE_SIZE, RW));
	}
	for (int i = 0; i < 3; i++)
		CHECK_OK(lm_vspace_page_state(vs[i], va + i * LM_PAGE_SIZE, 0, &st, &r));
	CHECK_EQ(force(root, ba, 1), 1);
	for (int i = 0; i < 3; i++) {
		CHECK_ERR(lm_vspace_page_state(vs[i], va + i * LM_PAGE_SIZE, 0, &st, &r),
			  LM_ENOENT);
		CHECK_EQ(t_type(fr[i]), LM_OBJ_NULL);
	}
	CHECK_EQ(t_type(c), LM_OBJ_NULL);
	/* Another account's chunk and its frame are untouched. */
	CHECK_EQ(t_type(fb), LM_OBJ_FRAME);
	CHECK_EQ(*(volatile lm_u64 *)T_VA_FRESH(3), 43);
	/* The record names it; the notification said so. */
	lm_u64 w = 0;
	CHECK_OK(lm_ntfn_poll(ntf, &w));
	CHECK_EQ(w, MT_NTF_BADGE);
	CHECK_OK(lm_mem_aborts(rec, 4, &n, &lost));
	CHECK_EQ(n, 1);
	CHECK_EQ(lost, 0);
	CHECK_EQ(rec[0].seq, 1);
	CHECK_EQ(rec[0].paddr, pa);
	CHECK_EQ(rec[0].npages, 0); /* nothing declared: the chunk alone */
	CHECK_EQ(rec[0].vaddr, 0);
	CHECK_EQ(((const volatile struct mem_page *)MT_PAGE_VA)->nrec, 0); /* acked */
	CHECK_OK(lm_mem_aborts(rec, 4, &n, &lost));
	CHECK_EQ(n, 0);
	CHECK_EQ(mt_info(a, USE), 0);
}

/* ---- the holder blocked in IPC -------------------------------------------- */

static lm_cptr_t blk_ep;
static volatile lm_u64 blk_saw;

static lm_word_t blocked_holder(lm_word_t arg)
{
	struct lm_mem_abort rec[2];
	struct lm_msg m;
	lm_u64 n = 0, lost = 0;

	if (lm_ep_recv(blk_ep, &m))
		return 1;
	if (!lm_mem_aborts(rec, 2, &n, &lost) && n == 1)
		blk_saw = rec[0].paddr;
	lm_ep_reply(LM_MSG_INFO(0, 1, 0), n, 0, 0, 0);
	return 0;
}

TEST(mem_enforce_while_the_holder_is_blocked_in_ipc)
{
	lm_cptr_t root, a, c, f, ntf, tcb;
	lm_u64 ba, pa;
	struct lm_proc p;
	struct lm_msg m;
	struct lm_thread_info ti;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK_OK(mt_register(a, &ntf, MT_PAGE_VA));
	CHECK((c = mt_grow(a, 0, &pa)));
	CHECK((f = mt_frame_of(c, T_VA_FRESH(2))));
	CHECK((blk_ep = t_new(LM_OBJ_ENDPOINT, 0)));
	blk_saw = 0;
	CHECK((tcb = t_thread(blocked_holder, 0, T_PRIO)));
	CHECK(t_blocked(tcb));
	CHECK_EQ(force(root, ba, 1), 1);
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK(t_blocked(tcb)); /* still waiting, untouched */
	CHECK_OK(lm_ep_call(blk_ep, LM_MSG_INFO(0, 0, 0), 0, 0, 0, 0, &m));
	CHECK_EQ(m.w[0], 1);
	CHECK_OK(t_wait(tcb, &ti));
	CHECK_EQ(blk_saw, pa);
}

/* ---- overflow ---------------------------------------------------------------- */

/* A new manager, a registered account of quota 4 below its root (*a,
 * badge *ba), slots s[] for its chunks; 0 on failure. */
static int flood_setup(lm_cptr_t *root, lm_cptr_t *a, lm_u64 *ba, lm_cptr_t s[4],
		       struct lm_proc *p)
{
	lm_cptr_t ntf;

	if (mt_start(2, root, p) || !(*a = mt_split(*root, 4, ba)) ||
	    mt_register(*a, &ntf, MT_PAGE_VA))
		return 0;
	for (int i = 0; i < 4; i++)
		if (!(s[i] = t_slot()))
			return 0;
	return 1;
}

/* n chunks lent to a and taken by force, up to 4 a round, none declared:
 * n chunk-alone records, never read. 1 if all went as asked. */
static int flood(lm_cptr_t root, lm_cptr_t a, lm_u64 ba, const lm_cptr_t s[4], lm_u64 n)
{
	while (n) {
		lm_u64 k = n < 4 ? n : 4;

		for (lm_u64 i = 0; i < k; i++)
			if (lm_mem_grow(a, mt_ib, s[i]))
				return 0;
		if (force(root, ba, k) != k)
			return 0;
		n -= k;
	}
	return 1;
}

TEST(mem_abort_records_that_do_not_fit_are_counted_never_dropped_silently)
{
	static struct lm_mem_abort rec[MEM_NREC + 8];
	lm_cptr_t root, a, s[4];
	lm_u64 ba, n = 0, lost = 0, total = 260; /* > MEM_NREC */
	struct lm_proc p;

	CHECK(flood_setup(&root, &a, &ba, s, &p));
	CHECK(flood(root, a, ba, s, total));
	const volatile struct mem_page *pg = (const volatile struct mem_page *)MT_PAGE_VA;
	CHECK_EQ(pg->nrec, MEM_NREC);
	CHECK_EQ(pg->abort_seq, total);
	CHECK_EQ(pg->abort_lost, total - MEM_NREC);
	/* Read in two goes: the rest stays for the second. Nothing was
	 * declared: every record names a chunk alone. */
	CHECK_OK(lm_mem_aborts(rec, 100, &n, &lost));
	CHECK_EQ(n, 100);
	CHECK_EQ(lost, total - MEM_NREC);
	CHECK_EQ(rec[0].seq, 1);
	CHECK_EQ(rec[99].seq, 100);
	CHECK_EQ(rec[99].npages, 0);
	CHECK_EQ(rec[99].vaddr, 0);
	CHECK_OK(lm_mem_aborts(rec, MEM_NREC + 8, &n, &lost));
	CHECK_EQ(n, MEM_NREC - 100);
	CHECK_EQ(lost, 0);
	CHECK_EQ(rec[n - 1].seq, MEM_NREC);
	/* Room again: the next record's seq shows the gap. */
	CHECK_OK(lm_mem_grow(a, mt_ib, s[0]));
	CHECK_EQ(force(root, ba, 1), 1);
	CHECK_OK(lm_mem_aborts(rec, 4, &n, &lost));
	CHECK_EQ(n, 1);
	CHECK_EQ(rec[0].seq, total + 1);
	CHECK_EQ(lost, 0);
}

/* ---- recovery at the next touch --------------------------------------------- */

static lm_u8 exc_stack[16384] __attribute__((aligned(16)));
static volatile int recovered;

/* The library OS's pager: a fault on a tracked page whose chunk the record
 * names is refilled with a zeroed frame from memory it still has. */
static int refill_hook(struct lm_vm_region *r, const struct lm_vm_fault *f)
{
	struct lm_mem_abort rec[4];
	lm_u64 n, lost;
	struct lm_mem_map *m;

	lm_mem_aborts(rec, 4, &n, &lost);
	if (!(m = lm_mem_lookup(f->addr)) || !m->taken)
		return LM_VM_PASS;
	lm_cptr_t fr = t_new(LM_OBJ_FRAME, LM_PAGE_BITS);
	if (!fr || t_map(fr, f->addr & ~(LM_PAGE_SIZE - 1), RW))
		return LM_VM_PASS;
	recovered++;
	return LM_VM_HANDLED;
}

TEST(mem_touch_of_a_taken_page_faults_into_the_library_os_which_recovers)
{
	static struct lm_vm_region reg;
	static struct lm_mem_map map;
	lm_cptr_t root, a, c, cg, ntf;
	lm_u64 ba, pa, va = T_VA_FRESH(2), vg = T_VA_FRESH(3);
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split_with(root, 2, 1, 0, &ba)));
	CHECK_OK(mt_register(a, &ntf, MT_PAGE_VA));
	CHECK((cg = mt_grow(a, 1, 0)));
	CHECK((c = mt_grow(a, 0, &pa)));
	CHECK(mt_frame_of(c, va));
	CHECK(mt_frame_of(cg, vg));
	*(volatile lm_u64 *)va = 42;
	*(volatile lm_u64 *)vg = 43;
	map = (struct lm_mem_map){ .vaddr = va, .npages = 1, .chunk = pa };
	lm_mem_track(&map);
	recovered = 0;
	CHECK_OK(lm_vm_init(LM_SLOT_TCB, exc_stack + sizeof exc_stack, sizeof exc_stack));
	CHECK_OK(lm_vm_region_add(&reg, va, LM_PAGE_SIZE, refill_hook, 0));
	CHECK_EQ(force(root, ba, 2), 1); /* the guaranteed one stays */
	lm_u64 v = *(volatile lm_u64 *)va; /* faults, refilled with zeros */
	lm_u64 g = *(volatile lm_u64 *)vg;
	int taken = ((volatile struct lm_mem_map *)&map)->taken; /* set by the hook */
	lm_vm_region_remove(&reg);
	lm_vm_fini(LM_SLOT_TCB);
	lm_mem_untrack(&map);
	CHECK_EQ(recovered, 1);
	CHECK_EQ(v, 0);
	CHECK_EQ(g, 43);
	CHECK(taken);
}

/* ---- the records name the virtual addresses (MEM_MAPPED) ------------------ */

static lm_u64 frame_pa(lm_cptr_t f)
{
	lm_u64 desc, pa = ~0ull;

	lm_cnode_identify(LM_SLOT_CNODE, f, &desc, &pa, 0);
	return pa;
}

/* One chunk, its frames mapped at two runs far apart (two pages, then
 * one), tracked: taken by force, the records name exactly those runs, in
 * declaration order, with consecutive seqs, and mark exactly those maps. */
TEST(mem_abort_records_name_the_vaddr_runs_taken_in_order)
{
	static struct lm_mem_map m1, m2, other;
	lm_cptr_t root, a, c, co, ntf, f[3];
	lm_u64 ba, pa, pao, n = 0, lost = 9;
	lm_u64 va = T_VA_FRESH(2), vb = T_VA_FRESH(3), vo = T_VA_FRESH(4);
	struct lm_mem_abort rec[8];
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split_with(root, 2, 1, 0, &ba)));
	CHECK_OK(mt_register(a, &ntf, MT_PAGE_VA));
	CHECK((co = mt_grow(a, 1, &pao))); /* guaranteed: stays */
	CHECK((c = mt_grow(a, 0, &pa)));
	CHECK((f[0] = mt_frame_of(c, va)));
	CHECK((f[1] = mt_frame_of(c, va + LM_PAGE_SIZE)));
	CHECK((f[2] = mt_frame_of(c, vb)));
	CHECK(mt_frame_of(co, vo));
	lm_u64 fp0 = frame_pa(f[0]), fp2 = frame_pa(f[2]);
	CHECK_EQ(frame_pa(f[1]), fp0 + LM_PAGE_SIZE);
	lm_u64 first0 = (fp0 - pa) / LM_PAGE_SIZE, first2 = (fp2 - pa) / LM_PAGE_SIZE;
	m1 = (struct lm_mem_map){ .vaddr = va, .npages = 2, .chunk = pa, .first = first0 };
	m2 = (struct lm_mem_map){ .vaddr = vb, .npages = 1, .chunk = pa, .first = first2 };
	other = (struct lm_mem_map){ .vaddr = vo, .npages = 1, .chunk = pao };
	CHECK_OK(lm_mem_track(&m1));
	CHECK_OK(lm_mem_track(&m2));
	CHECK_OK(lm_mem_track(&other));
	CHECK(m1.declared && m2.declared && other.declared);
	CHECK_EQ(force(root, ba, 1), 1);
	CHECK_OK(lm_mem_aborts(rec, 8, &n, &lost));
	int t1 = ((volatile struct lm_mem_map *)&m1)->taken;
	int t2 = ((volatile struct lm_mem_map *)&m2)->taken;
	int to = ((volatile struct lm_mem_map *)&other)->taken;
	lm_mem_untrack(&m1);
	lm_mem_untrack(&m2);
	lm_mem_untrack(&other);
	CHECK_EQ(n, 2);
	CHECK_EQ(lost, 0);
	CHECK_EQ(rec[0].seq, 1);
	CHECK_EQ(rec[0].paddr, fp0);
	CHECK_EQ(rec[0].vaddr, va);
	CHECK_EQ(rec[0].npages, 2);
	CHECK_EQ(rec[1].seq, 2);
	CHECK_EQ(rec[1].paddr, fp2);
	CHECK_EQ(rec[1].vaddr, vb);
	CHECK_EQ(rec[1].npages, 1);
	CHECK(t1 && t2);
	CHECK(!to);
	CHECK_EQ(t_type(f[2]), LM_OBJ_NULL);
}

/* A hostile declaration: garbage vaddrs, huge counts, runs past the
 * chunk, someone else's chunk, too many runs: refused with a documented
 * error or bounded, and another account's records are untouched. */
TEST(mem_mapped_bad_declarations_are_bounded_and_harm_no_one_else)
{
	lm_cptr_t root, a, b, c, cb, ntf;
	lm_u64 ba, bb, pa, pb, n = 0, lost = 0;
	const lm_u64 chunk_pages = 1ull << (LM_MEM_CHUNK_BITS - LM_PAGE_BITS);
	struct lm_mem_abort rec[8];
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK((b = mt_split(root, 1, &bb)));
	CHECK((c = mt_grow(a, 0, &pa)));
	CHECK((cb = mt_grow(b, 0, &pb)));
	/* Raw requests (lm_mem_track only tells a registered account). */
	#define DECL(acct, w0, w1, w2) \
		lm_ep_call(acct, LM_MSG_INFO(MEM_MAPPED, 3, 0), w0, w1, w2, 0, &m)
	struct lm_msg m;
	CHECK_OK(DECL(a, pa + 1, 0x1000, 1));
	CHECK_EQ((long)m.w[0], -LM_EINVAL);
	CHECK_OK(DECL(a, pa, 0x1001, 1));
	CHECK_EQ((long)m.w[0], -LM_EINVAL);
	CHECK_OK(DECL(a, pb, 0x1000, 1)); /* b's chunk */
	CHECK_EQ((long)m.w[0], -LM_ENOENT);
	CHECK_OK(DECL(a, 0xfffffffffffff000ull, 0x1000, 1));
	CHECK_EQ((long)m.w[0], -LM_ENOENT);
	CHECK_OK(DECL(a, pa, 0x1000, chunk_pages + 1));
	CHECK_EQ((long)m.w[0], -LM_ERANGE);
	CHECK_OK(DECL(a, pa + LM_PAGE_SIZE, 0x1000, chunk_pages));
	CHECK_EQ((long)m.w[0], -LM_ERANGE);
	CHECK_OK(DECL(a, pa, 0x1000, ~0ull));
	CHECK_EQ((long)m.w[0], -LM_ERANGE);
	CHECK_OK(DECL(a, pa, 0xfffffffffffff000ull, 1));
	CHECK_EQ((long)m.w[0], -LM_ERANGE);
	CHECK_OK(DECL(a, pa, (1ull << 47) - LM_PAGE_SIZE, 2));
	CHECK_EQ((long)m.w[0], -LM_ERANGE);
	/* Garbage but within bounds: the holder's own word, taken as said. */
	for (lm_u64 k = 0; k < MEM_RUNS; k++) {
		CHECK_OK(DECL(a, pa, 0x1000 * (k + 1), chunk_pages));
		CHECK_EQ(m.w[0], k + 1);
	}
	CHECK_OK(DECL(a, pa, 0x9000, 1));
	CHECK_EQ((long)m.w[0], -LM_ELIMIT);
	/* Forgetting a run makes room; forgetting one not there changes
	 * nothing. */
	CHECK_OK(DECL(a, pa, 0x2000, 0));
	CHECK_EQ(m.w[0], MEM_RUNS - 1);
	CHECK_OK(DECL(a, pa, 0x7777000, 0));
	CHECK_EQ(m.w[0], MEM_RUNS - 1);
	#undef DECL
	/* b, registered, loses its chunk: its record is its own, chunk alone. */
	CHECK_OK(mt_register(b, &ntf, MT_PAGE_VA));
	CHECK_EQ(force(root, bb, 1), 1);
	CHECK_OK(lm_mem_aborts(rec, 8, &n, &lost));
	CHECK_EQ(n, 1);
	CHECK_EQ(rec[0].paddr, pb);
	CHECK_EQ(rec[0].npages, 0);
	/* a's chunk taken (a is not registered: no page, no records) and lent
	 * again to b: a's word about it is gone. */
	CHECK_EQ(force(root, ba, 1), 1);
	lm_u64 pb2 = 0;
	CHECK(mt_grow(b, 0, &pb2));
	CHECK_EQ(pb2, pa); /* the free list is last in, first out */
	CHECK_EQ(force(root, bb, 1), 1);
	CHECK_OK(lm_mem_aborts(rec, 8, &n, &lost));
	CHECK_EQ(n, 1);
	CHECK_EQ(rec[0].paddr, pb2);
	CHECK_EQ(rec[0].npages, 0);
	CHECK_EQ(rec[0].seq, 2);
	(void)c;
	(void)cb;
}

/* A chunk's runs at the end of a nearly full page: the run that fits is
 * written, the next counted lost (its seq the gap), never dropped
 * silently. */
TEST(mem_abort_runs_that_do_not_fit_are_counted)
{
	static struct lm_mem_abort rec[MEM_NREC + 8];
	static struct lm_mem_map m1, m2;
	lm_cptr_t root, a, s[4];
	lm_u64 ba, pa, n = 0, lost = 0, total = MEM_NREC - 1, desc;
	struct lm_proc p;

	CHECK(flood_setup(&root, &a, &ba, s, &p));
	CHECK(flood(root, a, ba, s, total)); /* all but one record's room */
	CHECK_OK(lm_mem_grow(a, mt_ib, s[0]));
	CHECK_OK(lm_cnode_identify(LM_SLOT_CNODE, s[0], &desc, &pa, 0));
	/* The holder's word alone: nothing need be mapped there. */
	m1 = (struct lm_mem_map){ .vaddr = T_VA_FRESH(5), .npages = 3, .chunk = pa };
	m2 = (struct lm_mem_map){ .vaddr = T_VA_FRESH(6), .npages = 1, .chunk = pa, .first = 9 };
	CHECK_OK(lm_mem_track(&m1));
	CHECK_OK(lm_mem_track(&m2));
	CHECK_EQ(force(root, ba, 1), 1);
	const volatile struct mem_page *pg = (const volatile struct mem_page *)MT_PAGE_VA;
	CHECK_EQ(pg->nrec, MEM_NREC);
	CHECK_EQ(pg->abort_seq, total + 2);
	CHECK_EQ(pg->abort_lost, 1);
	CHECK_OK(lm_mem_aborts(rec, MEM_NREC + 8, &n, &lost));
	int t1 = ((volatile struct lm_mem_map *)&m1)->taken;
	int t2 = ((volatile struct lm_mem_map *)&m2)->taken;
	lm_mem_untrack(&m1);
	lm_mem_untrack(&m2);
	CHECK_EQ(n, MEM_NREC);
	CHECK_EQ(lost, 1);
	CHECK_EQ(rec[n - 1].seq, total + 1);
	CHECK_EQ(rec[n - 1].paddr, pa);
	CHECK_EQ(rec[n - 1].vaddr, T_VA_FRESH(5));
	CHECK_EQ(rec[n - 1].npages, 3);
	CHECK(t1);
	CHECK(!t2); /* its record was lost: the count says so */
}
