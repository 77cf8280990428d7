/*
 * Requests that name a path (fs_proto.h): the path is copied out of the
 * client's page (which the client may change at any time) and must end
 * within FS_PATH bytes; the start is the root, or a directory handle of
 * the client. Every check comes before the first change.
 */
#include "fs.h"

#define RENAME_NOREPLACE 1
#define UTIME_NOW  ((1l << 30) - 1)
#define UTIME_OMIT ((1l << 30) - 2)

static char path[FS_PATH], path2[FS_PATH];

static int copy_path(char *dst, const char *src)
{
	for (lm_u64 n = 0; n < FS_PATH; n++)
		if (!(dst[n] = src[n]))
			return 0;
	return -ENAMETOOLONG;
}

/* The inode of a handle named as a start (0: the root). */
static int start_of(struct fs_req *q, lm_u64 h, struct inode **out)
{
	struct handle *x;

	if (!h) {
		*out = fs_root;
		return 0;
	}
	x = h_get(h, q->badge);
	if (!x)
		return -EBADF;
	*out = x->ino;
	return 0;
}

/* What (dir, path, flags) names: with FS_AT_EMPTY and "" the handle. */
static int target(struct fs_req *q, lm_u64 dir, const char *p, lm_u64 flags,
		  struct inode **out)
{
	struct inode *start;
	struct walk w;
	int err = start_of(q, dir, &start);

	if (err)
		return err;
	if ((flags & FS_AT_EMPTY) && !p[0]) {
		*out = start;
		return 0;
	}
	if (p[0] != '/' && !S_ISDIR(start->mode))
		return -ENOTDIR;
	err = fs_walk(start, p, (flags & FS_AT_NOFOLLOW) ? 0 : W_FOLLOW, &w);
	*out = w.ino;
	return err;
}

/* The last component's directory and name; w->ino is 0 if absent. */
static int parent(struct fs_req *q, lm_u64 dir, const char *p, int flags, struct walk *w)
{
	struct inode *start;
	int err = start_of(q, dir, &start);

	if (err)
		return err;
	if (p[0] != '/' && !S_ISDIR(start->mode))
		return -ENOTDIR;
	return fs_walk(start, p, W_PARENT | flags, w);
}

static int is_dot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

/* FS_STAT's answer for i, at the page's data. */
static void stat_to(const struct inode *i, struct fs_buf *b)
{
	/* an anonymous pipe is named by no directory; Linux says 1 link */
	int anon = i->pipe && !i->pipe->named;
	struct fs_stat st = { ino_number(i), i->size, anon ? 1 : i->nlink, i->mode,
			      i->rdev, i->atime, i->mtime, i->ctime };

	memcpy(b->data, &st, sizeof st);
}

/* FS_O_EXEC: the absolute path of i, which walk w found, at out
 * (FS_PATH bytes): a directory's own, else w's directory's and the last
 * name; "" when that does not fit or a directory on the way is unlinked
 * (ino_path fails). */
static void name_of(const struct walk *w, const struct inode *i, char *out)
{
	static char dir[FS_PATH];
	int n = ino_path(S_ISDIR(i->mode) ? i : w->dir, dir, sizeof dir);
	lm_u64 len = S_ISDIR(i->mode) ? 0 : strlen(w->name);

	out[0] = 0;
	if (n < 0 || (lm_u64)n + 1 + len + 1 > FS_PATH)
		return;
	if (!len) {
		memcpy(out, dir, (lm_u64)n + 1);
		return;
	}
	memcpy(out, dir, (lm_u64)n);
	if (n > 1)
		out[n++] = '/';
	memcpy(out + n, w->name, len + 1);
}

static long do_open(struct fs_req *q)
{
	lm_u32 flags = (lm_u32)q->w[1], acc = flags & O_ACCMODE;
	int follow = !(flags & O_NOFOLLOW) && !((flags & O_CREAT) && (flags & O_EXCL));
	struct inode *i;
	struct walk w;
	lm_u64 h;
	int wait = 0;
	int err = parent(q, q->w[0], path, follow ? W_FOLLOW : 0, &w);

	if (err)
		return err;
	if (acc == 3)
		return -EINVAL;
	i = w.ino;
	if (!i) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		if (w.slash)
			return -EISDIR;
		i = ino_new(S_IFREG | ((lm_u32)q->w[2] & 07777));
		if (!i)
			return -ENOSPC;
		err = dir_add(w.dir, w.name, i);
		if (err) {
			ino_put(i);
			return err;
		}
	} else {
		if ((flags & O_CREAT) && (flags & O_EXCL))
			return -EEXIST;
		if (S_ISLNK(i->mode) && !(flags & O_PATH))
			return -ELOOP;
		if (((flags & O_DIRECTORY) || w.slash) && !S_ISDIR(i->mode))
			return -ENOTDIR;
		if (S_ISDIR(i->mode) && (acc != 0 || (flags & O_CREAT)) && !(flags & O_PATH))
			return -EISDIR;
		if ((flags & O_TRUNC) && acc != 0 && S_ISREG(i->mode) && !(flags & O_PATH)) {
			err = file_resize(i, 0);
			if (err)
				return err;
		}
	}
	if (S_ISFIFO(i->mode) && !(flags & O_PATH)) {
		long r = fifo_open(i, q->badge, flags, &wait);

		if (r < 0)
			return r;
		h = (lm_u64)r;
	} else {
		h = h_new(i, q->badge, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH));
	}
	if (!h) {
		ino_put(i);
		return -ENFILE;
	}
	q->r1 = i->mode | (wait ? FS_OPEN_WAIT : 0) | (lm_u64)i->rdev << 32;
	if (flags & FS_O_EXEC) {
		name_of(&w, i, q->buf->path2);
		stat_to(i, q->buf);
	}
	return (long)h;
}

