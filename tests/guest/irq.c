/* Interrupts: IRQ_CLAIM, IRQ_SET_NOTIFY, IRQ_ACK, and a real interrupt
 * from the PIT delivered to a notification. Lines claimed here are freed
 * by deleting the IRQ capability (the harness deletes leftovers). */
#include "harness.h"

#define CN LM_SLOT_CNODE
#define CTL LM_SLOT_IRQCTL
#define IO LM_SLOT_IOPORT

#define SPARE_LINE 5 /* ISA IRQ 5: nothing on it in QEMU's PC */
#define PIT_LINE   2 /* QEMU wires the PIT (ISA 0) to IOAPIC input 2 */

TEST(irq_claim_gives_an_irq_capability)
{
	lm_cptr_t s = t_slot();

	CHECK(s);
	CHECK_OK(lm_irq_claim(CTL, SPARE_LINE, CN, s));
	CHECK_EQ(t_type(s), LM_OBJ_IRQ);
	CHECK_OK(lm_cnode_delete(CN, s));
}

TEST(irq_line_can_be_claimed_once_until_its_cap_is_deleted)
{
	lm_cptr_t a = t_slot(), b = t_slot();

	CHECK(a && b);
	CHECK_OK(lm_irq_claim(CTL, SPARE_LINE, CN, a));
	CHECK_ERR(lm_irq_claim(CTL, SPARE_LINE, CN, b), LM_ESTATE);
	CHECK_EQ(t_type(b), LM_OBJ_NULL);
	CHECK_OK(lm_cnode_delete(CN, a));
	CHECK_OK(lm_irq_claim(CTL, SPARE_LINE, CN, b));
}

TEST(irq_claim_bad_arguments_return_errors)
{
	lm_cptr_t s = t_slot(), full = t_new(LM_OBJ_FRAME, 12), ro = t_copy(CTL, LM_R_READ);

	CHECK(s && full && ro);
	CHECK_ERR(lm_irq_claim(CTL, LM_IRQ_COUNT, CN, s), LM_ERANGE);
	CHECK_ERR(lm_irq_claim(CTL, ~0ull, CN, s), LM_ERANGE);
	CHECK_ERR(lm_irq_claim(CTL, SPARE_LINE, CN, (lm_u64)1 << t_bi->cnode_bits), LM_ERANGE);
	CHECK_ERR(lm_irq_claim(CTL, SPARE_LINE, CN, full), LM_EEXIST);
	CHECK_ERR(lm_irq_claim(CTL, SPARE_LINE, full, s), LM_ETYPE);
	CHECK_ERR(lm_irq_claim(full, SPARE_LINE, CN, s), LM_ETYPE);
	CHECK_ERR(lm_irq_claim(ro, SPARE_LINE, CN, s), LM_ERIGHTS);
	CHECK_ERR(lm_irq_claim(t_slot(), SPARE_LINE, CN, s), LM_ECAP);
	CHECK_EQ(t_type(s), LM_OBJ_NULL);
	/* none of that claimed the line */
	CHECK_OK(lm_irq_claim(CTL, SPARE_LINE, CN, s));
}

TEST(irq_cap_can_be_moved_but_not_copied)
{
	lm_cptr_t s = t_slot(), c = t_slot(), m = t_slot();

	CHECK(s && c && m);
	CHECK_OK(lm_irq_claim(CTL, SPARE_LINE, CN, s));
	CHECK_ERR(lm_cnode_copy(CN, c, CN, s, LM_R_ALL), LM_ETYPE);
	CHECK_EQ(t_type(c), LM_OBJ_NULL);
	CHECK_OK(lm_cnode_move(CN, m, CN, s));
	CHECK_EQ(t_type(m), LM_OBJ_IRQ);
}

TEST(irq_set_notify_and_ack_check_their_arguments)
{
	lm_cptr_t s = t_slot(), n = t_new(LM_OBJ_NOTIFY, 0), f = t_new(LM_OBJ_FRAME, 12), nro;

	CHECK(s && n && f);
	nro = t_copy(n, LM_R_READ);
	CHECK(nro);
	CHECK_OK(lm_irq_claim(CTL, SPARE_LINE, CN, s));
	CHECK_ERR(lm_irq_set_notify(s, f), LM_ETYPE);
	CHECK_ERR(lm_irq_set_notify(f, n), LM_ETYPE);
	CHECK_ERR(lm_irq_set_notify(s, nro), LM_ERIGHTS);
	CHECK_ERR(lm_irq_set_notify(t_slot(), n), LM_ECAP);
	CHECK_OK(lm_irq_ack(s)); /* unbound: no effect */
	CHECK_OK(lm_irq_set_notify(s, n));
	CHECK_OK(lm_irq_set_notify(s, 0));
	CHECK_ERR(lm_irq_ack(f), LM_ETYPE);
	CHECK_ERR(lm_irq_ack(t_slot()), LM_ECAP);
}

TEST(irq_pit_interrupt_signals_the_bound_notification)
{
	lm_cptr_t irq = t_slot(), n = t_new(LM_OBJ_NOTIFY, 0), b = t_slot();
	lm_u64 first, second, late;

	if (!t_pit_free())
		return;
	CHECK(irq && n && b);
	CHECK_OK(lm_cnode_mint(CN, b, CN, n, LM_R_ALL, 0x4));
	CHECK_OK(lm_irq_claim(CTL, PIT_LINE, CN, irq));
	CHECK_OK(lm_irq_set_notify(irq, b));
	CHECK_OK(t_pit_run(1));
	first = t_poll_for(n, 10000);
	/* masked until acknowledged: no second signal yet */
	late = t_poll_for(n, 20);
	CHECK_OK(lm_irq_ack(irq));
	second = t_poll_for(n, 10000);
	t_pit_run(0);
	lm_irq_set_notify(irq, 0);
	lm_cnode_delete(CN, irq);
	CHECK_EQ(first, 0x4);
	CHECK_EQ(late, 0);
	CHECK_EQ(second, 0x4);
}
