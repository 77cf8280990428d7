/*
 * Paths: opening, the working directory, directories and links. The file
 * server resolves every path (servers/fs/path.c: ".", "..", symbolic
 * links, ELOOP after 40); the personality copies the path into the page
 * it shares with the server, names the start (lx_fd_at: the root, the
 * working directory or a directory descriptor) and checks the flags
 * Linux checks before looking at the path. Paths longer than the page's
 * field (FS_PATH - 1 = 2015 bytes) are ENAMETOOLONG here, where Linux
 * allows 4095.
 */
#include "lx.h"

#define OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | \
		    O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | \
		    O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH)

/* (dirfd, upath) into the page; the start handle, or -errno. */
static long at(long dirfd, lm_u64 upath, int second)
{
	long r = lx_fs_path(second, upath);

	if (r)
		return r;
	return lx_fd_at(dirfd, second ? lx_fsb->path2 : lx_fsb->path);
}

static long open_at(long dirfd, lm_u64 upath, lm_u64 flags, lm_u64 mode)
{
	lm_u64 r1 = 0;
	long dir, h;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	if ((flags & O_PATH))
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	dir = at(dirfd, upath, 0);
	if (dir == LX_AT_PROC)
		return lx_procfs_open(flags);
	if (dir < 0)
		return dir;
	h = lx_fs_call(FS_OPEN, (lm_u64)dir, flags & OPEN_FLAGS,
		       (mode & 07777) & ~(lm_u64)lx_umask(), 0, &r1);
	if (h < 0)
		return h;
	if (r1 & FS_OPEN_WAIT) {
		/* a named pipe's end: open(2) blocks until the other end opens */
		long r = lx_fs_call_wait(FS_FIFO_WAIT, (lm_u64)h, 0, 0, 0, 0, 0, 0);

		if (r < 0) {
			lx_fs_call(FS_CLOSE, (lm_u64)h, 0, 0, 0, 0);
			return r;
		}
		r1 &= ~(lm_u64)FS_OPEN_WAIT;
	}
	/* /dev/tty and /dev/console (char 5,0 and 5,1) are the terminal */
	if (((lm_u32)r1 & S_IFMT) == S_IFCHR && (r1 >> 32) >> 8 == 5) {
		lx_fs_call(FS_CLOSE, (lm_u64)h, 0, 0, 0, 0);
		return lx_fd_open_tty((lm_u32)flags);
	}
	return lx_fd_open((lm_u64)h, (lm_u32)r1, (lm_u32)flags);
}

LX_SYS(openat)
{
	return open_at((long)a[0], a[1], a[2], a[3]);
}

LX_SYS(open)
{
	return open_at(AT_FDCWD, a[0], a[1], a[2]);
}

LX_SYS(creat)
{
	return open_at(AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1]);
}

/* getcwd(buf, size): the length with its NUL, as the system call (not the
 * libc function) returns. */
LX_SYS(getcwd)
{
	const char *proc = lx_procfs_cwd();
	long n = proc ? (long)strlen(proc) : lx_cwd ? lx_fs_call(FS_GETPATH, lx_cwd, 0, 0, 0, 0) : 1;

	if (proc)
		lx_strcpy(lx_fsb->data, proc);
	else if (!lx_cwd)
		lx_strcpy(lx_fsb->data, "/");
	if (n < 0)
		return n;
	if ((lm_u64)n + 1 > a[1])
		return -ERANGE;
	return lx_copy_out(a[0], lx_fsb->data, (lm_u64)n + 1) ? -EFAULT : n + 1;
}

/* The working directory is a handle of the server (opened O_PATH): it
 * follows the directory through renames, as Linux's does. In /proc it is
 * procfs.c's path instead (the handle stays, unused, until we leave). */
static long set_cwd(lm_u64 h)
{
	if (lx_cwd)
		lx_fs_call(FS_CLOSE, lx_cwd, 0, 0, 0, 0);
	lx_cwd = h;
	lx_procfs_cwd_leave();
	return 0;
}

LX_SYS(chdir)
{
	long dir = at(AT_FDCWD, a[0], 0), h;

	if (dir == LX_AT_PROC)
		return lx_procfs_chdir();
	if (dir < 0)
		return dir;
	h = lx_fs_call(FS_OPEN, (lm_u64)dir, O_PATH | O_DIRECTORY, 0, 0, 0);
	return h < 0 ? h : set_cwd((lm_u64)h);
}

LX_SYS(fchdir)
{
	long h = lx_fd_handle((long)a[0]), p = lx_fd_proc((long)a[0]);
	long r;

	if (p >= 0 && lx_procfs_match(AT_FDCWD, lx_procfs_name((lm_u64)p)))
		return lx_procfs_chdir();
	if (h == -ENOTDIR)
		return -ENOTDIR;
	if (h < 0)
		return h;
	lx_strcpy(lx_fsb->path, "."); /* a handle of its own for the directory */
	r = lx_fs_call(FS_OPEN, (lm_u64)h, O_PATH | O_DIRECTORY, 0, 0, 0);
	return r < 0 ? r : set_cwd((lm_u64)r);
}

LX_SYS(getdents64)
{
	long h = lx_fd_handle((long)a[0]), p = lx_fd_proc((long)a[0]), r;

	if (p < 0 && h == -ENOTDIR)
		return -ENOTDIR;
	if (p < 0 && h < 0)
		return h;
	if (!lx_writable(a[1], a[2]))
		return -EFAULT;
	if (p >= 0)
		return lx_procfs_getdents((lm_u64)p, a[1], a[2]);
	r = lx_fs_call(FS_GETDENTS, (lm_u64)h, a[2], 0, 0, 0);
	if (r > 0)
		memcpy((void *)a[1], lx_fsb->data, (lm_u64)r);
	return r;
}

