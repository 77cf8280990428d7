/*
 * The deadlines: a fixed table of TIMER_PER_CLIENT timers for each of the
 * TIMER_CLIENTS badges (260 in all), so that what a client can make the
 * server do is bounded by the table's size: every request and every
 * interrupt is at most two passes over it, whatever any client asks.
 */
#include "timer.h"

/* Deadlines this close (ns) count as passed: a one-shot that short would
 * cost an interrupt for nothing. */
#define SLACK_NS 20000

struct timer {
	lm_u64 deadline; /* TSC ns */
	int armed;
};

static struct timer table[TIMER_CLIENTS][TIMER_PER_CLIENT];
lm_u8 table_has_wake[TIMER_CLIENTS]; /* the client's HELLO gave a wake notification */
lm_u64 timer_khz;

lm_u64 timer_now(void)
{
	lm_u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return timer_tsc_ns(((lm_u64)hi << 32) | lo, timer_khz);
}

void table_clear(lm_u32 client)
{
	for (lm_u32 i = 0; i < TIMER_PER_CLIENT; i++)
		table[client][i].armed = 0;
}

long table_arm(lm_u32 client, lm_u64 id, lm_u64 deadline, lm_u64 *r1)
{
	if (id >= TIMER_PER_CLIENT)
		return -EINVAL;
	if (!table_has_wake[client])
		return -ENOTCONN;
	table[client][id] = (struct timer){ deadline, 1 };
	*r1 = deadline <= timer_now() + SLACK_NS; /* table_run signals it at once */
	return 0;
}

long table_cancel(lm_u32 client, lm_u64 id, lm_u64 *r1)
{
	if (id >= TIMER_PER_CLIENT)
		return -EINVAL;
	*r1 = table[client][id].armed;
	table[client][id].armed = 0;
	return 0;
}

void table_run(void)
{
	lm_u64 now = timer_now(), next = ~0ull;

	for (lm_u32 c = 0; c < TIMER_CLIENTS; c++)
		for (lm_u32 i = 0; i < TIMER_PER_CLIENT; i++) {
			struct timer *t = &table[c][i];

			if (!t->armed)
				continue;
			if (t->deadline <= now + SLACK_NS) {
				t->armed = 0;
				timer_wake(c);
			} else if (t->deadline < next) {
				next = t->deadline;
			}
		}
	if (next == ~0ull)
		pit_stop();
	else
		pit_oneshot(next - now < pit_max_ns() ? next - now : pit_max_ns());
}
