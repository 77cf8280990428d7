/* Host tests of the kernel's printf engine (kernel/format.c) against libc. */
#include "check.h"
#include "kernel.h"

#define SAME(fmt, ...)                                                        \
	do {                                                                  \
		char a[128], b[128];                                          \
		snformat(a, sizeof(a), fmt, __VA_ARGS__);                     \
		snprintf(b, sizeof(b), fmt, __VA_ARGS__);                     \
		if (strcmp(a, b)) {                                           \
			printf("[%s] vs [%s] ", a, b);                        \
		}                                                             \
		CHECK(!strcmp(a, b));                                         \
	} while (0)

static void integers_match_libc(void)
{
	SAME("%d %d %d", 0, -1, 2147483647);
	SAME("%i|%5d|%-5d|%05d", -42, 42, 42, -42);
	SAME("%u %x %X", 4000000000u, 0xdeadbeefu, 0xabcu);
	SAME("%lu %lx %ld", 18446744073709551615ul, 0x123456789abcdeful, -9223372036854775807l);
	SAME("%08lx|%-8x|", 0xbeeful, 0x1u);
}

static void strings_and_chars_match_libc(void)
{
	SAME("%s|%10s|%-10s|%c%c", "abc", "right", "left", 'x', 'y');
	SAME("100%% %s", "done");
}

static void pointer_is_zero_padded_hex(void)
{
	char a[64];
	snformat(a, sizeof(a), "%p", (void *)0x1234);
	CHECK(!strcmp(a, "0x0000000000001234"));
}

static void truncates_and_terminates(void)
{
	char a[8];
	int n = snformat(a, sizeof(a), "%s", "0123456789");
	CHECK(n == 10);
	CHECK(!strcmp(a, "0123456"));
}

int main(void)
{
	RUN(integers_match_libc);
	RUN(strings_and_chars_match_libc);
	RUN(pointer_is_zero_padded_hex);
	RUN(truncates_and_terminates);
	return CHECK_DONE();
}
