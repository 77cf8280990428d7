/* mmap beyond private anonymous memory: MAP_SHARED anonymous memory
 * shared across fork (both ways, after mprotect, after munmap on one side),
 * futexes between processes on it (a raw futex and a process-shared
 * pthread mutex), mappings of a file (private, read-only shared, past the
 * end, the error cases) and of /dev/zero. Parent and child are ordered by
 * futexes in the shared memory itself, never by sleeping; each futex
 * wait has a long timeout only so that a broken wake fails a check instead
 * of hanging the suite. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include "calls.h"

#define PG 4096L
#define F "/tmp/calls-mmap"

static long futex(volatile int *w, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, val, ts, 0, 0);
}

/* Set *w to v and wake every waiter of it, in any process. */
static void post(volatile int *w, int v)
{
	__atomic_store_n(w, v, __ATOMIC_SEQ_CST);
	futex(w, FUTEX_WAKE, INT_MAX, 0);
}

/* Wait until *w is at least v: 1, or 0 after a few 20-second waits (a
 * lost wake). */
static int await(volatile int *w, int v)
{
	struct timespec ts = { 20, 0 };
	int c;

	for (int i = 0; (c = __atomic_load_n(w, __ATOMIC_SEQ_CST)) < v; i++) {
		if (i == 8)
			return 0;
		futex(w, FUTEX_WAIT, c, &ts);
	}
	return 1;
}

