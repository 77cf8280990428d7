/* Thread objects and their system calls. */
#include <lamina/syscall.h>
#include <lamina/regs.h>
#include <lamina/exception.h>
#include "asm.h"
#include "syscall.h"
#include "thread.h"
#include "runq.h"
#include "vspace.h"
#include "ipc.h"
#include "bpf/prog.h"

struct tcb *root_tcb;

void tcb_init(struct tcb *t)
{
	t->frame.cs = SEL_UCODE;
	t->frame.ss = SEL_UDATA;
	t->frame.rflags = RFLAGS_IF | 0x2;
	t->frame.vector = FRAME_IRET;
	t->state = LM_TS_INACTIVE;
	t->slice = SLICE_TICKS;
	tcb_set_prio(t, 0);
	fpu_init_state(t->fx);
	t->cr0 = cpu0.cr0 | CR0_TS; /* not the FPU's owner */
	obj_link(&t->hdr, LM_OBJ_TCB);
}

bool tcb_can_run(const struct tcb *t)
{
	return t->cspace.cap.type == LM_OBJ_CNODE && t->vspace.cap.type == LM_OBJ_VSPACE;
}

/* Without its cspace or vspace capability it cannot run any more; losing
 * the IPC buffer only shortens its messages, losing the fault endpoint
 * only means its next fault stops it. */
void tcb_lost_slot(struct tcb *t, struct slot *s)
{
	if (s == &t->ipcbuf || s == &t->faultep || s == &t->stopntfn)
		return;
	/* Its predicate program revoked: the wait ends (LM_EDELETED). A
	 * filter's slot stays counted, empty: the filter now denies all. */
	if (s == &t->predprog) {
		if (t->state == LM_TS_BLOCKED && t->blocked == BLK_PRED) {
			ipc_cancel(t, LM_EDELETED);
			sched_make_runnable(t);
		}
		return;
	}
	if (s >= t->filters && s < t->filters + LM_BPF_MAX_FILTERS) {
		t->filter_allow = 0; /* nothing is allowed outright any more */
		return;
	}
	ipc_cancel(t, LM_EDELETED);
	if (t->state == LM_TS_RUNNABLE)
		sched_stop(t, LM_TS_INACTIVE);
}

/* The last capability to t is gone. */
void tcb_finalise(struct tcb *t)
{
	ipc_thread_gone(t);
	if (t->state == LM_TS_RUNNABLE)
		sched_stop(t, LM_TS_INACTIVE);
	if (cpu0.fpu_owner == t) {
		cpu0.fpu_owner = NULL;
		t->cr0 |= CR0_TS;
	}
	cap_delete_one(&t->cspace);
	cap_delete_one(&t->vspace);
	cap_delete_one(&t->ipcbuf);
	cap_delete_one(&t->faultep);
	cap_delete_one(&t->stopntfn);
	cap_delete_one(&t->predprog);
	for (int i = 0; i < t->nfilters; i++)
		cap_delete_one(&t->filters[i]);
}

/*
 * The kernel reports user faults on its debug console, a UART it polls
 * with interrupts off: at most FAULT_REPORTS in any one second (100 ticks),
 * so a process that makes threads fault in a loop cannot keep the kernel
 * writing; the others are counted, and the count is said at the next
 * report.
 */
#define FAULT_REPORTS 16
static u64 report_second, reports, unreported;

static bool fault_report(void)
{
	u64 second = sched_ticks / 100;
	if (second != report_second) {
		report_second = second;
		reports = 0;
	}
	if (reports == FAULT_REPORTS) {
		unreported++;
		return false;
	}
	reports++;
	if (unreported)
		kprintf("(%lu fault reports left out)\n", unreported);
	unreported = 0;
	return true;
}

/* Why t could not have its exception handled (kind LM_FAULT_EXC_STACK or
 * LM_FAULT_PAGER_*): fault_error keeps the vector it was about. */
static void stop_fault_kind(struct tcb *t, u64 kind)
{
	t->fault_error = t->fault_kind;
	t->fault_kind = kind;
	if (fault_report())
		kprintf("thread %p stopped: fault %lu unhandled (reason %lu)\n", (void *)t,
			t->fault_error, kind);
}

/*
 * A thread that stops for good gives up the reply it owes: its caller's
 * call fails instead of waiting forever. If that caller is a faulted
 * thread whose pager t was, it stops too, and so on down a chain of
 * pagers that user space may make as long as it likes: a loop, so the
 * kernel stack stays bounded.
 */
