/*
 * Kernel entry and exit. The kernel has one stack (per CPU) and no kernel
 * threads: every entry saves the user registers into the current thread's
 * frame (struct frame, arch.h) and every exit restores the frame of
 * whichever thread is current then. A thread that blocks or is preempted
 * therefore needs nothing saved beyond its frame.
 */
#include "layout.h"
#include "count.h"
#include "entry.h"
#include "tcb_off.h"
#include <lamina/exception.h>

/* The counting build (count.h) counts SYSCALL entries and returns to user
 * mode here; trap.c counts the rest. */
.macro COUNT_EVENT off
#ifdef LM_COUNT_EVENTS
	incq kcount+\off(%rip)
#endif
.endm

/* struct frame (arch.h), byte offsets. */
#define F_R15    0
#define F_R14    8
#define F_R13    16
#define F_R12    24
#define F_RBP    32
#define F_RBX    40
#define F_R11    48
#define F_R10    56
#define F_R9     64
#define F_R8     72
#define F_RAX    80
#define F_RCX    88
#define F_RDX    96
#define F_RSI    104
#define F_RDI    112
#define F_VECTOR 120
#define F_ERROR  128
#define F_RIP    136
#define F_RFLAGS 152
#define F_RSP    160

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

/* The registers a system call may return results in (docs/API.md), from
 * the frame at %rsp. */
.macro LOAD_RESULTS
	mov F_RAX(%rsp), %rax
	mov F_RDI(%rsp), %rdi
	mov F_RSI(%rsp), %rsi
	mov F_RDX(%rsp), %rdx
	mov F_R10(%rsp), %r10
	mov F_R8(%rsp), %r8
	mov F_R9(%rsp), %r9
.endm

/* The callee-saved registers, for a thread other than the one whose call
 * the C code ran, from the frame at %rsp. */
.macro LOAD_CALLEE_SAVED
	mov F_RBX(%rsp), %rbx
	mov F_RBP(%rsp), %rbp
	mov F_R12(%rsp), %r12
	mov F_R13(%rsp), %r13
	mov F_R14(%rsp), %r14
	mov F_R15(%rsp), %r15
.endm

/* The callee-saved registers into the frame at \base: a thread with no
 * gate enters its system calls without them (syscall_entry) and they are
 * stored here when it stops being current or leaves by IRETQ. */
.macro STORE_CALLEE_SAVED base, off=0
	mov %rbx, F_RBX+\off(\base)
	mov %rbp, F_RBP+\off(\base)
	mov %r12, F_R12+\off(\base)
	mov %r13, F_R13+\off(\base)
	mov %r14, F_R14+\off(\base)
	mov %r15, F_R15+\off(\base)
.endm

/* Leave by SYSRET with the frame at %rsp: it loads rip into rcx's place
 * and rflags into r11's, so their slots are never read. */
.macro SYSRET_FRAME
	mov F_RIP(%rsp), %rcx
	mov F_RFLAGS(%rsp), %r11
	mov F_RSP(%rsp), %rsp
	swapgs
	sysretq
.endm

	.text
/*
 * SYSCALL: rcx = user rip, r11 = user rflags, IF already cleared by FMASK.
 * The user stack is never touched. The registers go straight into the
 * current thread's frame (PCPU_SYS_TOP is the address of its ss slot):
 * rip, rflags, rsp, every general register but rcx and r11. Not written,
 * because they hold nothing new:
 *   - vector, which is FRAME_SYSCALL whenever the thread runs in user
 *     mode: a SYSRET leaves only a frame that has it (the exits test it),
 *     and the two other ways out write it (iret_frame after its pops,
 *     isr_exc_fast before its SYSRET), so the slot an interrupt or
 *     exception wrote never outlives the return to user mode;
 *   - cs and ss, which stay SEL_UCODE and SEL_UDATA (tcb_init; the CPU
 *     writes those same values on an interrupt or exception);
 *   - error, which only an exception frame has;
 *   - rcx and r11, which SYSCALL overwrote with rip and rflags: in a
 *     FRAME_SYSCALL frame those two slots are stale, and whatever hands
 *     the frame on as registers first copies rip and rflags there
 *     (frame_syscall_regs, arch.h), as SYSRET will.
 */
	.globl syscall_entry
