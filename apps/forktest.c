/*
 * forktest: copy-on-write fork exercised in a process of its own, so that
 * what fork does to the process's pages and library state ends with it.
 * tests/guest/fork.c spawns it with memory and a bootinfo page; the
 * argument picks the scenario, the exit code says how it went (0: every
 * check held, else which one failed).
 */
#include "forktest_int.h"

static volatile lm_u64 data_cell = 1;   /* .data */
static volatile lm_u64 bss_cells[1024]; /* .bss, two pages */

static lm_u64 own_writes(void)
{
	struct lm_proc p;
	struct lm_thread_info ti;
	volatile lm_u64 stack_cell = 5;

	wr(&data_cell, 1);
	wr(&bss_cells[700], 7);
	int r = lm_fork(&p);
	if (r == LM_FORK_CHILD) {
		lm_u64 bad = 0;

		/* the parent wrote after the fork: the child must not see it */
		bad |= rd(&data_cell) != 1;
		bad |= (lm_u64)(rd(&bss_cells[700]) != 7) << 1;
		bad |= (lm_u64)(stack_cell != 5) << 2;
		wr(&data_cell, 100);
		wr(&bss_cells[700], 700);
		stack_cell = 500;
		bad |= (lm_u64)(rd(&data_cell) != 100) << 3;
		bad |= (lm_u64)(rd(&bss_cells[700]) != 700) << 4;
		bad |= (lm_u64)(stack_cell != 500) << 5;
		bad |= (lm_u64)(lm_fork_generation() != 1) << 6;
		lm_thread_exit(bad ? 0x1000 | bad : 0);
	}
	if (r)
		return 0x100 + r;
	wr(&data_cell, 2); /* before the child runs: it waits for us to wait */
	wr(&bss_cells[700], 8);
	stack_cell = 6;
	if (lm_fork_wait(&p, &ti) || ti.state != LM_TS_EXITED)
		return 0x200;
	if (ti.exit_code)
		return ti.exit_code;
	if (rd(&data_cell) != 2 || rd(&bss_cells[700]) != 8 || stack_cell != 6)
		return 0x300;
	return lm_fork_retired() ? 0x400 : 0;
}

/* Generation g forks g + 1 down to `depth`; each writes its number, checks
 * its child exited well and that only its own writes are in its memory. */
static lm_u64 generations(lm_u32 g, lm_u32 depth)
{
	struct lm_proc p;
	struct lm_thread_info ti;

	wr(&data_cell, g);
	wr(&bss_cells[g], 1000 + g);
	if (g == depth)
		return 0;
	int r = lm_fork(&p);
	if (r == LM_FORK_CHILD) {
		if (lm_fork_generation() != g + 1 || rd(&data_cell) != (lm_u64)g)
			lm_thread_exit(0x100 + g);
		lm_thread_exit(generations(g + 1, depth));
	}
	if (r)
		return 0x200 + (g << 4) + (lm_u64)r;
	wr(&bss_cells[500 + g], g); /* a write while the child may run */
	if (lm_fork_wait(&p, &ti) || ti.state != LM_TS_EXITED)
		return 0x300 + g;
	if (ti.exit_code)
		return ti.exit_code;
	for (lm_u32 k = 0; k <= depth; k++)
		if (rd(&bss_cells[k]) != (k <= g ? 1000 + k : 0))
			return 0x400 + (g << 4) + k;
	return rd(&data_cell) == (lm_u64)g ? 0 : 0x500 + g;
}

static struct lm_vm_anon anon;
static lm_cptr_t anon_frames[16];
#define ANON_VA 0x10000000000ull

static lm_u64 on_demand(void)
{
	struct lm_proc p;
	struct lm_thread_info ti;
	volatile lm_u64 *a = (volatile lm_u64 *)ANON_VA;

	if (lm_vm_anon_init(&anon, ANON_VA, 16 * LM_PAGE_SIZE, LM_R_READ | LM_R_WRITE,
			    anon_frames))
		return 0x100;
	for (lm_u32 i = 0; i < 8; i++) /* 8 pages touched, 8 never */
		wr(&a[i * 512], 10 + i);
	int r = lm_fork(&p);
	if (r == LM_FORK_CHILD) {
		lm_u64 bad = 0;

		for (lm_u32 i = 0; i < 8; i++)
			bad |= (lm_u64)(rd(&a[i * 512]) != 10 + i) << i;
		wr(&a[3 * 512], 333);   /* copied on write */
		wr(&a[12 * 512], 1212); /* a fresh zeroed page of its own */
		bad |= (lm_u64)(rd(&a[3 * 512]) != 333) << 8;
		bad |= (lm_u64)(rd(&a[12 * 512 + 1]) != 0) << 9;
		lm_thread_exit(bad ? 0x1000 | bad : 0);
	}
	if (r)
		return 0x200 + r;
	wr(&a[5 * 512], 555);
	if (lm_fork_wait(&p, &ti) || ti.state != LM_TS_EXITED)
		return 0x300;
	if (ti.exit_code)
		return ti.exit_code;
	if (rd(&a[3 * 512]) != 13 || rd(&a[5 * 512]) != 555 || anon_frames[12])
		return 0x400;
	return lm_vm_anon_destroy(&anon) ? 0x500 : 0;
}