static void thread_stopped(struct tcb *t, u32 state)
{
	while (t) {
		const struct cap *n = &t->stopntfn.cap;
		struct tcb *next = t->reply_to ? reply_detach(t) : NULL;
		if (t->state == LM_TS_RUNNABLE)
			sched_stop(t, state);
		else
			t->state = state;
		/* Whoever waits for it hears so: no polling for a thread's end. */
		if (n->type == LM_OBJ_NOTIFY)
			notify_signal((struct notify *)n->obj, n->w2 ? n->w2 : 1);
		if (next)
			stop_fault_kind(next, LM_FAULT_PAGER_GONE);
		t = next;
		state = LM_TS_FAULTED;
	}
}

/* A user exception with no handler: the thread stops, its holder can see why. */
void thread_fault(struct tcb *t, struct frame *f, u64 addr)
{
	t->fault_kind = f->vector;
	t->fault_addr = addr;
	t->fault_error = f->error;
	t->fault_rip = f->rip;
	if (fault_report())
		kprintf("thread %p faulted: vector %lu at rip %p addr %p error %lx\n", (void *)t,
			f->vector, (void *)f->rip, (void *)addr, f->error);
	thread_stopped(t, LM_TS_FAULTED);
	/* Nobody holds the root task's capability but itself: it cannot be
	 * restarted, so the system is over. Say so instead of idling. */
	if (t == root_tcb)
		panic("the root task faulted");
}

void thread_stop_fault(struct tcb *t, u64 kind)
{
	stop_fault_kind(t, kind);
	thread_stopped(t, LM_TS_FAULTED);
}

/* Changing a thread (WRITE) takes, for a filtered caller, a thread that
 * carries its filters (bpf/filter.c). Inline in every handler (the
 * directed yield's, with the switch inline too, would otherwise call it). */
static always_inline u64 tcb_lookup(struct frame *f, u8 rights, struct tcb **t)
{
	struct slot *s;
	u64 e = cap_lookup(ARG1(f), LM_OBJ_TCB, rights, 1, &s);
	if (e)
		return e;
	*t = (struct tcb *)s->cap.obj;
	/* filter_may_control's own first test, here to spare the call: an
	 * unfiltered caller may control any thread it has the right to. */
	return rights & LM_R_WRITE && cpu0.cur->nfilters ? filter_may_control(*t, 1) : LM_OK;
}

/* The thread keeps a child copy, so the caller may delete its own. The old
 * capability is deleted without finalising what it kept alive: that could
 * destroy src's CNode (the old CSpace may hold the last capability to the
 * caller, whose own CSpace holds src) before src is copied, or the next
 * slot a call like THREAD_CONFIGURE reads. The work is finished when the
 * call returns (syscall.c, finish_later). */
void tcb_set_slot(struct tcb *t, struct slot *dst, struct slot *src)
{
	cap_delete_one(dst);
	struct cap c = src->cap;
	c.flags = CAP_F_TCBSLOT;
	cap_insert(dst, &c, src);
}

/* A filtered caller's filters go to the thread it configures (filter.c):
 * the one place a thread inherits them. */
SYS(thread_configure)
{
	struct tcb *t;
	struct slot *cn, *vs, *ts;
	u64 e;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_TCB, LM_R_WRITE, 1, &ts)))
		return e;
	t = (struct tcb *)ts->cap.obj;
	if ((e = filter_inherit_check(t, 1)) ||
	    (e = cap_lookup(ARG2(f), LM_OBJ_CNODE, 0, 2, &cn)) ||
	    (e = cap_lookup(ARG3(f), LM_OBJ_VSPACE, 0, 3, &vs)))
		return e;
	if (!vspace_live(&vs->cap))
		return SYSERR(LM_ESTATE, 3); /* no ID: it could not be run on */
	if (t->state == LM_TS_RUNNABLE || t->state == LM_TS_BLOCKED)
		return SYSERR(LM_ESTATE, 1);
	filter_inherit(t);
	tcb_set_slot(t, &t->cspace, cn);
	tcb_set_slot(t, &t->vspace, vs);
	return LM_OK;
}

SYS(thread_set_priority)
{
	struct tcb *t;
	u64 e = tcb_lookup(f, LM_R_WRITE, &t), prio = ARG2(f);
	if (e)
		return e;
	if (prio > LM_PRIO_MAX)
		return SYSERR(LM_ERANGE, 2);
	if (prio > cpu0.cur->prio)
		return SYSERR(LM_ERIGHTS, 2);
	if (t->state == LM_TS_RUNNABLE && t != cpu0.cur) {
		sched_stop(t, LM_TS_INACTIVE);
		tcb_set_prio(t, (u8)prio);
		sched_make_runnable(t);
	} else if (t->waitq) { /* keep the wait queue in priority order */
		struct waitq *q = t->waitq;
		waitq_remove(q, t);
		tcb_set_prio(t, (u8)prio);
		waitq_add(q, t);
	} else {
		tcb_set_prio(t, (u8)prio);
		need_resched = true; /* the caller may have lowered itself */
	}
	return LM_OK;
}

