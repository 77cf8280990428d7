/* Named pipes, as fifo(7), mknod(2) and open(2) have them: mknod and
 * mknodat make a FIFO (or a regular file) with the umask applied, and
 * refuse what they must; opening one end with O_NONBLOCK and no peer
 * (a reader succeeds, a writer is ENXIO); O_RDWR never waits; a reader
 * sees POLLHUP only once a writer came and went; the bytes go with the
 * last descriptor; getdents says DT_FIFO; an unlinked FIFO keeps working
 * for those that hold it; readlink of /proc/self/fd/N gives a FIFO's
 * path, an anonymous pipe's pipe:[ino]; and blocking opens of the two ends meet
 * across processes, in either order, with a killed opener leaving no end
 * behind. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "calls.h"

static char dir[64], path[96];

static short revents(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };

	return syscall(SYS_poll, &p, 1, 0) == 1 ? p.revents : 0;
}

static int has_fifo_entry(const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (!strcmp(e->d_name, name))
			found = e->d_type == DT_FIFO;
	closedir(d);
	return found;
}

static void fifo_make(void)
{
	struct stat st;
	char other[112];
	struct utsname u;
	int lamina = !uname(&u) && strstr(u.release, "lamina") != NULL;
	mode_t old = umask(022);

	CHECK(syscall(SYS_mknod, path, S_IFIFO | 0666, 0) == 0);
	CHECK(stat(path, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0644 &&
	      st.st_nlink == 1 && st.st_size == 0);
	CHECK(has_fifo_entry("f"));
	CHECK(mkfifo(path, 0600) == -1 && errno == EEXIST);
	CHECK(syscall(SYS_mknodat, AT_FDCWD, path, S_IFIFO | 0600, 0) == -1 && errno == EEXIST);
	snprintf(other, sizeof other, "%s/reg", dir);
	CHECK(syscall(SYS_mknod, other, 0640, 0) == 0); /* type 0: a regular file */
	CHECK(stat(other, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640);
	CHECK(unlink(other) == 0);
	CHECK(syscall(SYS_mknod, other, S_IFDIR | 0700, 0) == -1 && errno == EPERM);
	CHECK(syscall(SYS_mknod, other, 0170000 | 0700, 0) == -1 && errno == EINVAL);
	if (lamina) /* a device node: EPERM here, made on a host running as root */
		CHECK(syscall(SYS_mknod, other, S_IFCHR | 0600, 0x103) == -1 && errno == EPERM);
	snprintf(other, sizeof other, "%s/none/f", dir);
	CHECK(mkfifo(other, 0600) == -1 && errno == ENOENT);
	CHECK(mkfifo(BAD, 0600) == -1 && errno == EFAULT);
	umask(old);
}

static void fifo_one_process(void)
{
	char buf[8];
	int r, w, rw;

	/* a writer with O_NONBLOCK and no reader: ENXIO; a reader never waits with it */
	CHECK(open(path, O_WRONLY | O_NONBLOCK) == -1 && errno == ENXIO);
	r = open(path, O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0);
	CHECK(read(r, buf, sizeof buf) == 0);               /* no writer: end of file */
	CHECK(revents(r, POLLIN) == 0);                     /* no POLLHUP before a writer came */
	w = open(path, O_WRONLY | O_NONBLOCK);
	CHECK(w >= 0);
	CHECK(read(r, buf, sizeof buf) == -1 && errno == EAGAIN);
	CHECK(write(w, "abc", 3) == 3);
	CHECK(revents(r, POLLIN) == POLLIN);
	CHECK(read(r, buf, sizeof buf) == 3 && !memcmp(buf, "abc", 3));
	CHECK(lseek(r, 0, SEEK_SET) == -1 && errno == ESPIPE);
	CHECK(write(w, "de", 2) == 2);
	close(w);
	CHECK(revents(r, POLLIN) == (POLLIN | POLLHUP));    /* the writer went: bytes, then HUP */
	CHECK(read(r, buf, sizeof buf) == 2 && !memcmp(buf, "de", 2));
	CHECK(read(r, buf, sizeof buf) == 0);
	close(r);

	/* O_RDWR: never waits, reads what it wrote */
	rw = open(path, O_RDWR);
	CHECK(rw >= 0);
	CHECK(revents(rw, POLLIN | POLLOUT) == POLLOUT);
	CHECK(write(rw, "xyz", 3) == 3);
	CHECK(revents(rw, POLLIN | POLLOUT) == (POLLIN | POLLOUT));
	CHECK(read(rw, buf, 2) == 2 && !memcmp(buf, "xy", 2));
	close(rw);
	/* the last descriptor went: the byte left ("z") went with it */
	rw = open(path, O_RDWR | O_NONBLOCK);
	CHECK(rw >= 0);
	CHECK(read(rw, buf, sizeof buf) == -1 && errno == EAGAIN);

	/* unlinked while open: still a pipe for those that hold it */
	CHECK(unlink(path) == 0);
	CHECK(access(path, F_OK) == -1 && errno == ENOENT);
	CHECK(write(rw, "q", 1) == 1);
	CHECK(read(rw, buf, sizeof buf) == 1 && buf[0] == 'q');
	close(rw);
	CHECK(mkfifo(path, 0600) == 0);
}

