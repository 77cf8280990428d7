/*
 * File descriptors. A descriptor names an open file description (struct
 * file), as in Linux: dup'ed descriptors share it, FD_CLOEXEC belongs to
 * the descriptor. A description is of a kind: the terminal (console.c,
 * its status flags kept here), or a file of the file server, whose offset
 * and status flags live in the server under a handle (servers/fs), so
 * that descriptors of other processes (after fork) can share them too.
 * A pipe's end is a file of the file server too (mode S_IFIFO): its reads
 * and writes may have to wait (fs_block.c). The process holds a server
 * handle once however many descriptors name it: FS_CLOSE goes with the
 * description's last descriptor. A file of /proc (F_PROC) is the
 * personality's own (procfs.c): its contents were made at open.
 */
#include "lx.h"

#define IOV_MAX   1024

enum { F_CON = 1, F_FS, F_PROC };

struct file {
	int kind;     /* F_CON, F_FS, F_PROC; 0 = free */
	int stream;   /* F_CON: LX_CON_IN, LX_CON_OUT, LX_CON_ERR */
	lm_u32 flags; /* F_CON: O_ACCMODE | O_APPEND | O_NONBLOCK; F_FS: O_ACCMODE | O_PATH */
	lm_u32 mode;  /* F_FS: the inode's type and permissions at open; F_PROC: its type */
	lm_u64 handle; /* F_FS: the server's handle; F_PROC: procfs.c's */
	int refs;     /* descriptors naming it; 0 = free */
};

static struct file files[LX_NOFILE];
static struct fd {
	struct file *f;
	int cloexec;
} fds[LX_NOFILE];
lm_u64 lx_cwd;

/* The terminal on 0, 1 and 2, read-write as a login terminal is; in capture
 * mode stdin reads only and the outputs write only, like /dev/null and
 * pipes. */
void lx_fd_init(void)
{
	for (int i = 0; i < 3; i++) {
		files[i].kind = F_CON;
		files[i].stream = i;
		files[i].flags = lx_capture ? (i ? O_WRONLY : O_RDONLY) : O_RDWR;
		files[i].refs = 1;
		fds[i].f = &files[i];
	}
}

static struct file *file_new(void)
{
	for (int i = 0; i < LX_NOFILE; i++)
		if (!files[i].refs)
			return &files[i];
	return 0;
}

static void file_put(struct file *f)
{
	if (f->kind == F_FS)
		lx_lock_close(f->handle); /* any descriptor's close: POSIX locks go */
	if (--f->refs)
		return;
	if (f->kind == F_FS)
		lx_fs_call(FS_CLOSE, f->handle, 0, 0, 0, 0);
	if (f->kind == F_PROC)
		lx_procfs_close(f->handle);
	*f = (struct file){ 0 };
}

static struct file *get(lm_u64 fd)
{
	return fd < LX_NOFILE ? fds[fd].f : 0;
}

static int can_read(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH);
}

static int can_write(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH);
}

/* Server file I/O in page-sized pieces; pos < 0: at the handle's offset.
 * A short piece ends the call (end of file). */
static long fs_io(struct file *f, lm_u64 buf, lm_u64 n, long pos, int out)
{
	long done = 0;

	while ((lm_u64)done < n) {
		lm_u64 k = n - (lm_u64)done < FS_DATA ? n - (lm_u64)done : FS_DATA;
		long r;

		if (out)
			memcpy(lx_fsb->data, (const void *)(buf + (lm_u64)done), k);
		r = lx_fs_call(out ? FS_WRITE : FS_READ, f->handle, k,
			       pos < 0 ? 0 : (lm_u64)pos + (lm_u64)done, pos >= 0, 0);
		if (r < 0)
			return done ? done : r;
		if (!out)
			memcpy((void *)(buf + (lm_u64)done), lx_fsb->data, (lm_u64)r);
		done += r;
		if ((lm_u64)r < k)
			break;
	}
	return done;
}

