/* Descriptors and the terminal: read, write, readv, writev, lseek, pread64,
 * pwrite64, fstat, newfstatat, ioctl, fcntl, dup, dup2, dup3, close. */
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
#include "calls.h"

static void rw(void)
{
	char buf[8];
	struct iovec iov[2] = { { "ab", 2 }, { "c\n", 2 } };

	CHECK(syscall(SYS_write, 1, "io: write\n", 10) == 10);
	CHECK(syscall(SYS_write, 1, "x", 0) == 0);
	FAILS(syscall(SYS_write, 99, "x", 1), EBADF);
	FAILS(syscall(SYS_write, -1, "x", 1), EBADF);
	FAILS(syscall(SYS_write, 1, BAD, 4), EFAULT);
	FAILS(syscall(SYS_write, 1, LIBOS, 4), EFAULT);
	FAILS(syscall(SYS_read, 99, buf, 1), EBADF);
	/* outside user space: Linux's access_ok refuses it even for /dev/null */
	FAILS(syscall(SYS_read, 0, KBAD, 4), EFAULT);
	CHECK(syscall(SYS_writev, 1, iov, 2) == 4);
	CHECK(syscall(SYS_writev, 1, iov, 0) == 0);
	FAILS(syscall(SYS_writev, 1, iov, -1), EINVAL);
	FAILS(syscall(SYS_writev, 1, iov, 1025), EINVAL);
	FAILS(syscall(SYS_writev, 1, BAD, 2), EFAULT);
	iov[1].iov_base = BAD;
	FAILS(syscall(SYS_writev, 1, iov, 2), EFAULT);
	FAILS(syscall(SYS_writev, 77, iov, 2), EBADF);
	if (piped) { /* stdin at end of file, outputs write-only */
		CHECK(syscall(SYS_read, 0, buf, sizeof buf) == 0);
		iov[0].iov_base = buf;
		iov[0].iov_len = 4;
		CHECK(syscall(SYS_readv, 0, iov, 1) == 0);
		FAILS(syscall(SYS_read, 1, buf, 1), EBADF);
		FAILS(syscall(SYS_write, 0, "x", 1), EBADF);
	}
	FAILS(syscall(SYS_lseek, 1, 0, SEEK_CUR), ESPIPE);
	FAILS(syscall(SYS_lseek, 99, 0, SEEK_CUR), EBADF);
	FAILS(syscall(SYS_pwrite64, 1, "x", 1, 0), ESPIPE);
	FAILS(syscall(SYS_pread64, 99, buf, 1, 0), EBADF);
	if (piped) /* a pipe has no position, whatever its access mode */
		FAILS(syscall(SYS_pread64, 1, buf, 1, 0), ESPIPE);
}

