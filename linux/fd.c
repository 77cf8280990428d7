/*
 * File descriptors. A descriptor names an open file description (struct
 * file: what it is, its status flags, how many descriptors share it), as in
 * Linux: dup'ed descriptors share flags, FD_CLOEXEC belongs to the
 * descriptor. The only files so far are the terminal's three (console.c);
 * the file server and pipes add kinds here (docs/LINUX.md).
 */
#include "lx.h"

#define IOV_MAX   1024

struct file {
	int stream;   /* LX_CON_IN, LX_CON_OUT, LX_CON_ERR */
	lm_u32 flags; /* O_ACCMODE | O_APPEND | O_NONBLOCK */
	int refs;     /* descriptors naming it; 0 = free */
};

static struct file files[3];
static struct fd {
	struct file *f;
	int cloexec;
} fds[LX_NOFILE];

/* The terminal on 0, 1 and 2, read-write as a login terminal is; in capture
 * mode stdin reads only and the outputs write only, like /dev/null and
 * pipes. */
void lx_fd_init(void)
{
	for (int i = 0; i < 3; i++) {
		files[i].stream = i;
		files[i].flags = lx_capture ? (i ? O_WRONLY : O_RDONLY) : O_RDWR;
		files[i].refs = 1;
		fds[i].f = &files[i];
	}
}

static struct file *get(lm_u64 fd)
{
	return fd < LX_NOFILE ? fds[fd].f : 0;
}

static int can_read(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static int can_write(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

static long file_write(struct file *f, lm_u64 buf, lm_u64 n)
{
	if (!lx_readable(buf, n))
		return -EFAULT;
	return lx_con_write(f->stream == LX_CON_ERR ? LX_CON_ERR : LX_CON_OUT, (const void *)buf, n);
}

LX_SYS(read)
{
	struct file *f = get(a[0]);

	if (!f || !can_read(f))
		return -EBADF;
	if (!lx_writable(a[1], a[2]))
		return -EFAULT;
	return lx_con_read((void *)a[1], a[2]);
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
	for (lm_u64 i = 0; i < cnt; i++) {
		long r = out ? file_write(f, iov[i].base, iov[i].len)
			     : lx_con_read((void *)iov[i].base, iov[i].len);

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

/* Positioned I/O and seeking need a file with a position: a terminal and
 * a pipe have none, which Linux reports before the access mode. */
LX_SYS(pread64)
{
	return get(a[0]) ? -ESPIPE : -EBADF;
}

LX_SYS(pwrite64)
{
	return get(a[0]) ? -ESPIPE : -EBADF;
}

LX_SYS(lseek)
{
	return get(a[0]) ? -ESPIPE : -EBADF;
}

LX_SYS(close)
{
	struct file *f = get(a[0]);

	if (!f)
		return -EBADF;
	f->refs--;
	fds[a[0]] = (struct fd){ 0, 0 };
	return 0;
}

/* The lowest free descriptor >= from, made to name f. */
static long install(struct file *f, lm_u64 from, int cloexec)
{
	for (lm_u64 fd = from; fd < LX_NOFILE; fd++)
		if (!fds[fd].f) {
			fds[fd] = (struct fd){ f, cloexec };
			f->refs++;
			return (long)fd;
		}
	return -EMFILE;
}

LX_SYS(dup)
{
	struct file *f = get(a[0]);

	return f ? install(f, 0, 0) : -EBADF;
}

static long dup_to(lm_u64 old, lm_u64 new, int cloexec)
{
	struct file *f = get(old);

	if (!f || new >= LX_NOFILE)
		return -EBADF;
	if (fds[new].f)
		fds[new].f->refs--;
	fds[new] = (struct fd){ f, cloexec };
	f->refs++;
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
		if (arg >= LX_NOFILE)
			return -EINVAL;
		return install(f, arg, a[1] == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fds[a[0]].cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		fds[a[0]].cloexec = arg & FD_CLOEXEC;
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL: /* only these status flags may change, as on Linux */
		f->flags = (f->flags & ~(lm_u32)(O_APPEND | O_NONBLOCK)) |
			   ((lm_u32)arg & (O_APPEND | O_NONBLOCK));
		return 0;
	default:
		return -EINVAL;
	}
}

/* What poll reports for fd now (events asked, revents answered): POLLNVAL
 * for a descriptor not open; the outputs can always be written (the
 * console takes everything, the capture buffers drop what overflows); the
 * terminal's input is readable when bytes are ahead (console.c). *tty_in
 * is set when fd waits for terminal input that is not there yet. */
short lx_fd_poll(int fd, short events, int *tty_in)
{
	struct file *f = fd >= 0 ? get((lm_u64)fd) : 0;
	short r = 0;

	if (!f)
		return POLLNVAL;
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
static void stat_of(const struct file *f, struct lx_stat *st)
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

LX_SYS(fstat)
{
	struct file *f = get(a[0]);
	struct lx_stat st;

	if (!f)
		return -EBADF;
	stat_of(f, &st);
	return lx_copy_out(a[1], &st, sizeof st);
}

/* newfstatat(dirfd, path, st, flags): with AT_EMPTY_PATH and "" it is
 * fstat(dirfd); there are no paths until the file server comes. */
LX_SYS(newfstatat)
{
	char path[256];
	long n;

	if (a[3] & ~(lm_u64)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800 /* NO_AUTOMOUNT */))
		return -EINVAL;
	n = lx_copy_str(path, a[1], sizeof path);
	if (n < 0)
		return n;
	if (n == 0 && (a[3] & AT_EMPTY_PATH)) {
		lm_u64 b[2] = { a[0], a[2] };
		return (long)a[0] == AT_FDCWD ? -ENOENT : sys_fstat(b);
	}
	if (n == 0)
		return -ENOENT;
	if (path[0] != '/' && (long)a[0] != AT_FDCWD)
		return get(a[0]) ? -ENOTDIR : -EBADF;
	return -ENOENT;
}

LX_SYS(ioctl)
{
	struct file *f = get(a[0]);
	struct lx_termios t;
	struct lx_winsize ws = { 24, 80, 0, 0 };
	int pgrp = LX_PID;

	if (!f)
		return -EBADF;
	if (!lx_con_is_tty(f->stream))
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
		lx_con_termios(&t, 1);
		return 0;
	case TIOCGWINSZ:
		return lx_copy_out(a[2], &ws, sizeof ws);
	case TIOCSWINSZ:
		return lx_readable(a[2], sizeof ws) ? 0 : -EFAULT;
	case TIOCGPGRP:
		return lx_copy_out(a[2], &pgrp, sizeof pgrp);
	case TIOCSPGRP:
		return lx_readable(a[2], sizeof pgrp) ? 0 : -EFAULT;
	default:
		return -ENOTTY;
	}
}
