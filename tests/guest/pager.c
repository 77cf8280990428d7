/* Fault IPC: a thread without an in-process handler sends its faults to a
 * pager through its fault endpoint; the pager fixes things and replies,
 * and the thread carries on (include/lamina/exception.h). */
#include "harness.h"
#include "../../apps/probe.h"

/* Fault sites; *_after is where a pager that skips the fault resumes. */
__asm__(".text\n"
	".globl p_st, p_st_after, p_ud, p_ud_after, p_bp, p_bp_after\n"
	"p_st: movq $0x42, (%rdi)\n"
	"p_st_after: ret\n"
	"p_ud: ud2\n"
	"p_ud_after: ret\n"
	"p_bp: int3\n"
	"p_bp_after: ret\n");
extern char p_st[], p_st_after[], p_ud[], p_ud_after[], p_bp[], p_bp_after[];
void p_call_st(lm_u64 addr) __asm__("p_st");
void p_call_ud(void) __asm__("p_ud");
void p_call_bp(void) __asm__("p_bp");

#define RESUME        LM_MSG_INFO(LM_FAULT_RESUME, 0, 0)
#define RESUME_AT     LM_MSG_INFO(LM_FAULT_RESUME_AT, 1, 0)
#define FAULT_INFO    LM_MSG_INFO(LM_FAULT_MSG, 4, 0)

static lm_word_t store_at(lm_word_t va)
{
	p_call_st(va);
	return *(volatile lm_u64 *)va == 0x42 ? 0 : 1;
}

static lm_word_t do_ud(lm_word_t arg)
{
	p_call_ud();
	return 7;
}

static lm_word_t do_bp(lm_word_t arg)
{
	p_call_bp();
	return 9;
}

/* A thread of ktest running fn(arg) with ep as its fault endpoint. */
static lm_cptr_t paged_thread(lm_thread_fn fn, lm_word_t arg, lm_cptr_t ep)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r;

	if (!t || lm_thread_set_fault_ep(t, ep))
		return 0;
	lm_thread_regs(&r, fn, arg, t_stack());
	if (lm_thread_write_regs(t, &r) || lm_thread_set_priority(t, T_PRIO) ||
	    lm_thread_resume(t))
		return 0;
	return t;
}

TEST(pager_maps_the_page_and_the_thread_resumes)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), frame = t_new(LM_OBJ_FRAME, 12);
	lm_cptr_t badged = t_slot();
	lm_u64 va = T_VA_PAGE(7) + 16;
	struct lm_msg m;
	struct lm_thread_info ti;

	CHECK(ep && frame && badged);
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, badged, LM_SLOT_CNODE, ep, LM_R_ALL, 0x77));
	lm_cptr_t t = paged_thread(store_at, va, badged);
	CHECK(t);
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), LM_FAULT_MSG);
	CHECK_EQ(m.info, FAULT_INFO);
	CHECK_EQ(m.badge, 0x77);
	CHECK_EQ(m.w[0], LM_FAULT_PF);
	CHECK_EQ(m.w[1], va);
	CHECK_EQ(m.w[2] & 7, 6); /* not present, write, user */
	CHECK_EQ(m.w[3], (lm_u64)p_st);
	CHECK(t_blocked(t));
	/* the pager may look at the registers while the thread waits */
	struct lm_regs r;
	CHECK_OK(lm_thread_read_regs(t, &r));
	CHECK_EQ(r.rip, (lm_u64)p_st);
	CHECK_EQ(r.rdi, va);
	CHECK_OK(t_map(frame, T_VA_PAGE(7), LM_R_READ | LM_R_WRITE));
	CHECK_OK(lm_ep_reply(RESUME, 0, 0, 0, 0));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0);
	CHECK_EQ(*(volatile lm_u64 *)va, 0x42);
}

