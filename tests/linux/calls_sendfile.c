/* sendfile (file to file, to a pipe, to the terminal; with and without
 * an offset pointer) and its errors; copy_file_range. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include "calls.h"

#define SRC "/tmp/calls-sf-src"
#define DST "/tmp/calls-sf-dst"
#define N 10000

static char buf[N], got[N];

static int same_as(const char *path, long off, long n)
{
	int fd = open(path, O_RDONLY);
	long r = read(fd, got, sizeof got);

	close(fd);
	return r == n && memcmp(got, buf + off, n) == 0;
}

void test_sendfile(void)
{
	int in, out, ro, pfd[2], app;
	off_t off;

	for (int i = 0; i < N; i++)
		buf[i] = (char)(i * 13 + i / 97);
	in = open(SRC, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(in >= 0 && write(in, buf, N) == N && lseek(in, 0, SEEK_SET) == 0);

	/* file to file, at in's offset, which moves */
	out = open(DST, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(sendfile(out, in, 0, N + 500) == N); /* stops at the end */
	CHECK(lseek(in, 0, SEEK_CUR) == N);
	CHECK(sendfile(out, in, 0, 10) == 0);
	close(out);
	CHECK(same_as(DST, 0, N));
	/* with an offset: it moves, in's offset does not */
	out = open(DST, O_WRONLY | O_TRUNC);
	CHECK(lseek(in, 5, SEEK_SET) == 5);
	off = 100;
	CHECK(sendfile(out, in, &off, 500) == 500 && off == 600);
	CHECK(lseek(in, 0, SEEK_CUR) == 5);
	close(out);
	CHECK(same_as(DST, 100, 500));
	/* to a pipe */
	CHECK(pipe(pfd) == 0);
	off = 1000;
	CHECK(sendfile(pfd[1], in, &off, 3000) == 3000);
	CHECK(read(pfd[0], got, 3000) == 3000 && memcmp(got, buf + 1000, 3000) == 0);
	/* to the terminal (or the runner's capture) */
	ro = open(SRC, O_RDONLY);
	const char line[] = "calls: sendfile to stdout\n";
	CHECK(pwrite(in, line, sizeof line - 1, N) == sizeof line - 1);
	off = N;
	CHECK(sendfile(1, ro, &off, sizeof line - 1) == sizeof line - 1);
	CHECK(ftruncate(in, N) == 0);

	/* errors */
	off = 0;
	FAILS(sendfile(pfd[1], 99, &off, 1), EBADF);
	FAILS(sendfile(99, in, &off, 1), EBADF);
	FAILS(sendfile(ro, in, &off, 1), EBADF);          /* out not open for writing */
	FAILS(sendfile(pfd[1], pfd[1], 0, 1), EBADF);     /* in not open for reading */
	FAILS(sendfile(pfd[1], pfd[0], &off, 1), ESPIPE); /* an offset on a pipe */
	FAILS(sendfile(pfd[1], in, BAD, 1), EFAULT);
	FAILS(sendfile(pfd[1], in, (off_t *)KBAD, 1), EFAULT);
	off = -1;
	FAILS(sendfile(pfd[1], in, &off, 1), EINVAL);
	app = open(DST, O_WRONLY | O_APPEND);
	off = 0;
	FAILS(sendfile(app, in, &off, 1), EINVAL);
	close(app);

	/* copy_file_range: offsets given, then the descriptors' own */
	out = open(DST, O_RDWR | O_TRUNC);
	loff_t a = 10, b = 0;
	CHECK(copy_file_range(in, &a, out, &b, 2000, 0) == 2000 && a == 2010 && b == 2000);
	CHECK(lseek(out, 0, SEEK_CUR) == 0);
	CHECK(same_as(DST, 10, 2000));
	FAILS(copy_file_range(in, &a, out, &b, 10, 1), EINVAL);
	FAILS(copy_file_range(99, &a, out, &b, 10, 0), EBADF);
	FAILS(copy_file_range(in, &a, ro, &b, 10, 0), EBADF);
	close(out);

	close(pfd[0]);
	close(pfd[1]);
	close(ro);
	close(in);
	unlink(SRC);
	unlink(DST);
}
