/*
 * What the file server keeps about a file: stat, statx, chmod, utimensat,
 * truncate, access. Identity is one root user (LX_UID, LX_GID) and one
 * device (0x801, as an ext4 partition would have).
 */
#include "lx.h"

#define DEV 0x801
#define STATX_BASIC 0x7ff
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

void lx_fs_to_stat(const struct fs_stat *s, struct lx_stat *st)
{
	*st = (struct lx_stat){ .dev = DEV, .ino = s->ino, .nlink = s->nlink };
	st->mode = (lm_u32)s->mode;
	st->uid = LX_UID;
	st->gid = LX_GID;
	st->rdev = s->rdev;
	st->size = (long)s->size;
	st->blksize = 4096;
	st->blocks = (long)((s->size + 4095) / 4096 * 8);
	if ((s->mode & S_IFMT) == S_IFDIR)
		st->size = 4096, st->blocks = 8; /* as ext4 shows a small directory */
	st->atime = (long)(s->atime / 1000000000ull);
	st->atime_ns = (long)(s->atime % 1000000000ull);
	st->mtime = (long)(s->mtime / 1000000000ull);
	st->mtime_ns = (long)(s->mtime % 1000000000ull);
	st->ctime = (long)(s->ctime / 1000000000ull);
	st->ctime_ns = (long)(s->ctime % 1000000000ull);
}

/* stat of (dir, path): path 0 = already in the page. */
long lx_fs_stat(lm_u64 dir, const char *path, lm_u64 flags, struct lx_stat *st)
{
	struct fs_stat s;
	long r;

	if (path)
		lx_strcpy(lx_fsb->path, path);
	r = lx_fs_call(FS_STAT, dir, flags, 0, 0, 0);
	if (r)
		return r;
	memcpy(&s, lx_fsb->data, sizeof s);
	lx_fs_to_stat(&s, st);
	return 0;
}

/* (dirfd, path, AT_* flags) as the *at calls take them: "" with
 * AT_EMPTY_PATH is the descriptor itself (the terminal's too). */