/* 100 forks, each child writing a few pages: afterwards the parent holds
 * exactly the memory and slots it held after the first two. (Those move
 * the pages the parent writes into frames of the library's own, which it
 * then reuses for its copies: a fixed cost, not one per fork.) */
static lm_u64 many(void)
{
	struct lm_proc p;
	struct lm_thread_info ti;
	lm_u64 free0 = 0, slots0 = 0;

	for (lm_u32 n = 0; n <= 100; n++) {
		if (n == 2) {
			lm_vm_trim();
			free0 = lm_pool_free_bytes(lm_pool_current());
			slots0 = lm_slot_nfree();
		}
		int r = lm_fork(&p);
		if (r == LM_FORK_CHILD) {
			wr(&data_cell, n);
			wr(&bss_cells[n], n);
			lm_thread_exit(rd(&bss_cells[n]) == n ? 0 : 1);
		}
		if (r)
			return 0x100 + r;
		wr(&bss_cells[200 + n], n);
		if (lm_fork_wait(&p, &ti) || ti.exit_code)
			return 0x200 + n;
	}
	lm_vm_trim();
	if (lm_pool_free_bytes(lm_pool_current()) != free0) {
		lm_printf("forktest: %lu bytes free after 100 forks, %lu after 2\n",
			  lm_pool_free_bytes(lm_pool_current()), free0);
		return 0x300;
	}
	if (lm_slot_nfree() != slots0)
		return 0x400;
	return lm_fork_retired() ? 0x500 : 0;
}

/* Our range of address-space IDs as a child sees it: its first ID, or 0
 * if lm_asid_cap is no range of `n` IDs. */
static lm_u64 own_range(lm_cptr_t cn, lm_u64 n)
{
	lm_u64 desc, first, count;

	if (lm_cnode_identify(cn, lm_asid_cap, &desc, &first, &count) ||
	    LM_ID_TYPE(desc) != LM_OBJ_ASIDS || count != n)
		return 0;
	return first;
}

/* One child kept alive (it suspends itself) while 50 more are forked and
 * reaped one by one: each gets a range of IDs, the same one, for a reaped
 * child's IDs are ours again at once; the kept one's stays its own. */
static lm_u64 keep_one(void)
{
	struct lm_proc kept, p;
	struct lm_thread_info ti;
	lm_u64 desc, size, n, kept_first, first = 0;

	if (lm_cnode_identify(LM_SLOT_CNODE, lm_asid_cap, &desc, 0, &size))
		return 0x100;
	n = size / 8 < LM_FORK_ASIDS ? size / 8 : LM_FORK_ASIDS;
	int r = lm_fork(&kept);
	if (r == LM_FORK_CHILD) {
		lm_u64 mine = own_range(LM_SLOT_CNODE, n);

		lm_thread_suspend(LM_SLOT_TCB); /* until the parent is done */
		lm_thread_exit(mine && own_range(LM_SLOT_CNODE, n) == mine ? 0 : 0x1000);
	}
	if (r)
		return 0x200 + r;
	if (!(kept_first = own_range(kept.cnode, n)))
		return 0x300;
	while (!lm_thread_info(kept.tcb, &ti) && ti.state != LM_TS_INACTIVE)
		lm_thread_yield();
	for (lm_u32 k = 0; k < 50; k++) {
		lm_u64 got;

		r = lm_fork(&p);
		if (r == LM_FORK_CHILD)
			lm_thread_exit(own_range(LM_SLOT_CNODE, n) ? 0 : 0x2000 + k);
		if (r)
			return 0x400 + (k << 4) + (lm_u64)r;
		got = own_range(p.cnode, n);
		if (!got || got == kept_first || (first && got != first))
			return 0x500 + k;
		first = got;
		if (lm_fork_wait(&p, &ti) || ti.state != LM_TS_EXITED || ti.exit_code)
			return ti.exit_code ? ti.exit_code : 0x600 + k;
	}
	if (lm_thread_resume(kept.tcb) || lm_fork_wait(&kept, &ti) || ti.state != LM_TS_EXITED)
		return 0x700;
	return ti.exit_code;
}

