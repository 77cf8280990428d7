/*
 * The process manager's client (servers/proc/pm_proto.h): requests on the
 * endpoint at LX_SLOT_PM (badge = our pid), and the calls that are just one
 * request: the ids of the process, its group and session, kill.
 * Without a manager (the shell had none) every request answers -ENOSYS
 * and the process is pid 1, its own group and session, with no parent.
 */
#include "procfs.h"
#include "thread.h"
#include "../servers/proc/pm_proto.h"
#include "../servers/proc/pm_srv.h"

long lx_pm_call(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 *r1)
{
	struct lm_msg m;

	if (lm_ep_call(LX_SLOT_PM, LM_MSG_INFO(label, 3, 0), w0, w1, w2, 0, &m))
		return -ENOSYS;
	if (r1)
		*r1 = m.w[1];
	return (long)m.w[0];
}

/* A call that names a pid (0: ourselves) without a manager: only we exist. */
static long alone(lm_u64 pid)
{
	return pid == 0 || (long)pid == lx_pid ? lx_pid : -ESRCH;
}

LX_SYS(getpid) { return lx_pid; }

/* The manager keeps our parent's pid in the signal page (0 once we are an
 * orphan): a memory read, no IPC. Without the page, ask. */
LX_SYS(getppid)
{
	long r = lx_proc_ppid();

	if (r < 0)
		r = lx_pm_call(PM_GETPPID, 0, 0, 0, 0);
	return r == -ENOSYS ? 0 : r;
}

LX_SYS(getpgid)
{
	long r = lx_pm_call(PM_GETPGID, a[0], 0, 0, 0);

	return r == -ENOSYS ? alone(a[0]) : r;
}

LX_SYS(getpgrp)
{
	lm_u64 b[1] = { 0 };

	return sys_getpgid(b);
}

LX_SYS(getsid)
{
	long r = lx_pm_call(PM_GETSID, a[0], 0, 0, 0);

	return r == -ENOSYS ? alone(a[0]) : r;
}

LX_SYS(setpgid)
{
	long r;

	if ((long)a[1] < 0)
		return -EINVAL;
	r = lx_pm_call(PM_SETPGID, a[0], a[1], 0, 0);
	if (r != -ENOSYS)
		return r;
	if (alone(a[0]) < 0)
		return -ESRCH;
	return !a[1] || (long)a[1] == lx_pid ? 0 : -EPERM;
}

LX_SYS(setsid)
{
	long r = lx_pm_call(PM_SETSID, 0, 0, 0, 0);

	return r == -ENOSYS ? -EPERM : r;
}

/* kill(pid, sig): through the manager, which makes it pending in every
 * target (ourselves included: we see it at this call's return). Pids and
 * tids are one space on Linux, and kill with a tid signals the thread's
 * process: one of our threads' tids names us (another process's
 * threads are known by their pid only: docs/LINUX.md). */
LX_SYS(kill)
{
	long r, pid = (long)(int)a[0];

	if (a[1] > LX_NSIG)
		return -EINVAL;
	if ((int)a[0] == (int)0x80000000u)
		return -ESRCH; /* -INT_MIN has no group */
	if (pid > 0 && pid != lx_pid && lx_thr_find(pid))
		pid = lx_pid;
	r = lx_pm_call(PM_KILL, (lm_u64)pid, a[1], 0, 0);
	if (r == -ENOSYS) { /* alone */
		if ((int)pid != (int)lx_pid && (int)pid != 0 && (int)pid != -1 &&
		    (int)pid != -(int)lx_pid)
			return -ESRCH;
		if (a[1])
			lx_sig_post((int)a[1], SI_USER, (int)lx_pid);
		return 0;
	}
	/* A signal to ourselves (or our group) is pending before kill returns,
	 * as Linux has it: fetch it now rather than at the next call. */
	lx_proc_poll();
	return r;
}

/* A signal to one of our threads (si_code SI_TKILL): posted now for the
 * caller, else when that thread next takes the lock, and it is woken
 * (thread.h). Another process's thread: its first thread (tid = pid),
 * through kill. */
static long tkill_to(long tid, lm_u64 sig)
{
	lm_u64 b[2] = { (lm_u64)tid, sig };
	struct lx_thread *t;

	if (sig > LX_NSIG)
		return -EINVAL;
	if (!(t = lx_thr_find(tid)))
		return sys_kill(b);
	if (!sig)
		return 0;
	if (t == lx_self()) {
		lx_sig_post((int)sig, SI_TKILL, (int)lx_pid);
		return 0;
	}
	t->tpending |= 1ull << (sig - 1);
	lx_thr_wake(t);
	return 0;
}

LX_SYS(tkill)
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	return tkill_to((int)a[0], a[1]);
}

LX_SYS(tgkill)
{
	if ((int)a[0] <= 0 || (int)a[1] <= 0)
		return -EINVAL;
	if ((long)a[0] == lx_pid ? !lx_thr_find((long)a[1]) : a[0] != a[1])
		return -ESRCH; /* the thread is not in that group */
	return tkill_to((int)a[1], a[2]);
}

/* PM_INFO (pid): the ids in *ids, the record from the IPC buffer's words
 * 4.. (empty without an IPC buffer: the kernel then moves 4 words). */
long lx_pm_info(long pid, lm_u64 *ids, struct pm_info *out)
{
	struct lm_ipc_buffer *b = lx_ipc_buffer();
	struct lm_msg m;

	if (lm_ep_call(LX_SLOT_PM, LM_MSG_INFO(PM_INFO, 1, 0), (lm_u64)pid, 0, 0, 0, &m))
		return -ENOSYS;
	if ((long)m.w[0] < 0)
		return (long)m.w[0];
	*ids = m.w[1];
	if (b && LM_MSG_LEN(m.info) == PM_INFO_LEN)
		memcpy(out, &b->msg[4], sizeof *out);
	else
		*out = (struct pm_info){ 0 };
	out->comm[sizeof out->comm - 1] = out->exe[sizeof out->exe - 1] = 0;
	if (out->cmdline_len > sizeof out->cmdline)
		out->cmdline_len = sizeof out->cmdline;
	return 0;
}

/* PM_SETINFO's record, to be made in place: words 4.. of our IPC buffer
 * (0 without one). Nothing may use the buffer before lx_pm_setinfo_send. */
struct pm_info *lx_pm_setinfo_record(void)
{
	struct lm_ipc_buffer *b = lx_ipc_buffer();

	return b ? (struct pm_info *)&b->msg[4] : 0;
}

/* PM_SETINFO with the record lx_pm_setinfo_record gave, made: for the
 * others' /proc. */
long lx_pm_setinfo_send(void)
{
	struct lm_msg m;

	if (!lx_ipc_buffer())
		return -ENOMEM;
	if (lm_ep_call(LX_SLOT_PM, LM_MSG_INFO(PM_SETINFO, PM_INFO_LEN, 0), 0, 0, 0, 0, &m))
		return -ENOSYS;
	return (long)m.w[0];
}
