/*
 * Signals: the state (signal.h), the calls that set it (rt_sigaction,
 * rt_sigprocmask, rt_sigpending, sigaltstack) and making a signal pending
 * (lx_sig_post). Delivery is signal_deliver.c's, the frame
 * signal_frame.c's, the waiting calls and kill signal_wait.c's.
 */
#include "signal.h"

struct lx_sigaction lx_sigact[LX_NSIG + 1];
lm_u64 lx_sig_blocked LX_HOT, lx_sig_pending LX_HOT, lx_sig_saved_mask LX_HOT;
int lx_sig_restore_mask LX_HOT;
struct lx_siginfo lx_sig_info[LX_NSIG + 1];
struct lx_stack lx_altstack = { 0, SS_DISABLE, 0, 0 };

/* SIGCONT's continuing is the process manager's (a stopped process is
 * continued before it takes SIGCONT): delivered, its default ignores it.
 * The stop signals' default action is jobctl.c's. */
#define DEFAULT_IGNORED (LX_SIGBIT(SIGCHLD) | LX_SIGBIT(SIGURG) | LX_SIGBIT(SIGWINCH) | \
			 LX_SIGBIT(SIGCONT))

int lx_sig_default_ignored(int sig)
{
	return sig < 32 && (DEFAULT_IGNORED & LX_SIGBIT(sig)) != 0;
}

int lx_sig_ignored(int sig)
{
	lm_u64 h = lx_sigact[sig].handler;

	return h == SIG_IGN || (h == SIG_DFL && lx_sig_default_ignored(sig));
}

void lx_sig_post(int sig, int code, int pid)
{
	struct lx_siginfo *si = &lx_sig_info[sig];

	if (sig < 1 || sig > LX_NSIG)
		return;
	if (!(lx_sig_blocked & LX_SIGBIT(sig)) && lx_sig_ignored(sig))
		return; /* blocked signals are kept: the handler may change */
	if (lx_sig_pending & LX_SIGBIT(sig))
		return;  /* not queued: the first one's siginfo stays */
	memset(si, 0, sizeof *si);
	si->signo = sig;
	si->code = code;
	si->u.kill.pid = pid;
	si->u.kill.uid = LX_UID;
	lx_sig_pending |= LX_SIGBIT(sig);
}

/* SIGCHLD from the manager (PM_SIGFETCH's w2): the child's pid | si_code
 * << 8 | si_status << 16 | its CPU time in clock ticks << 24, which goes
 * in si_utime (si_stime stays 0: no time is told apart as the system's). */
void lx_sig_post_chld(lm_u64 w)
{
	int was = (lx_sig_pending & LX_SIGBIT(SIGCHLD)) != 0;

	lx_sig_post(SIGCHLD, (int)(w >> 8) & 0xff, (int)(w & 0xff));
	if (!was && (lx_sig_pending & LX_SIGBIT(SIGCHLD))) {
		lx_sig_info[SIGCHLD].u.chld.status = (int)(w >> 16) & 0xff;
		lx_sig_info[SIGCHLD].u.chld.utime = (long)(w >> 24);
	}
}

int lx_sig_pending_unblocked(void)
{
	return (lx_sig_pending & ~lx_sig_blocked) != 0;
}

int lx_sig_take(lm_u64 set, struct lx_siginfo *si)
{
	lm_u64 ready = lx_sig_pending & set;
	int sig;

	if (!ready)
		return 0;
	sig = __builtin_ctzll(ready) + 1;
	lx_sig_pending &= ~LX_SIGBIT(sig);
	*si = lx_sig_info[sig];
	return sig;
}

void lx_sig_exec(void)
{
	for (int s = 1; s <= LX_NSIG; s++)
		if (lx_sigact[s].handler != SIG_IGN)
			memset(&lx_sigact[s], 0, sizeof lx_sigact[s]);
		else
			lx_sigact[s].flags = 0;
	lx_altstack = (struct lx_stack){ 0, SS_DISABLE, 0, 0 };
	lx_sig_restore_mask = 0;
	lx_job_nocldstop();
}

void lx_sig_fork_child(void)
{
	lx_sig_pending = 0;
	lx_sig_restore_mask = 0;
}

