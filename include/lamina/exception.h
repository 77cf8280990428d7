/*
 * In-process exception upcalls (THREAD_SET_EXCEPTION). On an exception the
 * kernel pushes a struct lm_exc_frame onto the thread's exception stack and
 * enters its handler in user mode, in the same address space, with
 * rdi = rsp = the frame's address (16-byte aligned). A fault while already
 * on the exception stack nests: the next frame goes below the current rsp.
 * The handler resumes the interrupted code by restoring `regs` itself
 * (liblamina's lm_exc_resume: no system call). The layout is ABI.
 */
#ifndef LAMINA_EXCEPTION_H
#define LAMINA_EXCEPTION_H

#ifndef __ASSEMBLY__
#include <lamina/regs.h>

struct lm_exc_frame {
	lm_u64 vector; /* LM_FAULT_* (x86 vector number) */
	lm_u64 error;  /* hardware error code, 0 if none */
	lm_u64 addr;   /* page faults: the faulting address (cr2) */
	lm_u64 pad;
	struct lm_regs regs; /* everything at the moment of the exception */
};
LM_STATIC_ASSERT(sizeof(struct lm_exc_frame) == 24 * 8, "exception frame layout");
#endif

/* Offsets for the user-mode return sequence (assembly). */
#define LM_EXC_REGS    32
#define LM_EXC_RIP     (LM_EXC_REGS + 15 * 8)
#define LM_EXC_RSP     (LM_EXC_REGS + 16 * 8)
#define LM_EXC_RFLAGS  (LM_EXC_REGS + 17 * 8)

/* Why a thread with a handler was stopped anyway (fault_error of
 * THREAD_INFO when fault_kind is LM_FAULT_EXC_STACK). */
#define LM_FAULT_EXC_STACK 256

#endif
