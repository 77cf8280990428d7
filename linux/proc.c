/*
 * The process: its user (one root user), its thread pointer, its limits and
 * names. Its pid, parent, group and end are the process manager's
 * (pm.c, process.c).
 */
#include "thread.h"

/* The lock holder's (thread.h swaps them): its FS base, and the word its
 * exit clears and futex-wakes (set_tid_address, CLONE_CHILD_CLEARTID). */
lm_u64 lx_fs_base, lx_clear_tid;
static lm_u32 mask = 022;
static char comm[16];
const char *lx_execfn = "";

/* Unlimited but for the stack (what the personality maps) and the
 * descriptors (fd.c's table). */
#define INF { RLIM_INFINITY, RLIM_INFINITY }
static struct lx_rlimit limits[RLIM_NLIMITS] = {
	INF, INF, INF, { LX_STACK_SIZE, RLIM_INFINITY }, INF, INF, INF,
	{ LX_NOFILE, LX_NOFILE }, INF, INF, INF, INF, INF, INF, INF, INF,
};
LM_STATIC_ASSERT(RLIMIT_STACK == 3 && RLIMIT_NOFILE == 7 && RLIM_NLIMITS == 16, "limits[]");

/* RLIMIT_NOFILE's soft limit as descriptors are made (fd.c): one past
 * the highest a new descriptor may have, never past the table's size. */
lm_u64 lx_nofile(void)
{
	lm_u64 cur = limits[RLIMIT_NOFILE].cur;

	return cur < LX_NOFILE ? cur : LX_NOFILE;
}

void lx_set_comm(const char *path)
{
	const char *base = path;

	for (const char *p = path; *p; p++)
		if (*p == '/')
			base = p + 1;
	strncpy(comm, base, sizeof comm - 1);
}

const char *lx_comm(void)
{
	return comm;
}

void lx_proc_exec(void)
{
	lx_fs_base = lx_clear_tid = 0;
	lm_thread_set_fsbase(LM_SLOT_TCB, 0);
}
LX_SYS(getuid) { return LX_UID; }
LX_SYS(geteuid) { return LX_UID; }
LX_SYS(getgid) { return LX_GID; }
LX_SYS(getegid) { return LX_GID; }

/* Root may become any user; there is only the one, so only it is allowed. */
LX_SYS(setuid) { return (lm_u32)a[0] == LX_UID ? 0 : -EPERM; }
LX_SYS(setgid) { return (lm_u32)a[0] == LX_GID ? 0 : -EPERM; }

static long three_ids(const lm_u64 *a, lm_u32 id)
{
	for (int i = 0; i < 3; i++)
		if (lx_copy_out(a[i], &id, sizeof id))
			return -EFAULT;
	return 0;
}

LX_SYS(getresuid) { return three_ids(a, LX_UID); }
LX_SYS(getresgid) { return three_ids(a, LX_GID); }

/* getgroups: no supplementary groups. */
LX_SYS(getgroups)
{
	return (int)a[0] < 0 ? -EINVAL : 0;
}

/* set_tid_address: the word this thread's exit clears and futex-wakes. */
LX_SYS(set_tid_address)
{
	lx_clear_tid = a[0];
	return sys_gettid(a);
}

/* set_robust_list: the list is only walked when a thread dies holding a
 * lock, which needs threads; the size is checked as Linux does. */
LX_SYS(set_robust_list)
{
	return a[1] == 24 ? 0 : -EINVAL;
}

LX_SYS(arch_prctl)
{
	switch (a[0]) {
	case ARCH_SET_FS:
		if (lm_thread_set_fsbase(lx_self()->tcb, a[1]))
			return -EPERM; /* non-canonical */
		lx_fs_base = a[1];
		return 0;
	case ARCH_GET_FS:
		return lx_copy_out(a[1], &lx_fs_base, sizeof lx_fs_base);
	case ARCH_SET_GS: /* GS is the personality's: its thread slots (thread.h) */
	case ARCH_GET_GS:
		return -ENOSYS;
	default:
		return -EINVAL;
	}
}

LX_SYS(prctl)
{
	char name[16];

	switch (a[0]) {
	case PR_SET_NAME:
		if (lx_copy_str(name, a[1], sizeof name) == -EFAULT)
			return -EFAULT;
		name[15] = 0;
		strncpy(comm, name, sizeof comm - 1);
		lx_procfs_report(); /* what the others' /proc shows */
		return 0;
	case PR_GET_NAME:
		return lx_copy_out(a[1], comm, sizeof comm);
	default:
		return -EINVAL;
	}
}

/* prlimit64(pid, resource, new, old): this process only (pid 0 or its own). */
LX_SYS(prlimit64)
{
	struct lx_rlimit nl;

	if (a[0] != 0 && (long)a[0] != lx_pid)
		return -ESRCH;
	if (a[1] >= RLIM_NLIMITS)
		return -EINVAL;
	if (a[2]) {
		if (lx_copy_in(&nl, a[2], sizeof nl))
			return -EFAULT;
		if (nl.cur > nl.max)
			return -EINVAL;
	}
	if (a[3] && lx_copy_out(a[3], &limits[a[1]], sizeof nl))
		return -EFAULT;
	if (a[2])
		limits[a[1]] = nl;
	return 0;
}

LX_SYS(getrlimit)
{
	lm_u64 b[4] = { 0, a[0], 0, a[1] };

	return a[0] >= RLIM_NLIMITS ? -EINVAL : a[1] ? sys_prlimit64(b) : -EFAULT;
}

LX_SYS(setrlimit)
{
	lm_u64 b[4] = { 0, a[0], a[1], 0 };

	return a[0] >= RLIM_NLIMITS ? -EINVAL : a[1] ? sys_prlimit64(b) : -EFAULT;
}

/* One CPU: the mask has bit 0; the result is the mask's size in bytes. */
LX_SYS(sched_getaffinity)
{
	lm_u64 set = 1;

	if (a[0] != 0 && (long)a[0] != lx_pid)
		return -ESRCH;
	if (a[1] < sizeof set || (a[1] & 7))
		return -EINVAL;
	return lx_copy_out(a[2], &set, sizeof set) ? -EFAULT : (long)sizeof set;
}

LX_SYS(sched_yield)
{
	lx_thr_yield();
	return 0;
}

LX_SYS(getcpu)
{
	lm_u32 zero = 0;

	if ((a[0] && lx_copy_out(a[0], &zero, 4)) || (a[1] && lx_copy_out(a[1], &zero, 4)))
		return -EFAULT;
	return 0;
}

lm_u32 lx_umask(void)
{
	return mask;
}

LX_SYS(umask)
{
	lm_u32 old = mask;

	mask = (lm_u32)a[0] & 0777;
	return old;
}

LX_SYS(uname)
{
	static const struct lx_utsname u = {
		"Linux", "lamina", "6.1.0-lamina", "#1 Lamina Linux personality", "x86_64", "(none)",
	};

	return lx_copy_out(a[0], &u, sizeof u);
}