static int reaped(pid_t p)
{
	int st = 0;

	return waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Shared anonymous memory: three pages, the middle one untouched at fork.
 * seq orders the two processes step by step. */
static void shared_anon(void)
{
	char *p = mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *seq, *word;
	pid_t c;

	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	seq = (volatile int *)(p + 2 * PG);
	word = seq + 1;
	p[0] = 'a';
	if ((c = fork()) == 0) {
		failures = 0;
		CHECK(p[0] == 'a' && p[PG] == 0);
		p[PG + 5] = 'c';  /* the untouched page: the parent's too */
		p[0] = 'b';
		post(seq, 1);
		CHECK(await(seq, 2));
		CHECK(p[1] == 'P'); /* the parent's write */
		/* our mprotect is ours: read-only here, and back */
		CHECK(mprotect(p, PG, PROT_READ) == 0 && p[1] == 'P');
		CHECK(mprotect(p, PG, PROT_READ | PROT_WRITE) == 0);
		p[2] = 'm';
		/* our munmap of the middle page leaves the parent's */
		CHECK(munmap(p + PG, PG) == 0);
		post(seq, 3);
		/* a raw futex: the parent wakes us from its process */
		post(seq, 4);
		CHECK(futex(word, FUTEX_WAIT, 0, &(struct timespec){ 60, 0 }) == 0 || *word == 1);
		_exit(failures);
	}
	CHECK(await(seq, 1));
	CHECK(p[0] == 'b' && p[PG + 5] == 'c');
	p[1] = 'P';
	post(seq, 2);
	CHECK(await(seq, 3));
	CHECK(p[2] == 'm');
	p[PG] = 'x'; /* still ours after the child's munmap */
	CHECK(p[PG] == 'x' && p[PG + 5] == 'c');
	CHECK(await(seq, 4));
	/* a wake that finds the child waiting (1) once it waits */
	long n;
	for (int i = 0; (n = futex(word, FUTEX_WAKE, 1, 0)) == 0 && i < 1000000; i++)
		sched_yield();
	CHECK(n == 1);
	*word = 1;
	CHECK(reaped(c));
	CHECK(p[0] == 'b' && p[1] == 'P' && p[2] == 'm'); /* the child is gone, the pages stay */
	CHECK(munmap(p, 3 * PG) == 0);
}

static sigjmp_buf jb;
static void on_bus(int sig)
{
	siglongjmp(jb, 1);
}

/* 1 if reading p is SIGBUS. */
static int bus_at(volatile char *p)
{
	struct sigaction sa = { .sa_handler = on_bus }, old;
	volatile int got = 0;

	sigaction(SIGBUS, &sa, &old);
	if (!sigsetjmp(jb, 1))
		got = *p;
	else
		got = -1;
	sigaction(SIGBUS, &old, 0);
	return got == -1;
}

/* Two forks down, and moved: a grandchild's write and a child's write
 * after its mremap (the frames move with the mapping) reach the parent.
 * Pages a shared mapping grows by are past the shared object: SIGBUS. */
static void shared_deeper(void)
{
	char *s = mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t c;

	CHECK(s != MAP_FAILED);
	if (s == MAP_FAILED)
		return;
	if ((c = fork()) == 0) {
		pid_t g = fork();

		if (g < 0)
			_exit(10);
		if (g == 0) {
			s[0] = 'g';
			_exit(0);
		}
		char *to = mmap(0, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *q = mremap(s, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, to);
		if (!reaped(g))
			_exit(11);
		if (q != to)
			_exit(12);
		if (q[0] != 'g')
			_exit(13);
		q[PG + 1] = 'r';
		q = mremap(q, 2 * PG, 3 * PG, MREMAP_MAYMOVE);
		if (q == MAP_FAILED || !bus_at(q + 2 * PG))
			_exit(2);
		_exit(q[PG + 1] == 'r' ? 0 : 3);
	}
	CHECK(reaped(c));
	CHECK(s[0] == 'g' && s[PG + 1] == 'r');
	munmap(s, 2 * PG);
}

/* The parent unmaps a shared page while its child maps it: the child
 * keeps the page and its bytes, and the parent's next memory is not that
 * frame. A page that was PROT_NONE at the fork is shared too. */
static void shared_after_munmap(void)
{
	char *s = mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *seq = (volatile int *)(s + PG);
	pid_t c;

	CHECK(s != MAP_FAILED);
	if (s == MAP_FAILED)
		return;
	s[0] = 'x';
	CHECK(mprotect(s + 2 * PG, PG, PROT_NONE) == 0);
	if ((c = fork()) == 0) {
		if (!await(seq, 1) || s[0] != 'x')
			_exit(1);
		s[0] = 'y';
		if (mprotect(s + 2 * PG, PG, PROT_READ | PROT_WRITE) || s[2 * PG] != 0)
			_exit(2);
		s[2 * PG] = 'c';
		post(seq, 2);
		_exit(s[0] == 'y' ? 0 : 3);
	}
	CHECK(munmap(s, PG) == 0);
	for (int i = 0; i < 8; i++) { /* fresh pages, written: none is the child's */
		char *n = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(n != MAP_FAILED);
		if (n != MAP_FAILED)
			n[0] = 'z';
	}
	post(seq, 1);
	CHECK(await(seq, 2));
	CHECK(reaped(c));
	CHECK(mprotect(s + 2 * PG, PG, PROT_READ) == 0 && s[2 * PG] == 'c');
	munmap(s + PG, 2 * PG);
}

/* A process-shared mutex: two processes add 2000 each under it. */
static void shared_mutex(void)
{
	struct shm { pthread_mutex_t m; long n; } *s;
	pthread_mutexattr_t at;
	pid_t c;

	s = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s != MAP_FAILED);
	if (s == MAP_FAILED)
		return;
	pthread_mutexattr_init(&at);
	CHECK(pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED) == 0);
	CHECK(pthread_mutex_init(&s->m, &at) == 0);
	if ((c = fork()) == 0) {
		for (int i = 0; i < 2000; i++) {
			pthread_mutex_lock(&s->m);
			s->n++;
			if (i % 100 == 0)
				sched_yield(); /* holding it: the other one waits */
			pthread_mutex_unlock(&s->m);
		}
		_exit(0);
	}
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&s->m);
		s->n++;
		pthread_mutex_unlock(&s->m);
	}
	CHECK(reaped(c));
	CHECK(s->n == 4000);
	munmap(s, PG);
}

static int pattern(long i)
{
	return (char)(i * 7 + i / 251);
}

