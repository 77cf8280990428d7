/*
 * Red team, third round: address-space ID ranges (kernel/asid.c) against
 * threads that live in the address spaces a range gave IDs (blocked,
 * faulting, with an exception handler, serving a call), IDs given to a
 * new address space while capabilities still record mappings in the old
 * one, ranges nested as deep as depths go; the derivation tree and
 * batched finalisation. Each test makes one attack a process can make
 * with what it holds and checks that the documented behaviour holds and
 * the kernel stays consistent (DEBUG_CHECK). docs/SECURITY.md lists them.
 */
#include <lamina/exception.h>
#include "harness.h"

#define CN   LM_SLOT_CNODE
#define RW   (LM_R_READ | LM_R_WRITE)
#define RX   (LM_R_READ | LM_R_EXEC)
#define INFO LM_MSG_INFO

static int sound(void)
{
	lm_u64 problems = 1;

	return lm_debug_check(&problems) == LM_OK && problems == 0;
}


/*
 * A foreign address space: a new one with an ID from range r, with a
 * page of code at T_VA (copied from `code`, n bytes; the rest int3) and a
 * writable page at T_VA_PAGE(1). *vs gets it; returns the code frame as
 * ktest maps it (at T_VA_PAGE(slot)), or 0.
 */
static lm_cptr_t foreign_space(lm_cptr_t r, const unsigned char *code, lm_u64 n, lm_u64 slot,
			       lm_cptr_t *vs, lm_u64 *asid)
{
	lm_cptr_t v = t_new(LM_OBJ_VSPACE, 0), f = t_frame_at(T_VA_PAGE(slot), RW), fx, st;
	unsigned char *p = (unsigned char *)T_VA_PAGE(slot);

	if (!v || !f)
		return 0;
	for (lm_u64 i = 0; i < LM_PAGE_SIZE; i++)
		p[i] = i < n ? code[i] : 0xcc;
	fx = t_copy(f, RX);
	st = t_new(LM_OBJ_FRAME, 12);
	if (!fx || !st || lm_vspace_assign(v, r, asid) || lm_map_page(v, fx, T_VA, RX) ||
	    lm_map_page(v, st, T_VA_PAGE(1), RW))
		return 0;
	*vs = v;
	return f;
}

/* A thread in vs with ktest's CSpace at T_VA with rax = nr, rdi = a1,
 * priority prio, started. */
static lm_cptr_t foreign_thread(lm_cptr_t vs, lm_u64 nr, lm_u64 a1, lm_u32 prio)
{
	lm_cptr_t t = t_new(LM_OBJ_TCB, 0);
	struct lm_regs r = { 0 };

	r.rax = nr;
	r.rdi = a1;
	r.rip = T_VA;
	r.rsp = T_VA_PAGE(2) - 64;
	r.rflags = 0x202;
	if (!t || lm_thread_configure(t, CN, vs) || lm_thread_write_regs(t, &r) ||
	    lm_thread_set_priority(t, prio) || lm_thread_resume(t))
		return 0;
	return t;
}

/* syscall; ud2 */
static const unsigned char recv_then_ud2[] = { 0x0f, 0x05, 0x0f, 0x0b };

/*
 * A thread blocked in a receive in an address space whose range is then
 * deleted: a message still reaches it (the IPC buffer is a frame, not a
 * walk of that space), it wakes on no user mapping at all and faults at
 * its next instruction: #PF, not the ud2 there, even after the same ID is
 * given to another address space with the same code at the same address.
 * It cannot be resumed; its registers can be read and written.
 */
