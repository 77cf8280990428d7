/*
 * POSIX threads and futex in the Linux personality: pthread_create/join,
 * mutexes and condition variables under contention, detached threads,
 * thread-local storage, gettid, tgkill to one thread, a process-directed
 * signal taken by the thread that does not block it, EINTR from a futex
 * wait, clone's errors, exit_group from a
 * thread while others wait in futex, execve from a thread other than the
 * first, the thread limit (EAGAIN), and futex's errors. An ordinary
 * Linux program (musl-gcc -static); run by tests/tools/test_busybox.py as
 * `linux -x threads`. The exit status is the number of failed checks;
 * each failure is one line on stderr. Nothing depends on timing: threads
 * wait for each other with futexes, joins and flags, never with sleeps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures, lamina;

#include "check.h"

#define NTHREADS 6

/* linux/futex.h's numbers (musl has no kernel headers) */
#define FUTEX_WAIT                0
#define FUTEX_WAKE                1
#define FUTEX_CMP_REQUEUE         4
#define FUTEX_WAIT_BITSET         9
#define FUTEX_PRIVATE_FLAG        128
#define FUTEX_CLOCK_REALTIME      256
#define FUTEX_WAIT_PRIVATE        (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE        (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)

static long futex(volatile int *uaddr, int op, int val, const struct timespec *ts,
		  volatile int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* ---- create, join, gettid, TLS ----------------------------------------------- */

static __thread int tls_id = -1;
static pid_t tids[NTHREADS];

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;

	CHECK(tls_id == -1); /* each thread's own copy, from the initial image */
	tls_id = id;
	tids[id] = gettid_();
	for (int i = 0; i < 50; i++)
		sched_yield(); /* the others run and set their own */
	CHECK(tls_id == id);
	return (void *)(intptr_t)(id * 10);
}

static void create_join(void)
{
	pthread_t t[NTHREADS];

	tls_id = 99;
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], 0, worker, (void *)(intptr_t)i) == 0);
	for (int i = 0; i < NTHREADS; i++) {
		void *r = 0;

		CHECK(pthread_join(t[i], &r) == 0);
		CHECK((intptr_t)r == i * 10);
	}
	CHECK(tls_id == 99);
	CHECK(gettid_() == getpid()); /* the first thread's tid is the pid */
	for (int i = 0; i < NTHREADS; i++) {
		CHECK(tids[i] > 0 && tids[i] != getpid());
		for (int j = 0; j < i; j++)
			CHECK(tids[i] != tids[j]);
	}
}

/* More threads over time than at once: slots are reused. */
static void *nothing(void *arg)
{
	return arg;
}

static void many_in_turn(void)
{
	for (int i = 0; i < 40; i++) {
		pthread_t t;
		void *r = 0;

		CHECK(pthread_create(&t, 0, nothing, (void *)(intptr_t)i) == 0);
		CHECK(pthread_join(t, &r) == 0);
		CHECK((intptr_t)r == i);
	}
}

/* ---- mutex and condition variable ----------------------------------------------- */

#define ROUNDS 3000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter;
static int queue, produced, consumed_total, done;

static void *incr(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&mu);
		long c = counter;
		if (i % 64 == 0)
			sched_yield(); /* hold the lock across a switch */
		counter = c + 1;
		pthread_mutex_unlock(&mu);
	}
	return 0;
}

static void *consumer(void *arg)
{
	int got = 0;

	pthread_mutex_lock(&mu);
	for (;;) {
		while (!queue && !done)
			pthread_cond_wait(&cv, &mu);
		if (!queue && done)
			break;
		queue--;
		got++;
	}
	consumed_total += got;
	pthread_mutex_unlock(&mu);
	return 0;
}

