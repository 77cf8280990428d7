/*
 * Zeroing kernel objects and frames with 16-byte SSE stores (cpu.c's
 * kzero is the one caller; the why is in docs/DESIGN.md, "The kernel's
 * use of vector registers").
 *
 * zero_sse(d, n): d 16-byte aligned, n a non-zero multiple of 1 KiB.
 * Under icount every instruction counts one, and `rep stosq` counts one
 * per 8 bytes: this loop is 66 instructions per KiB against 128.
 *
 * xmm0 holds some thread's state (the FPU owner's, whoever that is: the
 * kernel switches FPU state lazily), so it is kept on the stack and put
 * back; nothing else of the FPU/SSE state is touched (xorps and stores
 * change no flags of MXCSR and raise no SIMD exception). CR0.TS must be
 * clear on entry (kzero). Interrupts are off in the kernel, so nothing
 * can see the zero in xmm0 before it is put back.
 */
	.text
	.globl zero_sse
	.type zero_sse, @function
zero_sse:
	sub	$24, %rsp
	movups	%xmm0, (%rsp)
	xorps	%xmm0, %xmm0
	add	%rsi, %rdi	/* rdi: the end; rsi counts up from -n to 0 */
	neg	%rsi
1:
	.set	off, 0
	.rept	64
	movaps	%xmm0, off(%rdi,%rsi)
	.set	off, off + 16
	.endr
	add	$1024, %rsi
	jnz	1b
	movups	(%rsp), %xmm0
	add	$24, %rsp
	ret
	.size zero_sse, . - zero_sse
	.section .note.GNU-stack, "", @progbits
