/*
 * Job control in the Linux personality (linux/jobctl.c, servers/proc/stop.c
 * and tty.c). An ordinary Linux program (musl-gcc -static) that passes on
 * a Linux host too. Two parts:
 *
 *   `jobs` (tests/tools/test_busybox.py runs `linux -x jobs`: no terminal):
 *   a child stops itself (SIGSTOP, SIGTSTP) and wait4 WUNTRACED sees
 *   WIFSTOPPED once; SIGCONT continues it (WCONTINUED, its SIGCONT handler
 *   runs); a stopped child runs nothing; SIGKILL ends a stopped child,
 *   SIGTERM only once it is continued; a SIGTSTP handler is not a stop; SIGCHLD at a stop unless
 *   SA_NOCLDSTOP, its siginfo (CLD_* si_code, si_pid, si_uid, si_status);
 *   SIGHUP and SIGCONT to a stopped process whose group is orphaned;
 *   SIGTSTP dropped in an orphaned group; waitid WSTOPPED/WCONTINUED; bad input (ENOTTY, ESRCH,
 *   EINVAL) and, under Lamina, bad requests to the process manager.
 *
 *   `jobs tty` (tests/tools/test_shell.py, on the console): tcgetpgrp and
 *   tcsetpgrp, a background read stops by SIGTTIN (EIO when ignored), a
 *   background tcsetpgrp stops by SIGTTOU (allowed when ignored), EPERM
 *   for a group of another session, ESRCH, EINVAL, ENOTTY after setsid,
 *   TIOCSCTTY's EPERM.
 *
 * The exit status is the number of failed checks; each failure is one
 * line on stderr, and the last line says how many.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int failures, lamina;

#include "check.h"

/* A child that stops itself with sig, then, continued, waits until
 * go() (so that its continue is seen before its end) and ends with code. */
static int gate[2];

static pid_t child_stops(int sig, int code)
{
	pid_t p;
	char c;

	if (pipe(gate))
		return -1;
	p = fork();
	if (p == 0) {
		close(gate[1]);
		raise(sig);
		read(gate[0], &c, 1);
		_exit(code);
	}
	close(gate[0]);
	return p;
}

static void go(void)
{
	close(gate[1]);
}

static void stop_and_continue(void)
{
	int st = -1;
	pid_t p = child_stops(SIGSTOP, 3);

	CHECK(p > 0);
	CHECK(wait4(p, &st, WUNTRACED, NULL) == p && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	CHECK(wait4(p, &st, WUNTRACED | WNOHANG, NULL) == 0); /* reported once */
	CHECK(kill(p, SIGCONT) == 0);
	CHECK(wait4(p, &st, WCONTINUED, NULL) == p && WIFCONTINUED(st));
	go();
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 3);

	p = child_stops(SIGTSTP, 4); /* SIGTSTP's default stops too */
	CHECK(wait4(p, &st, WUNTRACED, NULL) == p && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	CHECK(kill(p, SIGCONT) == 0);
	/* without WCONTINUED the continue is not reported: the end is */
	go();
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 4);
}

/* A stopped child runs nothing: it writes a byte per loop to a pipe
 * until stopped, then nothing comes while the parent yields; SIGKILL
 * ends it stopped. */
