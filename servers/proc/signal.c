/*
 * Signals between processes: PM_KILL makes a signal pending in its
 * targets (a bit, the sender, one more `posted` in the target's signal
 * page, a signal on its wake notification); PM_SIGFETCH hands the pending
 * set to the process itself, whose personality delivers them. Delivery
 * inside a process is the personality's (linux/signal*.c).
 */
#include "pm.h"

void pm_post(lm_u8 pid, int sig, lm_u8 from)
{
	struct proc *p = &procs[pid];

	if (p->state != P_ALIVE)
		return; /* a zombie takes no signals */
	if (sig == SIGKILL && !p->hello) {
		/* no personality takes it yet (a fork's child not started, or a
		 * pid PM_FORK made that nothing runs): it ends now, killed; a
		 * child started later finds its PM_HELLO refused and ends */
		pm_exit_proc(pid, SIGKILL);
		return;
	}
	pm_stop_post(pid, sig);
	if (!(p->pending & SIGBIT(sig)))
		p->sender[sig] = from; /* the first one's, as Linux keeps its siginfo */
	p->pending |= SIGBIT(sig);
	sigpage(pid)->posted++;
	if (p->wake)
		lm_ntfn_signal(p->wake);
}

void pm_post_chld(lm_u8 child, int code, int status)
{
	lm_u8 pp = procs[child].ppid;
	struct proc *p = &procs[pp];

	if (!pp || pp == PM_REAPER)
		return;
	if (p->state == P_ALIVE && !(p->pending & SIGBIT(SIGCHLD))) {
		p->chld = (lm_u16)((status & 0xff) << 8 | code);
		p->chld_ticks = procs[child].ticks; /* 0 but at its end */
	}
	pm_post(pp, SIGCHLD, child);
}

/* Whether a target of kill(pid, ...) as Linux chooses them. */
static int target(const struct req *q, lm_u8 c, long pid)
{
	const struct proc *p = &procs[c];

	if (p->state == P_FREE)
		return 0;
	if (pid > 0)
		return c == pid;
	if (pid == -1)
		return c != q->pid && p->state == P_ALIVE;
	if (pid == 0)
		return q->self && p->pgid == q->self->pgid;
	return p->pgid == -pid;
}

/* PM_KILL (pid, sig): sig 0 only checks that a target exists. */
long pm_kill(struct req *q)
{
	long pid = (long)q->w[0];
	lm_u64 sig = q->w[1];
	int found = 0;

	if (sig > NSIG)
		return -EINVAL;
	if (pid == 0 && !q->self)
		return -ESRCH; /* the shell has no group */
	for (lm_u8 c = 1; c <= PM_PIDS; c++)
		if (target(q, c, pid)) {
			found = 1;
			if (sig)
				pm_post(c, (int)sig, q->pid);
		}
	return found ? 0 : -ESRCH;
}

/* PM_SIGFETCH -> the pending set (taken), w1 = the lowest one's sender,
 * w2 = a SIGCHLD's sender | si_code << 8 | si_status << 16 | the child's
 * CPU time in clock ticks << 24 (0: none). */
long pm_sigfetch(struct req *q)
{
	lm_u64 set = q->self->pending;

	q->self->pending = 0;
	q->r1 = set ? q->self->sender[__builtin_ctzll(set) + 1] : 0;
	q->r2 = 0;
	if (set & SIGBIT(SIGCHLD))
		q->r2 = q->self->sender[SIGCHLD] | (lm_u64)q->self->chld << 8 |
			(lm_u64)q->self->chld_ticks << 24;
	q->rlen = 3;
	return (long)set; /* a mask, not a result: read as unsigned (bit 63: signal 64) */
}
