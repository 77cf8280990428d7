/*
 * Requests on open handles (the protocol in fs_proto.h). Each handler
 * checks every argument before it changes anything: a bad handle, a
 * count past the page or an unknown label is an error reply, never a
 * fault of the server. Path requests are in serve_path.c.
 */
#include "fs.h"

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define DEV_NULL    (1 << 8 | 3)
#define DEV_ZERO    (1 << 8 | 5)
#define DEV_URANDOM (1 << 8 | 9)
#define DEV_RANDOM  (1 << 8 | 8)

static lm_u64 rng = 0x9e3779b97f4a7c15ull;

static lm_u64 rand64(void)
{
	lm_u32 lo, hi;
	lm_u64 z;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	rng += 0x9e3779b97f4a7c15ull ^ ((lm_u64)hi << 32 | lo);
	z = rng;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static long dev_read(struct inode *i, char *out, lm_u64 n)
{
	if (i->rdev == DEV_ZERO) {
		memset(out, 0, n);
		return (long)n;
	}
	if (i->rdev == DEV_URANDOM || i->rdev == DEV_RANDOM) {
		for (lm_u64 k = 0; k < n; k += 8) {
			lm_u64 r = rand64();
			memcpy(out + k, &r, n - k < 8 ? n - k : 8);
		}
		return (long)n;
	}
	return 0; /* /dev/null */
}

static long do_read(struct fs_req *q, struct handle *h)
{
	lm_u64 n = q->w[1], pos = q->w[3] ? q->w[2] : h->off;
	struct inode *i = h->ino;

	if ((h->flags & O_ACCMODE) == O_WRONLY || (h->flags & O_PATH))
		return -EBADF;
	if (n > FS_DATA)
		return -EINVAL;
	if (S_ISDIR(i->mode))
		return -EISDIR;
	if (S_ISCHR(i->mode))
		return dev_read(i, q->buf->data, n);
	if (S_ISFIFO(i->mode))
		return pipe_read(h, q->badge, q->buf->data, n, &q->r1);
	if ((long)pos < 0)
		return -EINVAL;
	if (pos >= i->size)
		return 0;
	if (n > i->size - pos)
		n = i->size - pos;
	memcpy(q->buf->data, i->data + pos, n);
	if (!q->w[3])
		h->off = pos + n;
	i->atime = fs_now;
	return (long)n;
}

/* The bytes of a WRITE: the page's, then the message's tail. */
static long write_bytes(struct fs_req *q, char *tmp)
{
	lm_u64 n = q->w[1];

	if (n > FS_WRITE_MAX || (n > FS_DATA && q->ntail < n - FS_DATA))
		return -EINVAL;
	/* the page is the client's: copy before use, so what is checked is what is written */
	memcpy(tmp, q->buf->data, n < FS_DATA ? n : FS_DATA);
	if (n > FS_DATA)
		memcpy(tmp + FS_DATA, q->tail, n - FS_DATA);
	return 0;
}

static long do_write(struct fs_req *q, struct handle *h)
{
	lm_u64 n = q->w[1], how = q->w[3], pos = (how & FS_W_POS) ? q->w[2] : h->off;
	struct inode *i = h->ino;
	char tmp[FS_WRITE_MAX];
	long err;

	if ((h->flags & O_ACCMODE) == 0 || (h->flags & O_PATH))
		return -EBADF;
	if (how & ~(lm_u64)(FS_W_POS | FS_W_ATOMIC))
		return -EINVAL;
	err = write_bytes(q, tmp);
	if (err)
		return err;
	if (S_ISCHR(i->mode))
		return (long)n; /* /dev/null, /dev/zero, /dev/urandom take it all */
	if (S_ISFIFO(i->mode))
		return pipe_write(h, q->badge, tmp, n, !!(how & FS_W_ATOMIC), &q->r1);
	if ((long)pos < 0)
		return -EINVAL;
	if ((h->flags & O_APPEND) && !(how & FS_W_POS))
		pos = i->size;
	err = file_write(i, pos, tmp, n);
	if (err)
		return err;
	if (!(how & FS_W_POS))
		h->off = pos + n;
	return (long)n;
}

static long do_seek(struct fs_req *q, struct handle *h)
{
	long off = (long)q->w[1], base;

	if (h->flags & O_PATH)
		return -EBADF;
	if (S_ISCHR(h->ino->mode))
		return 0; /* /dev/null and friends: every position is 0 */
	if (S_ISFIFO(h->ino->mode))
		return -ESPIPE;
	switch (q->w[2]) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (long)h->off; break;
	case SEEK_END: base = (long)h->ino->size; break;
	default: return -EINVAL;
	}
	/* base is at most FS_MAX_FILE: only a huge off can overflow */
	if ((off > 0 && off > 0x7fffffffffffffffl - base) || base + off < 0)
		return -EINVAL;
	h->off = (lm_u64)(base + off);
	return (long)h->off;
}

