/*
 * The console server (servers/console), started on every boot so that
 * programs print through it rather than the kernel's debug console, and on
 * the normal boot (neither `test` nor `bench`) the shell (apps/shell.c).
 * Their capabilities (slots in servers/console/console.h):
 *   console: a copy of the I/O ports, the IRQ capability for COM1's line 4
 *            (claimed here, moved), the service endpoint (receive), the
 *            "input available" notification (signal) and a notification of
 *            its own for the IRQ;
 *   shell:   the endpoint (call), the input notification (wait), a copy of
 *            the console's TCB (inspect, for ps), copies of the I/O-port and
 *            IRQ-control capabilities, the other modules and most of memory.
 * Both are made while root still runs at 255 (a child's priority is at most
 * its parent's); the console starts at once, the shell once hello has
 * finished. Every other child gets the endpoint at LM_SLOT_CONSOLE.
 */
#include "root.h"
#include "../console/console.h"

#define CONSOLE_PRIO 200 /* above the shell: output and echo are never held up */
#define SHELL_PRIO   110 /* above the programs it runs (100) */

static struct lm_proc con, sh;
static int sh_ok;
static lm_cptr_t con_ep, con_input;
lm_cptr_t root_console_ep; /* root's own WRITE copy; 0 until the console runs */

static lm_cptr_t obj(lm_u32 type)
{
	lm_cptr_t s = 0;
	int err = lm_obj_alloc(type, 0, &s);

	if (err)
		lm_printf("root: cannot make a %u object: %s\n", type, lm_err_str(err));
	return err ? 0 : s;
}

/* Make and start the console server; root prints through it from now on. */
void root_console_make(const struct lm_bootinfo *bi)
{
	lm_cptr_t ep = obj(LM_OBJ_ENDPOINT), input = obj(LM_OBJ_NOTIFY);
	lm_cptr_t irqn = obj(LM_OBJ_NOTIFY), irq = lm_slot_alloc(), mine = lm_slot_alloc();
	lm_cptr_t com1 = lm_slot_alloc();
	int err;

	if (!ep || !input || !irqn || !irq || !mine || !com1)
		return;
	/* The driver gets COM1's eight ports and nothing else. */
	err = lm_ioport_issue(LM_SLOT_IOPORT, CON_PORT, 8, LM_SLOT_CNODE, com1);
	if (err) {
		lm_printf("root: cannot issue COM1's ports: %s\n", lm_err_str(err));
		return;
	}
	err = lm_irq_claim(LM_SLOT_IRQCTL, CON_IRQ_LINE, LM_SLOT_CNODE, irq);
	if (err) {
		lm_printf("root: cannot claim IRQ %u: %s\n", CON_IRQ_LINE, lm_err_str(err));
		return;
	}
	const struct lm_spawn_cap con_caps[] = {
		{ com1, CON_SLOT_IOPORT, LM_R_ALL, LM_SPAWN_MOVE, 0 },
		{ irq, CON_SLOT_IRQ, LM_R_ALL, LM_SPAWN_MOVE, 0 },
		{ ep, CON_SLOT_EP, LM_R_READ, 0, 0 },
		{ input, CON_SLOT_INPUT, LM_R_WRITE, 0, 0 },
		{ irqn, CON_SLOT_IRQ_NTFN, LM_R_ALL, 0, 0 },
	};
	const struct root_child console = {
		.name = "console", .cnode_bits = 8, .prio = CONSOLE_PRIO,
		.extra = con_caps, .nextra = sizeof con_caps / sizeof con_caps[0],
	};
	err = root_launch(bi, &console, &con);
	if (!err)
		err = lm_cnode_copy(LM_SLOT_CNODE, mine, LM_SLOT_CNODE, ep, LM_R_WRITE);
	if (err) {
		lm_printf("root: cannot start the console: %s\n", lm_err_str(err));
		return;
	}
	lm_proc_start(&con);
	con_ep = ep;
	con_input = input;
	root_console_ep = mine;
	lm_stdout_use(mine);
}

/* The shell, made now (root still at 255) and started by root_shell_start. */
void root_shell_make(const struct lm_bootinfo *bi)
{
	if (!root_console_ep)
		return;
	const struct lm_spawn_cap sh_caps[] = {
		{ con_ep, SH_SLOT_CON_EP, LM_R_WRITE, 0, 0 },
		{ con_input, SH_SLOT_CON_INPUT, LM_R_READ, 0, 0 },
		{ con.tcb, SH_SLOT_CON_TCB, LM_R_READ, 0, 0 },
	};
	const struct root_child shell = {
		.name = "shell", .cnode_bits = 14, .prio = SHELL_PRIO,
		.memory = 1, .modules = 1, .devices = 1,
		.extra = sh_caps, .nextra = sizeof sh_caps / sizeof sh_caps[0],
	};
	int err = root_launch(bi, &shell, &sh);
	if (err)
		lm_printf("root: cannot start the shell: %s\n", lm_err_str(err));
	else
		sh_ok = 1;
}

void root_shell_start(void)
{
	if (sh_ok)
		lm_proc_start(&sh);
}
