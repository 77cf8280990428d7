/*
 * The process's wake notification and its IPC buffer.
 *
 * One notification per Linux process (lx_wake_ntfn): every blocking wait of
 * the personality is one NTFN_WAIT on it. Each server that may end a wait
 * holds a copy minted with one bit (LX_WAKE_* in lx.h), so the word a wait
 * returns says who signalled; the copy travels to the server in the IPC
 * buffer (send_caps) of a request. Both are made here at start if nobody
 * has made them yet; the process manager's start-up (linux/main.c), which
 * also makes them for a child after fork, will replace these stand-ins.
 */
#include "lx.h"

#define IPCBUF_VA 0x7ef800100000ull /* beside the file server's page; never the program's */

lm_cptr_t lx_wake_ntfn;

/* The thread's IPC buffer: capabilities travel through it. */
struct lm_ipc_buffer *lx_ipc_buffer(void)
{
	static struct lm_ipc_buffer *b;
	lm_cptr_t f;

	if (b)
		return b;
	if (lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f))
		return 0;
	if (lm_map_page(LM_SLOT_VSPACE, f, IPCBUF_VA, LM_R_READ | LM_R_WRITE) ||
	    lm_thread_set_ipc_buffer(LM_SLOT_TCB, f)) {
		lm_obj_free(f);
		return 0;
	}
	b = (struct lm_ipc_buffer *)IPCBUF_VA;
	return b;
}

int lx_wake_init(void)
{
	return lx_wake_ntfn ? 0 : lm_obj_alloc(LM_OBJ_NOTIFY, 0, &lx_wake_ntfn);
}

lm_cptr_t lx_wake_mint(lm_u64 bit)
{
	struct lm_ipc_buffer *b;
	lm_cptr_t s = lm_slot_alloc();

	if (!s)
		return 0;
	if (lx_wake_init() || !(b = lx_ipc_buffer()) ||
	    lm_cnode_mint(LM_SLOT_CNODE, s, LM_SLOT_CNODE, lx_wake_ntfn, LM_R_WRITE, bit)) {
		lm_slot_free(s);
		return 0;
	}
	b->send_caps[0] = s;
	return s;
}

void lx_wake_unmint(lm_cptr_t s)
{
	lm_cnode_delete(LM_SLOT_CNODE, s);
	lm_slot_free(s);
}
