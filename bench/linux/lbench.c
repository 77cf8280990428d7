/*
 * lbench: the Linux column of `make bench` (see BENCHMARKS.md).
 *
 * Runs as /init (PID 1) in an initramfs under the Debian cloud kernel, or as an
 * ordinary program on a Linux host (handy for debugging: it then neither mounts
 * anything nor powers off).  Each benchmark runs in a child that re-executes
 * this program (`lbench --run NAME RATE`), so every one starts from the same
 * minimal address space, with address-space randomisation off (see no_aslr),
 * and a crash in one costs only that benchmark's line.
 *
 * Method, identical to the Lamina side: rdtsc serialised with lfence, one
 * warm-up batch, then 11 batches; the median batch's cost per operation is
 * printed as
 *     BENCH <name> cycles=<cycles/op> ns=<ns/op> iters=<ops per batch>
 * Under QEMU -icount shift=0 the TSC advances once per guest instruction, so
 * cycles= is an instruction count.
 *
 * Batches are kept at or below about a million instructions (hence only 2 or
 * 3 forks per batch): the 250 Hz tick (one every 4M instructions under
 * icount) then lands in fewer than half of the batches and the median is a
 * tick-free batch.  With bigger batches the median picks up ticks and the RCU
 * work they run, and varies from boot to boot.
 *
 * Kernel command line: lbench.only=a,b,c runs only the named benchmarks.
 *
 * Build: musl-gcc -static -O2 -o lbench lbench.c lbench_vm.c lcount.c -lpthread
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h> /* tcdrain */
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "lbench.h"

/* musl ships no <linux/futex.h>. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

#define NBATCH 11

extern char **environ;

static double tsc_per_ns = 1.0; /* set by calibrate() before any benchmark */
static const char *only;        /* lbench.only= list, or NULL for all */

/* ---------------------------------------------------------------- timing */

/* TSC rate over 50 ms (bench_time.h). */
static void calibrate(void)
{
	tsc_per_ns = calibrate_ms(50);
}

void die(const char *what)
{
	out("# lbench: %s: %s", what, strerror(errno));
	_exit(1);
}

/* A batch performs n operations of each of its k metrics and adds the cycles
 * spent on metric j to cyc[j].  Most batches time the whole loop; those that
 * must do untimed work per operation (re-protecting a page, munmap) time each
 * operation instead. */
void measure(int k, const char *const names[], long n, batch_fn *batch, void *ctx)
{
	uint64_t cyc[MAXMETRIC];
	double per[MAXMETRIC][NBATCH];

	memset(cyc, 0, sizeof cyc);
	batch(n, cyc, ctx); /* warm-up: caches, page tables, lazy kernel state */
	count_reset();
	count_mark(k == 1 ? 0 : -1); /* batches of several metrics mark their own */
	for (int b = 0; b < NBATCH; b++) {
		memset(cyc, 0, sizeof cyc);
		batch(n, cyc, ctx);
		for (int j = 0; j < k; j++)
			per[j][b] = (double)cyc[j] / (double)n;
	}
	count_mark(-1);
	for (int j = 0; j < k; j++) {
		qsort(per[j], NBATCH, sizeof(double), cmp_double);
		double med = per[j][NBATCH / 2];
		out("BENCH %s cycles=%.0f ns=%.0f iters=%ld", names[j], med, med / tsc_per_ns, n);
		count_report(names[j], j, n * NBATCH);
	}
}

void measure1(const char *name, long n, batch_fn *batch, void *ctx)
{
	const char *names[1] = {name};
	measure(1, names, n, batch, ctx);
}

/* ---------------------------------------------------------------- helpers */

