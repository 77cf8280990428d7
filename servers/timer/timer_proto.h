/*
 * The timer protocol: what servers/timer understands, shared with its
 * clients (the Linux personality, linux/timer.c). docs/API.md "The timer
 * server" is the reference.
 *
 * The time base. Every deadline is in "TSC nanoseconds": the CPU's time
 * stamp counter (rdtsc, readable in user space) since it was reset,
 * converted with the TSC rate the kernel measured at boot (bootinfo's
 * tsc_khz, which every parent passes on) by timer_tsc_ns below. Client and
 * server read the same counter and convert it the same way, so they agree
 * on "now" without asking each other; a client's own clock (the Linux
 * personality's CLOCK_MONOTONIC, which starts at the process's start) is
 * this one minus an offset it keeps.
 *
 * Every request is an EP_CALL on the server's endpoint, badged by whoever
 * handed the client its copy (the process manager: one badge per Linux
 * process, 1..64; root: TIMER_BADGE_MEM for the memory manager). Label = TIMER_*, w0..w1 its arguments; the reply's w0
 * is 0 or a negative Linux errno, w1 a second result.
 *
 *   TIMER_HELLO, one capability: the client's wake notification (minted
 *       with the bit the client wants to see, LX_WAKE_TIMER for the Linux
 *       personality). Replaces the badge's earlier one and cancels every
 *       timer the badge had (a new process, or a child after fork, starts
 *       clean). -EINVAL without a capability or if it is no notification.
 *   TIMER_ARM (id, deadline): timer id (0..TIMER_PER_CLIENT-1) of the badge
 *       fires when the TSC passes deadline (TSC ns): the server signals the
 *       wake notification once and forgets the timer. Arming an armed id
 *       moves its deadline. A deadline already past signals at once
 *       (w1 = 1). -EINVAL for a bad id, -ENOTCONN before a HELLO.
 *   TIMER_CANCEL (id): disarm; w1 = 1 if it was armed. -EINVAL for a bad id.
 *   anything else: -ENOSYS. An unbadged or out-of-range badge: -EPERM.
 *
 * The server never blocks on a client (a signal never blocks) and does at
 * most TIMER_CLIENTS * TIMER_PER_CLIENT steps per request or interrupt.
 */
#ifndef TIMER_PROTO_H
#define TIMER_PROTO_H

#include <lamina/types.h>

enum {
	TIMER_HELLO = 1,
	TIMER_ARM = 2,
	TIMER_CANCEL = 3,
};

#define TIMER_CLIENTS    65  /* badges 1..64: the Linux pids (PM_PIDS) */
#define TIMER_BADGE_MEM  65  /* the memory manager's: its requests' deadlines */
#define TIMER_PER_CLIENT 4   /* timers per badge */

/* TSC ticks -> TSC ns at khz kHz, without overflow for centuries of ticks:
 * ticks * 10^6 alone would overflow after hours. */
static inline lm_u64 timer_tsc_ns(lm_u64 ticks, lm_u64 khz)
{
	if (!khz)
		khz = 1000000; /* unknown: take 1 GHz */
	return ticks / khz * 1000000 + ticks % khz * 1000000 / khz;
}

#endif
