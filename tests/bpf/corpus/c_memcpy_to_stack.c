// what: __builtin_memcpy of a header to the stack, then fields read
// mem: ff ff ff ff ff ff 02 00 00 00 00 01 08 00 45 00 00 32 12 34 40 00 40 11 14 85 0a 00 00 01 0a 00
// mem: 00 02 9c 40 00 35 00 1e 00 00 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56
// result: 0x9c40
#include "corpus.h"

SEC("prog") u32 copy_hdr(u8 *p)
{
	struct l4 h;
	__builtin_memcpy(&h, p + 34, sizeof h);
	return BE16(h.sport);
}