TEST(pager_sees_every_exception_kind_and_can_skip_the_instruction)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0);
	struct lm_msg m;
	struct lm_thread_info ti;

	CHECK(ep);
	lm_cptr_t t = paged_thread(do_ud, 0, ep);
	CHECK(t);
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(m.w[0], LM_FAULT_UD);
	CHECK_EQ(m.w[3], (lm_u64)p_ud);
	CHECK_OK(lm_ep_reply(RESUME_AT, (lm_u64)p_ud_after, 0, 0, 0));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 7);

	t = paged_thread(do_bp, 0, ep);
	CHECK(t);
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(m.w[0], LM_FAULT_BP);
	CHECK_EQ(m.w[3], (lm_u64)p_bp_after); /* a trap: past the int3 */
	CHECK_OK(lm_ep_reply(RESUME, 0, 0, 0, 0));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.exit_code, 9);
}

TEST(pager_resume_without_a_fix_faults_again)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0);
	struct lm_msg m;
	struct lm_thread_info ti;

	CHECK(ep);
	lm_cptr_t t = paged_thread(do_ud, 0, ep);
	CHECK(t);
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_OK(lm_ep_reply_recv(ep, RESUME, 0, 0, 0, 0, &m)); /* same fault again */
	CHECK_EQ(m.w[0], LM_FAULT_UD);
	CHECK_EQ(m.w[3], (lm_u64)p_ud);
	CHECK_OK(lm_ep_reply(RESUME_AT, (lm_u64)p_ud_after, 0, 0, 0));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.exit_code, 7);
}

static lm_cptr_t fp_ep;
static lm_word_t store_then_ud(lm_word_t va);

/* Sends one message to fp_ep, so that a pager waiting there wakes. */
static lm_word_t poke(lm_word_t arg)
{
	return (lm_word_t)lm_ep_send(fp_ep, LM_MSG_INFO(5, 1, 0), arg, 0, 0, 0);
}

/* One pager session with the fast path on or off: the thread faults at
 * p_st (page absent), the pager maps the page and answers RESUME with
 * EP_REPLY_RECV (the store is retried with the thread's registers as they
 * were), the thread faults at p_ud, the pager answers RESUME_AT past it
 * and receives the next message, a poke. *hits: the fast-path hits. */
static void fault_session(lm_u64 fast, lm_u64 va, lm_cptr_t frame, lm_u64 seen[4], lm_u64 *hits)
{
	struct lm_msg m;
	struct lm_thread_info ti;
	lm_u64 out[LM_SYS_NOUT];

	fp_ep = t_new(LM_OBJ_ENDPOINT, 0);
	CHECK(fp_ep);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, fast, 0, 0, 0, 0, out), LM_OK);
	*hits = out[1];
	lm_cptr_t t = paged_thread(store_then_ud, va, fp_ep);
	CHECK(t);
	CHECK_OK(lm_ep_recv(fp_ep, &m));
	seen[0] = m.w[0];
	CHECK_OK(t_map(frame, va & ~0xfffull, LM_R_READ | LM_R_WRITE));
	CHECK_OK(lm_ep_reply_recv(fp_ep, RESUME, 0, 0, 0, 0, &m));
	seen[1] = m.w[0];
	seen[2] = m.w[3];
	lm_cptr_t p = t_thread_new();
	CHECK(p);
	/* Same priority: it runs once we wait, after the paged thread. */
	CHECK_OK(lm_thread_start(p, poke, 0x99, t_stack(), T_PRIO));
	CHECK_OK(lm_ep_reply_recv(fp_ep, RESUME_AT, (lm_u64)p_ud_after, 0, 0, 0, &m));
	seen[3] = m.w[0];
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x42);
	CHECK_OK(t_wait(p, &ti));
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	CHECK_OK(lm_vspace_unmap(frame));
	*hits = out[1] - *hits;
}

/* Faults and fault replies on the IPC fast path keep the general path's
 * rules: the same messages, the thread's registers stay (its retried store
 * uses rdi), RESUME_AT sets only rip, and the pager's receive goes on. */
