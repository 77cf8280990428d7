// what: 32-bit unsigned arithmetic wraps (widened to 64 bits on return:
// what: a u32 return leaves the upper half of r0 unspecified)
// mem: ff ff ff ff 02 00 00 00
// result: 0x1
#include "corpus.h"

SEC("prog") u64 wrap(u32 *p)
{
	u32 s = p[0] + p[1];
	return s;
}
