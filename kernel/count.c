/*
 * DEBUG_COUNTS (debug capability, struct lm_counts *): the counting
 * build's event counters (count.h), copied out. What each counts and why
 * (docs/BENCHMARKS.md, "What the counts don't show"): instruction counts
 * under icount price a mode switch, a CR3 write or a TLB flush at one
 * instruction each, so the benchmarks report how many of each an
 * operation makes beside the instructions. Counting is in the kernel, not
 * estimated: entry.S counts SYSCALL entries and returns to user mode,
 * trap.c exceptions and interrupts, asm.h every CR3 write and INVLPG; and
 * the kernel's time per system call, exceptions and interrupts (ktime).
 * In any other build the call is LM_ENOSYS and nothing is counted.
 */
#include <lamina/syscall.h>
#include "asm.h"
#include "count.h"
#include "syscall.h"
#include "vspace.h"
#include "ipc.h"

#ifdef LM_COUNT_EVENTS
_Static_assert(__builtin_offsetof(struct lm_counts, syscalls) == KCOUNT_SYSCALLS, "entry.S");
_Static_assert(__builtin_offsetof(struct lm_counts, exceptions) == KCOUNT_EXCEPTIONS, "entry.S");
_Static_assert(__builtin_offsetof(struct lm_counts, exits) == KCOUNT_EXITS, "entry.S");

struct lm_counts kcount;
static struct lm_kernel_time ktime[LM_KT_N];

struct frame *syscall_dispatch(struct frame *f);
void trap_user(struct frame *f);

/* entry.S calls these instead of syscall_dispatch and trap_user. The
 * frame's rax and vector are read before: the call rewrites rax. */
struct frame *count_syscall(struct frame *f)
{
	u64 nr = f->rax - LM_SYS_BASE, t0 = rdtsc();
	if (cpu0.cur->sysgate || !fastpath_try(f)) /* as entry.S chooses */
		syscall_dispatch(f);
	struct lm_kernel_time *k = &ktime[nr < LM_NSYSCALLS ? nr : LM_KT_OTHER];
	k->calls++;
	k->ticks += rdtsc() - t0;
	return f;
}

void count_trap(struct frame *f)
{
	u64 t0 = rdtsc();
	struct lm_kernel_time *k = &ktime[f->vector >= 32 ? LM_KT_INTERRUPTS : LM_KT_EXCEPTIONS];
	trap_user(f);
	k->calls++;
	k->ticks += rdtsc() - t0;
}

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
	if (ARG3(f) && !user_copy_out(ARG3(f), ktime, sizeof ktime))
		return SYSERR(LM_EFAULT, 3);
	return LM_OK;
}
#else
SYS(debug_counts)
{
	return SYSERR(LM_ENOSYS, 0);
}
#endif
