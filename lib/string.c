/*
 * memcpy and friends. The copy and fill loops are `rep movs`/`rep stos`
 * rather than C loops: GCC turns a byte loop into a call to memset or
 * memcpy even with -ffreestanding, which inside memset itself would recurse.
 */
#include <lm/string.h>

/* Quadwords 8 bytes a step wherever source and destination are aligned
 * alike (bytes up to the first aligned one and after the last quadword),
 * else bytes. Under QEMU's TCG a rep iteration costs the same whatever its
 * width, so a byte copy of a large misaligned length (an ELF segment whose
 * size is not a multiple of 8) was 8 times slower. */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t head, q;

	if (n >= 16 && !(((unsigned long)dst ^ (unsigned long)src) & 7)) {
		head = -(unsigned long)dst & 7;
		q = (n - head) / 8;
		n = (n - head) & 7;
		__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(head) : : "memory");
		__asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
	}
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlap with dst above src: copy backwards, last byte first. */
	d += n - 1;
	s += n - 1;
	__asm__ volatile("std; rep movsb; cld"
			 : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	if (!(((unsigned long)dst | n) & 7)) {
		size_t q = n / 8;

		__asm__ volatile("rep stosq" : "+D"(d), "+c"(q)
				 : "a"(0x0101010101010101ull * (unsigned char)c) : "memory");
		return dst;
	}
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (size_t i = 0; i < n; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

/* As C's strncpy: pads with NULs and does not terminate a full copy. */
char *strncpy(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = 0;
	return dst;
}
