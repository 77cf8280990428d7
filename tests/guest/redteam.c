/*
 * Red-team attacks on the kernel (the second round of hostile programs).
 * Each test performs one attack an unprivileged process can make with what
 * it holds and checks that the effect stays documented and confined. The
 * ones named in the red-team report as defects failed (or brought the
 * kernel down) before their fix; the others are regression guards for
 * attacks that held.
 */
#include <lamina/exception.h>
#include "harness.h"

#define CN   LM_SLOT_CNODE
#define VS   LM_SLOT_VSPACE
#define RW   (LM_R_READ | LM_R_WRITE)
#define INFO LM_MSG_INFO

static int problems_now(lm_u64 *n)
{
	return lm_debug_check(n);
}

/* Start tcb (configured already) at fn(arg) at priority prio. */
static int start_at(lm_cptr_t tcb, lm_thread_fn fn, lm_word_t arg, lm_u32 prio)
{
	return lm_thread_start(tcb, fn, arg, t_stack(), prio);
}

/* ---- a call whose first half finalises what its second half uses ------ */

/*
 * Runs with CSpace A: slot 1 thread T, slot 2 CNode W, slot 3 our address
 * space. T's CSpace is Z, which holds the last capability to this very
 * thread, and Z's last capability is T's. Replacing T's CSpace therefore
 * destroys Z, then us, then A, whose slot 2 the kernel is about to copy
 * into T.
 */
static lm_word_t configure_t_with_w(lm_word_t arg)
{
	(void)arg;
	return (lm_word_t)lm_thread_configure(1, 2, 3);
}

TEST(thread_configure_whose_old_cspace_holds_the_callers_last_capability_survives)
{
	lm_cptr_t a = t_new(LM_OBJ_CNODE, 2), z = t_new(LM_OBJ_CNODE, 2);
	lm_cptr_t w = t_new(LM_OBJ_CNODE, 2), c = t_new(LM_OBJ_TCB, 0), t = t_new(LM_OBJ_TCB, 0);
	struct lm_thread_info ti;
	lm_u64 problems;

	CHECK(a && z && w && c && t);
	CHECK_OK(lm_thread_configure(t, z, VS));
	CHECK_OK(lm_thread_configure(c, a, VS));
	CHECK_OK(lm_cnode_copy(a, 1, CN, t, LM_R_ALL));
	CHECK_OK(lm_cnode_copy(a, 2, CN, w, LM_R_ALL));
	CHECK_OK(lm_cnode_copy(a, 3, CN, VS, LM_R_ALL));
	CHECK_OK(start_at(c, configure_t_with_w, 0, T_PRIO - 1));
	/* C's last capability goes into Z; A and Z keep only the threads'. */
	CHECK_OK(lm_cnode_move(z, 1, CN, c));
	CHECK_OK(lm_cnode_delete(CN, a));
	CHECK_OK(lm_cnode_delete(CN, z));
	t_sleep_until_idle(); /* C runs, and is destroyed by its own call */

	/* T's CSpace is W now (T can be resumed), and all is consistent. */
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_INACTIVE);
	CHECK_OK(problems_now(&problems));
	CHECK_EQ(problems, 0);
}

/* ---- mapping records of frames under a table that was taken away ------- */

/*
 * A frame capability keeps its mapping record when the table under it goes.
 * If the same frame is mapped at the same address again, the old record
 * names the new entry too (docs/SECURITY.md: accepted, as in seL4): its
 * holder may unmap that frame there, and nothing else. The kernel stays
 * consistent throughout and another frame's mapping is never touched.
 */