static long file_read(struct file *f, lm_u64 buf, lm_u64 n)
{
	if (f->kind == F_FS && S_ISFIFO(f->mode))
		return lx_pipe_read(f->handle, buf, n);
	if (f->kind == F_FS)
		return S_ISDIR(f->mode) ? -EISDIR : fs_io(f, buf, n, -1, 0);
	if (f->kind == F_PROC)
		return lx_procfs_read(f->handle, buf, n, -1);
	return lx_con_read((void *)buf, n);
}

/* A write from buf, which the caller checked (or is the personality's). */
static long file_write_checked(struct file *f, lm_u64 buf, lm_u64 n)
{
	if (f->kind == F_FS && S_ISFIFO(f->mode))
		return lx_pipe_write(f->handle, buf, n);
	if (f->kind == F_FS)
		return fs_io(f, buf, n, -1, 1);
	return lx_con_write(f->stream == LX_CON_ERR ? LX_CON_ERR : LX_CON_OUT, (const void *)buf, n);
}

static long file_write(struct file *f, lm_u64 buf, lm_u64 n)
{
	if (!lx_readable(buf, n))
		return -EFAULT;
	return file_write_checked(f, buf, n);
}

LX_SYS(read)
{
	struct file *f = get(a[0]);

	if (!f || !can_read(f))
		return -EBADF;
	if (!lx_writable(a[1], a[2]))
		return -EFAULT;
	return file_read(f, a[1], a[2]);
}

LX_SYS(write)
{
	struct file *f = get(a[0]);

	if (!f || !can_write(f))
		return -EBADF;
	return file_write(f, a[1], a[2]);
}

/* readv / writev: the vector is read once, every element checked before
 * any byte moves. */
static long vector_io(const lm_u64 *a, int out)
{
	static struct lx_iovec iov[IOV_MAX];
	struct file *f = get(a[0]);
	lm_u64 cnt = a[2], total = 0;
	long done = 0;

	if (!f || !(out ? can_write(f) : can_read(f)))
		return -EBADF;
	if (cnt > IOV_MAX)
		return -EINVAL;
	if (lx_copy_in(iov, a[1], cnt * sizeof iov[0]))
		return -EFAULT;
	for (lm_u64 i = 0; i < cnt; i++) {
		total += iov[i].len;
		if ((long)iov[i].len < 0 || (long)total < 0)
			return -EINVAL;
		if (out ? !lx_readable(iov[i].base, iov[i].len) : !lx_writable(iov[i].base, iov[i].len))
			return -EFAULT;
	}
	if (f->kind == F_FS && S_ISFIFO(f->mode) && (!out || total <= FS_PIPE_BUF))
		return lx_pipe_vector(f->handle, iov, cnt, total, out);
	for (lm_u64 i = 0; i < cnt; i++) {
		long r = out ? file_write(f, iov[i].base, iov[i].len)
			     : file_read(f, iov[i].base, iov[i].len);

		if (r < 0)
			return done ? done : r;
		done += r;
		if ((lm_u64)r < iov[i].len)
			break; /* a short read: the rest waits for the next call */
	}
	return done;
}

LX_SYS(readv)
{
	return vector_io(a, 0);
}

LX_SYS(writev)
{
	return vector_io(a, 1);
}

long lx_fd_access(long fd)
{
	struct file *f = fd >= 0 ? get((lm_u64)fd) : 0;

	return !f || (f->flags & O_PATH) ? -EBADF : (long)(f->flags & O_ACCMODE);
}

long lx_fd_io(long fd, void *buf, lm_u64 n, long pos, int out)
{
	struct file *f = fd >= 0 ? get((lm_u64)fd) : 0;

	if (!f || !(out ? can_write(f) : can_read(f)))
		return -EBADF;
	if (pos < 0)
		return out ? file_write_checked(f, (lm_u64)buf, n) : file_read(f, (lm_u64)buf, n);
	if (f->kind == F_CON || S_ISFIFO(f->mode))
		return -ESPIPE;
	if (S_ISDIR(f->mode))
		return -EISDIR;
	if (f->kind == F_PROC)
		return lx_procfs_read(f->handle, (lm_u64)buf, n, pos);
	return fs_io(f, (lm_u64)buf, n, pos, out);
}

