/*
 * Program entry. The kernel (for root) or lm_spawn (for everything else)
 * starts a program at _start with rdi = an argument word and rsp = the top
 * of a mapped stack. <lamina/syscall.h> is C-only, so the one system-call
 * number used here is spelled out; lib/thread.c asserts that it matches.
 */
#define SYS_THREAD_EXIT 0x1015 /* LM_SYS_THREAD_EXIT */

	.text
	.globl	_start
	.type	_start, @function
_start:
	xor	%ebp, %ebp		/* end of the frame-pointer chain */
	and	$-16, %rsp		/* SysV: rsp % 16 == 0 before a call */
	call	lm_start		/* lib/start.c: set up, then main(rdi) */
	movslq	%eax, %rdi		/* exit code = main's result */
	mov	$SYS_THREAD_EXIT, %eax
	syscall
	ud2				/* exit does not return */
	.size	_start, . - _start

/*
 * Where a thread started by lm_thread_start() goes when its function
 * returns: lm_thread_start pushes this address as the function's return
 * address, so the thread exits with the function's result.
 */
	.globl	lm_thread_return
	.type	lm_thread_return, @function
lm_thread_return:
	mov	%rax, %rdi
	mov	$SYS_THREAD_EXIT, %eax
	syscall
	ud2
	.size	lm_thread_return, . - lm_thread_return

	.section .note.GNU-stack, "", @progbits
