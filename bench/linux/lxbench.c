/*
 * lxbench: the same unmodified static Linux program timed on Lamina's Linux
 * personality and on Linux (issue 11, item 10; docs/BENCHMARKS.md, "Linux
 * programs on both").  `make bench-linux-personality` runs it twice:
 * as /bin/lxbench in Lamina's root file system (`linux lxbench` at the
 * shell, tools/bench-lx-lamina.py) and as /init in an initramfs under the
 * Debian cloud kernel (BENCH_LINUX_INIT=lxbench tools/bench-linux.sh).  The binary is the same
 * file on both sides.
 *
 * Method, the same as kbench and lbench: rdtsc fenced with lfence, one
 * warm-up batch, then NBATCH batches; the median batch per operation is
 * printed as
 *     BENCH <name> cycles=<cycles/op> ns=<ns/op> iters=<ops per batch>
 * Under QEMU -icount shift=0 the TSC advances once per guest instruction,
 * so cycles= counts guest instructions, whichever kernel runs.
 *
 * Benchmarks (all names start with linux_ but the last):
 *   linux_getppid     the SYSCALL instruction with rax = getppid
 *   linux_pipe_rtt    8 bytes to a forked child through one pipe and back
 *                     through another
 *   linux_fork_exit   fork after writing 1 MiB, the child _exits, waitpid
 *   linux_spawn       fork, execve of a static program that exits at once
 *                     (/bin/tiny, bench/linux/tiny.c), waitpid
 *   linux_open_close  open + close of a 4 KiB file in /tmp/lxb (made first,
 *                     with the script: only these two files are there)
 *   linux_read_4k     pread of its 4 KiB
 *   linux_thread_create  pthread_create of a thread that returns at once,
 *                     then pthread_join of it (musl's: clone with
 *                     CLONE_THREAD, the join a futex wait on the thread's
 *                     tid word, cleared and woken by the kernel at its end)
 *   busybox_script    `busybox sh` running a fixed script of 200 applet
 *                     invocations (SCRIPT below), the total per script,
 *                     from lxbench's execve of busybox to the script's
 *                     execve of lxbench again (--script-after): a chain
 *                     of execs, not fork and wait, so that busybox is the
 *                     process the shell started, not a child of lxbench
 *                     (on Lamina a child's own children get a quarter of
 *                     its memory, docs/LINUX.md, too little for 200
 *                     busybox children); fewer batches (SCRIPT_BATCHES),
 *                     run after the others
 *
 * Usage: lxbench [--quick] [NAME...]   (--quick: one small batch of each,
 * for the test suite; names: run only those).  As PID 1 (Linux's
 * initramfs) it mounts devtmpfs, prints BENCH-DONE and powers off.
 *
 * Build: musl-gcc -static -O2 -o lxbench lxbench.c (bench_time.h beside it)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_time.h"

#define NBATCH 11
#define SCRIPT_BATCHES 3

static const char DIR[] = "/tmp/lxb";
static const char DATA[] = "/tmp/lxb/data";
static const char SCRIPT_PATH[] = "/tmp/lxb/script.sh";
static const char TINY[] = "/bin/tiny";
static const char BUSYBOX[] = "/bin/busybox";

/* 50 rounds of 4 applets: 200 invocations. None is an ash builtin, so each
 * one is a command the shell starts (how, fork or in place, is busybox's
 * own choice and the same on both sides: the same binary runs). Its
 * arguments go back to lxbench, after whether every applet succeeded. */
static const char SCRIPT[] =
	"st=0\n"
	"i=0\n"
	"while [ $i -lt 50 ]; do\n"
	"\tls /tmp/lxb >/dev/null || st=1\n"
	"\tcat /tmp/lxb/data >/dev/null || st=1\n"
	"\twc -c /tmp/lxb/data >/dev/null || st=1\n"
	"\thead -n 1 /tmp/lxb/data >/dev/null || st=1\n"
	"\ti=$((i+1))\n"
	"done\n"
	"exec /bin/lxbench --script-after $st \"$@\"\n";

