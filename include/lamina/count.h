/*
 * DEBUG_COUNTS: the kernel's event counters, kept only in the counting
 * build (`make bench-count`, LM_COUNT_EVENTS); elsewhere the call is
 * LM_ENOSYS and the kernel counts nothing. Every field counts since boot;
 * a benchmark takes the difference of two readings.
 */
#ifndef LAMINA_COUNT_H
#define LAMINA_COUNT_H

#include <lamina/types.h>
#include <lamina/syscall.h>

struct lm_counts {
	lm_u64 syscalls;    /* entries from user mode by SYSCALL */
	lm_u64 exceptions;  /* entries from user mode by an exception */
	lm_u64 interrupts;  /* entries from user mode by an interrupt */
	lm_u64 exits;       /* returns to user mode, by SYSRET or IRETQ */
	lm_u64 kernel_irqs; /* interrupts taken in the kernel (idle): no switch */
	lm_u64 cr3_writes;  /* every MOV to CR3 after boot */
	lm_u64 flush_full;  /* CR3 writes that flush the TLB: all of them without
			     * PCID; with PCID those with bit 63 clear, which
			     * drop that PCID's entries */
	lm_u64 flush_page;  /* INVLPG, one page each (user pages and the
			     * kernel's copy windows alike) */
};
/*
 * DEBUG_COUNTS' optional second buffer: where the kernel's time goes. One
 * entry per native system call (by number - LM_SYS_BASE), then other
 * numbers (foreign or unknown), exceptions and interrupts from user mode:
 * how many, and the TSC ticks spent in their C handling (syscall_dispatch,
 * trap_user; the entry and exit stubs, about 50 instructions, are not in
 * it). Under QEMU icount a tick is an instruction.
 */
struct lm_kernel_time {
	lm_u64 calls;
	lm_u64 ticks;
};
#define LM_KT_OTHER      LM_NSYSCALLS
#define LM_KT_EXCEPTIONS (LM_NSYSCALLS + 1)
#define LM_KT_INTERRUPTS (LM_NSYSCALLS + 2)
#define LM_KT_N          (LM_NSYSCALLS + 3)

/* Privilege switches: every entry from user mode and every return to it. */
#define LM_COUNT_SWITCHES(c) ((c)->syscalls + (c)->exceptions + (c)->interrupts + (c)->exits)

#endif