static long do_stat(struct fs_req *q)
{
	struct inode *i;
	int err = target(q, q->w[0], path, q->w[1], &i);

	if (err)
		return err;
	stat_to(i, q->buf);
	return 0;
}

/* A new inode of this mode named by the path (MKDIR, MKNOD); a name
 * ending in '/' only for a directory. */
static long make_at(struct fs_req *q, lm_u32 mode)
{
	struct walk w;
	struct inode *i;
	int err = parent(q, q->w[0], path, 0, &w);

	if (err)
		return err;
	if (w.ino)
		return -EEXIST;
	if (w.slash && !S_ISDIR(mode))
		return -ENOENT;
	i = ino_new(mode);
	if (!i)
		return -ENOSPC;
	err = dir_add(w.dir, w.name, i);
	if (err)
		ino_put(i);
	return err;
}

static long do_mkdir(struct fs_req *q)
{
	return make_at(q, S_IFDIR | ((lm_u32)q->w[1] & 07777));
}

/* FS_MKNOD: a regular file or a named pipe; the personality turns other
 * types away (device nodes: EPERM, as without CAP_MKNOD). */
static long do_mknod(struct fs_req *q)
{
	lm_u32 mode = (lm_u32)q->w[1];

	if ((mode & ~(lm_u32)(S_IFMT | 07777)) ||
	    ((mode & S_IFMT) != S_IFREG && (mode & S_IFMT) != S_IFIFO))
		return -EINVAL;
	return make_at(q, mode);
}

static long do_unlink(struct fs_req *q)
{
	struct walk w;
	int err = parent(q, q->w[0], path, 0, &w);

	if (err)
		return err;
	if (!w.ino)
		return -ENOENT;
	if (q->w[1] & FS_AT_REMOVEDIR) {
		if (!strcmp(w.name, "."))
			return -EINVAL;
		if (!strcmp(w.name, ".."))
			return -ENOTEMPTY;
		if (!S_ISDIR(w.ino->mode))
			return -ENOTDIR;
		if (w.ino == fs_root || !w.name[0])
			return -EBUSY;
		if (w.ino->nents)
			return -ENOTEMPTY;
	} else {
		if (S_ISDIR(w.ino->mode))
			return -EISDIR;
		if (w.slash)
			return -ENOTDIR;
	}
	return dir_remove(w.dir, w.name);
}

/* 1 if d is a or below it. */
static int below(const struct inode *d, const struct inode *a)
{
	for (; d; d = d->parent)
		if (d == a)
			return 1;
	return 0;
}

static long do_rename(struct fs_req *q)
{
	struct walk o, n;
	struct inode *i;
	int err = parent(q, q->w[0], path, 0, &o);

	if (!err)
		err = parent(q, q->w[1], path2, 0, &n);
	if (err)
		return err;
	if (q->w[2] & ~(lm_u64)RENAME_NOREPLACE)
		return -EINVAL;
	if (!o.ino)
		return -ENOENT;
	if (!o.name[0] || !n.name[0] || is_dot(o.name) || is_dot(n.name))
		return -EBUSY;
	i = o.ino;
	if (n.ino && (q->w[2] & RENAME_NOREPLACE))
		return -EEXIST;
	if (n.ino == i)
		return 0;
	if (S_ISDIR(i->mode) && below(n.dir, i))
		return -EINVAL;
	if (!S_ISDIR(i->mode) && (o.slash || n.slash))
		return -ENOTDIR;
	if (n.ino && S_ISDIR(i->mode) && !S_ISDIR(n.ino->mode))
		return -ENOTDIR;
	if (n.ino && !S_ISDIR(i->mode) && S_ISDIR(n.ino->mode))
		return -EISDIR;
	if (n.ino && S_ISDIR(n.ino->mode) && n.ino->nents)
		return -ENOTEMPTY;
	/* A link held across the move, so that dropping the old name neither
	 * frees it nor counts as its last name going (FS_PATH_NAMED's
	 * "deleted"); the one it replaces does lose its last name. */
	i->nlink++;
	dir_remove(o.dir, o.name);
	if (n.ino)
		dir_remove(n.dir, n.name);
	err = dir_add(n.dir, n.name, i);
	if (err) /* the heap is spent: put it back where it was (names were freed, so this fits) */
		dir_add(o.dir, o.name, i);
	i->nlink--;
	return err;
}

