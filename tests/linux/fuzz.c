/*
 * A seeded fuzzer of Linux system calls against the personality (issue
 * 11, 9 (c)); fuzz_gen.c makes the calls.
 *
 *   fuzz [-v] CALLS SEED...   a SEED may be a range FIRST-LAST; -v: list
 *                             the numbers that answered ENOSYS
 *
 * For each seed a forked child builds scratch state (files, a directory,
 * links, pipes, a child of its own) and makes CALLS random calls with
 * hostile arguments, logging each in a shared page before making it. The
 * child must come back (fuzz.h's invariant): killed by a signal, hung
 * (its alarm, re-armed as it makes progress, or the parent's bounded
 * wait) or ended otherwise, the seed and the call are printed. After every
 * seed the parent checks that the system is alive and the shared servers
 * intact: the process manager (getppid, fork and wait), the file server
 * (a file made, written, read back and removed; files made before the
 * seeds and /etc/passwd unchanged; a pipe made before the seeds still
 * carries bytes; a new pipe), the timer server (a short sleep ends), the
 * console (isatty), /proc. Exit 0 if every seed passed; prints one line
 * per failure and a summary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"

#define WATCHDOG_S 30       /* the child's alarm: no progress in this long is a hang */
#define PARENT_WAIT_MS 90000 /* the parent's bound on one seed without progress */
#define TWIN_WAIT_MS 60000   /* the child's bound on its twin's end, after its own calls */

/* The log: a record the child rewrites (pwrite at 0) before every call,
 * in a file (top/log) at a descriptor no generated call names (fuzz.h);
 * MAP_SHARED memory is not shared across fork yet (docs/LINUX.md). */
static struct fz_log rec, *lg = &rec;
static long raw(long nr, const long *a);
static int logfd = -1;
static long log_base;       /* 0: the seed's child's record, FZ_TWIN_LOG: its twin's */

static void log_put(void)
{
	raw(18, (long[6]){ FZ_LOGFD, (long)&rec, sizeof rec, log_base, 0, 0 });
}
static struct fz_state st;
static char top[64];        /* /tmp/fuzz.<pid>: the parent's; s<seed> under it the child's */
static int failures;

/* One raw system call. With fork_like (fork, vfork, clone), the new
 * process (or thread) exits at once, before it touches a byte of memory
 * (it may share the caller's, and its stack). */
static long call6(long nr, const long *a, long fork_like)
{
	register long rax __asm__("rax") = nr;
	register long rdi __asm__("rdi") = a[0];
	register long rsi __asm__("rsi") = a[1];
	register long rdx __asm__("rdx") = a[2];
	register long r10 __asm__("r10") = a[3];
	register long r8 __asm__("r8") = a[4];
	register long r9 __asm__("r9") = a[5];
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "test %[fl], %[fl]\n\t"
			 "jz 1f\n\t"
			 "mov $60, %%eax\n\t"
			 "xor %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "ud2\n"
			 "1:"
			 : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 : [fl] "r"(fork_like) : "rcx", "r11", "memory");
	return rax;
}

static long raw(long nr, const long *a)
{
	return call6(nr, a, 0);
}

static long raw3(long nr, long x, long y, long z)
{
	long a[6] = { x, y, z, 0, 0, 0 };
	return raw(nr, a);
}

void fz_nonblock(long fd)
{
	long fl = raw3(72, fd, F_GETFL, 0);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		raw3(72, fd, F_SETFL, fl | O_NONBLOCK);
}

int fz_device(long fd)
{
	struct stat sb;
	return raw3(5, fd, (long)&sb, 0) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode) &&
	       !S_ISLNK(sb.st_mode) && !S_ISFIFO(sb.st_mode);
}

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		write(fd, text, strlen(text));
		close(fd);
	}
}

extern char __executable_start[];

static char altstack[65536]; /* sigaltstack's, whatever the calls set it to (fuzz_gen.c) */
char *fz_altstack = altstack;
static volatile long usr_signals;

static void on_usr(int sig, siginfo_t *si, void *uc)
{
	(void)si, (void)uc;
	usr_signals++;
	raw3(39, 0, 0, 0); /* a call inside the handler: getpid */
}

