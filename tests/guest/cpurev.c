/* CPU revocation made visible (THREAD_SET_UPCALLS): a thread is told by an
 * upcall that it was preempted, or that a call would block. No test waits
 * on the timer: a spin is bounded far above any tick interval, and fails
 * the test if the upcall never came. */
#include "harness.h"

/* Far more than one 10 ms tick under plain TCG and under icount (one
 * instruction a nanosecond: a tick is 10 million instructions). */
#define SPIN_BOUND (1ull << 28)

#define NREC 8
static struct { lm_u64 vector, error, rip, rax, rsp; } rec[NREC];
static volatile int nrec, npreempt, nslice, nblocked;
static lm_cptr_t signal_ntfn;      /* the handler signals it on a block */
static volatile int cancel_block;  /* the handler makes the call fail instead */
static lm_u8 exc_stack[16384] __attribute__((aligned(16)));

static void handler(struct lm_exc_frame *f)
{
	if (nrec < NREC)
		rec[nrec++] = (typeof(rec[0])){ f->vector, f->error, f->regs.rip, f->regs.rax,
						f->regs.rsp };
	if (f->vector == LM_UPCALL_PREEMPTED) {
		npreempt++;
		nslice += f->error == LM_PREEMPT_SLICE;
	} else if (f->vector == LM_UPCALL_BLOCKED) {
		nblocked++;
		if (cancel_block) { /* skip the SYSCALL: it "returns" LM_EAGAIN */
			f->regs.rip += 2;
			f->regs.rax = LM_EAGAIN;
		} else if (signal_ntfn) {
			lm_ntfn_signal(signal_ntfn); /* the retry then finds it */
		}
	}
}

static int install(void)
{
	nrec = npreempt = nslice = nblocked = cancel_block = 0;
	signal_ntfn = 0;
	return lm_exc_install(LM_SLOT_TCB, handler, exc_stack + sizeof exc_stack, sizeof exc_stack);
}

static void uninstall(void)
{
	lm_thread_set_upcalls(LM_SLOT_TCB, 0, 0);
	lm_exc_install(LM_SLOT_TCB, 0, 0, 0);
}

TEST(cpurev_set_upcalls_bad_input)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0), empty = t_slot();
	lm_u64 old = 99;

	CHECK(n && empty);
	/* no exception handler: nothing to deliver to */
	CHECK_ERR(lm_thread_set_upcalls(LM_SLOT_TCB, LM_UPCALL_ON_PREEMPT, 0), LM_ESTATE);
	CHECK_ERR(lm_thread_set_upcalls(LM_SLOT_TCB, LM_UPCALL_ON_BLOCK, 0), LM_ESTATE);
	CHECK_OK(lm_thread_set_upcalls(LM_SLOT_TCB, 0, &old)); /* off is always allowed */
	CHECK_EQ(old, 0);
	CHECK_ERR(lm_thread_set_upcalls(0, 0, 0), LM_ECAP);
	CHECK_ERR(lm_thread_set_upcalls(empty, 0, 0), LM_ECAP);
	CHECK_ERR(lm_thread_set_upcalls(1ull << 40, 0, 0), LM_ECAP);
	CHECK_ERR(lm_thread_set_upcalls(n, 0, 0), LM_ETYPE);
	CHECK_OK(install());
	CHECK_ERR(lm_thread_set_upcalls(LM_SLOT_TCB, 4, 0), LM_EINVAL);
	CHECK_ERR(lm_thread_set_upcalls(LM_SLOT_TCB, ~0ull, 0), LM_EINVAL);
	CHECK_OK(lm_thread_set_upcalls(LM_SLOT_TCB, LM_UPCALL_ALL, &old));
	CHECK_EQ(old, 0);
	CHECK_OK(lm_thread_set_upcalls(LM_SLOT_TCB, LM_UPCALL_ON_PREEMPT, &old));
	CHECK_EQ(old, LM_UPCALL_ALL); /* the previous flags come back */
	/* Removing the handler removes the upcalls with it. */
	CHECK_OK(lm_exc_install(LM_SLOT_TCB, 0, 0, 0));
	CHECK_OK(lm_thread_set_upcalls(LM_SLOT_TCB, 0, &old));
	CHECK_EQ(old, 0);
	uninstall();
	CHECK_EQ(nrec, 0);
}

/* A spin whose result depends on every iteration: if a resume lost or
 * changed a register, the sum is wrong. It ends after `want` slice ends
 * (other preemptions may come between: a higher-priority thread's). */
static lm_u64 spin_until_preempted(int want, lm_u64 *iters)
{
	lm_u64 i = 0, sum = 0;
	while (nslice < want && i < SPIN_BOUND) {
		sum += i ^ (i >> 3);
		i++;
	}
	*iters = i;
	return sum;
}

