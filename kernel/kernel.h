/* Common kernel definitions: types, printing, assertions. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdarg.h>
#include <lamina/types.h>
#include <lamina/error.h>

typedef lm_u8 u8;
typedef lm_u16 u16;
typedef lm_u32 u32;
typedef lm_u64 u64;
typedef lm_i64 i64;
typedef unsigned long uptr;
typedef unsigned long size_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((u64)(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((u64)(a) - 1)) == 0)
#define BIT(n) (1ull << (n))
#define unlikely(x) __builtin_expect(!!(x), 0)
#define likely(x) __builtin_expect(!!(x), 1)
/* For a helper shared by a hot path and a cold one, where a call would
 * cost the hot path (measured, not guessed: say the figure where used). */
#define always_inline inline __attribute__((always_inline))

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strlcpy(char *d, const char *s, size_t n);

/* format.c: the kernel's printf engine (pure, host-tested). */
typedef void (*putc_fn)(char c, void *arg);
int vformat(putc_fn put, void *arg, const char *fmt, va_list ap);
int snformat(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#ifndef LAMINA_HOST
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define KASSERT(c) do { if (unlikely(!(c))) panic("assertion failed: %s at %s:%d", #c, __FILE__, __LINE__); } while (0)
#endif

#endif