static long stat_at(long dirfd, lm_u64 upath, lm_u64 flags, struct lx_stat *st)
{
	long r = lx_fs_path(0, upath), dir;

	if (flags & ~(lm_u64)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if (r)
		return r;
	if (!lx_fsb->path[0] && (flags & AT_EMPTY_PATH)) {
		if ((int)dirfd == AT_FDCWD && lx_procfs_match(dirfd, "."))
			return lx_procfs_stat(0, st); /* the working directory is in /proc */
		if ((int)dirfd == AT_FDCWD)
			return lx_fs_stat(lx_cwd, "", FS_AT_EMPTY, st);
		return lx_fd_stat(dirfd, st);
	}
	dir = lx_fd_at(dirfd, lx_fsb->path);
	if (dir == LX_AT_PROC)
		return lx_procfs_stat(!!(flags & AT_SYMLINK_NOFOLLOW), st);
	if (dir < 0)
		return dir;
	return lx_fs_stat((lm_u64)dir, 0, flags & AT_SYMLINK_NOFOLLOW, st);
}

static long stat_out(long dirfd, lm_u64 upath, lm_u64 flags, lm_u64 ust)
{
	struct lx_stat st;
	long r = stat_at(dirfd, upath, flags, &st);

	return r ? r : lx_copy_out(ust, &st, sizeof st);
}

LX_SYS(newfstatat)
{
	return stat_out((long)a[0], a[1], a[3], a[2]);
}

LX_SYS(stat)
{
	return stat_out(AT_FDCWD, a[0], 0, a[1]);
}

LX_SYS(lstat)
{
	return stat_out(AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW, a[1]);
}

static struct lx_statx_ts ts(long sec, long ns)
{
	return (struct lx_statx_ts){ sec, (lm_u32)ns, 0 };
}

/* statx(dirfd, path, flags, mask, buf): the basic fields, whatever the mask. */
LX_SYS(statx)
{
	struct lx_stat st;
	struct lx_statx x = { 0 };
	long r;

	if (a[3] & 0x80000000u) /* STATX__RESERVED */
		return -EINVAL;
	if ((a[2] & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	r = stat_at((long)a[0], a[1], a[2], &st);
	if (r)
		return r;
	x.mask = STATX_BASIC;
	x.blksize = (lm_u32)st.blksize;
	x.nlink = (lm_u32)st.nlink;
	x.uid = st.uid;
	x.gid = st.gid;
	x.mode = (lm_u16)st.mode;
	x.ino = st.ino;
	x.size = (lm_u64)st.size;
	x.blocks = (lm_u64)st.blocks;
	x.atime = ts(st.atime, st.atime_ns);
	x.mtime = ts(st.mtime, st.mtime_ns);
	x.ctime = ts(st.ctime, st.ctime_ns);
	x.rdev_major = (lm_u32)(st.rdev >> 8);
	x.rdev_minor = (lm_u32)(st.rdev & 0xff);
	x.dev_major = (lm_u32)(st.dev >> 8);
	x.dev_minor = (lm_u32)(st.dev & 0xff);
	return lx_copy_out(a[4], &x, sizeof x);
}

/* A path request on (dirfd, path) or, with AT_EMPTY_PATH and "", on the
 * descriptor: the start handle in *dir and the server's flags. */
static long attr_target(long dirfd, lm_u64 upath, lm_u64 flags, lm_u64 *dir, lm_u64 *fsflags)
{
	long r = upath ? lx_fs_path(0, upath) : (lx_fsb->path[0] = 0, 0);

	if (r)
		return r;
	*fsflags = flags & AT_SYMLINK_NOFOLLOW;
	if (!lx_fsb->path[0] && (flags & AT_EMPTY_PATH)) {
		*fsflags |= FS_AT_EMPTY;
		r = (int)dirfd == AT_FDCWD ? (long)lx_cwd : lx_fd_handle(dirfd);
		if (r == -ENOTDIR) /* the terminal: nothing the server keeps */
			return -EPERM;
	} else {
		r = lx_fd_at(dirfd, lx_fsb->path);
	}
	if (r < 0)
		return r;
	*dir = (lm_u64)r;
	return 0;
}

static long chmod_at(long dirfd, lm_u64 upath, lm_u64 mode, lm_u64 flags)
{
	lm_u64 dir, fl;
	long r = attr_target(dirfd, upath, flags, &dir, &fl);

	if (r)
		return r;
	if (flags & AT_SYMLINK_NOFOLLOW)
		return -EOPNOTSUPP; /* as Linux: symbolic links have no mode of their own */
	return lx_fs_call(FS_CHMOD, dir, mode & 07777, fl, 0, 0);
}

LX_SYS(fchmodat)
{
	if (a[3] & ~(lm_u64)AT_SYMLINK_NOFOLLOW)
		return -EINVAL;
	return chmod_at((long)a[0], a[1], a[2], a[3]);
}

LX_SYS(chmod)
{
	return chmod_at(AT_FDCWD, a[0], a[1], 0);
}

LX_SYS(fchmod)
{
	if (lx_fd_handle((long)a[0]) == -EBADF)
		return -EBADF;
	return chmod_at((long)a[0], 0, a[1], AT_EMPTY_PATH);
}

/* The chown family (man 2 chown) with one user: giving a file to root
 * (or leaving an id as it is, -1) succeeds, any other id is EPERM (there
 * is nobody else to give it to). As on Linux since 2.2.13, root's chown
 * of a file that is not a directory clears its set-user-ID bit, and its
 * set-group-ID bit if it is group-executable, even with both ids -1
 * (cp -p chowns, then sets the mode back). st: the file, its link itself
 * for lchown. */
static long chown_done(long dirfd, lm_u64 upath, const struct lx_stat *st, lm_u64 uid,
		       lm_u64 gid, lm_u64 flags)
{
	lm_u32 u = (lm_u32)uid, g = (lm_u32)gid, mode = st->mode & 07777;

	if ((u != (lm_u32)-1 && u != LX_UID) || (g != (lm_u32)-1 && g != LX_GID))
		return -EPERM;
	if (S_ISDIR(st->mode) || !(mode & 06000))
		return 0;
	mode &= ~04000u;
	if (mode & 010)
		mode &= ~02000u;
	return chmod_at(dirfd, upath, mode, flags & ~(lm_u64)AT_SYMLINK_NOFOLLOW);
}

static long chown_at(long dirfd, lm_u64 upath, lm_u64 uid, lm_u64 gid, lm_u64 flags)
{
	struct lx_stat st;
	long r;

	if (flags & ~(lm_u64)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((r = stat_at(dirfd, upath, flags, &st)))
		return r;
	return chown_done(dirfd, upath, &st, uid, gid, flags);
}

LX_SYS(fchownat) { return chown_at((long)a[0], a[1], a[2], a[3], a[4]); }
LX_SYS(chown) { return chown_at(AT_FDCWD, a[0], a[1], a[2], 0); }
LX_SYS(lchown) { return chown_at(AT_FDCWD, a[0], a[1], a[2], AT_SYMLINK_NOFOLLOW); }

LX_SYS(fchown)
{
	struct lx_stat st;
	long r;

	if ((r = lx_fd_stat((long)a[0], &st)))
		return r;
	return chown_done((long)a[0], 0, &st, a[1], a[2], AT_EMPTY_PATH);
}

/* utimensat(dirfd, path, times[2], flags); path NULL is the descriptor. */
LX_SYS(utimensat)
{
	struct lx_timespec t[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	lm_u64 dir, fl;
	long r;

	if (a[3] & ~(lm_u64)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (a[2] && lx_copy_in(t, a[2], sizeof t))
		return -EFAULT;
	for (int k = 0; k < 2; k++)
		if ((t[k].tv_nsec < 0 || t[k].tv_nsec >= 1000000000l) &&
		    t[k].tv_nsec != UTIME_NOW && t[k].tv_nsec != UTIME_OMIT)
			return -EINVAL;
	if (!a[1] && (int)a[0] == AT_FDCWD)
		return -EFAULT;
	r = attr_target((long)a[0], a[1], a[1] ? a[3] : a[3] | AT_EMPTY_PATH, &dir, &fl);
	if (r)
		return r;
	for (int k = 0; k < 2; k++) {
		lx_fsb->times[2 * k] = (lm_u64)t[k].tv_sec;
		lx_fsb->times[2 * k + 1] = (lm_u64)t[k].tv_nsec;
	}
	return lx_fs_call(FS_UTIMES, dir, fl, 0, 0, 0);
}

LX_SYS(truncate)
{
	lm_u64 dir, fl;
	long r = attr_target(AT_FDCWD, a[0], 0, &dir, &fl);

	if (r)
		return r;
	if ((long)a[1] < 0)
		return -EINVAL;
	return lx_fs_call(FS_TRUNCATE, dir, a[1], fl, 0, 0);
}

LX_SYS(ftruncate)
{
	long h = lx_fd_handle((long)a[0]);

	if (h == -ENOTDIR)
		return -EINVAL; /* the terminal */
	if (h < 0)
		return h;
	if ((long)a[1] < 0)
		return -EINVAL;
	return lx_fs_call(FS_TRUNCATE, (lm_u64)h, a[1], FS_AT_EMPTY, 0, 0);
}

static long access_at(long dirfd, lm_u64 upath, lm_u64 mode, lm_u64 flags)
{
	lm_u64 dir, fl;
	long r;

	if (mode & ~(lm_u64)(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(lm_u64)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = attr_target(dirfd, upath, flags, &dir, &fl);
	if (r == LX_AT_PROC)
		return lx_procfs_access(mode);
	return r ? r : lx_fs_call(FS_ACCESS, dir, mode, fl, 0, 0);
}

LX_SYS(faccessat2)
{
	return access_at((long)a[0], a[1], a[2], a[3]);
}

LX_SYS(faccessat)
{
	return access_at((long)a[0], a[1], a[2], 0);
}

LX_SYS(access)
{
	return access_at(AT_FDCWD, a[0], a[1], 0);
}
