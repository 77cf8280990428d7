/*
 * The timer server (servers/timer), started on a normal boot (the
 * shell's). Its capabilities: the PIT's four I/O ports (0x40-0x43: channel
 * 0's data and the command register; channels 1 and 2 are unused and the
 * speaker gate, port 0x61, is not given), the IRQ capability for line 2
 * (ISA IRQ 0), its endpoint (receive), a notification for the IRQ that it
 * binds to its thread, and a frame for its IPC buffer. The endpoint is
 * made before the shell, which gets a copy (WRITE | GRANT: clients send a
 * capability with HELLO) to mint a badge per Linux process.
 */
#include "root.h"
#include "../timer/timer_srv.h"

#define TIMER_PRIO 160 /* above the shell and its programs (wake-ups on time), below the console */

static struct lm_proc tp;
lm_cptr_t root_timer_ep; /* 0: no timer server */

void root_timer_objects(void)
{
	if (lm_obj_alloc(LM_OBJ_ENDPOINT, 0, &root_timer_ep)) {
		lm_printf("root: cannot make the timer server's endpoint\n");
		root_timer_ep = 0;
	}
}

void root_timer_start(const struct lm_bootinfo *bi)
{
	lm_cptr_t ports = lm_slot_alloc(), irq = lm_slot_alloc(), ntfn = 0, frame = 0;
	int err = root_timer_ep && ports && irq ? LM_OK : LM_ENOENT;

	if (!err)
		err = lm_ioport_issue(LM_SLOT_IOPORT, TIMER_PIT_PORT, 4, LM_SLOT_CNODE, ports);
	if (!err)
		err = lm_irq_claim(LM_SLOT_IRQCTL, TIMER_PIT_LINE, LM_SLOT_CNODE, irq);
	if (!err)
		err = lm_obj_alloc(LM_OBJ_NOTIFY, 0, &ntfn);
	if (!err)
		err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &frame);
	if (err)
		goto out_no_server;
	const struct lm_spawn_cap caps[] = {
		{ ports, TIMER_SLOT_IOPORT, LM_R_ALL, LM_SPAWN_MOVE, 0 },
		{ irq, TIMER_SLOT_IRQ, LM_R_ALL, LM_SPAWN_MOVE, 0 },
		{ root_timer_ep, TIMER_SLOT_EP, LM_R_READ, 0, 0 },
		{ ntfn, TIMER_SLOT_NTFN, LM_R_ALL, 0, 0 },
		{ frame, TIMER_SLOT_IPCBUF, LM_R_READ | LM_R_WRITE, LM_SPAWN_MAP, TIMER_IPCBUF_VA },
	};
	const struct root_child timer = {
		.name = "timer", .cnode_bits = 8, .prio = TIMER_PRIO,
		.asids = LM_SPAWN_NO_ASIDS,
		.extra = caps, .nextra = sizeof caps / sizeof caps[0],
	};
	err = root_launch(bi, &timer, &tp);
	if (err)
		goto out_no_server;
	lm_proc_start(&tp);
	return;
out_no_server:
	lm_printf("root: cannot start the timer server: %s\n", lm_err_str(err));
	/* nobody would receive: revoke the shell's copy, so that a client's
	 * call fails at once and the personality falls back to yielding */
	if (root_timer_ep)
		lm_obj_free(root_timer_ep);
	root_timer_ep = 0;
}
