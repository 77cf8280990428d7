/*
 * sendfile and copy_file_range (man 2 sendfile, man 2 copy_file_range):
 * bytes from one descriptor to another through a buffer of the
 * personality's, never through the program's memory.
 *
 * The input is read at a position (positioned reads, lx_fd_io), the
 * caller's *offset or the descriptor's offset, which is moved past what
 * was written only at the end: a byte read but not written (a full
 * non-blocking pipe, a signal) is not consumed, so the next call sends it.
 * The input must be a file with a position (a regular file, or one of
 * /proc): a pipe or the terminal is EINVAL (ESPIPE with an offset
 * pointer), as Linux answers for an input without splice_read. The
 * output may be anything open for writing, but not O_APPEND (EINVAL).
 */
#include "lx.h"

#define XFER_MAX 0x7ffff000l /* Linux's most bytes per call */
#define F_GETFL_ 3

static char buf[16384]; /* under the personality's lock */

/* The position fd's offset is at, or -errno (ESPIPE for a pipe, the
 * terminal). */
static long offset_of(long fd)
{
	lm_u64 a[6] = { (lm_u64)fd, 0, SEEK_CUR };

	return sys_lseek(a);
}

static long seek_to(long fd, long pos)
{
	lm_u64 a[6] = { (lm_u64)fd, (lm_u64)pos, SEEK_SET };

	return sys_lseek(a);
}

static long status_flags(long fd)
{
	lm_u64 a[6] = { (lm_u64)fd, F_GETFL_ };

	return sys_fcntl(a);
}

/* count bytes from in at *inpos (moved past what was written) to out at
 * outpos (< 0: at its offset). The bytes moved, or the first error when
 * none was. */
static long xfer(long in, long *inpos, long out, long outpos, lm_u64 count)
{
	long done = 0;

	if (count > XFER_MAX)
		count = XFER_MAX;
	while ((lm_u64)done < count) {
		lm_u64 k = count - (lm_u64)done < sizeof buf ? count - (lm_u64)done : sizeof buf;
		long r = lx_fd_io(in, buf, k, *inpos, 0), w;

		if (r <= 0) {
			if (r < 0 && !done)
				return r;
			break;
		}
		w = lx_fd_io(out, buf, (lm_u64)r, outpos < 0 ? -1 : outpos + done, 1);
		if (w < 0 && !done)
			return w;
		if (w <= 0)
			break;
		done += w;
		*inpos += w;
		if (w < r)
			break;
	}
	return done;
}

/* What both calls check of the input: open for reading, with a position
 * (stat: a regular file). 0, or -errno in Linux's order. */
static long check_in(long in, int with_offset)
{
	struct lx_stat st;
	long acc = lx_fd_access(in);

	if (acc < 0 || acc == O_WRONLY)
		return -EBADF;
	if (with_offset && offset_of(in) < 0)
		return -ESPIPE;
	if (lx_fd_stat(in, &st))
		return -EBADF;
	return (st.mode & S_IFMT) == S_IFREG ? 0 : S_ISDIR(st.mode) ? -EISDIR : -EINVAL;
}

/* What both calls check of the output: open for writing, not O_APPEND
 * (sendfile: EINVAL, copy_file_range: EBADF). */
static long check_out(long out, long append_err)
{
	long acc = lx_fd_access(out), fl;

	if (acc < 0 || acc == O_RDONLY)
		return -EBADF;
	fl = status_flags(out);
	return fl >= 0 && (fl & O_APPEND) ? append_err : 0;
}

/* The start position: *uoff when given (-EFAULT, -EINVAL if negative),
 * else the descriptor's offset. */
static long start_of(long fd, lm_u64 uoff, long *pos)
{
	if (!uoff) {
		*pos = offset_of(fd);
		return *pos < 0 ? *pos : 0;
	}
	if (lx_copy_in(pos, uoff, sizeof *pos))
		return -EFAULT;
	return *pos < 0 ? -EINVAL : 0;
}

/* The end: *uoff, or the descriptor's offset, moved to pos. */
static long finish(long fd, lm_u64 uoff, long pos, long r)
{
	if (r < 0)
		return r;
	if (uoff)
		return lx_copy_out(uoff, &pos, sizeof pos) ? -EFAULT : r;
	seek_to(fd, pos);
	return r;
}

/* sendfile(out_fd, in_fd, offset, count): from in_fd at *offset (which
 * moves, in_fd's offset does not) or at in_fd's offset (which moves). */
LX_SYS(sendfile)
{
	long out = (long)a[0], in = (long)a[1], pos = 0, r, r_in;
	lm_u64 uoff = a[2];

	if (uoff && !lx_writable(uoff, sizeof(long)))
		return -EFAULT;
	r_in = check_in(in, uoff != 0);
	if (r_in == -EBADF || r_in == -ESPIPE)
		return r_in;
	if (uoff && (r = start_of(in, uoff, &pos)))
		return r;
	if ((r = check_out(out, -EINVAL)) == -EBADF)
		return r;
	if (r_in || r)
		return r_in ? -EINVAL : r; /* a pipe, the terminal, a directory; O_APPEND */
	if (!uoff && (r = start_of(in, 0, &pos)))
		return r;
	return finish(in, uoff, pos, xfer(in, &pos, out, -1, a[3]));
}

/* copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): between
 * regular files; flags must be 0; overlapping ranges of one file EINVAL. */
LX_SYS(copy_file_range)
{
	long in = (long)a[0], out = (long)a[2], ipos = 0, opos = 0, r;
	lm_u64 uin = a[1], uout = a[3], len = a[4];
	struct lx_stat si, so;

	if (a[5])
		return -EINVAL;
	long r_in = check_in(in, 0);

	if (r_in == -EBADF || check_out(out, -EBADF))
		return -EBADF;
	if (r_in || lx_fd_stat(out, &so))
		return r_in ? r_in : -EBADF;
	if ((so.mode & S_IFMT) != S_IFREG)
		return S_ISDIR(so.mode) ? -EISDIR : -EINVAL;
	if ((r = start_of(in, uin, &ipos)) || (r = start_of(out, uout, &opos)))
		return r;
	lx_fd_stat(in, &si);
	if (si.dev == so.dev && si.ino == so.ino && (lm_u64)ipos < opos + len &&
	    (lm_u64)opos < ipos + len)
		return -EINVAL;
	long start = ipos;
	r = xfer(in, &ipos, out, opos, len);
	if (r > 0)
		r = finish(out, uout, opos + r, r);
	return finish(in, uin, r >= 0 ? ipos : start, r);
}
