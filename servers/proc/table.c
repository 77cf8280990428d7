/*
 * The process table: pids, their capabilities, the per-user quota, and the
 * requests that make and end identities (PM_NEW, PM_FORK, PM_RELEASE,
 * PM_HELLO).
 *
 * Invariant: a pid is FREE, ALIVE or ZOMBIE; a non-free pid holds its
 * minted endpoints, its client page copy and its signal page copy (made at
 * allocation), and its wake notification once it said hello. pm_free
 * revokes them all, so nothing handed out for one incarnation outlives it.
 */
#include "pm.h"

struct proc procs[PM_PIDS + 1];
lm_cptr_t pm_sigframe[PM_PIDS + 1]; /* pid's signal page, mapped here */
static lm_u32 nused;                /* non-free pids: the one user's count */
static lm_u8 last_pid;              /* pids are handed out round the table */

int pm_table_init(void)
{
	int err;

	for (lm_u8 p = 1; p <= PM_PIDS; p++)
		if ((err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &pm_sigframe[p])) ||
		    (err = lm_map_page(LM_SLOT_VSPACE, pm_sigframe[p], (lm_u64)sigpage(p),
				       LM_R_READ | LM_R_WRITE)))
			return err;
	return LM_OK;
}

static void drop(lm_cptr_t *s)
{
	if (*s)
		lm_obj_free(*s); /* revoke the copies handed out, delete ours */
	*s = 0;
}

void pm_free(lm_u8 pid)
{
	struct proc *p = &procs[pid];

	drop(&p->fs_ep);
	drop(&p->pm_ep);
	drop(&p->page);
	drop(&p->sig_ro);
	drop(&p->wake);
	drop(&p->timer_ep);
	*sigpage(pid) = (struct pm_sigpage){ 0 };
	*p = (struct proc){ 0 };
	nused--;
}

/* A free pid with its capabilities made, or 0 (-EAGAIN: none free, or the
 * user is at its quota; -ENOMEM: no slot). Nothing changes on failure. */
static long alloc(lm_u8 ppid, lm_u8 *out)
{
	lm_u8 pid = 0;
	struct proc n = { .state = P_ALIVE, .ppid = ppid };

	if (nused >= PM_PIDS || (ppid && nused >= PM_USER_QUOTA))
		return -EAGAIN;
	for (lm_u32 i = 1; i <= PM_PIDS && !pid; i++) {
		lm_u8 c = (lm_u8)((last_pid + i - 1) % PM_PIDS + 1);
		if (procs[c].state == P_FREE)
			pid = c;
	}
	n.fs_ep = lm_slot_alloc();
	n.pm_ep = lm_slot_alloc();
	n.page = lm_slot_alloc();
	n.sig_ro = lm_slot_alloc();
	if (!n.fs_ep || !n.pm_ep || !n.page || !n.sig_ro ||
	    lm_cnode_mint(LM_SLOT_CNODE, n.fs_ep, LM_SLOT_CNODE, PM_SLOT_FS_EP,
			  LM_R_WRITE | LM_R_GRANT, pid) ||
	    lm_cnode_mint(LM_SLOT_CNODE, n.pm_ep, LM_SLOT_CNODE, PM_SLOT_EP,
			  LM_R_WRITE | LM_R_GRANT, pid) ||
	    lm_cnode_copy(LM_SLOT_CNODE, n.page, LM_SLOT_CNODE, PM_SLOT_FS_BUF + pid - 1,
			  LM_R_READ | LM_R_WRITE) ||
	    lm_cnode_copy(LM_SLOT_CNODE, n.sig_ro, LM_SLOT_CNODE, pm_sigframe[pid], LM_R_READ)) {
		lm_cptr_t s[] = { n.fs_ep, n.pm_ep, n.page, n.sig_ro };
		for (int i = 0; i < 4; i++)
			if (s[i]) {
				lm_cnode_delete(LM_SLOT_CNODE, s[i]);
				lm_slot_free(s[i]);
			}
		return -ENOMEM;
	}
	/* The timer server's endpoint with the same badge, if there is one
	 * (servers/timer): a process's timers are its own, a fork's too. */
	n.timer_ep = lm_slot_alloc();
	if (n.timer_ep && lm_cnode_mint(LM_SLOT_CNODE, n.timer_ep, LM_SLOT_CNODE, PM_SLOT_TIMER_EP,
					LM_R_WRITE | LM_R_GRANT, pid)) {
		lm_slot_free(n.timer_ep);
		n.timer_ep = 0;
	}
	procs[pid] = n;
	sigpage(pid)->posted = 0;
	sigpage(pid)->pid = pid;
	sigpage(pid)->ppid = ppid;
	pm_info_inherit(pid, ppid);
	nused++;
	last_pid = pid;
	*out = pid;
	return 0;
}

