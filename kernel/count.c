/*
 * DEBUG_COUNTS (debug capability, struct lm_counts *): the counting
 * build's event counters (count.h), copied out. What each counts and why
 * (docs/BENCHMARKS.md, "What the counts don't show"): instruction counts
 * under icount price a mode switch, a CR3 write or a TLB flush at one
 * instruction each, so the benchmarks report how many of each an
 * operation makes beside the instructions. Counting is in the kernel, not
 * estimated: entry.S counts SYSCALL entries and returns to user mode,
 * trap.c exceptions and interrupts, asm.h every CR3 write and INVLPG.
 * In any other build the call is LM_ENOSYS and nothing is counted.
 */
#include <lamina/syscall.h>
#include "count.h"
#include "syscall.h"
#include "vspace.h"

#ifdef LM_COUNT_EVENTS
_Static_assert(__builtin_offsetof(struct lm_counts, syscalls) == KCOUNT_SYSCALLS, "entry.S");
_Static_assert(__builtin_offsetof(struct lm_counts, exits) == KCOUNT_EXITS, "entry.S");

struct lm_counts kcount;

/* Without PCID every CR3 write flushes the TLB's non-global entries; with
 * PCID (CR4.PCIDE, set whenever the CPU has it: cpu.c) only a write with
 * bit 63 clear does, and then only the new PCID's entries. */
void count_cr3(unsigned long cr3)
{
	kcount.cr3_writes++;
	if (!(cpu_features & LM_CPU_PCID) || !(cr3 & BIT(63)))
		kcount.flush_full++;
}

SYS(debug_counts)
{
	u64 e = debug_cap_check(ARG1(f));
	if (e)
		return e;
	if (!user_copy_out(ARG2(f), &kcount, sizeof kcount))
		return SYSERR(LM_EFAULT, 2);
	return LM_OK;
}
#else
SYS(debug_counts)
{
	return SYSERR(LM_ENOSYS, 0);
}
#endif
