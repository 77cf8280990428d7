/*
 * What kernel/ may use of the CPU. Everything x86-specific stays behind
 * this header.
 */
#ifndef ARCH_H
#define ARCH_H

#include "kernel.h"
#include "layout.h"
#include "asm.h"

/*
 * The user register frame, saved at the start of each thread's TCB. The
 * CPU pushes rip..ss itself (TSS.rsp0 points just past ss of the current
 * thread), entry.S pushes the rest, so entering the kernel writes the
 * registers straight into the TCB. The order is fixed by entry.S.
 */
struct frame {
	u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	u64 vector; /* FRAME_SYSCALL, or the interrupt/exception vector */
	u64 error;
	u64 rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct frame) == 22 * 8, "entry.S frame layout");

/* vector value for a thread that entered by SYSCALL: it may leave by the
 * faster SYSRET (rcx and r11 are the caller's to lose). */
#define FRAME_SYSCALL ((u64)-1)
#define FRAME_IRET    0

#define RFLAGS_IF 0x200ull

/* Per-CPU data reached through %gs in the kernel; entry.S uses the first
 * four fields at fixed offsets (entry.h). */
struct tcb;
struct percpu {
	u64 user_rsp;   /* 0: scratch for syscall entry */
	u64 sys_top;    /* 8: the current thread's frame.ss: SYSCALL entry pushes below it */
	u64 kstack_top; /* 16: the kernel stack */
	struct tcb *cur; /* 24: the current thread; its frame starts its TCB */
	u64 fs_loaded, gs_loaded;
	struct tcb *fpu_owner; /* whose state is in the FPU registers */
	u64 cr0;               /* CR0 as last written (fpu_switch, switch.h) */
	u64 cr3_pml4;          /* the PML4 CR3 points at (without PCID bits) */
};
extern struct percpu cpu0;

/* CPU features found by CPUID (LM_CPU_* bits of bootinfo.h). */
extern u32 cpu_features;
extern u64 tsc_khz;

void serial_init(void);
void serial_putc(char c);
void cpu_init(void);
/* The TSS: rsp0 is where an interrupt or exception from user mode pushes
 * (just past the current thread's frame). */
struct tss {
	u32 reserved0;
	u64 rsp0, rsp1, rsp2;
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3, iomap_base;
} __attribute__((packed));

extern struct tss tss;

/* Make f the frame that the next user entry saves into. */
static inline void cpu_set_frame(struct frame *f)
{
	cpu0.sys_top = (u64)&f->ss;
	tss.rsp0 = (u64)(f + 1);
}

/*
 * A frame saved by SYSCALL (vector FRAME_SYSCALL) has stale rcx and r11
 * slots (entry.S does not store them): the user's rcx and r11 are its rip
 * and rflags, which SYSRET loads into them. Whatever hands such a frame on
 * as registers (reads it, pushes it to an exception stack, turns it into
 * an IRETQ frame) calls this first.
 */
static inline void frame_syscall_regs(struct frame *f)
{
	if (f->vector == FRAME_SYSCALL) {
		f->rcx = f->rip;
		f->r11 = f->rflags;
	}
}
void apic_init(void);
void timer_start(void);
void timer_rearm(void);
void apic_eoi(void);
__attribute__((noreturn)) void return_to_user(void);

void fpu_init_state(void *fxarea);
void zero_sse(void *d, u64 n); /* zero.S */
void kzero(void *d, u64 n);
void arch_idle(void);
void backtrace(u64 rip, u64 rbp);
__attribute__((noreturn)) void qemu_exit(u8 code);

/* kmap.c: the kernel half after boot (image, NX direct map) and the code
 * window for JIT'ed eBPF. */
void kmap_init(void);
u64 codewin_map(u64 pa, u32 npages);
void codewin_unmap(u64 va, u32 npages);
u64 codewin_phys(u64 va);
int codewin_check(u32 *used);

static inline void *phys_to_virt(u64 pa) { return (void *)(pa + DIRECT_MAP); }
/* The kernel image's physical range, from the linker script; boot keeps
 * it out of the memory it hands out. Functions rather than the symbols so
 * that the EVA harness (tests/assurance/eva/arch.h) can give it numbers. */
extern char kernel_phys_start[], kernel_phys_end[];
static inline u64 kernel_image_start(void) { return (u64)kernel_phys_start; }
static inline u64 kernel_image_end(void) { return (u64)kernel_phys_end; }
static inline u64 virt_to_phys(const void *va)
{
	u64 v = (u64)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP;
}

#endif
