/* forktest's own: what its scenario files share (forktest.c,
 * forktest_hostile.c, forktest_share.c). */
#ifndef FORKTEST_INT_H
#define FORKTEST_INT_H

#include <lm/lamina.h>
#include <lm/mem.h>
#include "forktest.h"

/* Faults run hooks that change memory behind the compiler's back. */
static inline lm_u64 rd(const volatile lm_u64 *p)
{
	lm_u64 v = *p;

	__asm__ volatile("" ::: "memory");
	return v;
}

static inline void wr(volatile lm_u64 *p, lm_u64 v)
{
	*p = v;
	__asm__ volatile("" ::: "memory");
}

#define SCRATCH_VA 0x20000000000ull /* where a child maps frames it was given */

lm_u32 cnode_bits(lm_cptr_t cn);  /* a CNode's size, in bits */
lm_cptr_t frame_at(lm_u64 va);    /* the frame mapped at va, or 0 */
lm_u64 own_writes(void);          /* forktest.c */
lm_u64 hostile_place(void);       /* forktest_hostile.c */
lm_u64 hostile_asks(void);
lm_u64 later_fork(void);          /* forktest_share.c */
lm_u64 shared_read_only(void);
lm_u64 unwritten_pages(void);
lm_u64 forget(void);
lm_u64 hot(void);
lm_u64 stack_page(void);
lm_u64 big_place(void);

#endif
