/*
 * kbench: fault IPC. fault_ipc_rtt is a page fault of kbench's main thread
 * sent to a pager in another address space (a partner), which answers
 * "resume past the faulting store", and the thread carries on: per round
 * trip, 4 privilege switches (fault, pager's reply-receive, ...) and 2
 * address-space switches, as seL4's fault-handler round trip.
 */
#include "kbench.h"

#define FAULT_VA 0x660000000ull /* nothing is ever mapped here */

__asm__(".text\n"
	".globl kbp_st, kbp_st_end\n"
	"kbp_st: movq $1, (%rdi)\n"
	"kbp_st_end: ret\n");
extern char kbp_st_end[];
void kbp_call_st(lm_u64 addr) __asm__("kbp_st");

/* The pager: every fault is answered with "continue after the store".
 * The partner is a copy of this program, so kbp_st_end is the same. */
void kb_pager_serve(lm_cptr_t ep)
{
	struct lm_msg m;

	lm_ep_recv(ep, &m);
	for (;;)
		lm_ep_reply_recv(ep, LM_MSG_INFO(LM_FAULT_RESUME_AT, 1, 0), (lm_u64)kbp_st_end,
				 0, 0, 0, &m);
}

static void op_fault(lm_u64 n)
{
	for (lm_u64 i = 0; i < n; i++)
		kbp_call_st(FAULT_VA);
}

void kb_pager(void)
{
	lm_cptr_t ep;

	if (!selected("fault_ipc_rtt") || !(ep = new_obj(LM_OBJ_ENDPOINT, 0)) ||
	    partner_start(P_PAGER, ep, 0, 0))
		return;
	if (!lm_thread_set_fault_ep(LM_SLOT_TCB, ep)) {
		bench("fault_ipc_rtt", 1000, 1, op_fault);
		lm_thread_set_fault_ep(LM_SLOT_TCB, 0);
	}
	partner_stop();
}
