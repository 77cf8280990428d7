/*
 * Threads of a Linux process (thread.c, futex.c; docs/LINUX.md "Threads").
 *
 * Every Linux thread is a Lamina thread in the process's address space
 * with its own slot here, found through its GS base: %gs:0 holds the
 * slot's address (lx_self). The program owns FS; GS is the personality's
 * (arch_prctl(ARCH_SET_GS) is refused).
 *
 * One lock (lx_lock) covers all of the personality's state: a reflected
 * call, a fault and the exit hook run under it, and it is released only
 * while a thread waits (lx_thr_wait) or yields. The lock holder's
 * per-thread state (the signal mask, the alternate stack, clear_tid, the
 * FS base, the call being served) lives in the usual globals; taking the
 * lock puts the previous holder's back in its slot and loads ours.
 */
#ifndef LX_THREAD_H
#define LX_THREAD_H

#include "lx.h"

#define LX_THREADS      16   /* per process (liblamina's LM_VM_MAX_THREADS) */
#define LX_SIGFRAME_MAX 2048 /* signal_frame.c's frame, checked there */

enum { LX_T_FREE, LX_T_LIVE, LX_T_DEAD /* exited; its TCB freed at reuse */ };
enum { LX_W_NONE, LX_W_LEADER, LX_W_FOLLOWER };

/* The swapped globals of a thread that does not hold the lock. */
struct lx_thread_saved {
	lm_u64 blocked, saved_mask, clear_tid, fs_base;
	int restore_mask;
	struct lx_stack alt;
	struct lm_sysargs *args;
};

/* What lm_resume reads after the lock is released: the first thread's is
 * static, another's is the page above its exception stack (thread.c), so
 * a process without threads carries no more than before. */
struct lx_thread_mem {
	struct lm_resume rec;    /* lm_resume's record for this thread */
	lm_u8 sigframe[LX_SIGFRAME_MAX] __attribute__((aligned(64)));
};

struct lx_thread {
	struct lx_thread *self;  /* %gs:0 */
	long tid;
	int state, wait;         /* LX_T_*, LX_W_* (lock held to change) */
	lm_cptr_t tcb, ntfn;     /* ntfn: its own wake-up while it waits */
	lm_u64 exc_va;           /* its exception stack (0: mm.c's, the first thread's) */
	lm_u64 futex;            /* the word it waits on in futex (0: none) */
	lm_u32 fbits;            /* FUTEX_WAIT_BITSET's mask */
	int fwoken;              /* a FUTEX_WAKE chose it */
	lm_u64 tpending;         /* tgkill'd to it; posted when it takes the lock */
	lm_u64 unmap_lo, unmap_hi; /* munmap of its own stack: done once it is gone */
	struct lx_thread_saved s;
	struct lx_thread_mem *mem;
};

extern struct lx_thread lx_threads[LX_THREADS];

static inline struct lx_thread *lx_self(void)
{
	struct lx_thread *t;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(t));
	return t;
}

/* The first thread's slot and GS base (at start, before any call). */
void lx_thr_init(void);
/* A forked child: only the calling thread, now the first slot. */
void lx_thr_fork_child(void);
void lx_lock(void);
void lx_unlock(void);      /* nests: a fault while the lock is held */
/* Release the lock, yield, take it again. */
void lx_thr_yield(void);
/* One wait of the calling thread (lock held, released while it waits):
 * until the process's wake notification or its own is signalled, or
 * deadline (TSC ns, 0: none) passes. Returns the process's wake word when
 * it was the one waiting on it, else 0. */
lm_u64 lx_thr_wait(lm_u64 deadline);
/* Wake thread t (a futex wake, a signal for it). */
void lx_thr_wake(struct lx_thread *t);
/* The thread with tid, or 0. */
struct lx_thread *lx_thr_find(long tid);
int lx_thr_count(void);    /* live threads */
/* clone with CLONE_THREAD: the new thread's tid or -errno. */
long lx_thr_clone(struct lm_sysargs *a);
/* The process ends (exit_group, a fatal signal, the last thread's exit):
 * every other thread stopped; if the caller is not the first thread it
 * hands the end to it and never returns. */
void lx_thr_end_process(int wstatus);
/* A stop signal stops the whole process: every other live thread
 * suspended (the set returned), then resumed by lx_thr_continue_others. */
lm_u32 lx_thr_stop_others(void);
void lx_thr_continue_others(lm_u32 set);
/* execve at its point of no return: every other thread ended and freed
 * (the caller is the first). lx_thr_exec_done: the lock released for good,
 * as the new program starts. */
void lx_thr_exec(void);
/* execve from a thread other than the first, at the point of no return:
 * the first thread (the process to whoever started it: its pid, its exit
 * status, its fork server) takes the lock and the caller's signal mask and
 * runs fn on stack; the caller ends. Returns at once in the first thread.
 * So the exec'd program's only thread has the pid as its tid (man 2 execve). */
void lx_thr_exec_handoff(lm_word_t (*fn)(lm_word_t), void *stack);
void lx_thr_exec_done(void);
/* munmap of the range the caller's stack is in (musl's detached threads
 * unmap their stack, then exit): the personality runs on that stack until
 * the thread is gone, so the unmap waits until then. 1 if deferred. */
int lx_thr_defer_unmap(lm_u64 lo, lm_u64 hi);
/* futex.c: wake up to n waiters of uaddr (a thread's exit: clear_tid). */
long lx_futex_wake(lm_u64 uaddr, long n, lm_u32 bits);
/* futex.c: at execve, after lx_thr_exec: the process manager's entries of
 * threads that ended while waiting on a shared futex taken back. */
void lx_futex_exec(void);

#endif