struct dirent64 {
	lm_u64 ino;
	lm_u64 off;
	lm_u16 reclen;
	lm_u8 type;
	char name[];
};

static lm_u8 dtype(lm_u32 mode)
{
	return S_ISDIR(mode) ? 4 : S_ISLNK(mode) ? 10 : S_ISCHR(mode) ? 2 : S_ISFIFO(mode) ? 1 : 8;
}

/* Entries from index off: 0 is ".", 1 "..", then the entries. A directory
 * changed between calls may repeat or skip an entry, as POSIX allows. */
static long do_getdents(struct fs_req *q, struct handle *h)
{
	struct inode *d = h->ino;
	lm_u64 max = q->w[1] < FS_DATA ? q->w[1] : FS_DATA, used = 0;

	if (!S_ISDIR(d->mode))
		return -ENOTDIR;
	if (h->flags & O_PATH)
		return -EBADF;
	for (; h->off < (lm_u64)d->nents + 2; h->off++) {
		lm_u64 k = h->off;
		const char *name = k == 0 ? "." : k == 1 ? ".." : d->ents[k - 2].name;
		struct inode *i = k == 0 ? d : k == 1 ? (d->parent ? d->parent : d) : d->ents[k - 2].ino;
		lm_u64 len = strlen(name), rec = (19 + len + 1 + 7) & ~7ull;
		struct dirent64 *e = (struct dirent64 *)(q->buf->data + used);

		if (used + rec > max)
			return used ? (long)used : -EINVAL;
		memset(e, 0, rec);
		e->ino = ino_number(i);
		e->off = k + 1;
		e->reclen = (lm_u16)rec;
		e->type = dtype(i->mode);
		memcpy(e->name, name, len);
		used += rec;
	}
	return (long)used;
}

/* poll on a handle: a pipe's end (pipe.c); anything else is always
 * ready, whatever its access mode, as on Linux (O_PATH: not pollable);
 * *r1 is what a read would get. */
static long do_poll(struct fs_req *q, struct handle *h)
{
	lm_u64 ev = q->w[1];
	struct inode *i = h->ino;

	if (h->flags & O_PATH)
		return FS_POLLNVAL; /* before the pipe: a FIFO's O_PATH handle has no pipe end */
	if (S_ISFIFO(i->mode))
		return pipe_poll(h, q->badge, ev, &q->r1);
	if (S_ISREG(i->mode) && h->off < i->size)
		q->r1 = i->size - h->off;
	return (long)(ev & (FS_POLLIN | FS_POLLOUT));
}

static int on_handle(lm_u64 label)
{
	return label == FS_CLOSE || label == FS_READ || label == FS_WRITE || label == FS_SEEK ||
	       label == FS_GETDENTS || label == FS_GETFL || label == FS_SETFL ||
	       label == FS_GETPATH || label == FS_POLL || label == FS_FIFO_WAIT || label == FS_LOCK;
}

/* A client's request (main.c has checked the badge). */
long fs_serve(struct fs_req *q)
{
	struct handle *h;

	if (q->label == FS_PIPE)
		return pipe_make(q->badge, (lm_u32)q->w[0], &q->r1);
	if (q->label <= FS_HELLO || q->label >= FS_NREQ || q->label == FS_FORK ||
	    q->label == FS_DROP)
		return -ENOSYS;
	if (q->label != FS_LOCK)
		lock_not_waiting(q->badge);
	if (!on_handle(q->label))
		return fs_serve_path(q);
	h = h_get(q->w[0], q->badge);
	if (!h)
		return -EBADF;
	switch (q->label) {
	case FS_CLOSE:
		h_release(q->w[0], q->badge);
		return 0;
	case FS_READ:
		return do_read(q, h);
	case FS_WRITE:
		return do_write(q, h);
	case FS_SEEK:
		return do_seek(q, h);
	case FS_GETDENTS:
		return do_getdents(q, h);
	case FS_GETFL:
		return h->flags & ~O_PATH;
	case FS_SETFL:
		h->flags = (h->flags & ~(lm_u32)(O_APPEND | O_NONBLOCK)) |
			   ((lm_u32)q->w[1] & (O_APPEND | O_NONBLOCK));
		return 0;
	case FS_GETPATH:
		if (q->w[1] & ~(lm_u64)FS_PATH_NAMED)
			return -EINVAL;
		if (q->w[1])
			return ino_named_path(h->ino, q->buf->data, FS_DATA);
		return S_ISDIR(h->ino->mode) ? ino_path(h->ino, q->buf->data, FS_DATA) : -ENOTDIR;
	case FS_POLL:
		return do_poll(q, h);
	case FS_FIFO_WAIT:
		return fifo_wait(h, q->badge, &q->r1);
	case FS_LOCK:
		return lock_request(q, h, q->w[0]);
	}
	return -ENOSYS;
}