static void stat_and_ioctl(void)
{
	struct stat st;
	struct termios t;
	struct winsize ws;

	CHECK(syscall(SYS_fstat, 1, &st) == 0);
	CHECK(piped ? S_ISFIFO(st.st_mode) : S_ISCHR(st.st_mode));
	CHECK(syscall(SYS_fstat, 0, &st) == 0 && S_ISCHR(st.st_mode));
	FAILS(syscall(SYS_fstat, 99, &st), EBADF);
	FAILS(syscall(SYS_fstat, 1, BAD), EFAULT);
	FAILS(syscall(SYS_fstat, 1, LIBOS), EFAULT);
	memset(&st, 0xff, sizeof st);
	CHECK(syscall(SYS_newfstatat, 2, "", &st, AT_EMPTY_PATH) == 0 && st.st_nlink == 1);
	FAILS(syscall(SYS_newfstatat, AT_FDCWD, "/no/such/file", &st, 0), ENOENT);
	FAILS(syscall(SYS_newfstatat, AT_FDCWD, BAD, &st, 0), EFAULT);
	FAILS(syscall(SYS_newfstatat, 1, "", &st, 0x40000000), EINVAL);
	FAILS(syscall(SYS_newfstatat, 99, "", &st, AT_EMPTY_PATH), EBADF);
	FAILS(syscall(SYS_ioctl, 99, TCGETS, &t), EBADF);
	if (piped) {
		FAILS(syscall(SYS_ioctl, 1, TCGETS, &t), ENOTTY);
		FAILS(syscall(SYS_ioctl, 0, TIOCGWINSZ, &ws), ENOTTY);
		CHECK(!isatty(0) && !isatty(1) && !isatty(2));
	} else {
		CHECK(syscall(SYS_ioctl, 1, TCGETS, &t) == 0 && (t.c_lflag & ICANON));
		CHECK(syscall(SYS_ioctl, 1, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col);
		FAILS(syscall(SYS_ioctl, 1, TCGETS, BAD), EFAULT);
		FAILS(syscall(SYS_ioctl, 1, 0x12345678, 0), ENOTTY);
	}
}

static void descriptors(void)
{
	int fd;

	CHECK(syscall(SYS_fcntl, 1, F_GETFD) == 0);
	CHECK(syscall(SYS_fcntl, 1, F_SETFD, FD_CLOEXEC) == 0);
	CHECK(syscall(SYS_fcntl, 1, F_GETFD) == FD_CLOEXEC);
	CHECK(syscall(SYS_fcntl, 1, F_SETFD, 0) == 0);
	CHECK((syscall(SYS_fcntl, 1, F_GETFL) & O_ACCMODE) == (piped ? O_WRONLY : O_RDWR));
	CHECK(syscall(SYS_fcntl, 2, F_SETFL, O_NONBLOCK | O_RDONLY) == 0);
	CHECK(syscall(SYS_fcntl, 2, F_GETFL) & O_NONBLOCK);
	CHECK((syscall(SYS_fcntl, 2, F_GETFL) & O_ACCMODE) != O_RDONLY || !piped);
	CHECK(syscall(SYS_fcntl, 2, F_SETFL, 0) == 0);
	FAILS(syscall(SYS_fcntl, 99, F_GETFD), EBADF);
	FAILS(syscall(SYS_fcntl, 1, 9999), EINVAL);
	fd = syscall(SYS_fcntl, 1, F_DUPFD, 10);
	CHECK(fd >= 10);
	CHECK(syscall(SYS_close, fd) == 0);
	fd = syscall(SYS_dup, 1);
	CHECK(fd == 3); /* the lowest free */
	CHECK(syscall(SYS_write, fd, "io: dup\n", 8) == 8);
	CHECK(syscall(SYS_close, fd) == 0);
	FAILS(syscall(SYS_close, fd), EBADF);
	FAILS(syscall(SYS_close, 99), EBADF);
	FAILS(syscall(SYS_dup, 99), EBADF);
	CHECK(syscall(SYS_dup2, 1, 50) == 50);
	CHECK(syscall(SYS_fcntl, 50, F_GETFD) == 0);
	CHECK(syscall(SYS_dup2, 1, 1) == 1);
	FAILS(syscall(SYS_dup2, 99, 5), EBADF);
	FAILS(syscall(SYS_dup2, 1, 100000), EBADF);
	FAILS(syscall(SYS_dup3, 1, 1, 0), EINVAL);
	FAILS(syscall(SYS_dup3, 1, 61, 1), EINVAL);
	CHECK(syscall(SYS_dup3, 1, 60, O_CLOEXEC) == 60);
	CHECK(syscall(SYS_fcntl, 60, F_GETFD) == FD_CLOEXEC);
	/* dup'ed descriptors share the status flags, not FD_CLOEXEC */
	CHECK(syscall(SYS_fcntl, 60, F_SETFL, O_APPEND) == 0);
	CHECK(syscall(SYS_fcntl, 50, F_GETFL) & O_APPEND);
	CHECK(syscall(SYS_fcntl, 50, F_GETFD) == 0);
	CHECK(syscall(SYS_fcntl, 60, F_SETFL, 0) == 0);
	CHECK(syscall(SYS_close, 50) == 0 && syscall(SYS_close, 60) == 0);
}

static void polling(void)
{
	struct pollfd p[3] = { { 1, POLLOUT, 7 }, { 99, POLLIN, 7 }, { -1, POLLIN, 7 } };
	struct pollfd in = { 0, POLLIN, 0 };
	struct timespec t = { 0, 1000 * 1000 }, t0, t1;

	CHECK(syscall(SYS_poll, p, 3, 0) == 2);
	CHECK(p[0].revents == POLLOUT && p[1].revents == POLLNVAL && p[2].revents == 0);
	CHECK(syscall(SYS_poll, NULL, 0, 0) == 0);
	if (piped) /* end of file is readable */
		CHECK(syscall(SYS_poll, &in, 1, -1) == 1 && (in.revents & POLLIN));
	FAILS(syscall(SYS_poll, BAD, 1, 0), EFAULT);
	FAILS(syscall(SYS_poll, p, 1 << 20, 0), EINVAL);
	/* nothing can become ready: the timeout passes */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(syscall(SYS_ppoll, &p[2], 1, &t, NULL, 8) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK((t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec >= 1000000L);
	t.tv_nsec = 1000000000L;
	FAILS(syscall(SYS_ppoll, p, 1, &t, NULL, 8), EINVAL);
	FAILS(syscall(SYS_ppoll, p, 1, BAD, NULL, 8), EFAULT);
	/* setpgid on itself: already its group's leader */
	CHECK(syscall(SYS_setpgid, 0, 0) == 0);
	FAILS(syscall(SYS_setsid), EPERM);
}

void test_io(void)
{
	polling();
	rw();
	stat_and_ioctl();
	descriptors();
}