/* rt_sigaction(sig, act, oldact, sigsetsize) */
LX_SYS(rt_sigaction)
{
	lm_u64 sig = (lm_u32)a[0]; /* int */
	struct lx_sigaction act;

	if (a[3] != 8 || sig < 1 || sig > LX_NSIG)
		return -EINVAL;
	if (a[1] && lx_copy_in(&act, a[1], sizeof act))
		return -EFAULT;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (a[2] && lx_copy_out(a[2], &lx_sigact[sig], sizeof act))
		return -EFAULT;
	if (a[1]) {
		act.mask &= ~LX_UNBLOCKABLE;
		lx_sigact[sig] = act;
		/* Setting SIG_IGN (or SIG_DFL that ignores) drops it if pending. */
		if (lx_sig_ignored((int)sig))
			lx_sig_pending &= ~LX_SIGBIT(sig);
		if (sig == SIGCHLD)
			lx_job_nocldstop();
	}
	return 0;
}

/* rt_sigprocmask(how, set, oldset, sigsetsize) */
LX_SYS(rt_sigprocmask)
{
	lm_u64 set = 0, old = lx_sig_blocked;

	if (a[3] != 8)
		return -EINVAL;
	if (a[1]) {
		if (lx_copy_in(&set, a[1], sizeof set))
			return -EFAULT;
		if (a[0] > SIG_SETMASK)
			return -EINVAL;
	}
	if (a[2] && lx_copy_out(a[2], &old, sizeof old))
		return -EFAULT;
	if (a[1]) {
		if (a[0] == SIG_BLOCK)
			lx_sig_blocked |= set;
		else if (a[0] == SIG_UNBLOCK)
			lx_sig_blocked &= ~set;
		else
			lx_sig_blocked = set;
		lx_sig_blocked &= ~LX_UNBLOCKABLE;
	}
	return 0; /* a signal unblocked here is delivered as the call returns */
}

/* rt_sigpending(set, sigsetsize): the pending signals that are blocked. */
LX_SYS(rt_sigpending)
{
	lm_u64 set = lx_sig_pending & lx_sig_blocked;

	if (a[1] > 8)
		return -EINVAL;
	return lx_copy_out(a[0], &set, a[1]) ? -EFAULT : 0;
}

/* ---- the alternate stack ----------------------------------------------------- */

int lx_on_altstack(lm_u64 sp)
{
	if (lx_altstack.flags & SS_AUTODISARM)
		return 0;
	return sp > lx_altstack.sp && sp - lx_altstack.sp <= lx_altstack.size;
}

int lx_altstack_flags(lm_u64 sp)
{
	if (!lx_altstack.size)
		return SS_DISABLE;
	return lx_on_altstack(sp) ? SS_ONSTACK : 0;
}

long lx_altstack_set(const struct lx_stack *ss, lm_u64 sp)
{
	lm_u32 mode = (lm_u32)ss->flags & ~SS_AUTODISARM;

	if (lx_on_altstack(sp))
		return -EPERM;
	if (mode != SS_DISABLE && mode != SS_ONSTACK && mode)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		lx_altstack = (struct lx_stack){ 0, SS_DISABLE, 0, 0 };
		return 0;
	}
	if (ss->size < MINSIGSTKSZ)
		return -ENOMEM;
	lx_altstack = (struct lx_stack){ ss->sp, (int)((lm_u32)ss->flags & SS_AUTODISARM), 0, ss->size };
	return 0;
}

/* sigaltstack(ss, old_ss): the old one is reported as it was before. */
LX_SYS(sigaltstack)
{
	lm_u64 sp = lx_caller_rsp();
	struct lx_stack ss, old = { lx_altstack.sp, 0, 0, lx_altstack.size };
	long err;

	old.flags = lx_altstack_flags(sp) | (int)((lm_u32)lx_altstack.flags & SS_AUTODISARM);
	if (a[0] && lx_copy_in(&ss, a[0], sizeof ss))
		return -EFAULT;
	if (a[0]) {
		err = lx_altstack_set(&ss, sp);
		if (err)
			return err;
	}
	if (a[1] && lx_copy_out(a[1], &old, sizeof old))
		return -EFAULT;
	return 0;
}
