/*
 * The console server (servers/console), started on every boot so that
 * programs print through it rather than the kernel's debug console, and on
 * the normal boot (neither `test` nor `bench`) the shell (apps/shell.c).
 * Their capabilities (slots in servers/console/console.h):
 *   console: COM1's ports, the IRQ capability for COM1's line 4 (claimed
 *            here, moved), its output and input endpoints (receive), the
 *            shell's event notification (signal, badged SH_EV_INTR: Ctrl-C),
 *            a notification of its own for the IRQ, one for its reader
 *            thread, that thread (made here, configured in its space) and
 *            a frame for the reader's IPC buffer (CON_NOTIFY brings a cap);
 *   shell:   the output endpoint (call), the input endpoint (call: only the
 *            shell gets it, and lends it to its foreground program), its
 *            event notification (wait, and mint its own badges), a copy of
 *            the console's TCB (inspect, for ps), copies of the I/O-port and
 *            IRQ-control capabilities, the other modules and most of memory.
 * Both are made while root still runs at 255 (a child's priority is at most
 * its parent's); the console starts at once, the shell once hello has
 * finished. Every other child gets the output endpoint at LM_SLOT_CONSOLE.
 *
 * Priorities: console 200 > shell 110 > programs (100, at most 110). A
 * Ctrl-C interrupt reaches the console at once; its signal makes the shell
 * runnable above any program it runs (or beside one at its own priority,
 * within a time slice), so a spinning program cannot keep it from acting.
 */
#include "root.h"
#include "../console/console.h"
#include "../proc/pm_proto.h"
#include "../proc/pm_srv.h"
#include "../mem/mem_proto.h"
#include "../mem/mem_srv.h"

#define CONSOLE_PRIO 200 /* above the shell: output and echo are never held up */
#define SHELL_PRIO   110 /* above the programs it runs (100) */

static struct lm_proc con, sh;
static int sh_ok;
static lm_cptr_t con_ep, con_in, sh_events;
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
	lm_cptr_t ep = obj(LM_OBJ_ENDPOINT), in = obj(LM_OBJ_ENDPOINT);
	lm_cptr_t events = obj(LM_OBJ_NOTIFY), wake = obj(LM_OBJ_NOTIFY);
	lm_cptr_t irqn = obj(LM_OBJ_NOTIFY), reader = obj(LM_OBJ_TCB);
	lm_cptr_t ipcbuf = 0;
	lm_cptr_t irq = lm_slot_alloc(), mine = lm_slot_alloc();
	lm_cptr_t com1 = lm_slot_alloc(), intr = lm_slot_alloc();
	int err;

	if (!ep || !in || !events || !wake || !irqn || !reader || !irq || !mine || !com1 ||
	    !intr || lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &ipcbuf))
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
	/* Its Ctrl-C signal arrives in the shell's event word as SH_EV_INTR. */
	err = lm_cnode_mint(LM_SLOT_CNODE, intr, LM_SLOT_CNODE, events, LM_R_WRITE, SH_EV_INTR);
	if (err) {
		lm_printf("root: cannot mint the console's interrupt signal: %s\n",
			  lm_err_str(err));
		return;
	}
	const struct lm_spawn_cap con_caps[] = {
		{ com1, CON_SLOT_IOPORT, LM_R_ALL, LM_SPAWN_MOVE, 0 },
		{ irq, CON_SLOT_IRQ, LM_R_ALL, LM_SPAWN_MOVE, 0 },
		{ ep, CON_SLOT_EP, LM_R_READ, 0, 0 },
		{ intr, CON_SLOT_INTR, LM_R_WRITE, 0, 0 },
		{ irqn, CON_SLOT_IRQ_NTFN, LM_R_ALL, 0, 0 },
		{ in, CON_SLOT_IN_EP, LM_R_READ, 0, 0 },
		{ wake, CON_SLOT_WAKE, LM_R_ALL, 0, 0 },
		{ reader, CON_SLOT_READER, LM_R_ALL, 0, 0 },
		{ ipcbuf, CON_SLOT_IPCBUF, LM_R_READ | LM_R_WRITE, LM_SPAWN_MAP, CON_IPCBUF_VA },
	};
	const struct root_child console = {
		.name = "console", .cnode_bits = 8, .prio = CONSOLE_PRIO,
		.asids = LM_SPAWN_NO_ASIDS, /* it makes no address spaces */
		.extra = con_caps, .nextra = sizeof con_caps / sizeof con_caps[0],
	};
	err = root_launch(bi, &console, &con);
	if (!err) /* the reader lives in the console's CSpace and address space */
		err = lm_thread_configure(reader, con.cnode, con.vspace);
	if (!err)
		err = lm_cnode_copy(LM_SLOT_CNODE, mine, LM_SLOT_CNODE, ep, LM_R_WRITE);
	if (err) {
		lm_printf("root: cannot start the console: %s\n", lm_err_str(err));
		return;
	}
	lm_proc_start(&con);
	con_ep = ep;
	con_in = in;
	sh_events = events;
	root_console_ep = mine;
	lm_stdout_use(mine);
}

/* The shell, made now (root still at 255) and started by root_shell_start. */
void root_shell_make(const struct lm_bootinfo *bi)
{
	if (!root_console_ep)
		return;
	struct lm_spawn_cap sh_caps[7] = {
		{ con_ep, SH_SLOT_CON_EP, LM_R_WRITE, 0, 0 },
		{ con_in, SH_SLOT_CON_IN, LM_R_WRITE | LM_R_GRANT, 0, 0 },
		{ con.tcb, SH_SLOT_CON_TCB, LM_R_READ, 0, 0 },
		{ sh_events, SH_SLOT_EVENTS, LM_R_READ | LM_R_WRITE, 0, 0 },
	};
	lm_u32 n = 4;
	lm_cptr_t pm = root_pm_ep ? lm_slot_alloc() : 0;

	/* The process manager's endpoint, badge PM_BADGE_SHELL: a pid, a file
	 * server badge and page for each Linux process it starts
	 * (servers/root/proc.c). */
	if (pm && !lm_cnode_mint(LM_SLOT_CNODE, pm, LM_SLOT_CNODE, root_pm_ep,
				 LM_R_WRITE | LM_R_GRANT, PM_BADGE_SHELL))
		sh_caps[n++] = (struct lm_spawn_cap){ pm, SH_SLOT_PM, LM_R_WRITE | LM_R_GRANT,
						      LM_SPAWN_MOVE, 0 };
	/* The memory manager's endpoint, badge MEM_BADGE_ROOT: the root
	 * account, split for each Linux process tree (servers/root/mem.c). */
	lm_cptr_t mem = root_mem_ep ? lm_slot_alloc() : 0;
	if (mem && !lm_cnode_mint(LM_SLOT_CNODE, mem, LM_SLOT_CNODE, root_mem_ep,
				  LM_R_WRITE | LM_R_GRANT, MEM_BADGE_ROOT))
		sh_caps[n++] = (struct lm_spawn_cap){ mem, SH_SLOT_MEM, LM_R_WRITE | LM_R_GRANT,
						      LM_SPAWN_MOVE, 0 };
	const struct root_child shell = {
		.name = "shell", .cnode_bits = 14, .prio = SHELL_PRIO, .asids = ROOT_BIG_ASIDS,
		.memory = 1, .modules = 1, .devices = 1,
		.extra = sh_caps, .nextra = n,
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