static long sys_futex(int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* A plain private anonymous mapping with every page written, so mprotect
 * has present PTEs to change.  Neighbouring mappings change how mprotect
 * splits and merges VMAs: with PROT_NONE guard pages around the region,
 * appel1 and appel2 were 20-40% slower and prot1 2-5% faster.  The plain
 * mapping, alone in a fresh process, is what a program would have. */
char *touched_pages(long npages)
{
	char *p = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	for (long i = 0; i < npages; i++)
		p[i * PAGE] = 1;
	return p;
}

static pid_t start_partner(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* ---------------------------------------------------------------- null_syscall */

/* The syscall instruction itself rather than musl's variadic syscall(): this
 * is what syscall(SYS_getppid) reaches, without libc glue in the figure. */
static void b_null(long n, uint64_t *cyc, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		long r = SYS_getppid;
		__asm__ volatile("syscall" : "+a"(r) : : "rcx", "r11", "memory");
	}
	cyc[0] += tsc() - t0;
}

static void bench_null_syscall(void) { measure1("null_syscall", 2000, b_null, NULL); }

/* ---------------------------------------------------------------- pipe / unix */

/* fds[0]: client writes requests, fds[1]: client reads replies; the partner
 * uses fds[2] (read requests) and fds[3] (write replies).  A one-byte
 * message ends the partner (closing is not enough for a datagram pair). */
struct chan { int fds[4]; };

static void echo_server(void *arg)
{
	struct chan *c = arg;
	long v;
	while (read(c->fds[2], &v, sizeof v) == sizeof v) {
		v++;
		if (write(c->fds[3], &v, sizeof v) != sizeof v)
			break;
	}
}

static void b_chan(long n, uint64_t *cyc, void *ctx)
{
	struct chan *c = ctx;
	long v = 0;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		if (write(c->fds[0], &v, sizeof v) != sizeof v || read(c->fds[1], &v, sizeof v) != sizeof v)
			die("echo");
	}
	cyc[0] += tsc() - t0;
}

static void run_chan(const char *name, struct chan *c, int close_a, int close_b)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(c->fds[0]);
		close(c->fds[1]);
		echo_server(c);
		_exit(0);
	}
	if (close_a >= 0)
		close(close_a);
	if (close_b >= 0)
		close(close_b);
	measure1(name, 64, b_chan, c);
	char stop = 0;
	if (write(c->fds[0], &stop, 1) != 1)
		die("write");
	reap(pid);
}

static void bench_pipe_rtt(void)
{
	int req[2], rep[2];
	if (pipe(req) || pipe(rep))
		die("pipe");
	struct chan c = {{req[1], rep[0], req[0], rep[1]}};
	run_chan("pipe_rtt", &c, req[0], rep[1]);
}

static void bench_unix_rtt(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	struct chan c = {{sv[0], sv[0], sv[1], sv[1]}};
	/* The client's end is both fds[0] and fds[1]; the child closes it
	 * twice, harmlessly. */
	run_chan("unix_rtt", &c, sv[1], -1);
}

/* Not in BENCHMARKS.md: the datagram flavour is cheaper than the stream one
 * in 6.1, and one word per message is what it is for. */
static void bench_unix_dgram_rtt(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		die("socketpair");
	struct chan c = {{sv[0], sv[0], sv[1], sv[1]}};
	run_chan("unix_dgram_rtt", &c, sv[1], -1);
}

/* ---------------------------------------------------------------- futex ping-pong */

/* turn: 1 = request posted (server's move), 0 = reply posted (client's move).
 * The word carried each way is val. */
struct pingpong {
	int turn;
	int op_wait, op_wake; /* FUTEX_* with or without the private flag */
	volatile long val;
	volatile int stop;
};

static void pp_server(void *arg)
{
	struct pingpong *s = arg;
	for (;;) {
		while (__atomic_load_n(&s->turn, __ATOMIC_ACQUIRE) == 0)
			sys_futex(&s->turn, s->op_wait, 0);
		if (s->stop)
			return;
		s->val++;
		__atomic_store_n(&s->turn, 0, __ATOMIC_RELEASE);
		sys_futex(&s->turn, s->op_wake, 1);
	}
}

static void *pp_thread(void *arg)
{
	pp_server(arg);
	return NULL;
}

static void b_pingpong(long n, uint64_t *cyc, void *ctx)
{
	struct pingpong *s = ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		s->val = i;
		__atomic_store_n(&s->turn, 1, __ATOMIC_RELEASE);
		sys_futex(&s->turn, s->op_wake, 1);
		while (__atomic_load_n(&s->turn, __ATOMIC_ACQUIRE) == 1)
			sys_futex(&s->turn, s->op_wait, 1);
	}
	cyc[0] += tsc() - t0;
}

