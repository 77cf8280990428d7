/* Sleeping and timers: nanosleep, clock_nanosleep with TIMER_ABSTIME, poll
 * and ppoll timeouts, alarm, setitimer, getitimer; and, under Lamina, the
 * timer server's protocol sent garbage straight from the program. Times
 * are checked from below only (a sleep lasts at least what it asked for),
 * never from above: tests never depend on how fast the machine is. */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include "calls.h"

#define MS 1000000L

static long now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void sleeps(void)
{
	struct timespec req = { 0, 10 * MS }, rem = { 7, 7 };
	long t0 = now(), t;

	CHECK(syscall(SYS_nanosleep, &req, &rem) == 0);
	CHECK(now() - t0 >= 10 * MS);
	/* an absolute deadline 20 ms ahead, on both clocks */
	clock_gettime(CLOCK_MONOTONIC, &req);
	t = req.tv_sec * 1000000000L + req.tv_nsec + 20 * MS;
	req.tv_sec = t / 1000000000L;
	req.tv_nsec = t % 1000000000L;
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL) == 0);
	CHECK(now() >= t);
	clock_gettime(CLOCK_REALTIME, &req);
	t0 = now();
	req.tv_nsec += 15 * MS;
	if (req.tv_nsec >= 1000000000L) {
		req.tv_sec++;
		req.tv_nsec -= 1000000000L;
	}
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &req, NULL) == 0);
	CHECK(now() - t0 >= 14 * MS); /* the two clocks' reads are apart by a little */
	/* poll on nothing: 0 after the timeout */
	t0 = now();
	CHECK(syscall(SYS_poll, NULL, 0, 20) == 0);
	CHECK(now() - t0 >= 20 * MS);
	req = (struct timespec){ 0, 15 * MS };
	t0 = now();
	CHECK(syscall(SYS_ppoll, NULL, 0, &req, NULL, 8) == 0);
	CHECK(now() - t0 >= 15 * MS);
}

static void itimers(void)
{
	struct itimerval v = { { 0, 0 }, { 100, 0 } }, o;

	CHECK(syscall(SYS_alarm, 0) == 0);
	CHECK(syscall(SYS_setitimer, ITIMER_REAL, &v, &o) == 0);
	CHECK(o.it_value.tv_sec == 0 && o.it_value.tv_usec == 0);
	CHECK(syscall(SYS_getitimer, ITIMER_REAL, &o) == 0);
	CHECK(o.it_value.tv_sec >= 98 && o.it_value.tv_sec <= 100 && o.it_interval.tv_sec == 0);
	CHECK(syscall(SYS_alarm, 5) == 100); /* the old one's seconds, rounded */
	CHECK(syscall(SYS_alarm, 0) == 5);
	CHECK(syscall(SYS_getitimer, ITIMER_REAL, &o) == 0 && o.it_value.tv_sec == 0 &&
	      o.it_value.tv_usec == 0);
	v.it_value.tv_usec = 1000000;
	FAILS(syscall(SYS_setitimer, ITIMER_REAL, &v, NULL), EINVAL);
	v.it_value.tv_usec = -1;
	FAILS(syscall(SYS_setitimer, ITIMER_REAL, &v, NULL), EINVAL);
	v.it_value.tv_usec = 0;
	FAILS(syscall(SYS_setitimer, 7, &v, NULL), EINVAL);
	FAILS(syscall(SYS_getitimer, 7, &o), EINVAL);
	FAILS(syscall(SYS_setitimer, ITIMER_REAL, BAD, NULL), EFAULT);
	FAILS(syscall(SYS_getitimer, ITIMER_REAL, BAD), EFAULT);
	CHECK(syscall(SYS_getitimer, ITIMER_REAL, &o) == 0 && o.it_value.tv_sec == 0);
}

/* Under Lamina: the timer server's endpoint is slot 12 (LX_SLOT_TIMER). */
static long timer_call(long label, long w0, long w1, long *r0, long *r1)
{
	register long rax __asm__("rax") = 0x1000 + 29; /* EP_CALL */
	register long rdi __asm__("rdi") = 12;
	register long rsi __asm__("rsi") = (label << 16) | 2;
	register long rdx __asm__("rdx") = w0;
	register long r10 __asm__("r10") = w1;
	register long r8 __asm__("r8") = 0;
	register long r9 __asm__("r9") = 0;

	__asm__ volatile("syscall" : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			 "+r"(r9) : : "rcx", "r11", "memory");
	*r0 = rdx;
	*r1 = r10;
	return rax;
}

static void garbage(void)
{
	struct utsname u;
	struct timespec req = { 0, 5 * MS };
	long r, r1, t0;

	if (uname(&u) || !strstr(u.release, "lamina"))
		return;
	CHECK(timer_call(999, 0, 0, &r, &r1) == 0 && r == -ENOSYS);
	CHECK(timer_call(0, 0, 0, &r, &r1) == 0 && r == -ENOSYS);
	CHECK(timer_call(2 /* ARM */, 4, now() + 1000 * MS, &r, &r1) == 0 && r == -EINVAL);
	CHECK(timer_call(2, -1, 0, &r, &r1) == 0 && r == -EINVAL);
	CHECK(timer_call(3 /* CANCEL */, 1L << 40, 0, &r, &r1) == 0 && r == -EINVAL);
	/* the four timers of this badge: one far ahead, armed then cancelled */
	CHECK(timer_call(2, 3, 0x7fffffffffffffffL, &r, &r1) == 0 && r == 0 && r1 == 0);
	CHECK(timer_call(3, 3, 0, &r, &r1) == 0 && r == 0 && r1 == 1);
	CHECK(timer_call(3, 3, 0, &r, &r1) == 0 && r == 0 && r1 == 0);
	/* a deadline in the past: signalled at once (a spare wake-up for us) */
	CHECK(timer_call(2, 2, 0, &r, &r1) == 0 && r == 0 && r1 == 1);
	/* HELLO without a wake notification: refused, and it drops ours; the
	 * personality says HELLO again when its next ARM is refused */
	CHECK(timer_call(1 /* HELLO */, 0, 0, &r, &r1) == 0 && r == -EINVAL);
	CHECK(timer_call(2, 0, 0, &r, &r1) == 0 && r == -ENOTCONN);
	t0 = now();
	CHECK(syscall(SYS_nanosleep, &req, NULL) == 0 && now() - t0 >= 5 * MS);
	/* the server still serves, and knows us again */
	CHECK(timer_call(2, 3, 0x7fffffffffffffffL, &r, &r1) == 0 && r == 0);
	CHECK(timer_call(3, 3, 0, &r, &r1) == 0 && r == 0 && r1 == 1);
}

/* Wake-up latency (printed, not checked): how late 1 ms sleeps end. */
static void latency(void)
{
	struct timespec req = { 0, 1 * MS };
	long worst = 0, sum = 0;

	for (int i = 0; i < 20; i++) {
		long t0 = now(), late;

		syscall(SYS_nanosleep, &req, NULL);
		late = now() - t0 - MS;
		sum += late;
		worst = late > worst ? late : worst;
	}
	printf("timers: 1 ms sleeps end %ld us late on average, %ld us at worst\n",
	       sum / 20 / 1000, worst / 1000);
}

void test_timers(void)
{
	sleeps();
	itimers();
	garbage();
	latency();
	printf("timers: done\n");
}