static void stopped_runs_nothing(void)
{
	int fd[2], st = -1;
	char b[512];
	pid_t p;

	CHECK(pipe(fd) == 0);
	p = fork();
	if (p == 0) {
		close(fd[0]);
		for (;;)
			if (write(fd[1], "x", 1) != 1)
				_exit(1);
	}
	close(fd[1]);
	CHECK(read(fd[0], b, 1) == 1); /* it runs */
	CHECK(kill(p, SIGSTOP) == 0);
	CHECK(wait4(p, &st, WUNTRACED, NULL) == p && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	fcntl(fd[0], F_SETFL, O_NONBLOCK);
	while (read(fd[0], b, sizeof b) > 0)
		;
	for (int i = 0; i < 300; i++)
		sched_yield();
	FAILS(read(fd[0], b, 1), EAGAIN);
	CHECK(kill(p, SIGKILL) == 0);
	CHECK(wait4(p, &st, 0, NULL) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(fd[0]);

	/* any other signal waits for the continue: SIGTERM then kills */
	p = child_stops(SIGSTOP, 0);
	CHECK(wait4(p, &st, WUNTRACED, NULL) == p && WIFSTOPPED(st));
	CHECK(kill(p, SIGTERM) == 0);
	for (int i = 0; i < 100; i++)
		sched_yield();
	CHECK(wait4(p, &st, WNOHANG, NULL) == 0);
	CHECK(kill(p, SIGCONT) == 0);
	CHECK(wait4(p, &st, 0, NULL) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	go();
}

/* A stop signal stops the whole process (POSIX): a child of two threads,
 * one spinning on a counter in MAP_SHARED memory, the other waiting in
 * pause (so it, not the spinner, takes the signal under Lamina). Once it
 * is stopped the counter stays the same across round trips through a
 * helper process (each lets the spinner run if it could); once continued
 * it moves again. */
static volatile unsigned long *counter;

static void *spin(void *arg)
{
	for (;;)
		(*counter)++;
	return arg;
}

static void round_trips(int n)
{
	for (int i = 0; i < n; i++) {
		int fd[2], st;
		char c;
		pid_t h;

		if (pipe(fd))
			return;
		h = fork();
		if (h == 0) {
			write(fd[1], "x", 1);
			_exit(0);
		}
		close(fd[1]);
		read(fd[0], &c, 1);
		close(fd[0]);
		waitpid(h, &st, 0);
		sched_yield();
	}
}

static void stop_all_threads(void)
{
	int st = -1;
	unsigned long c1, c2;
	pid_t p;

	counter = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(counter != MAP_FAILED);
	if (counter == MAP_FAILED)
		return;
	*counter = 0;
	p = fork();
	if (p == 0) {
		pthread_t t;

		if (pthread_create(&t, 0, spin, 0))
			_exit(1);
		for (;;)
			pause();
	}
	while (*counter < 1000) /* both threads run */
		sched_yield();
	CHECK(kill(p, SIGSTOP) == 0);
	CHECK(wait4(p, &st, WUNTRACED, NULL) == p && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	c1 = *counter;
	round_trips(10);
	c2 = *counter;
	CHECK(c1 == c2); /* the spinning thread stopped too */
	CHECK(kill(p, SIGCONT) == 0);
	CHECK(wait4(p, &st, WCONTINUED, NULL) == p && WIFCONTINUED(st));
	while (*counter == c2) /* it runs again */
		sched_yield();
	CHECK(kill(p, SIGKILL) == 0);
	CHECK(wait4(p, &st, 0, NULL) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	munmap((void *)counter, 4096);
}

static volatile sig_atomic_t got;
static void on_sig(int s)
{
	got = s;
}

/* A handler of SIGCONT runs once continued; a handler of SIGTSTP means
 * no stop. */
static void handlers(void)
{
	int st = -1;
	pid_t p = fork();

	if (p == 0) {
		signal(SIGCONT, on_sig);
		raise(SIGSTOP);
		_exit(got == SIGCONT ? 5 : 6);
	}
	CHECK(wait4(p, &st, WUNTRACED, NULL) == p && WIFSTOPPED(st));
	CHECK(kill(p, SIGCONT) == 0);
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 5);

	p = fork();
	if (p == 0) {
		signal(SIGTSTP, on_sig);
		raise(SIGTSTP);
		_exit(got == SIGTSTP ? 7 : 8);
	}
	CHECK(wait4(p, &st, WUNTRACED, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

/* SIGCHLD blocked (set: it alone) and caught by sa. */
static void chld_catch(sigset_t *set, const struct sigaction *sa)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigprocmask(SIG_BLOCK, set, NULL);
	sigaction(SIGCHLD, sa, NULL);
}

/* SIGCHLD at a child's stop and continue, none with SA_NOCLDSTOP. */
static void sigchld(void)
{
	struct sigaction sa = { .sa_handler = on_sig };
	struct timespec ts = { 30, 0 };
	sigset_t set, pend;
	siginfo_t si;
	int st = -1;
	pid_t p;

	chld_catch(&set, &sa);
	p = child_stops(SIGSTOP, 0);
	CHECK(sigtimedwait(&set, &si, &ts) == SIGCHLD && si.si_pid == p);
	CHECK(wait4(p, &st, WUNTRACED, NULL) == p && WIFSTOPPED(st));
	CHECK(kill(p, SIGCONT) == 0);
	CHECK(sigtimedwait(&set, &si, &ts) == SIGCHLD && si.si_pid == p);
	CHECK(wait4(p, &st, WCONTINUED, NULL) == p && WIFCONTINUED(st));
	go();
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st));
	sigtimedwait(&set, &si, &ts); /* its end's */

	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	p = child_stops(SIGSTOP, 0);
	CHECK(wait4(p, &st, WUNTRACED, NULL) == p && WIFSTOPPED(st));
	CHECK(kill(p, SIGCONT) == 0);
	CHECK(wait4(p, &st, WCONTINUED, NULL) == p && WIFCONTINUED(st));
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGCHLD));
	go();
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st));
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGCHLD)); /* its end still sends one */
	sigtimedwait(&set, &si, &ts);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* SIGCHLD's siginfo in an SA_SIGINFO handler: si_code CLD_STOPPED,
 * CLD_CONTINUED, CLD_EXITED, CLD_KILLED with the child's pid, our uid and
 * si_status the signal or the exit code. SIGCHLD stays blocked but in
 * sigsuspend, so each event's handler runs before the next event. */