static char *const ENVP[] = {"PATH=/bin:/usr/bin:/sbin:/usr/sbin", "HOME=/", "TERM=vt100", NULL};

static double tsc_per_ns = 1.0;
static int quick;
static int failed;
static int last_status; /* the last child's wait status, for failures */

/* ---------------------------------------------------------------- timing */

/* tsc, out and cmp_double: bench_time.h, shared with lbench. TSC rate over 10 ms (bench_time.h). */
static void calibrate(void)
{
	tsc_per_ns = calibrate_ms(10);
}

/* A batch does n operations and returns the cycles they took, or 0 if an
 * operation failed (the benchmark is then reported as failed, no figure). */
typedef uint64_t batch_fn(long n, void *ctx);

static void measure(const char *name, long n, batch_fn *batch, void *ctx)
{
	double per[NBATCH];
	int batches = quick ? 1 : NBATCH;
	if (quick)
		n = 1;
	if (!batch(n, ctx)) /* warm-up */
		goto fail;
	for (int b = 0; b < batches; b++) {
		uint64_t c = batch(n, ctx);
		if (!c)
			goto fail;
		per[b] = (double)c / (double)n;
	}
	qsort(per, batches, sizeof(double), cmp_double);
	double med = per[batches / 2];
	out("BENCH %s cycles=%.0f ns=%.0f iters=%ld", name, med, med / tsc_per_ns, n);
	return;
fail:
	out("# lxbench: %s failed: errno %s, last child's wait status 0x%x", name, strerror(errno),
	    last_status);
	failed = 1;
}

static int wait_ok(pid_t pid)
{
	int st;
	if (pid < 0)
		return 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	last_status = st;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* ---------------------------------------------------------------- benchmarks */

static uint64_t b_getppid(long n, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		long r;
		__asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_getppid) : "rcx", "r11", "memory");
	}
	return tsc() - t0;
}

/* fds[0]: requests (write), fds[1]: replies (read). */
static uint64_t b_pipe(long n, void *ctx)
{
	int *fds = ctx;
	long v = 0;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++)
		if (write(fds[0], &v, sizeof v) != sizeof v || read(fds[1], &v, sizeof v) != sizeof v)
			return 0;
	return tsc() - t0;
}

static void bench_pipe_rtt(void)
{
	int req[2], rep[2];
	if (pipe(req) || pipe(rep)) {
		out("# lxbench: linux_pipe_rtt: pipe: %s", strerror(errno));
		failed = 1;
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		long v;
		close(req[1]);
		close(rep[0]);
		while (read(req[0], &v, sizeof v) == sizeof v) {
			v++;
			if (write(rep[1], &v, sizeof v) != sizeof v)
				break;
		}
		_exit(0);
	}
	close(req[0]);
	close(rep[1]);
	int fds[2] = {req[1], rep[0]};
	if (pid > 0)
		measure("linux_pipe_rtt", 64, b_pipe, fds);
	close(req[1]); /* the partner reads end of file and exits */
	close(rep[0]);
	wait_ok(pid);
}

static uint64_t b_fork_exit(long n, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (!wait_ok(pid))
			return 0;
	}
	return tsc() - t0;
}

static void bench_fork_exit(void)
{
	char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		out("# lxbench: linux_fork_exit: mmap: %s", strerror(errno));
		failed = 1;
		return;
	}
	memset(m, 1, 1 << 20);
	measure("linux_fork_exit", 3, b_fork_exit, NULL);
	munmap(m, 1 << 20);
}

/* fork + execve(path, argv) + waitpid, n times. */
struct prog { const char *path; char *const *argv; };

static uint64_t b_spawn(long n, void *ctx)
{
	const struct prog *p = ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execve(p->path, p->argv, ENVP);
			_exit(127);
		}
		if (!wait_ok(pid))
			return 0;
	}
	return tsc() - t0;
}

