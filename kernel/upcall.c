/*
 * In-process exception upcalls (include/lamina/exception.h): the exokernel
 * way to handle an exception is to hand it straight back to the library OS
 * of the thread that took it. The kernel's whole part is to save the
 * registers on the thread's exception stack and start the handler; the
 * handler resumes by itself. An ordinary exception's frame is written by
 * entry.S's fast path, by its user address; push_frame below makes the
 * same choices and is the authority for everything the fast path hands
 * over (no handler, a reschedule due, no room, a store that faulted) and
 * for the scheduling upcalls.
 */
#include <lamina/exception.h>
#include <lamina/syscall.h>
#include "syscall.h"
#include "thread.h"
#include "vspace.h"
#include "bpf/prog.h"

SYS(thread_set_exception)
{
	struct slot *s;
	u64 entry = ARG2(f), top = ARG3(f), size = ARG4(f);
	u64 e = cap_lookup(ARG1(f), LM_OBJ_TCB, LM_R_WRITE, 1, &s);
	if (e || (e = filter_may_control((struct tcb *)s->cap.obj, 1)))
		return e;
	if (entry && (entry >= LM_USER_MAX || entry < LM_USER_MIN))
		return SYSERR(LM_ERANGE, 2);
	if (entry && (top > LM_USER_MAX || size > top || top - size < LM_USER_MIN ||
		      size < sizeof(struct lm_exc_frame) + 16))
		return SYSERR(LM_ERANGE, 3);
	if (entry && !IS_ALIGNED(top, 16))
		return SYSERR(LM_EALIGN, 3);
	struct tcb *t = (struct tcb *)s->cap.obj;
	t->exc_entry = entry;
	t->exc_top = entry ? top : 0;
	t->exc_size = entry ? size : 0;
	if (!entry) { /* scheduling upcalls go to the handler: none without it */
		t->upcalls = 0;
		t->sysgate &= ~(GATE_SLOW | GATE_FULL);
	}
	return LM_OK;
}

/* (tcb, flags) -> rdi: the flags it had. Flags only with a handler. */
SYS(thread_set_upcalls)
{
	struct slot *s;
	u64 flags = ARG2(f);
	u64 e = cap_lookup(ARG1(f), LM_OBJ_TCB, LM_R_WRITE, 1, &s);
	if (e || (e = filter_may_control((struct tcb *)s->cap.obj, 1)))
		return e;
	if (flags & ~(u64)LM_UPCALL_ALL)
		return SYSERR(LM_EINVAL, 2);
	struct tcb *t = (struct tcb *)s->cap.obj;
	if (flags && !t->exc_entry)
		return SYSERR(LM_ESTATE, 1);
	f->rdi = t->upcalls;
	t->upcalls = (u8)flags;
	t->sysgate &= ~(GATE_SLOW | GATE_FULL);
	if (flags & LM_UPCALL_ON_BLOCK)
		t->sysgate |= GATE_SLOW;
	if (flags & LM_UPCALL_ON_PREEMPT)
		t->sysgate |= GATE_FULL; /* schedule() may write all its registers */
	return LM_OK;
}

/* The frame cannot be written (stack unmapped, read-only or full): t stops
 * with LM_FAULT_EXC_STACK, the vector it was delivering in fault_error. */
static bool stack_unusable(struct tcb *t, struct frame *f, u64 at)
{
	f->error = f->vector;
	f->vector = LM_FAULT_EXC_STACK;
	thread_fault(t, f, at);
	return false;
}

/* Field by field, each a load and a store: built all at once, the
 * compiler holds them in registers and spills half of them. */
static always_inline void exc_frame_fill(struct lm_exc_frame *x, const struct tcb *t,
					 const struct frame *f, u64 addr)
{
	x->vector = f->vector;
	x->error = f->error;
	x->addr = addr;
	x->pad = 0;
	x->regs.rax = f->rax;
	x->regs.rbx = f->rbx;
	x->regs.rcx = f->rcx;
	x->regs.rdx = f->rdx;
	x->regs.rsi = f->rsi;
	x->regs.rdi = f->rdi;
	x->regs.rbp = f->rbp;
	x->regs.r8 = f->r8;
	x->regs.r9 = f->r9;
	x->regs.r10 = f->r10;
	x->regs.r11 = f->r11;
	x->regs.r12 = f->r12;
	x->regs.r13 = f->r13;
	x->regs.r14 = f->r14;
	x->regs.r15 = f->r15;
	x->regs.rip = f->rip;
	x->regs.rsp = f->rsp;
	x->regs.rflags = f->rflags;
	x->regs.fs_base = t->fs_base;
	x->regs.gs_base = t->gs_base;
}

