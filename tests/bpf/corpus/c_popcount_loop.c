// what: bit count of a 64-bit word from the context, 64 steps
// mem: ff 0f 00 00 00 00 00 81
// result: 0xe
#include "corpus.h"

SEC("prog") int popcount(u64 *p)
{
	u64 x = p[0];
	int n = 0;
	NOUNROLL
	for (int i = 0; i < 64; i++)
		n += (x >> i) & 1;
	return n;
}
