/*
 * The seeded system-call fuzzer (tests/linux/fuzz.c drives, fuzz_gen.c
 * generates): what the two files share.
 *
 * Invariant: every call the generator emits is one a Linux program may
 * make without ending or wedging itself on purpose: no exit, execve,
 * pause or sigsuspend, no signal whose action would end it, no blocking
 * wait without a bound, no memory call on the fuzzer's own text, data,
 * stack or state (only on the pool and on addresses it does not own).
 * So the child that runs the calls must come back; if it dies or hangs,
 * the last call it logged is what did it.
 */
#ifndef LX_TEST_FUZZ_H
#define LX_TEST_FUZZ_H

#include <stdint.h>

/* The record the child writes before every call and the parent reads
 * after the child ends (a file: survives the child's death). */
struct fz_log {
	long seed, n, calls;  /* call n of calls */
	long nr, a[6];        /* the call being made */
	long done;            /* 1: the child ran every call and returned */
	long stage;           /* how far its setup went (1..6), 7: the calls */
	long ok, enosys, efault, other; /* what the calls so far answered */
	uint64_t nosys[16];   /* the numbers below 1024 answered ENOSYS */
	long watchdog;        /* progress: n at the last re-armed alarm */
	long signals;         /* SIGUSR1/SIGUSR2 handlers run */
	long twin;            /* 0x10000 | the twin's wait status, -1: hung, 0: reaped unseen */
	long wrong;           /* answers the oracle (fz_wrong) refused; the
			       * first FZ_WRONG are records after this one */
};

/* A call answered wrongly: what was asked and answered. */
struct fz_wrong {
	long n, nr, a[6], r;
};
#define FZ_WRONG 16

/* What the generator may use: the pool (output buffers, mm targets), the
 * argument area (structures going in), descriptors made by the setup. */
struct fz_state {
	uint64_t rng;
	char *pool;          /* FZ_POOL bytes between two PROT_NONE guard pages */
	char *arg;           /* FZ_ARG bytes, after it a guard page */
	int fds[24], nfds;   /* descriptors the setup made (some may be closed since) */
	int last_closed;     /* the descriptor closed most recently, or -1 */
	int pid, kid;        /* the child itself, its sitting child */
	long brk0;           /* the break at the start: brk never goes below */
	int forks;           /* fork-like calls made (bounded: FZ_FORKS) */
	uintptr_t own_lo[4], own_hi[4]; /* ranges no memory call may touch */
};

#define FZ_POOL  (256 * 1024)
#define FZ_ARG   (64 * 1024)
#define FZ_FORKS 6
#define FZ_KID_SIGNALS 300 /* SIGUSR1/SIGUSR2 its sitting child sends a seed's child */
#define FZ_TWIN_LOG 4096  /* the twin's record in the log file */
#define FZ_LOGFD 200  /* the log's descriptor: the generator never names it */

uint64_t fz_rand(struct fz_state *s);
/* One call: fills nr and a[]; returns 1 if it is fork-like (the child
 * side must exit at once, fz_fork_call). */
int fz_gen(struct fz_state *s, long *nr, long a[6]);
/* Before a call that could block: descriptors in it made non-blocking. */
void fz_nonblock(long fd);
/* Why the answer r to call nr (a) is wrong, or 0 if nothing says it is:
 * the few answers a Linux man page fixes whatever the state. */
const char *fz_wrong(long nr, const long *a, long r);
extern char *fz_altstack; /* 64 KiB: the only alternate stack the calls may set */
/* fd names a character device (a change to it would be everyone's). */
int fz_device(long fd);

/* fuzz_sys.c: the system's checks after a round of abuse. */
int fz_sys_init(const char *dir); /* files kept in dir, a pipe held: 0 or -1 */
int fz_sys_check(void (*fail)(const char *what)); /* the failures, each told to fail */
void fz_sleep_ms(long ms);
void fz_rmtree(const char *dir); /* dir and everything under it, removed */
/* Every signal ignored but SIGKILL, SIGSTOP, SIGALRM (the watchdog) and
 * the faults' (a fault must end the process, and be seen). */
void fz_ignore_signals(void);
int fz_wait_bounded(int pid, long ms, int *status); /* waitpid's answer; 0: still running */

#endif