static lm_u64 no_memory(void)
{
	struct lm_proc p;
	lm_u64 first = own_writes(); /* a process that has forked before */
	lm_u32 slots = lm_slot_nfree();

	if (first)
		return first;
	lm_fork_set_pool_bits(40); /* far more than there is */
	int r = lm_fork(&p);
	if (r == LM_FORK_CHILD)
		lm_thread_exit(0x100); /* must never happen */
	lm_fork_set_pool_bits(20);
	if (r != LM_ENOMEM)
		return 0x200 + r;
	if (p.tcb || lm_slot_nfree() != slots)
		return 0x300;
	return own_writes(); /* and fork still works afterwards */
}

/* LM_FORK_MAX_CHILDREN alive at once, not one more; a child may ask its
 * parent only for the frames of pages the parent shared. */
static lm_u64 limits(void)
{
	struct lm_proc p[LM_FORK_MAX_CHILDREN + 1];
	struct lm_thread_info ti;
	lm_u32 n;

	for (n = 0; n < LM_FORK_MAX_CHILDREN; n++) {
		int r = lm_fork(&p[n]);
		if (r == LM_FORK_CHILD) {
			lm_u64 bad = 0;

			bad |= lm_fork_fetch(LM_SLOT_CNODE) != LM_ERIGHTS;      /* its CNode */
			bad |= (lm_u64)(lm_fork_fetch(LM_SLOT_TCB) != LM_ERIGHTS) << 1;
			bad |= (lm_u64)(lm_fork_fetch(1u << 20) != LM_ERIGHTS) << 2; /* no such slot */
			lm_thread_exit(bad ? 0x1000 | bad : 0);
		}
		if (r)
			return 0x100 + (n << 4) + (lm_u64)r;
	}
	if (lm_fork(&p[n]) != LM_ELIMIT)
		return 0x200;
	for (n = 0; n < LM_FORK_MAX_CHILDREN; n++)
		if (lm_fork_wait(&p[n], &ti) || ti.state != LM_TS_EXITED || ti.exit_code)
			return ti.exit_code ? ti.exit_code : 0x300 + n;
	return lm_fork_fetch(8) == LM_ECAP ? own_writes() : 0x400; /* not forked */
}

/* The parent runs with odd SSE and x87 modes (round toward zero, and flush
 * to zero for SSE); each child must start with them, the second too,
 * though its thread object last ran the first child, which changed them
 * before it exited. */
static lm_u64 fpu_modes(void)
{
	const lm_u32 odd_mx = 0x7f80 | 0x8000;   /* RC toward zero, FTZ */
	const lm_u32 child_mx = 0x3f80 ^ 0x1000; /* RC down, PM clear */
	const lm_u16 odd_cw = 0x0f7f, child_cw = 0x047f;
	lm_u32 mx0 = lm_mxcsr();
	lm_u16 cw0 = lm_fpu_cw();
	lm_u64 bad = 0;

	lm_set_mxcsr(odd_mx);
	lm_set_fpu_cw(odd_cw);
	for (int n = 0; n < 2 && !bad; n++) {
		struct lm_proc p;
		struct lm_thread_info ti;
		int r = lm_fork(&p);

		if (r == LM_FORK_CHILD) {
			lm_u64 e = (lm_mxcsr() != odd_mx) | (lm_u64)(lm_fpu_cw() != odd_cw) << 1;

			lm_set_mxcsr(child_mx); /* left for the next user of this thread */
			lm_set_fpu_cw(child_cw);
			lm_thread_exit(e ? 0x1000 | e : 0);
		}
		if (r)
			bad = 0x100 + (lm_u64)r;
		else if (lm_fork_wait(&p, &ti) || ti.state != LM_TS_EXITED)
			bad = 0x200;
		else if (ti.exit_code)
			bad = ti.exit_code | (lm_u64)n << 8;
		else if (lm_mxcsr() != odd_mx || lm_fpu_cw() != odd_cw)
			bad = 0x300; /* the parent's own are untouched */
	}
	lm_set_mxcsr(mx0);
	lm_set_fpu_cw(cw0);
	return bad;
}

/* ---- what a child may get of its parent's ------------------------------- */

lm_u32 cnode_bits(lm_cptr_t cn)
{
	lm_u64 desc;

	return lm_cnode_identify(LM_SLOT_CNODE, cn, &desc, 0, 0) ? 0 : LM_ID_BITS(desc);
}