static void mutex_condvar(void)
{
	pthread_t t[4], c[3];

	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], 0, incr, 0) == 0);
	for (int i = 0; i < 4; i++)
		CHECK(pthread_join(t[i], 0) == 0);
	CHECK(counter == 4L * ROUNDS);

	for (int i = 0; i < 3; i++)
		CHECK(pthread_create(&c[i], 0, consumer, 0) == 0);
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&mu);
		queue++;
		produced++;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
		if (i % 100 == 0)
			sched_yield();
	}
	pthread_mutex_lock(&mu);
	done = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < 3; i++)
		CHECK(pthread_join(c[i], 0) == 0);
	CHECK(produced == 1000 && consumed_total == 1000 && queue == 0);
}

/* ---- detach ----------------------------------------------------------------------- */

static sem_t detached_done;

static void *detached(void *arg)
{
	sem_post(&detached_done);
	return 0;
}

static void detach(void)
{
	pthread_t t;
	pthread_attr_t at;

	CHECK(sem_init(&detached_done, 0, 0) == 0);
	CHECK(pthread_create(&t, 0, detached, 0) == 0);
	CHECK(pthread_detach(t) == 0);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	CHECK(pthread_create(&t, &at, detached, 0) == 0);
	CHECK(sem_wait(&detached_done) == 0);
	CHECK(sem_wait(&detached_done) == 0);
}

/* ---- futex -------------------------------------------------------------------------- */

static volatile int fa, fb, woke;

static void *futex_waiter(void *arg)
{
	while (fa == 0)
		futex(&fa, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
	__atomic_fetch_add(&woke, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void futex_calls(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 }, bad = { 0, 1000000000 };
	volatile int w = 5;
	pthread_t t[2];
	long n;

	FAILS(futex(&w, FUTEX_WAIT, 6, 0, 0, 0), EAGAIN); /* the value differs */
	FAILS(futex(&w, FUTEX_WAIT, 5, &ts, 0, 0), ETIMEDOUT);
	FAILS(futex(&w, FUTEX_WAIT, 5, &bad, 0, 0), EINVAL);
	FAILS(futex((volatile int *)((char *)&w + 1), FUTEX_WAKE, 1, 0, 0, 0), EINVAL);
	FAILS(futex((volatile int *)8, FUTEX_WAIT, 0, 0, 0, 0), EFAULT);
	FAILS(futex(&w, FUTEX_WAIT, 5, (struct timespec *)8, 0, 0), EFAULT);
	FAILS(futex(&w, FUTEX_WAIT_BITSET, 5, 0, 0, 0), EINVAL); /* an empty bitset */
	FAILS(futex(&w, 77, 0, 0, 0, 0), ENOSYS);
	CHECK(futex(&w, FUTEX_WAKE, 1, 0, 0, 0) == 0); /* nobody waits */
	/* an absolute deadline in the past, on CLOCK_REALTIME */
	FAILS(futex(&w, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 5, &ts, 0, -1), ETIMEDOUT);

	/* Two waiters on fa, moved to fb by CMP_REQUEUE once both wait, then
	 * woken there. */
	fa = fb = woke = 0;
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], 0, futex_waiter, 0) == 0);
	FAILS(futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, 0, (struct timespec *)1, &fb, 1), EAGAIN);
	for (n = 0; n < 2;) { /* moved so far; both wait in the end */
		n += futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, 0, (struct timespec *)(long)INT_MAX, &fb, 0);
		sched_yield();
	}
	CHECK(n == 2);
	CHECK(futex(&fa, FUTEX_WAKE_PRIVATE, INT_MAX, 0, 0, 0) == 0); /* none left on fa */
	fa = 1;
	CHECK(futex(&fb, FUTEX_WAKE_PRIVATE, INT_MAX, 0, 0, 0) == 2);
	for (int i = 0; i < 2; i++)
		CHECK(pthread_join(t[i], 0) == 0);
	CHECK(woke == 2);
}

/* ---- signals ------------------------------------------------------------------------ */

static volatile pid_t handled_by;
static volatile int ready;

static void on_usr(int sig)
{
	handled_by = gettid_();
}

