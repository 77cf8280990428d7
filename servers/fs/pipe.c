/*
 * Pipes (docs/LINUX.md): an inode of type S_IFIFO named by no directory,
 * one read handle and one write handle, and a ring of bytes. The ring
 * grows by doubling (from a 4 KiB block) as data waits in it, up to
 * FS_PIPE_SIZE bytes: an idle or lightly used pipe costs a few KiB of the
 * heap, a full one a 128 KiB block (the heap's power-of-two blocks carry
 * a 16-byte header, so 64 KiB of data takes the next size).
 *
 * Nothing waits here. A read of an empty pipe that has a writer, or a
 * write to a pipe without room (an atomic one needs room for all of it),
 * answers -EAGAIN: plain with O_NONBLOCK, else with FS_WOULDBLOCK in w1
 * after putting the badge in the end's waiter set. Any change a waiter
 * could be waiting for (bytes in, bytes out, the other end's last handle
 * gone) signals every waiter of that end and empties the set: a woken
 * client asks again and, if still blocked, is put back.
 */
#include "fs.h"

#define PIPE_FIRST 4080 /* bytes of the smallest ring: a 4 KiB heap block */

/* Create a pipe held by badge: the read handle, *wh the write handle. */
long pipe_make(lm_u64 badge, lm_u32 flags, lm_u64 *wh)
{
	struct inode *i;
	struct pipe *p;
	lm_u64 rh;

	if (flags & ~(lm_u32)O_NONBLOCK)
		return -EINVAL;
	if (h_free_count(2) < 2)
		return -ENFILE;
	p = fs_alloc(sizeof *p);
	if (!p)
		return -ENOMEM;
	i = ino_new(S_IFIFO | 0600);
	if (!i) {
		fs_free(p);
		return -ENFILE;
	}
	i->pipe = p;
	p->readers = p->writers = 1;
	p->ropens = p->wopens = 1; /* each end's peer came: POLLHUP/ERR when it goes */
	rh = h_new(i, badge, O_RDONLY | flags);
	*wh = h_new(i, badge, O_WRONLY | flags);
	return (long)rh;
}

/* The caller cannot go on now: wait (or not, with O_NONBLOCK). */
long pipe_would_block(const struct handle *h, lm_u64 *waiters, lm_u64 badge, lm_u64 *r1)
{
	if (h->flags & O_NONBLOCK)
		return -EAGAIN;
	*waiters |= BADGE_BIT(badge);
	*r1 = FS_WOULDBLOCK;
	return -EAGAIN;
}

void pipe_wake(lm_u64 *waiters)
{
	lm_u64 w = *waiters;

	*waiters = 0;
	if (w)
		fs_wake(w);
}

/* Make the ring hold at least `need` bytes (its bytes kept, moved to the
 * front); 0, or -ENOMEM when the heap is spent. */
static int grow(struct pipe *p, lm_u32 need)
{
	lm_u32 cap = p->cap ? (p->cap + 16) * 2 - 16 : PIPE_FIRST;
	char *b;

	if (need <= p->cap)
		return 0;
	while (cap < need)
		cap = (cap + 16) * 2 - 16;
	b = fs_alloc(cap);
	if (!b)
		return -ENOMEM;
	for (lm_u32 k = 0; k < p->len; k++)
		b[k] = p->buf[(p->head + k) % p->cap];
	fs_free(p->buf);
	p->buf = b;
	p->cap = (lm_u32)fs_alloc_size(b);
	p->head = 0;
	return 0;
}

long pipe_read(struct handle *h, lm_u64 badge, char *out, lm_u64 n, lm_u64 *r1)
{
	struct pipe *p = h->ino->pipe;
	lm_u32 k, first;

	if (!n)
		return 0;
	if (!p->len)
		return p->writers ? pipe_would_block(h, &p->rwait, badge, r1) : 0;
	k = n < p->len ? (lm_u32)n : p->len;
	first = p->cap - p->head < k ? p->cap - p->head : k;
	memcpy(out, p->buf + p->head, first);
	memcpy(out + first, p->buf, k - first);
	p->head = (p->head + k) % p->cap;
	p->len -= k;
	if (!p->len)
		p->head = 0;
	pipe_wake(&p->wwait);
	return k;
}