/* The slot of the frame mapped at va in this process, or 0. */
lm_cptr_t frame_at(lm_u64 va)
{
	lm_u64 desc, mapped, page = va & ~(lm_u64)(LM_PAGE_SIZE - 1);

	for (lm_cptr_t s = 1; s < 1u << cnode_bits(LM_SLOT_CNODE); s++)
		if (!lm_cnode_identify(LM_SLOT_CNODE, s, &desc, 0, &mapped) &&
		    LM_ID_TYPE(desc) == LM_OBJ_FRAME && (desc & LM_ID_MAPPED) && mapped == page)
			return s;
	return 0;
}

/* A child forked before the parent wrote a page asks for the frame of the
 * parent's copy, shared only at a later fork: refused, and it never sees
 * what the parent wrote. The parent tells it the slot, after the later
 * fork, as the badge of a notification put in the child's last slot. */
static volatile lm_u64 later_cells[512] __attribute__((aligned(LM_PAGE_SIZE)));

static lm_u64 earlier_child(void)
{
	lm_cptr_t k = (1u << cnode_bits(LM_SLOT_CNODE)) - 1, slot;
	lm_u64 desc, d0 = 0, a0 = 0, d1 = 0, a1 = 0, bad;
	int err;

	for (lm_u32 n = 0; lm_cnode_identify(LM_SLOT_CNODE, k, &desc, &slot, 0) ||
			   LM_ID_TYPE(desc) != LM_OBJ_NOTIFY; n++)
		if (n == 100000 || lm_thread_yield())
			return 0x18000; /* never told */
	lm_cnode_identify(LM_SLOT_CNODE, slot, &d0, &a0, 0);
	err = lm_fork_fetch(slot);
	bad = err != LM_ERIGHTS;
	lm_cnode_identify(LM_SLOT_CNODE, slot, &d1, &a1, 0);
	bad |= (lm_u64)(LM_ID_TYPE(d0) != LM_ID_TYPE(d1) || a0 != a1) << 1; /* given it */
	if (LM_ID_TYPE(d1) == LM_OBJ_FRAME &&
	    !lm_map_page(LM_SLOT_VSPACE, slot, SCRATCH_VA, LM_R_READ)) {
		bad |= (lm_u64)(rd((volatile lm_u64 *)SCRATCH_VA) == 2) << 2; /* saw it */
		lm_vspace_unmap(slot);
	}
	bad |= (lm_u64)(rd(&later_cells[0]) != 1) << 3;
	return bad ? 0x10000 | bad : 0;
}

static lm_u64 later_fork(void)
{
	struct lm_proc p1, p2;
	struct lm_thread_info ti;
	lm_cptr_t tell = 0;
	lm_u64 bad = 0;

	wr(&later_cells[0], 1);
	int r = lm_fork(&p1);
	if (r == LM_FORK_CHILD)
		lm_thread_exit(earlier_child());
	if (r)
		return 0x100 + r;
	wr(&later_cells[0], 2); /* copied: the copy's frame is in a new slot */
	r = lm_fork(&p2);
	if (r == LM_FORK_CHILD)
		lm_thread_exit(rd(&later_cells[0]) == 2 ? 0 : 0x20000);
	lm_cptr_t copy = frame_at((lm_u64)later_cells);
	if (r || !copy || lm_obj_alloc(LM_OBJ_NOTIFY, 0, &tell) ||
	    lm_cnode_mint(p1.cnode, (1u << cnode_bits(p1.cnode)) - 1, LM_SLOT_CNODE, tell,
			  LM_R_ALL, copy))
		bad = 0x200;
	if (!r && (lm_fork_wait(&p2, &ti) || ti.state != LM_TS_EXITED || ti.exit_code))
		bad = bad ? bad : ti.exit_code ? ti.exit_code : 0x300;
	if (lm_fork_wait(&p1, &ti) || ti.state != LM_TS_EXITED)
		bad = bad ? bad : 0x400;
	else if (ti.exit_code)
		bad = bad ? bad : ti.exit_code;
	if (tell)
		lm_obj_free(tell);
	return bad;
}

/* A hostile child tries to write its parent's memory through the
 * capabilities fork gave it. */
static const lm_u64 ro_cell = 0x5244; /* .rodata (const volatile goes in .data) */
/* Pages of their own in .bss: the parent writes them only before the fork. */
static volatile lm_u64 quiet[512] __attribute__((aligned(LM_PAGE_SIZE)));
static volatile lm_u64 quiet2[512] __attribute__((aligned(LM_PAGE_SIZE)));

/* Never called: its first byte is what a hostile child tries to change. */
__attribute__((noinline, used)) static lm_u64 text_marker(void)
{
	return 0x7e57;
}

/* What a hostile child does with the capability fork gave it for the page
 * at va: copy it asking for every right, map the copy writable elsewhere
 * and, if that works, write v over va's first byte. 0 when the map is
 * refused with LM_ERIGHTS (a copy never has more rights than its source). */