TEST(pager_faults_and_replies_take_the_fast_path_with_the_same_results)
{
	lm_cptr_t frame = t_new(LM_OBJ_FRAME, 12);
	lm_u64 fast[4], slow[4], hits_slow, hits_fast;

	CHECK(frame);
	fault_session(0, T_VA_PAGE(11) + 8, frame, slow, &hits_slow);
	fault_session(1, T_VA_PAGE(11) + 8, frame, fast, &hits_fast);
	CHECK_EQ(hits_slow, 0);
	CHECK(hits_fast >= 4); /* the two faults sent and their two replies */
	for (int i = 0; i < 4; i++)
		CHECK_EQ(fast[i], slow[i]);
	CHECK_EQ(slow[0], LM_FAULT_PF);
	CHECK_EQ(slow[1], LM_FAULT_UD);
	CHECK_EQ(slow[2], (lm_u64)p_ud);
	CHECK_EQ(slow[3], 0x99);
}

/* A thread that faults on a store, then on ud2; 0x42 if the store landed. */
static lm_word_t store_then_ud(lm_word_t va)
{
	p_call_st(va);
	p_call_ud();
	return *(volatile lm_u64 *)va;
}

/* Replies that are not a valid answer stop the faulting thread, with a
 * reason, and never resume it somewhere strange. */
static void garbage_reply(lm_u64 info, lm_u64 w0)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0);
	struct lm_msg m;
	struct lm_thread_info ti;

	CHECK(ep);
	lm_cptr_t t = paged_thread(store_at, T_VA_PAGE(9), ep);
	CHECK(t);
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_OK(lm_ep_reply(info, w0, 1, 2, 3));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PAGER_REPLY);
	CHECK_EQ(ti.fault_error, LM_FAULT_PF);
	CHECK_EQ(ti.fault_addr, T_VA_PAGE(9));
	CHECK_EQ(ti.fault_rip, (lm_u64)p_st);
}

TEST(pager_garbage_label_stops_the_thread)
{
	garbage_reply(LM_MSG_INFO(0x1234, 4, 0), 0);
}

TEST(pager_resume_at_a_kernel_address_stops_the_thread)
{
	garbage_reply(RESUME_AT, T_KERNEL_ADDR);
}

TEST(pager_resume_at_without_the_word_stops_the_thread)
{
	garbage_reply(LM_MSG_INFO(LM_FAULT_RESUME_AT, 0, 0), (lm_u64)p_st_after);
}

static lm_cptr_t pager_ep;

/* A pager that takes one fault and exits without answering. */
static lm_word_t dying_pager(lm_word_t arg)
{
	struct lm_msg m;
	lm_ep_recv(pager_ep, &m);
	return m.w[0];
}

TEST(pager_that_exits_without_replying_stops_the_thread)
{
	struct lm_thread_info ti, pi;

	pager_ep = t_new(LM_OBJ_ENDPOINT, 0);
	CHECK(pager_ep);
	lm_cptr_t p = t_thread(dying_pager, 0, T_PRIO);
	CHECK(p && t_blocked(p));
	lm_cptr_t t = paged_thread(do_ud, 0, pager_ep);
	CHECK(t);
	CHECK_OK(t_wait(p, &pi));
	CHECK_EQ(pi.state, LM_TS_EXITED);
	CHECK_EQ(pi.exit_code, LM_FAULT_UD);
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PAGER_GONE);
	CHECK_EQ(ti.fault_error, LM_FAULT_UD);
}

