/*
 * The Linux personality's last gaps of issue 11, each as Linux's man pages
 * have it. An ordinary Linux program (musl-gcc -static) that passes on a
 * Linux host too. Two parts:
 *
 *   `gaps` (tests/tools/test_busybox.py runs `linux -x gaps`: no terminal):
 *   - FUTEX_WAIT_BITSET / FUTEX_WAKE_BITSET on a shared futex (a word of
 *     MAP_SHARED memory, waiters in two processes) honour the bitset: a
 *     wake chooses only a waiter whose bitset meets its own (futex(2));
 *     a zero bitset is EINVAL.
 *   - SIGCHLD's si_utime and si_stime (sigaction(2): the child's CPU
 *     time in clock ticks): a child that spins for 0.3 s reports some.
 *   - Pending signals survive execve (execve(2), signal(7)): a signal
 *     tgkill'd to a thread that blocks it, and a process-directed one,
 *     are pending in the new image; its mask is the exec'ing thread's; a
 *     handled signal's disposition is back to SIG_DFL; whether the
 *     thread that execs is the first or another.
 *   - Thread ids (gettid(2), set_tid_address(2), tgkill(2), proc(5)):
 *     clone's CLONE_PARENT_SETTID tid is the thread's gettid and its
 *     set_tid_address, tgkill reaches it by that tid, a tid is no other
 *     process's pid, kill with a tid signals its process, and tgkill
 *     with a tid of another group is ESRCH; /proc/<pid>/task/<tid>.
 *   - 150 processes one after the other: each pid new, a reaped one ESRCH.
 *   - chown, fchown, lchown, fchownat (one user: to root; set-user-ID
 *     cleared as Linux does) and RLIMIT_NOFILE enforced (dup2 EBADF,
 *     F_DUPFD EINVAL, open and pipe EMFILE past the soft limit), two
 *     gaps the independent busybox suite (more.cases) found.
 *
 *   `gaps tty` (tests/tools/test_shell.py, on the console): TOSTOP (stty
 *   tostop, termios(3)): a background process's write to its terminal
 *   stops it by SIGTTOU; with SIGTTOU ignored the write goes through; a
 *   SIGTTOU handler without SA_RESTART makes it EINTR; without TOSTOP a
 *   background write goes through.
 *
 * The exit status is the number of failed checks; each failure is one
 * line on stderr, and the last line (stdout) says how many.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int failures, lamina;

#define FUTEX_WAIT        0
#define FUTEX_WAKE        1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10

#include "check.h"

static long futex(volatile int *w, int op, int val, void *ts, int val3)
{
	return syscall(SYS_futex, w, op, val, ts, 0, val3);
}

/* ---- shared futex bitsets --------------------------------------------------------- */

/* A child waiting on *w with bitset `bits` until a wake chooses it; it
 * ends with `bits` as its status. */
static pid_t bit_waiter(volatile int *w, int bits)
{
	pid_t p = fork();

	if (p == 0) {
		for (;;) {
			long r = futex(w, FUTEX_WAIT_BITSET, 0, 0, bits);

			if (r == 0)
				_exit(bits);
			if (errno != EINTR)
				_exit(100);
		}
	}
	return p;
}

/* Wake waiters of bitset `bits` until one is woken (a wake before the
 * waiter registered finds nobody: it is tried again); the child that
 * ends first must be the one with a bit of `bits`. */
static void wake_one(volatile int *w, int bits, int want)
{
	long r;
	int st = 0;

	while ((r = futex(w, FUTEX_WAKE_BITSET, 1, 0, bits)) == 0)
		sched_yield();
	CHECK(r == 1);
	CHECK(wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == want);
}