/* Positioned I/O and seeking need a file with a position: a terminal and
 * a pipe have none, which Linux reports before the access mode. */
static long positioned(const lm_u64 *a, int out)
{
	struct file *f = get(a[0]);

	if (!f)
		return -EBADF;
	if (f->kind == F_CON || S_ISFIFO(f->mode))
		return -ESPIPE;
	if (!(out ? can_write(f) : can_read(f)))
		return -EBADF;
	if ((long)a[3] < 0)
		return -EINVAL;
	if (out ? !lx_readable(a[1], a[2]) : !lx_writable(a[1], a[2]))
		return -EFAULT;
	if (!out && S_ISDIR(f->mode))
		return -EISDIR;
	if (f->kind == F_PROC)
		return lx_procfs_read(f->handle, a[1], a[2], (long)a[3]);
	return fs_io(f, a[1], a[2], (long)a[3], out);
}

LX_SYS(pread64)
{
	return positioned(a, 0);
}

LX_SYS(pwrite64)
{
	return positioned(a, 1);
}

LX_SYS(lseek)
{
	struct file *f = get(a[0]);

	if (!f)
		return -EBADF;
	if (f->kind == F_PROC)
		return lx_procfs_seek(f->handle, (long)a[1], a[2]);
	if (f->kind != F_FS)
		return -ESPIPE;
	return lx_fs_call(FS_SEEK, f->handle, a[1], a[2], 0, 0);
}

LX_SYS(close)
{
	struct file *f = get(a[0]);

	if (!f)
		return -EBADF;
	fds[a[0]] = (struct fd){ 0, 0 };
	file_put(f);
	return 0;
}

void lx_fd_exec(void)
{
	for (int fd = 0; fd < LX_NOFILE; fd++)
		if (fds[fd].f && fds[fd].cloexec) {
			struct file *f = fds[fd].f;

			fds[fd] = (struct fd){ 0, 0 };
			file_put(f);
		}
}

/* The lowest free descriptor >= from, made to name f. */
static long install(struct file *f, lm_u64 from, int cloexec)
{
	for (lm_u64 fd = from; fd < lx_nofile(); fd++)
		if (!fds[fd].f) {
			fds[fd] = (struct fd){ f, cloexec };
			f->refs++;
			return (long)fd;
		}
	return -EMFILE;
}

/* 1 if n more descriptors (and descriptions) can be opened now. */
int lx_fd_room(int n)
{
	int fds_free = 0, files_free = 0;

	for (lm_u64 i = 0; i < LX_NOFILE; i++) {
		fds_free += !fds[i].f && i < lx_nofile(); /* RLIMIT_NOFILE's room */
		files_free += !files[i].refs;
	}
	return fds_free >= n && files_free >= n;
}

long lx_fd_open(lm_u64 handle, lm_u32 mode, lm_u32 flags)
{
	struct file *f = file_new();
	long fd;

	if (!f) {
		lx_fs_call(FS_CLOSE, handle, 0, 0, 0, 0);
		return -EMFILE;
	}
	*f = (struct file){ F_FS, 0, flags & (O_ACCMODE | O_PATH), mode, handle, 0 };
	fd = install(f, 0, !!(flags & O_CLOEXEC));
	if (fd < 0) {
		f->refs = 1;
		file_put(f);
	}
	return fd;
}

/* A new description like proto, of a kind the personality serves itself
 * (nothing to give back to a server if there is no descriptor for it). */
static long open_local(struct file proto, lm_u32 flags)
{
	struct file *f = file_new();
	long fd;

	if (!f)
		return -EMFILE;
	*f = proto;
	fd = install(f, 0, !!(flags & O_CLOEXEC));
	if (fd < 0)
		*f = (struct file){ 0 };
	return fd;
}