/*
 * Push t's registers (frame f) as an exception frame with f's vector and
 * error and addr onto t's exception stack and point f at the handler.
 * False if t stopped instead (LM_FAULT_EXC_STACK): the stack is unmapped,
 * read-only or full.
 */
static always_inline bool push_frame(struct tcb *t, struct frame *f, u64 addr)
{
	/* Nested: already on the exception stack, so go below the current
	 * frame (past the red zone the handler's code may use). A handler
	 * that ran off the bottom (rsp within a page below it) counts as
	 * nested too, and so overflows, rather than starting over at the top
	 * on top of its own frames. */
	u64 sp = t->exc_top, base = t->exc_top - t->exc_size;
	if (f->rsp <= t->exc_top && f->rsp + 4096 > base)
		sp = f->rsp - 128;
	u64 at = (sp - sizeof(struct lm_exc_frame)) & ~15ull;
	if (sp < base + sizeof(struct lm_exc_frame) || at < base)
		return stack_unusable(t, f, at);
	/* Usually the frame sits in one page: written there directly, else
	 * built here and copied across the page boundary. */
	struct lm_exc_frame x, *xp = user_writable(at, sizeof(x));
	exc_frame_fill(xp ? xp : &x, t, f, addr);
	if (!xp && !user_copy_out(at, &x, sizeof(x)))
		return stack_unusable(t, f, at);
	f->rip = t->exc_entry;
	f->rsp = at;
	f->rdi = at;
	f->rflags &= ~(BIT(8) | BIT(10)); /* TF, DF: the handler starts clean */
	/* Leave by SYSRET: rcx and r11 are dead at the handler's entry, and
	 * the entry is a user address below LM_USER_MAX. */
	f->vector = FRAME_SYSCALL;
	return true;
}

/*
 * Deliver exception f->vector of t to its handler. Returns false if t has
 * no handler (the caller stops the thread as before); stops t with
 * LM_FAULT_EXC_STACK if the frame cannot be written (stack unmapped,
 * read-only, or full).
 */
bool upcall_deliver(struct tcb *t, struct frame *f, u64 addr)
{
	if (!t->exc_entry)
		return false;
	push_frame(t, f, addr);
	return true;
}

/*
 * t, the current thread and runnable, loses the CPU involuntarily (sched.c:
 * slice end, or something of higher priority ready) with
 * LM_UPCALL_ON_PREEMPT set: it will start at its handler when it next runs,
 * by whatever path (run queue, directed yield). Written now, while its
 * address space is the current one. If it cannot be, t stops (and is no
 * longer runnable: the caller must not queue it).
 */
void upcall_preempted(struct tcb *t, u64 why)
{
	if (t->exc_entry) {
		frame_syscall_regs(&t->frame);
		t->frame.vector = LM_UPCALL_PREEMPTED; /* the frame is rewritten: */
		t->frame.error = why;                  /* both are free to use */
		push_frame(t, &t->frame, 0);
	}
}

/*
 * The current thread, with LM_UPCALL_ON_BLOCK, is about to block in system
 * call nr (its SYSCALL frame, not yet answered): instead it enters its
 * handler with registers as before the call and rip at the SYSCALL, so that
 * resuming retries (nr replaces rax: EP_RECV for what is left of an
 * EP_REPLY_RECV). Returns what the call's handler returns: SYS_RESTART,
 * whose rip -= 2 is allowed for here, so dispatch writes no result over the
 * handler's arguments and leaves no finishing work in between. If t stopped
 * (no usable stack), the restart leaves rip at the call.
 */
u64 upcall_blocked(struct tcb *t, u64 nr)
{
	struct frame *f = &t->frame;
	frame_syscall_regs(f);
	f->rip -= 2;
	f->rax = nr;
	f->vector = LM_UPCALL_BLOCKED;
	f->error = nr;
	push_frame(t, f, 0);
	f->rip += 2; /* the handler's entry, or back past the SYSCALL if t stopped */
	return SYS_RESTART;
}
