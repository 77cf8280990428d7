/*
 * What /proc's files say, in Linux's formats (man 5 proc), made whole at
 * open; sysinfo, which tells the same figures; and what the process
 * reports of itself to the process manager (PM_SETINFO) so that other
 * processes' /proc shows it.
 *
 * What is not measured is said plainly rather than made up: no CPU
 * accounting yet, so CPU time is the time since the process started (as
 * CLOCK_PROCESS_CPUTIME_ID says), the CPU is all idle in /proc/stat and
 * the load averages are 0; free memory is what this process's pool has
 * left (MemTotal is the machine's RAM).
 */
#include "procfs.h"

#define HZ 100                     /* USER_HZ: clock ticks in /proc */
#define TICKS(ns) ((ns) / (1000000000ull / HZ))

const char *const lx_procfs_pid_files[] = { "cmdline", "comm", "stat", "statm", "status", 0 };
enum { F_CMDLINE, F_COMM, F_STAT, F_STATM, F_STATUS };

static char args[PF_BUF];          /* our arguments at exec, each with its NUL */
static lm_u64 args_len;
static lm_u64 start_ns;            /* when the process started, lx_tsc_ns() */

struct out {
	char *b;
	lm_u64 size, len;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->size)
		return;
	va_start(ap, fmt);
	n = lm_vsnprintf(o->b + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	o->len += (lm_u64)n < o->size - o->len ? (lm_u64)n : o->size - o->len - 1;
}

/* ---- processes ------------------------------------------------------------------- */

