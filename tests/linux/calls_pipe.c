/* Pipes in one process: pipe, pipe2, read/write/readv/writev on them,
 * EOF, EPIPE, O_NONBLOCK, PIPE_BUF atomicity, fstat, lseek, fcntl,
 * FIONREAD, poll/ppoll/select/pselect6, and the errors of pipe itself;
 * then between processes (fork): more than a pipe holds, a reader killed
 * while it waits, SIGPIPE ending a writer, atomic writes of two writers. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include "calls.h"

#define CAP 65536

static char big[CAP + 8192];

static int mkpipe(int fd[2], int flags)
{
	return (int)syscall(SYS_pipe2, fd, flags);
}

static void closep(const int fd[2])
{
	syscall(SYS_close, fd[0]);
	syscall(SYS_close, fd[1]);
}

static short revents(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };

	return syscall(SYS_poll, &p, 1, 0) == 1 ? p.revents : 0;
}

static long fionread(int fd)
{
	int n = -1;

	return syscall(SYS_ioctl, fd, FIONREAD, &n) == 0 ? n : -1;
}

static void basics(void)
{
	int fd[2], fd2[2], d;
	char buf[64];
	struct stat st;
	struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };

	CHECK(syscall(SYS_pipe, fd) == 0 && fd[0] >= 3 && fd[1] == fd[0] + 1);
	CHECK(syscall(SYS_write, fd[1], "hello", 5) == 5);
	CHECK(fionread(fd[0]) == 5);
	CHECK(syscall(SYS_read, fd[0], buf, sizeof buf) == 5 && !memcmp(buf, "hello", 5));
	CHECK(fionread(fd[0]) == 0);
	CHECK(syscall(SYS_writev, fd[1], iov, 2) == 5);
	iov[0] = (struct iovec){ buf, 1 };
	iov[1] = (struct iovec){ buf + 1, 10 };
	CHECK(syscall(SYS_readv, fd[0], iov, 2) == 5 && !memcmp(buf, "abcde", 5));
	/* a readv waits for the first byte only, like a read */
	CHECK(syscall(SYS_write, fd[1], "q", 1) == 1);
	CHECK(syscall(SYS_readv, fd[0], iov, 2) == 1 && buf[0] == 'q');
	CHECK(syscall(SYS_write, fd[1], "x", 0) == 0);
	/* the ends' kinds and modes */
	CHECK(syscall(SYS_fstat, fd[0], &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(syscall(SYS_fstat, fd[1], &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(syscall(SYS_fcntl, fd[0], F_GETFL) == O_RDONLY);
	CHECK(syscall(SYS_fcntl, fd[1], F_GETFL) == O_WRONLY);
	FAILS(syscall(SYS_lseek, fd[0], 0, SEEK_CUR), ESPIPE);
	FAILS(syscall(SYS_lseek, fd[1], 0, SEEK_SET), ESPIPE);
	FAILS(syscall(SYS_pread64, fd[0], buf, 1, 0), ESPIPE);
	FAILS(syscall(SYS_pwrite64, fd[1], "x", 1, 0), ESPIPE);
	FAILS(syscall(SYS_read, fd[1], buf, 1), EBADF);
	FAILS(syscall(SYS_write, fd[0], "x", 1), EBADF);
	/* EOF only when every descriptor of the write end is closed */
	d = (int)syscall(SYS_dup, fd[1]);
	CHECK(d > fd[1]);
	CHECK(syscall(SYS_close, fd[1]) == 0);
	CHECK(syscall(SYS_write, d, "z", 1) == 1);
	FAILS(syscall(SYS_read, fd[0], BAD, 1), EFAULT); /* (with a byte there: Linux would wait) */
	CHECK(syscall(SYS_read, fd[0], buf, sizeof buf) == 1 && buf[0] == 'z');
	CHECK(mkpipe(fd2, O_NONBLOCK) == 0);
	FAILS(syscall(SYS_read, fd2[0], buf, 1), EAGAIN); /* (another pipe: still empty) */
	closep(fd2);
	CHECK(syscall(SYS_close, d) == 0);
	CHECK(syscall(SYS_read, fd[0], buf, sizeof buf) == 0);
	CHECK(syscall(SYS_read, fd[0], buf, sizeof buf) == 0);
	CHECK(syscall(SYS_close, fd[0]) == 0);
	FAILS(syscall(SYS_close, fd[0]), EBADF);
}

static void broken(void)
{
	int fd[2];
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	/* EPIPE (SIGPIPE ignored, as it must be to see the error) */
	CHECK(sigaction(SIGPIPE, &ign, &old) == 0);
	CHECK(mkpipe(fd, 0) == 0);
	CHECK(syscall(SYS_write, fd[1], "abc", 3) == 3);
	CHECK(syscall(SYS_close, fd[0]) == 0);
	FAILS(syscall(SYS_write, fd[1], "x", 1), EPIPE);
	FAILS(syscall(SYS_write, fd[1], big, 8000), EPIPE);
	CHECK(revents(fd[1], POLLOUT) & POLLERR);
	CHECK(syscall(SYS_close, fd[1]) == 0);
	sigaction(SIGPIPE, &old, 0);
}

/* O_NONBLOCK: empty and full; the capacity is Linux's 64 KiB; a write of
 * at most PIPE_BUF goes all at once or not at all. */
static void nonblocking(void)
{
	int fd[2];
	long total = 0, r;
	char buf[4096];

	CHECK(mkpipe(fd, O_NONBLOCK | O_CLOEXEC) == 0);
	CHECK(syscall(SYS_fcntl, fd[0], F_GETFD) == FD_CLOEXEC);
	CHECK(syscall(SYS_fcntl, fd[1], F_GETFL) == (O_WRONLY | O_NONBLOCK));
	FAILS(syscall(SYS_read, fd[0], buf, 1), EAGAIN);
	CHECK(revents(fd[0], POLLIN) == 0);
	CHECK(revents(fd[1], POLLOUT) == POLLOUT);
	for (int i = 0; i < (int)sizeof big; i++)
		big[i] = (char)(i * 7 + i / 251);
	while ((r = syscall(SYS_write, fd[1], big + total, 4096)) > 0 && total < 2 * CAP)
		total += r;
	CHECK(r == -1 && errno == EAGAIN && total == CAP);
	FAILS(syscall(SYS_write, fd[1], "x", 1), EAGAIN);
	CHECK(revents(fd[1], POLLOUT) == 0);
	CHECK(revents(fd[0], POLLIN) == POLLIN && fionread(fd[0]) == CAP);
	/* drain it, checking every byte came through in order */
	total = 0;
	while ((r = syscall(SYS_read, fd[0], buf, sizeof buf)) > 0) {
		if (memcmp(buf, big + total, (size_t)r))
			break;
		total += r;
	}
	CHECK(r == -1 && errno == EAGAIN && total == CAP);
	/* PIPE_BUF: 100 bytes of room take neither 4,096 nor 101 bytes
	 * (atomic), but do take 100, and 100 of a longer write */
	for (total = 0; total < CAP - 4096; total += 4096)
		CHECK(syscall(SYS_write, fd[1], big, 4096) == 4096);
	CHECK(syscall(SYS_write, fd[1], big, 3996) == 3996);
	FAILS(syscall(SYS_write, fd[1], big, 4096), EAGAIN);
	FAILS(syscall(SYS_write, fd[1], big, 101), EAGAIN);
	struct iovec two[2] = { { big, 50 }, { big, 51 } }; /* a writev is one write */
	FAILS(syscall(SYS_writev, fd[1], two, 2), EAGAIN);
	CHECK(fionread(fd[0]) == CAP - 100);
	/* a longer one may take what fits (Lamina) or nothing (Linux's pages) */
	r = syscall(SYS_write, fd[1], big, 5000);
	CHECK(r == 100 || (r == -1 && errno == EAGAIN));
	CHECK(fionread(fd[0]) == CAP - 100 + (r > 0 ? r : 0));
	while (syscall(SYS_read, fd[0], buf, sizeof buf) > 0)
		;
	/* a 4,096-byte write (more than one request's page holds) arrives whole */
	CHECK(syscall(SYS_write, fd[1], "12345", 5) == 5);
	CHECK(syscall(SYS_write, fd[1], big + 7, 4096) == 4096);
	total = 0;
	while ((r = syscall(SYS_read, fd[0], big + CAP + total, 8192 - total)) > 0)
		total += r;
	CHECK(total == 4101 && !memcmp(big + CAP, "12345", 5) && !memcmp(big + CAP + 5, big + 7, 4096));
	/* F_SETFL clears and sets O_NONBLOCK on the end */
	CHECK(syscall(SYS_fcntl, fd[0], F_SETFL, 0) == 0 && syscall(SYS_fcntl, fd[0], F_GETFL) == O_RDONLY);
	CHECK(syscall(SYS_fcntl, fd[0], F_SETFL, O_NONBLOCK) == 0);
	FAILS(syscall(SYS_read, fd[0], buf, 1), EAGAIN);
	closep(fd);
}

static void polling(void)
{
	int fd[2];
	struct pollfd p[3];
	struct timespec zero = { 0, 0 };
	fd_set rd, wr;
	struct timeval tv = { 0, 0 };
	char c;

	CHECK(mkpipe(fd, 0) == 0);
	p[0] = (struct pollfd){ fd[0], POLLIN, 0 };
	p[1] = (struct pollfd){ fd[1], POLLOUT, 0 };
	p[2] = (struct pollfd){ -1, POLLIN, 0 };
	CHECK(syscall(SYS_poll, p, 3, 0) == 1 && p[0].revents == 0 && p[1].revents == POLLOUT &&
	      p[2].revents == 0);
	CHECK(syscall(SYS_ppoll, p, 1, &zero, 0, 8) == 0);
	/* a finite timeout with nothing coming: 0 after it */
	CHECK(syscall(SYS_poll, p, 1, 20) == 0 && p[0].revents == 0);
	CHECK(syscall(SYS_write, fd[1], "a", 1) == 1);
	CHECK(syscall(SYS_poll, p, 2, -1) == 2 && p[0].revents == POLLIN && p[1].revents == POLLOUT);
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(fd[0], &rd);
	FD_SET(fd[1], &wr);
	CHECK(syscall(SYS_select, fd[1] + 1, &rd, &wr, 0, &tv) == 2 && FD_ISSET(fd[0], &rd) &&
	      FD_ISSET(fd[1], &wr));
	CHECK(syscall(SYS_read, fd[0], &c, 1) == 1 && c == 'a');
	FD_ZERO(&rd);
	FD_SET(fd[0], &rd);
	tv = (struct timeval){ 0, 10000 };
	CHECK(syscall(SYS_select, fd[0] + 1, &rd, 0, 0, &tv) == 0 && !FD_ISSET(fd[0], &rd));
	CHECK(tv.tv_sec == 0 && tv.tv_usec == 0);
	FD_SET(fd[0], &rd);
	CHECK(syscall(SYS_pselect6, fd[0] + 1, &rd, 0, 0, &zero, 0) == 0);
	FD_SET(200, &rd);
	FAILS(syscall(SYS_select, 201, &rd, 0, 0, &tv), EBADF);
	FAILS(syscall(SYS_select, -1, 0, 0, 0, &tv), EINVAL);
	tv.tv_usec = -1;
	FAILS(syscall(SYS_select, 1, 0, 0, 0, &tv), EINVAL);
	FAILS(syscall(SYS_select, 1, BAD, 0, 0, 0), EFAULT);
	/* the write end closed: POLLHUP on the read end, which select reads */
	CHECK(syscall(SYS_close, fd[1]) == 0);
	CHECK(revents(fd[0], POLLIN) == POLLHUP);
	FD_ZERO(&rd);
	FD_SET(fd[0], &rd);
	CHECK(syscall(SYS_select, fd[0] + 1, &rd, 0, 0, 0) == 1 && FD_ISSET(fd[0], &rd));
	CHECK(syscall(SYS_close, fd[0]) == 0);
	/* files are always ready */
	int f = (int)syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
	CHECK(f >= 0 && revents(f, POLLIN | POLLOUT) == (POLLIN | POLLOUT));
	CHECK(f >= 0 && fionread(f) > 0);
	syscall(SYS_close, f);
}

static void errors(void)
{
	int fd[2], first, n = 0;
	struct rlimit old, lim;

	FAILS(syscall(SYS_pipe, BAD), EFAULT);
	FAILS(syscall(SYS_pipe2, BAD, 0), EFAULT);
	FAILS(syscall(SYS_pipe2, fd, O_APPEND), EINVAL);
	FAILS(syscall(SYS_pipe2, fd, O_RDWR), EINVAL);
	/* packet mode: Linux serves it, Lamina refuses it */
	if (mkpipe(fd, O_DIRECT) == 0)
		closep(fd);
	else
		CHECK(errno == EINVAL);
	/* no descriptor leaked by the failures: the lowest are still free */
	CHECK(mkpipe(fd, 0) == 0);
	first = fd[0];
	closep(fd);
	CHECK(mkpipe(fd, 0) == 0 && fd[0] == first);
	closep(fd);
	/* EMFILE: a full table (256 descriptors), and one free is not two */
	getrlimit(RLIMIT_NOFILE, &old);
	lim = old;
	lim.rlim_cur = 256;
	setrlimit(RLIMIT_NOFILE, &lim);
	while (syscall(SYS_dup, 0) >= 0 && n < 4096)
		n++;
	CHECK(errno == EMFILE);
	FAILS(syscall(SYS_pipe, fd), EMFILE);
	syscall(SYS_close, first);
	FAILS(syscall(SYS_pipe, fd), EMFILE);
	for (int i = 3; i < 256; i++)
		syscall(SYS_close, i);
	setrlimit(RLIMIT_NOFILE, &old);
	CHECK(mkpipe(fd, 0) == 0 && fd[0] == 3);
	closep(fd);
}

/* What a child writes, byte k of writer w. */
static char pattern(long k, int w)
{
	return (char)(k * 31 + k / 4093 + w);
}

static void between(void)
{
	static char buf[8192];
	int fd[2], st = 0;
	long total = 0, r, bad = 0;
	pid_t p, q;

	/* 200,000 bytes through a 64 KiB pipe: the writer waits for the reader */
	CHECK(mkpipe(fd, 0) == 0);
	if ((p = fork()) == 0) {
		syscall(SYS_close, fd[0]);
		for (long k = 0; k < 200000; k += 5000) {
			for (int i = 0; i < 5000; i++)
				buf[i] = pattern(k + i, 0);
			if (syscall(SYS_write, fd[1], buf, 5000) != 5000)
				_exit(1);
		}
		_exit(0);
	}
	syscall(SYS_close, fd[1]);
	while ((r = syscall(SYS_read, fd[0], buf, sizeof buf)) > 0) {
		for (long i = 0; i < r; i++)
			bad += buf[i] != pattern(total + i, 0);
		total += r;
	}
	CHECK(r == 0 && total == 200000 && bad == 0);
	CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	syscall(SYS_close, fd[0]);
	/* a reader waiting in read is killed by a signal */
	CHECK(mkpipe(fd, 0) == 0);
	if ((p = fork()) == 0) {
		syscall(SYS_read, fd[0], buf, 1);
		_exit(5);
	}
	CHECK(kill(p, SIGTERM) == 0);
	CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	closep(fd);
	/* a writer whose reader is gone: SIGPIPE's default action ends it */
	CHECK(mkpipe(fd, 0) == 0);
	if ((p = fork()) == 0) {
		syscall(SYS_close, fd[0]);
		for (;;)
			syscall(SYS_write, fd[1], buf, 4096);
	}
	closep(fd);
	CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	/* two writers of 4,096-byte writes: each arrives whole (PIPE_BUF) */
	CHECK(mkpipe(fd, 0) == 0);
	for (int w = 0; w < 2; w++)
		if ((w ? (q = fork()) : (p = fork())) == 0) {
			memset(buf, 'a' + w, 4096);
			for (int i = 0; i < 40; i++)
				if (syscall(SYS_write, fd[1], buf, 4096) != 4096)
					_exit(1);
			_exit(0);
		}
	syscall(SYS_close, fd[1]);
	total = bad = 0;
	while ((r = syscall(SYS_read, fd[0], buf + total % 4096, 4096 - total % 4096)) > 0) {
		total += r;
		if (total % 4096 == 0)
			for (int i = 1; i < 4096; i++)
				bad += buf[i] != buf[0];
	}
	CHECK(r == 0 && total == 2 * 40 * 4096 && bad == 0);
	CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(waitpid(q, &st, 0) == q && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	syscall(SYS_close, fd[0]);
}

void test_pipe(void)
{
	basics();
	broken();
	nonblocking();
	polling();
	errors();
	between();
	printf("pipe: done\n");
}