syscall_entry:
	swapgs
	COUNT_EVENT KCOUNT_SYSCALLS
	mov %rsp, %gs:PCPU_USER_RSP
	mov %gs:PCPU_SYS_TOP, %rsp
	pushq %gs:PCPU_USER_RSP        /* frame.rsp; %rsp = frame + F_RSP */
	mov %r11, F_RFLAGS-F_RSP(%rsp)
	mov %rcx, F_RIP-F_RSP(%rsp)
	mov %rdi, F_RDI-F_RSP(%rsp)
	mov %rsi, F_RSI-F_RSP(%rsp)
	mov %rdx, F_RDX-F_RSP(%rsp)
	mov %rax, F_RAX-F_RSP(%rsp)
	mov %r8, F_R8-F_RSP(%rsp)
	mov %r9, F_R9-F_RSP(%rsp)
	mov %r10, F_R10-F_RSP(%rsp)
	lea -F_RSP(%rsp), %rdi         /* the frame, which starts cpu0.cur */
	mov %gs:PCPU_KSTACK, %rsp
#ifdef LM_COUNT_EVENTS
	STORE_CALLEE_SAVED %rdi
	call count_syscall             /* the same choices, in C, timed */
#else
	/*
	 * rbx, rbp and r12-r15 are left in the CPU: the C code preserves
	 * them, so they are still the caller's when it returns here, and they
	 * go into the frame only if another thread is current then (the
	 * caller's frame must be whole while it is not running) or the
	 * caller leaves by IRETQ. A call that ends in its own thread, the
	 * common case, never stores or loads them. A gated thread saves them
	 * all first: its filters, upcalls and restarts may read its frame
	 * (syscall.c; GATE_*, thread.h).
	 */
	cmpb $0, TCB_SYSGATE(%rdi)
	jne syscall_gated
	/*
	 * The IPC fast paths (fastpath.c) are called from here, not through
	 * syscall_dispatch, for a thread with no gate (filters see every call
	 * first; GATE_SLOW threads never take a fast path), through
	 * fastpath_table (whose entries all decline while the fast paths are
	 * disabled). rcx and rdx are free: SYSCALL left the user rip in rcx,
	 * and both were stored above. What a fast path returns (fastpath.c):
	 * NULL, it changed nothing, and the general path takes the call; f,
	 * the caller's frame, to leave as the general path does; or
	 * FP_MSG(f), f + 1, the receiver of its message is current now and
	 * leaves with the message registers of f and the rest of its own
	 * frame, the caller's callee-saved registers going into f.
	 */
	lea -SYS_FAST_FIRST(%rax), %rcx
	cmp $SYS_FAST_COUNT-1, %rcx
	ja 1f
	mov fastpath_table(%rip), %rdx
	call *(%rdx,%rcx,8)
	test $1, %al
	jnz fp_switch
	test %rax, %rax
	jnz syscall_exit
	mov %gs:PCPU_CUR, %rdi         /* unchanged by a fast path that fails */
	mov F_RAX(%rdi), %rax          /* the number again */
	/*
	 * The general path, syscall_general's (syscall.c) for a thread with
	 * no gate: the table's handler, and the usual end, LM_OK with no
	 * finalisation work left and no reschedule due, here; syscall_finish
	 * for any other end. The frame is kept on the kernel stack across
	 * the handler (rbx & co. are the caller's, not the kernel's to use).
	 */
1:	lea -SYS_BASE(%rax), %rcx
	cmp $SYS_COUNT-1, %rcx
	ja 7f
	push %rdi
	call *sys_table(,%rcx,8)
	pop %rdi
	mov cap_zombies(%rip), %rdx
	or %rax, %rdx
	jnz 8f
	movq $0, F_RAX(%rdi)           /* LM_OK */
	cmpb $0, need_resched(%rip)
	jne 9f
	mov %rdi, %rax
#endif
	/*
	 * It returned the frame it was given. If that is still the current
	 * thread's, to leave by SYSRET, only the result registers need
	 * loading: rbx, rbp and r12-r15 are the caller's still, since the C
	 * code preserved them, and nothing rewrote them in the frame (no
	 * kernel path writes the callee-saved registers of the thread whose
	 * call it is running: THREAD_WRITE_REGS refuses the caller itself).
	 * Otherwise another thread runs now: the caller's callee-saved
	 * registers into its frame, then all of the other's frame is loaded.
	 * (A caller that deleted its own TCB gets them too, into memory that
	 * nothing uses until a retype, which zeroes it.)
	 */