static volatile siginfo_t chld_si;
static volatile int chld_got;

static void on_chld(int s, siginfo_t *si, void *uc)
{
	chld_si = *si;
	chld_got = 1;
}

static int next_chld(pid_t p, int code, int status)
{
	sigset_t none;

	sigemptyset(&none);
	while (!chld_got)
		sigsuspend(&none);
	chld_got = 0;
	if (chld_si.si_signo == SIGCHLD && chld_si.si_pid == p && chld_si.si_code == code &&
	    chld_si.si_status == status && chld_si.si_uid == getuid())
		return 1;
	fprintf(stderr, "SIGCHLD: signo %d pid %d (wanted %d) code %d (wanted %d) status %d (wanted %d) uid %d\n",
		chld_si.si_signo, chld_si.si_pid, p, chld_si.si_code, code, chld_si.si_status, status,
		(int)chld_si.si_uid);
	return 0;
}

static void sigchld_info(void)
{
	struct sigaction sa = { .sa_sigaction = on_chld, .sa_flags = SA_SIGINFO };
	sigset_t set;
	int st = -1;
	pid_t p;

	chld_catch(&set, &sa);
	chld_got = 0;
	p = child_stops(SIGTSTP, 5);
	CHECK(next_chld(p, CLD_STOPPED, SIGTSTP));
	CHECK(wait4(p, &st, WUNTRACED, NULL) == p && WIFSTOPPED(st));
	CHECK(kill(p, SIGCONT) == 0);
	CHECK(next_chld(p, CLD_CONTINUED, SIGCONT));
	CHECK(wait4(p, &st, WCONTINUED, NULL) == p && WIFCONTINUED(st));
	go();
	CHECK(next_chld(p, CLD_EXITED, 5));
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 5);

	p = fork();
	if (p == 0) {
		for (;;)
			pause();
	}
	CHECK(kill(p, SIGTERM) == 0);
	CHECK(next_chld(p, CLD_KILLED, SIGTERM));
	CHECK(wait4(p, &st, 0, NULL) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* An orphaned group with a stopped member (POSIX): B, in a group of its
 * own, stops; its parent A (in our group, of the same session: B's group
 * is not orphaned while A lives) ends. B's group is then orphaned, so B
 * gets SIGHUP (its handler runs) then SIGCONT, and tells us through a
 * pipe. An alarm is only a watchdog, for a B that would stay stopped. */
static volatile sig_atomic_t got_hup;

static void on_hup(int s)
{
	got_hup = 1;
}

static void orphaned_group(void)
{
	int fd[2], st = -1;
	char c = 0;
	pid_t a;

	CHECK(pipe(fd) == 0);
	a = fork();
	if (a == 0) {
		pid_t b = fork();

		if (b == 0) {
			close(fd[0]);
			signal(SIGHUP, on_hup);
			setpgid(0, 0);
			raise(SIGSTOP);
			write(fd[1], got_hup ? "h" : "n", 1);
			_exit(0);
		}
		if (wait4(b, &st, WUNTRACED, NULL) != b || !WIFSTOPPED(st))
			_exit(1);
		_exit(0); /* B's group is orphaned now */
	}
	close(fd[1]);
	CHECK(wait4(a, &st, 0, NULL) == a && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	alarm(120);
	CHECK(read(fd[0], &c, 1) == 1 && c == 'h');
	alarm(0);
	close(fd[0]);
}

/* In an orphaned group (a new session's: its parent is in another
 * session) SIGTSTP at its default action is dropped; SIGSTOP still stops. */
static void orphaned_tstp(void)
{
	int st = -1;
	pid_t p = fork();

	if (p == 0) {
		setsid();
		raise(SIGTSTP);
		raise(SIGSTOP);
		_exit(7);
	}
	CHECK(wait4(p, &st, WUNTRACED, NULL) == p && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	while (WIFSTOPPED(st)) { /* one stop more if SIGTSTP was not dropped */
		kill(p, SIGCONT);
		if (wait4(p, &st, WUNTRACED, NULL) != p)
			break;
	}
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

static void waitid_stops(void)
{
	siginfo_t si;
	pid_t p = child_stops(SIGSTOP, 9);

	memset(&si, 0, sizeof si);
	CHECK(waitid(P_PID, p, &si, WSTOPPED) == 0 && si.si_pid == p &&
	      si.si_code == CLD_STOPPED && si.si_status == SIGSTOP);
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_PID, p, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0);
	CHECK(kill(p, SIGCONT) == 0);
	CHECK(waitid(P_PID, p, &si, WCONTINUED) == 0 && si.si_pid == p &&
	      si.si_code == CLD_CONTINUED && si.si_status == SIGCONT);
	go();
	CHECK(waitid(P_PID, p, &si, WEXITED) == 0 && si.si_code == CLD_EXITED && si.si_status == 9);
}

static void bad_input(void)
{
	int fd[2], st, pg;

	CHECK(pipe(fd) == 0);
	FAILS(tcgetpgrp(fd[0]), ENOTTY);
	FAILS(tcsetpgrp(fd[0], getpgrp()), ENOTTY);
	FAILS(ioctl(fd[0], TIOCSCTTY, 0), ENOTTY);
	FAILS(ioctl(fd[0], TIOCGPGRP, &pg), ENOTTY);
	FAILS(ioctl(99, TIOCGPGRP, &pg), EBADF);
	close(fd[0]);
	close(fd[1]);
	FAILS(kill(77777, SIGCONT), ESRCH);
	FAILS(kill(-77777, SIGSTOP), ESRCH);
	FAILS(wait4(-1, &st, WUNTRACED | 0x40, NULL), EINVAL);
	FAILS(wait4(-1, &st, WUNTRACED, NULL), ECHILD);
	FAILS(waitid(P_ALL, 0, NULL, WNOHANG), EINVAL); /* no WEXITED, WSTOPPED, WCONTINUED */
}

#ifdef LAMINA_PM
#include "../../servers/proc/pm_proto.h"

/* Requests the personality would never send (pm_call.h). */
#include "pm_call.h"

/* PM_FUTEX (servers/proc/futex.c): its right use by hand, and its
 * limits (the personality sends it for shared futexes: calls_mmap.c). */
static void futex_garbage(void)
{
	long key = 0x123456789a0;

	CHECK(pm_call(PM_FUTEX, 7, 0, 0, 0) == -EINVAL);              /* no such op */
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAIT, key, 64, 0) == -EINVAL); /* tag past 63 */
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_DONE, 64, 0, 0) == -EINVAL);
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_DONE, 40, 0, 0) == -ENOENT);   /* not waiting */
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAKE, key, 5, 0) == 0);        /* nobody */
	/* one waiter, woken once */
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAIT, key, 40, 0) == 0);
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_DONE, 40, 0, 0) == 0);         /* not yet */
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAKE, key + 4, 5, 0) == 0);    /* another word */
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAKE, key, 5, 0) == 1);
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAKE, key, 5, 0) == 0);        /* woken already */
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_DONE, 40, 0, 0) == 1);
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_DONE, 40, 0, 0) == -ENOENT);   /* gone with it */
	/* at most PM_FUTEX_PER_PID of ours at once; a cancel frees one */
	for (int i = 0; i < PM_FUTEX_PER_PID; i++)
		CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAIT, key, 40 + i, 0) == 0);
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAIT, key, 63, 0) == -ENOMEM);
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAIT, key + 8, 40, 0) == 0);   /* re-registers 40 */
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAKE, key, 100, 0) == PM_FUTEX_PER_PID - 1);
	for (int i = 0; i < PM_FUTEX_PER_PID; i++)
		CHECK(pm_call(PM_FUTEX, PM_FUTEX_DONE, 40 + i, 1, 0) == (i ? 1 : 0));
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAIT, key, 63, 0) == 0);
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_DONE, 63, 1, 0) == 0);
}