TEST(thread_blocked_in_a_dead_address_space_wakes_on_nothing_even_after_its_id_is_reused)
{
	lm_cptr_t r = t_asid_range(1), ep = t_new(LM_OBJ_ENDPOINT, 0), vs = 0, vs2 = 0, t, r2;
	lm_u64 a1 = 0, a2 = 0;
	struct lm_thread_info ti;
	struct lm_regs regs;

	CHECK(r && ep);
	CHECK(foreign_space(r, recv_then_ud2, sizeof recv_then_ud2, 2, &vs, &a1));
	t = foreign_thread(vs, LM_SYS_EP_RECV, ep, T_PRIO);
	CHECK(t);
	CHECK(t_blocked(t));
	CHECK_OK(lm_cnode_delete(CN, r));
	CHECK(sound());
	/* The same ID, to a new address space with the same code there. */
	r2 = t_asid_range(1);
	CHECK(r2);
	CHECK_EQ(t_first_id(r2), a1);
	CHECK(foreign_space(r2, recv_then_ud2, sizeof recv_then_ud2, 3, &vs2, &a2));
	CHECK_EQ(a2, a1);
	CHECK(sound());
	CHECK_OK(lm_thread_read_regs(t, &regs));
	CHECK_EQ(regs.rip, T_VA + 2);
	CHECK_OK(lm_ep_nbsend(ep, INFO(7, 4, 0), 1, 2, 3, 4));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_rip, T_VA + 2);
	CHECK_ERR(lm_thread_resume(t), LM_ESTATE);
	CHECK_OK(lm_thread_read_regs(t, &regs));
	CHECK_EQ(regs.rdx, 1); /* the message did arrive */
	CHECK_OK(lm_thread_write_regs(t, &regs));
	CHECK_ERR(lm_thread_resume(t), LM_ESTATE);
	CHECK(sound());
}

/*
 * The same thread with an exception handler and a stack mapped in its
 * space: once the range is gone the upcall must not write that stack (a
 * walk of a dead space, whose tables may be freed memory), so the thread
 * stops with LM_FAULT_EXC_STACK.
 */
TEST(exception_upcall_of_a_thread_in_a_dead_address_space_writes_nothing)
{
	lm_cptr_t r = t_asid_range(1), ep = t_new(LM_OBJ_ENDPOINT, 0), vs = 0, f, t;
	lm_u64 a = 0;
	struct lm_thread_info ti;

	CHECK(r && ep);
	f = foreign_space(r, recv_then_ud2, sizeof recv_then_ud2, 2, &vs, &a);
	CHECK(f);
	t = foreign_thread(vs, LM_SYS_EP_RECV, ep, T_PRIO);
	CHECK(t);
	CHECK(t_blocked(t));
	CHECK_OK(lm_thread_set_exception(t, T_VA + 2, T_VA_PAGE(2), LM_PAGE_SIZE));
	CHECK_OK(lm_cnode_delete(CN, r));
	CHECK_OK(lm_ep_nbsend(ep, INFO(7, 0, 0), 0, 0, 0, 0));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_EXC_STACK);
	CHECK_EQ(ti.fault_error, LM_FAULT_PF);
	CHECK(sound());
}

static lm_word_t caller(lm_word_t ep)
{
	struct lm_msg m;

	lm_thread_exit((lm_u64)lm_ep_call(ep, INFO(1, 1, 0), 5, 0, 0, 0, &m));
}

/*
 * A server in an address space whose range is deleted while it waits for
 * calls: a caller's call reaches it, the server faults at once (no fault
 * endpoint, no handler) and the caller is not left waiting for a reply
 * that will never come.
 */