static long mkdir_at(long dirfd, lm_u64 upath, lm_u64 mode)
{
	long dir = at(dirfd, upath, 0);

	if (dir < 0)
		return dir;
	return lx_fs_call(FS_MKDIR, (lm_u64)dir, (mode & 07777) & ~(lm_u64)lx_umask(), 0, 0, 0);
}

LX_SYS(mkdirat)
{
	return mkdir_at((long)a[0], a[1], a[2]);
}

LX_SYS(mkdir)
{
	return mkdir_at(AT_FDCWD, a[0], a[1]);
}

/* mknod(2): regular files and named pipes (FIFOs); device nodes are
 * EPERM, as for a process without CAP_MKNOD (the file server's devices
 * are the ones it starts with), and so are sockets (no AF_UNIX names);
 * a directory is EPERM as on Linux (mkdir makes those), another type
 * EINVAL. */
static long mknod_at(long dirfd, lm_u64 upath, lm_u64 mode)
{
	lm_u64 type = mode & S_IFMT;
	long dir;

	if (!type)
		type = S_IFREG;
	if (type == S_IFCHR || type == S_IFBLK || type == S_IFSOCK || type == S_IFDIR)
		return -EPERM;
	if (type != S_IFREG && type != S_IFIFO)
		return -EINVAL;
	dir = at(dirfd, upath, 0);
	if (dir < 0)
		return dir;
	return lx_fs_call(FS_MKNOD, (lm_u64)dir, type | ((mode & 07777) & ~(lm_u64)lx_umask()),
			  0, 0, 0);
}

LX_SYS(mknodat)
{
	return mknod_at((long)a[0], a[1], a[2]);
}

LX_SYS(mknod)
{
	return mknod_at(AT_FDCWD, a[0], a[1]);
}

static long unlink_at(long dirfd, lm_u64 upath, lm_u64 flags)
{
	long dir;

	if (flags & ~(lm_u64)AT_REMOVEDIR)
		return -EINVAL;
	dir = at(dirfd, upath, 0);
	return dir < 0 ? dir : lx_fs_call(FS_UNLINK, (lm_u64)dir, flags, 0, 0, 0);
}

LX_SYS(unlinkat)
{
	return unlink_at((long)a[0], a[1], a[2]);
}

LX_SYS(unlink)
{
	return unlink_at(AT_FDCWD, a[0], 0);
}

LX_SYS(rmdir)
{
	return unlink_at(AT_FDCWD, a[0], AT_REMOVEDIR);
}

/* rename and link: two paths, each from its own start. */
static long two_paths(lm_u64 label, long d1, lm_u64 p1, long d2, lm_u64 p2, lm_u64 flags)
{
	long s1 = at(d1, p1, 0), s2;

	if (s1 < 0)
		return s1;
	s2 = at(d2, p2, 1);
	if (s2 < 0)
		return s2;
	return lx_fs_call(label, (lm_u64)s1, (lm_u64)s2, flags, 0, 0);
}

LX_SYS(renameat2)
{
	if (a[4] & ~(lm_u64)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if (a[4] & (RENAME_EXCHANGE | RENAME_WHITEOUT))
		return (a[4] & RENAME_NOREPLACE) ? -EINVAL : -EOPNOTSUPP;
	return two_paths(FS_RENAME, (long)a[0], a[1], (long)a[2], a[3], a[4]);
}

LX_SYS(renameat)
{
	return two_paths(FS_RENAME, (long)a[0], a[1], (long)a[2], a[3], 0);
}

LX_SYS(rename)
{
	return two_paths(FS_RENAME, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

LX_SYS(linkat)
{
	if (a[4] & ~(lm_u64)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return two_paths(FS_LINK, (long)a[0], a[1], (long)a[2], a[3], a[4]);
}

LX_SYS(link)
{
	return two_paths(FS_LINK, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

static long symlink_at(lm_u64 target, long dirfd, lm_u64 upath)
{
	long r = lx_fs_path(0, target), dir;

	if (r)
		return r;
	dir = at(dirfd, upath, 1);
	return dir < 0 ? dir : lx_fs_call(FS_SYMLINK, (lm_u64)dir, 0, 0, 0, 0);
}

LX_SYS(symlinkat)
{
	return symlink_at(a[0], (long)a[1], a[2]);
}

LX_SYS(symlink)
{
	return symlink_at(a[0], AT_FDCWD, a[1]);
}

/* readlink: /proc's links are procfs.c's (glibc asks /proc/self/exe at
 * start); the rest is the server's. */
static long readlink_at(long dirfd, lm_u64 upath, lm_u64 buf, lm_u64 size)
{
	static char link[FS_PATH];
	long dir = at(dirfd, upath, 0), n;
	const char *text = lx_fsb->data;

	if (dir < 0 && dir != LX_AT_PROC)
		return dir;
	if ((int)size <= 0) /* Linux's bufsiz is an int */
		return -EINVAL;
	if (dir == LX_AT_PROC) {
		n = lx_procfs_readlink(link, sizeof link);
		text = link;
	} else {
		n = lx_fs_call(FS_READLINK, (lm_u64)dir, size, 0, 0, 0);
	}
	if (n < 0)
		return n;
	if ((lm_u64)n > size)
		n = (long)size;
	return lx_copy_out(buf, text, (lm_u64)n) ? -EFAULT : n;
}

LX_SYS(readlinkat)
{
	return readlink_at((long)a[0], a[1], a[2], a[3]);
}

LX_SYS(readlink)
{
	return readlink_at(AT_FDCWD, a[0], a[1], a[2]);
}