syscall_exit:
	cmp %gs:PCPU_CUR, %rax
	jne 5f
sysret_same:
	mov %rax, %rsp
	COUNT_EVENT KCOUNT_EXITS
	cmpq $-1, F_VECTOR(%rsp)
	jne 6f
	LOAD_RESULTS
	SYSRET_FRAME
5:	STORE_CALLEE_SAVED %rax
	jmp return_to_user
6:	STORE_CALLEE_SAVED %rsp        /* its own frame, left by IRETQ */
	jmp iret_frame
#ifndef LM_COUNT_EVENTS
	/* A number above the table's: LM_ENOSYS, its argument and detail 0,
	 * as syscall_unassigned answers it. Nothing else changed: the caller
	 * is current, its frame a SYSCALL frame, and no reschedule is due
	 * (every way into user mode leaves none), so it leaves at once. Below
	 * LM_SYS_BASE, another OS's number, the C code decides (reflection). */
7:	cmp $SYS_BASE, %rax
	jb 10f
	movq $SYS_ENOSYS, F_RAX(%rdi)
	movq $0, F_RDI(%rdi)
	movq $0, F_RSI(%rdi)
	mov %rdi, %rsp
	COUNT_EVENT KCOUNT_EXITS
	LOAD_RESULTS
	SYSRET_FRAME
10:	call syscall_unassigned
	jmp syscall_exit
8:	mov %rax, %rsi                 /* r: an error, a restart, or work left */
	call syscall_finish
	jmp syscall_exit
9:	push %rdi
	call schedule
	pop %rax
	jmp syscall_exit
syscall_gated:
	STORE_CALLEE_SAVED %rdi
	call syscall_gate
	jmp syscall_exit
fp_switch:                             /* %rax = FP_MSG(f) = f + 1 */
	STORE_CALLEE_SAVED %rax, -1
	mov %gs:PCPU_CUR, %rsp
	COUNT_EVENT KCOUNT_EXITS
	cmpq $-1, F_VECTOR(%rsp)
	jne 4f
	mov F_RDX-1(%rax), %rdx
	mov F_R10-1(%rax), %r10
	mov F_R8-1(%rax), %r8
	mov F_R9-1(%rax), %r9
	mov F_RAX(%rsp), %rax
	mov F_RDI(%rsp), %rdi
	mov F_RSI(%rsp), %rsi
	LOAD_CALLEE_SAVED
	SYSRET_FRAME
4:	/* A receiver to leave by IRETQ: the message words into its frame. */
	mov F_RDX-1(%rax), %rcx
	mov %rcx, F_RDX(%rsp)
	mov F_R10-1(%rax), %rcx
	mov %rcx, F_R10(%rsp)
	mov F_R8-1(%rax), %rcx
	mov %rcx, F_R8(%rsp)
	mov F_R9-1(%rax), %rcx
	mov %rcx, F_R9(%rsp)
	jmp iret_frame
#endif

/* Leave to the current thread: SYSRET if it entered by SYSCALL and nothing
 * rewrote its frame since, IRETQ otherwise. Its rip is then below
 * LM_USER_MAX, so SYSRET never sees a non-canonical address. */
	.globl return_to_user
return_to_user:
	mov %gs:PCPU_CUR, %rsp
	COUNT_EVENT KCOUNT_EXITS
	cmpq $-1, F_VECTOR(%rsp)
	jne iret_frame
	LOAD_RESULTS
	LOAD_CALLEE_SAVED
	SYSRET_FRAME
iret_frame:                            /* the frame at %rsp, by IRETQ */
	POP_GPRS
	movq $-1, (%rsp)               /* vector: FRAME_SYSCALL in user mode */
	add $16, %rsp
	swapgs
	iretq

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
	jz isr_kernel
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
isr_kernel:
	PUSH_GPRS
	mov %rsp, %rdi
	call trap_kernel
	POP_GPRS
	add $16, %rsp
	iretq