/* readlink of /proc/self/fd/N (fd_link_is, calls_fdlink.c): a FIFO's
 * path (its name now, after a rename; absolute, from a relative open),
 * an anonymous pipe's "pipe:[ino]". */
static void fifo_fd_link(void)
{
	char moved[112], want[48];
	int rw = open(path, O_RDWR), p[2], here = open(".", O_RDONLY | O_DIRECTORY), rel;
	struct stat st;

	CHECK(rw >= 0 && here >= 0);
	CHECK(fd_link_is(rw, path));
	snprintf(moved, sizeof moved, "%s/g", dir);
	CHECK(rename(path, moved) == 0);
	CHECK(fd_link_is(rw, moved));
	CHECK(rename(moved, path) == 0);
	CHECK(chdir(dir) == 0);
	rel = open("f", O_RDONLY | O_NONBLOCK);
	CHECK(rel >= 0 && fd_link_is(rel, path));
	CHECK(fchdir(here) == 0);
	close(rel);
	close(here);
	close(rw);
	CHECK(pipe(p) == 0 && fstat(p[0], &st) == 0);
	snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)st.st_ino);
	CHECK(fd_link_is(p[0], want) && fd_link_is(p[1], want));
	close(p[0]);
	close(p[1]);
}

/* A child opens one end without O_NONBLOCK, the parent the other: each
 * open waits for the other's, whichever comes first. */
static void fifo_meet(int child_writes)
{
	char buf[16];
	int status = -1, fd;
	long n;
	pid_t pid = fork();

	if (pid == 0) {
		fd = open(path, child_writes ? O_WRONLY : O_RDONLY);
		if (fd < 0)
			_exit(10);
		if (child_writes)
			_exit(write(fd, "hello", 5) == 5 ? 0 : 11);
		n = read(fd, buf, sizeof buf);
		_exit(n == 5 && !memcmp(buf, "hello", 5) && read(fd, buf, 1) == 0 ? 0 : 12);
	}
	CHECK(pid > 0);
	if (pid < 0)
		return;
	fd = open(path, child_writes ? O_RDONLY : O_WRONLY);
	CHECK(fd >= 0);
	if (child_writes) {
		n = read(fd, buf, sizeof buf);
		CHECK(n == 5 && !memcmp(buf, "hello", 5));
		CHECK(read(fd, buf, 1) == 0); /* the child's end closed at its exit */
	} else {
		CHECK(write(fd, "hello", 5) == 5);
	}
	close(fd);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A child killed while it opens (or before it did) leaves no reader. */
static void fifo_killed_opener(void)
{
	int status = -1, p[2], fd;
	char c;
	pid_t pid;

	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		close(p[1]); /* the parent's read of p sees this: we are about to open */
		open(path, O_RDONLY); /* waits for a writer that never comes */
		_exit(13);
	}
	CHECK(pid > 0);
	if (pid < 0)
		return;
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 0);
	close(p[0]);
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	fd = open(path, O_WRONLY | O_NONBLOCK);
	CHECK(fd == -1 && errno == ENXIO);
	if (fd >= 0)
		close(fd);
}

/* A writer whose reader went: EPIPE (SIGPIPE ignored here). */
static void fifo_epipe(void)
{
	int r = open(path, O_RDONLY | O_NONBLOCK), w = open(path, O_WRONLY | O_NONBLOCK);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	CHECK(r >= 0 && w >= 0);
	close(r);
	CHECK(revents(w, POLLOUT) == (POLLOUT | POLLERR));
	CHECK(write(w, "x", 1) == -1 && errno == EPIPE);
	close(w);
	signal(SIGPIPE, old);
}

void test_fifo(void)
{
	snprintf(dir, sizeof dir, "/tmp/calls-fifo-%d", (int)getpid());
	snprintf(path, sizeof path, "%s/f", dir);
	if (mkdir(dir, 0700)) {
		CHECK(!"mkdir of the scratch directory");
		return;
	}
	fifo_make();
	fifo_one_process();
	fifo_fd_link();
	fifo_meet(1);
	fifo_meet(0);
	fifo_killed_opener();
	fifo_epipe();
	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);
}