/* Eight processes with PM_FUTEX_PER_PID waiters each (all a table of 128
 * held) fill nothing for anyone else: the table has room for every
 * pid's. */
static void futex_many(void)
{
	int go[2], done[2], n = 0;
	pid_t kid[8];
	char c;

	CHECK(pipe(go) == 0 && pipe(done) == 0);
	for (int k = 0; k < 8; k++) {
		pid_t p = fork();

		if (p == 0) {
			int ok = 1;

			close(go[1]);
			close(done[0]);
			for (int i = 0; i < PM_FUTEX_PER_PID; i++)
				ok &= pm_call(PM_FUTEX, PM_FUTEX_WAIT, 0x5000 + 8 * k, i, 0) == 0;
			c = ok ? 'y' : 'n';
			write(done[1], &c, 1);
			read(go[0], &c, 1); /* end of file: the parent is done */
			_exit(0);
		}
		if (p > 0)
			kid[n++] = p;
	}
	if (n != 8)
		fprintf(stderr, "FAIL futex_many: %d of 8 forks\n", n), failures++;
	close(go[0]);
	close(done[1]);
	for (int k = 0; k < n; k++)
		CHECK(read(done[0], &c, 1) == 1 && c == 'y');
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_WAIT, 0x6000, 50, 0) == 0);
	CHECK(pm_call(PM_FUTEX, PM_FUTEX_DONE, 50, 1, 0) == 0); /* cancelled, not woken */
	close(go[1]);
	for (int k = 0; k < n; k++)
		CHECK(waitpid(kid[k], NULL, 0) == kid[k]);
	close(done[0]);
}