static long do_link(struct fs_req *q)
{
	struct walk n;
	struct inode *i;
	int err = target(q, q->w[0], path, (q->w[2] & FS_AT_FOLLOW) ? 0 : FS_AT_NOFOLLOW, &i);

	if (!err)
		err = parent(q, q->w[1], path2, 0, &n);
	if (err)
		return err;
	if (q->w[2] & ~(lm_u64)(FS_AT_FOLLOW | FS_AT_EMPTY))
		return -EINVAL;
	if (S_ISDIR(i->mode))
		return -EPERM;
	if (n.ino)
		return -EEXIST;
	if (!n.name[0] || n.slash)
		return -ENOENT;
	return dir_add(n.dir, n.name, i);
}

static long do_symlink(struct fs_req *q)
{
	struct walk n;
	struct inode *l;
	lm_u64 len = strlen(path);
	int err = parent(q, q->w[0], path2, 0, &n);

	if (err)
		return err;
	if (!len)
		return -ENOENT;
	if (n.ino)
		return -EEXIST;
	l = ino_new(S_IFLNK | 0777);
	if (!l || file_write(l, 0, path, len)) {
		if (l)
			ino_put(l);
		return -ENOSPC;
	}
	err = dir_add(n.dir, n.name, l);
	if (err)
		ino_put(l);
	return err;
}

static long do_readlink(struct fs_req *q)
{
	struct inode *i;
	lm_u64 n = q->w[1];
	int err = target(q, q->w[0], path, FS_AT_NOFOLLOW | FS_AT_EMPTY, &i);

	if (err)
		return err;
	if (!S_ISLNK(i->mode))
		return -EINVAL;
	if (n > i->size)
		n = i->size;
	if (n > FS_DATA)
		n = FS_DATA;
	memcpy(q->buf->data, i->data, n);
	return (long)n;
}

static void set_time(lm_u64 *t, lm_u64 sec, lm_u64 nsec)
{
	if ((long)nsec == UTIME_OMIT)
		return;
	*t = (long)nsec == UTIME_NOW ? fs_now : sec * 1000000000ull + nsec;
}

static long do_attr(struct fs_req *q)
{
	struct inode *i;
	lm_u64 flags = q->label == FS_UTIMES ? q->w[1] : q->w[2];
	int err = target(q, q->w[0], path, flags, &i);

	if (err)
		return err;
	switch (q->label) {
	case FS_CHMOD:
		i->mode = (i->mode & S_IFMT) | ((lm_u32)q->w[1] & 07777);
		break;
	case FS_UTIMES: {
		lm_u64 t[4];

		memcpy(t, q->buf->times, sizeof t);
		for (int k = 1; k < 4; k += 2)
			if (t[k] >= 1000000000ull && (long)t[k] != UTIME_NOW && (long)t[k] != UTIME_OMIT)
				return -EINVAL;
		set_time(&i->atime, t[0], t[1]);
		set_time(&i->mtime, t[2], t[3]);
		break;
	}
	case FS_ACCESS:
		/* one user, root: reading and writing are always allowed, running
		 * needs an x bit somewhere */
		if ((q->w[1] & 1) && !S_ISDIR(i->mode) && !(i->mode & 0111))
			return -EACCES;
		return 0;
	}
	i->ctime = fs_now;
	return 0;
}

static long do_truncate(struct fs_req *q)
{
	struct inode *i;
	int err;

	if ((long)q->w[1] < 0)
		return -EINVAL;
	if (q->w[2] & FS_AT_EMPTY) {
		struct handle *h = h_get(q->w[0], q->badge);

		if (!h)
			return -EBADF;
		if ((h->flags & O_ACCMODE) == 0 || (h->flags & O_PATH) || !S_ISREG(h->ino->mode))
			return -EINVAL;
		return file_resize(h->ino, q->w[1]);
	}
	err = target(q, q->w[0], path, 0, &i);
	if (err)
		return err;
	if (S_ISDIR(i->mode))
		return -EISDIR;
	if (!S_ISREG(i->mode))
		return -EINVAL;
	return file_resize(i, q->w[1]);
}

long fs_serve_path(struct fs_req *q)
{
	int two = q->label == FS_RENAME || q->label == FS_LINK || q->label == FS_SYMLINK;

	if (copy_path(path, q->buf->path) || (two && copy_path(path2, q->buf->path2)))
		return -ENAMETOOLONG;
	switch (q->label) {
	case FS_OPEN: return do_open(q);
	case FS_STAT: return do_stat(q);
	case FS_MKDIR: return do_mkdir(q);
	case FS_MKNOD: return do_mknod(q);
	case FS_UNLINK: return do_unlink(q);
	case FS_RENAME: return do_rename(q);
	case FS_LINK: return do_link(q);
	case FS_SYMLINK: return do_symlink(q);
	case FS_READLINK: return do_readlink(q);
	case FS_CHMOD:
	case FS_UTIMES:
	case FS_ACCESS: return do_attr(q);
	case FS_TRUNCATE: return do_truncate(q);
	}
	return -ENOSYS;
}
