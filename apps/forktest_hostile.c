/*
 * forktest's hostile scenarios (FT_HOSTILE_PLACE, FT_HOSTILE_ASKS): what a
 * child can leave in its place, and ask of its parent's fork server, never
 * reaches the parent or the next child. Split from forktest.c.
 */
#include "forktest_int.h"

#define HOSTILE_VA 0x30000000000ull /* on-demand pages: frames the parent recycles */
static struct lm_vm_anon hostile_mem;
static lm_cptr_t hostile_frames[4];

/* A foreign (reflected) system-call entry a hostile child leaves on its
 * thread: a reflected call would return 0x5eed instead of LM_ENOSYS. */
void ft_foreign(void);
__asm__(".text\n.globl ft_foreign\n.type ft_foreign,@function\n"
	"ft_foreign:\n\tmov $0x5eed, %eax\n\tjmp *%rcx\n");

/* The child's capability to its parent's fork server: the one badged
 * endpoint in its CNode. */
static lm_cptr_t fork_ep(void)
{
	lm_u64 desc, badge;

	for (lm_cptr_t s = 1; s < 1u << cnode_bits(LM_SLOT_CNODE); s++)
		if (!lm_cnode_identify(LM_SLOT_CNODE, s, &desc, &badge, 0) &&
		    LM_ID_TYPE(desc) == LM_OBJ_ENDPOINT && badge)
			return s;
	return 0;
}

/* Take the next fault with no exception handler: the thread stops, or its
 * fault goes to whatever fault endpoint the thread has. */
static void fault_unhandled(void)
{
	lm_u64 nowhere = 8;

	__asm__("" : "+r"(nowhere)); /* an address the compiler cannot see */
	lm_thread_set_exception(LM_SLOT_TCB, 0, 0, 0);
	rd((volatile lm_u64 *)nowhere);
	lm_thread_exit(0x7000); /* never: nothing is mapped at 8 */
}

extern char __lm_private_start[], __lm_private_end[];

/* The first child: maps its copy of a parent frame and leaves it, mapped,
 * in its slot 1; swaps slots 2 and 3 (its address space and thread);
 * leaves its thread a foreign entry and the fork server as fault
 * endpoint, and its private pages with no access (the next child's
 * fault path uses them: its parent must make them writable again). */
static void leave_things(void)
{
	volatile lm_u64 *page = (volatile lm_u64 *)HOSTILE_VA;
	lm_cptr_t top = (1u << cnode_bits(LM_SLOT_CNODE)) - 1, f, t = lm_slot_alloc(), ep;
	lm_u64 bad = 0;

	bad |= rd(page) != 0x11; /* fetched: our read-only copy of its frame */
	f = frame_at(HOSTILE_VA);
	ep = fork_ep();
	if (!f || !t || !ep || lm_cnode_copy(LM_SLOT_CNODE, t, LM_SLOT_CNODE, f, LM_R_READ) ||
	    lm_map_page(LM_SLOT_VSPACE, t, SCRATCH_VA, LM_R_READ) ||
	    lm_thread_set_foreign(LM_SLOT_TCB, (lm_u64)ft_foreign) ||
	    lm_thread_set_fault_ep(LM_SLOT_TCB, ep))
		bad |= 2;
	if (lm_vspace_protect(LM_SLOT_VSPACE, (lm_u64)__lm_private_start,
			      (lm_u64)(__lm_private_end - __lm_private_start) / LM_PAGE_SIZE,
			      0, 0)) /* no access */
		bad |= 8;
	/* From here slot 1 is not our CNode: `top` is. */
	if (bad || lm_cnode_move(LM_SLOT_CNODE, top, LM_SLOT_CNODE, LM_SLOT_CNODE) ||
	    lm_cnode_move(top, LM_SLOT_CNODE, top, t) ||
	    lm_cnode_move(top, top - 1, top, LM_SLOT_VSPACE) ||
	    lm_cnode_move(top, LM_SLOT_VSPACE, top, LM_SLOT_TCB) ||
	    lm_cnode_move(top, LM_SLOT_TCB, top, top - 1))
		bad |= 4;
	lm_thread_exit(bad ? 0x10000 | bad : 0);
}

/* The next child in the same place: it finds its slots 1-3 as a new
 * child does, nothing mapped where the first left a frame, no foreign
 * entry, its private pages writable. (Its fault endpoint the third
 * checks.) */
