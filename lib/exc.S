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
 * rip, rflags, rax, rdi (and a word's address, below) go onto the
 * interrupted stack below its 128-byte red zone; every other register
 * comes from the frame; once rsp is the interrupted stack, the rest comes
 * from there, and `ret $128` lands on rip with rsp exactly as it was.
 * Nothing is read from the frame after rsp has left the stack it is on:
 * a scheduling upcall (THREAD_SET_UPCALLS) that arrives then starts a new
 * frame at the top of the exception stack, where this one may have been,
 * and resuming that one from the same rip finishes this sequence right.
 * Before that, an upcall nests below this stack pointer and leaves the
 * frame alone; either way the sequence may be restarted where it was.
 *
 * lm_exc_resume_release(frame, word): the same, and stores 0 to *word once
 * rsp is the interrupted stack, not before: a user-level thread package
 * (lib/uthread.c) releases its lock there, when no other kernel thread can
 * then start running on the stack this one is leaving.
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

/* The resume sequence; with release, *rsi = 0 once on the new stack. */
.macro RESUME release
	/* A nested frame may end just below the interrupted red zone: the
	 * stores below then land on its rip, rsp and rflags, read first. */
	mov	LM_EXC_RSP(%rdi), %rax
	sub	$160, %rax
	mov	LM_EXC_RIP(%rdi), %rcx
	mov	LM_EXC_RFLAGS(%rdi), %rdx
	.if \release
	mov	%rsi, -8(%rax)
	.endif
	mov	%rdx, 16(%rax)
	mov	%rcx, 24(%rax)
	mov	LM_EXC_REGS + 5 * 8(%rdi), %rcx
	mov	%rcx, (%rax)
	mov	LM_EXC_REGS + 0 * 8(%rdi), %rcx
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
	.if \release
	lea	-8(%rax), %rsp
	pop	%rax
	movq	$0, (%rax)
	.else
	mov	%rax, %rsp
	.endif
	pop	%rdi
	pop	%rax
	popfq
	ret	$128
.endm

	.globl	lm_exc_resume
	.type	lm_exc_resume, @function
lm_exc_resume:
	RESUME 0
	.globl	lm_exc_resume_release
lm_exc_resume_release:
	RESUME 1
	.globl	lm_exc_resume_end
lm_exc_resume_end:
	.size	lm_exc_resume, . - lm_exc_resume

	.section .note.GNU-stack, "", @progbits
