/*
 * User-level thread contexts (lib/uthread.c). A context is a struct
 * lm_exc_frame and a 512-byte FXSAVE area, so a thread that was preempted
 * (its frame came from the kernel) and one that gave way by itself (saved
 * here) are resumed the same way.
 *
 * lm_uth_save(ctx, fx): like setjmp: returns 0 now, 1 when ctx is resumed.
 * Keeps what a call must preserve (rbx, rbp, r12-r15, rsp, the FPU/SSE
 * state); the rest is dead across the call anyway.
 *
 * lm_uth_load(ctx, word, fx): load the FPU/SSE state from fx and resume
 * ctx, storing 0 to *word once off the current stack
 * (lm_exc_resume_release). [lm_uth_load, lm_uth_load_end) and lm_exc.S's
 * resume are where an upcall finds a switch half done: the handler then
 * lets it finish (resumes the frame at once).
 */
#include <lamina/exception.h>

	.text
	.globl	lm_uth_save
	.type	lm_uth_save, @function
lm_uth_save:
	fxsave64 (%rsi)
	mov	%rbx, LM_EXC_REGS + 1 * 8(%rdi)
	mov	%rbp, LM_EXC_REGS + 6 * 8(%rdi)
	mov	%r12, LM_EXC_REGS + 11 * 8(%rdi)
	mov	%r13, LM_EXC_REGS + 12 * 8(%rdi)
	mov	%r14, LM_EXC_REGS + 13 * 8(%rdi)
	mov	%r15, LM_EXC_REGS + 14 * 8(%rdi)
	lea	8(%rsp), %rax
	mov	%rax, LM_EXC_RSP(%rdi)
	mov	(%rsp), %rax
	mov	%rax, LM_EXC_RIP(%rdi)
	pushfq
	pop	%rax
	mov	%rax, LM_EXC_RFLAGS(%rdi)
	movq	$1, LM_EXC_REGS + 0 * 8(%rdi)	/* what it returns when resumed */
	xor	%eax, %eax
	ret
	.size	lm_uth_save, . - lm_uth_save

	.globl	lm_uth_load
	.type	lm_uth_load, @function
lm_uth_load:
	fxrstor64 (%rdx)
	jmp	lm_exc_resume_release
	.globl	lm_uth_load_end
lm_uth_load_end:
	.size	lm_uth_load, . - lm_uth_load

	.section .note.GNU-stack, "", @progbits