TEST(pager_deleted_while_owing_a_reply_stops_the_thread)
{
	struct lm_thread_info ti;

	pager_ep = t_new(LM_OBJ_ENDPOINT, 0);
	CHECK(pager_ep);
	lm_cptr_t p = t_thread(dying_pager, 0, T_PRIO - 1); /* runs only when we wait */
	CHECK(p);
	CHECK_OK(lm_thread_suspend(p));
	lm_cptr_t t = paged_thread(do_ud, 0, pager_ep);
	CHECK(t && t_blocked(t)); /* queued: nobody receives yet */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, p));
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_BLOCKED); /* the endpoint is still there */
	CHECK_OK(lm_cnode_revoke(LM_SLOT_CNODE, pager_ep)); /* its copy in t goes too */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, pager_ep));
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PAGER_GONE);
}

static lm_cptr_t never;

/* A pager that takes one fault and then waits for something else. */
static lm_word_t stuck_pager(lm_word_t arg)
{
	struct lm_msg m;
	lm_ep_recv(pager_ep, &m);
	lm_ntfn_wait(never, 0);
	return 0;
}

TEST(pager_deleted_while_serving_stops_the_thread)
{
	struct lm_thread_info ti;

	pager_ep = t_new(LM_OBJ_ENDPOINT, 0);
	never = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(pager_ep && never);
	lm_cptr_t p = t_thread(stuck_pager, 0, T_PRIO);
	CHECK(p && t_blocked(p));
	lm_cptr_t t = paged_thread(do_ud, 0, pager_ep);
	CHECK(t && t_blocked(t) && t_blocked(p));
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_BLOCKED); /* waiting for the pager's answer */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, p));
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PAGER_GONE);
	CHECK_EQ(ti.fault_error, LM_FAULT_UD);
}

TEST(pager_suspending_the_thread_withdraws_the_fault)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0);
	struct lm_msg m;
	struct lm_thread_info ti;

	CHECK(ep);
	lm_cptr_t t = paged_thread(do_ud, 0, ep);
	CHECK(t && t_blocked(t));
	CHECK_OK(lm_thread_suspend(t));
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_INACTIVE);
	CHECK_OK(lm_thread_resume(t)); /* runs the ud2 again: a new fault */
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(m.w[0], LM_FAULT_UD);
	CHECK_EQ(m.w[3], (lm_u64)p_ud);
	CHECK_OK(lm_ep_reply(RESUME_AT, (lm_u64)p_ud_after, 0, 0, 0));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.exit_code, 7);
}

TEST(pager_an_in_process_handler_comes_first)
{
	static lm_u8 stack[8192] __attribute__((aligned(16)));
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0);
	lm_cptr_t t = t_thread_new();
	struct lm_regs r;
	struct lm_thread_info ti;

	CHECK(ep && t);
	CHECK_OK(lm_thread_set_fault_ep(t, ep));
	/* an entry that is unmapped makes the delivery itself fault, which
	 * must not go to the pager either */
	CHECK_OK(lm_thread_set_exception(t, T_VA_FRESH(3), (lm_u64)stack + sizeof stack,
					 sizeof stack));
	lm_thread_regs(&r, do_ud, 0, t_stack());
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, &ti));
	/* the upcall went to the (unmapped) entry, whose page fault is again an
	 * upcall on the same stack, and so on until the stack is full */
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_EXC_STACK);
	CHECK_EQ(ti.fault_error, LM_FAULT_PF);
}