TEST(cpurev_slice_end_is_told_by_upcall)
{
	lm_u64 iters, sum, want = 0;

	CHECK_OK(install());
	CHECK_OK(lm_thread_set_upcalls(LM_SLOT_TCB, LM_UPCALL_ON_PREEMPT, 0));
	sum = spin_until_preempted(3, &iters);
	uninstall();
	CHECK(iters < SPIN_BOUND); /* three time slices ended inside the bound */
	CHECK(nslice >= 3 && npreempt >= nslice);
	/* Each upcall is a preemption: a slice end, or a higher-priority
	 * thread's (run from the shell, the console server wakes when its
	 * device interrupts), never anything else. Most interrupt the spin on
	 * its own stack; one may interrupt the handler itself (a tick while it
	 * runs), nested below its frame on the exception stack. */
	int own = 0;
	for (int k = 0; k < nrec && k < NREC; k++) {
		lm_u64 sp = rec[k].rsp, lo = (lm_u64)exc_stack, hi = lo + sizeof exc_stack;
		CHECK_EQ(rec[k].vector, LM_UPCALL_PREEMPTED);
		CHECK(rec[k].error == LM_PREEMPT_SLICE || rec[k].error == LM_PREEMPT_PRIO);
		CHECK(rec[k].rip >= LM_USER_MIN && rec[k].rip < LM_USER_MAX);
		if (sp < lo || sp >= hi)
			own++;
		else /* nested: the handler was running, below its own frame */
			CHECK(sp + sizeof(struct lm_exc_frame) <= hi);
	}
	CHECK(own > 0);
	for (lm_u64 i = 0; i < iters; i++)
		want += i ^ (i >> 3);
	CHECK_EQ(sum, want);
	/* Off again: no more upcalls, however long it spins. */
	int before = npreempt;
	lm_u64 i = 0;
	while (i < SPIN_BOUND / 64)
		i++;
	CHECK_EQ(npreempt, before);
}

static lm_cptr_t lo_tcb, wake_n, done_n;
static volatile int lo_seen = -1, lo_err = -1;

/* Below ktest: runs only while ktest waits. Waking ktest takes the CPU
 * from it; it hears so in its handler when ktest waits again. */
static lm_word_t low_preempted(lm_word_t arg)
{
	nrec = npreempt = nblocked = cancel_block = 0;
	signal_ntfn = 0;
	lo_err = lm_exc_install(lo_tcb, handler, exc_stack + sizeof exc_stack, sizeof exc_stack);
	if (!lo_err)
		lo_err = lm_thread_set_upcalls(lo_tcb, LM_UPCALL_ON_PREEMPT, 0);
	if (!lo_err)
		lo_err = lm_ntfn_signal(wake_n);
	lo_seen = npreempt;
	lm_thread_set_upcalls(lo_tcb, 0, 0);
	lm_exc_install(lo_tcb, 0, 0, 0);
	lm_ntfn_signal(done_n);
	return 0;
}

TEST(cpurev_higher_priority_preempts_with_upcall)
{
	lm_u64 w;

	wake_n = t_new(LM_OBJ_NOTIFY, 0);
	done_n = t_new(LM_OBJ_NOTIFY, 0);
	lo_tcb = t_thread_new();
	CHECK(wake_n && done_n && lo_tcb);
	lo_seen = lo_err = -1;
	CHECK_OK(lm_thread_start(lo_tcb, low_preempted, 0, t_stack(), T_PRIO - 1));
	CHECK_OK(lm_ntfn_wait(wake_n, &w)); /* the low thread runs, wakes us */
	CHECK_EQ(lo_seen, -1);              /* it has not gone on since */
	CHECK_OK(lm_ntfn_wait(done_n, &w));
	CHECK_EQ(lo_err, 0);
	CHECK(lo_seen >= 1);
	/* ktest's wake-up is told as LM_PREEMPT_PRIO (a tick may end the low
	 * thread's slice too, in the few instructions before it signals) */
	int prio = 0;
	for (int k = 0; k < nrec && k < NREC; k++) {
		CHECK_EQ(rec[k].vector, LM_UPCALL_PREEMPTED);
		prio += rec[k].error == LM_PREEMPT_PRIO;
	}
	CHECK(prio >= 1);
}

