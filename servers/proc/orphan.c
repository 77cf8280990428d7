/*
 * Orphaned process groups (POSIX, job control): a group is orphaned when
 * the parent of every member is in the group itself or outside its
 * session, so no shell is left to continue its stopped members. When a
 * process's end orphans a group that has a stopped member, every member
 * gets SIGHUP, then SIGCONT (exit(3) of POSIX; Linux does the same), so
 * stopped jobs are not left stopped for ever.
 *
 * A top-level process's parent is the Lamina shell, which stands for the
 * session's shell: a group with such a member is never orphaned. Only the
 * groups an end can change are looked at: the ending process's own, and
 * its children's (they lose their parent).
 */
#include "pm.h"

static int orphaned(lm_u8 pgid)
{
	int members = 0;

	for (lm_u8 c = 1; c <= PM_PIDS; c++) {
		const struct proc *p = &procs[c];
		if (p->state != P_ALIVE || p->pgid != pgid)
			continue;
		members++;
		if (p->ppid == 0)
			return 0; /* the shell's child */
		if (p->ppid != PM_REAPER && procs[p->ppid].state == P_ALIVE &&
		    procs[p->ppid].pgid != pgid && procs[p->ppid].sid == p->sid)
			return 0;
	}
	return members > 0;
}

static int has_stopped(lm_u8 pgid)
{
	for (lm_u8 c = 1; c <= PM_PIDS; c++)
		if (procs[c].state == P_ALIVE && procs[c].pgid == pgid && procs[c].stopsig)
			return 1;
	return 0;
}

/* The groups pid's end may orphan, as a set of pgids (1..PM_PIDS), each
 * with whether it is orphaned already. */
void pm_orphan_before(lm_u8 pid, struct pm_orphans *o)
{
	*o = (struct pm_orphans){ 0 };
	for (lm_u8 c = 1; c <= PM_PIDS; c++) {
		lm_u8 g = procs[c].pgid;
		if ((c == pid || (procs[c].state == P_ALIVE && procs[c].ppid == pid)) &&
		    g >= 1 && g <= PM_PIDS && !(o->groups & (1ull << (g - 1)))) {
			o->groups |= 1ull << (g - 1);
			if (orphaned(g))
				o->was |= 1ull << (g - 1);
		}
	}
}

/* After the end: SIGHUP, then SIGCONT, to every member of a group it
 * newly orphaned that has a stopped member. */
void pm_orphan_after(const struct pm_orphans *o)
{
	for (lm_u64 set = o->groups & ~o->was; set; set &= set - 1) {
		lm_u8 g = (lm_u8)(__builtin_ctzll(set) + 1);
		if (!orphaned(g) || !has_stopped(g))
			continue;
		for (lm_u8 c = 1; c <= PM_PIDS; c++)
			if (procs[c].state == P_ALIVE && procs[c].pgid == g) {
				pm_post(c, SIGHUP, 0);
				pm_post(c, SIGCONT, 0);
			}
	}
}