TEST(pager_serves_two_address_spaces_told_apart_by_badge)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0);
	lm_cptr_t b1 = t_slot(), b2 = t_slot();
	lm_cptr_t f1 = t_new(LM_OBJ_FRAME, 12), f2 = t_new(LM_OBJ_FRAME, 12);
	struct lm_proc p1, p2;
	struct lm_spawn a = { 0 };
	struct lm_msg m;
	struct lm_thread_info ti;

	CHECK(ep && b1 && b2 && f1 && f2);
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, b1, LM_SLOT_CNODE, ep, LM_R_WRITE, 1));
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, b2, LM_SLOT_CNODE, ep, LM_R_WRITE, 2));
	a.image = t_module("probe", &a.size);
	CHECK(a.image);
	a.prio = T_PRIO;
	a.cnode_bits = 6;
	a.suspended = 1;
	a.arg = PROBE_ARG(PROBE_WRITE, PROBE_MAP_VADDR);
	CHECK_OK(lm_spawn(&a, &p1));
	CHECK_OK(lm_spawn(&a, &p2));
	CHECK_OK(lm_thread_set_fault_ep(p1.tcb, b1));
	CHECK_OK(lm_thread_set_fault_ep(p2.tcb, b2));
	CHECK_OK(lm_proc_start(&p1));
	CHECK_OK(lm_proc_start(&p2));
	/* map ktest's own view of each frame, then give the process a copy */
	CHECK_OK(t_map(f1, T_VA_PAGE(10), LM_R_READ));
	CHECK_OK(t_map(f2, T_VA_PAGE(11), LM_R_READ));
	lm_cptr_t c1 = t_copy(f1, LM_R_ALL), c2 = t_copy(f2, LM_R_ALL);
	CHECK(c1 && c2);
	int seen = 0;
	for (int i = 0; i < 2; i++) {
		CHECK_OK(lm_ep_recv(ep, &m));
		CHECK_EQ(m.w[0], LM_FAULT_PF);
		CHECK_EQ(m.w[1], PROBE_MAP_VADDR);
		CHECK(m.badge == 1 || m.badge == 2);
		seen |= 1 << m.badge;
		const struct lm_proc *p = m.badge == 1 ? &p1 : &p2;
		CHECK_OK(lm_vspace_map(p->vspace, m.badge == 1 ? c1 : c2, PROBE_MAP_VADDR,
				       LM_R_READ | LM_R_WRITE));
		CHECK_OK(lm_ep_reply(RESUME, 0, 0, 0, 0));
	}
	CHECK_EQ(seen, 6);
	CHECK_OK(t_wait(p1.tcb, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_OK(t_wait(p2.tcb, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(10), 0x5a5a5a5a5a5a5a5aull);
	CHECK_EQ(*(volatile lm_u64 *)T_VA_PAGE(11), 0x5a5a5a5a5a5a5a5aull);
}

TEST(pager_set_fault_ep_bad_arguments_return_errors)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), ntfn = t_new(LM_OBJ_NOTIFY, 0);
	lm_cptr_t t = t_thread_new();
	CHECK(ep && ntfn && t);
	lm_cptr_t ro_ep = t_copy(ep, LM_R_READ), ro_t = t_copy(t, LM_R_READ);
	CHECK(ro_ep && ro_t);

	CHECK_ERR(lm_thread_set_fault_ep(t_slot(), ep), LM_ECAP);
	CHECK_ERR(lm_thread_set_fault_ep(0, ep), LM_ECAP);
	CHECK_ERR(lm_thread_set_fault_ep(LM_SLOT_VSPACE, ep), LM_ETYPE);
	CHECK_ERR(lm_thread_set_fault_ep(ro_t, ep), LM_ERIGHTS);
	CHECK_ERR(lm_thread_set_fault_ep(t, t_slot()), LM_ECAP);
	CHECK_ERR(lm_thread_set_fault_ep(t, ntfn), LM_ETYPE);
	CHECK_ERR(lm_thread_set_fault_ep(t, ro_ep), LM_ERIGHTS); /* cannot send */
	CHECK_ERR(lm_thread_set_fault_ep(t, 1ull << 40), LM_ECAP);
	CHECK_OK(lm_thread_set_fault_ep(t, ep));
	CHECK_OK(lm_thread_set_fault_ep(t, ep)); /* again: replaces its copy */
	CHECK_OK(lm_thread_set_fault_ep(t, 0));  /* off */

	/* off: a fault just stops the thread, as without a pager */
	struct lm_regs r;
	struct lm_thread_info ti;
	lm_thread_regs(&r, do_ud, 0, t_stack());
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_UD);
}
