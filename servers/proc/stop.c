/*
 * Stopping and continuing a process (job control), as Linux does for a
 * process of one thread. Which signal stops is the personality's to know
 * (it holds the dispositions): when it takes a stop signal whose action is
 * the default, it asks PM_STOP, then waits on its wake notification and
 * asks PM_STOPPED until the answer is "continued"; it takes no signal and
 * runs nothing of the program meanwhile. Here: the stopped state, what
 * posting SIGCONT, SIGKILL or a stop signal does to it (pm_stop_post,
 * called by pm_post), the parent's SIGCHLD (unless it set SA_NOCLDSTOP)
 * and what its wait reports (WUNTRACED, WCONTINUED).
 *
 * Invariants: stopsig is 0 unless the process is P_ALIVE; a stop signal
 * and SIGCONT are never pending together (the later drops the earlier, as
 * on Linux); `report` holds the last change the parent was not told of.
 */
#include "pm.h"

/* pid stopped or continued: its parent's wait may report it, and its
 * SIGCHLD (with SA_NOCLDSTOP, only a wake for a wait that asks). */
static void tell_parent(lm_u8 pid, lm_u8 report)
{
	struct proc *p = &procs[pid];

	p->report = report;
	if (!p->ppid || p->ppid == PM_REAPER)
		return;
	if (!procs[p->ppid].nocldstop)
		pm_post(p->ppid, SIGCHLD, pid);
	else if (procs[p->ppid].wake)
		lm_ntfn_signal(procs[p->ppid].wake);
}

/* Before sig is made pending in pid (alive): SIGCONT continues it and
 * drops pending stops; a stop signal drops a pending SIGCONT; SIGKILL
 * ends a stop without a report (the process is about to die). */
void pm_stop_post(lm_u8 pid, int sig)
{
	struct proc *p = &procs[pid];

	if (sig == SIGCONT) {
		p->pending &= ~STOP_SIGS;
		if (p->stopsig) {
			p->stopsig = 0;
			tell_parent(pid, REPORT_CONT);
		}
	} else if (sig == SIGKILL) {
		p->stopsig = 0;
	} else if (STOP_SIGS & SIGBIT(sig)) {
		p->pending &= ~SIGBIT(SIGCONT);
	}
}

/* PM_STOP (sig): the caller stops by sig (one of the four stop signals),
 * unless a SIGCONT or SIGKILL came after the personality took sig. */
long pm_stop(struct req *q)
{
	lm_u64 sig = q->w[0];
	struct proc *p = q->self;

	if (sig < 1 || sig > NSIG || !(STOP_SIGS & SIGBIT(sig)))
		return -EINVAL;
	if (p->state != P_ALIVE)
		return -ESRCH;
	if (p->pending & (SIGBIT(SIGCONT) | SIGBIT(SIGKILL)))
		return 1;
	p->stopsig = (lm_u8)sig;
	tell_parent(q->pid, REPORT_STOP);
	return 0;
}

/* PM_STOPPED -> 1 while stopped, 0 once continued. */
long pm_stopped(struct req *q)
{
	return q->self->stopsig != 0;
}

/* PM_SIGFLAGS (flags) */
long pm_sigflags(struct req *q)
{
	if (q->w[0] & ~(lm_u64)PM_NOCLDSTOP)
		return -EINVAL;
	q->self->nocldstop = (q->w[0] & PM_NOCLDSTOP) != 0;
	return 0;
}

/* For PM_WAIT: 1 if child c has a stop or continue to report that opt
 * asks for (q->r1 = its status as wait4 gives it: sig << 8 | 0x7f, or
 * 0xffff), taken unless PM_WNOWAIT. */
int pm_wait_report(struct req *q, lm_u8 c, lm_u64 opt)
{
	struct proc *p = &procs[c];

	if (p->state != P_ALIVE)
		return 0;
	if (p->report == REPORT_STOP && p->stopsig && (opt & PM_WUNTRACED))
		q->r1 = (lm_u32)p->stopsig << 8 | 0x7f;
	else if (p->report == REPORT_CONT && (opt & PM_WCONTINUED))
		q->r1 = 0xffff;
	else
		return 0;
	if (!(opt & PM_WNOWAIT))
		p->report = REPORT_NONE;
	return 1;
}
