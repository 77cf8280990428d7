/*
 * Device interrupts, delivered as notifications. Root claims a line with
 * its IRQ-control capability and gets an IRQ capability for it; the driver
 * binds a notification. When the line fires the kernel masks it at the
 * IOAPIC, signals the notification and is done: the driver handles the
 * device and acknowledges with IRQ_ACK, which unmasks the line. The kernel
 * keeps no device logic but this.
 */
#include <lamina/syscall.h>
#include "arch.h"
#include "ipc.h"
#include "cnode.h"
#include "syscall.h"

#define IOAPIC_PHYS 0xfec00000 /* the standard address; QEMU's PC uses it */
#define VEC_IRQ0    33

struct irq_line {
	bool claimed;
	struct notify *ntfn;
	u64 badge;
};

static struct irq_line lines[LM_IRQ_COUNT];
static volatile u32 *ioapic;

static void ioapic_write(u32 reg, u32 v)
{
	ioapic[0] = reg;
	ioapic[4] = v;
}

static void line_mask(u64 line, bool mask)
{
	/* Edge-triggered, active high, to the boot CPU (APIC ID 0). */
	ioapic_write(0x10 + 2 * (u32)line, (u32)(VEC_IRQ0 + line) | (mask ? BIT(16) : 0));
	ioapic_write(0x11 + 2 * (u32)line, 0);
}

void irq_init(void)
{
	ioapic = phys_to_virt(IOAPIC_PHYS);
	for (u64 l = 0; l < LM_IRQ_COUNT; l++)
		line_mask(l, true);
}

/* From trap.c: a device line fired. */
void irq_device(u64 vector)
{
	u64 line = vector - VEC_IRQ0;
	if (line >= LM_IRQ_COUNT)
		return;
	line_mask(line, true);
	if (lines[line].ntfn)
		notify_signal(lines[line].ntfn, lines[line].badge);
}

/* The IRQ capability is gone: the line is free and silent again. */
void irq_release(u64 line)
{
	line_mask(line, true);
	lines[line] = (struct irq_line){ 0 };
}

void irq_notify_gone(struct notify *n)
{
	for (int l = 0; l < LM_IRQ_COUNT; l++)
		if (lines[l].ntfn == n)
			lines[l].ntfn = NULL;
}

SYS(irq_claim)
{
	struct slot *ctl, *dcn, *dst;
	u64 line = ARG2(f), e;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_IRQCTL, LM_R_WRITE, 1, &ctl)))
		return e;
	if (line >= LM_IRQ_COUNT)
		return SYSERR(LM_ERANGE, 2);
	if ((e = cap_lookup(ARG3(f), LM_OBJ_CNODE, LM_R_WRITE, 3, &dcn)) ||
	    (e = cnode_index(dcn, ARG4(f), 4, &dst)))
		return e;
	if (dst->cap.type != LM_OBJ_NULL)
		return SYSERR(LM_EEXIST, 4);
	if (lines[line].claimed)
		return SYSERR(LM_ESTATE, 2);
	lines[line].claimed = true;
	struct cap c = { .type = LM_OBJ_IRQ, .rights = LM_R_ALL, .obj = line };
	cnode_mark(&dcn->cap, ARG4(f), 1);
	cap_insert(dst, &c, ctl);
	return LM_OK;
}

SYS(irq_set_notify)
{
	struct slot *irq, *ns = NULL;
	u64 e = cap_lookup(ARG1(f), LM_OBJ_IRQ, LM_R_WRITE, 1, &irq);
	if (e)
		return e;
	if (ARG2(f) && (e = cap_lookup(ARG2(f), LM_OBJ_NOTIFY, LM_R_WRITE, 2, &ns)))
		return e;
	struct irq_line *l = &lines[irq->cap.obj];
	l->ntfn = ns ? (struct notify *)ns->cap.obj : NULL;
	l->badge = ns && ns->cap.w2 ? ns->cap.w2 : 1;
	line_mask(irq->cap.obj, !ns);
	return LM_OK;
}

SYS(irq_ack)
{
	struct slot *irq;
	u64 e = cap_lookup(ARG1(f), LM_OBJ_IRQ, LM_R_WRITE, 1, &irq);
	if (e)
		return e;
	if (lines[irq->cap.obj].ntfn)
		line_mask(irq->cap.obj, false);
	return LM_OK;
}
