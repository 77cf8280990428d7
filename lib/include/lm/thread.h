/*
 * Threads in user space: starting a function on its own stack, and waiting
 * for a thread to stop. There is no kernel "join": waiting polls
 * THREAD_INFO and yields in between, and YIELD only hands the CPU to
 * threads of the caller's own priority. So a waiter should run at the
 * waited thread's priority (round robin shares the CPU) or below it (the
 * waiter then runs only when the thread is not runnable); a waiter above
 * it spins and starves it.
 */
#ifndef LM_THREAD_H
#define LM_THREAD_H

#include <lamina/types.h>
#include <lamina/regs.h>

typedef lm_word_t (*lm_thread_fn)(lm_word_t arg);

/* Where a started function returns to: exits with its result (crt0.S). */
void lm_thread_return(void);

/* Make a TCB from the default pool and configure it with CNode `cn` and
 * address space `vs` (slots in the caller's CSpace). It stays inactive. */
int lm_thread_new(lm_cptr_t cn, lm_cptr_t vs, lm_cptr_t *tcb);

/* Set up `tcb` to call fn(arg) on the stack ending at stack_top (the
 * function's return exits the thread with its result), give it priority
 * `prio`, and resume it. The thread shares whatever address space it was
 * configured with; the stack must be mapped there. */
int lm_thread_start(lm_cptr_t tcb, lm_thread_fn fn, lm_word_t arg,
		    void *stack_top, lm_u32 prio);

/* Registers for calling fn(arg) with the given stack: zero except rip,
 * rsp (16-byte aligned, holding the return address lm_thread_return), rdi
 * and rflags. Writes the return address onto the stack. */
void lm_thread_regs(struct lm_regs *r, lm_thread_fn fn, lm_word_t arg,
		    void *stack_top);

/* Poll until `tcb` has stopped (inactive, faulted or exited; a thread
 * blocked in IPC has not), yielding between polls, at most max_polls
 * times. Stores the final THREAD_INFO in *info (may be NULL). Returns
 * LM_OK, a THREAD_INFO error, or LM_EAGAIN if it was still running. */
int lm_wait_thread(lm_cptr_t tcb, lm_u64 max_polls, struct lm_thread_info *info);

/* Block until `tcb` exits or stops on a fault, without polling: ntfn (a
 * notification the caller may signal, possibly shared by several joins)
 * becomes tcb's stop notification (THREAD_SET_STOP_NOTIFY). Stores the
 * final THREAD_INFO in *info (may be NULL). A thread that is only
 * suspended is not waited for: LM_OK once it is not running or blocked. */
int lm_thread_join(lm_cptr_t tcb, lm_cptr_t ntfn, struct lm_thread_info *info);

#endif