static void file_maps(void)
{
	static char buf[3 * PG];
	long size = 2 * PG + 100;
	int fd, ro, wo, pfd[2];
	char *m;
	pid_t c;

	for (long i = 0; i < size; i++)
		buf[i] = pattern(i);
	fd = open(F, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, buf, size) == size);
	ro = open(F, O_RDONLY);
	wo = open(F, O_WRONLY);
	CHECK(ro >= 0 && wo >= 0);

	/* private: the contents, zeros past the end in the last page */
	m = mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		CHECK(memcmp(m, buf, size) == 0);
		long z = 0;
		for (long i = size; i < 3 * PG; i++)
			z += m[i] != 0;
		CHECK(z == 0);
		/* a write is ours alone: the file keeps its bytes */
		m[0] = ~buf[0];
		char b0 = 0;
		CHECK(pread(ro, &b0, 1, 0) == 1 && b0 == buf[0]);
		/* after fork the child's write is its own */
		if ((c = fork()) == 0) {
			m[1] = 'k';
			_exit(m[0] == (char)~buf[0] && m[1] == 'k' ? 0 : 1);
		}
		CHECK(reaped(c));
		CHECK(m[1] == buf[1]);
		CHECK(munmap(m, 3 * PG) == 0);
	}
	/* at an offset; the descriptor's offset does not move */
	CHECK(lseek(ro, 10, SEEK_SET) == 10);
	m = mmap(0, PG, PROT_READ, MAP_PRIVATE, ro, PG);
	CHECK(m != MAP_FAILED && memcmp(m, buf + PG, PG) == 0);
	CHECK(lseek(ro, 0, SEEK_CUR) == 10);
	munmap(m, PG);
	/* executable, and read-only shared (which mprotect keeps so) */
	m = mmap(0, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, ro, 0);
	CHECK(m != MAP_FAILED && m[5] == buf[5]);
	munmap(m, PG);
	m = mmap(0, 2 * PG, PROT_READ, MAP_SHARED, ro, 0);
	CHECK(m != MAP_FAILED && memcmp(m, buf, 2 * PG) == 0);
	FAILS(mprotect(m, PG, PROT_READ | PROT_WRITE), EACCES);
	munmap(m, 2 * PG);
	/* past the file's last page: SIGBUS */
	m = mmap(0, 5 * PG, PROT_READ, MAP_PRIVATE, ro, 0);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		CHECK(bus_at(m + 3 * PG + 1));
		CHECK(m[2 * PG + 99] == buf[2 * PG + 99] && m[2 * PG + 100] == 0);
		/* a call given such a page: EFAULT, not a fault */
		FAILS(write(wo, m + 4 * PG, 1), EFAULT);
		munmap(m, 5 * PG);
	}
	/* errors */
	FAILS(mmap(0, PG, PROT_READ, MAP_PRIVATE, ro, 100), EINVAL);
	FAILS(mmap(0, PG, PROT_READ, MAP_PRIVATE, 99, 0), EBADF);
	FAILS(mmap(0, PG, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
	FAILS(mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	CHECK(pipe(pfd) == 0);
	FAILS(mmap(0, PG, PROT_READ, MAP_PRIVATE, pfd[0], 0), ENODEV);
	int d = open("/tmp", O_RDONLY | O_DIRECTORY);
	FAILS(mmap(0, PG, PROT_READ, MAP_PRIVATE, d, 0), ENODEV);
	close(d);
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
	close(ro);
	close(wo);
	unlink(F);
}

/* /dev/zero: private zeros, and shared memory across fork. */
static void dev_zero(void)
{
	int z = open("/dev/zero", O_RDWR);
	char *p, *s;
	pid_t c;

	CHECK(z >= 0);
	p = mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
	CHECK(p != MAP_FAILED && p[0] == 0 && p[2 * PG - 1] == 0);
	if (p != MAP_FAILED)
		p[7] = 1;
	s = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
	CHECK(s != MAP_FAILED && s[0] == 0);
	if (s == MAP_FAILED || p == MAP_FAILED)
		return;
	if ((c = fork()) == 0) {
		s[0] = 's';
		p[7] = 2;
		_exit(0);
	}
	CHECK(reaped(c));
	CHECK(s[0] == 's' && p[7] == 1); /* shared, and private */
	munmap(p, 2 * PG);
	munmap(s, PG);
	close(z);
}

void test_mmap(void)
{
	shared_anon();
	shared_deeper();
	shared_after_munmap();
	shared_mutex();
	file_maps();
	dev_zero();
}

/* `calls futex-pingpong`: the time of a round trip between two processes
 * through futexes on shared memory (each side waits for its turn on one
 * word, FUTEX_WAIT and FUTEX_WAKE without FUTEX_PRIVATE_FLAG), for
 * docs/LINUX.md; not a check. */
int futex_pingpong(void)
{
	volatile int *turn = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct timespec a, b;
	const int rounds = 2000;
	pid_t c;

	if (turn == MAP_FAILED)
		return 1;
	if ((c = fork()) == 0) {
		for (int i = 0; i < rounds; i++) {
			if (!await(turn, 2 * i + 1))
				_exit(1);
			post(turn, 2 * i + 2);
		}
		_exit(0);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < rounds; i++) {
		post(turn, 2 * i + 1);
		if (!await(turn, 2 * i + 2))
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("futex-pingpong: %ld ns a round trip (%d rounds)\n",
	       ((b.tv_sec - a.tv_sec) * 1000000000l + b.tv_nsec - a.tv_nsec) / rounds, rounds);
	return !reaped(c);
}
