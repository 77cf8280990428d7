/*
 * The timer server's client (servers/timer/timer_proto.h).
 *
 * Every blocking wait of the personality is one NTFN_WAIT on lx_wake_ntfn
 * (wake.c; LX_WAKE_* say who signalled). For a wait with a deadline the
 * personality first arms a timer with the timer server, whose endpoint the
 * process manager gave with PM_HELLO (lx_timer_ep = LX_SLOT_TIMER; badge =
 * this process's pid); TIMER_HELLO gave the
 * server a copy of the wake notification minted with LX_WAKE_TIMER. A
 * child after fork starts with nothing of this at the server: it makes its
 * own notification and says TIMER_HELLO again (lx_timer_init), which also
 * drops whatever timers the badge had: at its first arm, not at the fork
 * (lx_timer_fork_child), since most children (an exec, an exit) never arm
 * one and the HELLO was a tenth of linux_fork_exit's child.
 *
 * Without a timer server (no capability, or a call fails) a wait with a
 * deadline yields the CPU instead, as before there was one.
 */
#include "thread.h"
#include "../servers/timer/timer_proto.h"
#include "../servers/timer/timer_srv.h"

static int have_timer;
static int hello_owed; /* a forked child: TIMER_HELLO at the first arm */
lm_cptr_t lx_timer_ep; /* the timer server's endpoint (process.c's PM_HELLO), or 0 */
static lm_u64 armed; /* bit i: timer i armed at the server and not yet seen to fire */
static lm_u64 wait_at; /* LX_TIMER_WAIT's deadline at the server, 0: none */

/* TSC ns now: the timer server's clock (timer_proto.h). */
lm_u64 lx_tsc_ns(void)
{
	return timer_tsc_ns(lx_rdtsc(), lx_bi->tsc_khz);
}

static long timer_call(lm_u64 label, lm_u64 ncaps, lm_u64 w0, lm_u64 w1, lm_u64 *r1)
{
	struct lm_msg m;

	if (!lx_timer_ep || lm_ep_call(lx_timer_ep, LM_MSG_INFO(label, 2, ncaps), w0, w1, 0, 0, &m)) {
		have_timer = 0; /* the server is gone: yield from now on */
		return -EIO;
	}
	if (r1)
		*r1 = m.w[1];
	return (long)m.w[0];
}

/* At start, and in a child after fork once the child has its own wake
 * notification (lx_wake_ntfn) and IPC buffer: a HELLO with a fresh mint. */
void lx_timer_init(void)
{
	lm_cptr_t minted = lx_wake_mint(LX_WAKE_TIMER);

	have_timer = 0;
	armed = 0;
	wait_at = 0;
	if (!minted)
		return;
	have_timer = 1;
	if (timer_call(TIMER_HELLO, 1, 0, 0, 0))
		have_timer = 0;
	lx_wake_unmint(minted); /* the server holds its own copy now */
}

/* A forked child has no timer armed at the server (its badge, a new
 * pid, holds none it could cancel) until it arms one. */
void lx_timer_fork_child(void)
{
	have_timer = 0;
	armed = 0;
	wait_at = 0;
	hello_owed = 1;
}

int lx_timer_arm(int id, lm_u64 deadline_tsc_ns)
{
	long r;

	if (hello_owed) {
		hello_owed = 0;
		lx_timer_init();
	}
	r = have_timer ? timer_call(TIMER_ARM, 0, (lm_u64)id, deadline_tsc_ns, 0) : -EIO;

	if (r == -ENOTCONN) { /* the server forgot us (a HELLO without a cap): once more */
		lx_timer_init();
		r = have_timer ? timer_call(TIMER_ARM, 0, (lm_u64)id, deadline_tsc_ns, 0) : -EIO;
	}
	if (r)
		return -1;
	armed |= 1ull << id;
	return 0;
}

void lx_timer_cancel(int id)
{
	if (have_timer && (armed & (1ull << id)))
		timer_call(TIMER_CANCEL, 0, (lm_u64)id, 0, 0);
	armed &= ~(1ull << id);
}

int lx_timer_wait_arm(lm_u64 deadline)
{
	if (wait_at && wait_at <= deadline && (armed & (1ull << LX_TIMER_WAIT)))
		return 0; /* an earlier one wakes every waiter; each asks again */
	if (lx_timer_arm(LX_TIMER_WAIT, deadline))
		return -1;
	wait_at = deadline;
	return 0;
}

/* thread.c, at a wake-up of the process's notification */
lm_u64 lx_timer_wait_fired(lm_u64 word)
{
	if (word & LX_WAKE_TIMER) {
		armed = 0; /* one signal may stand for several timers: the caller checks */
		wait_at = 0;
	}
	return word;
}

/* Block until the TSC passes deadline (TSC ns) or anything else wakes the
 * thread; the wake word (0 when it was not the one to see it). The caller
 * checks again what it waits for: a wake-up says only that something
 * changed. */
lm_u64 lx_wait_until(lm_u64 deadline)
{
	return lx_thr_wait(deadline ? deadline : 1);
}

/* Block until anything wakes the thread (no deadline). */
lm_u64 lx_wait(void)
{
	return lx_thr_wait(0);
}
