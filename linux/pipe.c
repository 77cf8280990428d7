/*
 * Pipes: made by the file server (FS_PIPE: its two handles, servers/fs/
 * pipe.c), their ends descriptors like a file's (fd.c); their reads and
 * writes are here and wait in fs_block.c. O_NONBLOCK belongs to each
 * end's handle in the server, O_CLOEXEC to the descriptors. O_DIRECT
 * (packet mode) is not served: EINVAL, as a kernel without it answers.
 */
#include "lx.h"

/* A read: one request, waiting while the pipe is empty and has a writer;
 * what is there (up to FS_DATA bytes) comes back at once, as Linux
 * returns what a pipe holds rather than waiting for n. buf is checked. */
long lx_pipe_read(lm_u64 h, lm_u64 buf, lm_u64 n)
{
	long r;

	if (!n)
		return 0;
	r = lx_fs_call_wait(FS_READ, h, n < FS_DATA ? n : FS_DATA, 0, 0, 0, 0, 0);
	if (r > 0)
		memcpy((void *)buf, lx_fsb->data, (lm_u64)r);
	return r;
}

/* A write: pieces of up to FS_WRITE_MAX (= PIPE_BUF) bytes, one request
 * each (the bytes past FS_DATA in the message's tail). A write of at most
 * PIPE_BUF bytes is one atomic piece: the server takes all or answers
 * "would block". A longer one may be taken in parts, each piece waiting
 * for room, unless O_NONBLOCK, where a part is the answer. EPIPE raises
 * SIGPIPE, as on Linux. buf is checked. */
long lx_pipe_write(lm_u64 h, lm_u64 buf, lm_u64 n)
{
	lm_u64 done = 0, max = lx_fs_write_max(), how = n <= FS_PIPE_BUF ? FS_W_ATOMIC : 0;

	while (done < n) {
		lm_u64 k = n - done < max ? n - done : max, head = k < FS_DATA ? k : FS_DATA;
		const char *src = (const char *)(buf + done);
		long r;

		memcpy(lx_fsb->data, src, head);
		r = lx_fs_call_wait(FS_WRITE, h, k, 0, how, src + head, k - head, 0);
		if (r == -EPIPE)
			lx_sig_post(SIGPIPE, 0, (int)lx_pid);
		if (r < 0)
			return done ? (long)done : r;
		done += (lm_u64)r;
	}
	return (long)done;
}

/* readv and writev (of at most PIPE_BUF bytes) as one read or write, as
 * on Linux: a readv waits only for the first byte, a writev is atomic.
 * The bytes are gathered in (or scattered from) the page shared with the
 * server and the 64-byte tail. The vector is checked. */
long lx_pipe_vector(lm_u64 h, const struct lx_iovec *iov, lm_u64 cnt, lm_u64 total, int out)
{
	char tail[FS_TAIL];
	lm_u64 at = 0, n = out ? total : (total < FS_DATA ? total : FS_DATA);
	long r = out ? (long)total : lx_fs_call_wait(FS_READ, h, n, 0, 0, 0, 0, 0);

	for (lm_u64 i = 0; i < cnt && r > 0 && at < (lm_u64)r; i++)
		for (lm_u64 k = 0; k < iov[i].len && at < (lm_u64)r; k++, at++) {
			char *b = at < FS_DATA ? &lx_fsb->data[at] : &tail[at - FS_DATA];
			char *u = (char *)iov[i].base + k;

			if (out)
				*b = *u;
			else
				*u = *b;
		}
	if (!out || r <= 0)
		return r;
	r = lx_fs_call_wait(FS_WRITE, h, n, 0, FS_W_ATOMIC, tail, n > FS_DATA ? n - FS_DATA : 0, 0);
	if (r == -EPIPE)
		lx_sig_post(SIGPIPE, 0, (int)lx_pid);
	return r;
}

static long make_pipe(lm_u64 ufds, lm_u64 flags)
{
	lm_u64 wh = 0;
	long rh;
	int fd[2];

	if (flags & ~(lm_u64)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL; /* O_DIRECT, O_NOTIFICATION_PIPE and the rest */
	if (!lx_writable(ufds, sizeof fd))
		return -EFAULT;
	if (!lx_fd_room(2))
		return -EMFILE;
	rh = lx_fs_call(FS_PIPE, flags & O_NONBLOCK, 0, 0, 0, &wh);
	if (rh < 0)
		return rh == -ENOENT ? -ENFILE : rh; /* no file server: no pipes */
	/* room was checked and nothing else ran since: both succeed */
	fd[0] = (int)lx_fd_open((lm_u64)rh, S_IFIFO | 0600, O_RDONLY | (lm_u32)(flags & O_CLOEXEC));
	fd[1] = (int)lx_fd_open(wh, S_IFIFO | 0600, O_WRONLY | (lm_u32)(flags & O_CLOEXEC));
	return lx_copy_out(ufds, fd, sizeof fd);
}

LX_SYS(pipe)
{
	return make_pipe(a[0], 0);
}

LX_SYS(pipe2)
{
	return make_pipe(a[0], a[1]);
}
