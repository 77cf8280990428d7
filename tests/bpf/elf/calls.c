/* The ELF loader's test object (tests/host/test_bpf_elf.c): several
 * programs in one object calling .text functions every way clang writes
 * such calls. r1 is a 64-byte buffer holding 0, 1, ..., 63. */
#define SEC(name) __attribute__((section(name), used))
#define NOINLINE __attribute__((noinline))

typedef unsigned char u8;
typedef unsigned long long u64;

/* Static: called through the .text section symbol plus an offset. */
static NOINLINE u64 sum16(const u8 *p)
{
	u64 s = 0;
	for (int i = 0; i < 16; i++)
		s += p[i];
	return s;
}

static NOINLINE u64 twice(u64 x)
{
	return x * 2;
}

/* Global: called through its own symbol; it calls twice inside .text. */
NOINLINE u64 twice_plus_one(u64 x)
{
	return twice(x) + 1;
}

/* Three deep: leaf <- mid <- top, each in .text. */
static NOINLINE u64 leaf(u64 x)
{
	return x ^ 0x55;
}

static NOINLINE u64 mid(u64 x)
{
	return leaf(x) + 3;
}

NOINLINE u64 top(u64 x)
{
	return mid(x) * 5;
}

static inline u64 add3(u64 x)
{
	return x + 3;
}

/* sum16 = 120, twice_plus_one(3) = 7, add3(5) = 8: 135. */
SEC("mixed") u64 prog_mixed(u8 *p)
{
	return sum16(p) + twice_plus_one(p[3]) + add3(p[5]);
}

/* ((7 ^ 0x55) + 3) * 5 = (0x52 + 3) * 5 = 425. */
SEC("deep") u64 prog_deep(u8 *p)
{
	return top(p[7]);
}

/* Shares twice with the others: 2 * 10 = 20. */
SEC("shared") u64 prog_shared(u8 *p)
{
	return twice(p[10]);
}

/* No calls at all: 0x2a. */
SEC("plain") u64 prog_plain(u8 *p)
{
	return 0x2a;
}
