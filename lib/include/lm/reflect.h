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
#include <lamina/regs.h>
#include <lm/fpu.h>

struct lm_resume;
/* The exit hook's type (see lm_reflect_exit below). */
typedef const struct lm_resume *(*lm_reflect_exit_fn)(struct lm_regs *r,
						     struct lm_fpu_state *fx);

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
	lm_reflect_exit_fn exit; /* 0 at entry: this call's exit hook, if set */
};

typedef long (*lm_reflect_fn)(struct lm_sysargs *a);

/* The caller's stack pointer at the SYSCALL: the entry put *a right below
 * the 128-byte red zone. */
static inline lm_u64 lm_sysargs_rsp(const struct lm_sysargs *a)
{
	return (lm_u64)(a + 1) + 128;
}

/*
 * A whole thread state to go to (lm_resume): every register of `regs`
 * but fs_base and gs_base (left as they are), rip, rsp and rflags (user
 * bits only) included, and the FPU/SSE state `fx`. Before loading them,
 * copy_len bytes are copied from copy_src to copy_dst: that is how a
 * library OS puts a frame (a Linux signal frame) on the stack the handler
 * itself runs on. The copy runs on the record's own stack[], so the record
 * must not lie in what is copied over (static memory is the usual place).
 * lm_resume also writes 16 bytes just below regs.rsp - 128.
 */
struct lm_resume {
	lm_u64 copy_dst, copy_src, copy_len, pad;
	struct lm_regs regs;    /* where an exception frame has its regs */
	struct lm_fpu_state fx;
	lm_u64 stack[32];       /* lm_resume's own, for the copy */
} __attribute__((aligned(16)));

__attribute__((noreturn)) void lm_resume(const struct lm_resume *r);

/*
 * The exit hook: a handler that must not simply return to the caller (to
 * enter a signal handler, or to return from one) sets a->exit (the call's
 * own, so threads of one process never see each other's) or the process's
 * lm_reflect_exit (single-threaded users; the entry clears it) before
 * returning; a->exit wins. The entry calls it with the caller's
 * whole state as it would be after an ordinary return (r->rax = the
 * handler's result, rcx = rip, r11 = rflags; fs_base and gs_base read as
 * 0) and its FPU/SSE state, both on the caller's stack below the red
 * zone. The hook returns 0 to return as usual (rax = the handler's
 * result; changes to *r are ignored, the FPU state is reloaded from *fx)
 * or a record for lm_resume. While both are unset a reflected
 * call costs two compares more.
 */
extern lm_reflect_exit_fn lm_reflect_exit;

extern lm_reflect_fn lm_reflect_handler;

/* Make fn the process's handler and send tcb's foreign calls to it; fn 0
 * turns reflection off for tcb (foreign calls fail with LM_ENOSYS). */
int lm_reflect_install(lm_cptr_t tcb, lm_reflect_fn fn);

void lm_reflect_entry(void);

#endif
