/*
 * forktest's scenarios of what a child may get of its parent's pages:
 * frames shared only at a later fork, read-only sharing, unwritten pages,
 * lm_fork_forget, the hot slots, the stack page and a large child CNode
 * (split from forktest.c, which runs them).
 */
#include "forktest_int.h"

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

lm_u64 later_fork(void)
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
lm_u64 shared_read_only(void)
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
lm_u64 unwritten_pages(void)
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
lm_u64 forget(void)
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

lm_u64 hot(void)
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

lm_u64 stack_page(void)
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
lm_u64 big_place(void)
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
