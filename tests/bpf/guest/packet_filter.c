/* A packet filter for the guest's program-object test: r1 is an Ethernet
 * frame of r2 bytes; r0 = 1 keeps an IPv4 UDP datagram to port 53 (DNS),
 * 0 drops everything else. Short frames are dropped before any header
 * field is read, so the filter is safe for any length the verifier allows. */
#include <lamina/types.h>

#define SEC(name) __attribute__((section(name), used))
#define BE16(x) ((lm_u16)((((x) & 0xff) << 8) | (((x) >> 8) & 0xff)))

struct frame {
	lm_u8 dst[6], src[6];
	lm_u16 type;                    /* big-endian */
	lm_u8 vihl, tos;                /* IPv4 */
	lm_u16 len, id, frag;
	lm_u8 ttl, proto;
	lm_u16 csum;
	lm_u32 saddr, daddr;
	lm_u16 sport, dport;            /* UDP, big-endian */
} __attribute__((packed));

SEC("packet") lm_u64 dns_only(const struct frame *f, lm_u64 len)
{
	if (len < sizeof *f)
		return 0;
	if (f->type != BE16(0x0800) || f->vihl != 0x45)
		return 0;               /* IPv4 without options only */
	return f->proto == 17 && f->dport == BE16(53);
}
