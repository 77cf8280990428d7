/*
 * Exception handling in the library OS: one handler per process, run on a
 * thread's exception stack when that thread takes an exception
 * (<lamina/exception.h>). The handler may change the frame (skip the
 * faulting instruction, fix the page) and returns; the thread then resumes
 * the frame without a system call. To stop the thread instead, call
 * lm_thread_exit from the handler.
 */
#ifndef LM_EXCEPTION_H
#define LM_EXCEPTION_H

#include <lamina/exception.h>

typedef void (*lm_exc_fn)(struct lm_exc_frame *f);

extern lm_exc_fn lm_exc_handler;

/* Set the process's handler and give thread `tcb` an exception stack of
 * `size` bytes ending at `stack_top` (16-byte aligned). fn 0 removes it. */
int lm_exc_install(lm_cptr_t tcb, lm_exc_fn fn, void *stack_top, lm_u64 size);

void lm_exc_entry(void);
__attribute__((noreturn)) void lm_exc_resume(struct lm_exc_frame *f);

#endif
