/*
 * Waiting for the file server (docs/LINUX.md, "would block"): a request
 * that cannot go on now answers -EAGAIN with FS_WOULDBLOCK, the server
 * remembers us as a waiter and signals our wake notification (LX_WAKE_FS)
 * when the pipe end changes; we then ask again. Before each wait the
 * signals the process manager holds are fetched (lx_proc_poll: one memory
 * compare when there are none) and a pending signal that is not blocked
 * ends the call with -ERESTARTSYS (EINTR, or restarted with SA_RESTART).
 */
#include "lx.h"

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
			return -ERESTARTSYS;
		lx_wake_wait();
	}
}
