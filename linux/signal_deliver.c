/*
 * Delivery: where a pending signal meets the program.
 *
 * Delivery points: the end of every reflected call (lx_dispatch asks the
 * reflection entry for its exit hook, lx_sig_exit, when a signal not
 * blocked is pending, when the call returns an ERESTART* code, or for
 * rt_sigreturn) and a fault of the program (lx_sig_fault, mm.c's fallback
 * on the exception stack). Both end in lm_resume with a whole register
 * file and FPU state: the program's own (rt_sigreturn, or a call restarted)
 * or a handler's, with its frame copied onto the stack.
 *
 * One signal is delivered per delivery point, the lowest pending one not
 * blocked; another still pending is delivered at the handler's first call
 * (or its rt_sigreturn). Default actions: terminate (core-dump signals
 * too, no core is written), ignore, or stop (jobctl.c: the process waits
 * here, inside next_signal, until the process manager continues it).
 */
#include "signal.h"
#include "mm.h"
#include "thread.h"

/* lm_resume's record: never on a stack; the thread's own, as lm_resume
 * reads it after the lock is released */
#define rec (lx_self()->mem->rec)
static int sigreturn_now;    /* rt_sigreturn filled rec */

/* Killed: the process manager records "killed by sig" (WIFSIGNALED for
 * the parent), the shell sees 128 + sig. */
void lx_exit_signal(int sig)
{
	lx_exit_wstatus(sig);
}

/* The next signal for the program, taken, with its siginfo: 0 if none.
 * Ignored ones are dropped on the way; a default action that terminates
 * happens here and does not return. */
static int next_signal(struct lx_siginfo *si)
{
	int sig;

	while ((sig = lx_sig_take(~lx_sig_blocked, si))) {
		lm_u64 h = lx_sigact[sig].handler;

		if (h == SIG_IGN || (h == SIG_DFL && lx_sig_default_ignored(sig)))
			continue;
		if (h == SIG_DFL && lx_sig_default_stops(sig)) {
			lx_job_stop(sig); /* back when continued (jobctl.c) */
			continue;
		}
		if (h == SIG_DFL)
			lx_exit_signal(sig);
		return sig;
	}
	return 0;
}

/* A call returned -ERESTART*: restart it (back to the SYSCALL, rax = its
 * number; the argument registers are still the call's) or make it -EINTR,
 * depending on whether a handler runs and its SA_RESTART, as Linux does. */
static void fix_restart(long res, int sig)
{
	int restart = res == -ERESTARTNOINTR ||
		      (!sig && (res == -ERESTARTSYS || res == -ERESTARTNOHAND)) ||
		      (sig && res == -ERESTARTSYS && (lx_sigact[sig].flags & SA_RESTART));

	if (restart) {
		rec.regs.rax = lx_cur_args->nr;
		rec.regs.rip -= 2; /* SYSCALL is 0f 05 */
	} else {
		rec.regs.rax = (lm_u64)-EINTR;
	}
}

/* The reflection entry's exit hook (lm/reflect.h), set by lx_sig_check
 * and rt_sigreturn. */
const struct lm_resume *lx_sig_exit(struct lm_regs *r, struct lm_fpu_state *fx)
{
	lm_u64 oldmask = lx_sig_restore_mask ? lx_sig_saved_mask : lx_sig_blocked;
	long res = (long)r->rax;
	struct lx_siginfo si;
	int sig;

	if (!sigreturn_now) {
		rec.regs = *r;
		rec.fx = *fx;
	}
	rec.copy_len = 0;
	lx_proc_poll();
	sig = next_signal(&si);
	/* The frame holds the call restarted, or its -EINTR. */
	if (!sigreturn_now && (unsigned long)(res + ERESTARTNOHAND) <= 2)
		fix_restart(res, sig);
	sigreturn_now = 0;
	/* sigsuspend's mask: the frame holds the old one (oldmask); the
	 * handler runs with the temporary one plus its own, as on Linux. */
	if (lx_sig_restore_mask) {
		lx_sig_restore_mask = 0;
		if (!sig)
			lx_sig_blocked = lx_sig_saved_mask;
	}
	if (sig && lx_sig_setup_frame(&rec, sig, &si, oldmask, 0, 0, 0))
		lx_exit_signal(SIGSEGV); /* no room for the frame */
	lx_unlock(); /* held since the call (lx_dispatch) */
	return &rec;
}

/* rt_sigreturn(): back to the context the frame at rsp - 8 holds, as the
 * handler may have edited it; the registers, the FPU state, the mask, the
 * alternate stack. */
LX_SYS(rt_sigreturn)
{
	rec.regs.rflags = lx_cur_args->rflags;
	if (lx_sig_restore_frame(&rec, lx_caller_rsp())) {
		lm_printf("linux: rt_sigreturn: bad frame at %#lx: killed\n", lx_caller_rsp());
		lx_exit_signal(SIGSEGV);
	}
	sigreturn_now = 1;
	lx_cur_args->exit = lx_sig_exit;
	return 0;
}

/* ---- faults ----------------------------------------------------------------- */

struct fault_sig {
	int sig, code;
};

