/*
 * Waiting for signals (rt_sigsuspend, pause, rt_sigtimedwait) and sending
 * them (kill, tkill, tgkill). One process for now: a signal comes from the
 * process itself (kill to its own pid, a fault, the terminal); other pids
 * are ESRCH until the process manager routes them (docs/LINUX.md).
 */
#include "signal.h"

void lx_sig_mask_for_wait(lm_u64 mask)
{
	lx_sig_saved_mask = lx_sig_blocked;
	lx_sig_restore_mask = 1;
	lx_sig_blocked = mask & ~LX_UNBLOCKABLE;
}

void lx_sig_mask_restore(void)
{
	if (lx_sig_restore_mask)
		lx_sig_blocked = lx_sig_saved_mask;
	lx_sig_restore_mask = 0;
}

/* rt_sigsuspend(mask, sigsetsize): wait with `mask` blocked until a
 * handler runs; the mask goes back when it returns (the frame holds the
 * old one). Returns -EINTR after the handler. */
LX_SYS(rt_sigsuspend)
{
	lm_u64 mask;

	if (a[1] != 8)
		return -EINVAL;
	if (lx_copy_in(&mask, a[0], sizeof mask))
		return -EFAULT;
	lx_sig_mask_for_wait(mask);
	lx_sig_wait(0, -1);
	return -ERESTARTNOHAND;
}

/* pause(): wait until a handler runs (-EINTR) or a signal ends us. */
LX_SYS(pause)
{
	lx_sig_wait(0, -1);
	return -ERESTARTNOHAND;
}

/* rt_sigtimedwait(set, info, timeout, sigsetsize): take a signal of set
 * (normally blocked), waiting at most timeout (0 = for ever); EAGAIN at
 * the end of the timeout, EINTR if another signal's handler must run. */
LX_SYS(rt_sigtimedwait)
{
	struct lx_timespec ts;
	struct lx_siginfo si;
	long deadline = -1;
	lm_u64 set;
	int sig;

	if (a[3] != 8)
		return -EINVAL;
	if (lx_copy_in(&set, a[0], sizeof set))
		return -EFAULT;
	set &= ~LX_UNBLOCKABLE;
	if (a[2]) {
		if (lx_copy_in(&ts, a[2], sizeof ts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = lx_realtime_ns() + ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	for (;;) {
		sig = lx_sig_take(set, &si);
		if (sig)
			break;
		if (lx_sig_pending & ~lx_sig_blocked)
			return -EINTR;
		if (!lx_sig_wait(set, deadline))
			return -EAGAIN;
	}
	if (a[1] && lx_copy_out(a[1], &si, sizeof si)) {
		lx_sig_pending |= LX_SIGBIT(sig); /* not taken after all */
		return -EFAULT;
	}
	return sig;
}