static void *pauser(void *arg)
{
	sigset_t s;

	sigemptyset(&s);
	pthread_sigmask(SIG_SETMASK, &s, 0);
	*(volatile pid_t *)arg = gettid_();
	__atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
	while (!handled_by)
		pause();
	return 0;
}

/* A futex wait that a signal for this thread interrupts (no SA_RESTART). */
static volatile int intr_word, intr_errno;

static void *futex_intr(void *arg)
{
	sigset_t s;

	sigemptyset(&s);
	pthread_sigmask(SIG_SETMASK, &s, 0);
	*(volatile pid_t *)arg = gettid_();
	__atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
	struct timespec ts = { 10, 0 }; /* never reached: not a hang if it were */

	if (futex(&intr_word, FUTEX_WAIT_PRIVATE, 0, &ts, 0, 0) == -1)
		intr_errno = errno;
	return 0;
}

/* Start fn (which stores its tid in *tid, then sets ready) and wait until
 * it has: its tid. */
static pid_t start_ready(pthread_t *t, void *(*fn)(void *), volatile pid_t *tid)
{
	handled_by = 0;
	ready = 0;
	*tid = 0;
	CHECK(pthread_create(t, 0, fn, (void *)tid) == 0);
	while (!ready)
		sched_yield();
	return *tid;
}

static void thread_signals(void)
{
	struct sigaction sa;
	sigset_t s, old;
	pthread_t t;
	volatile pid_t tid = 0;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr;
	sigaction(SIGUSR1, &sa, 0);
	sigaction(SIGUSR2, &sa, 0);

	/* tgkill: to that thread, not to the caller */
	start_ready(&t, pauser, &tid);
	FAILS(syscall(SYS_tgkill, getpid(), 0x3ffffff, SIGUSR1), ESRCH);
	CHECK(syscall(SYS_tgkill, getpid(), tid, 0) == 0);
	CHECK(syscall(SYS_tgkill, getpid(), tid, SIGUSR1) == 0);
	CHECK(pthread_join(t, 0) == 0);
	CHECK(handled_by == tid);

	/* EINTR from a futex wait: the signal is posted by the time the
	 * thread waits (it is sent after the thread's last call before) */
	start_ready(&t, futex_intr, &tid);
	CHECK(syscall(SYS_tgkill, getpid(), tid, SIGUSR1) == 0);
	CHECK(pthread_join(t, 0) == 0);
	CHECK(intr_errno == EINTR && handled_by == tid);

	/* a signal to the process while we block it: the thread takes it */
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	start_ready(&t, pauser, &tid);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	CHECK(pthread_join(t, 0) == 0);
	CHECK(handled_by == tid);
	sigpending(&s);
	CHECK(!sigismember(&s, SIGUSR2));
	pthread_sigmask(SIG_SETMASK, &old, 0);
}

/* ---- exit_group from a thread while the others wait ---------------------------------- */

static volatile int never;