SYS(thread_read_regs)
{
	struct tcb *t;
	u64 e = tcb_lookup(f, LM_R_READ, &t);
	if (e || (e = frame_complete(t)))
		return e;
	const struct frame *s = &t->frame;
	frame_syscall_regs(&t->frame);
	struct lm_regs r = {
		.rax = s->rax, .rbx = s->rbx, .rcx = s->rcx, .rdx = s->rdx, .rsi = s->rsi,
		.rdi = s->rdi, .rbp = s->rbp, .r8 = s->r8, .r9 = s->r9, .r10 = s->r10,
		.r11 = s->r11, .r12 = s->r12, .r13 = s->r13, .r14 = s->r14, .r15 = s->r15,
		.rip = s->rip, .rsp = s->rsp, .rflags = s->rflags,
		.fs_base = t->fs_base, .gs_base = t->gs_base,
	};
	if (!user_copy_out(ARG2(f), &r, sizeof(r)))
		return SYSERR(LM_EFAULT, 2);
	return LM_OK;
}

static bool user_canonical(u64 a) { return a < (1ull << 47); }

SYS(thread_write_regs)
{
	struct tcb *t;
	struct lm_regs r;
	u64 e = tcb_lookup(f, LM_R_WRITE, &t);
	if (e)
		return e;
	if (t == cpu0.cur)
		return SYSERR(LM_ESTATE, 1);
	if (!user_copy_in(&r, ARG2(f), sizeof(r)))
		return SYSERR(LM_EFAULT, 2);
	if (r.rip < LM_USER_MIN || r.rip >= LM_USER_MAX || !user_canonical(r.rsp) || !user_canonical(r.fs_base) ||
	    !user_canonical(r.gs_base))
		return SYSERR(LM_ERANGE, 2);

	struct frame *d = &t->frame;
	d->rax = r.rax; d->rbx = r.rbx; d->rcx = r.rcx; d->rdx = r.rdx; d->rsi = r.rsi;
	d->rdi = r.rdi; d->rbp = r.rbp; d->r8 = r.r8; d->r9 = r.r9; d->r10 = r.r10;
	d->r11 = r.r11; d->r12 = r.r12; d->r13 = r.r13; d->r14 = r.r14; d->r15 = r.r15;
	d->rip = r.rip;
	d->rsp = r.rsp;
	d->rflags = (r.rflags & (LM_RFLAGS_USER_MASK | LM_RFLAGS_AC)) | RFLAGS_IF | 0x2;
	d->vector = FRAME_IRET; /* every register is live: leave by IRETQ */
	t->fs_base = r.fs_base;
	t->gs_base = r.gs_base;
	t->finish_owed = false; /* its rax is no longer FINISH_DELETE's */
	t->sysgate &= ~GATE_ONCE; /* nor is it restarting a call */
	return LM_OK;
}

SYS(thread_resume)
{
	struct tcb *t;
	u64 e = tcb_lookup(f, LM_R_WRITE, &t);
	if (e)
		return e;
	/* A thread blocked in IPC is on its wait queue through the links a
	 * run queue uses: made runnable there too, it would be on both (and
	 * destroying the endpoint would never get it off). It carries on by
	 * itself when its IPC completes or is cancelled. */
	if (t->state == LM_TS_RUNNABLE || t->state == LM_TS_BLOCKED)
		return LM_OK;
	if (!tcb_can_run(t) || !vspace_live(&t->vspace.cap))
		return SYSERR(LM_ESTATE, 1);
	sched_make_runnable(t);
	return LM_OK;
}

SYS(thread_suspend)
{
	struct tcb *t;
	u64 e = tcb_lookup(f, LM_R_WRITE, &t);
	if (e)
		return e;
	if (t->state == LM_TS_RUNNABLE)
		sched_stop(t, LM_TS_INACTIVE);
	else if (t->state == LM_TS_BLOCKED)
		ipc_cancel(t, LM_EINTR); /* its call returns LM_EINTR when resumed */
	else
		t->state = LM_TS_INACTIVE;
	return LM_OK;
}

SYS(thread_set_ipc_buffer)
{
	struct tcb *t;
	struct slot *fr = NULL;
	u64 e = tcb_lookup(f, LM_R_WRITE, &t);
	if (e)
		return e;
	if (ARG2(f)) {
		if ((e = cap_lookup(ARG2(f), LM_OBJ_FRAME, LM_R_READ | LM_R_WRITE, 2, &fr)))
			return e;
		if (fr->cap.bits != LM_PAGE_BITS)
			return SYSERR(LM_ETYPE, 2);
	}
	if (t->state == LM_TS_BLOCKED)
		return SYSERR(LM_ESTATE, 1);
	if (fr)
		tcb_set_slot(t, &t->ipcbuf, fr);
	else
		cap_delete(&t->ipcbuf);
	return LM_OK;
}

