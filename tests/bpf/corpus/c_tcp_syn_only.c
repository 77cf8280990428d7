// what: TCP flags at byte 47: SYN set, ACK clear -> 1
// mem: ff ff ff ff ff ff 02 00 00 00 00 01 08 00 45 00 00 32 12 34 40 00 40 06 14 90 0a 00 00 01 0a 00
// mem: 00 02 9c 40 00 35 00 1e 00 00 41 42 43 44 45 02 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56
// result: 0x1
#include "corpus.h"

SEC("filter") int syn_only(u8 *p)
{
	struct pkt *k = (struct pkt *)p;
	if (k->ip.proto != 6)
		return 0;
	u8 flags = p[14 + 20 + 13];
	return (flags & 0x02) && !(flags & 0x10);
}