static void futex_bitsets(void)
{
	volatile int *w = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	CHECK(w != MAP_FAILED);
	if (w == MAP_FAILED)
		return;
	*w = 0;
	pid_t a = bit_waiter(w, 1), b = bit_waiter(w, 2);

	CHECK(a > 0 && b > 0);
	/* bit 1: only b may wake, whoever registered first */
	wake_one(w, 2, 2);
	/* a wake of bits neither has chooses nobody, even with a waiting */
	CHECK(futex(w, FUTEX_WAKE_BITSET, 1, 0, 4 | 8) == 0);
	wake_one(w, 1 | 4, 1);
	/* bad input: a zero bitset, either way */
	FAILS(futex(w, FUTEX_WAIT_BITSET, 0, 0, 0), EINVAL);
	FAILS(futex(w, FUTEX_WAKE_BITSET, 1, 0, 0), EINVAL);
	/* a wait whose value is stale does not block: EAGAIN */
	FAILS(futex(w, FUTEX_WAIT_BITSET, 1, 0, 1), EAGAIN);
	/* plain FUTEX_WAKE is FUTEX_WAKE_BITSET with all bits */
	pid_t c = bit_waiter(w, 0x40000000);
	long r;
	int st = 0;

	while ((r = futex(w, FUTEX_WAKE, 1, 0, 0)) == 0)
		sched_yield();
	CHECK(r == 1);
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == (0x40000000 & 0xff));
	munmap((void *)w, 4096);
}

/* ---- SIGCHLD's CPU times ---------------------------------------------------------- */

static void spin_ms(long ms)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

static void sigchld_times(void)
{
	sigset_t set, old;
	siginfo_t si;
	pid_t p;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	if ((p = fork()) == 0) {
		spin_ms(300);
		_exit(3);
	}
	memset(&si, 0, sizeof si);
	CHECK(sigwaitinfo(&set, &si) == SIGCHLD);
	CHECK(si.si_pid == p && si.si_code == CLD_EXITED && si.si_status == 3);
	/* 0.3 s of the CPU: about 30 ticks on Linux (less on a busy host,
	 * never none) */
	CHECK(si.si_utime + si.si_stime >= 2);
	CHECK(si.si_utime + si.si_stime <= 100000);
	CHECK(waitpid(p, 0, 0) == p);
	sigprocmask(SIG_SETMASK, &old, 0);
}

/* ---- pending signals across execve -------------------------------------------------- */

static volatile int got_usr1, usr1_code;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	got_usr1++;
	usr1_code = si->si_code;
}

static void on_usr2(int sig)
{
}

static int go[2], told[2];
static char *self_path;

/* The thread that execs: it blocks SIGTERM too (its mask, not the
 * first thread's), tells its tid, and execs once SIGUSR1 was tgkill'd
 * to it. */
static void *execer(void *arg)
{
	sigset_t term;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &term, 0);
	write(told[1], &tid, sizeof tid);
	read(go[0], &c, 1);
	execl(self_path, "gaps", "after-exec", (char *)0);
	_exit(99);
}

/* The new image (`gaps after-exec`): SIGUSR1 (tgkill'd to the thread
 * that exec'd) and SIGUSR2 (to the process, handled before) pending and
 * blocked; SIGUSR2 back to SIG_DFL; SIGUSR1 delivered once unblocked. */
static int after_exec(void)
{
	sigset_t pend, mask, none;
	struct sigaction sa;

	sigemptyset(&none);
	CHECK(sigpending(&pend) == 0);
	CHECK(sigismember(&pend, SIGUSR1) == 1);
	CHECK(sigismember(&pend, SIGUSR2) == 1);
	CHECK(sigprocmask(SIG_BLOCK, &none, &mask) == 0);
	CHECK(sigismember(&mask, SIGUSR1) == 1 && sigismember(&mask, SIGUSR2) == 1);
	CHECK(sigismember(&mask, SIGTERM) == 1); /* the exec'ing thread's own mask */
	CHECK(sigaction(SIGUSR2, 0, &sa) == 0 && sa.sa_handler == SIG_DFL);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &mask, 0);
	CHECK(got_usr1 == 1 && usr1_code == SI_TKILL);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));
	fflush(stderr);
	if (failures)
		_exit(failures);
	/* SIGUSR2's default action ends us, as the parent expects */
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &mask, 0);
	_exit(100); /* SIGUSR2 did not end us */
}

