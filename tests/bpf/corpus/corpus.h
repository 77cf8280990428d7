/* What the corpus's C programs share (tests/bpf/README.md). Each program is
 * one function in its own section; r1 is the context (the `mem:` bytes),
 * r2 its size. */
#ifndef CORPUS_H
#define CORPUS_H

#define SEC(name) __attribute__((section(name), used))
#define NOINLINE __attribute__((noinline))
#define NOUNROLL _Pragma("clang loop unroll(disable)")

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;

/* Ethernet, IPv4 and UDP/TCP headers as they sit in a packet. */
struct eth {
	u8 dst[6], src[6];
	u16 type;               /* big-endian */
} __attribute__((packed));

struct ip4 {
	u8 vihl, tos;
	u16 len, id, frag;
	u8 ttl, proto;
	u16 csum;
	u32 src, dst;
} __attribute__((packed));

struct l4 {
	u16 sport, dport;       /* big-endian */
	u16 len, csum;
} __attribute__((packed));

struct pkt {
	struct eth eth;
	struct ip4 ip;
	struct l4 l4;
	u8 payload[22];
} __attribute__((packed));      /* 64 bytes */

#define BE16(x) ((u16)((((x) & 0xff) << 8) | (((x) >> 8) & 0xff)))

#endif
