/*
 * Event counters of the counting build (LM_COUNT_EVENTS, `make
 * bench-count`): privilege switches, CR3 writes and TLB flushes, read by
 * DEBUG_COUNTS (count.c). In every other build COUNT() is nothing and no
 * counter exists, so the benchmarks' instruction counts are those of a
 * kernel that never heard of them.
 */
#ifndef COUNT_H
#define COUNT_H

/* Offsets in struct lm_counts for entry.S (count.c checks them). */
#define KCOUNT_SYSCALLS 0
#define KCOUNT_EXCEPTIONS 8
#define KCOUNT_EXITS    24

#ifndef __ASSEMBLY__
#include <lamina/count.h>

#ifdef LM_COUNT_EVENTS
extern struct lm_counts kcount;
#define COUNT(field) ((void)kcount.field++)
void count_cr3(unsigned long cr3);
#else
#define COUNT(field) ((void)0)
#endif
#endif

#endif
