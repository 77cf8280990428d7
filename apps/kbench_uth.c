/*
 * kbench: user-level threads (lm/uthread.h). uth_yield is one voluntary
 * switch between two user threads (no system call); upcall_preempt is the
 * way from a timer tick in a spinning user thread to the next user thread
 * running: the kernel's interrupt and upcall, the package's handler
 * saving the one and loading the other. Lamina only.
 */
#include "kbench.h"

static volatile lm_u64 t_first, t_end;
static volatile int started;
static lm_u64 rounds;

static void *yielder_a(void *arg)
{
	lm_uth_yield(); /* let b start */
	t_first = tsc();
	for (lm_u64 i = 0; i < rounds; i++)
		lm_uth_yield();
	t_end = tsc();
	return 0;
}

static void *yielder_b(void *arg)
{
	for (lm_u64 i = 0; i <= rounds; i++)
		lm_uth_yield();
	return 0;
}

/* 2n switches: a's n yields, each there and back. */
static lm_u64 op_uth_yield(lm_u64 n)
{
	rounds = n;
	if (!lm_uth_create(yielder_a, 0) || !lm_uth_create(yielder_b, 0) ||
	    lm_uth_run(LM_SLOT_TCB, 0))
		return 0;
	return t_end - t_first;
}

/* Spins, noting the time, until the preemption upcall has run b. The
 * last few readings are kept: a reading taken before the preemption may
 * only be stored after it. */
static volatile lm_u64 ring[4];

static void *spinner(void *arg)
{
	for (unsigned i = 0; !started; i++)
		ring[i & 3] = tsc();
	return 0;
}

static void *starter(void *arg)
{
	t_first = tsc();
	started = 1;
	return 0;
}

static lm_u64 op_upcall_preempt(lm_u64 n)
{
	lm_u64 sum = 0;
	for (lm_u64 i = 0; i < n; i++) {
		started = 0;
		for (int k = 0; k < 4; k++)
			ring[k] = 0;
		if (!lm_uth_create(spinner, 0) || !lm_uth_create(starter, 0) ||
		    lm_uth_run(LM_SLOT_TCB, 0))
			return 0;
		lm_u64 last = 0;
		for (int k = 0; k < 4; k++)
			if (ring[k] < t_first && ring[k] > last)
				last = ring[k];
		sum += t_first - last;
	}
	return sum;
}

void kb_uth(void)
{
	if (selected("uth_yield"))
		bench_self("uth_yield", 1000, 2, op_uth_yield);
	if (selected("upcall_preempt"))
		bench_self("upcall_preempt", 2, 1, op_upcall_preempt);
}