static void *blocker(void *arg)
{
	for (;;)
		futex(&never, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
	return 0;
}

static void *ender(void *arg)
{
	for (int i = 0; i < 20; i++)
		sched_yield();
	syscall(SYS_exit_group, 7);
	return 0;
}

static void group_exit(void)
{
	pid_t p = fork();
	int st = 0;

	if (p == 0) {
		pthread_t t[3];

		for (int i = 0; i < 2; i++)
			pthread_create(&t[i], 0, blocker, 0);
		pthread_create(&t[2], 0, ender, 0);
		pthread_join(t[0], 0); /* never returns: exit_group ends it */
		_exit(99);
	}
	CHECK(p > 0);
	CHECK(waitpid(p, &st, 0) == p);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

/* The thread limit, under Lamina only (16 threads per process,
 * linux/thread.h LX_THREADS; Linux's is far higher): pthread_create says
 * EAGAIN beyond it, and the slots come back once the threads end. */
static volatile int lim_go;

static void *lim_wait(void *arg)
{
	while (!lim_go)
		futex(&lim_go, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
	return arg;
}

static void thread_limit(void)
{
	pthread_t t[32];
	int n = 0, err = 0;

	if (!lamina)
		return;
	while (n < 32 && !(err = pthread_create(&t[n], 0, lim_wait, 0)))
		n++;
	CHECK(err == EAGAIN && n >= 1 && n <= 15);
	lim_go = 1;
	futex(&lim_go, FUTEX_WAKE_PRIVATE, INT_MAX, 0, 0, 0);
	for (int i = 0; i < n; i++)
		CHECK(pthread_join(t[i], 0) == 0);
	CHECK(pthread_create(&t[0], 0, lim_wait, 0) == 0 && pthread_join(t[0], 0) == 0);
}

/* execve from a thread other than the first (man 2 execve): the other
 * threads end (one waits in a futex, the first in pthread_join), the new
 * program is the same process (the child's pid, its parent), its one
 * thread's tid is the pid, and it has the caller's signal mask. A bad
 * path fails in the calling thread first and leaves the process whole.
 * The new program is this one, run as `threads execd PPID`: its exit
 * status says what it found (exec_checks). */
extern char **environ;

static void *execer(void *arg)
{
	char pp[24];
	char *argv[] = { "threads", "execd", pp, 0 };
	sigset_t m;

	snprintf(pp, sizeof pp, "%d", (int)getppid());
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &m, 0);
	if (execve("/nonexistent/threads", argv, environ) != -1 || errno != ENOENT)
		_exit(97);
	execve("/proc/self/exe", argv, environ);
	_exit(98);
}

static int exec_checks(const char *ppid)
{
	sigset_t m;
	int bad = 0;

	if (sigprocmask(SIG_BLOCK, 0, &m) || !sigismember(&m, SIGUSR2))
		bad |= 1;
	if (syscall(SYS_gettid) != getpid())
		bad |= 2;
	if (getppid() != atoi(ppid))
		bad |= 4;
	return 64 + bad;
}

static void exec_from_thread(void)
{
	int st = -1;
	pid_t p = fork();

	if (p == 0) {
		pthread_t t[2];

		pthread_create(&t[0], 0, blocker, 0);
		pthread_create(&t[1], 0, execer, 0);
		pthread_join(t[1], 0); /* never returns: the exec ends it */
		_exit(99);
	}
	CHECK(p > 0);
	CHECK(waitpid(p, &st, 0) == p);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 64);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 64)
		fprintf(stderr, "exec_from_thread: status %#x\n", st);
}

/* clone's refusals, before any thread is made. The bad-pointer case only
 * under Lamina: Linux makes the thread and ignores the pointer. */
static void clone_errors(void)
{
	static char stack[4096] __attribute__((aligned(16)));
	long thr = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;

	FAILS(syscall(SYS_clone, CLONE_THREAD, stack + sizeof stack, 0, 0, 0), EINVAL);
	FAILS(syscall(SYS_clone, CLONE_THREAD | CLONE_VM, stack + sizeof stack, 0, 0, 0), EINVAL);
	if (lamina)
		FAILS(syscall(SYS_clone, thr | CLONE_PARENT_SETTID, stack + sizeof stack, (void *)8, 0, 0),
		      EFAULT);
}

int main(int argc, char **argv)
{
	struct utsname u;

	if (argc == 3 && !strcmp(argv[1], "execd"))
		return exec_checks(argv[2]);
	lamina = !uname(&u) && strstr(u.release, "lamina") != NULL;
	clone_errors();
	create_join();
	many_in_turn();
	mutex_condvar();
	detach();
	futex_calls();
	thread_signals();
	group_exit();
	thread_limit();
	exec_from_thread();
	if (failures)
		fprintf(stderr, "threads: %d failure(s)\n", failures);
	else
		printf("threads: all passed\n");
	return failures;
}