TEST(frame_capability_left_mapped_under_a_removed_table_reaches_only_that_frame)
{
	lm_u64 va = T_VA_FRESH(5), state, rights, problems;
	lm_cptr_t pt[3], x = t_new(LM_OBJ_FRAME, LM_PAGE_BITS), y = t_new(LM_OBJ_FRAME, LM_PAGE_BITS);
	lm_cptr_t f1, f2;

	CHECK(x && y);
	f1 = t_copy(x, RW);
	f2 = t_copy(x, RW);
	CHECK(f1 && f2);
	for (int i = 0; i < 3; i++) {
		pt[i] = t_new(LM_OBJ_PTABLE, 0);
		CHECK(pt[i]);
		CHECK_OK(lm_vspace_map_table(VS, pt[i], va, 0));
	}
	CHECK_OK(lm_vspace_map(VS, f1, va, RW));
	*(volatile lm_u64 *)va = 0x5eed;
	/* The page table goes (and is zeroed); f1 still records its mapping. */
	CHECK_OK(lm_vspace_unmap_table(pt[2]));
	CHECK(t_id(f1).desc & LM_ID_MAPPED);
	CHECK_OK(problems_now(&problems));
	CHECK_EQ(problems, 0);
	/* The table comes back, empty; another frame there is out of f1's reach. */
	CHECK_OK(lm_vspace_map_table(VS, pt[2], va, 0));
	CHECK_OK(lm_vspace_map(VS, y, va, RW));
	CHECK_ERR(lm_vspace_unmap(f1), LM_OK); /* only drops f1's stale record */
	CHECK_OK(lm_vspace_page_state(VS, va, 0, &state, &rights));
	CHECK(t_id(y).desc & LM_ID_MAPPED);
	CHECK_OK(lm_vspace_unmap(y));
	/* The same frame mapped there again through f2: f1, once more recorded
	 * there, names it too, and may take it away. */
	CHECK_OK(lm_vspace_map(VS, f1, va, RW));
	CHECK_OK(lm_vspace_unmap_table(pt[2]));
	CHECK_OK(lm_vspace_map_table(VS, pt[2], va, 0));
	CHECK_OK(lm_vspace_map(VS, f2, va, RW));
	CHECK_EQ(*(volatile lm_u64 *)va, 0x5eed);
	CHECK_OK(problems_now(&problems));
	CHECK_EQ(problems, 0);
	CHECK_OK(lm_cnode_delete(CN, f1));
	CHECK_ERR(lm_vspace_page_state(VS, va, 0, &state, &rights), LM_ENOENT);
	CHECK_OK(problems_now(&problems));
	CHECK_EQ(problems, 0);
}

/* ---- delete_range over the CNode holding its own capability ----------- */

/* CSpace X: slot 1 the last capability to this thread, slot 2 the last
 * capability (beside the thread's own) to X. Deleting both in one range. */
static lm_word_t delete_own_range(lm_word_t arg)
{
	(void)arg;
	return (lm_word_t)lm_cnode_delete_range(2, 1, 3);
}

TEST(delete_range_over_the_cnode_holding_its_own_and_the_callers_capability_stops_cleanly)
{
	lm_cptr_t x = t_new(LM_OBJ_CNODE, 2), c = t_new(LM_OBJ_TCB, 0);
	lm_u64 problems;

	CHECK(x && c);
	CHECK_OK(lm_thread_configure(c, x, VS));
	CHECK_OK(lm_cnode_copy(x, 2, CN, x, LM_R_ALL));
	CHECK_OK(start_at(c, delete_own_range, 0, T_PRIO - 1));
	CHECK_OK(lm_cnode_move(x, 1, CN, c));
	CHECK_OK(lm_cnode_delete(CN, x));
	t_sleep_until_idle();
	CHECK_OK(problems_now(&problems));
	CHECK_EQ(problems, 0);
}

/* ---- revoke whose capability is moved between its batches -------------- */

#define RV_N 1000

static lm_cptr_t rt_cn, rt_done;
static volatile lm_u64 rt_result;

static lm_word_t rt_revoker(lm_word_t slot)
{
	rt_result = lm_cnode_revoke(CN, slot);
	lm_ntfn_signal(rt_done);
	return 0;
}

TEST(revoke_of_a_capability_moved_between_batches_returns_ECAP_and_leaves_a_sound_tree)
{
	lm_cptr_t ut = t_new(LM_OBJ_UNTYPED, 16), f = t_slot(), ep = t_slot(), g = t_slot();
	lm_cptr_t tcb;
	struct lm_msg m;
	lm_u64 problems, left = 0;

	rt_cn = t_new(LM_OBJ_CNODE, 11);
	rt_done = t_new(LM_OBJ_NOTIFY, 0);
	rt_result = ~0ull;
	CHECK(ut && f && ep && g && rt_cn && rt_done);
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_FRAME, LM_PAGE_BITS, CN, f, 1));
	for (lm_u64 i = 1; i <= RV_N; i++)
		CHECK_OK(lm_cnode_copy(rt_cn, i, CN, f, LM_R_ALL));
	/* The untyped's newest child, deleted by the first batch, wakes us. */
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_ENDPOINT, 0, CN, ep, 1));
	tcb = t_thread(rt_revoker, ut, T_PRIO - 1);
	CHECK(tcb);
	CHECK_ERR(lm_ep_recv(ep, &m), LM_EDELETED);
	CHECK_EQ(rt_result, ~0ull);
	/* Between batches: the revoked capability goes to another slot. */
	CHECK_OK(lm_cnode_move(CN, g, CN, ut));
	CHECK_OK(lm_ntfn_wait(rt_done, 0));
	CHECK_EQ(rt_result, LM_ECAP);
	for (lm_u64 i = 1; i <= RV_N; i++)
		left += LM_ID_TYPE(t_id_in(rt_cn, i).desc) == LM_OBJ_FRAME;
	CHECK(left > 0 && left < RV_N);
	CHECK_OK(problems_now(&problems));
	CHECK_EQ(problems, 0);
	/* Revoked from its new slot, it finishes. */
	CHECK_OK(lm_cnode_revoke(CN, g));
	CHECK_EQ(t_ut_free(g), 1u << 16);
	CHECK_OK(lm_cnode_move(CN, ut, CN, g));
}

