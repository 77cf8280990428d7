/*
 * System-call reflection in the library OS: a thread whose foreign entry
 * is set (THREAD_SET_FOREIGN) has every SYSCALL numbered below
 * LM_SYS_BASE, such as a Linux program's, sent back to it by the kernel,
 * registers untouched but rip. lm_reflect_entry takes it from there: it
 * steps below the caller's 128-byte red zone, saves the registers a C
 * function may change (and the FPU/SSE state with FXSAVE), and calls the
 * process's handler with the call on the stack. The handler's result goes
 * back in rax (Linux convention: -errno on failure); every other register
 * is as it was, except rcx = the return address and r11 = rflags, as
 * after a Linux SYSCALL. The handler runs on the caller's stack, with the
 * caller's FS base, so it must not rely on FS (liblamina does not).
 */
#ifndef LM_REFLECT_H
#define LM_REFLECT_H

#include <lamina/types.h>

/* A reflected call: the number (rax) and six arguments (rdi, rsi, rdx,
 * r10, r8, r9), plus where it returns to and the caller's flags. Changes
 * to a[] reach the caller's registers (a handler for a call that writes
 * back registers can use that). */
struct lm_sysargs {
	lm_u64 nr;
	lm_u64 a[6];
	lm_u64 rbx;    /* the caller's rbx (the entry uses rbx) */
	lm_u64 rflags; /* r11 at the SYSCALL */
	lm_u64 rip;    /* rcx: the instruction after the SYSCALL */
};

typedef long (*lm_reflect_fn)(struct lm_sysargs *a);

extern lm_reflect_fn lm_reflect_handler;

/* Make fn the process's handler and send tcb's foreign calls to it; fn 0
 * turns reflection off for tcb (foreign calls fail with LM_ENOSYS). */
int lm_reflect_install(lm_cptr_t tcb, lm_reflect_fn fn);

void lm_reflect_entry(void);

#endif
