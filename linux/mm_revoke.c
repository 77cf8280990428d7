/*
 * Visible revocation in the Linux personality (issue 13; the protocol in
 * servers/mem/mem_proto.h, docs/API.md "Revocation", docs/LINUX.md
 * "Memory taken back").
 *
 * A process with an account (the shell's `linux`, each fork's child)
 * registers it at start and in a forked child: the manager's copy of our
 * wake notification carries LX_WAKE_MEM, so a request wakes a blocked
 * wait, and the account's page is mapped read-only at LX_MEMPAGE_VA. At
 * each safe point (every system call: lx_proc_poll; every fault the
 * memory map handles: mm.c) lx_mem_poll lets liblamina answer a request
 * (lm_mem_service: it gives back only pool chunks nothing was made from,
 * so no data is lost) and read the abort records, dropping from the pool
 * and the frame supply whatever went with a chunk taken by force.
 *
 * A program page whose frame was taken keeps its entry in the page table
 * with its slot now empty (never reused while the entry names it): the
 * next touch cannot map it, and lx_sig_fault turns that touch into SIGBUS
 * (BUS_ADRERR, si_addr the address touched), as Linux does past the end
 * of a truncated file mapping, again at every touch until the program
 * maps something else there; a system call given it fails with EFAULT
 * (mm.c's lx_mm_allows looks at each page once lx_mem_lost is set).
 *
 * A fault of the personality's own code once something was taken by
 * force is the loss of its own state (its data, tables, a fork child's
 * private pages, not yet kept in guaranteed chunks): the process cannot
 * go on, and it is killed as Linux's out-of-memory killer does, with
 * SIGKILL (signal_deliver.c asks lx_mem_state_lost), not SIGSEGV, which
 * would blame the program.
 */
#include <lm/mem.h>
#include "mm.h"

static int registered;
int lx_mem_lost; /* something was taken by force: uaccess checks pages */

void lx_mem_register(void)
{
	lm_cptr_t acct = lm_mem_account(), w, pg;
	int err;

	registered = 0;
	if (!acct || !lx_ipc_buffer() || !(pg = lm_slot_alloc()))
		return;
	if (!(w = lx_wake_mint(LX_WAKE_MEM))) {
		lm_slot_free(pg);
		return;
	}
	lx_ipc_buffer()->send_caps[0] = 0; /* mem_call sends w itself */
	err = lm_mem_register(acct, lx_ipc_buffer(), w, pg, LX_MEMPAGE_VA);
	lx_wake_unmint(w); /* the manager keeps a copy of its own */
	if (err) {
		lm_cnode_delete(LM_SLOT_CNODE, pg);
		lm_slot_free(pg);
		return;
	}
	registered = 1;
}

void lx_mem_poll(void)
{
	lm_u64 taken = 0;

	if (!registered)
		return;
	lm_mem_service(0, &taken);
	if (taken)
		lx_mem_lost = 1;
}

/* Whether a fault of the personality's own code may be its state taken:
 * something was taken by force, read already (lx_mem_lost) or not yet
 * (the fault came before the next safe point). */
int lx_mem_state_lost(void)
{
	return registered && (lx_mem_lost || lm_mem_taken_ever());
}