static lm_u64 hostile_map(lm_u64 va, lm_u8 v)
{
	lm_cptr_t f = frame_at(va), t = lm_slot_alloc();
	int err;

	if (!f || !t || lm_cnode_copy(LM_SLOT_CNODE, t, LM_SLOT_CNODE, f, LM_R_ALL))
		return 1;
	err = lm_map_page(LM_SLOT_VSPACE, t, SCRATCH_VA, LM_R_READ | LM_R_WRITE);
	if (!err) {
		*(volatile lm_u8 *)(SCRATCH_VA + (va & (LM_PAGE_SIZE - 1))) = v;
		lm_vspace_unmap(t);
	}
	lm_cnode_delete(LM_SLOT_CNODE, t);
	lm_slot_free(t);
	return err == LM_ERIGHTS ? 0 : 2;
}

/* Or it makes its own read-only mapping of the page writable and writes
 * through it: refused with LM_ERIGHTS too. */
static lm_u64 hostile_protect(lm_u64 va, lm_u8 v)
{
	int err = lm_vspace_protect(LM_SLOT_VSPACE, va & ~(lm_u64)(LM_PAGE_SIZE - 1), 1,
				    LM_R_READ | LM_R_WRITE, 0);

	if (!err)
		*(volatile lm_u8 *)va = v;
	return err == LM_ERIGHTS ? 0 : 4;
}

/* The text, read-only data and bootinfo page a child shares with its
 * parent: it cannot get them written. */
static lm_u64 shared_read_only(void)
{
	const volatile lm_u8 *text = (const volatile lm_u8 *)(lm_u64)text_marker;
	lm_u8 text0 = *text;
	struct lm_proc p;
	struct lm_thread_info ti;
	lm_u64 desc;

	int r = lm_fork(&p);
	if (r == LM_FORK_CHILD) {
		lm_u64 bad = hostile_map((lm_u64)text, 0xcc);

		bad |= hostile_map((lm_u64)&ro_cell, 0x66) << 4;
		bad |= hostile_protect((lm_u64)&ro_cell, 0x77) << 8;
		bad |= (lm_u64)(lm_cnode_identify(LM_SLOT_CNODE, LM_SLOT_BOOTINFO, &desc, 0, 0) ||
				LM_ID_RIGHTS(desc) & LM_R_WRITE) << 12;
		lm_thread_exit(bad ? 0x10000 | bad : 0);
	}
	if (r)
		return 0x100 + r;
	if (lm_fork_wait(&p, &ti) || ti.state != LM_TS_EXITED)
		return 0x200;
	if (*text != text0 || rd((const volatile lm_u64 *)&ro_cell) != 0x5244)
		return 0x300; /* changed by the child */
	return ti.exit_code;
}

/* A writable page the parent has not written since the fork: the child
 * and a grandchild (which asks the child, which asks the parent) map the
 * parent's frame read-only, and cannot get it written. */
static lm_u64 unwritten_pages(void)
{
	struct lm_proc p;
	struct lm_thread_info ti;

	wr(&quiet[0], 77);
	wr(&quiet2[0], 88);
	int r = lm_fork(&p);
	if (r == LM_FORK_CHILD) {
		lm_u64 bad = (lm_u64)(rd(&quiet[0]) != 77) << 3; /* fetched, mapped read-only */

		bad |= hostile_map((lm_u64)&quiet[0], 0x55);
		bad |= hostile_protect((lm_u64)&quiet[1], 0x55);
		r = lm_fork(&p); /* quiet2 untouched here: the grandchild's asks go up */
		if (r == LM_FORK_CHILD) {
			bad = (lm_u64)(rd(&quiet2[0]) != 88) << 3;
			bad |= hostile_map((lm_u64)&quiet2[0], 0x55);
			bad |= hostile_protect((lm_u64)&quiet2[1], 0x55);
			lm_thread_exit(bad ? 0x20000 | bad : 0);
		}
		if (r || lm_fork_wait(&p, &ti) || ti.state != LM_TS_EXITED)
			lm_thread_exit(0x30000);
		lm_thread_exit(ti.exit_code ? ti.exit_code : bad ? 0x10000 | bad : 0);
	}
	if (r)
		return 0x100 + r;
	if (lm_fork_wait(&p, &ti) || ti.state != LM_TS_EXITED)
		return 0x200;
	if (rd(&quiet[0]) != 77 || rd(&quiet[1]) || rd(&quiet2[0]) != 88 || rd(&quiet2[1]))
		return 0x300; /* changed by a descendant */
	return ti.exit_code;
}

/* Two pages of its own, written before the fork: the child reads the
 * first and writes the second. */
