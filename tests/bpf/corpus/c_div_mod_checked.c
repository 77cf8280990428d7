// what: division and modulo by a context value checked non-zero first
// mem: 64 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00
// result: 0x10
#include "corpus.h"

SEC("prog") u64 divmod(u64 *p)
{
	u64 d = p[1];
	if (d == 0)
		return 0;
	return p[0] / d + p[0] % d;   /* 14 + 2 */
}