/* A /proc file, read-only: a directory or a regular file. */
long lx_fd_open_proc(lm_u64 h, int dir, lm_u32 flags)
{
	return open_local((struct file){ F_PROC, 0, O_RDONLY, dir ? S_IFDIR : S_IFREG, h, 0 }, flags);
}

long lx_fd_proc(long fd)
{
	struct file *f = fd >= 0 ? get((lm_u64)fd) : 0;

	return f && f->kind == F_PROC ? (long)f->handle : -1;
}

int lx_fd_next(int fd)
{
	for (; fd >= 0 && fd < LX_NOFILE; fd++)
		if (fds[fd].f)
			return fd;
	return -1;
}

/* What readlink of /proc/self/fd/N says, as Linux: a file of the server
 * by its absolute path (FS_PATH_NAMED: a directory's, one of a file's or
 * a named pipe's names, "/path (deleted)" once unlinked while open),
 * /proc's names, the terminal (/dev/pts/0 as fstat says) and, for what
 * has no path to give (an anonymous pipe; a name the server did not
 * keep), "pipe:[ino]" or "file:[ino]". */
long lx_fd_link(long fd, char *out, lm_u64 size)
{
	struct file *f = fd >= 0 ? get((lm_u64)fd) : 0;
	struct lx_stat st;

	if (!f)
		return -EBADF;
	if (f->kind == F_PROC)
		return lm_snprintf(out, size, "%s", lx_procfs_name(f->handle));
	if (f->kind == F_FS && lx_fs_call(FS_GETPATH, f->handle, FS_PATH_NAMED, 0, 0, 0) >= 0)
		return lm_snprintf(out, size, "%s", lx_fsb->data);
	if (lx_fd_stat(fd, &st))
		return -EBADF;
	if (S_ISFIFO(st.mode))
		return lm_snprintf(out, size, "pipe:[%lu]", st.ino);
	if (f->kind == F_CON)
		return lm_snprintf(out, size, "%s", (st.mode & S_IFMT) == S_IFCHR && st.rdev == (1 << 8 | 3) ?
			"/dev/null" : "/dev/pts/0");
	return lm_snprintf(out, size, "file:[%lu]", st.ino);
}

/* /dev/tty and /dev/console: the terminal, as descriptors 0-2 are. */
long lx_fd_open_tty(lm_u32 flags)
{
	return open_local((struct file){ F_CON, LX_CON_OUT,
		flags & (O_ACCMODE | O_APPEND | O_NONBLOCK), 0, 0, 0 }, flags);
}

/* For a lock on fd: 1 and its server handle and access mode (a file of
 * the server); 0 (the terminal, /proc: nothing another process locks);
 * -EBADF (not open, or O_PATH). */
long lx_fd_lockable(long fd, lm_u64 *handle, lm_u32 *acc)
{
	struct file *f = fd >= 0 ? get((lm_u64)fd) : 0;

	if (!f || (f->kind == F_FS && (f->flags & O_PATH)))
		return -EBADF;
	*handle = f->handle;
	*acc = f->flags & O_ACCMODE;
	return f->kind == F_FS;
}

long lx_fd_handle(long fd)
{
	struct file *f = fd >= 0 ? get((lm_u64)fd) : 0;

	if (!f)
		return -EBADF;
	return f->kind == F_FS ? (long)f->handle : -ENOTDIR;
}

long lx_fd_at(long dirfd, const char *path)
{
	int m = lx_procfs_match(dirfd, path);

	if (m == LX_PROC_LONG)
		return -ENAMETOOLONG;
	if (m)
		return LX_AT_PROC;
	if (path[0] == '/')
		return 0;
	if ((int)dirfd == AT_FDCWD)
		return (long)lx_cwd;
	return lx_fd_handle(dirfd);
}

LX_SYS(dup)
{
	struct file *f = get(a[0]);

	return f ? install(f, 0, 0) : -EBADF;
}

