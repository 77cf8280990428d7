/* The few string routines the kernel uses. The compiler may also emit calls
 * to memset/memcpy for struct copies, so these must exist. */
#include "kernel.h"

/* Whole aligned quadwords go 8 bytes a step (objects and pages are
 * cleared this way: fast on every x86-64, with or without ERMS), anything
 * else a byte at a time. */
void *memset(void *d, int c, size_t n)
{
	void *r = d;
	if (!(((uptr)d | n) & 7)) {
		u64 q = n / 8, v = 0x0101010101010101ull * (u8)c;
		__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
		return r;
	}
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return r;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *r = d;
	if (!(((uptr)d | (uptr)s | n) & 7)) {
		u64 q = n / 8;
		__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) :: "memory");
		return r;
	}
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
	return r;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strlcpy(char *d, const char *s, size_t n)
{
	size_t len = strlen(s);
	if (n) {
		size_t c = len < n - 1 ? len : n - 1;
		memcpy(d, s, c);
		d[c] = '\0';
	}
	return len;
}