/* ---- state user mode leaves in segment registers and the FPU ---------- */

__attribute__((naked)) static void load_null_ss(void)
{
	__asm__ volatile("xor %eax, %eax\n"
			 "	mov %eax, %ss\n"
			 "	ud2\n");
}

__attribute__((naked)) static void load_tss_into_ds(void)
{
	__asm__ volatile("mov $0x2b, %eax\n" /* the TSS descriptor, RPL 3 */
			 "	mov %eax, %ds\n"
			 "	ud2\n");
}

__attribute__((naked)) static void load_kernel_ss(void)
{
	__asm__ volatile("mov $0x13, %eax\n" /* kernel data, RPL 3 */
			 "	mov %eax, %ss\n"
			 "	ud2\n");
}

static int run_faulting(lm_thread_fn fn, lm_word_t arg, struct lm_thread_info *ti)
{
	lm_cptr_t t = t_thread_new();
	if (!t)
		return -1;
	int err = start_at(t, fn, arg, T_PRIO);
	return err ? err : t_wait(t, ti);
}

TEST(segment_loads_user_mode_may_not_make_fault_only_the_thread)
{
	static const lm_thread_fn fns[] = {
		(lm_thread_fn)(void *)load_null_ss, (lm_thread_fn)(void *)load_tss_into_ds,
		(lm_thread_fn)(void *)load_kernel_ss,
	};
	struct lm_thread_info ti;
	lm_u64 problems;

	for (unsigned i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		CHECK_OK(run_faulting(fns[i], 0, &ti));
		CHECK_EQ(ti.state, LM_TS_FAULTED);
		CHECK_EQ(ti.fault_kind, LM_FAULT_GP);
	}
	CHECK_OK(problems_now(&problems));
	CHECK_EQ(problems, 0);
}

/*
 * FXRSTOR of an image with MXCSR's reserved bits set: real CPUs refuse it
 * (#GP in user mode); an emulator may load it. Either way the thread then
 * yields to us, we take the FPU (the kernel saves its state with FXSAVE),
 * and it takes the FPU back (the kernel reloads that state with FXRSTOR, in
 * kernel mode): what the kernel saved it must be able to load again.
 */
static lm_u8 bad_fx[512] __attribute__((aligned(16)));

__attribute__((naked)) static void fxrstor_reserved_mxcsr(void)
{
	__asm__ volatile("fxrstor64 (%%rdi)\n"
			 "	mov %0, %%eax\n"
			 "	syscall\n"
			 "	pxor %%xmm1, %%xmm1\n"
			 "	ud2\n"
			 :: "i"(LM_SYS_THREAD_YIELD));
}

TEST(fpu_state_with_reserved_mxcsr_bits_never_faults_the_kernel)
{
	lm_cptr_t t = t_thread_new();
	struct lm_thread_info ti;

	CHECK(t);
	for (int i = 0; i < 512; i++)
		bad_fx[i] = 0;
	*(lm_u16 *)bad_fx = 0x37f;
	*(lm_u32 *)(bad_fx + 24) = 0xffffffff; /* MXCSR reserved bits set */
	*(lm_u32 *)(bad_fx + 28) = 0xffffffff; /* and a mask claiming them */
	CHECK_OK(start_at(t, (lm_thread_fn)(void *)fxrstor_reserved_mxcsr, (lm_word_t)bad_fx, T_PRIO));
	for (int i = 0; i < 8; i++) {
		__asm__ volatile("pxor %%xmm2, %%xmm2" ::: "xmm2");
		lm_thread_yield();
	}
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK(ti.fault_kind == LM_FAULT_GP || ti.fault_kind == LM_FAULT_UD);
}

