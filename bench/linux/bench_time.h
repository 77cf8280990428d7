/*
 * What lbench (bench/linux/lbench.c, the Linux column of `make bench`) and
 * lxbench (bench/linux/lxbench.c, one program on both systems) measure and
 * print with: the fenced TSC read, the TSC's rate against CLOCK_MONOTONIC,
 * the line printer, the median's comparison. One copy, so that both report
 * figures made the same way (docs/BENCHMARKS.md).
 */
#ifndef BENCH_TIME_H
#define BENCH_TIME_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <termios.h> /* tcdrain */
#include <time.h>
#include <unistd.h>

/* lfence before: earlier instructions have completed; lfence after: later
 * ones have not started. Used at both ends of a measured interval. Under
 * QEMU -icount shift=0 the TSC advances once per guest instruction. */
static inline uint64_t tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* TSC ticks per ns against CLOCK_MONOTONIC over ms milliseconds, only to
 * print ns= beside cycles=. Under icount both clocks are virtual (one
 * instruction one ns at shift=0), so the ratio is exact there; under plain
 * TCG or KVM it converts host-time cycles to ns. 1.0 if the clock stood. */
static inline double calibrate_ms(unsigned ms)
{
	uint64_t n0 = mono_ns(), t0 = tsc(), n1;
	while ((n1 = mono_ns()) - n0 < ms * 1000000ull)
		;
	uint64_t t1 = tsc();
	return n1 > n0 ? (double)(t1 - t0) / (double)(n1 - n0) : 1.0;
}

/* One write per line, so kernel messages cannot split it, then wait for the
 * UART to drain so its transmit interrupts do not land in the next batches
 * (tcdrain fails harmlessly where stdout is not a tty). */
static inline __attribute__((format(printf, 1, 2))) void out(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	if (write(1, buf, n) < 0)
		return;
	tcdrain(1);
}

/* qsort's comparison for the batches' figures (the median is printed). */
static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#endif
