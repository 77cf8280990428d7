/*
 * The signal state of the Linux process, shared by signal*.c only
 * (lx.h has what the rest of the personality calls). The dispositions and
 * the pending set are the process's; the blocked mask, sigsuspend's saved
 * mask and the alternate stack are the lock holder's (thread.h swaps them
 * per thread). The dispositions, the blocked mask, the pending set with one
 * siginfo per signal (standard signals do not queue; real-time signals do
 * not queue here either: a second one while pending is merged), and the
 * alternate stack.
 */
#ifndef LX_SIGNAL_H
#define LX_SIGNAL_H

#include "lx.h"

#define LX_SIGBIT(s)     (1ull << ((s) - 1))
#define LX_UNBLOCKABLE   (LX_SIGBIT(SIGKILL) | LX_SIGBIT(SIGSTOP))

extern struct lx_sigaction lx_sigact[LX_NSIG + 1];
extern lm_u64 lx_sig_blocked;  /* never holds LX_UNBLOCKABLE */
extern lm_u64 lx_sig_pending;
extern struct lx_siginfo lx_sig_info[LX_NSIG + 1]; /* valid while pending */
/* The alternate stack: sp, size, and flags SS_DISABLE or 0, | SS_AUTODISARM. */
extern struct lx_stack lx_altstack;
/* sigsuspend's mask to put back once a handler's frame holds it. */
extern lm_u64 lx_sig_saved_mask;
extern int lx_sig_restore_mask;

/* 1 if sig's default action is to ignore it. */
int lx_sig_default_ignored(int sig);
/* 1 if sig would be dropped now: SIG_IGN, or SIG_DFL that ignores. */
int lx_sig_ignored(int sig);
/* Take the lowest pending signal in `set`: its number and siginfo, 0 if none. */
int lx_sig_take(lm_u64 set, struct lx_siginfo *si);
/* stack_t.ss_flags as sigaltstack reports it for a thread at sp. */
int lx_altstack_flags(lm_u64 sp);
int lx_on_altstack(lm_u64 sp);
/* Apply a new alternate stack (the checks of sigaltstack); 0 or -errno. */
long lx_altstack_set(const struct lx_stack *ss, lm_u64 sp);
/* The caller's rsp at the SYSCALL being served. */
static inline lm_u64 lx_caller_rsp(void)
{
	return lm_sysargs_rsp(lx_cur_args);
}

/* signal_frame.c: enter the handler of sig: build the frame on the stack
 * (or the alternate stack) in rec->copy_*, set rec's registers and FPU
 * state for the handler, block what the handler blocks. oldmask goes in
 * the frame. 0, or -EFAULT if the frame cannot be written (the caller
 * then kills with SIGSEGV, as Linux's force_sigsegv). trapno/err/cr2
 * describe a fault (0 otherwise). */
int lx_sig_setup_frame(struct lm_resume *rec, int sig, const struct lx_siginfo *si,
		       lm_u64 oldmask, lm_u64 trapno, lm_u64 err, lm_u64 cr2);
/* rt_sigreturn's part: restore rec from the frame at sp; 0 or -EFAULT. */
int lx_sig_restore_frame(struct lm_resume *rec, lm_u64 sp);

/* signal_deliver.c: wait (without a timer server: yield) until a signal
 * not blocked is pending, or one in `set`, or until the wall clock passes
 * deadline_ns (< 0: none); 1 if a signal came, 0 at the deadline. */
int lx_sig_wait(lm_u64 set, long deadline_ns);

#endif