static long dup_to(lm_u64 old, lm_u64 new, int cloexec)
{
	struct file *f = get(old);

	if (!f || new >= lx_nofile())
		return -EBADF; /* also past RLIMIT_NOFILE, as Linux */
	f->refs++; /* first: new may already name f */
	if (fds[new].f)
		file_put(fds[new].f);
	fds[new] = (struct fd){ f, cloexec };
	return (long)new;
}

LX_SYS(dup2)
{
	if (a[0] == a[1])
		return get(a[0]) ? (long)a[0] : -EBADF;
	return dup_to(a[0], a[1], 0);
}

LX_SYS(dup3)
{
	if (a[2] & ~(lm_u64)O_CLOEXEC)
		return -EINVAL;
	if (a[0] == a[1])
		return get(a[0]) ? -EINVAL : -EBADF;
	return dup_to(a[0], a[1], !!(a[2] & O_CLOEXEC));
}

LX_SYS(fcntl)
{
	struct file *f = get(a[0]);
	lm_u64 arg = a[2];

	if (!f)
		return -EBADF;
	switch (a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= lx_nofile())
			return -EINVAL; /* also past RLIMIT_NOFILE, as Linux */
		return install(f, arg, a[1] == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fds[a[0]].cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		fds[a[0]].cloexec = arg & FD_CLOEXEC;
		return 0;
	case F_GETFL:
		if (f->kind == F_FS && S_ISFIFO(f->mode))
			return lx_fs_call(FS_GETFL, f->handle, 0, 0, 0, 0);
		if (f->kind == F_FS) /* the server's: shared by every holder */
			return lx_fs_call(FS_GETFL, f->handle, 0, 0, 0, 0) | O_LARGEFILE;
		return f->flags;
	case 5: case 6: case 7: case 36: case 37: case 38: /* F_GETLK .. F_OFD_SETLKW */
		return lx_fcntl_lock((long)a[0], a[1], arg);
	case F_SETFL: /* only these status flags may change, as on Linux */
		if (f->kind == F_FS)
			return lx_fs_call(FS_SETFL, f->handle, arg, 0, 0, 0);
		f->flags = (f->flags & ~(lm_u32)(O_APPEND | O_NONBLOCK)) |
			   ((lm_u32)arg & (O_APPEND | O_NONBLOCK));
		return 0;
	default:
		return -EINVAL;
	}
}

/* What poll reports for fd now (events asked, revents answered): POLLNVAL
 * for a descriptor not open; a file server's file as the server says
 * (files are always ready, a pipe's end when it is; with arm, the server
 * signals our wake notification when a pipe end not ready changes); the
 * terminal's outputs are always ready (the console takes everything, the
 * capture buffers drop what overflows), its input when bytes are ahead
 * (console.c). *tty_in is set when fd waits for terminal input that is
 * not there yet. */
short lx_fd_poll(int fd, short events, int arm, int *tty_in)
{
	struct file *f = fd >= 0 ? get((lm_u64)fd) : 0;
	lm_u64 ev = 0;
	short r = 0;
	long sr;

	if (!f)
		return POLLNVAL;
	if (f->kind == F_PROC) /* a file: always ready */
		return events & (POLLIN | POLLRDNORM);
	if (f->kind == F_FS) {
		ev |= (events & (POLLIN | POLLRDNORM)) ? FS_POLLIN : 0;
		ev |= (events & (POLLOUT | POLLWRNORM)) ? FS_POLLOUT : 0;
		sr = lx_fs_call(FS_POLL, f->handle, ev | (arm ? FS_POLL_ARM : 0), 0, 0, 0);
		if (sr < 0)
			return POLLNVAL;
		if (sr & FS_POLLIN)
			r |= events & (POLLIN | POLLRDNORM);
		if (sr & FS_POLLOUT)
			r |= events & (POLLOUT | POLLWRNORM);
		return r | (short)(sr & (FS_POLLHUP | FS_POLLERR | FS_POLLNVAL));
	}
	if (can_write(f))
		r |= events & (POLLOUT | POLLWRNORM);
	if (can_read(f) && (events & (POLLIN | POLLRDNORM))) {
		if (lx_con_input_ready(0))
			r |= events & (POLLIN | POLLRDNORM);
		else
			*tty_in = 1;
	}
	return r;
}