static lm_u64 find_nothing(void)
{
	static const lm_u32 types[] = { 0, LM_OBJ_CNODE, LM_OBJ_VSPACE, LM_OBJ_TCB };
	lm_u64 desc, badge, st, rights, bad = 0;

	for (lm_cptr_t s = 1; s <= 3; s++)
		if (lm_cnode_identify(LM_SLOT_CNODE, s, &desc, &badge, 0) ||
		    LM_ID_TYPE(desc) != types[s] || LM_ID_RIGHTS(desc) != LM_R_ALL || badge)
			bad |= 1;
	if (lm_vspace_page_state(LM_SLOT_VSPACE, SCRATCH_VA, 0, &st, &rights) != LM_ENOENT)
		bad |= 2; /* what the first child mapped, a frame the parent reuses */
	if (lm_syscall6(39, 0, 0, 0, 0, 0, 0, 0) != LM_ENOSYS) /* Linux getpid */
		bad |= 4;
	lm_cptr_t s = lm_slot_alloc(); /* writes the slot bitmap, a private page */
	if (!s)
		bad |= 8;
	lm_slot_free(s);
	return bad ? 0x20000 | bad : 0;
}

lm_u64 hostile_place(void)
{
	volatile lm_u64 *page = (volatile lm_u64 *)HOSTILE_VA;
	struct lm_proc p;
	struct lm_thread_info ti;
	lm_u64 bad = 0;

	if (lm_vm_anon_init(&hostile_mem, HOSTILE_VA, 4 * LM_PAGE_SIZE, LM_R_READ | LM_R_WRITE,
			    hostile_frames))
		return 0x100;
	wr(page, 0x11);
	for (int n = 0; n < 3 && !bad; n++) {
		int r = lm_fork(&p);

		if (r == LM_FORK_CHILD) {
			if (n == 0)
				leave_things();
			if (n == 2)
				fault_unhandled();
			lm_thread_exit(find_nothing());
		}
		if (r) {
			bad = 0x200 + (lm_u64)r;
			break;
		}
		/* Copied: the frame the first child mapped goes back to our
		 * library when it is reaped, to be reused for our next copy. */
		wr(&page[512 * n], 0x22 + n);
		if (lm_fork_wait(&p, &ti))
			bad = 0x300;
		else if (n < 2 && (ti.state != LM_TS_EXITED || ti.exit_code))
			bad = ti.exit_code ? ti.exit_code : 0x400 + (lm_u64)n;
		else if (n == 2 && (ti.state != LM_TS_FAULTED || ti.fault_kind != 14 ||
				    ti.fault_addr != 8))
			bad = 0x500 + (ti.fault_kind == LM_FAULT_PAGER_REPLY); /* sent to our server */
	}
	return lm_vm_anon_destroy(&hostile_mem) && !bad ? 0x600 : bad;
}

/* A page of its own, written only before the forks. */
static volatile lm_u64 asked[512] __attribute__((aligned(LM_PAGE_SIZE)));

/* A hostile child asks its parent's fork server for what it should not
 * get: a page it holds already, with a wrong label, receives on the
 * server's endpoint, and at last makes its own faults calls to it. */
lm_u64 hostile_asks(void)
{
	struct lm_proc p;
	struct lm_thread_info ti;

	wr(&asked[0], 0x33);
	int r = lm_fork(&p);
	if (r == LM_FORK_CHILD) {
		lm_cptr_t ep = fork_ep(), f;
		struct lm_msg m;
		lm_u64 desc, bad = 0;

		bad |= rd(&asked[0]) != 0x33; /* fetched once, by the fault path */
		f = frame_at((lm_u64)asked);
		bad |= (lm_u64)(!f || !ep) << 1;
		bad |= (lm_u64)(lm_fork_fetch(f) != LM_ERIGHTS) << 2; /* again: refused */
		bad |= (lm_u64)(lm_ep_call(ep, LM_MSG_INFO(7, 1, 0), f, 0, 0, 0, &m) ||
				m.w[0] != LM_EINVAL || LM_MSG_LABEL(m.info) == 0) << 3;
		bad |= (lm_u64)(lm_cnode_identify(LM_SLOT_CNODE, ep, &desc, 0, 0) ||
				LM_ID_RIGHTS(desc) != LM_R_WRITE) << 4; /* no receive, no grant */
		bad |= (lm_u64)(lm_ep_recv(ep, &m) != LM_ERIGHTS) << 5;
		if (bad)
			lm_thread_exit(0x10000 | bad);
		/* Its faults as calls to the server: refused, so it stops
		 * rather than being told to run the fault again, forever. */
		if (lm_thread_set_fault_ep(LM_SLOT_TCB, ep))
			lm_thread_exit(0x18000);
		fault_unhandled();
	}
	if (r)
		return 0x100 + r;
	if (lm_fork_wait(&p, &ti))
		return 0x200;
	if (ti.state == LM_TS_EXITED)
		return ti.exit_code ? ti.exit_code : 0x300;
	return ti.state == LM_TS_FAULTED && ti.fault_kind == LM_FAULT_PAGER_REPLY ? 0 : 0x400;
}
