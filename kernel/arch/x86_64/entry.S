/*
 * Kernel entry and exit. The kernel has one stack (per CPU) and no kernel
 * threads: every entry saves the user registers into the current thread's
 * frame (struct frame, arch.h) and every exit restores the frame of
 * whichever thread is current then. A thread that blocks or is preempted
 * therefore needs nothing saved beyond its frame.
 */
#include "layout.h"
#include "count.h"

/* The counting build (count.h) counts SYSCALL entries and returns to user
 * mode here; trap.c counts the rest. */
.macro COUNT_EVENT off
#ifdef LM_COUNT_EVENTS
	incq kcount+\off(%rip)
#endif
.endm

#define PCPU_USER_RSP  0
#define PCPU_FRAME_TOP 8
#define PCPU_KSTACK    16
#define PCPU_FRAME     24
#define F_VECTOR       (15 * 8)

.macro PUSH_GPRS
	push %rdi
	push %rsi
	push %rdx
	push %rcx
	push %rax
	push %r8
	push %r9
	push %r10
	push %r11
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
.endm

.macro POP_GPRS
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rax
	pop %rcx
	pop %rdx
	pop %rsi
	pop %rdi
.endm

	.text
/* SYSCALL: rcx = user rip, r11 = user rflags, IF already cleared by FMASK.
 * The user stack is never touched. */
	.globl syscall_entry
syscall_entry:
	swapgs
	COUNT_EVENT KCOUNT_SYSCALLS
	mov %rsp, %gs:PCPU_USER_RSP
	mov %gs:PCPU_FRAME_TOP, %rsp
	pushq $SEL_UDATA
	pushq %gs:PCPU_USER_RSP
	push %r11
	pushq $SEL_UCODE
	push %rcx
	pushq $0
	pushq $-1                      /* FRAME_SYSCALL */
	PUSH_GPRS
	mov %rsp, %rdi
	mov %gs:PCPU_KSTACK, %rsp
#ifdef LM_COUNT_EVENTS
	call count_syscall
#else
	call syscall_dispatch
#endif
	/* fall through */

/* Leave to the current thread: SYSRET if it entered by SYSCALL and nothing
 * rewrote its frame since, IRETQ otherwise. Its rip is then below
 * LM_USER_MAX, so SYSRET never sees a non-canonical address. */
	.globl return_to_user
return_to_user:
	mov %gs:PCPU_FRAME, %rsp
	COUNT_EVENT KCOUNT_EXITS
	cmpq $-1, F_VECTOR(%rsp)
	je 1f
	POP_GPRS
	add $16, %rsp
	swapgs
	iretq
1:	POP_GPRS
	mov 16(%rsp), %rcx             /* rip */
	mov 32(%rsp), %r11             /* rflags */
	mov 40(%rsp), %rsp             /* rsp */
	swapgs
	sysretq

/* Interrupts and exceptions. From user mode the CPU has pushed the
 * hardware frame into the current TCB (TSS.rsp0); from kernel mode (only
 * the idle loop runs with interrupts on, anything else is a kernel bug) it
 * pushed onto the kernel stack and we return there. */
isr_common:
	/* The C code assumes DF clear (string instructions copy forwards),
	 * and with SMAP on, AC clear (else user pages are open to it): an
	 * interrupt gate clears IF and TF but keeps user mode's DF and AC. */
	cld
	.globl isr_clac
isr_clac:
	nopl (%rax)                    /* 3 bytes: clac where there is SMAP (cpu.c) */
	testb $3, 24(%rsp)
	jz 2f
	swapgs
	PUSH_GPRS
	mov %rsp, %rdi
	mov %gs:PCPU_KSTACK, %rsp
#ifdef LM_COUNT_EVENTS
	call count_trap
#else
	call trap_user
#endif
	jmp return_to_user
2:	PUSH_GPRS
	mov %rsp, %rdi
	call trap_kernel
	POP_GPRS
	add $16, %rsp
	iretq

.macro ISR n
	.align 16
isr\n:
	.if (\n == 8 || \n == 10 || \n == 11 || \n == 12 || \n == 13 || \n == 14 || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	jmp isr_common
.endm

.altmacro
.macro ISR_RANGE from, to
	ISR \from
	.if \to-\from
	ISR_RANGE %(\from+1), \to
	.endif
.endm
	ISR_RANGE 0, 63
	ISR 255

.macro ISR_ADDR n
	.quad isr\n
.endm
.macro ISR_ADDRS from, to
	ISR_ADDR \from
	.if \to-\from
	ISR_ADDRS %(\from+1), \to
	.endif
.endm
	.section .rodata
	.globl isr_table
isr_table:
	ISR_ADDRS 0, 63
	.globl isr_spurious
isr_spurious:
	.quad isr255

	.section .note.GNU-stack, "", @progbits
