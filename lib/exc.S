/*
 * The user-mode side of exception upcalls (<lamina/exception.h>).
 *
 * lm_exc_entry: the kernel enters here with rdi = rsp = the 16-byte
 * aligned exception frame. Every general register is saved in the frame,
 * so this may clobber them all; the FPU/SSE state is not, so it is saved
 * here (FXSAVE, 512 bytes below the frame) around the handler: a handler is
 * ordinary C, which may use the XMM registers (a page copy does), and the
 * interrupted code may be in the middle of an SSE loop (a string compare
 * that touched a page not yet mapped). It calls the library OS's handler,
 * which may edit the frame (skip an instruction, map a page), then resumes
 * the frame.
 *
 * lm_exc_resume(frame): back to the interrupted code with no system call.
 * rip and rflags go onto the interrupted stack below its 128-byte red zone;
 * every register comes from the frame; `ret $128` then lands on rip with
 * rsp exactly as it was.
 */
#include <lamina/exception.h>

	.text
	.globl	lm_exc_entry
	.type	lm_exc_entry, @function
lm_exc_entry:
	mov	%rdi, %rbx			/* callee-saved: the frame */
	sub	$512, %rsp			/* stays 16-byte aligned */
	fxsave64 (%rsp)
	call	*lm_exc_handler(%rip)
	fxrstor64 (%rsp)
	mov	%rbx, %rdi
	/* fall through */

	.globl	lm_exc_resume
	.type	lm_exc_resume, @function
lm_exc_resume:
	mov	LM_EXC_RSP(%rdi), %rax
	sub	$144, %rax
	mov	LM_EXC_RFLAGS(%rdi), %rcx
	mov	%rcx, (%rax)
	mov	LM_EXC_RIP(%rdi), %rcx
	mov	%rcx, 8(%rax)
	mov	LM_EXC_REGS + 1 * 8(%rdi), %rbx
	mov	LM_EXC_REGS + 2 * 8(%rdi), %rcx
	mov	LM_EXC_REGS + 3 * 8(%rdi), %rdx
	mov	LM_EXC_REGS + 4 * 8(%rdi), %rsi
	mov	LM_EXC_REGS + 6 * 8(%rdi), %rbp
	mov	LM_EXC_REGS + 7 * 8(%rdi), %r8
	mov	LM_EXC_REGS + 8 * 8(%rdi), %r9
	mov	LM_EXC_REGS + 9 * 8(%rdi), %r10
	mov	LM_EXC_REGS + 10 * 8(%rdi), %r11
	mov	LM_EXC_REGS + 11 * 8(%rdi), %r12
	mov	LM_EXC_REGS + 12 * 8(%rdi), %r13
	mov	LM_EXC_REGS + 13 * 8(%rdi), %r14
	mov	LM_EXC_REGS + 14 * 8(%rdi), %r15
	mov	%rax, %rsp
	mov	LM_EXC_REGS + 0 * 8(%rdi), %rax
	mov	LM_EXC_REGS + 5 * 8(%rdi), %rdi
	popfq
	ret	$128
	.size	lm_exc_resume, . - lm_exc_resume

	.section .note.GNU-stack, "", @progbits
