/*
 * wait4 and waitid: one PM_WAIT each time round; "not yet" (-EAGAIN with
 * PM_WOULDBLOCK) waits for the wake notification, which the manager
 * signals when a child ends (or a signal is posted), then asks again.
 * Nothing blocks inside the manager. A child found ended is reaped at the
 * Lamina level too, once its process has stopped (process.c). With
 * WUNTRACED (WSTOPPED) and WCONTINUED the manager also reports a child
 * stopped or continued by a signal (servers/proc/stop.c), once each time.
 * Resource usage is not kept: rusage comes back zeroed.
 */
#include "lx.h"
#include "../servers/proc/pm_proto.h"

#define WNOHANG    1
#define WUNTRACED  2
#define WEXITED    4
#define WCONTINUED 8
#define WNOWAIT    0x01000000
#define WALL_FLAGS 0xe0000000u /* __WNOTHREAD, __WALL, __WCLONE */
#define RUSAGE_SIZE 144
#define SIGINFO_SIZE 128

void lx_proc_reaped(long pid);

/* A status of a child alive: stopped (sig << 8 | 0x7f) or continued. */
static int stop_or_cont(lm_u64 ws)
{
	return (ws & 0xff) == 0x7f || ws == 0xffff;
}

/* wait's options as the manager's. */
static lm_u64 pm_opts(lm_u64 opt)
{
	return (opt & WNOHANG ? PM_WNOHANG : 0) | (opt & WNOWAIT ? PM_WNOWAIT : 0) |
	       (opt & WUNTRACED ? PM_WUNTRACED : 0) | (opt & WCONTINUED ? PM_WCONTINUED : 0);
}

/* PM_WAIT until a child matches or it cannot: pid, *ws the status. */
static long wait_child(lm_u64 idtype, long id, lm_u64 opts, lm_u64 *ws)
{
	for (;;) {
		long r = lx_pm_call(PM_WAIT, idtype, (lm_u64)id, opts, ws);

		if (r == -ENOSYS)
			return -ECHILD; /* no manager: no children */
		if (r != -EAGAIN || *ws != PM_WOULDBLOCK) {
			if (r > 0 && !(opts & PM_WNOWAIT) && !stop_or_cont(*ws))
				lx_proc_reaped(r);
			return r;
		}
		lx_proc_poll();
		if (lx_sig_pending_unblocked())
			return -ERESTARTSYS;
		lx_wake_wait(); /* reports a child stopped without PM_EXIT */
		lx_proc_poll();
	}
}

static int zero_rusage(lm_u64 ru)
{
	static const lm_u8 zero[RUSAGE_SIZE];

	return ru ? lx_copy_out(ru, zero, sizeof zero) : 0;
}

/* wait4(pid, wstatus, options, rusage) */
LX_SYS(wait4)
{
	int pid = (int)a[0];
	lm_u64 opt = a[2], ws = 0, idtype = PM_P_ALL;
	long id = 0, r;

	if (opt & ~(lm_u64)(WNOHANG | WUNTRACED | WCONTINUED | WALL_FLAGS))
		return -EINVAL;
	if (pid == (int)0x80000000u)
		return -ESRCH;
	if ((a[1] && !lx_writable(a[1], 4)) || (a[3] && !lx_writable(a[3], RUSAGE_SIZE)))
		return -EFAULT;
	if (pid > 0) {
		idtype = PM_P_PID;
		id = pid;
	} else if (pid != -1) {
		idtype = PM_P_PGID;
		id = -pid;
	}
	r = wait_child(idtype, id, pm_opts(opt), &ws);
	if (r > 0) {
		int st = (int)ws;
		if (a[1])
			lx_copy_out(a[1], &st, 4);
		zero_rusage(a[3]);
	}
	return r;
}

/* waitid(idtype, id, infop, options, rusage) */
LX_SYS(waitid)
{
	lm_u64 idtype = a[0], opt = a[3], ws = 0;
	lm_u32 info[SIGINFO_SIZE / 4] = { 0 };
	long r;

	if (idtype > PM_P_PGID || !(opt & (WEXITED | WUNTRACED | WCONTINUED)) ||
	    (opt & ~(lm_u64)(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WALL_FLAGS)))
		return -EINVAL;
	if ((a[2] && !lx_writable(a[2], SIGINFO_SIZE)) ||
	    (a[4] && !lx_writable(a[4], RUSAGE_SIZE)))
		return -EFAULT;
	r = wait_child(idtype, idtype == PM_P_ALL ? 0 : (long)(int)a[1],
		       pm_opts(opt) | (opt & WEXITED ? 0 : PM_WNOEXIT), &ws);
	if (r < 0)
		return r;
	if (r > 0) {
		int sig = ws & 0x7f;
		info[0] = 17;                         /* si_signo: SIGCHLD */
		info[2] = sig ? (ws & 0x80 ? 3 : 2) : 1; /* CLD_DUMPED, CLD_KILLED, CLD_EXITED */
		info[4] = (lm_u32)r;                  /* si_pid */
		info[5] = LX_UID;                     /* si_uid */
		info[6] = sig ? (lm_u32)sig : (lm_u32)(ws >> 8) & 0xff; /* si_status */
		if (ws == 0xffff) {                   /* CLD_CONTINUED by SIGCONT */
			info[2] = 6;
			info[6] = SIGCONT;
		} else if (sig == 0x7f) {             /* CLD_STOPPED, by the stop signal */
			info[2] = 5;
			info[6] = (lm_u32)(ws >> 8) & 0xff;
		}
	}
	if (a[2])
		lx_copy_out(a[2], info, sizeof info);
	zero_rusage(a[4]);
	return 0;
}