static void pp_stop(struct pingpong *s)
{
	s->stop = 1;
	__atomic_store_n(&s->turn, 1, __ATOMIC_RELEASE);
	sys_futex(&s->turn, s->op_wake, 1);
}

/* Two processes sharing one page: shared (non-private) futexes. */
static void bench_futex_rtt(void)
{
	struct pingpong *s = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		die("mmap");
	s->op_wait = FUTEX_WAIT;
	s->op_wake = FUTEX_WAKE;
	pid_t pid = start_partner(pp_server, s);
	measure1("futex_rtt", 64, b_pingpong, s);
	pp_stop(s);
	reap(pid);
}

/* Two threads of one process: private futexes, as pthreads would use. */
static void bench_ipc_rtt_local(void)
{
	static struct pingpong s = {.op_wait = FUTEX_WAIT | FUTEX_PRIVATE_FLAG,
				    .op_wake = FUTEX_WAKE | FUTEX_PRIVATE_FLAG};
	pthread_t t;
	if (pthread_create(&t, NULL, pp_thread, &s))
		die("pthread_create");
	measure1("ipc_rtt_local", 64, b_pingpong, &s);
	pp_stop(&s);
	pthread_join(t, NULL);
}

/* ---------------------------------------------------------------- yield */

static volatile long *yield_count; /* shared page: partner's yields so far */
static long yield_mine, yield_partner_seen; /* over all batches */

static void yield_partner(void *arg)
{
	(void)arg;
	for (;;) {
		(*yield_count)++;
		sched_yield();
	}
}

/* n switches = n/2 yields here + n/2 in the partner. */
static void b_yield(long n, uint64_t *cyc, void *ctx)
{
	(void)ctx;
	long before = *yield_count;
	uint64_t t0 = tsc();
	for (long i = 0; i < n / 2; i++)
		sched_yield();
	cyc[0] += tsc() - t0;
	yield_partner_seen += *yield_count - before;
	yield_mine += n / 2;
}

static void bench_yield_ctxsw(void)
{
	yield_count = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (yield_count == MAP_FAILED)
		die("mmap");
	pid_t pid = start_partner(yield_partner, NULL);
	/* CFS starts a forked child a slice ahead in vruntime, and sched_yield
	 * only hands the CPU to a task at most the wakeup granularity ahead, so
	 * at first our yields return to us without a switch (~450 instructions
	 * each).  Yield until the partner has run on 64 yields in a row, so the
	 * batches measure the steady state: one switch per yield. */
	long streak = 0;
	for (long i = 0; i < 1000000 && streak < 64; i++) {
		long c = *yield_count;
		sched_yield();
		streak = *yield_count != c ? streak + 1 : 0;
	}
	measure1("yield_ctxsw", 400, b_yield, NULL);
	/* Per-switch arithmetic assumes strict alternation; say so if it failed. */
	long d = yield_partner_seen - yield_mine;
	if (d < -yield_mine / 50 || d > yield_mine / 50)
		out("# yield_ctxsw: partner yielded %ld times against %ld: not alternating",
		    yield_partner_seen, yield_mine);
	kill(pid, SIGKILL);
	reap(pid);
}

/* ---------------------------------------------------------------- processes */

static void wait_ok(pid_t pid)
{
	int st;
	if (pid < 0)
		die("fork");
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("child");
}

static void b_fork_exit(long n, uint64_t *cyc, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		wait_ok(pid);
	}
	cyc[0] += tsc() - t0;
}

static void bench_fork_exit(void)
{
	char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die("mmap");
	memset(m, 1, 1 << 20);
	measure1("fork_exit", 3, b_fork_exit, NULL);
}

static char *const tiny_argv[] = {"/tiny", NULL};

static void b_spawn(long n, uint64_t *cyc, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execve(tiny_argv[0], tiny_argv, environ);
			_exit(127);
		}
		wait_ok(pid);
	}
	cyc[0] += tsc() - t0;
}

