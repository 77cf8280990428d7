/*
 * Sleeping, the alarm and ITIMER_REAL.
 *
 * A sleep arms the timer server for its deadline (timer.c) and waits on
 * the process's wake notification, then reads the clock again: a wake-up
 * may be another server's (a pipe, a signal) or an earlier timer's, so the
 * clock, not the wake-up, says when the sleep is over. Before each wait a
 * pending signal that is not blocked ends the sleep with -EINTR. lx_block
 * is that one wait, for every blocking call of the personality: terminal
 * input that wakes it goes through the line discipline at once, so that a
 * Ctrl-C typed during a sleep interrupts it (ISIG).
 *
 * The alarm is one deadline on CLOCK_MONOTONIC (alarm_at, 0 = none) with
 * its interval (setitimer's it_interval). It is armed at the timer server
 * too (LX_TIMER_ALARM), so that a process blocked for another reason wakes
 * when it falls due; it is noticed at that wake-up, or at any syscall
 * return (lx_alarm_check: one load when no alarm is set), and raises
 * SIGALRM. A program that makes no system call at all is not interrupted:
 * the personality runs only when the program calls it.
 * ITIMER_VIRTUAL and ITIMER_PROF are kept and reported but never fire
 * (no CPU-time accounting yet).
 */
#include "lx.h"

#define NS 1000000000l

struct lx_itimerval {
	struct lx_timeval interval, value;
};

static long alarm_at LX_HOT, alarm_every LX_HOT; /* CLOCK_MONOTONIC ns; 0: none */
static struct lx_itimerval cpu_timers[2]; /* ITIMER_VIRTUAL, ITIMER_PROF: kept only */

static long mono(void)
{
	long ns = 0;

	lx_clock_ns(CLOCK_MONOTONIC, &ns);
	return ns;
}

/* Tell the timer server when the alarm is due (or that it is not). */
static void alarm_arm(void)
{
	if (!alarm_at) {
		lx_timer_cancel(LX_TIMER_ALARM);
		return;
	}
	long left = alarm_at - mono();
	lx_timer_arm(LX_TIMER_ALARM, lx_tsc_ns() + (left > 0 ? (lm_u64)left : 0) + 1);
}

void lx_alarm_check(void)
{
	long now;

	if (!alarm_at || (now = mono()) < alarm_at)
		return;
	if (alarm_every) /* the periods missed are lost, as Linux's overruns are */
		alarm_at += ((now - alarm_at) / alarm_every + 1) * alarm_every;
	else
		alarm_at = 0;
	alarm_arm();
	lx_sig_post(SIGALRM, SI_KERNEL, 0);
}

long lx_block(long until)
{
	lm_u64 word;
	long now;

	lx_alarm_check();
	lx_proc_poll(); /* what other processes sent */
	if (lx_sig_pending_unblocked())
		return -EINTR;
	if (until < 0) {
		word = lx_wait();
	} else {
		now = mono();
		if (now >= until)
			return 0;
		/* +1: the two clocks' conversions may differ by a nanosecond;
		 * a wake-up a little early only costs one more round */
		word = lx_wait_until(lx_tsc_ns() + (lm_u64)(until - now) + 1);
	}
	(void)word; /* terminal input: pumped by lx_thr_wait (Ctrl-C is SIGINT now) */
	lx_alarm_check();
	lx_proc_poll();
	return lx_sig_pending_unblocked() ? -EINTR : 0;
}

long lx_sleep_until(lm_u64 id, long until)
{
	long now, r;

	for (;;) {
		if (lx_clock_ns(id, &now) || now >= until)
			return 0;
		/* CLOCK_REALTIME is CLOCK_MONOTONIC plus a constant here */
		r = lx_block(mono() + (until - now));
		if (r)
			return r;
	}
}

long lx_sleep_ns(long ns)
{
	long r;

	if (ns >= 0)
		return lx_sleep_until(CLOCK_MONOTONIC, mono() + ns);
	while (!(r = lx_block(-1)))
		;
	return r;
}

static long get_req(lm_u64 ureq, struct lx_timespec *ts)
{
	if (lx_copy_in(ts, ureq, sizeof *ts))
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NS)
		return -EINVAL;
	return 0;
}

