/*
 * Futexes shared between processes (PM_FUTEX, pm_proto.h): the waiters of
 * futex words that lie in memory several processes map (a MAP_SHARED
 * area shared at fork, linux/mm.c). A word is named by a key its
 * processes compute alike: the physical address of its frame plus the
 * offset in the page (linux/futex.c). A waiter registers (pid, its thread
 * slot, key) before it checks the word's value, so a wake that comes
 * after its check finds it; a wake marks up to n waiters of the key woken
 * and signals each one's process (its wake notification, PM_WAKE_BIT);
 * the woken thread asks (PM_FUTEX_DONE) whether the wake was for it.
 * Each waiter keeps its bitset (FUTEX_WAIT_BITSET's val3, all ones for
 * FUTEX_WAIT) and a wake chooses only waiters whose bitset meets its own,
 * as futex(2) says; the bitsets ride in the high half of the tag and the
 * count (0 there means all ones: clients that send none match every
 * waiter, as before).
 *
 * The key is the client's word: a process can name any key, and so wake
 * waiters of a word it does not map (a spurious wake-up, which futex(2)
 * callers must tolerate) or wait on one. It learns nothing and blocks
 * nobody: each entry is its own pid's, at most PM_FUTEX_PER_PID a pid,
 * and the table has room for every pid's (with 128 in all, eight
 * processes of one user filled it for everyone: jobs.c futex_many); a
 * process's entries go with its exit.
 */
#include "pm.h"

#define WAITERS (PM_PIDS * PM_FUTEX_PER_PID)

static struct waiter {
	lm_u64 key;
	lm_u32 bits;           /* the wait's bitset, never 0 */
	lm_u8 pid, tag, woken; /* pid 0: a free entry */
} waiters[WAITERS];

static struct waiter *find(lm_u8 pid, lm_u64 tag)
{
	for (int i = 0; i < WAITERS; i++)
		if (waiters[i].pid == pid && waiters[i].tag == tag)
			return &waiters[i];
	return 0;
}

static long reg(lm_u8 pid, lm_u64 key, lm_u64 tag, lm_u32 bits)
{
	struct waiter *w = find(pid, tag);
	int mine = 0;

	for (int i = 0; i < WAITERS && !w; i++)
		mine += waiters[i].pid == pid;
	if (!w && mine >= PM_FUTEX_PER_PID)
		return -ENOMEM;
	if (!w)
		w = find(0, 0);
	if (!w)
		return -ENOMEM;
	*w = (struct waiter){ key, bits, pid, (lm_u8)tag, 0 };
	return 0;
}

static long wake(lm_u64 key, lm_u64 n, lm_u32 bits)
{
	long woken = 0;

	for (int i = 0; i < WAITERS && (lm_u64)woken < n; i++) {
		struct waiter *w = &waiters[i];

		if (!w->pid || w->woken || w->key != key || !(w->bits & bits))
			continue;
		w->woken = 1;
		woken++;
		if (procs[w->pid].wake)
			lm_ntfn_signal(procs[w->pid].wake);
	}
	return woken;
}

/* PM_FUTEX (op, a, b) */
long pm_futex(struct req *q)
{
	lm_u64 op = q->w[0], a = q->w[1], b = q->w[2] & 0xffffffffu;
	lm_u32 bits = (lm_u32)(q->w[2] >> 32);
	struct waiter *w;

	if (!bits)
		bits = ~0u;

	switch (op) {
	case PM_FUTEX_WAIT:
		if (b > 63)
			return -EINVAL;
		return reg(q->pid, a, b, bits);
	case PM_FUTEX_DONE:
		if (a > 63)
			return -EINVAL;
		if (!(w = find(q->pid, a)))
			return -ENOENT;
		if (w->woken || b) {
			long r = w->woken;

			*w = (struct waiter){ 0 };
			return r;
		}
		return 0;
	case PM_FUTEX_WAKE:
		return wake(a, b, bits);
	default:
		return -EINVAL;
	}
}

void pm_futex_drop(lm_u8 pid)
{
	for (int i = 0; i < WAITERS; i++)
		if (waiters[i].pid == pid)
			waiters[i] = (struct waiter){ 0 };
}