/* ---- finalisation whose work grows with what the attacker made ---------- */

#define WAITERS 2048

/* Receive on rdi; no stack. Deleted under it, the call returns and ud2
 * stops the thread. */
__attribute__((naked)) static void recv_forever(void)
{
	__asm__ volatile("mov %0, %%eax\n"
			 "	syscall\n"
			 "	ud2\n"
			 :: "i"(LM_SYS_EP_RECV));
}

/*
 * Every waiter on an endpoint is woken when it is destroyed: work that
 * grows with the threads a process queued there (each 2 KiB of its
 * untyped). Like a big CNode's, it must go in batches with an interrupt
 * window between, not all in one.
 */
TEST(destroying_an_endpoint_with_thousands_of_waiters_goes_in_batches)
{
	lm_cptr_t ut = t_new(LM_OBJ_UNTYPED, 23), ep = t_new(LM_OBJ_ENDPOINT, 0);
	lm_cptr_t first = lm_slot_alloc_n(WAITERS);
	lm_u64 problems, before, after, t0, t1;
	struct lm_thread_info ti;

	CHECK(ut && ep && first);
	for (lm_u64 i = 0; i < WAITERS; i += 256)
		CHECK_OK(lm_untyped_retype(ut, LM_OBJ_TCB, 0, CN, first + i, 256));
	for (lm_u64 i = 0; i < WAITERS; i++) {
		struct lm_regs r = { 0 };
		CHECK_OK(lm_thread_configure(first + i, CN, VS));
		r.rip = (lm_u64)(void *)recv_forever;
		r.rdi = ep;
		r.rflags = 0x202;
		CHECK_OK(lm_thread_write_regs(first + i, &r));
		CHECK_OK(lm_thread_set_priority(first + i, T_PRIO - 1));
		CHECK_OK(lm_thread_resume(first + i));
	}
	t_sleep_until_idle();
	CHECK_OK(lm_thread_info(first + WAITERS - 1, &ti));
	CHECK_EQ(ti.state, LM_TS_BLOCKED);
	CHECK_OK(lm_debug_drain_batches(&before));
	t0 = t_rdtsc();
	CHECK_OK(lm_cnode_delete(CN, ep));
	t1 = t_rdtsc();
	t_note("deleting the endpoint took %lu us", (t1 - t0) * 1000 / (t_bi->tsc_khz ? t_bi->tsc_khz : 1000000));
	CHECK_OK(lm_debug_drain_batches(&after));
	CHECK_OK(problems_now(&problems));
	CHECK_EQ(problems, 0);
	CHECK(after > before);
}

/* ---- resuming a thread that is blocked in IPC --------------------------- */

/*
 * A blocked thread is on its endpoint's wait queue through the same links
 * a run queue uses. Resuming it must not put it on a run queue as well:
 * the queues would share it, and the next message would wake it twice.
 */
TEST(resuming_a_thread_blocked_in_ipc_leaves_it_blocked_and_queues_sound)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), r1 = t_thread_new(), r2 = t_thread_new();
	struct lm_thread_info ti;
	lm_u64 problems;

	CHECK(ep && r1 && r2);
	for (int i = 0; i < 2; i++) {
		struct lm_regs r = { 0 };
		r.rip = (lm_u64)(void *)recv_forever;
		r.rdi = ep;
		r.rflags = 0x202;
		CHECK_OK(lm_thread_write_regs(i ? r2 : r1, &r));
		CHECK_OK(lm_thread_set_priority(i ? r2 : r1, T_PRIO - 1));
		CHECK_OK(lm_thread_resume(i ? r2 : r1));
	}
	t_sleep_until_idle();
	CHECK_OK(lm_thread_info(r1, &ti));
	CHECK_EQ(ti.state, LM_TS_BLOCKED);
	CHECK_OK(lm_thread_resume(r1));
	CHECK_OK(lm_thread_info(r1, &ti));
	CHECK_EQ(ti.state, LM_TS_BLOCKED);
	CHECK_OK(problems_now(&problems));
	CHECK_EQ(problems, 0);
	/* Two messages, one for each receiver. */
	CHECK_OK(lm_ep_send(ep, INFO(1, 0, 0), 0, 0, 0, 0));
	CHECK_OK(lm_ep_send(ep, INFO(1, 0, 0), 0, 0, 0, 0));
	t_sleep_until_idle();
	CHECK_OK(problems_now(&problems));
	CHECK_EQ(problems, 0);
}