/* Up to n bytes (all or none if atomic); at least one unless it blocks. */
long pipe_write(struct handle *h, lm_u64 badge, const char *src, lm_u64 n, int atomic,
		lm_u64 *r1)
{
	struct pipe *p = h->ino->pipe;
	lm_u32 k = (lm_u32)n, room = FS_PIPE_SIZE - p->len, at, first;

	if (!p->readers)
		return -EPIPE;
	if (!n)
		return 0;
	if (room < k)
		k = atomic ? 0 : room;
	if (k && grow(p, p->len + k)) {
		/* no heap to grow into: what fits in the ring as it is */
		room = p->cap - p->len;
		if (!p->len)
			return -ENOMEM;
		k = room < k ? (atomic ? 0 : room) : k;
	}
	if (!k)
		return pipe_would_block(h, &p->wwait, badge, r1);
	at = (p->head + p->len) % p->cap;
	first = p->cap - at < k ? p->cap - at : k;
	memcpy(p->buf + at, src, first);
	memcpy(p->buf, src + first, k - first);
	p->len += k;
	h->ino->mtime = fs_now;
	pipe_wake(&p->rwait);
	return k;
}

/* What poll sees on a pipe end: POLLIN (bytes to read), POLLHUP (no
 * writer left, once one came: a named pipe's reader opened before any
 * writer does not see it), POLLOUT (room for an atomic write), POLLERR
 * (no reader left: with POLLOUT too, as on Linux, where such a write does
 * not block); *r1 the bytes readable (FIONREAD). An O_RDWR end (named
 * pipes only) is both. With FS_POLL_ARM and nothing of interest ready,
 * the badge waits for a change of this end. */
long pipe_poll(struct handle *h, lm_u64 badge, lm_u64 events, lm_u64 *r1)
{
	struct pipe *p = h->ino->pipe;
	lm_u32 acc = h->flags & O_ACCMODE;
	lm_u64 r = 0, want = (events & (FS_POLLIN | FS_POLLOUT)) | FS_POLLHUP | FS_POLLERR;

	if (acc != O_WRONLY) {
		r |= p->len ? FS_POLLIN : 0;
		r |= p->writers || h->off == p->wopens ? 0 : FS_POLLHUP;
		*r1 = p->len;
	}
	if (acc != O_RDONLY) {
		r |= p->readers ? 0 : FS_POLLERR;
		r |= FS_PIPE_SIZE - p->len >= FS_PIPE_BUF ? FS_POLLOUT : 0;
	}
	r &= want;
	if (!r && (events & FS_POLL_ARM)) {
		if (acc != O_WRONLY)
			p->rwait |= BADGE_BIT(badge);
		if (acc != O_RDONLY)
			p->wwait |= BADGE_BIT(badge);
	}
	return (long)r;
}

/* The last handle of one end went: the other end's waiters see it. A
 * named pipe's bytes go with its last handle (Linux frees the pipe). */
void pipe_end_closed(struct inode *i, lm_u32 flags)
{
	struct pipe *p = i->pipe;
	lm_u32 acc = flags & O_ACCMODE;

	if (flags & O_PATH)
		return;
	if (acc != O_WRONLY) {
		p->readers--;
		pipe_wake(&p->wwait);
	}
	if (acc != O_RDONLY) {
		p->writers--;
		pipe_wake(&p->rwait);
	}
	if (p->named && !p->readers && !p->writers) {
		fs_free(p->buf);
		p->buf = 0;
		p->cap = p->head = p->len = 0;
	}
}

/* badge no longer holds this end: it waits for it no more. */
void pipe_forget(struct inode *i, lm_u32 flags, lm_u64 badge)
{
	struct pipe *p = i->pipe;
	lm_u32 acc = flags & O_ACCMODE;

	if (flags & O_PATH)
		return;
	if (acc != O_WRONLY)
		p->rwait &= ~BADGE_BIT(badge);
	if (acc != O_RDONLY)
		p->wwait &= ~BADGE_BIT(badge);
}