/* What stat says of a terminal (a pseudo-terminal, as over ssh), of the
 * capture mode's pipes and of its /dev/null stdin. */
static void con_stat(const struct file *f, struct lx_stat *st)
{
	*st = (struct lx_stat){ .dev = 0x16, .ino = 3 + (lm_u64)f->stream, .nlink = 1 };
	st->uid = LX_UID;
	st->gid = LX_GID;
	if (lx_con_is_tty(f->stream)) {
		st->mode = S_IFCHR | 0620;
		st->rdev = 136 << 8; /* /dev/pts/0 */
		st->blksize = 1024;
	} else if (f->stream == LX_CON_IN) {
		st->mode = S_IFCHR | 0666;
		st->rdev = 1 << 8 | 3; /* /dev/null */
		st->blksize = 4096;
	} else {
		st->mode = S_IFIFO | 0600;
		st->blksize = 4096;
	}
}

/* fstat of a descriptor: the terminal's here, a file's from the server. */
long lx_fd_stat(long fd, struct lx_stat *st)
{
	struct file *f = fd >= 0 ? get((lm_u64)fd) : 0;

	if (!f)
		return -EBADF;
	if (f->kind == F_FS)
		return lx_fs_stat(f->handle, "", FS_AT_EMPTY, st);
	if (f->kind == F_PROC)
		return lx_procfs_fstat(f->handle, st);
	con_stat(f, st);
	return 0;
}

LX_SYS(fstat)
{
	struct lx_stat st;
	long r = lx_fd_stat((long)a[0], &st);

	return r ? r : lx_copy_out(a[1], &st, sizeof st);
}

static long fionread(struct file *f, lm_u64 uarg)
{
	lm_u64 n = 0;
	long r = lx_fs_call(FS_POLL, f->handle, 0, 0, 0, &n);
	int v = n > 0x7fffffff ? 0x7fffffff : (int)n;

	if (S_ISDIR(f->mode))
		return -ENOTTY;
	return r < 0 ? r : lx_copy_out(uarg, &v, sizeof v);
}

LX_SYS(ioctl)
{
	struct file *f = get(a[0]);
	struct lx_termios t;
	struct lx_winsize ws = { 24, 80, 0, 0 };
	int pgrp;
	long r;

	if (!f)
		return -EBADF;
	if (f->kind == F_FS && a[1] == FIONREAD) /* bytes a read would get now */
		return fionread(f, a[2]);
	if (f->kind != F_CON || !lx_con_is_tty(f->stream))
		return -ENOTTY;
	switch (a[1]) {
	case TCGETS:
		lx_con_termios(&t, 0);
		return lx_copy_out(a[2], &t, sizeof t);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		if (lx_copy_in(&t, a[2], sizeof t))
			return -EFAULT;
		if ((r = lx_job_check(SIGTTOU)))
			return r;
		lx_con_termios(&t, a[1] == TCSETSF ? 2 : 1);
		return 0;
	case TIOCGWINSZ:
		return lx_copy_out(a[2], &ws, sizeof ws);
	case TIOCSWINSZ:
		return lx_readable(a[2], sizeof ws) ? 0 : -EFAULT;
	case TIOCGPGRP:
		if ((r = lx_job_tcgetpgrp()) < 0)
			return r;
		pgrp = (int)r;
		return lx_copy_out(a[2], &pgrp, sizeof pgrp);
	case TIOCSPGRP:
		if (lx_copy_in(&pgrp, a[2], sizeof pgrp))
			return -EFAULT;
		return lx_job_tcsetpgrp(pgrp);
	case TIOCSCTTY:
		return lx_job_setctty((long)a[2]);
	default:
		return -ENOTTY;
	}
}
