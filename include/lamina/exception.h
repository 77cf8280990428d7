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

#define LM_EXC_FRAME_SIZE (24 * 8) /* bytes, 16-byte aligned on the stack */

#ifndef __ASSEMBLY__
#include <lamina/regs.h>

struct lm_exc_frame {
	lm_u64 vector; /* LM_FAULT_* (x86 vector number) */
	lm_u64 error;  /* hardware error code, 0 if none */
	lm_u64 addr;   /* page faults: the faulting address (cr2) */
	lm_u64 pad;
	struct lm_regs regs; /* everything at the moment of the exception */
};
LM_STATIC_ASSERT(sizeof(struct lm_exc_frame) == LM_EXC_FRAME_SIZE, "exception frame layout");
#endif

/* Offsets for the user-mode return sequence (assembly). */
#define LM_EXC_REGS    32
#define LM_EXC_RIP     (LM_EXC_REGS + 15 * 8)
#define LM_EXC_RSP     (LM_EXC_REGS + 16 * 8)
#define LM_EXC_RFLAGS  (LM_EXC_REGS + 17 * 8)

/* Why a thread with a handler or pager was stopped anyway (THREAD_INFO's
 * fault_kind); fault_error then holds the vector it was delivering. */
#define LM_FAULT_EXC_STACK   256 /* exception stack missing, read-only or full */
#define LM_FAULT_PAGER_REPLY 257 /* the pager's reply was not a valid one */
#define LM_FAULT_PAGER_GONE  258 /* the fault endpoint or the pager went away */

/*
 * Scheduling upcalls (THREAD_SET_UPCALLS): a thread with an exception
 * handler may also be told when it loses the CPU, so that a library OS can
 * schedule its own user-level threads (scheduler activations, Xok's
 * prologue/epilogue). They arrive as exception frames with these vectors.
 *
 * LM_UPCALL_ON_PREEMPT: when the thread's time slice ends, or a thread of
 * higher priority takes the CPU from it, its interrupted registers are
 * pushed as a frame with vector LM_UPCALL_PREEMPTED (error: LM_PREEMPT_*)
 * at that moment, and it next runs at its handler. Each slice end counts,
 * even when nothing else is ready and it goes on at once: the library OS
 * gets a tick. A voluntary yield is not a preemption.
 *
 * LM_UPCALL_ON_BLOCK: EP_RECV, EP_SEND, EP_CALL (while no receiver waits),
 * the receive half of EP_REPLY_RECV and NTFN_WAIT do not block: where they
 * would, the thread enters its handler with vector LM_UPCALL_BLOCKED, error
 * the number of the call to retry and regs as they were before the call,
 * rip at its SYSCALL instruction: resuming the frame makes the call again.
 * For EP_REPLY_RECV the reply was given, and error and regs.rax are
 * EP_RECV, so the retry only receives. A call that completes at once, the wait for a reply once
 * a call's message was taken, and fault messages are unchanged. To block
 * after all, the library OS turns LM_UPCALL_ON_BLOCK off around the call.
 */
#define LM_UPCALL_PREEMPTED 0x200
#define LM_UPCALL_BLOCKED   0x201
#define LM_UPCALL_ON_PREEMPT 0x1
#define LM_UPCALL_ON_BLOCK   0x2
#define LM_UPCALL_ALL        0x3
#define LM_PREEMPT_SLICE 1 /* its time slice ended */
#define LM_PREEMPT_PRIO  2 /* a thread of higher priority became ready */

/*
 * Fault IPC (THREAD_SET_FAULT_EP). A thread without an in-process handler
 * whose fault endpoint is set turns an exception into a call on that
 * endpoint, as if it had called it with this message:
 *   label LM_FAULT_MSG, 4 words: vector, address (cr2), error code, rip;
 *   badge: the badge of the endpoint capability it was given.
 * The receiver (the pager) answers with EP_REPLY or EP_REPLY_RECV:
 *   label LM_FAULT_RESUME, no words: run the faulting instruction again;
 *   label LM_FAULT_RESUME_AT, 1 word: continue at that rip instead;
 *   anything else stops the thread with LM_FAULT_PAGER_REPLY.
 * The thread's registers are never part of the message: a pager that wants
 * them reads them with THREAD_READ_REGS.
 */
#define LM_FAULT_MSG       0xfa
#define LM_FAULT_RESUME    0
#define LM_FAULT_RESUME_AT 1

#endif
