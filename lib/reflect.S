/*
 * lm_reflect_entry: where the kernel sends a reflected system call
 * (lm/reflect.h). On entry every register is the caller's except rip:
 * rax = the call's number, rdi rsi rdx r10 r8 r9 = its arguments,
 * rcx = the return address, r11 = the caller's rflags, rsp = the caller's
 * stack, whose 128-byte red zone is live. DF is clear.
 *
 * Below the red zone it pushes a struct lm_sysargs (rax and the arguments,
 * rbx, r11, rcx, and a zero exit hook), keeps its address in rbx (callee-saved, so it survives
 * the handler), FXSAVEs the FPU/SSE state on a 16-byte aligned area below
 * (the handler is ordinary C; a Linux system call leaves the vector
 * registers alone) and calls the handler. Back, it restores everything,
 * loads r11 and rflags from the saved flags, and jumps to rcx with rsp as
 * it was: registers as after a Linux SYSCALL.
 *
 * The exit hook (lm/reflect.h): if the handler set a->exit (this call's,
 * on this thread's stack: safe with several threads) or lm_reflect_exit
 * (which the entry then clears), before restoring anything the entry writes the caller's
 * whole state as it would be after the return (a struct lm_regs) below the
 * FXSAVE image and calls the hook with both. The hook returns 0 (return
 * as usual: rax = the handler's result) or a struct lm_resume to load
 * instead (lm_resume). The common path pays two compares for this.
 */

	.text
	.globl	lm_reflect_entry
	.type	lm_reflect_entry, @function
lm_reflect_entry:
	lea	-128(%rsp), %rsp		/* past the red zone */
	pushq	$0				/* exit: this call's hook */
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
	mov	80(%rbx), %rcx			/* this call's hook (a->exit) */
	test	%rcx, %rcx
	jnz	.Lexit
	mov	lm_reflect_exit(%rip), %rcx	/* or the process's one */
	test	%rcx, %rcx
	jnz	.Lexit_global
.Lreturn:
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
	lea	8 + 128(%rsp), %rsp		/* exit, the red zone (lea: flags kept) */
	jmp	*%rcx

	/* rbx = the struct lm_sysargs, rsp = the FXSAVE image, rax = result,
	 * rcx = the hook; rbp, r12-r15 are the caller's again (callee-saved). */
.Lexit_global:
	movq	$0, lm_reflect_exit(%rip)
.Lexit:
	mov	%rsp, %rsi			/* the FXSAVE image */
	push	%rax				/* the result, kept from the hook */
	push	%rcx				/* the hook */
	sub	$160, %rsp			/* struct lm_regs (lamina/regs.h) */
	mov	%rax, 0(%rsp)
	mov	56(%rbx), %rcx
	mov	%rcx, 8(%rsp)			/* rbx */
	mov	72(%rbx), %rcx
	mov	%rcx, 16(%rsp)			/* rcx = rip, as after SYSCALL */
	mov	%rcx, 120(%rsp)			/* rip */
	mov	24(%rbx), %rcx
	mov	%rcx, 24(%rsp)			/* rdx */
	mov	16(%rbx), %rcx
	mov	%rcx, 32(%rsp)			/* rsi */
	mov	8(%rbx), %rcx
	mov	%rcx, 40(%rsp)			/* rdi */
	mov	%rbp, 48(%rsp)
	mov	40(%rbx), %rcx
	mov	%rcx, 56(%rsp)			/* r8 */
	mov	48(%rbx), %rcx
	mov	%rcx, 64(%rsp)			/* r9 */
	mov	32(%rbx), %rcx
	mov	%rcx, 72(%rsp)			/* r10 */
	mov	64(%rbx), %rcx
	mov	%rcx, 80(%rsp)			/* r11 = rflags, as after SYSCALL */
	mov	%rcx, 136(%rsp)			/* rflags */
	mov	%r12, 88(%rsp)
	mov	%r13, 96(%rsp)
	mov	%r14, 104(%rsp)
	mov	%r15, 112(%rsp)
	lea	88 + 128(%rbx), %rcx
	mov	%rcx, 128(%rsp)			/* rsp as it was at the SYSCALL */
	movq	$0, 144(%rsp)			/* fs_base, gs_base: not restored */
	movq	$0, 152(%rsp)
	mov	%rsp, %rdi
	call	*160(%rsp)			/* rsp is 16-byte aligned here */
	mov	%rax, %rdi
	test	%rax, %rax
	jnz	lm_resume
	mov	168(%rsp), %rax			/* the result */
	add	$176, %rsp
	jmp	.Lreturn
	.size	lm_reflect_entry, . - lm_reflect_entry

/*
 * lm_resume(r): load a whole thread state from a struct lm_resume and go
 * there (lm/reflect.h). It first moves rsp to the record's own scratch
 * stack (its end), so that the copy may overwrite the stack this was
 * called on; a page fault during the copy is served on the exception stack
 * and resumed here (lm_exc_resume writes below the scratch rsp). Then the
 * FXSAVE image, then every register from r->regs through lm_exc_resume
 * (the record's regs sit where an exception frame's do).
 */
	.globl	lm_resume
	.type	lm_resume, @function
lm_resume:
	mov	%rdi, %rdx
	lea	960(%rdx), %rsp			/* sizeof(struct lm_resume) */
	mov	0(%rdx), %rdi			/* copy_dst */
	mov	8(%rdx), %rsi			/* copy_src */
	mov	16(%rdx), %rcx			/* copy_len */
	cld
	rep movsb
	fxrstor64 192(%rdx)			/* fx */
	mov	%rdx, %rdi
	jmp	lm_exc_resume
	.size	lm_resume, . - lm_resume

	.section .note.GNU-stack, "", @progbits
