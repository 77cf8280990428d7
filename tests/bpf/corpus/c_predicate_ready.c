// what: a wake-up predicate: a field of the page is non-zero
// mem: 00 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00
// ctx: readonly
// result: 0x1
#include "corpus.h"

struct page {
	u64 seq;
	u64 ready;
};

SEC("predicate") int pred(const struct page *p)
{
	return p->ready != 0;
}