TEST(call_to_a_server_whose_address_space_died_fails_instead_of_hanging)
{
	lm_cptr_t r = t_asid_range(1), ep = t_new(LM_OBJ_ENDPOINT, 0), vs = 0, srv, c;
	lm_u64 a = 0;
	struct lm_thread_info ti;
	struct lm_regs regs;

	CHECK(r && ep);
	CHECK(foreign_space(r, recv_then_ud2, sizeof recv_then_ud2, 2, &vs, &a));
	srv = foreign_thread(vs, LM_SYS_EP_RECV, ep, T_PRIO);
	CHECK(srv);
	CHECK(t_blocked(srv));
	CHECK_OK(lm_cnode_delete(CN, r));
	c = t_thread_new();
	CHECK(c);
	lm_thread_regs(&regs, caller, ep, t_stack());
	CHECK_OK(lm_thread_write_regs(c, &regs));
	CHECK_OK(lm_thread_set_priority(c, T_PRIO));
	CHECK_OK(lm_thread_resume(c));
	CHECK_OK(t_wait(c, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_NE(ti.exit_code, LM_OK);
	CHECK_OK(t_wait(srv, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK(sound());
}


/*
 * Capabilities that recorded mappings and installed tables in an address
 * space whose ID was taken back and then given to another: unmapping and
 * deleting them must not reach the new owner's tables (the record's
 * generation is stale), the tables come back clean and may be installed
 * in the new space, and DEBUG_CHECK holds at each step.
 */
TEST(stale_mapping_records_of_a_dead_space_never_reach_the_new_owner_of_its_id)
{
	lm_cptr_t r = t_asid_range(1), v1 = t_new(LM_OBJ_VSPACE, 0), v2 = t_new(LM_OBJ_VSPACE, 0);
	lm_cptr_t f1 = t_new(LM_OBJ_FRAME, 12), f2 = t_new(LM_OBJ_FRAME, 12), pt[3], pt2[3], r2;
	lm_u64 a1 = 0, a2 = 0, bits = 0, rights = 0, level = 0;
	lm_u64 va = T_VA_FRESH(3);

	CHECK(r && v1 && v2 && f1 && f2);
	for (int i = 0; i < 3; i++) {
		pt[i] = t_new(LM_OBJ_PTABLE, 0);
		pt2[i] = t_new(LM_OBJ_PTABLE, 0);
		CHECK(pt[i] && pt2[i]);
	}
	CHECK_OK(lm_vspace_assign(v1, r, &a1));
	for (int i = 0; i < 3; i++) {
		CHECK_OK(lm_vspace_map_table(v1, pt[i], va, &level));
		CHECK_EQ(level, 3 - i);
	}
	CHECK_OK(lm_vspace_map(v1, f1, va, RW));
	CHECK_OK(lm_cnode_delete(CN, r));
	r2 = t_asid_range(1);
	CHECK(r2);
	CHECK_OK(lm_vspace_assign(v2, r2, &a2));
	CHECK_EQ(a2, a1);
	for (int i = 0; i < 3; i++)
		CHECK_OK(lm_vspace_map_table(v2, pt2[i], va, &level));
	CHECK_OK(lm_vspace_map(v2, f2, va, RW));
	CHECK(sound());
	/* The old capabilities still say "mapped"; acting on them touches
	 * nothing of v2. */
	CHECK_OK(lm_vspace_unmap(f1));
	CHECK_OK(lm_vspace_page_state(v2, va, 0, &bits, &rights));
	CHECK_EQ(rights & RW, RW);
	CHECK(sound());
	for (int i = 2; i >= 0; i--) {
		CHECK_OK(lm_vspace_unmap_table(pt[i]));
		CHECK_OK(lm_vspace_page_state(v2, va, 0, &bits, &rights));
		CHECK(sound());
	}
	/* The old tables are clean and go into v2 elsewhere; f1 maps there. */
	lm_u64 vb = T_VA_FRESH(4);
	for (int i = 0; i < 3; i++)
		CHECK_OK(lm_vspace_map_table(v2, pt[i], vb, &level));
	CHECK_OK(lm_vspace_map(v2, f1, vb, RW));
	CHECK_OK(lm_vspace_page_state(v2, va, 0, &bits, &rights));
	CHECK(sound());
	/* Deleting the dead space's capability changes nothing of v2. */
	CHECK_OK(lm_cnode_delete(CN, v1));
	CHECK_OK(lm_vspace_page_state(v2, va, 0, &bits, &rights));
	CHECK_OK(lm_vspace_page_state(v2, vb, 0, &bits, &rights));
	CHECK(sound());
}

/*
 * Ranges nested as deep as depths go (65,535), holding only two range
 * capabilities at a time: issue a child, issue its child, delete the
 * middle one (its child keeps its depth and IDs). The deepest refuses to
 * issue with LM_ELIMIT; an address space gets its ID; deleting the
 * deepest gives the ID back to the test range at once.
 */
TEST_SLOW(asids_nested_to_the_deepest_depth_refuse_one_more_and_give_back_their_id)
{
	lm_cptr_t a = t_slot(), b = t_slot(), c = t_slot(), vs = t_new(LM_OBJ_VSPACE, 0), again;
	lm_u64 id, got = 0, depth;

	CHECK(a && b && c && vs);
	CHECK_OK(lm_asids_issue(lm_asid_cap, 1, CN, a));
	id = t_first_id(a);
	/* The test range is at depth 3 (root 1, ktest 2); a at 4. */
	for (depth = 4;; depth++) {
		int e = lm_asids_issue(a, 1, CN, b);
		if (e) {
			CHECK_ERR(e, LM_ELIMIT);
			break;
		}
		CHECK_OK(lm_cnode_delete(CN, a));
		CHECK_OK(lm_cnode_move(CN, a, CN, b));
		CHECK_EQ(t_first_id(a), id);
		if ((depth & 0x3fff) == 0)
			CHECK(sound());
	}
	CHECK(depth >= 0xfff0 && depth <= 0xffff);
	CHECK(sound());
	CHECK_OK(lm_vspace_assign(vs, a, &got));
	CHECK_EQ(got, id);
	CHECK_OK(lm_cnode_delete(CN, a));
	CHECK(!(t_id(vs).desc & LM_ID_MAPPED));
	CHECK(sound());
	again = t_asid_range(1);
	CHECK(again);
	CHECK_EQ(t_first_id(again), id);
	(void)c;
}

/* ---- FINISH_DELETE owed by a thread another acts on between batches ---- */

#define FD_WAITERS 600 /* 256 woken a batch: three batches */

/* FD_WAITERS threads made from ut into slots first.., each running fn(obj)
 * (stackless code) at T_PRIO - 2. */
static int start_waiters(lm_cptr_t ut, lm_cptr_t first, void *fn, lm_cptr_t obj)
{
	int err = 0;

	for (lm_u64 i = 0; i < FD_WAITERS && !err; i += 200)
		err = lm_untyped_retype(ut, LM_OBJ_TCB, 0, CN, first + i, 200);
	for (lm_u64 i = 0; i < FD_WAITERS && !err; i++) {
		struct lm_regs r = { 0 };

		r.rip = (lm_u64)fn;
		r.rdi = obj;
		r.rflags = 0x202;
		if (!(err = lm_thread_configure(first + i, CN, LM_SLOT_VSPACE)) &&
		    !(err = lm_thread_write_regs(first + i, &r)) &&
		    !(err = lm_thread_set_priority(first + i, T_PRIO - 2)))
			err = lm_thread_resume(first + i);
	}
	return err;
}

/* rdi = endpoint: receive, then exit with the error the receive got. */
__attribute__((naked)) static void recv_then_exit(void)
{
	__asm__ volatile("mov %0, %%eax\n"
			 "	syscall\n"
			 "	mov %%rax, %%rdi\n"
			 "	mov %1, %%eax\n"
			 "	syscall\n"
			 "	ud2\n"
			 :: "i"(LM_SYS_EP_RECV), "i"(LM_SYS_THREAD_EXIT));
}

static lm_cptr_t fd_deleter, fd_ep;
static void *fd_stack;
static volatile lm_u64 fd_woken;

static lm_word_t fd_exit_77(lm_word_t unused)
{
	lm_thread_exit(77);
}

static lm_word_t fd_delete(lm_word_t ep)
{
	lm_thread_exit(0x100 | (lm_u64)lm_cnode_delete(CN, ep));
}

/* Woken (above the deleter) by the first batch of the endpoint's
 * finalisation, while the deleter owes FINISH_DELETE: act on it. */
static lm_word_t fd_actor(lm_word_t how)
{
	struct lm_msg m;
	struct lm_regs r;

	fd_woken = lm_ep_recv(fd_ep, &m) == LM_EDELETED;
	if (how == 0)
		lm_thread_suspend(fd_deleter);
	if (how == 1) {
		lm_thread_regs(&r, fd_exit_77, 0, fd_stack);
		lm_thread_write_regs(fd_deleter, &r);
	}
	if (how == 2)
		lm_cnode_delete(CN, fd_deleter);
	lm_thread_exit(0);
}

static void finish_delete_owed_by_a_thread_acted_on(lm_u64 how)
{
	lm_cptr_t ut = t_new(LM_OBJ_UNTYPED, 21), first = lm_slot_alloc_n(FD_WAITERS), w;
	struct lm_thread_info ti;
	lm_u64 before = 0, after = 0, exited = 0;

	fd_ep = t_new(LM_OBJ_ENDPOINT, 0);
	fd_stack = t_stack();
	fd_woken = 0;
	CHECK(ut && first && fd_ep && fd_stack);
	/* The actor queues first, so the first batch wakes it (see
	 * notification_half_finalised). */
	w = t_thread(fd_actor, how, T_PRIO - 1);
	CHECK(w);
	t_sleep_until_idle();
	CHECK_OK(start_waiters(ut, first, (void *)recv_then_exit, fd_ep));
	t_sleep_until_idle();
	CHECK_OK(lm_thread_info(first + FD_WAITERS - 1, &ti));
	CHECK_EQ(ti.state, LM_TS_BLOCKED);
	CHECK_OK(lm_debug_drain_batches(&before));
	fd_deleter = t_thread(fd_delete, fd_ep, T_PRIO - 2);
	CHECK(fd_deleter);
	t_sleep_until_idle();
	CHECK(fd_woken);
	CHECK_OK(lm_debug_drain_batches(&after));
	CHECK(after > before); /* it did go in batches */
	CHECK(sound()); /* any work left is finished by this call, or the next */
	if (how == 0) {
		CHECK_OK(lm_thread_info(fd_deleter, &ti));
		CHECK_EQ(ti.state, LM_TS_INACTIVE);
		CHECK_OK(lm_thread_resume(fd_deleter));
		t_sleep_until_idle();
	}
	if (how != 2) {
		CHECK_OK(t_wait(fd_deleter, &ti));
		CHECK_EQ(ti.state, LM_TS_EXITED);
		CHECK_EQ(ti.exit_code, how == 0 ? 0x100 | LM_OK : 77);
	}
	t_sleep_until_idle();
	for (lm_u64 i = 0; i < FD_WAITERS; i++) {
		CHECK_OK(lm_thread_info(first + i, &ti));
		exited += ti.state == LM_TS_EXITED && ti.exit_code == LM_EDELETED;
	}
	CHECK_EQ(exited, FD_WAITERS);
	CHECK(sound());
}

TEST(finish_delete_owed_by_a_thread_suspended_between_batches_still_completes)
{
	finish_delete_owed_by_a_thread_acted_on(0);
}

TEST(finish_delete_owed_by_a_thread_whose_registers_are_rewritten_is_dropped_and_work_completes)
{
	finish_delete_owed_by_a_thread_acted_on(1);
}

TEST(finish_delete_owed_by_a_thread_destroyed_between_batches_still_completes)
{
	finish_delete_owed_by_a_thread_acted_on(2);
}

/* ---- a revoke in batches, and what another thread does in between ----- */

#define RV_N 600
static lm_cptr_t rv_done;
static volatile lm_u64 rv_result;

static lm_word_t rv_revoker(lm_word_t slot)
{
	rv_result = lm_cnode_revoke(CN, slot);
	lm_ntfn_signal(rv_done);
	return 0;
}

/*
 * ut (an untyped of 2^16 made from a parent untyped in ktest's slot
 * parent) gets a frame with RV_N copies and, newest, an endpoint we wait
 * on; a thread below us revokes ut, and its first batch wakes us: then
 * `how` acts on the tree while the revoke is half done.
 */
static void revoke_acted_on_between_batches(int how)
{
	lm_cptr_t parent = t_new(LM_OBJ_UNTYPED, 17), ut = t_slot(), f = t_slot(), ep = t_slot();
	lm_cptr_t cn = t_new(LM_OBJ_CNODE, 10), extra = t_slot(), tcb;
	struct lm_msg m;
	lm_u64 left = 0;

	rv_done = t_new(LM_OBJ_NOTIFY, 0);
	rv_result = ~0ull;
	CHECK(parent && ut && f && ep && cn && extra && rv_done);
	CHECK_OK(lm_untyped_retype(parent, LM_OBJ_UNTYPED, 16, CN, ut, 1));
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_FRAME, LM_PAGE_BITS, CN, f, 1));
	for (lm_u64 i = 1; i <= RV_N; i++)
		CHECK_OK(lm_cnode_copy(cn, i, CN, f, LM_R_ALL));
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_ENDPOINT, 0, CN, ep, 1));
	tcb = t_thread(rv_revoker, ut, T_PRIO - 1);
	CHECK(tcb);
	CHECK_ERR(lm_ep_recv(ep, &m), LM_EDELETED);
	CHECK_EQ(rv_result, ~0ull); /* the revoke is half done */
	for (lm_u64 i = 1; i <= RV_N; i++)
		left += LM_ID_TYPE(t_id_in(cn, i).desc) == LM_OBJ_FRAME;
	CHECK(left > 0 && left < RV_N);
	CHECK(sound());
	switch (how) {
	case 0: /* its parent goes: ut hangs from the test's untyped now */
		CHECK_OK(lm_cnode_delete(CN, parent));
		break;
	case 1: /* the revoked capability itself goes */
		CHECK_OK(lm_cnode_delete(CN, ut));
		break;
	case 2: /* a new child of it, made while it is being revoked */
		CHECK_OK(lm_untyped_retype(ut, LM_OBJ_NOTIFY, 0, CN, extra, 1));
		break;
	case 3: /* a second revoke of it, to the end */
		CHECK_OK(lm_cnode_revoke(CN, ut));
		break;
	case 4: /* the copies' CNode goes (their slots die mid-revoke) */
		CHECK_OK(lm_cnode_delete(CN, cn));
		break;
	}
	CHECK(sound());
	CHECK_OK(lm_ntfn_wait(rv_done, 0));
	CHECK_EQ(rv_result, how == 1 ? LM_ECAP : LM_OK);
	CHECK(sound());
	if (how == 1)
		return;
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK_EQ(t_type(extra), LM_OBJ_NULL);
	CHECK_EQ(t_ut_free(ut), 1u << 16);
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_UNTYPED, 16, CN, f, 1)); /* whole again */
	CHECK(sound());
}

