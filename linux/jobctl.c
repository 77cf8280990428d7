/*
 * Job control, the personality's part. The process manager keeps what all
 * processes of a session must agree on (servers/proc/stop.c, tty.c): who
 * is stopped, the controlling terminal, its foreground group. Here is only
 * what needs this process's own state, its dispositions and mask:
 *
 *   - a stop signal taken with its default action stops the process (all
 *     its threads: thread.c lx_thr_stop_others): one
 *     PM_STOP, then nothing of the program runs and no signal is taken
 *     until PM_STOPPED says it was continued (SIGCONT, or SIGKILL: other
 *     signals, even those that kill, wait for the continue, as on Linux);
 *   - reading the terminal from a background group (SIGTTIN) and changing
 *     it (SIGTTOU: TCSETS*, TIOCSPGRP): the manager sends the signal to the
 *     group unless this process ignores or blocks it, and the call is
 *     restarted once the group is continued;
 *   - the signal characters the line discipline sees go to the foreground
 *     group through the manager, whoever read them;
 *   - SA_NOCLDSTOP of SIGCHLD, which the manager needs to know at a
 *     child's stop.
 * Without a manager (-ENOSYS) nothing stops and the process is its own
 * foreground group, as before.
 */
#include "signal.h"
#include "thread.h"
#include "../servers/proc/pm_proto.h"

#define STOP_SIGS (LX_SIGBIT(SIGSTOP) | LX_SIGBIT(SIGTSTP) | LX_SIGBIT(SIGTTIN) | \
		   LX_SIGBIT(SIGTTOU))

int lx_sig_default_stops(int sig)
{
	return sig < 32 && (STOP_SIGS & LX_SIGBIT(sig)) != 0;
}

void lx_job_stop(int sig)
{
	lm_u32 others;

	if (lx_pm_call(PM_STOP, (lm_u64)sig, 0, 0, 0) != 0)
		return; /* no manager, or continued already */
	others = lx_thr_stop_others(); /* the whole process stops (thread.c) */
	do
		lx_wait(); /* not lx_wake_wait: a stopped process takes no input */
	while (lx_pm_call(PM_STOPPED, 0, 0, 0, 0) == 1);
	lx_thr_continue_others(others);
	lx_proc_poll(); /* SIGCONT (delivered if it has a handler), SIGKILL */
}

/* May we read (SIGTTIN) or change (SIGTTOU) the terminal: 0, -EIO (a
 * background read with SIGTTIN ignored or blocked), or -ERESTARTSYS (the
 * signal went to our group: we stop, and the call starts again). */
long lx_job_check(int sig)
{
	int ok = lx_sigact[sig].handler == SIG_IGN || (lx_sig_blocked & LX_SIGBIT(sig));
	long r = lx_pm_call(PM_TTYCHECK, (lm_u64)sig, (lm_u64)ok, 0, 0);

	if (r == -EINTR) {
		lx_proc_poll();
		return -ERESTARTSYS;
	}
	return r == -ENOSYS ? 0 : r;
}

long lx_job_tcgetpgrp(void)
{
	long r = lx_pm_call(PM_TCGETPGRP, 0, 0, 0, 0);

	return r == -ENOSYS ? lx_pid : r;
}

long lx_job_tcsetpgrp(int pgid)
{
	int ok = lx_sigact[SIGTTOU].handler == SIG_IGN || (lx_sig_blocked & LX_SIGBIT(SIGTTOU));
	long r = lx_pm_call(PM_TCSETPGRP, (lm_u64)(long)pgid, (lm_u64)ok, 0, 0);

	if (r == -EINTR) {
		lx_proc_poll();
		return -ERESTARTSYS;
	}
	return r == -ENOSYS ? 0 : r;
}

long lx_job_setctty(long steal)
{
	long r = lx_pm_call(PM_SETCTTY, steal == 1, 0, 0, 0);

	return r == -ENOSYS ? 0 : r;
}

/* A signal character typed at the terminal: to the foreground group. */
void lx_job_ttysig(int sig)
{
	if (lx_pm_call(PM_TTYSIG, (lm_u64)sig, 0, 0, 0) == -ENOSYS)
		lx_sig_post(sig, SI_KERNEL, 0);
	else
		lx_proc_poll(); /* ours now if we are in that group */
}

/* Tell the manager SIGCHLD's SA_NOCLDSTOP when it changed. A forked
 * child starts with its parent's, in the manager too. */
void lx_job_nocldstop(void)
{
	static int told;
	int now = (lx_sigact[SIGCHLD].flags & SA_NOCLDSTOP) != 0;

	if (now != told && lx_pm_call(PM_SIGFLAGS, now ? PM_NOCLDSTOP : 0, 0, 0, 0) == 0)
		told = now;
}