/* The other way round: a thread tgkills the first thread, which then
 * execs itself. */
static void *tgkiller(void *arg)
{
	syscall(SYS_tgkill, getpid(), getpid(), SIGUSR1);
	kill(getpid(), SIGUSR2);
	write(told[1], "k", 1);
	for (;;)
		pause();
	return 0;
}

static void exec_pending(int first)
{
	pid_t p;
	int st = 0;

	if (first && (p = fork()) == 0) {
		sigset_t mask;
		pthread_t t;
		char c;

		signal(SIGUSR2, on_usr2);
		sigemptyset(&mask);
		sigaddset(&mask, SIGUSR1);
		sigaddset(&mask, SIGUSR2);
		sigaddset(&mask, SIGTERM);
		sigprocmask(SIG_BLOCK, &mask, 0);
		if (pipe(told) || pthread_create(&t, 0, tgkiller, 0))
			_exit(98);
		if (read(told[0], &c, 1) != 1)
			_exit(97);
		execl(self_path, "gaps", "after-exec", (char *)0);
		_exit(99);
	}
	if (!first && (p = fork()) == 0) {
		sigset_t mask;
		pthread_t t;
		pid_t tid = 0;

		signal(SIGUSR2, on_usr2);
		sigemptyset(&mask);
		sigaddset(&mask, SIGUSR1);
		sigaddset(&mask, SIGUSR2);
		sigprocmask(SIG_BLOCK, &mask, 0);
		if (pipe(go) || pipe(told) || pthread_create(&t, 0, execer, 0))
			_exit(98);
		if (read(told[0], &tid, sizeof tid) != sizeof tid)
			_exit(97);
		if (syscall(SYS_tgkill, getpid(), tid, SIGUSR1) || kill(getpid(), SIGUSR2))
			_exit(96);
		write(go[1], "g", 1);
		for (;;)
			pause();
	}
	CHECK(waitpid(p, &st, 0) == p);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR2);
	if (!WIFSIGNALED(st))
		fprintf(stderr, "gaps: after-exec status %#x\n", st);
}

/* ---- thread ids ----------------------------------------------------------------- */

static volatile int clear_word = -1;
static pid_t t_tid, t_set;
static int t_go[2], t_told[2];

/* A detached thread: its tid, and what set_tid_address says, which also
 * makes its end clear clear_word and futex-wake it. */
static void *tid_thread(void *arg)
{
	char c;

	t_tid = (pid_t)syscall(SYS_gettid);
	clear_word = t_tid;
	t_set = (pid_t)syscall(SYS_set_tid_address, &clear_word);
	write(t_told[1], "t", 1);
	read(t_go[0], &c, 1);
	return 0;
}

static void thread_ids(void)
{
	pthread_attr_t at;
	pthread_t t;
	char c, path[64];

	if (pipe(t_go) || pipe(t_told))
		return;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	CHECK(pthread_create(&t, &at, tid_thread, 0) == 0);
	CHECK(read(t_told[0], &c, 1) == 1);
	CHECK(t_tid > 0 && t_tid != getpid() && t_set == t_tid);
	CHECK(syscall(SYS_gettid) == getpid()); /* the first thread's is the pid */
	CHECK(syscall(SYS_tgkill, getpid(), t_tid, 0) == 0);
	CHECK(syscall(SYS_tkill, t_tid, 0) == 0);
	/* a tid names its thread group to kill (one pid space) */
	CHECK(kill(t_tid, 0) == 0);
	/* not a thread of another group (a child's) */
	pid_t other = fork();
	if (other == 0) {
		pause();
		_exit(0);
	}
	FAILS(syscall(SYS_tgkill, other, t_tid, 0), ESRCH);
	kill(other, SIGKILL);
	waitpid(other, 0, 0);
	FAILS(syscall(SYS_tgkill, getpid(), -1, 0), EINVAL);
	/* proc(5): the thread in /proc/self/task, and the first one */
	snprintf(path, sizeof path, "/proc/self/task/%d", (int)t_tid);
	CHECK(access(path, F_OK) == 0);
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)getpid(), (int)getpid());
	CHECK(access(path, F_OK) == 0);
	/* its end clears the word and wakes it (set_tid_address(2)) */
	write(t_go[1], "g", 1);
	while (clear_word)
		syscall(SYS_futex, &clear_word, FUTEX_WAIT, t_tid, 0, 0, 0);
	/* a thread that has ended: its tid names nobody of ours */
	int r;
	for (int i = 0; i < 1000 && (r = syscall(SYS_tgkill, getpid(), t_tid, 0)) == 0; i++)
		sched_yield(); /* the clear comes just before the end */
	FAILS(syscall(SYS_tgkill, getpid(), t_tid, 0), ESRCH);
}