TEST(revoke_whose_capability_loses_its_parent_between_batches_finishes)
{
	revoke_acted_on_between_batches(0);
}

TEST(revoke_whose_capability_is_deleted_between_batches_returns_ECAP_and_leaves_a_sound_tree)
{
	revoke_acted_on_between_batches(1);
}

TEST(revoke_of_an_untyped_retyped_from_between_batches_takes_the_new_child_too)
{
	revoke_acted_on_between_batches(2);
}

TEST(two_revokes_of_one_capability_interleaved_both_finish)
{
	revoke_acted_on_between_batches(3);
}

TEST(revoke_whose_remaining_descendants_die_with_their_cnode_between_batches_finishes)
{
	revoke_acted_on_between_batches(4);
}

/* ---- a notification half finalised, its remaining waiters acted on ---- */

/* rdi = notification: wait, then exit with the error the wait got. */
__attribute__((naked)) static void wait_then_exit(void)
{
	__asm__ volatile("mov %0, %%eax\n"
			 "	syscall\n"
			 "	mov %%rax, %%rdi\n"
			 "	mov %1, %%eax\n"
			 "	syscall\n"
			 "	ud2\n"
			 :: "i"(LM_SYS_NTFN_WAIT), "i"(LM_SYS_THREAD_EXIT));
}