/* The reply carries pid's three capabilities: its file server endpoint,
 * its client page, its endpoint here. */
void pm_give_caps(struct req *q, lm_u8 pid)
{
	q->caps_out[0] = procs[pid].fs_ep;
	q->caps_out[1] = procs[pid].page;
	q->caps_out[2] = procs[pid].pm_ep;
	q->ncaps = 3;
}

/* PM_NEW: a top-level process (the shell's): its own group and session. */
long pm_new(struct req *q)
{
	lm_u8 pid;
	long err = alloc(0, &pid);

	if (err)
		return err;
	procs[pid].pgid = procs[pid].sid = procs[pid].top = pid;
	pm_tty_session(pid); /* the shell runs it on the console */
	pm_give_caps(q, pid);
	return pid;
}

/* PM_FORK: a child of the caller, in its group and session; the file
 * server gives it the caller's handles before we answer. */
long pm_fork(struct req *q)
{
	struct proc *self = q->self;
	lm_u8 pid;
	long err;

	if (self->state != P_ALIVE)
		return -ESRCH;
	if ((err = alloc(q->pid, &pid)))
		return err;
	struct lm_msg m;
	if (lm_ep_call(PM_SLOT_FS_PM, LM_MSG_INFO(FS_FORK, 2, 0), q->pid, pid, 0, 0, &m) ||
	    (long)m.w[0] < 0) {
		pm_free(pid);
		return -EAGAIN; /* the file server could not (its tables are full) */
	}
	procs[pid].pgid = self->pgid;
	procs[pid].sid = self->sid;
	procs[pid].top = self->top;
	procs[pid].nocldstop = self->nocldstop;
	pm_give_caps(q, pid);
	return pid;
}

/* PM_RELEASE (pid, status): the shell's top-level process has ended, and
 * with it (the Lamina tree is destroyed with it) every process that
 * descends from it. One that never said PM_EXIT ends with status. */
long pm_release(struct req *q)
{
	long top = (long)q->w[0];

	if (!pid_live(top) || procs[top].ppid != 0 || procs[top].top != top)
		return -ESRCH;
	for (lm_u8 p = 1; p <= PM_PIDS; p++)
		if (procs[p].state == P_ALIVE && procs[p].top == top && p != top)
			pm_exit_proc(p, 9); /* destroyed with the tree: as by SIGKILL */
	if (procs[top].state == P_ALIVE)
		pm_exit_proc((lm_u8)top, (lm_u32)q->w[1] & 0xffff);
	for (lm_u8 p = 1; p <= PM_PIDS; p++)
		if (procs[p].state == P_ZOMBIE && procs[p].top == top)
			pm_free(p);
	return 0;
}

/* PM_HELLO + wake notification: the caller's signal page and, if there is
 * a timer server, its endpoint minted with the caller's pid. */
long pm_hello(struct req *q)
{
	struct proc *self = q->self;

	if (self->state != P_ALIVE)
		return -ESRCH;
	self->hello = 1;
	if (q->cap_in) {
		if (self->wake)
			lm_obj_free(self->wake);
		self->wake = q->cap_in;
		q->cap_in = 0;
		if (self->pending)
			lm_ntfn_signal(self->wake);
	}
	q->caps_out[0] = self->sig_ro;
	q->caps_out[1] = self->timer_ep;
	q->ncaps = self->timer_ep ? 2 : 1;
	return q->pid;
}
