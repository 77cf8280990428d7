/*
 * Process groups and sessions, as Linux keeps them: a group lives inside
 * one session; setpgid moves the caller or one of its children into a
 * group of the same session (or makes a new one named by the target's
 * pid); setsid makes a process that leads no group the leader of a new
 * session and group.
 */
#include "pm.h"

long pm_getppid(struct req *q)
{
	return q->self->ppid == PM_REAPER ? 0 : q->self->ppid;
}

/* pid 0 is the caller; anyone else must exist. */
static long who(const struct req *q, long pid)
{
	if (pid == 0)
		return q->pid;
	return pid_live(pid) ? pid : -ESRCH;
}

/* PM_SETPGID (pid, pgid) */
long pm_setpgid(struct req *q)
{
	long pid = who(q, (long)q->w[0]), pgid = (long)q->w[1];

	if (pgid < 0)
		return -EINVAL;
	if (pid < 0)
		return pid;
	struct proc *t = &procs[pid];
	if (pid != q->pid && (t->ppid != q->pid || t->state != P_ALIVE))
		return -ESRCH; /* neither the caller nor a child of its */
	if (t->sid != q->self->sid)
		return -EPERM;
	if (t->leader)
		return -EPERM; /* a session leader stays in its group */
	if (!pgid)
		pgid = pid;
	if (pgid != pid) { /* join a group that exists in the session */
		int ok = 0;
		for (lm_u8 c = 1; c <= PM_PIDS && !ok; c++)
			ok = procs[c].state != P_FREE && procs[c].pgid == pgid &&
			     procs[c].sid == t->sid;
		if (!ok)
			return -EPERM;
	}
	t->pgid = (lm_u8)pgid;
	return 0;
}

long pm_getpgid(struct req *q)
{
	long pid = who(q, (long)q->w[0]);

	return pid < 0 ? pid : procs[pid].pgid;
}

long pm_setsid(struct req *q)
{
	for (lm_u8 c = 1; c <= PM_PIDS; c++)
		if (procs[c].state != P_FREE && procs[c].pgid == q->pid)
			return -EPERM; /* it leads a group (or its pid names one) */
	q->self->sid = q->self->pgid = q->pid;
	q->self->leader = 1;
	return q->pid;
}

long pm_getsid(struct req *q)
{
	long pid = who(q, (long)q->w[0]);

	return pid < 0 ? pid : procs[pid].sid;
}

/* PM_LIST (pid) -> the first pid in use from pid on (0: none), w1 = its
 * parent | state << 8 | pgid << 16. For ps. */
long pm_list(struct req *q)
{
	for (lm_u64 c = q->w[0] ? q->w[0] : 1; c <= PM_PIDS; c++)
		if (procs[c].state != P_FREE) {
			q->r1 = procs[c].ppid | (lm_u64)procs[c].state << 8 |
				(lm_u64)procs[c].pgid << 16;
			return (long)c;
		}
	return 0;
}
