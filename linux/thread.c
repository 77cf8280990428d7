/*
 * Threads: the lock, the per-thread slots, waiting, clone(CLONE_THREAD)
 * and a thread's end (thread.h; docs/LINUX.md "Threads").
 *
 * Waiting: servers signal the process's one wake notification
 * (lx_wake_ntfn). At most one waiting thread, the leader, waits on it; the
 * others (followers) wait on their own notification. When the leader
 * wakes it handles what the word says (a stopped child, terminal input,
 * the timer) and signals every follower, so each checks again what it
 * waits for; the first of them to wait again becomes the leader. So no
 * wake-up is lost to another thread: while a thread waits there is a
 * leader, or a wake-up is on its way to every follower.
 */
#include "thread.h"
#include "signal.h"
#include "mm.h"

struct lx_thread lx_threads[LX_THREADS];
static struct lx_thread_mem first_mem;
LM_STATIC_ASSERT(sizeof(struct lx_thread_mem) <= LX_PAGE, "one page above the exception stack");

static volatile int lock_word;
static struct lx_thread *owner, *last; /* last: whose state the globals hold */
static int depth;
static struct lx_thread *leader;
static lm_cptr_t wake_self; /* lx_wake_ntfn minted LX_WAKE_THREAD: wakes the leader */
static int nlive = 1;
/* A second thread was made: until then the lock is not taken at all (a
 * process without threads pays two loads a call for it, and its fork
 * child copies no page for it); clone takes it for the caller. */
static int threaded LX_HOT;

/* ---- the lock ------------------------------------------------------------------ */

static void save(struct lx_thread *t)
{
	t->s = (struct lx_thread_saved){ lx_sig_blocked, lx_sig_saved_mask, lx_clear_tid,
					 lx_fs_base, lx_sig_restore_mask, lx_altstack, lx_cur_args };
}

static void load(struct lx_thread *t)
{
	lx_sig_blocked = t->s.blocked;
	lx_sig_saved_mask = t->s.saved_mask;
	lx_clear_tid = t->s.clear_tid;
	lx_fs_base = t->s.fs_base;
	lx_sig_restore_mask = t->s.restore_mask;
	lx_altstack = t->s.alt;
	lx_cur_args = t->s.args;
}

static void take(struct lx_thread *t)
{
	while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
		lm_thread_yield(); /* the holder has our priority: it runs */
	owner = t;
	depth = 1;
	if (last != t) {
		if (last)
			save(last);
		load(t);
		last = t;
	}
	for (lm_u64 p = t->tpending; p; p &= p - 1) /* tgkill'd to it */
		lx_sig_post(__builtin_ctzll(p) + 1, SI_TKILL, (int)lx_pid);
	t->tpending = 0;
}

void lx_lock(void)
{
	struct lx_thread *t;

	if (!threaded)
		return;
	t = lx_self();
	if (owner == t)
		depth++;
	else
		take(t);
}

