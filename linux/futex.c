/*
 * futex (man 2 futex) between the threads of one process, and between
 * processes on a word of shared memory.
 *
 * A waiter records the word's address and its bitset in its thread slot
 * (thread.h) and waits (lx_block) until a wake chooses it, a signal that
 * it does not block is pending (EINTR), or its deadline passes
 * (ETIMEDOUT). All of it runs under the personality's lock, so the check
 * of the word's value and the enqueue are atomic with respect to every
 * FUTEX_WAKE, as Linux's hash-bucket lock makes them. Waiters are woken in
 * slot order, not FIFO (futex(2) promises no order).
 *
 * A futex without FUTEX_PRIVATE_FLAG on a word in a SHARED area (MAP_SHARED
 * anonymous memory, whose frames a fork shares: mm.c) may have waiters in
 * other processes: its waits and wakes go through the process manager
 * (servers/proc/futex.c, PM_FUTEX), keyed by the word's frame's physical
 * address plus its offset (lx_mm_shared_key), the same in every process
 * that maps it. A waiter registers first and then checks the value, so a
 * wake after the check finds it; it waits on the process's wake
 * notification, which the manager signals, and asks whether the wake was
 * its own (PM_FUTEX_DONE). Every other futex (private, or on a word only
 * this process maps) stays here. On a shared word the manager keeps each
 * waiter's bitset and a wake chooses only the waiters whose bitset meets
 * its own (FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET; the plain calls use all
 * ones); a requeue wakes the waiters it would move (a spurious wake-up,
 * which futex(2) allows).
 */
#include "thread.h"
#include "mm.h"
#include "../servers/proc/pm_proto.h"

#define FUTEX_WAIT            0
#define FUTEX_WAKE            1
#define FUTEX_REQUEUE         3
#define FUTEX_CMP_REQUEUE     4
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAKE_BITSET     10
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256
#define NS                    1000000000l

long lx_futex_wake(lm_u64 uaddr, long n, lm_u32 bits)
{
	long woken = 0;

	for (int i = 0; i < LX_THREADS && woken < n; i++) {
		struct lx_thread *t = &lx_threads[i];

		if (t->futex == uaddr && !t->fwoken && (t->fbits & bits)) {
			t->fwoken = 1;
			lx_thr_wake(t);
			woken++;
		}
	}
	return woken;
}

/* Wake n waiters of uaddr, move up to n2 more to uaddr2. */
static long requeue(lm_u64 uaddr, long n, lm_u64 uaddr2, long n2)
{
	long woken = lx_futex_wake(uaddr, n, ~0u), moved = 0;

	for (int i = 0; i < LX_THREADS && moved < n2; i++) {
		struct lx_thread *t = &lx_threads[i];

		if (t->futex == uaddr && !t->fwoken) {
			t->futex = uaddr2;
			moved++;
		}
	}
	return woken + moved;
}

/* The deadline on CLOCK_MONOTONIC (ns, -1 none) of a wait's timeout:
 * relative for FUTEX_WAIT, absolute for FUTEX_WAIT_BITSET (on
 * CLOCK_REALTIME with FUTEX_CLOCK_REALTIME). */
