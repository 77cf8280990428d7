/*
 * The 8254 PIT's channel 0, used one-shot (mode 0, "interrupt on terminal
 * count"): writing the mode word drives the output low and stops the
 * count; writing the 16-bit count starts it; when it reaches zero the
 * output rises, which is ISA IRQ 0 (line 2), and stays high until the next
 * mode word. The kernel measures the TSC against the PIT at boot and then
 * leaves it alone (it keeps only the local APIC timer), so this server is
 * its only user after boot. QEMU's PIT counts at 1,193,182 Hz as the real
 * one does, under TCG as under KVM, from the host's clock.
 */
#include "timer.h"

#define PIT_HZ      1193182ull
#define PIT_CMD     0x43
#define PIT_MODE0   0x30 /* channel 0, low byte then high byte, mode 0, binary */
#define PIT_MAX     0xffffull

/* The longest one-shot the counter can time: 65,535 ticks, ~54.9 ms. */
lm_u64 pit_max_ns(void)
{
	return PIT_MAX * 1000000000ull / PIT_HZ;
}

/* Interrupt in about ns nanoseconds (at most pit_max_ns: the caller arms
 * again when a longer wait ends early). */
void pit_oneshot(lm_u64 ns)
{
	lm_u64 ticks = ns * PIT_HZ / 1000000000ull; /* ns <= pit_max_ns: no overflow */

	if (ticks < 1)
		ticks = 1;
	if (ticks > PIT_MAX)
		ticks = PIT_MAX;
	lm_ioport_out(TIMER_SLOT_IOPORT, PIT_CMD, 1, PIT_MODE0);
	lm_ioport_out(TIMER_SLOT_IOPORT, TIMER_PIT_PORT, 1, ticks & 0xff);
	lm_ioport_out(TIMER_SLOT_IOPORT, TIMER_PIT_PORT, 1, ticks >> 8);
}

/* No deadline: the mode word alone stops the count (no interrupt). */
void pit_stop(void)
{
	lm_ioport_out(TIMER_SLOT_IOPORT, PIT_CMD, 1, PIT_MODE0);
}
