// what: sum of absolute values of four ints, counting down, built with
// what: -mcpu=v3: abs is arsh32, add32 and xor32 on subregisters
// mem: 03 00 00 00 fd ff ff ff 07 00 00 00 f9 ff ff ff
// result: 0x14
#include "corpus.h"

SEC("prog") u64 countdown(int *p)
{
	int s = 0;
	NOUNROLL
	for (int i = 3; i >= 0; i--)
		s += p[i] > 0 ? p[i] : -p[i];
	return (u32)s;
}