/* posix_spawn: musl uses clone(CLONE_VM|CLONE_VFORK), so no page tables are
 * copied.  Printed alongside spawn as the cheaper way Linux offers. */
static void b_spawn_posix(long n, uint64_t *cyc, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		pid_t pid;
		if (posix_spawn(&pid, tiny_argv[0], NULL, NULL, tiny_argv, environ))
			die("posix_spawn");
		wait_ok(pid);
	}
	cyc[0] += tsc() - t0;
}

static void bench_spawn(void)
{
	if (access(tiny_argv[0], X_OK)) {
		out("# spawn: %s missing", tiny_argv[0]);
		return;
	}
	measure1("spawn", 2, b_spawn, NULL);
	measure1("spawn_posix", 3, b_spawn_posix, NULL);
}

/* ---------------------------------------------------------------- driver */

static const struct bench {
	const char *name;
	void (*fn)(void);
	/* Other names that select it in lbench.only: the extra metric the same
	 * run prints, and the Lamina benchmark it is the counterpart of. */
	const char *also;
} benches[] = {
	{"null_syscall", bench_null_syscall, NULL},
	{"pipe_rtt", bench_pipe_rtt, "ipc_rtt"},
	{"unix_rtt", bench_unix_rtt, "ipc_rtt"},
	{"unix_dgram_rtt", bench_unix_dgram_rtt, "ipc_rtt"},
	{"futex_rtt", bench_futex_rtt, "ipc_rtt,notify_rtt"},
	{"ipc_rtt_local", bench_ipc_rtt_local, NULL},
	{"yield_ctxsw", bench_yield_ctxsw, NULL},
	{"exc_prot", bench_exc_prot, NULL},
	{"exc_div", bench_exc_div, NULL},
	{"exc_ud", bench_exc_ud, NULL},
	{"exc_bp", bench_exc_bp, NULL},
	{"prot1", bench_prot1, "unprot1"},
	{"prot100", bench_prot100, "unprot100"},
	{"trap", bench_trap, NULL},
	{"appel1", bench_appel1, NULL},
	{"appel2", bench_appel2, NULL},
	{"pagefault", bench_pagefault, NULL},
	{"fork_exit", bench_fork_exit, NULL},
	{"spawn", bench_spawn, "spawn_posix"},
};

static int in_list(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = list; *p;) {
		size_t w = strcspn(p, ",");
		if (w == len && !strncmp(p, name, len))
			return 1;
		p += w + (p[w] == ',');
	}
	return 0;
}

static int selected(const struct bench *b)
{
	if (!only || in_list(only, b->name))
		return 1;
	for (const char *p = b->also; p && *p;) {
		char name[64];
		size_t w = strcspn(p, ",");
		if (w < sizeof name) {
			memcpy(name, p, w);
			name[w] = 0;
			if (in_list(only, name))
				return 1;
		}
		p += w + (p[w] == ',');
	}
	return 0;
}

/* lbench.only=... from /proc/cmdline, or LBENCH_ONLY when run on a host. */
static void read_only_list(void)
{
	static char cmd[4096];
	only = getenv("LBENCH_ONLY");
	int fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		return;
	ssize_t n = read(fd, cmd, sizeof cmd - 1);
	close(fd);
	if (n <= 0)
		return;
	cmd[n] = 0;
	for (char *tok = strtok(cmd, " \n"); tok; tok = strtok(NULL, " \n"))
		if (!strncmp(tok, "lbench.only=", 12) && tok[12])
			only = tok + 12;
		else if (!strcmp(tok, "lbench.count"))
			counting = 1;
}

static void setup_pid1(void)
{
	mkdir("/dev", 0755);
	mkdir("/proc", 0555);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mkdir("/sys", 0555);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	/* The kernel gives init /dev/console only if the initramfs has the node;
	 * open it ourselves in case it had not. */
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	/* The firmware leaves the cursor mid-line: start ours on a fresh one. */
	if (write(1, "\n", 1) < 0)
		return;
}