static volatile lm_u64 forget_b[512] __attribute__((aligned(LM_PAGE_SIZE)));
static volatile lm_u64 forget_c[512] __attribute__((aligned(LM_PAGE_SIZE)));
static lm_cptr_t forget_slot_a; /* a frame of the parent's, from its slot allocator */

/* lm_fork_forget in a child: 1 for a frame of its parent's it never
 * fetched (the slot in use in its allocator, empty in its CNode), 0 for
 * one it fetched, one of its own, slot 0, a slot past its CNode or free;
 * 0 in a process never forked. */
static lm_u64 forget(void)
{
	struct lm_proc p;
	struct lm_thread_info ti;

	wr(&forget_b[0], 0xb);
	wr(&forget_c[0], 0xc);
	if (lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &forget_slot_a))
		return 0x10;
	if (lm_fork_forget(forget_slot_a) != 0)
		return 0x20;
	int r = lm_fork(&p);
	if (r == LM_FORK_CHILD) {
		lm_u64 bad = 0;
		lm_cptr_t fa = forget_slot_a, fb, fc, free_slot = lm_slot_alloc();

		bad |= rd(&forget_b[0]) != 0xb; /* fetched, mapped read-only */
		wr(&forget_c[0], 0xcc);         /* copied: a frame of its own */
		fb = frame_at((lm_u64)forget_b);
		fc = frame_at((lm_u64)forget_c);
		lm_slot_free(free_slot);
		bad |= (lm_u64)(!fb || !fc || !free_slot) << 1;
		bad |= (lm_u64)(lm_fork_forget(fb) != 0) << 2;
		bad |= (lm_u64)(lm_fork_forget(fc) != 0) << 3;
		bad |= (lm_u64)(lm_fork_forget(0) != 0) << 4;
		bad |= (lm_u64)(lm_fork_forget(1u << 30) != 0) << 5;
		bad |= (lm_u64)(lm_fork_forget(free_slot) != 0) << 6;
		bad |= (lm_u64)(lm_fork_forget(fa) != 1) << 7;
		bad |= (lm_u64)(lm_fork_forget(fa) != 0) << 8; /* its slot free now */
		lm_thread_exit(bad);
	}
	if (r)
		return 0x100 + r;
	if (lm_fork_wait(&p, &ti))
		return 0x200;
	lm_obj_free(forget_slot_a);
	if (ti.state != LM_TS_EXITED)
		return 0x300;
	return ti.exit_code ? 0x1000 | ti.exit_code : 0;
}

/* A page written before two forks: the first child's read fetches it
 * (the fork server logs its slot as hot), the second child holds its
 * frame from the fork on, before it touches the page. Both see the
 * parent's value, are refused a fetch of it (given once), hold it without
 * LM_R_WRITE, copy it on their write; the parent's page is unchanged. */
static volatile lm_u64 hot_cells[512] __attribute__((aligned(LM_PAGE_SIZE)));

static lm_u64 hot(void)
{
	struct lm_proc p;
	struct lm_thread_info ti;

	wr(&hot_cells[0], 0x44);
	lm_cptr_t f = frame_at((lm_u64)hot_cells); /* the child's slot of it too */
	if (!f)
		return 0x10;
	for (lm_u64 round = 0; round < 2; round++) {
		int r = lm_fork(&p);
		if (r == LM_FORK_CHILD) {
			lm_u64 bad = 0, desc = 0;
			int held = !lm_cnode_identify(LM_SLOT_CNODE, f, &desc, 0, 0) &&
				   LM_ID_TYPE(desc) == LM_OBJ_FRAME;

			bad |= (lm_u64)(held != (round == 1)); /* given at the fork? */
			bad |= (lm_u64)(held && (LM_ID_RIGHTS(desc) & LM_R_WRITE)) << 1;
			bad |= (lm_u64)(rd(&hot_cells[0]) != 0x44) << 2;
			bad |= (lm_u64)(frame_at((lm_u64)hot_cells) != f) << 3;
			bad |= (lm_u64)(lm_fork_fetch(f) != LM_ERIGHTS) << 4; /* once only */
			bad |= (lm_u64)(lm_cnode_identify(LM_SLOT_CNODE, f, &desc, 0, 0) ||
					(LM_ID_RIGHTS(desc) & LM_R_WRITE)) << 5;
			wr(&hot_cells[0], 0x55 + round); /* copied */
			bad |= (lm_u64)(rd(&hot_cells[0]) != 0x55 + round) << 6;
			bad |= (lm_u64)(frame_at((lm_u64)hot_cells) == f) << 7;
			lm_thread_exit(bad ? (round + 1) << 8 | bad : 0);
		}
		if (r)
			return 0x100 + r;
		if (lm_fork_wait(&p, &ti))
			return 0x200;
		if (ti.state != LM_TS_EXITED)
			return 0x300;
		if (ti.exit_code)
			return 0x1000 | ti.exit_code;
		if (rd(&hot_cells[0]) != 0x44)
			return 0x400 + round;
	}
	return 0;
}