static void garbage(void)
{
	CHECK(pm_call(PM_STOP, 0, 0, 0, 0) == -EINVAL);
	CHECK(pm_call(PM_STOP, SIGINT, 0, 0, 0) == -EINVAL);   /* not a stop signal */
	CHECK(pm_call(PM_STOP, 1000, 0, 0, 0) == -EINVAL);
	CHECK(pm_call(PM_STOPPED, 0, 0, 0, 0) == 0);           /* we are not stopped */
	CHECK(pm_call(PM_SIGFLAGS, 0x80, 0, 0, 0) == -EINVAL);
	CHECK(pm_call(PM_TTYCHECK, SIGINT, 0, 0, 0) == -EINVAL);
	CHECK(pm_call(PM_TTYSIG, 0, 0, 0, 0) == -EINVAL);
	CHECK(pm_call(PM_TTYSIG, 65, 0, 0, 0) == -EINVAL);
	CHECK(pm_call(PM_WAIT, 0, 0, 0x20, 0) == -EINVAL);     /* an option the manager has not */
	/* The shell ran us on the console (PM_NEW), and this test process is
	 * in a group of its own: the background. */
	CHECK(pm_call(PM_TCSETPGRP, -5, 1, 0, 0) == -EINVAL);
	CHECK(pm_call(PM_TTYCHECK, SIGTTIN, 1, 0, 0) == -EIO);
	CHECK(pm_call(PM_TTYCHECK, SIGTTOU, 1, 0, 0) == 0);
	CHECK(pm_call(PM_NREQ, 0, 0, 0, 0) == -ENOSYS);
	futex_garbage();
	futex_many();
	CHECK(getppid() >= 0 && getpgid(0) > 0);            /* still serving */
}
#else
static void garbage(void)
{
}
#endif

/* ---- on the terminal ------------------------------------------------------------ */

static pid_t me; /* our group: the terminal's foreground group */

/* A child in a group of its own (the background), running fn; its status. */
static int in_background(void (*fn)(void), int want_stop)
{
	int st = -1;
	pid_t p = fork();

	if (p == 0) {
		setpgid(0, 0);
		fn();
		_exit(failures);
	}
	setpgid(p, p);
	if (wait4(p, &st, WUNTRACED, NULL) != p)
		return -1;
	if (WIFSTOPPED(st)) {
		kill(p, SIGKILL);
		wait4(p, NULL, 0, NULL);
	}
	return st;
}

static void bg_read(void)
{
	char c;

	read(0, &c, 1); /* stops by SIGTTIN before it reads */
	_exit(99);
}

static void bg_read_ignored(void)
{
	char c;

	signal(SIGTTIN, SIG_IGN);
	FAILS(read(0, &c, 1), EIO);
}

static void bg_setpgrp(void)
{
	tcsetpgrp(0, getpgrp()); /* stops by SIGTTOU */
	_exit(99);
}

