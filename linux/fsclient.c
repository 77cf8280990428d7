/*
 * The file server's client side (protocol: servers/fs/fs_proto.h): the
 * badged endpoint at LX_SLOT_FS and the buffer page at FS_BUF_VA, both
 * put there by the shell (or the process manager). Without them (no file
 * server) every request answers -ENOENT: the file system is then empty.
 */
#include "lx.h"
#include "../servers/fs/fs_srv.h"

/* The page: the shared one once the server answers, else one of our own
 * (the requests then fail without touching the missing mapping). */
static struct fs_buf own_page;
struct fs_buf *lx_fsb = &own_page;
/* 1: the server answers; 0: none. HELLO_OWED: a forked child says
 * FS_HELLO before its first request, not at the fork: one that only
 * exits never needs the server to know its wake notification (a wake-up
 * comes only after a request: a read that would block, a poll that
 * arms), and the HELLO was a tenth of linux_fork_exit's child. Its
 * handles are its parent's already (FS_FORK, from the process manager
 * at PM_FORK). */
#define HELLO_OWED 2
static int have_fs LX_HOT;

/*
 * Say hello: with fresh, the server drops what a predecessor on our badge
 * held (a new process; a forked child says it without fresh: it holds its
 * parent's handles). Our wake notification goes with it, minted with
 * LX_WAKE_FS and moved to the server, so that its signals say "the file
 * server". 0, or -errno (no server: the file system is then empty).
 */
long lx_fs_hello(int fresh)
{
	lm_cptr_t w = lx_wake_mint(LX_WAKE_FS);
	lm_u64 ncaps = w ? 1 : 0;
	struct lm_msg m;
	int err;

	err = lm_ep_call(LX_SLOT_FS, LM_MSG_INFO(FS_HELLO, 1, ncaps) | (ncaps ? LM_MSG_MOVE : 0),
			 fresh ? FS_HELLO_FRESH : 0, 0, 0, 0, &m);
	if (w) /* moved to the server, or still ours: either way the slot is empty after */
		lx_wake_unmint(w);
	have_fs = !err && m.w[0] == 0;
	if (have_fs)
		lx_fsb = (struct fs_buf *)FS_BUF_VA;
	return err ? -ENOENT : (long)m.w[0];
}

void lx_fs_init(void)
{
	lx_fs_hello(1);
}

void lx_fs_fork_child(void)
{
	if (have_fs)
		have_fs = HELLO_OWED;
}

/* Most WRITE bytes one request carries (fs_proto.h: the tail needs our
 * IPC buffer). */
lm_u64 lx_fs_write_max(void)
{
	return lx_ipc_buffer() ? FS_WRITE_MAX : FS_DATA;
}

long lx_fs_call_tail(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 w3,
		     const void *tail, lm_u64 ntail, lm_u64 *r1)
{
	struct lm_ipc_buffer *ib = ntail ? lx_ipc_buffer() : 0;
	lm_u64 words = 0;
	struct lm_msg m;

	if (have_fs != 1) {
		if (have_fs == HELLO_OWED)
			lx_fs_hello(0); /* sets have_fs */
		if (!have_fs)
			return -ENOENT;
	}
	if (ntail) {
		if (!ib || ntail > FS_TAIL)
			return -EINVAL;
		words = (ntail + 7) / 8;
		memcpy(&ib->msg[LM_MSG_REG_WORDS], tail, ntail);
	}
	lx_fsb->now_ns = (lm_u64)lx_realtime_ns();
	if (lm_ep_call(LX_SLOT_FS, LM_MSG_INFO(label, LM_MSG_REG_WORDS + words, 0), w0, w1, w2, w3,
		       &m))
		return -EIO;
	if (r1)
		*r1 = m.w[1];
	return (long)m.w[0];
}

long lx_fs_call(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 w3, lm_u64 *r1)
{
	return lx_fs_call_tail(label, w0, w1, w2, w3, 0, 0, r1);
}

/* Copy the program's path into the page's path (or path2) field. */
long lx_fs_path(int second, lm_u64 upath)
{
	long n = lx_copy_str(second ? lx_fsb->path2 : lx_fsb->path, upath, FS_PATH);

	return n == -ENAMETOOLONG ? n : n < 0 ? n : 0;
}