/* Address-space layout randomisation changes, run to run, how many page-table
 * pages a process needs (stack and mmap area land in different PUD/PMD
 * ranges or not), which shows in fork_exit and spawn by some thousands of
 * instructions and defeats the determinism icount otherwise gives.  So the
 * benchmarks run with ADDR_NO_RANDOMIZE, as `setarch -R` would do: the kernel
 * keeps its default configuration, only this process opts out. */
static void no_aslr(char **argv)
{
	int p = personality(0xffffffff);
	if (p == -1 || (p & ADDR_NO_RANDOMIZE))
		return;
	if (personality(p | ADDR_NO_RANDOMIZE) == -1)
		return;
	execve(getpid() == 1 ? argv[0] : "/proc/self/exe", argv, environ);
	/* Still here: carry on with randomisation rather than not at all. */
}

/* Which CPU-bug mitigations the kernel chose for this (virtual) CPU: they
 * decide what mitigations=off can change. */
static void print_mitigations(void)
{
	static const char dir[] = "/sys/devices/system/cpu/vulnerabilities";
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[300], val[160];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, val, sizeof val - 1);
		close(fd);
		if (n <= 0)
			continue;
		val[strcspn(val, "\n")] = 0;
		out("# lbench: %s: %s", e->d_name, val);
	}
	closedir(d);
}

/* Whether the (virtual) CPU offers PCID and INVPCID: with PCID Linux tags
 * TLB entries per address space and a context switch need not flush them
 * (docs/BENCHMARKS.md, the switch and flush columns). */
static void print_tlb_features(void)
{
	static char buf[16384];
	int fd = open("/proc/cpuinfo", O_RDONLY);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	char *f = strstr(buf, "\nflags");
	if (!f)
		return;
	char *end = strchr(f + 1, '\n');
	if (end)
		*end = 0;
	out("# lbench: cpu pcid=%d invpcid=%d pti=%d", !!strstr(f, " pcid"),
	    !!strstr(f, " invpcid"), !!strstr(f, " pti"));
}

/* Child side of the driver: `lbench --run NAME TSC_PER_NS`. */
static int run_one(const char *name, const char *rate)
{
	tsc_per_ns = strtod(rate, NULL);
	for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++) {
		if (!strcmp(benches[i].name, name)) {
			benches[i].fn();
			return 0;
		}
	}
	out("# lbench: no benchmark %s", name);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--run")) {
		read_only_list();
		if (counting)
			count_open();
		return run_one(argv[2], argv[3]);
	}
	no_aslr(argv);
	int pid1 = getpid() == 1;
	if (pid1)
		setup_pid1();
	read_only_list();

	/* One CPU for everything, so ping-pong and yield measure switches on one
	 * CPU even when QEMU has several.  Inherited by every benchmark. */
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof set, &set);

	calibrate();
	char rate[32];
	snprintf(rate, sizeof rate, "%.9g", tsc_per_ns);
	struct utsname u;
	uname(&u);
	out("# lbench: Linux %s, TSC %.3f GHz, %d batches of which the median is printed",
	    u.release, tsc_per_ns, NBATCH);
	print_mitigations();
	print_tlb_features();

	/* Each benchmark runs in a freshly exec'd copy of this program, so its
	 * address space is the same minimal one whatever ran before (a mapping
	 * left next to a benchmark's region changes how Linux splits and merges
	 * VMAs in mprotect, by up to 20% in appel1). */
	for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++) {
		if (!selected(&benches[i]))
			continue;
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			char *args[] = {"lbench", "--run", (char *)benches[i].name, rate, NULL};
			execve("/proc/self/exe", args, environ);
			die("execve /proc/self/exe");
		}
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			out("# %s failed (status 0x%x)", benches[i].name, st);
		if (pid1) /* orphans (a killed partner's children, if any) */
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
	}
	out("BENCH-DONE");
	if (pid1) {
		sync();
		reboot(RB_POWER_OFF);
		/* Not reached; if it were, init exiting panics the kernel and
		 * panic=-1 with -no-reboot ends QEMU. */
	}
	return 0;
}
