/*
 * Random bytes for AT_RANDOM and getrandom: RDRAND when CPUID says the CPU
 * has it (QEMU's -cpu max does), checked for its carry flag and retried;
 * otherwise (or when RDRAND keeps failing) a splitmix64 stream seeded from
 * the TSC at first use and stirred with the TSC at each call. The fallback
 * is not cryptographic: it is documented as such in docs/LINUX.md.
 */
#include "lx.h"

lm_u64 lx_rdtsc(void)
{
	lm_u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (lm_u64)hi << 32 | lo;
}

static int has_rdrand(void)
{
	static int known, has;
	lm_u32 a = 1, b, c = 0, d;

	if (!known) {
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
		has = (c >> 30) & 1;
		known = 1;
	}
	return has;
}

static lm_u64 splitmix(void)
{
	static lm_u64 s;
	lm_u64 z;

	s += 0x9e3779b97f4a7c15ull ^ (lx_rdtsc() << 17);
	z = s;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static lm_u64 word(void)
{
	for (int i = 0; has_rdrand() && i < 10; i++) {
		lm_u64 v;
		lm_u8 ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (ok)
			return v;
	}
	return splitmix();
}

void lx_random(void *buf, lm_u64 n)
{
	lm_u8 *p = buf;

	while (n) {
		lm_u64 w = word(), k = n < 8 ? n : 8;

		memcpy(p, &w, k);
		p += k;
		n -= k;
	}
}

/* getrandom(buf, len, flags): never blocks (the source is always ready). */
LX_SYS(getrandom)
{
	static lm_u8 tmp[256];
	lm_u64 done = 0;

	if (a[2] & ~(lm_u64)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) ||
	    (a[2] & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (!lx_writable(a[0], a[1]))
		return -EFAULT;
	if ((long)a[1] < 0)
		return -EINVAL;
	while (done < a[1]) {
		lm_u64 k = a[1] - done < sizeof tmp ? a[1] - done : sizeof tmp;

		lx_random(tmp, k);
		memcpy((lm_u8 *)a[0] + done, tmp, k);
		done += k;
	}
	return (long)done;
}
