// what: the DNS packet filter built with -mcpu=v3 (32-bit jumps and ALU)
// mem: ff ff ff ff ff ff 02 00 00 00 00 01 08 00 45 00 00 32 12 34 40 00 40 11 14 85 0a 00 00 01 0a 00
// mem: 00 02 9c 40 00 35 00 1e 00 00 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56
// result: 0x1
#include "corpus.h"

SEC("filter") int udp_dns(struct pkt *p)
{
	if (p->eth.type != BE16(0x0800) || (p->ip.vihl >> 4) != 4)
		return 0;
	if (p->ip.proto != 17)
		return 0;
	return p->l4.dport == BE16(53);
}