static lm_cptr_t nf_first, nf_ntfn;
static volatile lm_u64 nf_acted;

/* Woken by the first batch, while the last waiters are still queued on
 * the dead notification, act on the last one: reorder it (0), suspend it
 * (1), destroy it (2). Only this first call acts between batches: it
 * then finishes the work itself (FINISH_DELETE) before it returns. */
static lm_word_t nf_actor(lm_word_t how)
{
	lm_u64 w = 0;
	lm_cptr_t last = nf_first + FD_WAITERS - 1;
	int e = lm_ntfn_wait(nf_ntfn, &w), a;

	if (how == 0)
		a = lm_thread_set_priority(last, T_PRIO - 1);
	else if (how == 1)
		a = lm_thread_suspend(last);
	else
		a = lm_cnode_delete(CN, last);
	nf_acted = (e == LM_EDELETED) | (a == LM_OK) << 1;
	lm_thread_exit(0);
}

static lm_word_t nf_delete(lm_word_t n)
{
	lm_thread_exit(0x100 | (lm_u64)lm_cnode_delete(CN, n));
}

static void notification_half_finalised(lm_u64 how)
{
	lm_cptr_t ut = t_new(LM_OBJ_UNTYPED, 21), w, d, last;
	struct lm_thread_info ti;
	lm_u64 before = 0, after = 0, exited = 0;

	nf_first = lm_slot_alloc_n(FD_WAITERS);
	nf_ntfn = t_new(LM_OBJ_NOTIFY, 0);
	nf_acted = 0;
	last = nf_first + FD_WAITERS - 1;
	CHECK(ut && nf_first && nf_ntfn);
	/* The actor must be first in the queue, so the first batch wakes it
	 * while `last` is still queued: it waits before any waiter starts. If
	 * it were made after them, ktest blocking in between (a pool refill
	 * from the memory manager, a console write) would let waiters queue
	 * ahead of it, and the batch that woke it would wake `last` too. */
	w = t_thread(nf_actor, how, T_PRIO - 1);
	CHECK(w);
	t_sleep_until_idle();
	CHECK_OK(start_waiters(ut, nf_first, (void *)wait_then_exit, nf_ntfn));
	t_sleep_until_idle();
	CHECK_OK(lm_debug_drain_batches(&before));
	d = t_thread(nf_delete, nf_ntfn, T_PRIO - 2);
	CHECK(d);
	t_sleep_until_idle();
	CHECK_EQ(nf_acted, 3);
	CHECK_OK(lm_debug_drain_batches(&after));
	CHECK(after >= before + 2); /* the action fell between batches */
	CHECK(sound());
	CHECK_OK(t_wait(d, &ti));
	CHECK_EQ(ti.exit_code, 0x100 | LM_OK);
	if (how == 1) {
		CHECK_OK(lm_thread_info(last, &ti));
		CHECK_EQ(ti.state, LM_TS_INACTIVE);
		CHECK_OK(lm_thread_resume(last));
		t_sleep_until_idle();
		CHECK_OK(lm_thread_info(last, &ti));
		CHECK_EQ(ti.state, LM_TS_EXITED);
		CHECK_EQ(ti.exit_code, LM_EINTR);
	}
	if (how == 2)
		CHECK_EQ(t_type(last), LM_OBJ_NULL);
	for (lm_u64 i = 0; i < FD_WAITERS - (how != 0); i++) {
		CHECK_OK(lm_thread_info(nf_first + i, &ti));
		exited += ti.state == LM_TS_EXITED && ti.exit_code == LM_EDELETED;
	}
	CHECK_EQ(exited, FD_WAITERS - (how != 0));
	CHECK(sound());
}

