/*
 * Local APIC and its timer, the only interrupt the kernel keeps for itself.
 * The legacy PICs are masked. Timer and TSC frequency are measured against
 * PIT channel 2. x2APIC (MSR access) and the TSC-deadline timer are used
 * when CPUID offers them; otherwise xAPIC MMIO and a periodic timer (QEMU's
 * TCG has neither).
 */
#include <lamina/bootinfo.h>
#include "arch.h"
#include "asm.h"

#define LAPIC_ID       0x020
#define LAPIC_EOI      0x0b0
#define LAPIC_SVR      0x0f0
#define LAPIC_LVT_TMR  0x320
#define LAPIC_TMR_INIT 0x380
#define LAPIC_TMR_CUR  0x390
#define LAPIC_TMR_DIV  0x3e0
#define TIMER_HZ       100
#define VEC_TIMER      32

u64 tsc_khz;
static volatile u32 *lapic;

static bool x2apic;
static u64 tsc_per_tick;

static u32 lapic_read(u32 reg)
{
	return x2apic ? (u32)rdmsr(0x800 + (reg >> 4)) : lapic[reg / 4];
}

static void lapic_write(u32 reg, u32 v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		lapic[reg / 4] = v;
}

void apic_eoi(void) { lapic_write(LAPIC_EOI, 0); }

static void pic_mask_all(void)
{
	/* Remap first so a stray legacy IRQ cannot alias an exception. */
	outb(0x20, 0x11); outb(0xa0, 0x11);
	outb(0x21, 0x20); outb(0xa1, 0x28);
	outb(0x21, 0x04); outb(0xa1, 0x02);
	outb(0x21, 0x01); outb(0xa1, 0x01);
	outb(0x21, 0xff); outb(0xa1, 0xff);
}

/* Busy-wait 10 ms on PIT channel 2 (gate via port 0x61). */
static void pit_wait_10ms(void)
{
	u16 count = 11932; /* 1193182 Hz / 100 */
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0); /* channel 2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	while (!(inb(0x61) & 0x20))
		;
}

static u32 ticks_per_period;

void apic_init(void)
{
	pic_mask_all();
	u64 base = rdmsr(MSR_APIC_BASE);
	x2apic = cpu_features & LM_CPU_X2APIC;
	/* Enable xAPIC first: going from disabled straight to x2APIC faults. */
	wrmsr(MSR_APIC_BASE, base | BIT(11));
	if (x2apic)
		wrmsr(MSR_APIC_BASE, base | BIT(11) | BIT(10));
	lapic = phys_to_virt(base & 0xfffff000);
	lapic_write(LAPIC_SVR, 0x100 | 0xff); /* enable, spurious vector 255 */

	lapic_write(LAPIC_TMR_DIV, 0x3); /* divide by 16 */
	lapic_write(LAPIC_LVT_TMR, BIT(16)); /* masked while measuring */
	lapic_write(LAPIC_TMR_INIT, 0xffffffff);
	u64 t0 = rdtsc();
	pit_wait_10ms();
	u64 t1 = rdtsc();
	u32 elapsed = 0xffffffff - lapic_read(LAPIC_TMR_CUR);
	lapic_write(LAPIC_TMR_INIT, 0);
	tsc_khz = (t1 - t0) / 10;
	tsc_per_tick = tsc_khz * 1000 / TIMER_HZ;
	ticks_per_period = elapsed * 100 / TIMER_HZ;
	if (!ticks_per_period)
		ticks_per_period = 1;
}

void timer_start(void)
{
	if (cpu_features & LM_CPU_TSCDL) {
		lapic_write(LAPIC_LVT_TMR, VEC_TIMER | (2u << 17)); /* TSC-deadline */
		timer_rearm();
	} else {
		lapic_write(LAPIC_LVT_TMR, VEC_TIMER | BIT(17)); /* periodic */
		lapic_write(LAPIC_TMR_INIT, ticks_per_period);
	}
}

/* Called on each timer tick: a deadline timer fires once per arming. */
void timer_rearm(void)
{
	if (cpu_features & LM_CPU_TSCDL)
		wrmsr(MSR_TSC_DEADLINE, rdtsc() + tsc_per_tick);
}
