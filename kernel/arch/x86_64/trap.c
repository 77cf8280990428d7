/* Interrupts and exceptions: from user mode they become thread faults or
 * device events; from kernel mode only the idle loop may take interrupts. */
#include "arch.h"
#include "asm.h"
#include "count.h"
#include "thread.h"
#include "ipc.h"
#include "bpf/prog.h"
#include "tcb_off.h"

#define TCB_OFF(field) (__builtin_offsetof(struct tcb, field) - __builtin_offsetof(struct tcb, frame))
_Static_assert(TCB_OFF(fs_base) == T_FS_BASE && TCB_OFF(gs_base) == T_GS_BASE, "tcb_off.h");
_Static_assert(TCB_OFF(exc_entry) == T_EXC_ENTRY && TCB_OFF(exc_top) == T_EXC_TOP &&
	       TCB_OFF(exc_size) == T_EXC_SIZE, "tcb_off.h");

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

/* Exception f->vector of the current thread at addr (a page fault's CR2),
 * from user mode: to its handler, its pager, or it stops. entry.S comes
 * here directly when its fast path's copy of the frame faulted. */
void trap_exception(struct frame *f, u64 addr)
{
	struct tcb *cur = cpu0.cur;
	COUNT(exceptions);
	if (!upcall_deliver(cur, f, addr) && !fault_ipc_send(cur, f, addr))
		thread_fault(cur, f, addr);
	if (need_resched)
		schedule();
}

void trap_user(struct frame *f)
{
	if (f->vector < 32 && f->vector != 7) {
		trap_exception(f, f->vector == 14 ? read_cr2() : 0);
		return;
	}
	if (f->vector >= 32) {
		COUNT(interrupts);
		irq(f->vector);
	} else {
		COUNT(exceptions);
		fpu_trap();
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

/*
 * The exception table (linker.ld's .ex_table, filled by entry.S): the
 * kernel instructions that store to user memory by its user address, each
 * with where to go if it faults. A page fault at one of them, on a user
 * address, resumes at its fix-up; any other kernel fault is a bug.
 */
struct ex_entry {
	u64 insn, fixup;
};
extern const struct ex_entry ex_table_start[], ex_table_end[];

static bool ex_fixup(struct frame *f)
{
	if (read_cr2() >= LM_USER_MAX)
		return false;
	for (const struct ex_entry *e = ex_table_start; e < ex_table_end; e++)
		if (e->insn == f->rip) {
			f->rip = e->fixup;
			return true;
		}
	return false;
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
	if (f->vector == 14 && ex_fixup(f))
		return;
	kprintf("PANIC: kernel exception %lu (%s)\n", f->vector,
		f->vector < 22 ? vec_names[f->vector] : "?");
	dump_frame(f);
	backtrace(f->rip, f->rbp);
	qemu_exit(3);
}