static void drop(void)
{
	owner = 0;
	__atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

void lx_unlock(void)
{
	if (threaded && --depth == 0)
		drop();
}

void lx_thr_yield(void)
{
	struct lx_thread *t = owner;
	int d = depth;

	if (!threaded) {
		lm_thread_yield();
		return;
	}
	drop();
	lm_thread_yield();
	take(t);
	depth = d;
}

/* ---- slots ---------------------------------------------------------------------- */

static long tid_of(struct lx_thread *t)
{
	long i = t - lx_threads;

	/* the first thread's tid is the pid; the others' are unique in the
	 * process, above every pid (docs/LINUX.md) */
	return i ? (i << 22) | (lx_pid & 0x3fffff) : lx_pid;
}

void lx_thr_init(void)
{
	struct lx_thread *t = &lx_threads[0];

	t->self = t;
	t->state = LX_T_LIVE;
	t->tcb = LM_SLOT_TCB;
	t->mem = &first_mem;
	lm_thread_set_gsbase(LM_SLOT_TCB, (lm_u64)t);
}

void lx_thr_fork_child(void)
{
	struct lx_thread *me = lx_self(), *t = &lx_threads[0];

	if (me != t) {
		*t = *me;
		t->self = t;
		t->mem = &first_mem; /* its page is not inherited; nothing in it is needed */
		t->exc_va = 0;
		lm_thread_set_gsbase(LM_SLOT_TCB, (lm_u64)t);
	}
	t->tcb = LM_SLOT_TCB;
	t->ntfn = 0; /* the parent's, not in our CSpace */
	t->wait = LX_W_NONE;
	t->futex = t->tpending = 0;
	for (int i = 1; i < LX_THREADS; i++) { /* nothing of theirs is ours: mapped by hand */
		lx_threads[i].state = LX_T_FREE;
		lx_threads[i].tcb = lx_threads[i].ntfn = 0;
		lx_threads[i].exc_va = lx_threads[i].unmap_hi = 0;
	}
	owner = last = 0; /* one thread again: no lock (the call returns through it) */
	lock_word = depth = threaded = 0;
	leader = 0;
	wake_self = 0;
	nlive = 1;
}

struct lx_thread *lx_thr_find(long tid)
{
	for (int i = 0; i < LX_THREADS; i++)
		if (lx_threads[i].state == LX_T_LIVE && tid_of(&lx_threads[i]) == tid)
			return &lx_threads[i];
	return 0;
}

int lx_thr_count(void)
{
	return nlive;
}

LX_SYS(gettid) { return tid_of(lx_self()); }

long lx_thr_tid_at(int i)
{
	if (i < 0 || i >= LX_THREADS)
		return -1;
	if (!threaded && i) /* a process without threads: slots past 0 unused */
		return 0;
	return lx_threads[i].state == LX_T_LIVE || !i ? tid_of(&lx_threads[i]) : 0;
}

/* A dead thread's TCB, once it has stopped. */
static int reap(struct lx_thread *t)
{
	struct lm_thread_info ti;

	if (t->state != LX_T_DEAD || lm_thread_info(t->tcb, &ti) ||
	    (ti.state != LM_TS_EXITED && ti.state != LM_TS_FAULTED && ti.state != LM_TS_INACTIVE))
		return 0;
	lm_vm_fini(t->tcb);
	lm_obj_free(t->tcb);
	t->tcb = 0;
	t->state = LX_T_FREE;
	if (t->unmap_hi)
		lx_unmap(t->unmap_lo, t->unmap_hi);
	t->unmap_lo = t->unmap_hi = 0;
	return 1;
}

static void reap_all(void)
{
	for (int i = 1; i < LX_THREADS; i++)
		reap(&lx_threads[i]);
}

int lx_thr_defer_unmap(lm_u64 lo, lm_u64 hi)
{
	struct lx_thread *t = lx_self();
	lm_u64 sp = lm_sysargs_rsp(lx_cur_args);

	if (t == &lx_threads[0] || sp < lo || sp - 4096 >= hi || t->unmap_hi)
		return 0;
	t->unmap_lo = lo;
	t->unmap_hi = hi;
	return 1;
}

/* ---- waiting -------------------------------------------------------------------- */

static lm_cptr_t own_ntfn(struct lx_thread *t)
{
	if (!t->ntfn && lm_obj_alloc(LM_OBJ_NOTIFY, 0, &t->ntfn))
		t->ntfn = 0;
	return t->ntfn;
}

void lx_thr_wake(struct lx_thread *t)
{
	if (t->wait == LX_W_LEADER && wake_self)
		lm_ntfn_signal(wake_self);
	else if (t->wait == LX_W_FOLLOWER)
		lm_ntfn_signal(t->ntfn);
}

lm_u64 lx_timer_wait_fired(lm_u64 word); /* timer.c */
const struct lm_resume *lx_sig_exit(struct lm_regs *r, struct lm_fpu_state *fx);
void lx_proc_reap_stopped(void);

static lm_u64 lx_woken(lm_u64 word);

lm_u64 lx_thr_wait(lm_u64 deadline)
{
	struct lx_thread *t = lx_self();
	int d = depth, follow = leader && own_ntfn(t);
	lm_u64 word = 0;

	if (deadline && lx_timer_wait_arm(deadline)) {
		lx_thr_yield(); /* no timer server: the caller asks again */
		return 0;
	}
	if (!threaded) { /* the one thread: nothing to share */
		if (!lx_wake_ntfn || lm_ntfn_wait(lx_wake_ntfn, &word))
			lm_thread_yield();
		return lx_woken(word);
	}
	t->wait = follow ? LX_W_FOLLOWER : LX_W_LEADER;
	if (!follow)
		leader = t;
	drop();
	if (follow)
		lm_ntfn_wait(t->ntfn, 0);
	else if (!lx_wake_ntfn || lm_ntfn_wait(lx_wake_ntfn, &word))
		lm_thread_yield();
	take(t);
	depth = d;
	t->wait = LX_W_NONE;
	if (follow)
		return 0;
	if (leader == t) /* not if a stop cleared it meanwhile (lx_thr_stop_others) */
		leader = 0;
	for (int i = 0; i < LX_THREADS; i++) /* each checks again what it waits for */
		if (lx_threads[i].wait == LX_W_FOLLOWER)
			lm_ntfn_signal(lx_threads[i].ntfn);
	return lx_woken(word);
}

/* The leader's part of a wake-up: what the process's word says. */
static lm_u64 lx_woken(lm_u64 word)
{
	lx_timer_wait_fired(word);
	/* A child of ours that stopped without PM_EXIT (LX_WAKE_KID) is
	 * reported now, whatever we wait for: until then it holds its
	 * descriptors (a pipe we read would never see its end). */
	if (word & LX_WAKE_KID)
		lx_proc_reap_stopped();
	if (word & LX_WAKE_CON)
		lx_tty_pump(); /* Ctrl-C typed while we wait is SIGINT now */
	return word;
}

/* ---- clone ------------------------------------------------------------------------ */

#define CLONE_VM             0x100
#define CLONE_FS             0x200
#define CLONE_FILES          0x400
#define CLONE_SIGHAND        0x800
#define CLONE_THREAD         0x10000
#define CLONE_SYSVSEM        0x40000
#define CLONE_SETTLS         0x80000
#define CLONE_PARENT_SETTID  0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_DETACHED       0x400000
#define CLONE_CHILD_SETTID   0x1000000
#define THREAD_NEED (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)
#define THREAD_OK (THREAD_NEED | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_SETTLS | \
		   CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID)

