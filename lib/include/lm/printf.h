/*
 * Formatted output. Conversions: %d %i %u %x %X %p %s %c %%, with the
 * flags '-', '0', '#' (0x before hex), '+' and ' ', a width (digits or '*'), a precision for %s, and the
 * length modifiers l, ll, z (h and hh are accepted and ignored).
 * lm_printf formats into a buffer on the stack and sends it to the console
 * server (lm_stdout_use, set at start from bootinfo's console_slot) or, with
 * none, to the kernel's debug console with DEBUG_WRITE; one call's output is
 * never split by another thread's unless it is longer than the buffer.
 */
#ifndef LM_PRINTF_H
#define LM_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

#define LM_PRINTF_BUF 512

int lm_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int lm_vprintf(const char *fmt, va_list ap);
/* Like C's snprintf: always terminates (if n > 0) and returns the length
 * the whole output would have had. */
int lm_snprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int lm_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

#endif
