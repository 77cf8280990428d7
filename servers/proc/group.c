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

/* ---- orphaned groups (POSIX) ------------------------------------------------------ */

/* A link of c to its group: its parent, alive, in another group of the
 * same session (skip: a process that is ending, not counted). */
static int linked(lm_u8 c, lm_u8 skip)
{
	const struct proc *p = &procs[c], *pp = &procs[p->ppid];

	return p->ppid && p->ppid != PM_REAPER && p->ppid != skip && pp->state == P_ALIVE &&
	       pp->pgid != p->pgid && pp->sid == p->sid;
}

/* Group g is orphaned (without skip): no live member has a link. */
static int orphaned(lm_u8 g, lm_u8 skip)
{
	for (lm_u8 c = 1; c <= PM_PIDS; c++)
		if (c != skip && procs[c].state == P_ALIVE && procs[c].pgid == g && linked(c, skip))
			return 0;
	return 1;
}

int pm_group_orphaned(lm_u8 g)
{
	return orphaned(g, 0);
}

/* Group g becomes orphaned as skip ends: none of its live members other
 * than skip has a link; if one of them is stopped, every member gets
 * SIGHUP then SIGCONT (so a stopped job nobody can continue any more is
 * not left stopped). */
static void orphan_check(lm_u8 g, lm_u8 skip)
{
	int stopped = 0;

	if (!orphaned(g, skip))
		return;
	for (lm_u8 c = 1; c <= PM_PIDS; c++)
		if (c != skip && procs[c].state == P_ALIVE && procs[c].pgid == g)
			stopped |= procs[c].stopsig != 0;
	if (!stopped)
		return;
	for (lm_u8 c = 1; c <= PM_PIDS; c++)
		if (c != skip && procs[c].state == P_ALIVE && procs[c].pgid == g) {
			pm_post(c, SIGHUP, 0);
			pm_post(c, SIGCONT, 0);
		}
}

/* Before pid ends (still alive, its children still its): the groups its
 * end may orphan, as Linux checks them at exit. Its own group, if its
 * parent was a link of it; each child's group in which the child was
 * linked through pid (each group once). */
void pm_orphan_exit(lm_u8 pid)
{
	struct proc *p = &procs[pid];

	if (linked(pid, 0))
		orphan_check(p->pgid, pid);
	for (lm_u8 c = 1; c <= PM_PIDS; c++) {
		const struct proc *k = &procs[c];
		int seen = 0;

		if (k->state != P_ALIVE || k->ppid != pid || k->pgid == p->pgid || k->sid != p->sid)
			continue;
		for (lm_u8 e = 1; e < c && !seen; e++)
			seen = procs[e].state == P_ALIVE && procs[e].ppid == pid && procs[e].pgid == k->pgid;
		if (!seen)
			orphan_check(k->pgid, pid);
	}
}
