// what: __builtin_bswap32 and 16 (clang emits be32/be16)
// mem: 11 22 33 44 55 66 77 88
// result: 0x112233447788
#include "corpus.h"

SEC("prog") u64 swap(u32 *p)
{
	return (u64)__builtin_bswap32(p[0]) << 16 | __builtin_bswap16((u16)(p[1] >> 16));
}
