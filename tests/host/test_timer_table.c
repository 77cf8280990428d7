/* The timer server's deadline table (servers/timer/table.c) on the host,
 * with the PIT and the clients' notifications replaced by records. */
#include "check.h"
#include "../../servers/timer/timer.h"

static int woken[TIMER_CLIENTS];
static lm_u64 pit_ns;   /* the last one-shot asked for; 0: stopped */

void timer_wake(lm_u32 client)
{
	woken[client]++;
}

lm_u64 pit_max_ns(void)
{
	return 54924000;
}

void pit_oneshot(lm_u64 ns)
{
	pit_ns = ns;
}

void pit_stop(void)
{
	pit_ns = 0;
}

static void reset(void)
{
	for (lm_u32 c = 0; c < TIMER_CLIENTS; c++) {
		table_clear(c);
		table_has_wake[c] = 1;
		woken[c] = 0;
	}
	pit_ns = 0;
}

static void arm_checks_the_id_and_the_hello(void)
{
	lm_u64 r1 = 9;

	reset();
	CHECK(table_arm(0, TIMER_PER_CLIENT, timer_now() + 1000000000, &r1) == -EINVAL);
	CHECK(table_arm(0, ~0ull, 0, &r1) == -EINVAL);
	CHECK(table_cancel(0, TIMER_PER_CLIENT, &r1) == -EINVAL);
	table_has_wake[5] = 0;
	CHECK(table_arm(5, 0, 0, &r1) == -ENOTCONN);
	CHECK(table_arm(0, 3, timer_now() + 1000000000, &r1) == 0 && r1 == 0);
	CHECK(table_cancel(0, 3, &r1) == 0 && r1 == 1);
	CHECK(table_cancel(0, 3, &r1) == 0 && r1 == 0);
}

static void a_deadline_past_wakes_at_once_and_only_once(void)
{
	lm_u64 r1 = 0;

	reset();
	CHECK(table_arm(7, 1, 1, &r1) == 0 && r1 == 1);
	table_run();
	CHECK(woken[7] == 1 && pit_ns == 0);
	table_run();
	CHECK(woken[7] == 1);
}

static void the_pit_is_set_for_the_earliest_deadline_at_most_its_range(void)
{
	lm_u64 r1, now = timer_now();

	reset();
	CHECK(table_arm(1, 0, now + 40000000, &r1) == 0);
	CHECK(table_arm(2, 2, now + 10000000, &r1) == 0);
	table_run();
	CHECK(pit_ns > 9999000 && pit_ns <= 10000000);
	CHECK(table_cancel(2, 2, &r1) == 0 && r1 == 1);
	table_run();
	CHECK(pit_ns > 39999000 && pit_ns <= 40000000);
	CHECK(table_arm(1, 0, now + 3600000000000ull, &r1) == 0);
	table_run();
	CHECK(pit_ns == pit_max_ns());
	CHECK(woken[1] == 0 && woken[2] == 0);
}

static void every_timer_of_every_client_fits_and_fires(void)
{
	lm_u64 r1;

	reset();
	for (lm_u32 c = 0; c < TIMER_CLIENTS; c++)
		for (lm_u32 i = 0; i < TIMER_PER_CLIENT; i++)
			CHECK(table_arm(c, i, 2, &r1) == 0);
	table_run();
	for (lm_u32 c = 0; c < TIMER_CLIENTS; c++)
		CHECK(woken[c] == TIMER_PER_CLIENT);
	CHECK(pit_ns == 0);
}

static void clear_forgets_a_clients_timers(void)
{
	lm_u64 r1;

	reset();
	CHECK(table_arm(3, 0, 2, &r1) == 0);
	table_clear(3);
	table_run();
	CHECK(woken[3] == 0);
}

int main(void)
{
	/* a TSC of 10^15 Hz: the clock all but stands still (a second of the
	 * host's TSC is a few ns), so no check here depends on timing */
	timer_khz = 1000000000000ull;
	RUN(arm_checks_the_id_and_the_hello);
	RUN(a_deadline_past_wakes_at_once_and_only_once);
	RUN(the_pit_is_set_for_the_earliest_deadline_at_most_its_range);
	RUN(every_timer_of_every_client_fits_and_fires);
	RUN(clear_forgets_a_clients_timers);
	return CHECK_DONE();
}