/* Many processes over time: each fork's pid is new (a freed pid is not
 * given again at once, as Linux counts up), a reaped child's pid names
 * nobody, and no thread's tid is any of those pids. */
static void pids_over_time(void)
{
	pid_t last = 0, tid = (pid_t)syscall(SYS_gettid);
	int reused = 0;

	for (int i = 0; i < 150; i++) {
		pid_t p = fork();
		int st = 0;

		if (p == 0)
			_exit(i & 0x7f);
		if (p < 0) {
			CHECK(p > 0);
			return;
		}
		CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f));
		reused += p == last;
		CHECK(p != getpid() && p != tid && p != t_tid);
		if (kill(p, 0) != -1 || errno != ESRCH)
			reused++;
		last = p;
	}
	CHECK(reused == 0);
}

/* ---- chown and RLIMIT_NOFILE (found by tests/linux/more.cases) ------------------- */

static void chown_calls(void)
{
	const char *f = "/tmp/gaps-chown", *l = "/tmp/gaps-chown-link", *d = "/tmp/gaps-chown-dir";
	struct stat st;
	int fd;

	unlink(f);
	unlink(l);
	rmdir(d);
	CHECK((fd = open(f, O_CREAT | O_WRONLY, 0644)) >= 0);
	CHECK(chmod(f, 04755) == 0);
	/* root gives a file to root: allowed; the set-user-ID bit goes */
	CHECK(chown(f, 0, 0) == 0);
	CHECK(stat(f, &st) == 0 && (st.st_mode & 07777) == 0755 && st.st_uid == 0);
	CHECK(chmod(f, 06755) == 0);
	CHECK(chown(f, -1, -1) == 0); /* nothing to change, but the bits go */
	CHECK(stat(f, &st) == 0 && (st.st_mode & 07777) == 0755);
	CHECK(chmod(f, 06745) == 0);
	CHECK(fchown(fd, -1, 0) == 0); /* set-group-ID stays: not group-executable */
	CHECK(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 02745);
	CHECK(symlink(f, l) == 0);
	CHECK(lchown(l, 0, 0) == 0);
	CHECK(fchownat(AT_FDCWD, l, 0, 0, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK(mkdir(d, 0755) == 0 && chmod(d, 02755) == 0);
	CHECK(chown(d, 0, 0) == 0);  /* a directory keeps its bits */
	CHECK(stat(d, &st) == 0 && (st.st_mode & 07777) == 02755);
	/* bad input */
	FAILS(chown("/nonexistent/x", 0, 0), ENOENT);
	FAILS(chown((const char *)1, 0, 0), EFAULT);
	FAILS(fchown(-1, 0, 0), EBADF);
	FAILS(fchown(999, 0, 0), EBADF);
	FAILS(fchownat(AT_FDCWD, f, 0, 0, 0x4000000), EINVAL);
	FAILS(chown("/etc/passwd/x", 0, 0), ENOTDIR);
	if (lamina) /* one user: nobody else to give a file to (root on Linux may) */
		FAILS(chown(f, 1000, -1), EPERM);
	close(fd);
	unlink(l);
	unlink(f);
	rmdir(d);
}

static void nofile_limit(void)
{
	struct rlimit old, rl;
	int fds[16], n = 0, fd;

	CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	rl = old;
	rl.rlim_cur = 8;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	/* descriptors at or past the soft limit cannot be made */
	FAILS(dup2(0, 8), EBADF);
	FAILS(dup2(0, 100), EBADF);
	FAILS(fcntl(0, F_DUPFD, 8), EINVAL);
	CHECK((fd = dup2(0, 7)) == 7);
	close(7);
	while (n < 16 && (fd = open("/dev/null", O_RDONLY)) >= 0)
		fds[n++] = fd;
	CHECK(fd == -1 && errno == EMFILE);
	CHECK(n > 0 && fds[n - 1] == 7);
	int pp[2];
	FAILS(pipe(pp), EMFILE);
	while (n > 0)
		close(fds[--n]);
	CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
	CHECK((fd = dup2(0, 100)) == 100);
	close(100);
}

/* ---- TOSTOP (`gaps tty`) ------------------------------------------------------------ */

static volatile int got_ttou;

static void on_ttou(int sig)
{
	got_ttou++;
}

/* A child in a background group of our session (not orphaned: we are
 * its parent in another group of it) writes to the terminal; how(0)
 * sets up its signals first. Its status. */
static int background_write(int how, int stop_expected)
{
	pid_t p;
	int st = 0;

	if ((p = fork()) == 0) {
		struct sigaction sa;

		setpgid(0, 0);
		memset(&sa, 0, sizeof sa);
		if (how == 1)
			sa.sa_handler = SIG_IGN;
		else if (how == 2)
			sa.sa_handler = on_ttou; /* no SA_RESTART */
		if (how)
			sigaction(SIGTTOU, &sa, 0);
		errno = 0;
		long r = write(1, "gaps: a background write\n", 25);
		if (how == 2)
			_exit(r == -1 && errno == EINTR && got_ttou == 1 ? 0 : 1);
		_exit(r == 25 ? 0 : 2);
	}
	setpgid(p, p);
	if (waitpid(p, &st, WUNTRACED) != p)
		return -1;
	if (stop_expected) {
		CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU);
		kill(p, SIGKILL);
		waitpid(p, &st, 0);
		return 0;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 0x100 | st;
}

static void tostop(void)
{
	struct termios t, saved;

	CHECK(tcgetattr(0, &saved) == 0);
	/* without TOSTOP a background group writes */
	t = saved;
	t.c_lflag &= ~TOSTOP;
	CHECK(tcsetattr(0, TCSANOW, &t) == 0);
	CHECK(background_write(0, 0) == 0);
	t.c_lflag |= TOSTOP;
	CHECK(tcsetattr(0, TCSANOW, &t) == 0);
	CHECK(tcgetattr(0, &t) == 0 && (t.c_lflag & TOSTOP));
	background_write(0, 1);               /* stopped by SIGTTOU */
	CHECK(background_write(1, 0) == 0);   /* SIGTTOU ignored: written */
	CHECK(background_write(2, 0) == 0);   /* a handler: EINTR */
	/* the foreground writes whatever TOSTOP says */
	CHECK(write(1, "gaps: a foreground write\n", 25) == 25);
	CHECK(tcsetattr(0, TCSANOW, &saved) == 0);
}

int main(int argc, char **argv)
{
	struct utsname u;

	lamina = !uname(&u) && strstr(u.release, "lamina") != NULL;
	self_path = "/proc/self/exe";
	if (argc > 1 && !strcmp(argv[1], "after-exec"))
		return after_exec();
	if (argc > 1 && !strcmp(argv[1], "tty")) {
		tostop();
		printf("gaps tty: %d failed\n", failures);
		return failures > 100 ? 100 : failures;
	}
	futex_bitsets();
	sigchld_times();
	exec_pending(0); /* a second thread execs */
	exec_pending(1); /* the first one does */
	thread_ids();
	pids_over_time();
	chown_calls();
	nofile_limit();
	printf("gaps: %d failed\n", failures);
	return failures > 100 ? 100 : failures;
}