SYS(thread_info)
{
	struct tcb *t;
	u64 e = tcb_lookup(f, LM_R_READ, &t);
	if (e)
		return e;
	struct lm_thread_info i = {
		.state = t->state, .priority = t->prio, .fault_kind = t->fault_kind,
		.fault_addr = t->fault_addr, .fault_error = t->fault_error,
		.fault_rip = t->fault_rip, .exit_code = t->exit_code,
	};
	if (!user_copy_out(ARG2(f), &i, sizeof(i)))
		return SYSERR(LM_EFAULT, 2);
	return LM_OK;
}

/* (tcb, base, which): which 0 sets the FS base, LM_BASE_GS the GS base
 * (a library OS's per-thread pointer: user mode cannot read either base,
 * only through %fs:/%gs: loads). While the kernel runs, the user's GS
 * base sits in KERNEL_GS_BASE (swapped in on exit, switch.h). */
/* switch_to's FS and GS bases for t, when either side has one. */
void switch_bases(const struct tcb *t)
{
	if (cpu0.fs_loaded | t->fs_base) {
		wrmsr(MSR_FS_BASE, t->fs_base);
		cpu0.fs_loaded = t->fs_base;
	}
	if (cpu0.gs_loaded | t->gs_base) {
		wrmsr(MSR_KERNEL_GS_BASE, t->gs_base); /* swapped in on exit */
		cpu0.gs_loaded = t->gs_base;
	}
}

SYS(thread_set_fsbase)
{
	struct tcb *t;
	u64 e = tcb_lookup(f, LM_R_WRITE, &t);
	if (e)
		return e;
	if (!user_canonical(ARG2(f)))
		return SYSERR(LM_ERANGE, 2);
	if (ARG3(f) > LM_BASE_GS)
		return SYSERR(LM_ERANGE, 3);
	if (ARG3(f) == LM_BASE_GS) {
		t->gs_base = ARG2(f);
		if (t == cpu0.cur) {
			wrmsr(MSR_KERNEL_GS_BASE, t->gs_base);
			cpu0.gs_loaded = t->gs_base;
		}
		return LM_OK;
	}
	t->fs_base = ARG2(f);
	if (t == cpu0.cur) {
		wrmsr(MSR_FS_BASE, t->fs_base);
		cpu0.fs_loaded = t->fs_base;
	}
	return LM_OK;
}

SYS(thread_exit)
{
	struct tcb *t = cpu0.cur;
	t->exit_code = ARG1(f);
	thread_stopped(t, LM_TS_EXITED);
	return LM_OK;
}

/* Give t its own copy (badge and all) of the capability arg 2 names, of
 * `type` and with WRITE, in its slot at `off`; 0 takes it away. */
static u64 set_tcb_cap(struct frame *f, u8 type, size_t off)
{
	struct tcb *t;
	struct slot *c = NULL;
	u64 e = tcb_lookup(f, LM_R_WRITE, &t);
	if (e)
		return e;
	if (ARG2(f) && (e = cap_lookup(ARG2(f), type, LM_R_WRITE, 2, &c)))
		return e;
	struct slot *dst = (struct slot *)((char *)t + off);
	if (c)
		tcb_set_slot(t, dst, c);
	else
		cap_delete(dst);
	return LM_OK;
}

/* Faults go to this endpoint when the thread has no in-process handler. */
SYS(thread_set_fault_ep)
{
	return set_tcb_cap(f, LM_OBJ_ENDPOINT, __builtin_offsetof(struct tcb, faultep));
}

/* This notification (its badge, or 1) is signalled when the thread exits
 * or stops on a fault. */
SYS(thread_set_stop_notify)
{
	return set_tcb_cap(f, LM_OBJ_NOTIFY, __builtin_offsetof(struct tcb, stopntfn));
}

/* System calls with numbers below LM_SYS_BASE (another OS's numbering) are
 * reflected to entry, in user mode (syscall.c). */
SYS(thread_set_foreign)
{
	struct tcb *t;
	u64 e = tcb_lookup(f, LM_R_WRITE, &t), entry = ARG2(f);
	if (e)
		return e;
	if (entry && (entry < LM_USER_MIN || entry >= LM_USER_MAX))
		return SYSERR(LM_ERANGE, 2);
	t->foreign_entry = entry;
	return LM_OK;
}

SYS(thread_yield_to)
{
	struct tcb *t;
	u64 e = tcb_lookup(f, LM_R_WRITE, &t);
	if (e)
		return e;
	if (t->state != LM_TS_RUNNABLE)
		return SYSERR(LM_ESTATE, 1);
	sched_yield_to(t);
	return LM_OK;
}

SYS(thread_yield)
{
	sched_yield();
	return LM_OK;
}
