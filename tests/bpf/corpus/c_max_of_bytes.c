// what: the largest of 32 bytes
// mem: 03 09 01 07 10 02 55 04 08 06 05 0a 0b 0c 0d 0e 0f 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 54
// result: 0x55
#include "corpus.h"

SEC("prog") int maxb(u8 *p)
{
	int m = 0;
	NOUNROLL
	for (int i = 0; i < 32; i++)
		if (p[i] > m)
			m = p[i];
	return m;
}
