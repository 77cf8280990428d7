/*
 * Clocks. CLOCK_MONOTONIC counts TSC ticks since the personality started,
 * converted with the TSC frequency the kernel measured at boot against the
 * PIT (bootinfo's tsc_khz). CLOCK_REALTIME is the RTC's wall-clock time,
 * read once at start from the CMOS through an I/O-port capability for ports
 * 0x70-0x71 (slot LM_SLOT_IOPORT: the shell gives the Linux personality
 * only those two ports), plus the monotonic time since; without the
 * capability it starts at 0 (1970). Sleeping yields the CPU until the
 * deadline passes: there is no timer server yet to wait on.
 */
#include "lx.h"

#define NS 1000000000ll

static lm_u64 tsc0;
static long real0; /* the wall clock at tsc0, in seconds */

static long now_ns(void)
{
	lm_u64 t = lx_rdtsc() - tsc0, khz = lx_bi->tsc_khz ? lx_bi->tsc_khz : 1000000;

	/* in two steps: ticks * 10^6 alone would overflow after a few hours */
	return (long)(t / khz * 1000000 + t % khz * 1000000 / khz);
}

static int cmos(lm_u32 reg, lm_u32 *v)
{
	lm_u64 x;

	if (lm_ioport_out(LM_SLOT_IOPORT, 0x70, 1, reg) || lm_ioport_in(LM_SLOT_IOPORT, 0x71, 1, &x))
		return -1;
	*v = (lm_u32)x;
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long days_from_civil(long y, long m, long d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static lm_u32 bcd(lm_u32 v, lm_u32 regb)
{
	return regb & 4 ? v : (v & 15) + (v >> 4) * 10;
}

/* The RTC's time in seconds since 1970, or 0 without the ports. The
 * registers are read when no update is in progress (status A bit 7). */
static long rtc_read(void)
{
	lm_u32 r[6], st, regb, hour;
	static const lm_u32 reg[6] = { 0, 2, 4, 7, 8, 9 };

	for (int tries = 0; tries < 1000; tries++) {
		if (cmos(0x0a, &st))
			return 0;
		if (!(st & 0x80))
			break;
	}
	for (int i = 0; i < 6; i++)
		if (cmos(reg[i], &r[i]))
			return 0;
	if (cmos(0x0b, &regb))
		return 0;
	hour = bcd(r[2] & 0x7f, regb);
	if (!(regb & 2) && (r[2] & 0x80)) /* 12-hour clock, PM */
		hour = (hour % 12) + 12;
	long days = days_from_civil(2000 + bcd(r[5], regb), bcd(r[4], regb), bcd(r[3], regb));
	return days * 86400 + hour * 3600 + bcd(r[1], regb) * 60 + bcd(r[0], regb);
}

void lx_time_init(void)
{
	tsc0 = lx_rdtsc();
	real0 = rtc_read();
}

static int clock_ns(lm_u64 id, long *ns)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = real0 * NS + now_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	/* CPU time: the process has had the CPU, as far as it can tell, since
	 * it started (a single process, no accounting yet) */
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = now_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

long lx_realtime_ns(void)
{
	long ns = 0;

	clock_ns(CLOCK_REALTIME, &ns);
	return ns;
}

LX_SYS(clock_gettime)
{
	long ns;
	struct lx_timespec ts;

	if (clock_ns(a[0], &ns))
		return -EINVAL;
	ts.tv_sec = ns / NS;
	ts.tv_nsec = ns % NS;
	return lx_copy_out(a[1], &ts, sizeof ts);
}

LX_SYS(clock_getres)
{
	long ns;
	struct lx_timespec ts = { 0, 1 };

	if (clock_ns(a[0], &ns))
		return -EINVAL;
	return a[1] ? lx_copy_out(a[1], &ts, sizeof ts) : 0;
}

LX_SYS(gettimeofday)
{
	long ns;
	struct lx_timeval tv;
	int tz[2] = { 0, 0 };

	clock_ns(CLOCK_REALTIME, &ns);
	tv.tv_sec = ns / NS;
	tv.tv_usec = ns % NS / 1000;
	if (a[0] && lx_copy_out(a[0], &tv, sizeof tv))
		return -EFAULT;
	if (a[1] && lx_copy_out(a[1], tz, sizeof tz))
		return -EFAULT;
	return 0;
}

LX_SYS(time)
{
	long ns, s;

	clock_ns(CLOCK_REALTIME, &ns);
	s = ns / NS;
	if (a[0] && lx_copy_out(a[0], &s, sizeof s))
		return -EFAULT;
	return s;
}

/* Sleep until clock `id` reads `until` ns (< 0: for ever), yielding, or
 * until a signal not blocked is pending: 1 then, 0 at the time. */
static int sleep_until(lm_u64 id, long until)
{
	long ns;

	for (;;) {
		lx_proc_poll();
		if (lx_sig_pending_unblocked())
			return 1;
		if (until >= 0 && (clock_ns(id, &ns) || ns >= until))
			return 0;
		lm_thread_yield();
	}
}

int lx_sleep_ns(long ns)
{
	long now;

	clock_ns(CLOCK_MONOTONIC, &now);
	return sleep_until(CLOCK_MONOTONIC, ns < 0 ? -1 : now + ns);
}

static long get_req(lm_u64 ureq, struct lx_timespec *ts)
{
	if (lx_copy_in(ts, ureq, sizeof *ts))
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NS)
		return -EINVAL;
	return 0;
}

/* Sleep until `until` on clock id; interrupted by a signal, the time left
 * goes to *urem (if given) and the call ends with EINTR once the handler
 * has run (nanosleep is never restarted with SA_RESTART). */
static long interrupted(lm_u64 urem, lm_u64 id, long until)
{
	struct lx_timespec rem;
	long now;

	if (!sleep_until(id, until))
		return 0;
	clock_ns(id, &now);
	now = until > now ? until - now : 0;
	rem.tv_sec = now / NS;
	rem.tv_nsec = now % NS;
	if (urem && lx_copy_out(urem, &rem, sizeof rem))
		return -EFAULT;
	return -ERESTARTNOHAND;
}

LX_SYS(nanosleep)
{
	struct lx_timespec ts;
	long now, err = get_req(a[0], &ts);

	if (err)
		return err;
	clock_ns(CLOCK_MONOTONIC, &now);
	return interrupted(a[1], CLOCK_MONOTONIC, now + ts.tv_sec * NS + ts.tv_nsec);
}

/* clock_nanosleep(id, flags, req, rem) */
LX_SYS(clock_nanosleep)
{
	struct lx_timespec ts;
	long now, err;

	if (a[0] == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (clock_ns(a[0], &now)) /* flags other than TIMER_ABSTIME: ignored, as Linux does */
		return -EINVAL;
	err = get_req(a[2], &ts);
	if (err)
		return err;
	long t = ts.tv_sec * NS + ts.tv_nsec;
	if (a[1] & TIMER_ABSTIME) /* no rem: the same deadline again */
		return sleep_until(a[0], t) ? -ERESTARTNOHAND : 0;
	return interrupted(a[3], a[0], now + t);
}
