/*
 * lm_reflect_entry: where the kernel sends a reflected system call
 * (lm/reflect.h). On entry every register is the caller's except rip:
 * rax = the call's number, rdi rsi rdx r10 r8 r9 = its arguments,
 * rcx = the return address, r11 = the caller's rflags, rsp = the caller's
 * stack, whose 128-byte red zone is live. DF is clear.
 *
 * Below the red zone it pushes a struct lm_sysargs (rax and the arguments,
 * rbx, r11, rcx), keeps its address in rbx (callee-saved, so it survives
 * the handler), FXSAVEs the FPU/SSE state on a 16-byte aligned area below
 * (the handler is ordinary C; a Linux system call leaves the vector
 * registers alone) and calls the handler. Back, it restores everything,
 * loads r11 and rflags from the saved flags, and jumps to rcx with rsp as
 * it was: registers as after a Linux SYSCALL.
 */

	.text
	.globl	lm_reflect_entry
	.type	lm_reflect_entry, @function
lm_reflect_entry:
	lea	-128(%rsp), %rsp		/* past the red zone */
	push	%rcx				/* rip */
	push	%r11				/* rflags */
	push	%rbx
	push	%r9
	push	%r8
	push	%r10
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rax				/* nr: struct lm_sysargs */
	mov	%rsp, %rbx
	sub	$512, %rsp
	and	$-16, %rsp
	fxsave64 (%rsp)
	mov	%rbx, %rdi
	call	*lm_reflect_handler(%rip)
	fxrstor64 (%rsp)
	lea	8(%rbx), %rsp			/* skip nr: rax is the result */
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%r10
	pop	%r8
	pop	%r9
	pop	%rbx
	mov	(%rsp), %r11
	popfq
	pop	%rcx
	lea	128(%rsp), %rsp			/* lea: the flags stay as restored */
	jmp	*%rcx
	.size	lm_reflect_entry, . - lm_reflect_entry

	.section .note.GNU-stack, "", @progbits