#define EXC_VA    0x7ef800200000ull /* thread i's exception stack: EXC_VA + i * EXC_SPAN */
#define EXC_SPAN  0x8000ull         /* 16 KiB of stack and a guard gap */
#define EXC_PAGES 4                 /* and one more above: its struct lx_thread_mem */

/* The new thread, made by sys_clone, started by the exit hook (it needs
 * the caller's whole register file). */
static struct { struct lx_thread *t; lm_u64 sp, tls, flags; } born;

static int exc_stack(struct lx_thread *t)
{
	lm_u64 va = EXC_VA + (lm_u64)(t - lx_threads) * EXC_SPAN;
	lm_cptr_t f;

	if (t->exc_va)
		return 0;
	for (int i = 0; i <= EXC_PAGES; i++) {
		if (lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f))
			return -ENOMEM;
		if (lm_map_page(LM_SLOT_VSPACE, f, va + i * LX_PAGE, LM_R_READ | LM_R_WRITE)) {
			lm_obj_free(f);
			return -ENOMEM; /* the pages mapped so far are kept for a retry */
		}
	}
	t->exc_va = va;
	t->mem = (struct lx_thread_mem *)(va + EXC_PAGES * LX_PAGE);
	return 0;
}

/* A TCB in our address space, with our IPC buffer (shared: only the lock
 * holder uses it), exception stack and reflection, GS at its slot. */
static long thread_make(struct lx_thread *t)
{
	lm_cptr_t tcb;

	if (exc_stack(t) || !own_ntfn(t) || !own_ntfn(lx_self()))
		return -ENOMEM;
	if (lm_thread_new(LM_SLOT_CNODE, LM_SLOT_VSPACE, &tcb))
		return -EAGAIN;
	if (lm_thread_set_ipc_buffer(tcb, lx_ipcbuf_frame) ||
	    lm_vm_init(tcb, (void *)(t->exc_va + EXC_PAGES * LX_PAGE), EXC_PAGES * LX_PAGE) ||
	    lm_reflect_install(tcb, lx_dispatch)) {
		lm_obj_free(tcb);
		return -EAGAIN;
	}
	t->tcb = tcb;
	return 0;
}

