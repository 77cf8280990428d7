// what: the IPv4 checksum loop built with -mcpu=v3 (32-bit jumps and ALU): a
// what: correct header sums to 0xffff, so the program returns 0
// mem: ff ff ff ff ff ff 02 00 00 00 00 01 08 00 45 00 00 32 12 34 40 00 40 11 14 85 0a 00 00 01 0a 00
// mem: 00 02 9c 40 00 35 00 1e 00 00 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56
// result: 0x0
#include "corpus.h"

SEC("filter") u64 ip_csum(u8 *p)
{
	u64 sum = 0;
	NOUNROLL
	for (int i = 0; i < 10; i++)
		sum += (u64)p[14 + 2 * i] << 8 | p[14 + 2 * i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}
