/*
 * Waiting for the file server (docs/LINUX.md, "would block"): a request
 * that cannot go on now answers -EAGAIN with FS_WOULDBLOCK, the server
 * remembers us as a waiter and signals our wake notification (LX_WAKE_FS)
 * when the pipe end changes; we then ask again. Before each wait a pending
 * signal that is not blocked ends the call with -EINTR.
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
		if (lx_sig_pending_unblocked())
			return -EINTR;
		lx_wake_wait();
	}
}
