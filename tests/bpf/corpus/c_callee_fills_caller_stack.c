// what: a subprogram fills an array on its caller's stack through a pointer
// mem: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f
// mem: 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f
// result: 0x4c
#include "corpus.h"

static NOINLINE void fill(u8 *buf, const u8 *p)
{
	NOUNROLL
	for (int i = 0; i < 8; i++)
		buf[i] = p[i] + 6;
}

SEC("prog") u64 caller(u8 *p)
{
	u8 buf[8];
	u64 s = 0;
	fill(buf, p);
	NOUNROLL
	for (int i = 0; i < 8; i++)
		s += buf[i];
	return s;
}
