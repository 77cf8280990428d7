/*
 * The terminal's job control, kept here because every process of a
 * session must see the same answer: the console is the controlling
 * terminal of at most one session (tty_sid), and one process group of it
 * is the foreground group (tty_fg). The line discipline runs in each
 * process's personality (linux/tty.c); it asks here whether its process
 * may read or change the terminal (background: SIGTTIN or SIGTTOU to its
 * group) and sends here the signals typed at it (Ctrl-C, Ctrl-Z, Ctrl-\),
 * which go to the foreground group whoever read them.
 *
 * A top-level process (PM_NEW: the Lamina shell runs it on the console)
 * starts a session that has the console, itself the foreground group.
 * Nothing here is cleared when a session or a group ends: an empty
 * foreground group receives nothing, and TIOCSCTTY may take the console
 * from a session with nobody left in it.
 */
#include "pm.h"

static lm_u8 tty_sid, tty_fg;

void pm_tty_session(lm_u8 sid)
{
	tty_sid = tty_fg = sid;
}

static int ctty(const struct proc *p)
{
	return tty_sid && p->sid == tty_sid;
}

/* 1 if some process (alive or zombie) is in group pgid of session sid;
 * sid 0: of any session. */
static int group_in(long pgid, lm_u8 sid)
{
	for (lm_u8 c = 1; c <= PM_PIDS; c++)
		if (procs[c].state != P_FREE && procs[c].pgid == pgid && (!sid || procs[c].sid == sid))
			return 1;
	return 0;
}

static void post_group(lm_u8 pgid, int sig, lm_u8 from)
{
	for (lm_u8 c = 1; c <= PM_PIDS; c++)
		if (procs[c].state == P_ALIVE && procs[c].pgid == pgid)
			pm_post(c, sig, from);
}

/* A background process's use of its terminal (tty_check_change and the
 * read check of Linux): 0 if allowed; else sig to its group and -EINTR
 * (the personality restarts the call once the group is continued), or,
 * if the caller ignores or blocks sig (ok), -EIO for a read and 0 for a
 * change. */
static long background(struct req *q, int sig, int ok)
{
	if (!ctty(q->self) || q->self->pgid == tty_fg)
		return 0;
	if (ok)
		return sig == SIGTTIN ? -EIO : 0;
	/* An orphaned group would stop with nobody left to continue it (and
	 * drops the signal: stop.c): POSIX has the call fail instead. */
	if (pm_group_orphaned(q->self->pgid))
		return -EIO;
	post_group(q->self->pgid, sig, q->pid);
	return -EINTR;
}

long pm_tcgetpgrp(struct req *q)
{
	return ctty(q->self) ? tty_fg : -ENOTTY;
}

/* PM_TCSETPGRP (pgid, ttou_ok): as TIOCSPGRP checks it. */
long pm_tcsetpgrp(struct req *q)
{
	long pgid = (long)q->w[0], r;

	if (!ctty(q->self))
		return -ENOTTY;
	if ((r = background(q, SIGTTOU, q->w[1] != 0)))
		return r;
	if (pgid < 0)
		return -EINVAL;
	if (pgid == 0 || pgid > PM_PIDS || !group_in(pgid, 0))
		return -ESRCH;
	if (!group_in(pgid, q->self->sid))
		return -EPERM; /* a group of another session */
	tty_fg = (lm_u8)pgid;
	return 0;
}

/* PM_SETCTTY (steal): a session leader takes the console as its
 * session's controlling terminal; from a session that still has
 * processes only with steal (TIOCSCTTY's arg 1: we are all root). */
long pm_setctty(struct req *q)
{
	struct proc *p = q->self;

	if (p->sid != q->pid)
		return -EPERM; /* not a session leader */
	if (tty_sid == p->sid)
		return 0;
	if (tty_sid) {
		for (lm_u8 c = 1; c <= PM_PIDS && !q->w[0]; c++)
			if (procs[c].state == P_ALIVE && procs[c].sid == tty_sid)
				return -EPERM;
	}
	tty_sid = p->sid;
	tty_fg = p->pgid;
	return 0;
}

/* PM_TTYCHECK (sig, ok): may the caller read (SIGTTIN) or change
 * (SIGTTOU) its terminal now? */
long pm_ttycheck(struct req *q)
{
	lm_u64 sig = q->w[0];

	if (sig != SIGTTIN && sig != SIGTTOU)
		return -EINVAL;
	return background(q, (int)sig, q->w[1] != 0);
}

/* PM_TTYSIG (sig): a signal character typed at the console, for its
 * foreground group (none: nobody gets it). */
long pm_ttysig(struct req *q)
{
	lm_u64 sig = q->w[0];

	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (tty_sid && tty_fg)
		post_group(tty_fg, (int)sig, 0);
	return 0;
}