TEST(cpurev_would_block_wait_upcalls_and_retries)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	lm_u64 w = 0;

	CHECK(n);
	CHECK_OK(install());
	signal_ntfn = n;
	CHECK_OK(lm_thread_set_upcalls(LM_SLOT_TCB, LM_UPCALL_ON_BLOCK, 0));
	CHECK_OK(lm_ntfn_wait(n, &w)); /* upcall, handler signals, retry takes it */
	/* bits pending: no upcall */
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(lm_ntfn_wait(n, &w));
	uninstall();
	CHECK_EQ(w, 1);
	CHECK_EQ(nblocked, 1);
	CHECK_EQ(rec[0].vector, LM_UPCALL_BLOCKED);
	CHECK_EQ(rec[0].error, LM_SYS_NTFN_WAIT);
	CHECK_EQ(rec[0].rax, LM_SYS_NTFN_WAIT);
	CHECK_EQ(*(const lm_u16 *)rec[0].rip, 0x050f); /* at the SYSCALL */
}

TEST(cpurev_would_block_ipc_upcalls)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0);
	CHECK(ep);
	CHECK_OK(install());
	cancel_block = 1;
	CHECK_OK(lm_thread_set_upcalls(LM_SLOT_TCB, LM_UPCALL_ON_BLOCK, 0));
	CHECK_ERR(lm_ep_recv(ep, 0), LM_EAGAIN); /* nobody sends */
	CHECK_ERR(lm_ep_call(ep, LM_MSG_INFO(1, 1, 0), 5, 0, 0, 0, 0), LM_EAGAIN); /* nobody receives */
	CHECK_ERR(lm_ep_send(ep, LM_MSG_INFO(1, 1, 0), 5, 0, 0, 0), LM_EAGAIN);
	/* a non-blocking send is not a block */
	CHECK_ERR(lm_ep_nbsend(ep, LM_MSG_INFO(1, 1, 0), 5, 0, 0, 0), LM_EAGAIN);
	uninstall();
	CHECK_EQ(nblocked, 3);
	CHECK_EQ(rec[0].error, LM_SYS_EP_RECV);
	CHECK_EQ(rec[1].error, LM_SYS_EP_CALL);
	CHECK_EQ(rec[2].error, LM_SYS_EP_SEND);
	CHECK_EQ(rec[2].rax, LM_SYS_EP_SEND);
}

static volatile lm_u64 spun;

/* Preemption upcalls to an exception stack that is not mapped. */
static lm_word_t spin_no_stack(lm_word_t arg)
{
	int e = lm_thread_set_exception(arg, (lm_u64)lm_exc_entry, T_VA_PAGE(9),
					4096);
	if (!e)
		e = lm_thread_set_upcalls(arg, LM_UPCALL_ON_PREEMPT, 0);
	if (e)
		return 100 + e;
	for (;;)
		spun++;
}

TEST(cpurev_preempt_without_usable_stack_stops_thread)
{
	lm_cptr_t t = t_thread_new();
	struct lm_thread_info ti;

	CHECK(t);
	CHECK_OK(lm_thread_start(t, spin_no_stack, t, t_stack(), T_PRIO));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_EXC_STACK);
	CHECK_EQ(ti.fault_error, LM_UPCALL_PREEMPTED);
	/* Not `spun > 0`: the preemption may come between the call's return
	 * and the loop's first increment (a tick, or the console server). */
}

static lm_cptr_t rr_ep;
static volatile lm_u64 rr_reply = 0;

/* Below ktest: calls while ktest waits to receive, then says it is done. */
static lm_word_t rr_client(lm_word_t done)
{
	struct lm_msg m;
	if (!lm_ep_call(rr_ep, LM_MSG_INFO(3, 1, 0), 41, 0, 0, 0, &m))
		rr_reply = m.w[0];
	lm_ntfn_signal(done);
	return 0;
}

TEST(cpurev_reply_recv_replies_then_upcalls_for_the_receive)
{
	lm_cptr_t done = t_new(LM_OBJ_NOTIFY, 0);
	struct lm_msg m;
	lm_u64 w;

	rr_ep = t_new(LM_OBJ_ENDPOINT, 0);
	CHECK(done && rr_ep);
	rr_reply = 0;
	CHECK(t_thread(rr_client, done, T_PRIO - 1));
	CHECK_OK(lm_ep_recv(rr_ep, &m)); /* the client runs and calls */
	CHECK_EQ(m.w[0], 41);
	CHECK_OK(install());
	cancel_block = 1;
	CHECK_OK(lm_thread_set_upcalls(LM_SLOT_TCB, LM_UPCALL_ON_BLOCK, 0));
	/* the reply goes out; the receive would block: upcall, made to fail */
	CHECK_ERR(lm_ep_reply_recv(rr_ep, LM_MSG_INFO(0, 1, 0), 42, 0, 0, 0, &m), LM_EAGAIN);
	uninstall();
	CHECK_EQ(nblocked, 1);
	CHECK_EQ(rec[0].rax, LM_SYS_EP_RECV); /* a retry would only receive */
	CHECK_EQ(rec[0].error, LM_SYS_EP_RECV);
	CHECK_OK(lm_ntfn_wait(done, &w));
	CHECK_EQ(rr_reply, 42);
}
