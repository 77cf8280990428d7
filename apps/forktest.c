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

lm_u64 own_writes(void)
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