/*
 * The exception fast path (after Aegis): an exception from user mode of a
 * thread with an in-process handler writes the exception frame straight
 * to the thread's exception stack by its user address and leaves to the
 * handler by SYSRET, with no C and no page-table walk. It makes the same
 * choices as upcall.c's push_frame, which stays the authority: anything
 * out of the ordinary (no handler, a reschedule due, the frame would not
 * fit) goes to trap_user, and a store that faults to trap_exception.
 *
 * Why a user address is safe here: [exc_top - exc_size, exc_top) was
 * checked to lie inside [LM_USER_MIN, LM_USER_MAX) when it was set
 * (THREAD_SET_EXCEPTION), and the frame is written only if it lies wholly
 * inside it, so the address is canonical, below the kernel half, and maps
 * only what the thread itself could write (every user mapping has U; CR0.WP
 * makes a read-only page fault in the kernel too). CR3 is the thread's own
 * address space, or the dead one if its ID was taken back (asid.c).
 * With SMAP, STAC opens user pages for the copy only; SYSRET loads user
 * rflags, closing them again. A store that faults (page absent or
 * read-only) is a kernel #PF at an instruction in the exception table:
 * trap_kernel resumes at exc_fast_fault with the registers as they were,
 * which hands the exception to trap_exception with the original fault
 * address; push_frame then finds the stack unusable the slow way and the
 * thread stops with LM_FAULT_EXC_STACK, as it did before there was a fast
 * path. The part of the frame already written is on the thread's own
 * stack.
 *
 * On entry the vector and error code are pushed; %rsp is in the TCB, at
 * the frame's vector slot.
 */
.macro USTORE src, off
1:	movq \src, \off(%rax)
	.pushsection .ex_table, "a"
	.quad 1b, exc_fast_fault
	.popsection
.endm

/* A frame field from the TCB copy (through %rcx) to the user frame. */
.macro UCOPY foff, off
	mov \foff(%rdi), %rcx
	USTORE %rcx, \off
.endm

/* The registers the fast path leaves live (it changes none of them), into
 * the frame at %rdi: with the five it saved, what PUSH_GPRS would store. */
.macro SAVE_REST
	mov %r8, F_R8(%rdi)
	mov %r9, F_R9(%rdi)
	mov %r10, F_R10(%rdi)
	mov %r11, F_R11(%rdi)
	mov %r12, F_R12(%rdi)
	mov %r13, F_R13(%rdi)
	mov %r14, F_R14(%rdi)
	mov %r15, F_R15(%rdi)
	mov %rbx, F_RBX(%rdi)
	mov %rbp, F_RBP(%rdi)
.endm

isr_exc_fast:
	cld
	.globl isr_exc_clac
isr_exc_clac:
	nopl (%rax)                    /* clac where there is SMAP (cpu.c) */
	testb $3, 24(%rsp)
	jz isr_kernel
	swapgs
	/* %rsp is &frame.vector. Only the registers used as scratch below go
	 * into the frame now; the others stay live and untouched until SYSRET,
	 * and the way to the C path (SAVE_REST) stores them. */
	mov %rdi, F_RDI-F_VECTOR(%rsp)
	mov %rsi, F_RSI-F_VECTOR(%rsp)
	mov %rdx, F_RDX-F_VECTOR(%rsp)
	mov %rcx, F_RCX-F_VECTOR(%rsp)
	mov %rax, F_RAX-F_VECTOR(%rsp)
	lea -F_VECTOR(%rsp), %rdi      /* the frame; the TCB around it */
	mov %gs:PCPU_KSTACK, %rsp      /* a kernel #PF below pushes here */
	mov T_EXC_TOP(%rdi), %rcx      /* 0 iff no handler */
	test %rcx, %rcx
	jz exc_slow
	cmpb $0, need_resched(%rip)
	jne exc_slow
	/* sp: the top, or below the red zone when nested (push_frame) */
	mov T_EXC_SIZE(%rdi), %rsi
	mov %rcx, %rdx
	sub %rsi, %rdx                 /* base */
	mov F_RSP(%rdi), %rax
	cmp %rcx, %rax
	ja 1f                          /* above the top: not nested */
	add $4096, %rax
	cmp %rdx, %rax
	jbe 1f                         /* a page or more below: not nested */
	lea -4096-128(%rax), %rcx