TEST(notification_half_finalised_whose_last_waiter_is_reordered_finishes)
{
	notification_half_finalised(0);
}

TEST(notification_half_finalised_whose_last_waiter_is_suspended_finishes)
{
	notification_half_finalised(1);
}

TEST(notification_half_finalised_whose_last_waiter_is_destroyed_finishes)
{
	notification_half_finalised(2);
}

/* ---- ranges and unassigned address spaces through IPC ----------------- */

struct rt3_xfer {
	lm_cptr_t ep, slot;
	struct lm_ipc_buffer *buf;
};
static struct rt3_xfer rt3_x;

static struct lm_ipc_buffer *ipc_buffer_at(lm_cptr_t tcb, lm_u64 va)
{
	lm_cptr_t f = t_frame_at(va, RW);

	if (!f || lm_thread_set_ipc_buffer(tcb, f) != LM_OK)
		return 0;
	return (struct lm_ipc_buffer *)va;
}

static lm_word_t recv_one_cap(lm_word_t arg)
{
	struct rt3_xfer *x = (struct rt3_xfer *)arg;
	struct lm_msg m;
	int err;

	x->buf->recv_slots[0] = x->slot;
	err = lm_ep_recv(x->ep, &m);
	return err ? 0x100 + (lm_u64)err : LM_MSG_NCAPS(m.info);
}