/* The child's scratch state, in top/s<seed>, and its rules (fuzz.h). */
static void setup(long seed)
{
	char dir[96];
	int p[2];

	lg->stage = 1, log_put();
	setsid();
	fz_ignore_signals();
	int null = open("/dev/null", O_RDWR);
	dup2(null, 0), dup2(null, 1), dup2(null, 2);
	for (int fd = 3; fd < 256; fd++)
		if (fd != FZ_LOGFD)
			close(fd);
	lg->stage = 2, log_put();
	snprintf(dir, sizeof dir, "%s/s%ld", top, seed);
	mkdir(dir, 0755);
	if (chdir(dir) != 0)
		_exit(90);
	put("a", "the fuzzer's file a\n");
	put("b", "");
	mkdir("d", 0755);
	mkdir("d/e", 0755);
	symlink("a", "l");
	symlink("d", "dl");
	link("a", "h");

	lg->stage = 3, log_put();
	/* the sitting child: it ignores everything and leaves at end of file */
	pipe(p);
	/* handlers of SIGUSR1 and SIGUSR2 (the rest is ignored): signals
	 * that interrupt calls, restarted or not as the seed says */
	struct sigaction sa = { .sa_sigaction = on_usr };
	sa.sa_flags = SA_SIGINFO | (seed & 1 ? SA_RESTART : 0) | (seed & 2 ? SA_ONSTACK : 0) |
		      (seed & 4 ? SA_NODEFER : 0);
	sigaction(SIGUSR1, &sa, 0);
	sigaction(SIGUSR2, &sa, 0);
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	sigaltstack(&ss, 0);

	/* the sitting child: it sends its parent a few hundred signals, at
	 * moments that depend on the scheduler, then leaves at end of file */
	pid_t parent = getpid();
	st.kid = fork();
	if (st.kid == 0) {
		char c;
		close(p[1]);
		for (int i = 0; i < FZ_KID_SIGNALS && kill(parent, SIGUSR1 + (i & 1) * 2) == 0; i++)
			fz_sleep_ms(1 + i % 3);
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);

	lg->stage = 4, log_put();
	st.nfds = 0;
	st.fds[st.nfds++] = open("a", O_RDWR);
	st.fds[st.nfds++] = open("d", O_RDONLY | O_DIRECTORY);
	st.fds[st.nfds++] = open("b", O_WRONLY | O_APPEND);
	int q[2];
	pipe2(q, O_NONBLOCK);
	st.fds[st.nfds++] = q[0], st.fds[st.nfds++] = q[1];
	st.fds[st.nfds++] = p[1];
	st.fds[st.nfds++] = open(".", O_RDONLY | O_DIRECTORY);
	st.fds[st.nfds++] = open("/dev/zero", O_RDONLY);
	st.fds[st.nfds++] = open("/dev/urandom", O_RDONLY);
	st.fds[st.nfds++] = open("/proc/self/stat", O_RDONLY);
	st.fds[st.nfds++] = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	st.fds[st.nfds++] = 0;
	int gone = open("a", O_RDONLY);
	close(gone);
	st.last_closed = gone;

	lg->stage = 5, log_put();
	char *pool = mmap(0, FZ_POOL + 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *arg = mmap(0, FZ_ARG + 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED || arg == MAP_FAILED ||
	    mprotect(pool + 4096, FZ_POOL, PROT_READ | PROT_WRITE) ||
	    mprotect(arg + 4096, FZ_ARG, PROT_READ | PROT_WRITE))
		_exit(91);
	st.pool = pool + 4096;
	st.arg = arg + 4096;
	for (long i = 0; i < FZ_POOL / 8; i++)
		((uint64_t *)st.pool)[i] = fz_rand(&st);
	/* a read-only page in the pool: outputs there are EFAULT */
	mprotect(st.pool + FZ_POOL / 2, 4096, PROT_READ);

	lg->stage = 6, log_put();
	st.pid = getpid();
	st.brk0 = raw3(12, 0, 0, 0);
	st.forks = 0;
	uintptr_t sp = (uintptr_t)&dir;
	st.own_lo[0] = (uintptr_t)__executable_start, st.own_hi[0] = (uintptr_t)st.brk0 + (1 << 20);
	st.own_lo[1] = (sp & ~0xfffull) - (8 << 20), st.own_hi[1] = sp + (1 << 20);
	st.own_lo[2] = (uintptr_t)arg, st.own_hi[2] = (uintptr_t)arg + FZ_ARG + 8192;
	st.own_lo[3] = st.own_hi[3] = 0;
}

static void run_calls(long calls)
{
	for (long i = 0; i < calls; i++) {
		long nr, a[6];
		if (i % 64 == 0) {
			raw3(37, WATCHDOG_S, 0, 0); /* alarm: the watchdog, re-armed */
			lg->watchdog = i;
		}
		int forky = fz_gen(&st, &nr, a);
		lg->n = i, lg->nr = nr;
		memcpy(lg->a, a, sizeof lg->a);
		log_put();
		long r = call6(nr, a, forky);
		if (nr == 3 && r == 0)
			st.last_closed = (int)a[0];
		lg->signals = usr_signals;
		if (fz_wrong(nr, a, r)) {
			struct fz_wrong w = { i, nr, { a[0], a[1], a[2], a[3], a[4], a[5] }, r };
			if (lg->wrong < FZ_WRONG)
				raw(18, (long[6]){ FZ_LOGFD, (long)&w, sizeof w,
						   (long)(log_base + sizeof rec + lg->wrong * sizeof w), 0, 0 });
			lg->wrong++;
		}
		if (r >= 0 || r < -4095)
			lg->ok++;
		else if (r == -ENOSYS) {
			lg->enosys++;
			if ((unsigned long)nr < 1024)
				lg->nosys[nr / 64] |= 1ull << (nr % 64);
		}
		else if (r == -EFAULT)
			lg->efault++;
		else
			lg->other++;
	}
}

/* A seed's child: its state, its twin (a fork that makes calls of its
 * own on the same descriptors, files and pipes at the same time, so the
 * servers serve both interleaved), its calls, then the twin's end. */
static void child(long seed, long calls)
{
	st.rng = 0x9e3779b97f4a7c15ull * (uint64_t)(seed + 1);
	setup(seed);
	lg->seed = seed, lg->calls = calls, lg->stage = 7;
	log_put();
	long twin = raw3(57, 0, 0, 0); /* fork */
	if (twin == 0) {
		log_base = FZ_TWIN_LOG;
		st.rng ^= 0x5851f42d4c957f2dull;
		st.pid = getpid();
		run_calls(calls);
		lg->done = 1, lg->n = calls;
		log_put();
		raw3(231, 0, 0, 0);
	}
	run_calls(calls);
	/* the twin: ended (or reaped already, if SIGCHLD was set to SIG_IGN:
	 * its record says), else killed after a bound and said hung */
	long r = 0, status = 0;
	for (long t = 0; twin > 0 && (r = raw(61, (long[6]){ twin, (long)&status, 1, 0, 0, 0 })) == 0 &&
			 t < TWIN_WAIT_MS; t += 10) {
		raw3(37, WATCHDOG_S, 0, 0);
		raw(35, (long[6]){ (long)&(struct timespec){ 0, 10000000 }, 0, 0, 0, 0, 0 });
	}
	if (twin > 0 && r == 0) {
		raw3(62, twin, SIGKILL, 0);
		lg->twin = -1;
	} else if (r == twin)
		lg->twin = 0x10000 | (status & 0xffff);
	lg->done = 1, lg->n = calls;
	log_put();
	raw3(231, 0, 0, 0);
}

/* ---- the parent: running a seed, then the system's checks ---------------- */

static void sys_fail(const char *what)
{
	failures++;
	printf("FUZZ-FAIL seed %ld (after call %ld, nr %ld): system check failed: %s\n",
	       lg->seed, lg->n, lg->nr, what);
}

static void report(const char *what)
{
	failures++;
	printf("FUZZ-FAIL seed %ld call %ld of %ld (stage %ld): nr %ld (%#lx, %#lx, %#lx, %#lx, %#lx, %#lx): %s\n",
	       lg->seed, lg->n, lg->calls, lg->stage, lg->nr, lg->a[0], lg->a[1], lg->a[2], lg->a[3], lg->a[4],
	       lg->a[5], what);
}

static long total[5];

/* The answers the oracle refused, from the record at base. */
static void print_wrong(long seed, long base, long n)
{
	for (long k = 0; k < n && k < FZ_WRONG; k++) {
		struct fz_wrong w;
		pread(logfd, &w, sizeof w, (long)(base + sizeof *lg + k * sizeof w));
		failures++;
		printf("FUZZ-FAIL seed %ld %scall %ld: nr %ld (%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) = %ld: "
		       "answered wrongly: %s\n", seed, base ? "twin " : "", w.n, w.nr, w.a[0], w.a[1],
		       w.a[2], w.a[3], w.a[4], w.a[5], w.r, fz_wrong(w.nr, w.a, w.r));
	}
}

/* The twin's end, as its sibling saw it; its record says its last call. */
static void twin_report(long twin)
{
	struct fz_log t;
	char why[96];
	int ws = (int)(twin & 0xffff);

	if (pread(logfd, &t, sizeof t, FZ_TWIN_LOG) != sizeof t)
		return;
	if (twin == -1)
		snprintf(why, sizeof why, "the twin hung");
	else if ((twin & 0x10000) && WIFSIGNALED(ws))
		snprintf(why, sizeof why, "the twin was killed by signal %d", WTERMSIG(ws));
	else if (!t.done)
		snprintf(why, sizeof why, "the twin ended early (status %#lx)", twin);
	else
		return;
	failures++;
	printf("FUZZ-FAIL seed %ld twin call %ld of %ld: nr %ld (%#lx, %#lx, %#lx, %#lx, %#lx, %#lx): %s\n",
	       t.seed, t.n, t.calls, t.nr, t.a[0], t.a[1], t.a[2], t.a[3], t.a[4], t.a[5], why);
}
static uint64_t nosys[16];

static void run_seed(long seed, long calls)
{
	char why[96];

	memset(lg, 0, sizeof *lg);
	lg->seed = seed, lg->calls = calls, lg->n = -1;
	pwrite(logfd, lg, sizeof *lg, 0);
	pwrite(logfd, lg, sizeof *lg, FZ_TWIN_LOG);
	fflush(stdout);
	pid_t p = fork();
	if (p < 0) {
		report("fork failed");
		return;
	}
	if (p == 0)
		child(seed, calls);
	int status = 0, r;
	long last = -2, still = 0;
	while ((r = waitpid(p, &status, WNOHANG)) == 0) {
		pread(logfd, lg, sizeof *lg, 0);
		if (lg->n != last)
			last = lg->n, still = 0;
		if ((still += 10) > PARENT_WAIT_MS) {
			kill(p, SIGKILL);
			waitpid(p, &status, 0);
			report("hung (no progress; killed by the parent)");
			goto reaped;
		}
		fz_sleep_ms(10);
	}
	pread(logfd, lg, sizeof *lg, 0);
	if (r != p)
		report("waitpid failed");
	else if (lg->done)
		twin_report(lg->twin);
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		report("hung (its watchdog alarm)");
	else if (WIFSIGNALED(status)) {
		snprintf(why, sizeof why, "the child was killed by signal %d", WTERMSIG(status));
		report(why);
	} else if (!lg->done || WEXITSTATUS(status) != 0) {
		snprintf(why, sizeof why, "the child ended early, status %d", WEXITSTATUS(status));
		report(why);
	}
reaped:
	for (int i = 0; i < 16; i++)
		nosys[i] |= lg->nosys[i];
	print_wrong(seed, 0, lg->wrong);
	struct fz_log t;
	if (pread(logfd, &t, sizeof t, FZ_TWIN_LOG) == sizeof t) {
		print_wrong(seed, FZ_TWIN_LOG, t.wrong);
		total[0] += t.ok, total[1] += t.enosys, total[2] += t.efault, total[3] += t.other;
		total[4] += t.signals;
	}
	total[4] += lg->signals;
	total[0] += lg->ok, total[1] += lg->enosys, total[2] += lg->efault, total[3] += lg->other;
	while (waitpid(-1, &status, WNOHANG) > 0)
		; /* clone(CLONE_PARENT)'s children are ours */
	fz_sys_check(sys_fail);
	snprintf(why, sizeof why, "%s/s%ld", top, seed);
	fz_rmtree(why);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: fuzz CALLS SEED|FIRST-LAST...\n");
		return 2;
	}
	int verbose = strcmp(argv[1], "-v") == 0;
	argv += verbose, argc -= verbose;
	long calls = atol(argv[1]), seeds = 0;
	snprintf(top, sizeof top, "/tmp/fuzz.%d", getpid());
	mkdir(top, 0755);
	char logpath[96];
	snprintf(logpath, sizeof logpath, "%s/log", top);
	logfd = open(logpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (logfd < 0 || dup2(logfd, FZ_LOGFD) != FZ_LOGFD) {
		perror("fuzz: the log");
		return 2;
	}
	close(logfd);
	logfd = FZ_LOGFD;
	if (fz_sys_init(top)) {
		perror("fuzz: setting up");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	for (int i = 2; i < argc; i++) {
		long first = atol(argv[i]), last = first;
		char *dash = strchr(argv[i] + 1, '-');
		if (dash)
			last = atol(dash + 1);
		for (long s = first; s <= last; s++, seeds++)
			run_seed(s, calls);
	}
	fz_rmtree(top);
	if (verbose) {
		printf("fuzz: ENOSYS from");
		for (int nr = 0; nr < 1024; nr++)
			if (nosys[nr / 64] >> (nr % 64) & 1)
				printf(" %d", nr);
		printf("\n");
	}
	printf("fuzz: %ld seeds of %ld calls (%ld succeeded, %ld ENOSYS, %ld EFAULT, %ld other errors; "
	       "%ld signals handled), %d failures%s\n", seeds, calls, total[0], total[1], total[2],
	       total[3], total[4], failures,
	       failures ? "" : ": the system stayed intact");
	return failures != 0;
}
