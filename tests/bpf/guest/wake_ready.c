/* A wake-up predicate (LM_BPF_PROG_PREDICATE): r1 is one read-only page of
 * the waiting thread's memory; the thread wakes when its first word, the
 * ready flag another thread sets, is non-zero. */
#include <lamina/types.h>

#define SEC(name) __attribute__((section(name), used))

struct page {
	lm_u64 ready;
	lm_u8 rest[4096 - 8];
};

SEC("predicate") int pred(const struct page *p)
{
	return p->ready != 0;
}
