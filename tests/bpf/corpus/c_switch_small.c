// what: a small switch (compare chain, no jump table in eBPF)
// mem: 03 00 00 00
// result: 0x1e
#include "corpus.h"

SEC("prog") int sw(u8 *p)
{
	switch (p[0]) {
	case 1: return 10;
	case 2: return 20;
	case 3: return 30;
	case 7: return 70;
	default: return 0;
	}
}
