/*
 * User-level threads, M:N: LM_UTH_MAX user threads multiplexed on one or
 * more kernel threads ("virtual CPUs"), which the kernel knows nothing
 * about. A kernel thread lends itself with lm_uth_run; the package turns
 * on its preemption upcall (THREAD_SET_UPCALLS), so that when the kernel
 * takes the CPU from it (time slice over, higher priority ready) its
 * handler saves the running user thread and starts the next ready one: a
 * user thread that spins does not starve the others. Switches are also
 * voluntary (yield, join, mutex, condition), with no system call.
 *
 * One process-wide run queue, first in first out, under one lock; a
 * kernel thread with no user thread to run yields the CPU (THREAD_YIELD)
 * and looks again, and lm_uth_run returns once every user thread has
 * exited. The functions below other than lm_uth_create and lm_uth_run are
 * for user threads only.
 *
 * With LM_UTH_BLOCKING, a user thread's blocking IPC call (EP_RECV,
 * EP_SEND, EP_CALL with no receiver, NTFN_WAIT) that would block lets the
 * other ready user threads run first (LM_UPCALL_ON_BLOCK) and is made
 * again when the thread's turn comes; when that has gone round the whole
 * queue with nothing else done, the kernel thread blocks in the call.
 */
#ifndef LM_UTHREAD_H
#define LM_UTHREAD_H

#include <lamina/types.h>
#include <lamina/exception.h>

#define LM_UTH_MAX      16    /* user threads at once (a static pool) */
#define LM_UTH_VCPUS    4     /* kernel threads at once */
#define LM_UTH_SLOT     16384 /* a user thread's record and stack */
#define LM_UTH_BLOCKING 0x1   /* lm_uth_run: would-block upcalls too */

typedef struct lm_uthread lm_uthread_t;
typedef void *(*lm_uth_fn)(void *arg);

/* A new user thread that will run fn(arg), queued to run; NULL if all
 * LM_UTH_MAX are taken (a thread's slot is free again once joined). */
lm_uthread_t *lm_uth_create(lm_uth_fn fn, void *arg);

/* The calling kernel thread (tcb: its own TCB capability) runs user
 * threads until none is left. Installs the package's exception handler
 * (other exceptions still go to the handler that was there) on a stack of
 * its own, and the upcalls; before returning it turns both off (the
 * thread has no exception handler then) and, the last kernel thread to
 * leave, frees the threads that exited unjoined. 0, or
 * the error of THREAD_SET_EXCEPTION / THREAD_SET_UPCALLS, or LM_ELIMIT if
 * LM_UTH_VCPUS kernel threads already run it. */
int lm_uth_run(lm_cptr_t tcb, lm_u32 flags);

lm_uthread_t *lm_uth_self(void);
void lm_uth_yield(void);
__attribute__((noreturn)) void lm_uth_exit(void *ret);
/* Wait for t to exit and return what it returned; t's slot is then free.
 * One joiner per thread. */
void *lm_uth_join(lm_uthread_t *t);

/* A mutex handed straight to the first waiter on unlock (FIFO). */
struct lm_uth_mutex {
	int locked;
	lm_uthread_t *head, *tail;
};
void lm_uth_mutex_lock(struct lm_uth_mutex *m);
void lm_uth_mutex_unlock(struct lm_uth_mutex *m);

struct lm_uth_cond {
	lm_uthread_t *head, *tail;
};
/* Unlocks m and waits, atomically with respect to the signallers. */
void lm_uth_cond_wait(struct lm_uth_cond *c, struct lm_uth_mutex *m);
void lm_uth_cond_signal(struct lm_uth_cond *c);
void lm_uth_cond_broadcast(struct lm_uth_cond *c);

/* What the package saw, for tests and benchmarks. */
struct lm_uth_stats {
	lm_u64 preempt_upcalls;  /* LM_UPCALL_PREEMPTED frames received */
	lm_u64 preempt_switches; /* ... that switched to another user thread */
	lm_u64 block_upcalls;    /* LM_UPCALL_BLOCKED frames received */
	lm_u64 block_switches;   /* ... that ran another user thread instead */
	lm_u64 blocked_in_kernel; /* ... where the kernel thread blocked after all */
	lm_u64 yields;           /* voluntary switches */
};
extern struct lm_uth_stats lm_uth_stats;

#endif