static void bg_setpgrp_ignored(void)
{
	signal(SIGTTOU, SIG_IGN);
	CHECK(tcsetpgrp(0, getpgrp()) == 0); /* allowed: now the foreground */
	CHECK(tcgetpgrp(0) == getpgrp());
	CHECK(tcsetpgrp(0, me) == 0); /* the parent's group again */
}

/* A background group orphaned by its parent's end: a terminal read or
 * tcsetpgrp fails with EIO instead of stopping (nobody could continue
 * it). The grandchild reports through a pipe: its parent is gone. */
static void orphaned_background(void)
{
	int rep[2], go[2], st = -1;
	char c = 1;
	pid_t p;

	CHECK(pipe(rep) == 0 && pipe(go) == 0);
	p = fork();
	if (p == 0) {
		if (fork() == 0) {
			close(rep[0]);
			close(go[1]);
			setpgid(0, 0);
			read(go[0], &c, 1); /* its parent has ended: orphaned */
			FAILS(read(0, &c, 1), EIO);
			FAILS(tcsetpgrp(0, getpgrp()), EIO);
			c = (char)(failures > 100 ? 100 : failures);
			write(rep[1], &c, 1);
			_exit(0);
		}
		_exit(0);
	}
	close(rep[1]);
	close(go[0]);
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st));
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(read(rep[0], &c, 1) == 1 && c == 0);
	close(go[1]);
	close(rep[0]);
}

static void tty(void)
{
	int st, fd[2], back[2], pg = 0;
	char c;
	pid_t p;

	me = getpgrp();
	CHECK(tcgetpgrp(0) == me);
	CHECK(ioctl(0, TIOCGPGRP, &pg) == 0 && pg == me);
	CHECK(tcsetpgrp(0, me) == 0);
	FAILS(tcsetpgrp(0, -1), EINVAL);
	FAILS(tcsetpgrp(0, 77777), ESRCH);
	FAILS(ioctl(0, TIOCGPGRP, (void *)16), EFAULT);
	FAILS(ioctl(0, TIOCSPGRP, (void *)16), EFAULT);
	st = in_background(bg_read, 1);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN);
	st = in_background(bg_read_ignored, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = in_background(bg_setpgrp, 1);
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU);
	st = in_background(bg_setpgrp_ignored, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(tcgetpgrp(0) == me);
	orphaned_background();

	/* a child of another session: not its terminal; its group is not ours */
	CHECK(pipe(fd) == 0 && pipe(back) == 0);
	p = fork();
	if (p == 0) {
		close(fd[1]);
		close(back[0]);
		CHECK(setsid() == getpid());
		FAILS(tcgetpgrp(0), ENOTTY);
		FAILS(tcsetpgrp(0, getpid()), ENOTTY);
		FAILS(ioctl(0, TIOCSCTTY, 0), EPERM); /* the console is our parent's session's */
		write(back[1], "s", 1);
		read(fd[0], &c, 1);
		_exit(failures);
	}
	close(fd[0]);
	close(back[1]);
	CHECK(read(back[0], &c, 1) == 1); /* it has its session */
	FAILS(tcsetpgrp(0, p), EPERM);
	close(fd[1]);
	close(back[0]);
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* not a session leader */
	p = fork();
	if (p == 0) {
		FAILS(ioctl(0, TIOCSCTTY, 0), EPERM);
		_exit(failures);
	}
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(tcgetpgrp(0) == me);
}

int main(int argc, char **argv)
{
	struct utsname u;

	lamina = !uname(&u) && strstr(u.release, "lamina") != NULL;
	if (argc > 1 && !strcmp(argv[1], "tty")) {
		tty();
		printf("jobs tty: %d failed\n", failures);
		return failures > 100 ? 100 : failures;
	}
	/* In a group of our own whose parent is in another group of the
	 * session: not an orphaned group, whose stop signals Linux drops. */
	pid_t p = fork();
	int st = -1;

	if (p == 0) {
		setpgid(0, 0);
		stop_and_continue();
		stopped_runs_nothing();
		stop_all_threads();
		handlers();
		sigchld();
		sigchld_info();
		orphaned_group();
		orphaned_tstp();
		waitid_stops();
		bad_input();
		if (lamina)
			garbage();
		fflush(stderr);
		_exit(failures > 100 ? 100 : failures);
	}
	if (wait4(p, &st, 0, NULL) != p || !WIFEXITED(st)) {
		fprintf(stderr, "FAIL the test process ended with status %#x\n", st);
		st = 1 << 8;
	}
	failures = WEXITSTATUS(st);
	printf("jobs: %d failed\n", failures);
	return failures;
}
