/*
 * Named pipes (fifo(7), docs/LINUX.md "Named pipes"): a FIFO inode that
 * FS_MKNOD put in a directory. Every open of it is a new handle on one
 * pipe (pipe.c), made at the first open; the bytes go when the last
 * handle does, the inode stays.
 *
 * Opening follows Linux: a read end opened without O_NONBLOCK waits until
 * a writer opens, a write end until a reader opens; a write end opened
 * with O_NONBLOCK and no reader is ENXIO; a read end with O_NONBLOCK and
 * O_RDWR never wait. Nothing waits in the server: the open takes its
 * handle (so a peer that is itself waiting sees it and goes on), and the
 * answer says FS_OPEN_WAIT; the client then asks FS_FIFO_WAIT until a
 * peer has opened. "Has opened", not "is open": a writer that opened,
 * wrote and closed before the reader asked again still ends the reader's
 * wait, which then reads its bytes and end of file. The opens counters
 * (ropens, wopens) say it; the handle keeps the peer's counter of the
 * moment it opened without a peer.
 */
#include "fs.h"

long fifo_open(struct inode *i, lm_u64 badge, lm_u32 flags, int *wait)
{
	lm_u32 acc = flags & O_ACCMODE;
	struct pipe *p = i->pipe;
	struct handle *x;
	lm_u64 h;

	if (!p) {
		p = fs_alloc(sizeof *p);
		if (!p)
			return -ENOMEM;
		p->named = 1;
		i->pipe = p;
	}
	if (acc == O_WRONLY && !p->readers && (flags & O_NONBLOCK))
		return -ENXIO;
	h = h_new(i, badge, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	if (!h)
		return -ENFILE;
	x = h_get(h, badge);
	x->off = FIFO_PEER_SEEN;
	*wait = 0;
	if (acc != O_WRONLY) {
		p->readers++;
		p->ropens++;
		pipe_wake(&p->wwait);
	}
	if (acc != O_RDONLY) {
		p->writers++;
		p->wopens++;
		pipe_wake(&p->rwait);
	}
	if (acc == O_RDONLY && !p->writers) {
		x->off = p->wopens;
		*wait = !(flags & O_NONBLOCK);
	} else if (acc == O_WRONLY && !p->readers) {
		x->off = p->ropens; /* a blocking writer: O_NONBLOCK was ENXIO above */
		*wait = 1;
	}
	return (long)h;
}

/* FS_FIFO_WAIT: 0 once the peer of h's end has opened since h did. */
long fifo_wait(struct handle *h, lm_u64 badge, lm_u64 *r1)
{
	struct pipe *p = h->ino->pipe;
	lm_u32 acc = h->flags & O_ACCMODE;

	if (!S_ISFIFO(h->ino->mode) || !p || !p->named || (h->flags & O_PATH))
		return -EINVAL;
	if (acc == O_RDONLY && !p->writers && p->wopens == h->off)
		return pipe_would_block(h, &p->rwait, badge, r1);
	if (acc == O_WRONLY && !p->readers && p->ropens == h->off)
		return pipe_would_block(h, &p->wwait, badge, r1);
	return 0;
}