/* The signal Linux sends for a hardware exception of the program. */
static struct fault_sig fault_signal(const struct lm_exc_frame *f, const struct lm_fpu_state *fx)
{
	switch (f->vector) {
	case LM_FAULT_DE:
		return (struct fault_sig){ SIGFPE, FPE_INTDIV };
	case 1: /* #DB: single step */
		return (struct fault_sig){ SIGTRAP, TRAP_TRACE };
	case LM_FAULT_BP:
		return (struct fault_sig){ SIGTRAP, SI_KERNEL };
	case LM_FAULT_UD:
		return (struct fault_sig){ SIGILL, ILL_ILLOPN };
	case LM_FAULT_PF: {
		struct lx_area *a = lx_area_at(f->addr);
		lm_u32 need = f->error & 0x10 ? PROT_EXEC : f->error & 2 ? PROT_WRITE : PROT_READ;

		if (!a)
			return (struct fault_sig){ SIGSEGV, SEGV_MAPERR };
		/* Allowed and not present: the fault hook had no memory for it. */
		if (((a->prot | (a->prot ? PROT_READ : 0)) & need) && !(f->error & 1))
			return (struct fault_sig){ SIGBUS, BUS_ADRERR };
		return (struct fault_sig){ SIGSEGV, SEGV_ACCERR };
	}
	case LM_FAULT_AC:
		return (struct fault_sig){ SIGBUS, BUS_ADRALN };
	case LM_FAULT_MF:
	case LM_FAULT_XM: {
		lm_u32 mxcsr, ex;

		memcpy(&mxcsr, fx->b + 24, 4);
		ex = mxcsr & ~(mxcsr >> 7) & 0x3f;
		return (struct fault_sig){ SIGFPE, ex & 1 ? FPE_FLTINV : ex & 4 ? FPE_FLTDIV :
					   ex & 8 ? FPE_FLTOVF : ex & 16 ? FPE_FLTUND :
					   ex & 32 ? FPE_FLTRES : 0 };
	}
	case 12: /* #SS */
		return (struct fault_sig){ SIGBUS, SI_KERNEL };
	default: /* #GP and the rest */
		return (struct fault_sig){ SIGSEGV, SI_KERNEL };
	}
}

static int in_program(lm_u64 rip)
{
	return rip < LX_HIGH && (rip < LX_LIBOS_BASE || rip >= LX_LIBOS_END);
}

void lx_sig_fault(struct lm_exc_frame *f)
{
	struct lx_siginfo si;
	struct fault_sig fs;
	lm_u64 h;

	/* First: the handlers that ran before this one do not use the vector
	 * registers (checked in their code, docs/LINUX.md), so this is the
	 * program's state at the fault. */
	lm_fpu_save(&rec.fx);
	lx_lock();
	fs = fault_signal(f, &rec.fx);
	h = lx_sigact[fs.sig].handler;
	if (!in_program(f->regs.rip) || h == SIG_DFL || h == SIG_IGN ||
	    (lx_sig_blocked & LX_SIGBIT(fs.sig))) {
		/* Linux's force_sig: blocked or ignored, the fault kills. */
		lm_printf("linux: fault (vector %lu) at rip %#lx, address %#lx: killed\n",
			  f->vector, f->regs.rip, f->addr);
		/* Our own code faulting after a forced take: our state went
		 * with it (mm_revoke.c), an out-of-memory kill, as Linux's. */
		lx_exit_signal(!in_program(f->regs.rip) && lx_mem_state_lost() ? SIGKILL : fs.sig);
	}
	memset(&si, 0, sizeof si);
	si.signo = fs.sig;
	si.code = fs.code;
	if (fs.code != SI_KERNEL)
		si.u.addr = f->vector == LM_FAULT_PF ? f->addr : f->regs.rip;
	rec.regs = f->regs;
	rec.copy_len = 0;
	if (lx_sig_setup_frame(&rec, fs.sig, &si, lx_sig_blocked, f->vector, f->error,
			       f->vector == LM_FAULT_PF ? f->addr : 0)) {
		lm_printf("linux: fault (vector %lu) at rip %#lx: no room for the signal frame: killed\n",
			  f->vector, f->regs.rip);
		lx_exit_signal(SIGSEGV);
	}
	lx_unlock();
	lm_resume(&rec);
}

/* ---- waiting ------------------------------------------------------------------ */

/* Until a signal of `set` or one not blocked is pending (1), or the
 * realtime deadline passes (0; < 0: none). It sleeps on the wake
 * notification: the manager signals it when a signal is posted to us, the
 * timer server at the deadline or at our alarm (checked here, as at every
 * call's end); without them lx_thr_wait yields and we look again. */
int lx_sig_wait(lm_u64 set, long deadline_ns)
{
	for (;;) {
		lx_alarm_check();
		lx_proc_poll();
		if ((lx_sig_pending & (~lx_sig_blocked | set)))
			return 1;
		long now = lx_realtime_ns();
		if (deadline_ns >= 0 && now >= deadline_ns)
			return 0;
		if (deadline_ns < 0)
			lx_wait();
		else /* +1: a wake-up a nanosecond early only costs one more round */
			lx_wait_until(lx_tsc_ns() + (lm_u64)(deadline_ns - now) + 1);
	}
}
