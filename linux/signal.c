/*
 * Signals, bookkeeping only (delivery comes with the process manager,
 * docs/LINUX.md): each signal's disposition and the blocked mask are kept
 * and reported as Linux would, with Linux's rules for SIGKILL and SIGSTOP.
 */
#include "lx.h"

static struct lx_sigaction actions[LX_NSIG + 1];
static lm_u64 blocked;
static lm_u64 alt_stack[3] = { 0, 2, 0 }; /* stack_t: sp, flags, size; SS_DISABLE */

#define UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

/* rt_sigaction(sig, act, oldact, sigsetsize) */
LX_SYS(rt_sigaction)
{
	lm_u64 sig = a[0];
	struct lx_sigaction act;

	if (a[3] != 8 || sig < 1 || sig > LX_NSIG)
		return -EINVAL;
	if (a[1] && lx_copy_in(&act, a[1], sizeof act))
		return -EFAULT;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (a[2] && lx_copy_out(a[2], &actions[sig], sizeof act))
		return -EFAULT;
	if (a[1]) {
		act.mask &= ~UNBLOCKABLE;
		actions[sig] = act;
	}
	return 0;
}

/* rt_sigprocmask(how, set, oldset, sigsetsize) */
LX_SYS(rt_sigprocmask)
{
	lm_u64 set = 0, old = blocked;

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
			blocked |= set;
		else if (a[0] == SIG_UNBLOCK)
			blocked &= ~set;
		else
			blocked = set;
		blocked &= ~UNBLOCKABLE;
	}
	return 0;
}

/* sigaltstack(ss, old_ss): kept for the delivery to come. */
LX_SYS(sigaltstack)
{
	lm_u64 ss[3];

	if (a[0] && lx_copy_in(ss, a[0], sizeof ss))
		return -EFAULT;
	if (a[1] && lx_copy_out(a[1], alt_stack, sizeof alt_stack))
		return -EFAULT;
	if (a[0]) {
		if ((lm_u32)ss[1] & ~0x80000006u) /* SS_DISABLE | SS_ONSTACK | SS_AUTODISARM */
			return -EINVAL;
		if (!((lm_u32)ss[1] & 2) && ss[2] < 2048) /* MINSIGSTKSZ */
			return -ENOMEM;
		memcpy(alt_stack, ss, sizeof ss);
	}
	return 0;
}

lm_u64 lx_sig_disposition(int sig)
{
	return sig >= 1 && sig <= LX_NSIG ? actions[sig].handler : 0;
}
