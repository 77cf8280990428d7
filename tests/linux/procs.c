/*
 * The process tests of the Linux personality (fork, wait4, waitid, kill,
 * exit statuses, groups, orphans, the fork limit) and of the process
 * manager's protocol (garbage straight to its endpoint). An ordinary
 * Linux program (musl-gcc -static); run by tests/tools/test_busybox.py as
 * `linux -x procs`. The exit status is the number of failed checks; each
 * failure is one line on stderr. The fork-limit and protocol tests run
 * only under Lamina (a host has other limits and no such endpoint).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures, lamina;

#include "check.h"

/* A child that ends with `code` at once. */
static pid_t child_exit(int code)
{
	pid_t p = fork();

	if (p == 0)
		_exit(code);
	return p;
}

/* A child that runs until a signal ends it (it makes calls, so it sees
 * a signal at the next one). */
static pid_t child_spin(void)
{
	pid_t p = fork();

	if (p == 0)
		for (;;)
			sched_yield();
	return p;
}

static void exit_status(void)
{
	int st = -1;
	pid_t p = child_exit(7);

	CHECK(p > 0);
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 7);
	FAILS(wait4(p, &st, 0, NULL), ECHILD);       /* reaped already */
	FAILS(wait4(-1, &st, WNOHANG, NULL), ECHILD); /* no children at all */
	FAILS(wait4(-1, &st, 0x40, NULL), EINVAL);    /* unknown option */
	p = child_exit(0);
	CHECK(wait4(-1, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* waitid: the same in a siginfo */
	siginfo_t si;
	p = child_exit(42);
	memset(&si, 0xff, sizeof si);
	CHECK(waitid(P_PID, p, &si, WEXITED) == 0 && si.si_pid == p && si.si_signo == SIGCHLD &&
	      si.si_code == CLD_EXITED && si.si_status == 42);
	FAILS(waitid(P_ALL, 0, &si, 0), EINVAL);     /* no event asked for */
	FAILS(waitid(7, 0, &si, WEXITED), EINVAL);
}

static void signals(void)
{
	int st = -1;
	pid_t p = child_spin();

	CHECK(wait4(p, &st, WNOHANG, NULL) == 0);    /* alive: nothing yet */
	CHECK(kill(p, 0) == 0);                       /* exists */
	CHECK(kill(p, SIGKILL) == 0);
	CHECK(wait4(p, &st, 0, NULL) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	FAILS(kill(p, 0), ESRCH);                     /* gone */
	/* killed at once, maybe before it starts (under Lamina the manager
	 * then ends it itself, and the child ends as it starts) */
	for (int i = 0; i < 8; i++) {
		p = fork();
		if (p == 0)
			_exit(0);
		CHECK(kill(p, SIGKILL) == 0);
		CHECK(wait4(p, &st, 0, NULL) == p &&
		      (WIFSIGNALED(st) ? WTERMSIG(st) == SIGKILL : WEXITSTATUS(st) == 0));
	}
	p = child_spin();
	CHECK(kill(p, SIGTERM) == 0);
	CHECK(wait4(p, &st, 0, NULL) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	FAILS(kill(getpid(), 65), EINVAL);
	FAILS(kill(-99999, SIGTERM), ESRCH);
	CHECK(kill(getpid(), 0) == 0);
	CHECK(syscall(SYS_tgkill, getpid(), getpid(), 0) == 0);
	FAILS(syscall(SYS_tgkill, 0, getpid(), 0), EINVAL);
}

/* The child sees our memory as it was at the fork; its writes stay its own. */
static int global = 1;
static void memory(void)
{
	int st = -1, local = 2;
	char *heap = malloc(100000);
	char *map = mmap(0, 64 << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(heap && map != MAP_FAILED);
	memset(heap, 'h', 100000);
	for (int i = 0; i < 64; i += 2)
		map[i << 12] = (char)i; /* every other page touched */
	pid_t p = fork();
	if (p == 0) {
		int bad = global != 1 || local != 2 || heap[99999] != 'h' || getppid() <= 0;
		for (int i = 0; i < 64; i++)
			bad |= map[i << 12] != (i % 2 ? 0 : (char)i);
		global = local = 9;
		memset(heap, 'c', 100000);
		memset(map, 'c', 64 << 12);
		_exit(bad ? 1 : 0);
	}
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(global == 1 && local == 2 && heap[0] == 'h' && heap[99999] == 'h');
	for (int i = 0; i < 64; i++)
		CHECK(map[i << 12] == (i % 2 ? 0 : (char)i));
	/* and ours after the fork stay ours: the child saw the old values */
	global = 3;
	p = fork();
	if (p == 0)
		_exit(global == 3 ? 0 : 1);
	global = 4;
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(global == 4);
	free(heap);
	munmap(map, 64 << 12);
}

/* A jump to a point saved before the fork (a shell's error exits do this). */
static jmp_buf before;
static void jumps(void)
{
	int st = -1;
	volatile int stage = 0;

	if (setjmp(before)) {
		_exit(stage == 1 ? 11 : 12);
	}
	pid_t p = fork();
	if (p == 0) {
		stage = 1;
		longjmp(before, 1);
	}
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 11);
	/* and a string compare (SSE) in the child after the fork */
	p = fork();
	if (p == 0) {
		static const char *names[] = { "read", "readonly", "return", "set", "shift" };
		int i = 0;
		while (i < 5 && strcmp(names[i], "return"))
			i++;
		_exit(i);
	}
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 2);
}

static void ids(void)
{
	int st = -1;
	pid_t me = getpid();
	pid_t p = fork();

	if (p == 0)
		_exit(getppid() == me && getpgrp() == getpgid(0) && getsid(0) == getsid(me) ? 0 : 1);
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* a child in a group of its own, waited for by group */
	p = fork();
	if (p == 0) {
		setpgid(0, 0);
		_exit(getpgrp() == getpid() ? 5 : 1);
	}
	setpgid(p, p); /* as a shell does: whichever runs first */
	CHECK(wait4(-p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) == 5);
	/* in our group: wait4(0) */
	p = child_exit(6);
	CHECK(wait4(0, &st, 0, NULL) == p && WEXITSTATUS(st) == 6);
	FAILS(setpgid(99999, 0), ESRCH);
	FAILS(setpgid(0, -1), EINVAL);
	FAILS(getpgid(99999), ESRCH);
	FAILS(getsid(99999), ESRCH);
}

/* A child whose parent ends first is the manager's: it reaps it. */
static void orphans(void)
{
	int st = -1;
	pid_t p = fork();

	if (p == 0) {
		pid_t parent = getpid(), g = fork();
		if (g == 0) {
			while (getppid() == parent) /* until our parent has gone */
				sched_yield();
			_exit(getppid() == 0 ? 0 : 1);
		}
		_exit(g > 0 ? g : 255);
	}
	CHECK(wait4(p, &st, 0, NULL) == p && WIFEXITED(st) && WEXITSTATUS(st) != 255);
	pid_t g = WEXITSTATUS(st);
	FAILS(wait4(g, &st, WNOHANG, NULL), ECHILD); /* not ours */
	long n;
	for (n = 0; n < 1000000 && kill(g, 0) == 0; n++)
		sched_yield();
	FAILS(kill(g, 0), ESRCH); /* it ended and nobody had to wait for it */
}

/* Fork until refused: EAGAIN (the manager's quota of processes, or
 * Lamina's children at once) or ENOMEM (memory); then every child is reaped and fork works
 * again. The children end at once; we do not wait for them until then. */
static void fork_limit(void)
{
	int st = -1, n = 0, reaped = 0, refused = 0;

	while (n < 200 && refused < 100) {
		pid_t p = fork();
		if (p == 0)
			_exit(3);
		if (p > 0) {
			n++;
			refused = 0;
		} else {
			/* fork(2): EAGAIN at the quota, ENOMEM when memory
			 * runs out first (each child holds a pool of its own) */
			CHECK(errno == EAGAIN || errno == ENOMEM);
			if (errno != EAGAIN && errno != ENOMEM)
				break;
			refused++;
			sched_yield();
		}
	}
	CHECK(n >= 8 && n < 64); /* the quota (48 of 64 pids) ended it */
	for (pid_t p; (p = wait4(-1, &st, 0, NULL)) > 0; reaped++)
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	CHECK(errno == ECHILD && reaped == n);
	pid_t p = child_exit(4);
	CHECK(p > 0 && wait4(p, &st, 0, NULL) == p && WEXITSTATUS(st) == 4);
	printf("procs: %d children before EAGAIN\n", n);
}

/* Requests the personality would never send, straight to the process
 * manager's endpoint: errors, and the manager still serves. */
#include "pm_call.h"

/* PM_SETINFO and PM_INFO (servers/proc/info.c): a record of the wrong
 * length is refused; one whose strings have no end is kept with ends the
 * manager puts there; PM_INFO of a pid not in use is ESRCH. The record
 * travels in message words 4..63 of the thread's IPC buffer, which is the
 * personality's (linux/lx.h LX_IPCBUF_VA): written here by hand. */
static void garbage_info(void)
{
	unsigned char *words = (unsigned char *)0x7ef800010000ul + 32; /* msg[4] */
	long r1 = 0;

	CHECK(pm_call(15 /* SETINFO */, 0, 0, 0, 0) == -EINVAL);
	CHECK(pm_call_len(15, 63, 0, 0, 0, 0) == -EINVAL);
	CHECK(pm_call(16 /* INFO */, 0, 0, 0, 0) == -ESRCH);
	CHECK(pm_call(16, 65, 0, 0, 0) == -ESRCH);
	CHECK(pm_call(16, -1, 0, 0, 0) == -ESRCH);
	CHECK(pm_call(16, 1ul << 40, 0, 0, 0) == -ESRCH);
	memset(words, 0xff, 480);
	CHECK(pm_call_len(15, 64, 0, 0, 0, 0) == 0);
	memset(words, 0, 480);
	CHECK(pm_call(16, getpid(), 0, 0, &r1) == 0 && (r1 & 0xff) == getppid());
	CHECK(words[40 + 15] == 0 && words[56 + 127] == 0);         /* comm, exe ended */
	CHECK(*(unsigned long *)(words + 32) == 296);                /* cmdline_len cut */
	CHECK(prctl(PR_SET_NAME, "procs") == 0);                     /* our record again */
	CHECK(pm_call(16, getpid(), 0, 0, 0) == 0 && !strcmp((char *)words + 40, "procs"));
}

static void garbage(void)
{
	long r1;

	CHECK(pm_call(999, 0, 0, 0, 0) == -ENOSYS);
	CHECK(pm_call(0, 0, 0, 0, 0) == -ENOSYS);
	CHECK(pm_call(1 /* NEW */, 0, 0, 0, 0) == -EPERM);     /* the shell's only */
	CHECK(pm_call(2 /* RELEASE */, getpid(), 0, 0, 0) == -EPERM);
	CHECK(pm_call(7 /* KILL */, getpid(), 65, 0, 0) == -EINVAL);
	CHECK(pm_call(7, getpid(), -1, 0, 0) == -EINVAL);
	CHECK(pm_call(7, 777, 1, 0, 0) == -ESRCH);
	CHECK(pm_call(6 /* WAIT */, 9, 0, 0, 0) == -EINVAL);     /* idtype */
	CHECK(pm_call(6, 1, -5, 0, 0) == -EINVAL);               /* a negative pid */
	CHECK(pm_call(6, 0, 0, 0xff, 0) == -EINVAL);             /* options */
	CHECK(pm_call(6, 0, 0, 1, 0) == -ECHILD);
	CHECK(pm_call(10 /* SETPGID */, 12345, 0, 0, 0) == -ESRCH);
	CHECK(pm_call(11 /* GETPGID */, -3, 0, 0, 0) == -ESRCH);
	CHECK(pm_call(14 /* LIST */, 1, 0, 0, &r1) > 0);
	CHECK(pm_call(14, 1u << 31, 0, 0, 0) == 0);
	garbage_info();
	CHECK(pm_call(9 /* GETPPID */, 0, 0, 0, 0) >= 0); /* still serving */
	CHECK(getppid() >= 0 && getpgid(0) > 0);
}

int main(int argc, char **argv)
{
	struct utsname u;

	lamina = !uname(&u) && strstr(u.release, "lamina") != NULL;
	exit_status();
	signals();
	memory();
	jumps();
	ids();
	orphans();
	if (lamina) {
		garbage();
		fork_limit();
	}
	printf("procs: %d failed\n", failures);
	return failures > 100 ? 100 : failures;
}
