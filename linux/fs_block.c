/*
 * Waiting for the file server (docs/LINUX.md, "would block"): a request
 * that cannot go on now answers -EAGAIN with FS_WOULDBLOCK, the server
 * remembers us as a waiter and signals our wake notification (LX_WAKE_FS)
 * when the pipe end changes; we then ask again. Before each wait the
 * signals the process manager holds are fetched (lx_proc_poll: one memory
 * compare when there are none) and a pending signal that is not blocked
 * ends the call with -EINTR.
 *
 * The weak definitions here stand in for the other pieces of the
 * personality until they are merged (each is replaced by the strong one
 * of its owner): the wake notification and the IPC buffer (process.c).
 * The signal hooks' weak stand-ins are process.c's.
 */
#include "lx.h"

#define LX_IPC_VA 0x7fe000000000ull /* above LX_HIGH: no program mapping reaches it */

__attribute__((weak)) lm_cptr_t lx_wake_ntfn;

/* The thread's IPC buffer, made at the first use; 0 if it cannot be. */
__attribute__((weak)) struct lm_ipc_buffer *lx_ipc_buffer(void)
{
	static struct lm_ipc_buffer *b;
	lm_cptr_t f;

	if (b)
		return b;
	if (lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f))
		return 0;
	if (lm_map_page(LM_SLOT_VSPACE, f, LX_IPC_VA, LM_R_READ | LM_R_WRITE) ||
	    lm_thread_set_ipc_buffer(LM_SLOT_TCB, f))
		return 0;
	b = (struct lm_ipc_buffer *)LX_IPC_VA;
	return b;
}

/* Make the wake notification if nobody has (lx-arch §1: one per process). */
void lx_wake_make_fs_fallback(void)
{
	if (!lx_wake_ntfn && lm_obj_alloc(LM_OBJ_NOTIFY, 0, &lx_wake_ntfn))
		lx_wake_ntfn = 0;
}

/* Wait for a wake-up (any bit: the caller checks again what it waits
 * for). Without a notification nothing can wake us: yield and let the
 * caller ask again. */
void lx_wake_wait(void)
{
	lm_u64 word;

	if (!lx_wake_ntfn || lm_ntfn_wait(lx_wake_ntfn, &word))
		lm_thread_yield();
}

long lx_fs_call_wait(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 w3,
		     const void *tail, lm_u64 ntail, lm_u64 *r1)
{
	for (;;) {
		lm_u64 x = 0;
		long r = lx_fs_call_tail(label, w0, w1, w2, w3, tail, ntail, &x);

		if (r != -EAGAIN || x != FS_WOULDBLOCK) {
			if (r1)
				*r1 = x;
			return r;
		}
		lx_proc_poll(); /* signals the process manager holds, posted here */
		if (lx_sig_pending_unblocked())
			return -EINTR;
		lx_wake_wait();
	}
}