1:	lea -LM_EXC_FRAME_SIZE(%rcx), %rax
	and $-16, %rax                 /* at */
	/* base <= at <= top - frame size, in one unsigned compare (it also
	 * refuses an sp that wrapped below 0) */
	sub $LM_EXC_FRAME_SIZE, %rsi
	mov %rax, %rcx
	sub %rdx, %rcx
	cmp %rsi, %rcx
	ja exc_slow
	xor %edx, %edx                 /* addr: CR2 for a page fault */
	cmpq $14, F_VECTOR(%rdi)
	jne 2f
	mov %cr2, %rdx
2:	.globl isr_exc_stac
isr_exc_stac:
	nopl (%rax)                    /* stac where there is SMAP (cpu.c) */
	UCOPY F_VECTOR, 0
	UCOPY F_ERROR, 8
	USTORE %rdx, 16
	USTORE %rbx, LM_EXC_REGS+1*8 /* the user's own, still live */
	UCOPY F_RAX, LM_EXC_REGS+0*8
	UCOPY F_RCX, LM_EXC_REGS+2*8
	UCOPY F_RDX, LM_EXC_REGS+3*8
	UCOPY F_RSI, LM_EXC_REGS+4*8
	UCOPY F_RDI, LM_EXC_REGS+5*8
	USTORE %rbp, LM_EXC_REGS+6*8
	USTORE %r8, LM_EXC_REGS+7*8
	USTORE %r9, LM_EXC_REGS+8*8
	USTORE %r10, LM_EXC_REGS+9*8
	USTORE %r11, LM_EXC_REGS+10*8
	USTORE %r12, LM_EXC_REGS+11*8
	USTORE %r13, LM_EXC_REGS+12*8
	USTORE %r14, LM_EXC_REGS+13*8
	USTORE %r15, LM_EXC_REGS+14*8
	UCOPY F_RIP, LM_EXC_RIP
	UCOPY F_RSP, LM_EXC_RSP
	UCOPY T_FS_BASE, LM_EXC_REGS+18*8
	UCOPY T_GS_BASE, LM_EXC_REGS+19*8
	UCOPY F_RFLAGS, LM_EXC_RFLAGS
	USTORE $0, 24                  /* pad; the last store */
	mov F_RFLAGS(%rdi), %r11
	and $~0x500, %r11              /* TF, DF: the handler starts clean */
	mov T_EXC_ENTRY(%rdi), %rcx    /* below LM_USER_MAX: SYSRET is safe */
	/* The handler starts with every register as it was but rdi and rsp
	 * (the frame) and rcx and r11 (SYSRET's): as push_frame leaves them */
	mov %rax, %rsp
	mov F_RAX(%rdi), %rax
	mov F_RDX(%rdi), %rdx
	mov F_RSI(%rdi), %rsi
	movq $-1, F_VECTOR(%rdi)       /* FRAME_SYSCALL in user mode (syscall_entry) */
	mov %rsp, %rdi
	COUNT_EVENT KCOUNT_EXCEPTIONS
	COUNT_EVENT KCOUNT_EXITS
	swapgs
	sysretq

/* A store above faulted: trap_kernel resumed here, registers unchanged. */
exc_fast_fault:
	.globl isr_exc_fault_clac
isr_exc_fault_clac:
	nopl (%rax)                    /* clac where there is SMAP (cpu.c) */
	SAVE_REST
	mov %rdx, %rsi                 /* the exception's address, not CR2's */
	call trap_exception
	jmp return_to_user
exc_slow:
	SAVE_REST
#ifdef LM_COUNT_EVENTS
	call count_trap
#else
	call trap_user
#endif
	jmp return_to_user

.macro ISR n
	.align 16
isr\n:
	.if (\n == 8 || \n == 10 || \n == 11 || \n == 12 || \n == 13 || \n == 14 || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	/* Exceptions a handler may take go by the fast path; not #DB, NMI,
	 * #NM (lazy FPU), #DF, #MC, nor interrupts. */
	.if (\n == 0 || \n == 3 || \n == 4 || \n == 5 || \n == 6 || \n == 13 || \n == 14 || \n == 16 || \n == 17 || \n == 19)
	jmp isr_exc_fast
	.else
	jmp isr_common
	.endif
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