static long deadline(lm_u64 uts, int op, int realtime, long *until)
{
	struct lx_timespec ts;
	long mono = 0, now = 0;

	*until = -1;
	if (!uts)
		return 0;
	if (lx_copy_in(&ts, uts, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NS)
		return -EINVAL;
	lx_clock_ns(CLOCK_MONOTONIC, &mono);
	long t = ts.tv_sec * NS + ts.tv_nsec;
	if (op == FUTEX_WAIT) {
		*until = mono + t;
		return 0;
	}
	if (realtime)
		lx_clock_ns(CLOCK_REALTIME, &now);
	*until = realtime ? mono + (t - now) : t; /* REALTIME is MONOTONIC + a constant */
	if (*until < 0)
		*until = 0; /* long past (< 0 would mean no deadline) */
	return 0;
}

static long wait(lm_u64 uaddr, lm_u32 val, long until, lm_u32 bits)
{
	struct lx_thread *t = lx_self();
	lm_u32 cur;
	long r = 0, now;

	if (lx_copy_in(&cur, uaddr, 4))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	t->futex = uaddr;
	t->fbits = bits;
	t->fwoken = 0;
	while (!t->fwoken && !r) {
		lx_clock_ns(CLOCK_MONOTONIC, &now);
		if (until >= 0 && now >= until)
			r = -ETIMEDOUT;
		else
			r = lx_block(until);
	}
	r = t->fwoken ? 0 : r;
	t->futex = 0;
	/* as Linux: a wait without a timeout is restarted after a handler
	 * with SA_RESTART, else EINTR */
	return r == -EINTR && until < 0 ? -ERESTARTSYS : r;
}

/* The threads (by slot) registered with the manager now: a thread that
 * execve ends while it waits leaves its entry, which lx_futex_exec takes
 * back (else a wake could choose it and be lost). */
static lm_u64 registered;

void lx_futex_exec(void)
{
	lm_u64 me = (lm_u64)(lx_self() - lx_threads);

	for (lm_u64 tag = 0; registered & ~(1ull << me); tag++)
		if (registered & (1ull << tag) && tag != me) {
			lx_pm_call(PM_FUTEX, PM_FUTEX_DONE, tag, 1, 0);
			registered &= ~(1ull << tag);
		}
}

/* The key of a futex word other processes may wait on, or 0 (private). */
static lm_u64 shared_key(lm_u64 uaddr, lm_u64 op)
{
	return op & FUTEX_PRIVATE_FLAG ? 0 : lx_mm_shared_key(uaddr);
}

/* A wait on a shared word (key): registered with the process manager
 * before the value is checked. */
static long wait_shared(lm_u64 key, lm_u64 uaddr, lm_u32 val, long until, lm_u32 bits)
{
	lm_u64 tag = (lm_u64)(lx_self() - lx_threads);
	lm_u32 cur;
	long r, now;
	int woken = 0;

	if ((r = lx_pm_call(PM_FUTEX, PM_FUTEX_WAIT, key, tag | (lm_u64)bits << 32, 0)) < 0)
		return r; /* -ENOMEM: too many waiters of ours; -ENOSYS: no manager */
	registered |= 1ull << tag;
	if (lx_copy_in(&cur, uaddr, 4))
		r = -EFAULT;
	else if (cur != val)
		r = -EAGAIN;
	while (!r && !(woken = lx_pm_call(PM_FUTEX, PM_FUTEX_DONE, tag, 0, 0) == 1)) {
		lx_clock_ns(CLOCK_MONOTONIC, &now);
		r = until >= 0 && now >= until ? -ETIMEDOUT : lx_block(until);
	}
	/* the entry goes; a wake that chose it meanwhile still counts */
	if (!woken)
		woken = lx_pm_call(PM_FUTEX, PM_FUTEX_DONE, tag, 1, 0) == 1;
	registered &= ~(1ull << tag);
	if (woken)
		return 0;
	return r == -EINTR && until < 0 ? -ERESTARTSYS : r;
}

/* Without a manager (-ENOSYS) there is no other process: the word is
 * this process's alone (the caller falls back to the private futex). */
static long wake_shared(lm_u64 key, long n, lm_u32 bits)
{
	return lx_pm_call(PM_FUTEX, PM_FUTEX_WAKE, key, (lm_u64)n | (lm_u64)bits << 32, 0);
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3) */
LX_SYS(futex)
{
	int op = (int)(a[1] & ~(lm_u64)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME));
	int realtime = (a[1] & FUTEX_CLOCK_REALTIME) != 0;
	lm_u32 val = (lm_u32)a[2], val3 = (lm_u32)a[5], cur, bits;
	long until, r;
	lm_u64 key;

	if (a[0] & 3)
		return -EINVAL; /* not 4-byte aligned */
	if (realtime && op != FUTEX_WAIT_BITSET && op != FUTEX_WAIT)
		return -ENOSYS; /* as Linux: only the waits take a clock */
	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (op == FUTEX_WAIT_BITSET && !val3)
			return -EINVAL;
		if ((r = deadline(a[3], op, realtime, &until)))
			return r;
		if (lx_copy_in(&cur, a[0], 4)) /* also gives the page its frame */
			return -EFAULT;
		bits = op == FUTEX_WAIT ? ~0u : val3;
		if ((key = shared_key(a[0], a[1])) &&
		    (r = wait_shared(key, a[0], val, until, bits)) != -ENOSYS)
			return r;
		return wait(a[0], val, until, bits);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (op == FUTEX_WAKE_BITSET && !val3)
			return -EINVAL;
		if (!lx_readable(a[0], 4))
			return -EFAULT;
		bits = op == FUTEX_WAKE ? ~0u : val3;
		if ((key = shared_key(a[0], a[1])) &&
		    (r = wake_shared(key, (int)val < 0 ? 0x7fffffff : val, bits)) != -ENOSYS)
			return r;
		return lx_futex_wake(a[0], (int)val < 0 ? 0x7fffffff : val, bits);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if ((long)(int)val < 0 || (long)(int)a[3] < 0 || (a[4] & 3))
			return -EINVAL;
		if (!lx_readable(a[4], 4))
			return -EFAULT;
		if (lx_copy_in(&cur, a[0], 4))
			return -EFAULT;
		if (op == FUTEX_CMP_REQUEUE && cur != val3)
			return -EAGAIN;
		if ((key = shared_key(a[0], a[1])) &&
		    (r = wake_shared(key, (long)val + (long)(int)a[3], ~0u)) != -ENOSYS)
			return r;
		return requeue(a[0], val, a[4], (int)a[3]);
	default:
		return -ENOSYS;
	}
}
