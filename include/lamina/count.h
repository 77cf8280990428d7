/*
 * DEBUG_COUNTS: the kernel's event counters, kept only in the counting
 * build (`make bench-count`, LM_COUNT_EVENTS); elsewhere the call is
 * LM_ENOSYS and the kernel counts nothing. Every field counts since boot;
 * a benchmark takes the difference of two readings.
 */
#ifndef LAMINA_COUNT_H
#define LAMINA_COUNT_H

#include <lamina/types.h>

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
/* Privilege switches: every entry from user mode and every return to it. */
#define LM_COUNT_SWITCHES(c) ((c)->syscalls + (c)->exceptions + (c)->interrupts + (c)->exits)

#endif
