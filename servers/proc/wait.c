/*
 * The end of a process and its parent's wait: PM_EXIT makes the caller a
 * zombie holding its status, hands its children to the reaper (an orphan
 * is freed as soon as it is a zombie: nobody will wait for it), tells the
 * file server to drop its handles, and posts SIGCHLD to its parent, whose
 * wake notification is signalled. PM_WAIT never blocks: "not yet" is
 * -EAGAIN with PM_WOULDBLOCK, and the parent waits for its wake.
 */
#include "pm.h"

void pm_exit_proc(lm_u8 pid, lm_u32 wstatus)
{
	struct proc *p = &procs[pid];

	pm_orphan_exit(pid); /* while it and its children's links are as they were */
	p->state = P_ZOMBIE;
	p->wstatus = wstatus;
	p->pending = 0;
	p->stopsig = 0;
	p->report = REPORT_NONE;
	pm_futex_drop(pid);
	for (lm_u8 c = 1; c <= PM_PIDS; c++)
		if (procs[c].state != P_FREE && procs[c].ppid == pid) {
			procs[c].ppid = PM_REAPER;
			sigpage(c)->ppid = 0; /* an orphan's getppid */
			if (procs[c].state == P_ZOMBIE)
				pm_free(c);
		}
	struct lm_msg m;
	lm_ep_call(PM_SLOT_FS_PM, LM_MSG_INFO(FS_DROP, 1, 0), pid, 0, 0, 0, &m);
	if (p->ppid == PM_REAPER)
		pm_free(pid);
	else if (p->ppid) /* wstatus: code << 8, or the signal | 0x80 for a core */
		pm_post_chld(pid, !(wstatus & 0x7f) ? CLD_EXITED : wstatus & 0x80 ? CLD_DUMPED : CLD_KILLED,
			     wstatus & 0x7f ? wstatus & 0x7f : (wstatus >> 8) & 0xff);
}

/* PM_EXIT (wstatus, ticks): wait4's format, (code << 8) or the signal
 * number; the CPU time it used, in clock ticks (its parent's SIGCHLD's
 * si_utime; 0 if the request has no second word). */
long pm_exit(struct req *q)
{
	if (q->self->state != P_ALIVE)
		return -ESRCH;
	q->self->ticks = q->len >= 2 ? (lm_u32)q->w[1] : 0;
	pm_exit_proc(q->pid, (lm_u32)q->w[0] & 0xffff);
	return 0;
}

static int matches(const struct req *q, lm_u8 c, lm_u64 idtype, long id)
{
	const struct proc *p = &procs[c];

	if (p->state == P_FREE || p->ppid != q->pid)
		return 0;
	if (idtype == PM_P_PID)
		return c == id;
	if (idtype == PM_P_PGID)
		return p->pgid == (id ? id : q->self->pgid);
	return 1;
}

/* PM_WAIT (idtype, id, options) -> pid and status of a zombie child, now
 * freed unless PM_WNOWAIT; with PM_WUNTRACED or PM_WCONTINUED, of a child
 * that stopped or continued since its parent last asked. */
long pm_wait(struct req *q)
{
	lm_u64 idtype = q->w[0], opt = q->w[2];
	long id = (long)q->w[1];
	int any = 0;

	if (idtype > PM_P_PGID ||
	    (opt & ~(lm_u64)(PM_WNOHANG | PM_WNOWAIT | PM_WUNTRACED | PM_WCONTINUED | PM_WNOEXIT)) ||
	    (idtype != PM_P_ALL && id < 0))
		return -EINVAL;
	for (lm_u8 c = 1; c <= PM_PIDS; c++) {
		if (!matches(q, c, idtype, id))
			continue;
		any = 1;
		if (pm_wait_report(q, c, opt))
			return c; /* stopped or continued (stop.c) */
		if (procs[c].state != P_ZOMBIE || (opt & PM_WNOEXIT))
			continue;
		q->r1 = procs[c].wstatus;
		if (!(opt & PM_WNOWAIT))
			pm_free(c);
		return c;
	}
	if (!any)
		return -ECHILD;
	if (opt & PM_WNOHANG)
		return 0;
	q->r1 = PM_WOULDBLOCK;
	return -EAGAIN;
}