static const struct lm_resume *clone_start(struct lm_regs *r, struct lm_fpu_state *fx)
{
	struct lx_thread *t = born.t, *me = lx_self();
	struct lm_thread_info ti;
	struct lm_regs cr = *r;

	cr.rax = 0; /* the child returns 0 from clone, on its stack */
	if (born.sp)
		cr.rsp = born.sp;
	cr.fs_base = born.flags & CLONE_SETTLS ? born.tls : lx_fs_base;
	cr.gs_base = (lm_u64)t;
	if (lm_thread_info(me->tcb, &ti))
		ti.priority = 100;
	if (lm_thread_write_regs(t->tcb, &cr) || lm_thread_set_priority(t->tcb, ti.priority) ||
	    lm_thread_resume(t->tcb))
		lm_printf("linux: clone: thread %ld did not start\n", t->tid);
	if (lx_sig_pending & ~lx_sig_blocked)
		return lx_sig_exit(r, fx); /* releases the lock */
	lx_unlock();
	return 0;
}

long lx_thr_clone(struct lm_sysargs *a)
{
	lm_u64 fl = a->a[0];
	struct lx_thread *t = 0;
	long tid, err;

	if ((fl & THREAD_NEED) != THREAD_NEED || (fl & ~(lm_u64)THREAD_OK))
		return -EINVAL;
	if ((fl & CLONE_PARENT_SETTID) && !lx_writable(a->a[2], 4))
		return -EFAULT;
	if ((fl & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) && !lx_writable(a->a[3], 4))
		return -EFAULT;
	reap_all();
	for (int i = 1; i < LX_THREADS && !t; i++)
		if (lx_threads[i].state == LX_T_FREE)
			t = &lx_threads[i];
	if (!t)
		return -EAGAIN;
	if ((err = thread_make(t)))
		return err;
	if (!wake_self && !(wake_self = lx_wake_mint(LX_WAKE_THREAD)))
		return -ENOMEM;
	if (!threaded) { /* from now on the lock is real: ours, in this call */
		threaded = 1;
		lock_word = 1;
		owner = last = lx_self();
		depth = 1;
	}
	tid = tid_of(t);
	t->self = t;
	t->tid = tid;
	t->state = LX_T_LIVE;
	t->wait = LX_W_NONE;
	t->futex = t->tpending = 0;
	/* Linux: the mask inherited, no alternate stack, nothing pending. */
	t->s = (struct lx_thread_saved){ .blocked = lx_sig_blocked,
		.clear_tid = fl & CLONE_CHILD_CLEARTID ? a->a[3] : 0,
		.fs_base = fl & CLONE_SETTLS ? a->a[4] : lx_fs_base,
		.alt = { 0, SS_DISABLE, 0, 0 } };
	nlive++;
	if (fl & CLONE_PARENT_SETTID)
		lx_copy_out(a->a[2], &tid, 4);
	if (fl & CLONE_CHILD_SETTID)
		lx_copy_out(a->a[3], &tid, 4);
	born.t = t;
	born.sp = a->a[1];
	born.tls = a->a[4];
	born.flags = fl;
	a->exit = clone_start; /* the lock stays held until it has run */
	return tid;
}

/* ---- the end ---------------------------------------------------------------------- */

static lm_u8 end_stack[8192] __attribute__((aligned(16)));

static lm_word_t first_ends(lm_word_t ws)
{
	lx_exit_wstatus((int)ws);
}

void lx_thr_end_process(int ws)
{
	struct lx_thread *me = lx_self(), *first = &lx_threads[0];
	struct lm_regs r;

	for (int i = 1; i < LX_THREADS; i++)
		if (&lx_threads[i] != me && lx_threads[i].tcb)
			lm_thread_suspend(lx_threads[i].tcb);
	if (me == first)
		return;
	/* The first thread is the process to whoever started it (its exit
	 * code, its fork server): it ends it, on a stack of its own. */
	lm_thread_suspend(LM_SLOT_TCB);
	lm_thread_regs(&r, first_ends, (lm_word_t)ws, end_stack + sizeof end_stack);
	r.gs_base = (lm_u64)first;
	owner = first; /* the lock passes to it */
	if (lm_thread_write_regs(LM_SLOT_TCB, &r) || lm_thread_resume(LM_SLOT_TCB))
		return; /* cannot: end here */
	lm_thread_exit(0);
}

