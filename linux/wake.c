/*
 * The process's wake notification and its IPC buffer.
 *
 * One notification per Linux process (lx_wake_ntfn): every blocking wait of
 * the personality is one NTFN_WAIT on it. Each server that may end a wait
 * holds a copy minted with one bit (LX_WAKE_* in lx.h), so the word a wait
 * returns says who signalled; the copy travels to the server in the IPC
 * buffer (send_caps) of a HELLO request. A forked child has neither (its
 * parent's notification is not its own, and the buffer's mapping is not
 * inherited): lx_wake_setup makes both afresh at start and in the child.
 */
#include "thread.h"

lm_cptr_t lx_wake_ntfn, lx_ipcbuf_frame;
static struct lm_ipc_buffer *ipcbuf LX_HOT;

struct lm_ipc_buffer *lx_ipc_buffer(void)
{
	return ipcbuf;
}

int lx_wake_setup(void)
{
	lm_cptr_t f;

	ipcbuf = 0;
	if (!lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f)) {
		if (!lm_map_page(LM_SLOT_VSPACE, f, LX_IPCBUF_VA, LM_R_READ | LM_R_WRITE) &&
		    !lm_thread_set_ipc_buffer(LM_SLOT_TCB, f)) {
			ipcbuf = (struct lm_ipc_buffer *)LX_IPCBUF_VA;
			lx_ipcbuf_frame = f;
		}
		else
			lm_obj_free(f);
	}
	if (lm_obj_alloc(LM_OBJ_NOTIFY, 0, &lx_wake_ntfn))
		lx_wake_ntfn = 0;
	return ipcbuf && lx_wake_ntfn ? 0 : -ENOMEM;
}

lm_cptr_t lx_wake_mint(lm_u64 bit)
{
	lm_cptr_t s;

	if (!ipcbuf || !lx_wake_ntfn || !(s = lm_slot_alloc()))
		return 0;
	if (lm_cnode_mint(LM_SLOT_CNODE, s, LM_SLOT_CNODE, lx_wake_ntfn, LM_R_WRITE, bit)) {
		lm_slot_free(s);
		return 0;
	}
	ipcbuf->send_caps[0] = s;
	return s;
}

void lx_wake_unmint(lm_cptr_t s)
{
	lm_cnode_delete(LM_SLOT_CNODE, s);
	lm_slot_free(s);
}

/* Wait for a wake-up (any bit: the caller checks again what it waits
 * for): thread.c's wait, which also reports a stopped child. */
void lx_wake_wait(void)
{
	lx_thr_wait(0);
}