/* Send cap (copy, or move with LM_MSG_MOVE) to a receiver landing it in
 * dst; how many capabilities arrived, or ~0 on a setup failure. */
static lm_u64 send_one_cap(lm_cptr_t cap, lm_cptr_t dst, lm_u64 flags, lm_u32 round)
{
	lm_cptr_t r = t_thread_new();
	struct lm_ipc_buffer *mine;
	struct lm_thread_info ti;

	rt3_x.ep = t_new(LM_OBJ_ENDPOINT, 0);
	rt3_x.slot = dst;
	if (!rt3_x.ep || !r)
		return ~0ull;
	mine = ipc_buffer_at(LM_SLOT_TCB, T_VA_PAGE(8 + 2 * round));
	rt3_x.buf = ipc_buffer_at(r, T_VA_PAGE(8 + 2 * round + 1));
	if (!mine || !rt3_x.buf)
		return ~0ull;
	if (lm_thread_start(r, recv_one_cap, (lm_u64)&rt3_x, t_stack(), T_PRIO) || !t_blocked(r))
		return ~0ull;
	mine->send_caps[0] = cap;
	lm_ep_send(rt3_x.ep, INFO(1, 0, 1) | flags, 0, 0, 0, 0);
	lm_thread_set_ipc_buffer(LM_SLOT_TCB, 0);
	if (t_wait(r, &ti) || ti.state != LM_TS_EXITED)
		return ~0ull;
	return ti.exit_code;
}