static void bench_spawn(void)
{
	static char *const argv[] = {"tiny", NULL};
	struct prog p = {TINY, argv};
	measure("linux_spawn", 2, b_spawn, &p);
}

static uint64_t b_open_close(long n, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		int fd = open(DATA, O_RDONLY);
		if (fd < 0 || close(fd))
			return 0;
	}
	return tsc() - t0;
}

static void bench_open_close(void) { measure("linux_open_close", 100, b_open_close, NULL); }

static uint64_t b_read(long n, void *ctx)
{
	static char buf[4096];
	int fd = *(int *)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++)
		if (pread(fd, buf, sizeof buf, 0) != sizeof buf)
			return 0;
	return tsc() - t0;
}

static void bench_read_4k(void)
{
	int fd = open(DATA, O_RDONLY);
	if (fd < 0) {
		out("# lxbench: linux_read_4k: open: %s", strerror(errno));
		failed = 1;
		return;
	}
	measure("linux_read_4k", 100, b_read, &fd);
	close(fd);
}

static void *thread_main(void *arg) { return arg; }

static uint64_t b_thread(long n, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		pthread_t t;
		void *r;
		if (pthread_create(&t, NULL, thread_main, &n) || pthread_join(t, &r) || r != &n)
			return 0;
	}
	return tsc() - t0;
}

static void bench_thread_create(void) { measure("linux_thread_create", 16, b_thread, NULL); }

/* busybox_script, one round: the state so far goes through busybox's
 * arguments and comes back to `lxbench --script-after STATUS RATE QUICK
 * FAILED ROUND T0 [FIGURE...]` (round 0 is the warm-up). Returns only if
 * the execve failed. */
static void script_round(int round, char **figures, int nfig)
{
	char rate[32], q[4], f[4], r[16], t0[32];
	char *argv[8 + SCRIPT_BATCHES];
	int n = 0;
	snprintf(rate, sizeof rate, "%.9g", tsc_per_ns);
	snprintf(q, sizeof q, "%d", quick);
	snprintf(f, sizeof f, "%d", failed);
	snprintf(r, sizeof r, "%d", round);
	argv[n++] = "sh";
	argv[n++] = (char *)SCRIPT_PATH;
	argv[n++] = rate;
	argv[n++] = q;
	argv[n++] = f;
	argv[n++] = r;
	argv[n++] = t0;
	for (int i = 0; i < nfig && i < SCRIPT_BATCHES; i++)
		argv[n++] = figures[i];
	argv[n] = NULL;
	snprintf(t0, sizeof t0, "%llu", (unsigned long long)tsc());
	execve(BUSYBOX, argv, ENVP);
	out("# lxbench: busybox_script failed: execve %s: %s", BUSYBOX, strerror(errno));
	failed = 1;
}

static void finish(int pid1);

/* Back from the script: t1 is the TSC at main's entry. */
static int script_after(int argc, char **argv, uint64_t t1, int pid1)
{
	if (argc < 8) {
		out("# lxbench: --script-after: too few arguments");
		return 1;
	}
	int st = atoi(argv[2]);
	tsc_per_ns = strtod(argv[3], NULL);
	quick = atoi(argv[4]);
	failed = atoi(argv[5]);
	int round = atoi(argv[6]);
	uint64_t c = t1 - strtoull(argv[7], NULL, 10);
	char *figs[SCRIPT_BATCHES + 1], buf[32];
	int nfig = 0, rounds = quick ? 1 : SCRIPT_BATCHES;
	for (int i = 8; i < argc && nfig < SCRIPT_BATCHES; i++)
		figs[nfig++] = argv[i];
	if (st) {
		out("# lxbench: busybox_script failed: an applet failed in round %d", round);
		failed = 1;
	} else {
		if (round > 0) { /* round 0: the warm-up */
			snprintf(buf, sizeof buf, "%llu", (unsigned long long)c);
			figs[nfig++] = buf;
		}
		if (round < rounds) {
			script_round(round + 1, figs, nfig);
		} else {
			double per[SCRIPT_BATCHES];
			for (int i = 0; i < nfig; i++)
				per[i] = strtod(figs[i], NULL);
			qsort(per, nfig, sizeof(double), cmp_double);
			double med = per[nfig / 2];
			out("BENCH busybox_script cycles=%.0f ns=%.0f iters=1", med, med / tsc_per_ns);
		}
	}
	finish(pid1);
	return failed;
}