/* ---- a stop of the whole process ------------------------------------------- */

/* The leader a stop suspended: it is the leader again at the continue. */
static struct lx_thread *stopped_leader;

/* A stop signal stops every thread (POSIX), not only the one that took
 * it: the others are suspended, wherever they are. None holds the lock
 * (the caller does), so each is in the program, in take(), or in
 * lx_thr_wait after drop(); a suspended wait returns early when resumed,
 * which every caller of lx_thr_wait takes as a spurious wake-up. A
 * suspended leader no longer waits on the process's notification: the
 * caller's own wait must, so it becomes the leader for the stop. A dead
 * thread (ending, or the first one parked) is left alone. */
lm_u32 lx_thr_stop_others(void)
{
	struct lx_thread *me = lx_self();
	lm_u32 set = 0;

	if (!threaded)
		return 0;
	for (int i = 0; i < LX_THREADS; i++) {
		struct lx_thread *t = &lx_threads[i];

		if (t == me || t->state != LX_T_LIVE || !t->tcb || lm_thread_suspend(t->tcb))
			continue;
		set |= 1u << i;
		if (leader == t) {
			stopped_leader = t;
			leader = 0;
		}
	}
	return set;
}

/* The continue: those lx_thr_stop_others suspended run again. */
void lx_thr_continue_others(lm_u32 set)
{
	if (stopped_leader && !leader)
		leader = stopped_leader; /* it waits again, or finds leader == itself */
	stopped_leader = 0;
	for (int i = 0; i < LX_THREADS; i++)
		if ((set & (1u << i)) && lx_threads[i].tcb)
			lm_thread_resume(lx_threads[i].tcb);
}

void lx_thr_exec_handoff(lm_word_t (*fn)(lm_word_t), void *stack)
{
	struct lx_thread *me = lx_self(), *first = &lx_threads[0];
	struct lm_regs r;

	if (me == first)
		return;
	/* Whatever the first thread did (a call, a wait, parked after its
	 * exit) is dropped: it runs fn at the top of its stack, off its
	 * exception stack, as the exec's caller would. */
	lm_thread_suspend(LM_SLOT_TCB);
	lm_thread_regs(&r, fn, 0, stack);
	r.gs_base = (lm_u64)first;
	first->state = LX_T_LIVE;
	first->wait = LX_W_NONE;
	owner = last = first; /* the lock passes to it, and the globals: our mask */
	if (lm_thread_write_regs(LM_SLOT_TCB, &r) || lm_thread_resume(LM_SLOT_TCB)) {
		lm_printf("linux: execve: the first thread cannot take it on: killed\n");
		lx_exit_wstatus(SIGKILL);
	}
	lm_thread_exit(0); /* freed by lx_thr_exec in the first thread */
}

void lx_thr_exec(void)
{
	struct lx_thread *me = lx_self();

	for (int i = 1; i < LX_THREADS; i++) {
		struct lx_thread *t = &lx_threads[i];

		if (t == me || !t->tcb)
			continue;
		lm_thread_suspend(t->tcb);
		t->state = LX_T_DEAD;
		reap(t);
	}
	nlive = 1;
	lx_clear_tid = 0;
	leader = stopped_leader = 0; /* none of the others waits any more */
}

void lx_thr_exec_done(void)
{
	if (threaded && owner == lx_self()) {
		depth = 0;
		drop();
	}
}

/* exit(code): this thread only; the process ends with its last thread. */
LX_SYS(exit)
{
	struct lx_thread *t = lx_self();
	lm_u32 zero = 0;

	if (nlive == 1)
		lx_exit((int)(a[0] & 0xff));
	if (lx_clear_tid && !lx_copy_out(lx_clear_tid, &zero, 4))
		lx_futex_wake(lx_clear_tid, 1, ~0u);
	nlive--;
	t->state = LX_T_DEAD;
	reap_all(); /* the others gone before: their deferred unmaps */
	if (t == &lx_threads[0]) /* parked: the process is still its */
		for (;;)
			lx_thr_wait(0);
	if (last == t)
		last = 0; /* nothing of it to keep */
	drop();
	lm_thread_exit(0);
}

LX_SYS(exit_group) { lx_exit((int)(a[0] & 0xff)); }