/*
 * lm_fork copies the page of the parent's stack pointer for the child at
 * once and leaves it writable for the parent, but only when no other
 * child is alive (one could still ask for that frame): with a first child
 * unreaped, the second fork shares the page copy-on-write. Either way
 * each process sees the stack as it was at its fork, then its own writes.
 */
/* A child: the cell as at its fork, then its own write. */
static void stack_child(volatile lm_u64 *cell, lm_u64 want, lm_u64 code)
{
	lm_u64 bad = *cell != want;

	*cell = want * 10;
	lm_thread_exit(bad || *cell != want * 10 ? code : 0);
}

static lm_u64 stack_page(void)
{
	struct lm_proc p1, p2;
	struct lm_thread_info ti;
	volatile lm_u64 cell = 1;
	int r = lm_fork(&p1);

	if (r == LM_FORK_CHILD)
		stack_child(&cell, 1, 0x1001);
	if (r)
		return 0x100 + r;
	cell = 2; /* the first child is not reaped: this fork shares the page */
	r = lm_fork(&p2);
	if (r == LM_FORK_CHILD)
		stack_child(&cell, 2, 0x1002);
	if (r)
		return 0x200 + r;
	cell = 3;
	if (lm_fork_wait(&p1, &ti) || ti.state != LM_TS_EXITED || ti.exit_code)
		return 0x300 | ti.exit_code;
	if (lm_fork_wait(&p2, &ti) || ti.state != LM_TS_EXITED || ti.exit_code)
		return 0x400 | ti.exit_code;
	if (cell != 3)
		return 0x500;
	cell = 4; /* no child now: copied at once again */
	r = lm_fork(&p1);
	if (r == LM_FORK_CHILD)
		lm_thread_exit(cell == 4 ? 0 : 0x1003);
	if (r)
		return 0x600 + r;
	cell = 5;
	if (lm_fork_wait(&p1, &ti) || ti.state != LM_TS_EXITED || ti.exit_code)
		return 0x700 | ti.exit_code;
	return cell == 5 ? 0 : 0x800;
}

/*
 * Scenarios again with the child's CNode 4,096 slots: our slots in use
 * pushed past 2,048 (copies of our thread's capability), so that the
 * child's shell keeps its private pages (lib/fork_pages.c, shell_priv)
 * and a hostile child can try them (hostile_place's first child leaves
 * them with no access). Needs our CNode of 4,096 slots.
 */
static lm_u64 big_place(void)
{
	lm_cptr_t first = lm_slot_alloc_n(2048);
	lm_u64 bad = 0;

	if (!first)
		return 0x100;
	for (lm_u32 i = 0; i < 2048 && !bad; i++)
		if (lm_cnode_copy(LM_SLOT_CNODE, first + i, LM_SLOT_CNODE, LM_SLOT_TCB, LM_R_READ))
			bad = 0x200;
	lm_fork_set_pool_bits(20);
	if (!bad)
		bad = hostile_place();
	if (!bad)
		bad = stack_page();
	if (!bad)
		bad = own_writes();
	lm_cnode_delete_range(LM_SLOT_CNODE, first, 2048);
	lm_slot_free_n(first, 2048);
	return bad;
}

static lm_u64 run(lm_u64 mode);

int main(lm_word_t arg)
{
	const struct lm_bootinfo *bi = (const struct lm_bootinfo *)LM_BOOTINFO_VADDR;
	static struct lm_pool pool;

	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
	lm_asid_cap = bi->asid_slot; /* lm_start reads the bootinfo only when arg names it */
	lm_pool_init(&pool, 18);
	for (lm_u32 i = 0; i < bi->n_untyped; i++)
		lm_pool_add(&pool, bi->untyped[i].slot);
	lm_pool_use(&pool);
	lm_fork_set_pool_bits(20);
	static lm_u8 exc_stack[8192] __attribute__((aligned(16)));
	if (lm_vm_init(LM_SLOT_TCB, exc_stack + sizeof exc_stack, sizeof exc_stack))
		return 0xffe;
	if (arg == LM_BOOTINFO_VADDR) { /* started from the shell: all of them */
		static const char *const names[] = { 0, "own writes", "three generations",
			"on-demand pages", "100 forks", "no memory", "limits", "FPU modes",
			"later forks' pages refused", "shared pages read-only",
			"unwritten pages read-only", "a child's leftovers reach no other",
			"hostile requests refused" };
		lm_u64 bad = 0;

		for (lm_u64 m = FT_OWN_WRITES; m <= FT_LAST; m++) {
			lm_u64 r = run(m);

			lm_printf("forktest: %s: %s (%#lx)\n", names[m], r ? "FAILED" : "ok", r);
			bad |= r != 0;
		}
		return (int)bad;
	}
	return (int)run(arg);
}