/* After -EINTR: what was left of a relative sleep, into rem (if given). */
static long put_rem(long err, lm_u64 urem, lm_u64 id, long until)
{
	long now = 0;
	struct lx_timespec ts;

	if (err != -EINTR || !urem)
		return err;
	lx_clock_ns(id, &now);
	now = until > now ? until - now : 0;
	ts.tv_sec = now / NS;
	ts.tv_nsec = now % NS;
	return lx_copy_out(urem, &ts, sizeof ts) ? -EFAULT : err;
}

/* nanosleep(req, rem) */
LX_SYS(nanosleep)
{
	struct lx_timespec ts;
	long err = get_req(a[0], &ts), until;

	if (err)
		return err;
	until = mono() + ts.tv_sec * NS + ts.tv_nsec;
	return put_rem(lx_sleep_until(CLOCK_MONOTONIC, until), a[1], CLOCK_MONOTONIC, until);
}

/* clock_nanosleep(id, flags, req, rem): returns the error, as Linux's does */
LX_SYS(clock_nanosleep)
{
	struct lx_timespec ts;
	long now, err;

	if (a[0] == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (lx_clock_ns(a[0], &now)) /* flags other than TIMER_ABSTIME: ignored, as Linux does */
		return -EINVAL;
	err = get_req(a[2], &ts);
	if (err)
		return err;
	long t = ts.tv_sec * NS + ts.tv_nsec, until = a[1] & TIMER_ABSTIME ? t : now + t;
	err = lx_sleep_until(a[0], until);
	return a[1] & TIMER_ABSTIME ? err : put_rem(err, a[3], a[0], until);
}

static void to_tv(long ns, struct lx_timeval *tv)
{
	tv->tv_sec = ns / NS;
	tv->tv_usec = ns % NS / 1000;
}

static void itimer_real(struct lx_itimerval *v)
{
	long left = alarm_at ? alarm_at - mono() : 0;

	/* armed but due: report 1 us, as Linux never reports an armed 0 */
	to_tv(alarm_at ? (left > 1000 ? left : 1000) : 0, &v->value);
	to_tv(alarm_every, &v->interval);
}

static int tv_ok(const struct lx_timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

static long tv_ns(const struct lx_timeval *tv)
{
	return tv->tv_sec * NS + tv->tv_usec * 1000;
}

static void set_real(long value, long interval)
{
	alarm_at = value ? mono() + value : 0;
	alarm_every = value ? interval : 0;
	alarm_arm();
}

/* setitimer(which, new, old) */
LX_SYS(setitimer)
{
	struct lx_itimerval nv = { 0 }, ov;

	if (a[0] > ITIMER_PROF)
		return -EINVAL;
	if (a[1] && lx_copy_in(&nv, a[1], sizeof nv))
		return -EFAULT;
	if (!tv_ok(&nv.value) || !tv_ok(&nv.interval))
		return -EINVAL;
	if (a[0] == ITIMER_REAL)
		itimer_real(&ov);
	else
		ov = cpu_timers[a[0] - 1];
	if (a[2] && lx_copy_out(a[2], &ov, sizeof ov))
		return -EFAULT;
	if (a[0] == ITIMER_REAL)
		set_real(tv_ns(&nv.value), tv_ns(&nv.interval));
	else
		cpu_timers[a[0] - 1] = nv;
	return 0;
}

/* getitimer(which, cur) */
LX_SYS(getitimer)
{
	struct lx_itimerval v;

	if (a[0] > ITIMER_PROF)
		return -EINVAL;
	if (a[0] == ITIMER_REAL)
		itimer_real(&v);
	else
		v = cpu_timers[a[0] - 1];
	return lx_copy_out(a[1], &v, sizeof v);
}

/* alarm(seconds): the seconds left of the previous alarm, rounded to the
 * nearest (at least 1 while one is set), as Linux reports them. */
LX_SYS(alarm)
{
	long left = alarm_at ? alarm_at - mono() : 0, old = 0;

	if (alarm_at)
		old = left <= 0 ? 1 : (left + NS / 2) / NS ? (left + NS / 2) / NS : 1;
	set_real((long)(lm_u32)a[0] * NS, 0);
	return old;
}
