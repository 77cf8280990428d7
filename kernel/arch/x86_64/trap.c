/* Interrupts and exceptions: from user mode they become thread faults or
 * device events; from kernel mode only the idle loop may take interrupts. */
#include "arch.h"
#include "asm.h"
#include "count.h"
#include "thread.h"
#include "ipc.h"
#include "bpf/prog.h"

#define VEC_TIMER    32
#define VEC_SPURIOUS 255

void fpu_trap(void);

static const char *const vec_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound", "#UD invalid opcode", "#NM no FPU", "#DF double fault", "coproc",
	"#TS invalid TSS", "#NP not present", "#SS stack", "#GP general protection",
	"#PF page fault", "reserved", "#MF x87", "#AC alignment", "#MC machine check",
	"#XM SIMD", "#VE", "#CP",
};

static void irq(u64 vector)
{
	if (vector == VEC_SPURIOUS)
		return;
	apic_eoi();
	if (vector == VEC_TIMER) {
		timer_rearm();
		sched_tick();
		pred_tick(); /* predicates look again at what a tick may have changed */
	} else {
		irq_device(vector);
	}
}

void trap_user(struct frame *f)
{
	struct tcb *cur = cpu0.cur;
	if (f->vector >= 32) {
		COUNT(interrupts);
		irq(f->vector);
	} else if (f->vector == 7) {
		COUNT(exceptions);
		fpu_trap();
	} else {
		COUNT(exceptions);
		u64 addr = f->vector == 14 ? read_cr2() : 0;
		if (!upcall_deliver(cur, f, addr) && !fault_ipc_send(cur, f, addr))
			thread_fault(cur, f, addr);
	}
	if (need_resched)
		schedule();
}

static void dump_frame(const struct frame *f)
{
	kprintf("  rip %p  rsp %p  rflags %lx  cs %lx  error %lx\n", (void *)f->rip,
		(void *)f->rsp, f->rflags, f->cs, f->error);
	kprintf("  rax %p  rbx %p  rcx %p  rdx %p\n", (void *)f->rax, (void *)f->rbx,
		(void *)f->rcx, (void *)f->rdx);
	kprintf("  rsi %p  rdi %p  rbp %p  r8  %p\n", (void *)f->rsi, (void *)f->rdi,
		(void *)f->rbp, (void *)f->r8);
	kprintf("  r9  %p  r10 %p  r11 %p  r12 %p\n", (void *)f->r9, (void *)f->r10,
		(void *)f->r11, (void *)f->r12);
	kprintf("  r13 %p  r14 %p  r15 %p  cr2 %p\n", (void *)f->r13, (void *)f->r14,
		(void *)f->r15, (void *)read_cr2());
}

void trap_kernel(struct frame *f)
{
	if (f->vector >= 32) {
		COUNT(kernel_irqs);
		irq(f->vector);
		return;
	}
	/* A single-step trap due after a SYSCALL that user mode made with TF
	 * set may be delivered at the kernel's first instruction on some CPUs
	 * (FMASK clears TF only as SYSCALL completes), before its SWAPGS. No
	 * debug register is ever armed, so a kernel-mode #DB is only that:
	 * clear TF and go on; the user's TF is in its saved flags (r11). */
	if (f->vector == 1) {
		f->rflags &= ~BIT(8);
		return;
	}
	kprintf("PANIC: kernel exception %lu (%s)\n", f->vector,
		f->vector < 22 ? vec_names[f->vector] : "?");
	dump_frame(f);
	backtrace(f->rip, f->rbp);
	qemu_exit(3);
}
