/*
 * The file server's client side (protocol: servers/fs/fs_proto.h): the
 * badged endpoint at LX_SLOT_FS and the buffer page at FS_BUF_VA, both
 * put there by the shell. Without them (no file server) every request
 * answers -ENOENT: the file system is then empty.
 */
#include "lx.h"
#include "../servers/fs/fs_srv.h"

/* The page: the shared one once the server answers, else one of our own
 * (the requests then fail without touching the missing mapping). */
static struct fs_buf own_page;
struct fs_buf *lx_fsb = &own_page;
static int have_fs;

void lx_fs_init(void)
{
	struct lm_msg m;

	/* A new process on the badge: the server drops its predecessor's
	 * handles. Either the call works or there is no server. */
	have_fs = !lm_ep_call(LX_SLOT_FS, LM_MSG_INFO(FS_HELLO, 0, 0), 0, 0, 0, 0, &m) &&
		  m.w[0] == 0;
	if (have_fs)
		lx_fsb = (struct fs_buf *)FS_BUF_VA;
}

long lx_fs_call(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 w3, lm_u64 *r1)
{
	struct lm_msg m;

	if (!have_fs)
		return -ENOENT;
	lx_fsb->now_ns = (lm_u64)lx_realtime_ns();
	if (lm_ep_call(LX_SLOT_FS, LM_MSG_INFO(label, 4, 0), w0, w1, w2, w3, &m))
		return -EIO;
	if (r1)
		*r1 = m.w[1];
	return (long)m.w[0];
}

/* Copy the program's path into the page's path (or path2) field. */
long lx_fs_path(int second, lm_u64 upath)
{
	long n = lx_copy_str(second ? lx_fsb->path2 : lx_fsb->path, upath, FS_PATH);

	return n == -ENAMETOOLONG ? n : n < 0 ? n : 0;
}