/* ---- FT_REVOKED ---------------------------------------------------------------- */

#define REV_IPCBUF_VA 0x40000000000ull /* our IPC buffer: not the child's */
static struct lm_ipc_buffer *rev_ipcbuf(void)
{
	return (struct lm_ipc_buffer *)REV_IPCBUF_VA;
}

/* In the middle of the fork: the child's account made, its memory copied
 * into its chunk, the child not started. The test takes the chunk now and
 * answers; we go on as if nothing happened (the library cannot know). */
static int stop_hook(struct lm_fork_child *c, void *arg)
{
	struct lm_msg m;

	return lm_ep_call(FT_SLOT_TEST, LM_MSG_INFO(FT_STOP, 0, 0), 0, 0, 0, 0, &m);
}

/* Our children's memory from the account at FT_SLOT_ACCT; the test revokes
 * the child's chunk while we are stopped in the fork. Whatever follows (a
 * fork that fails, or a child that faults at once, its memory gone), we
 * must come back to report it and reap the child: no hang. */
static volatile lm_u64 rev_mark LM_PRIVATE; /* ours; the child's copy */

static lm_u64 revoked(void)
{
	struct lm_proc p;
	struct lm_thread_info ti = { 0 };
	struct lm_msg m;
	lm_cptr_t f;

	if (lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f) ||
	    lm_map_page(LM_SLOT_VSPACE, f, REV_IPCBUF_VA, LM_R_READ | LM_R_WRITE) ||
	    lm_thread_set_ipc_buffer(LM_SLOT_TCB, f))
		return 0x100;
	lm_mem_use(FT_SLOT_ACCT, rev_ipcbuf);
	rev_mark = 0x5a5a;
	int r = lm_fork_ex(&p, stop_hook, 0);
	if (r == LM_FORK_CHILD)
		lm_thread_exit(0x77); /* if its memory were still there */
	int w = r ? 0 : lm_fork_wait(&p, &ti);
	/* Our state is intact and the account lends again: a plain fork
	 * whose child reads our mark back. w3 = its result | the child's
	 * exit code << 8. */
	struct lm_thread_info ti2 = { 0 };
	int r2 = lm_fork(&p);
	if (r2 == LM_FORK_CHILD)
		lm_thread_exit(rev_mark == 0x5a5a ? 0x55 : 0x66);
	if (!r2 && lm_fork_wait(&p, &ti2))
		ti2.exit_code = 0xff;
	lm_ep_call(FT_SLOT_TEST, LM_MSG_INFO(FT_DONE, 4, 0), (lm_u64)r, ti.state, (lm_u64)w,
		   (lm_u64)r2 | (lm_u64)(ti2.exit_code & 0xff) << 8, &m);
	lm_mem_use(0, 0);
	return 0;
}

static lm_u64 run(lm_u64 mode)
{
	switch (mode) {
	case FT_OWN_WRITES:
		return own_writes();
	case FT_GENERATIONS:
		lm_fork_set_pool_bits(21); /* 2 MiB, 512 KiB, 128 KiB down the line */
		lm_u64 r = generations(0, 3);
		lm_fork_set_pool_bits(20);
		return r;
	case FT_ON_DEMAND:
		return on_demand();
	case FT_MANY:
		return many();
	case FT_NO_MEMORY:
		return no_memory();
	case FT_LIMITS:
		lm_fork_set_pool_bits(17); /* LM_FORK_MAX_CHILDREN (8) at once: small ones */
		lm_u64 l = limits();
		lm_fork_set_pool_bits(20);
		return l;
	case FT_FPU:
		return fpu_modes();
	case FT_LATER_FORK:
		return later_fork();
	case FT_SHARED_RO:
		return shared_read_only();
	case FT_UNWRITTEN:
		return unwritten_pages();
	case FT_HOSTILE_PLACE:
		return hostile_place();
	case FT_HOSTILE_ASKS:
		return hostile_asks();
	case FT_KEEP_ONE:
		return keep_one();
	case FT_REVOKED:
		return revoked();
	case FT_FORGET:
		return forget();
	case FT_STACK:
		return stack_page();
	case FT_BIG_PLACE:
		return big_place();
	case FT_HOT:
		return hot();
	}
	return 0xfff;
}
