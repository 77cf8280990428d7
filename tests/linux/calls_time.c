/* Time: clock_gettime, clock_getres, gettimeofday, time, nanosleep,
 * clock_nanosleep. */
#include <sys/time.h>
#include <time.h>
#include "calls.h"

static long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000L + t->tv_nsec;
}

void test_time(void)
{
	struct timespec a, b, req = { 0, 10 * 1000 * 1000 };
	struct timeval tv;
	long t;

	CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a) == 0);
	CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b) == 0 && ns(&b) >= ns(&a));
	CHECK(a.tv_nsec >= 0 && a.tv_nsec < 1000000000L);
	FAILS(syscall(SYS_clock_gettime, 999, &a), EINVAL);
	FAILS(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD), EFAULT);
	CHECK(syscall(SYS_clock_getres, CLOCK_REALTIME, &a) == 0 && ns(&a) > 0);
	FAILS(syscall(SYS_clock_getres, 999, &a), EINVAL);
	CHECK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &a) == 0);
	/* the wall clock comes from the RTC: after 2020 */
	CHECK(a.tv_sec > 1577836800L);
	CHECK(syscall(SYS_gettimeofday, &tv, NULL) == 0 && tv.tv_sec >= a.tv_sec &&
	      tv.tv_usec < 1000000);
	FAILS(syscall(SYS_gettimeofday, BAD, NULL), EFAULT);
	t = syscall(SYS_time, NULL);
	CHECK(t >= a.tv_sec && t < a.tv_sec + 60);
	FAILS(syscall(SYS_time, BAD), EFAULT);
	/* sleeping takes at least the time asked for */
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
	CHECK(syscall(SYS_nanosleep, &req, NULL) == 0);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
	CHECK(ns(&b) - ns(&a) >= 10 * 1000 * 1000);
	req.tv_nsec = 1000000000L;
	FAILS(syscall(SYS_nanosleep, &req, NULL), EINVAL);
	req.tv_nsec = -1;
	FAILS(syscall(SYS_nanosleep, &req, NULL), EINVAL);
	FAILS(syscall(SYS_nanosleep, BAD, NULL), EFAULT);
	/* an absolute time in the past returns at once */
	req = (struct timespec){ 1, 0 };
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL) == 0);
	req = (struct timespec){ 0, 1000 };
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &req, NULL) == 0);
	FAILS(syscall(SYS_clock_nanosleep, 999, 0, &req, NULL), EINVAL);
	FAILS(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD, NULL), EFAULT);
}