static const struct bench {
	const char *name;
	void (*fn)(void);
} benches[] = {
	{"linux_getppid", NULL},
	{"linux_pipe_rtt", bench_pipe_rtt},
	{"linux_fork_exit", bench_fork_exit},
	{"linux_spawn", bench_spawn},
	{"linux_open_close", bench_open_close},
	{"linux_read_4k", bench_read_4k},
	{"linux_thread_create", bench_thread_create},
	{"busybox_script", NULL}, /* last: script_round */
};

/* ---------------------------------------------------------------- set-up */

static int write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0)
		return -1;
	int ok = write(fd, data, len) == (ssize_t)len;
	return close(fd) == 0 && ok ? 0 : -1;
}

/* The files the benchmarks use, made the same way on both sides. */
static int make_files(void)
{
	static char data[4096];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = i % 64 == 63 ? '\n' : 'a' + i % 26;
	mkdir("/tmp", 01777);
	mkdir(DIR, 0755);
	if (write_file(DATA, data, sizeof data) || write_file(SCRIPT_PATH, SCRIPT, sizeof SCRIPT - 1)) {
		out("# lxbench: cannot write %s or %s: %s", DATA, SCRIPT_PATH, strerror(errno));
		return -1;
	}
	return 0;
}

/* Linux's /init: devices, console. Address-space randomisation off as lbench
 * does (no_aslr there), so runs repeat; the personality has no personality()
 * and no randomisation. */
static void setup_pid1(char **argv)
{
	int p = personality(0xffffffff);
	if (p != -1 && !(p & ADDR_NO_RANDOMIZE) && personality(p | ADDR_NO_RANDOMIZE) != -1)
		execve(argv[0], argv, ENVP);
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	if (write(1, "\n", 1) < 0)
		return;
}

static int wanted(int argc, char **argv, int first, const char *name)
{
	if (first >= argc)
		return 1;
	for (int i = first; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

/* The files go, so that a run leaves the tree as it found it (the busybox
 * suite runs --quick between cases that list /tmp). */
static void finish(int pid1)
{
	unlink(DATA);
	unlink(SCRIPT_PATH);
	rmdir(DIR);
	out("BENCH-DONE");
	if (pid1) {
		sync();
		reboot(RB_POWER_OFF);
	}
}

int main(int argc, char **argv)
{
	uint64_t t1 = tsc();
	int pid1 = getpid() == 1;
	if (argc > 1 && !strcmp(argv[1], "--script-after"))
		return script_after(argc, argv, t1, pid1);
	if (pid1)
		setup_pid1(argv);
	int first = 1;
	if (argc > 1 && !strcmp(argv[1], "--quick"))
		quick = 1, first = 2;

	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof set, &set); /* one CPU; may be ENOSYS */

	calibrate();
	struct utsname u;
	uname(&u);
	out("# lxbench: %s %s, TSC %.3f GHz, median of %d batches (busybox_script: %d)",
	    u.sysname, u.release, tsc_per_ns, quick ? 1 : NBATCH, quick ? 1 : SCRIPT_BATCHES);
	if (make_files() == 0) {
		for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++) {
			if (!wanted(argc, argv, first, benches[i].name))
				continue;
			if (benches[i].fn)
				benches[i].fn();
			else if (!strcmp(benches[i].name, "busybox_script"))
				script_round(0, NULL, 0); /* returns only on failure */
			else
				measure(benches[i].name, 2000, b_getppid, NULL);
		}
	} else {
		failed = 1;
	}
	finish(pid1);
	return failed;
}