/* Our own record's figures and names, made now in i. */
static void fresh_info(struct pm_info *i)
{
	long cpu = 0;

	lm_snprintf(i->comm, sizeof i->comm, "%s", lx_comm());
	lm_snprintf(i->exe, sizeof i->exe, "%s", lx_execfn);
	i->start_ns = start_ns;
	lx_clock_ns(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	i->cpu_ns = (lm_u64)cpu;
	lx_mm_usage(&i->vsize, &i->rss);
}

/* Our own record, made now, with the arguments as they are now. */
static void fresh(struct lx_pview *v)
{
	static char live[PF_BUF];

	fresh_info(&v->info);
	v->args = args;
	v->args_len = args_len;
	/* the arguments as they are now on our stack, if the program left them */
	if (args_len && !lx_copy_in(live, lx_arg_start, args_len))
		v->args = live;
}

long lx_procfs_view(long pid, struct lx_pview *v)
{
	long r = lx_pm_info(pid, &v->ids, &v->info);

	if (r == -ENOSYS && pid == lx_pid) { /* no manager: only we exist */
		v->ids = 1 << 8 | (lm_u64)pid << 16 | (lm_u64)pid << 24;
		r = 0;
	}
	if (r)
		return r;
	v->pid = pid;
	v->args = v->info.cmdline;
	v->args_len = v->info.cmdline_len;
	if (pid == lx_pid)
		fresh(v);
	return 0;
}

/* Linux's state letter: we are running; another process is waiting
 * (a Lamina process that is not running is blocked on IPC), stopped (job
 * control) or a zombie. */
static char state(const struct lx_pview *v)
{
	if (PM_INFO_STATE(v->ids) == 2)
		return 'Z';
	if (PM_INFO_STOPSIG(v->ids))
		return 'T';
	return v->pid == lx_pid ? 'R' : 'S';
}

static const char *state_name(char s)
{
	return s == 'R' ? "running" : s == 'Z' ? "zombie" : s == 'T' ? "stopped" : "sleeping";
}

/* /proc/<pid>/stat: the 52 fields of man 5 proc. */
static void pid_stat(struct out *o, const struct lx_pview *v)
{
	const struct pm_info *i = &v->info;

	put(o, "%ld (%s) %c %lu %lu %lu 0 -1 4194304 0 0 0 0 %lu 0 0 0 20 0 1 0 %lu %lu %lu "
	    "18446744073709551615 ", v->pid, i->comm, state(v), PM_INFO_PPID(v->ids),
	    PM_INFO_PGID(v->ids), PM_INFO_SID(v->ids), TICKS(i->cpu_ns), TICKS(i->start_ns),
	    i->vsize, i->rss);
	put(o, "0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

static void pid_status(struct out *o, const struct lx_pview *v)
{
	extern lm_u64 lx_sig_pending, lx_sig_blocked;
	const struct pm_info *i = &v->info;
	int self = v->pid == lx_pid;
	lm_u32 mask = self ? lx_umask() : 022; /* another's umask is not known here */
	char s = state(v);

	put(o, "Name:\t%s\nUmask:\t0%u%u%u\nState:\t%c (%s)\nTgid:\t%ld\nNgid:\t0\nPid:\t%ld\n"
	    "PPid:\t%lu\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\n"
	    "Groups:\t\nNStgid:\t%ld\nNSpid:\t%ld\nNSpgid:\t%lu\nNSsid:\t%lu\n",
	    i->comm, mask >> 6 & 7, mask >> 3 & 7, mask & 7, s, state_name(s), v->pid, v->pid,
	    PM_INFO_PPID(v->ids), LX_NOFILE, v->pid, v->pid, PM_INFO_PGID(v->ids),
	    PM_INFO_SID(v->ids));
	if (s != 'Z')
		put(o, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmRSS:\t%8lu kB\n",
		    i->vsize >> 10, i->vsize >> 10, i->rss * 4);
	put(o, "Threads:\t1\nSigQ:\t0/0\nSigPnd:\t%016lx\nShdPnd:\t0000000000000000\n"
	    "SigBlk:\t%016lx\n", self ? lx_sig_pending : 0, self ? lx_sig_blocked : 0);
}

static lm_u64 pid_text(int file, const struct lx_pview *v, struct out *o)
{
	const struct pm_info *i = &v->info;

	switch (file) {
	case F_CMDLINE: /* a zombie's is empty, as on Linux */
		o->len = PM_INFO_STATE(v->ids) == 2 ? 0 : v->args_len < o->size ? v->args_len : o->size;
		memcpy(o->b, v->args, o->len);
		break;
	case F_COMM:
		put(o, "%s\n", i->comm);
		break;
	case F_STAT:
		pid_stat(o, v);
		break;
	case F_STATM:
		put(o, "%lu %lu 0 0 0 0 0\n", i->vsize / LX_PAGE, i->rss);
		break;
	default:
		pid_status(o, v);
	}
	return o->len;
}

/* ---- the system's files ----------------------------------------------------------- */

/* Processes in use, and the highest pid (loadavg, /proc/stat, sysinfo). */
static long count(long *last)
{
	long n = 0, pid = 0, r;

	*last = lx_pid;
	while ((r = lx_pm_call(PM_LIST, (lm_u64)pid + 1, 0, 0, 0)) > 0) {
		n++;
		pid = *last = r;
	}
	return n ? n : 1; /* without a manager: ourselves */
}

static void loadavg(struct out *o)
{
	long last, n = count(&last);

	put(o, "0.00 0.00 0.00 1/%ld %ld\n", n, last);
}

static void meminfo(struct out *o)
{
	static const char *const zero[] = { "Buffers", "Cached", "SwapCached", "Active", "Inactive",
		"SwapTotal", "SwapFree", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem",
		"Slab", "SReclaimable", "SUnreclaim" };
	lm_u64 fr = lm_pool_free_bytes(lm_pool_current()) >> 10;
	char name[20];

	put(o, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n",
	    lx_bi->ram_bytes >> 10, fr, fr);
	for (lm_u32 k = 0; k < sizeof zero / sizeof zero[0]; k++) {
		lm_snprintf(name, sizeof name, "%s:", zero[k]);
		put(o, "%-16s%8lu kB\n", name, 0ul);
	}
}

static void mounts(struct out *o)
{
	put(o, "rootfs / rootfs rw 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n");
}

static void stat_file(struct out *o)
{
	lm_u64 up = TICKS(lx_tsc_ns());
	long last, n = count(&last);

	put(o, "cpu  0 0 0 %lu 0 0 0 0 0 0\ncpu0 0 0 0 %lu 0 0 0 0 0 0\nintr 0\nctxt 0\n"
	    "btime %ld\nprocesses %ld\nprocs_running 1\nprocs_blocked 0\nsoftirq 0\n", up, up,
	    (lx_realtime_ns() - (long)lx_tsc_ns()) / 1000000000, n);
}

static void uptime(struct out *o)
{
	lm_u64 t = lx_tsc_ns() / 10000000; /* hundredths */

	put(o, "%lu.%02lu %lu.%02lu\n", t / 100, t % 100, t / 100, t % 100);
}

static void version(struct out *o)
{
	put(o, "Linux version 6.1.0-lamina (lamina) #1 SMP\n");
}

static const struct {
	const char *name;
	void (*make)(struct out *o);
} tops[] = {
	{ "loadavg", loadavg }, { "meminfo", meminfo }, { "mounts", mounts },
	{ "stat", stat_file },     { "uptime", uptime },   { "version", version },
};
#define NTOPS ((int)(sizeof tops / sizeof tops[0]))

int lx_procfs_top(const char *name)
{
	for (int i = 0; i < NTOPS; i++)
		if (!strcmp(name, tops[i].name))
			return i;
	return -1;
}

const char *lx_procfs_top_name(int i)
{
	return i >= 0 && i < NTOPS ? tops[i].name : 0;
}

lm_u64 lx_procfs_text(const struct pnode *n, const struct lx_pview *v, char *buf, lm_u64 size)
{
	struct out o = { buf, size, 0 };

	if (n->kind == PN_TOP) {
		tops[n->top].make(&o);
		return o.len;
	}
	return pid_text(n->file, v, &o);
}

/* ---- what we report ---------------------------------------------------------------- */

void lx_procfs_report(void)
{
	/* Made where the request carries it (the IPC buffer, which every
	 * call touches anyway): a forked child's exec then touches no page
	 * of ours for it. The arguments are those exec copied (or kept). */
	struct pm_info *i = lx_pm_setinfo_record();

	if (!i)
		return;
	memset(i, 0, sizeof *i);
	fresh_info(i);
	i->cmdline_len = args_len < sizeof i->cmdline ? args_len : sizeof i->cmdline;
	memcpy(i->cmdline, args, i->cmdline_len);
	lx_pm_setinfo_send();
}

void lx_procfs_exec(const struct lx_args *g)
{
	lm_u64 len = 0;

	for (int i = 0; i < g->argc; i++)
		len += strlen(g->str + len) + 1;
	args_len = len < sizeof args ? len : sizeof args;
	memcpy(args, g->str, args_len);
	if (!start_ns)
		start_ns = lx_tsc_ns();
	lx_procfs_report();
}

/* sysinfo: the figures of /proc/uptime, /proc/meminfo, /proc/loadavg. */
LX_SYS(sysinfo)
{
	struct lx_sysinfo si = { 0 };
	long last;

	si.uptime = (long)(lx_tsc_ns() / 1000000000);
	si.totalram = lx_bi->ram_bytes;
	si.freeram = lm_pool_free_bytes(lm_pool_current());
	si.procs = (lm_u16)count(&last);
	si.mem_unit = 1;
	return lx_copy_out(a[0], &si, sizeof si) ? -EFAULT : 0;
}
