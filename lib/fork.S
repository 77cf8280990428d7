/*
 * lm_fork_save(struct lm_regs *r): store the callee-saved registers, the
 * stack pointer and the return address as they will be after this call
 * returns, and return 1. A thread started from *r with rax = 0 looks as
 * if this call had returned 0: that is how lm_fork's child begins.
 */
	.text
	.globl	lm_fork_save
	.type	lm_fork_save, @function
lm_fork_save:
	mov	%rbx, 8(%rdi)
	mov	%rbp, 48(%rdi)
	mov	%r12, 88(%rdi)
	mov	%r13, 96(%rdi)
	mov	%r14, 104(%rdi)
	mov	%r15, 112(%rdi)
	mov	(%rsp), %rax
	mov	%rax, 120(%rdi)			/* rip */
	lea	8(%rsp), %rax
	mov	%rax, 128(%rdi)			/* rsp */
	mov	$1, %eax
	ret
	.size	lm_fork_save, . - lm_fork_save

	.section .note.GNU-stack, "", @progbits