/* A range has one capability and an unassigned address space one too:
 * an IPC copy of either is skipped (a second range capability would
 * make two owners of one run of IDs), a move keeps the one. */
TEST(id_ranges_and_unassigned_address_spaces_travel_by_ipc_only_by_move)
{
	lm_cptr_t r = t_asid_range(4), d1 = t_slot(), vs = t_new(LM_OBJ_VSPACE, 0), d2 = t_slot();
	lm_cptr_t d3 = t_slot(), sub = t_slot(), v2 = t_new(LM_OBJ_VSPACE, 0);
	lm_u64 first, a = 0;

	CHECK(r && d1 && vs && d2 && d3 && sub && v2);
	first = t_first_id(r);
	CHECK_EQ(send_one_cap(r, d1, 0, 0), 0);
	CHECK_EQ(t_type(d1), LM_OBJ_NULL);
	CHECK_EQ(send_one_cap(r, d1, LM_MSG_MOVE, 1), 1);
	CHECK_EQ(t_type(r), LM_OBJ_NULL);
	CHECK_EQ(t_first_id(d1), first);
	CHECK_EQ(send_one_cap(vs, d2, 0, 2), 0);
	CHECK_EQ(t_type(d2), LM_OBJ_NULL);
	CHECK_EQ(send_one_cap(vs, d2, LM_MSG_MOVE, 3), 1);
	CHECK_OK(lm_vspace_assign(d2, d1, &a));
	CHECK_EQ(a, first + 3);
	CHECK_EQ(send_one_cap(d2, d3, 0, 4), 1); /* assigned: copies go */
	CHECK(t_id(d3).desc & LM_ID_MAPPED);
	CHECK_OK(lm_asids_issue(d1, 3, CN, sub));
	CHECK_OK(lm_vspace_assign(v2, sub, &a));
	CHECK_EQ(a, first + 2);
	CHECK(sound());
	CHECK_OK(lm_cnode_delete(CN, d1)); /* d2's ID goes; sub keeps its own */
	CHECK(!(t_id(d3).desc & LM_ID_MAPPED));
	CHECK(t_id(v2).desc & LM_ID_MAPPED);
	CHECK(sound());
}

/* ---- bits pending when a notification is bound ------------------------ */

static lm_cptr_t bn_ep, bn_ep2;
static volatile lm_u64 bn_call, bn_reply, bn_info, bn_word;

static lm_word_t bn_caller(lm_word_t unused)
{
	struct lm_msg m;

	bn_call = lm_ep_call(bn_ep, INFO(5, 1, 0), 9, 0, 0, 0, &m);
	bn_reply = m.w[0];
	lm_ep_recv(bn_ep2, &m); /* the pending bits end this at once */
	bn_info = m.info;
	bn_word = m.badge;
	return 0;
}

/* Bits pending on a notification bound to a thread that is sending a
 * call, then waiting for its reply, end neither: the call completes with
 * its reply, and the bits end the thread's next receive. */
TEST(binding_a_pending_notification_to_a_caller_ends_its_next_receive_not_its_call)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0), t;
	struct lm_msg m;
	struct lm_thread_info ti;

	bn_ep = t_new(LM_OBJ_ENDPOINT, 0);
	bn_ep2 = t_new(LM_OBJ_ENDPOINT, 0);
	bn_call = bn_reply = bn_info = bn_word = ~0ull;
	CHECK(n && bn_ep && bn_ep2);
	t = t_thread(bn_caller, 0, T_PRIO);
	CHECK(t);
	CHECK(t_blocked(t)); /* sending: nobody receives yet */
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(lm_thread_bind_notify(t, n));
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_BLOCKED);
	CHECK_OK(lm_ep_recv(bn_ep, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), 5);
	CHECK_OK(lm_thread_info(t, &ti)); /* now waiting for the reply */
	CHECK_EQ(ti.state, LM_TS_BLOCKED);
	CHECK_OK(lm_thread_bind_notify(t, 0));
	CHECK_OK(lm_thread_bind_notify(t, n)); /* again, while it waits */
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_BLOCKED);
	CHECK_OK(lm_ep_reply(INFO(0, 1, 0), m.w[0] + 1, 0, 0, 0));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(bn_call, LM_OK);
	CHECK_EQ(bn_reply, 10);
	CHECK(bn_info & LM_MSG_NOTIFY);
	CHECK_EQ(bn_word, 1);
	CHECK(sound());
}
