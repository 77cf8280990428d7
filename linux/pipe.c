/*
 * pipe and pipe2: a pipe is made by the file server (FS_PIPE: its two
 * handles), its ends are descriptors like a file's (fd.c), its reads and
 * writes wait in fs_block.c. O_NONBLOCK belongs to each end's handle in
 * the server, O_CLOEXEC to the descriptors here. O_DIRECT (packet mode)
 * is not served: EINVAL, as a kernel without it answers.
 */
#include "lx.h"

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
