/* Advisory locks, as flock(2) and fcntl(2) have them. flock: owned by the
 * open file description (two opens conflict, a dup or a fork child shares
 * it, its last close releases it), LOCK_NB's EWOULDBLOCK, a conversion, a
 * blocked flock woken by the unlock. fcntl's POSIX locks: owned by the
 * process (a fork child conflicts; its own never do), byte ranges split
 * and merged, F_GETLK's report (type, range, pid), EAGAIN, EBADF for the
 * wrong access mode, EINVAL for bad types and ranges, released by the
 * close of any descriptor of the file and at exit, a deadlock of two
 * processes found (EDEADLK for exactly one of them). OFD locks: owned by
 * the description, conflicting with POSIX ones, l_pid -1, outliving the
 * child that made them. Under Lamina, the bound on the locks a process
 * holds, which a dead process's pid does not keep. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "calls.h"

static char path[64];

static int lk(int fd, int cmd, short type, short whence, long start, long len)
{
	struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };

	return (int)syscall(SYS_fcntl, fd, cmd, &fl);
}

/* What F_GETLK says of [start, start + len): the type, and *pid etc. */
static int getlk(int fd, int cmd, short type, long start, long len, long *ostart, long *olen,
		 int *pid)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	if (syscall(SYS_fcntl, fd, cmd, &fl))
		return -1;
	*ostart = fl.l_start;
	*olen = fl.l_len;
	*pid = fl.l_pid;
	return fl.l_type;
}

/* Run f in a child; its exit status (0: every check there held). */
static int in_child(int (*f)(int), int arg)
{
	int st = -1;
	pid_t pid = fork();

	if (pid == 0)
		_exit(f(arg));
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

static void flocks(void)
{
	int a = open(path, O_RDONLY), b = open(path, O_RDONLY), c;
	int st = -1, p[2];
	char ch;
	pid_t pid;

	CHECK(a >= 0 && b >= 0);
	CHECK(flock(a, LOCK_SH) == 0);
	CHECK(flock(b, LOCK_SH | LOCK_NB) == 0);          /* readers share */
	CHECK(flock(b, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK);
	CHECK(flock(a, LOCK_UN) == 0);
	CHECK(flock(b, LOCK_EX | LOCK_NB) == 0);          /* a conversion */
	CHECK(flock(a, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK);
	c = dup(b);
	CHECK(flock(c, LOCK_EX | LOCK_NB) == 0);          /* the same description */
	close(b);
	CHECK(flock(a, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK); /* c still holds it */
	close(c);                                         /* its last descriptor */
	CHECK(flock(a, LOCK_EX | LOCK_NB) == 0);
	CHECK(flock(a, 0) == -1 && errno == EINVAL);
	CHECK(flock(a, LOCK_SH | LOCK_EX) == -1 && errno == EINVAL);
	CHECK(flock(a, 64) == -1 && errno == EINVAL);
	CHECK(flock(-1, LOCK_SH) == -1 && errno == EBADF);
	CHECK(flock(999, LOCK_SH) == -1 && errno == EBADF);

	/* a child that waits for a's lock gets it once the parent lets go */
	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		int d = open(path, O_RDONLY);

		close(p[0]);
		close(p[1]); /* the parent's read sees it: about to lock */
		_exit(d >= 0 && flock(d, LOCK_EX) == 0 ? 0 : 1);
	}
	close(p[1]);
	CHECK(read(p[0], &ch, 1) == 0);
	close(p[0]);
	CHECK(flock(a, LOCK_UN) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the child's lock went with its exit */
	CHECK(flock(a, LOCK_EX | LOCK_NB) == 0);
	close(a);
}

static int fd_parent; /* the parent's read-write descriptor, for the children */

/* In a child: what the parent's locks look like from another process. */
static int child_sees(int ppid)
{
	int fd = open(path, O_RDWR), bad = 0, pid;
	long s, l;

	bad |= fd < 0;
	/* the parent holds a write lock on [0, 40) and [60, 100), a read lock on [100, 120) */
	bad |= getlk(fd, F_GETLK, F_WRLCK, 50, 1, &s, &l, &pid) != F_UNLCK;
	bad |= getlk(fd, F_GETLK, F_RDLCK, 39, 2, &s, &l, &pid) != F_WRLCK || s != 0 || l != 40 ||
	       pid != ppid;
	bad |= (getlk(fd, F_GETLK, F_RDLCK, 60, 1, &s, &l, &pid) != F_WRLCK || s != 60 || l != 40) << 1;
	bad |= (getlk(fd, F_GETLK, F_RDLCK, 100, 5, &s, &l, &pid) != F_UNLCK) << 2;  /* readers share */
	bad |= (getlk(fd, F_GETLK, F_WRLCK, 110, 0, &s, &l, &pid) != F_RDLCK) << 2;
	bad |= (lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 45, 10) != 0) << 3;      /* the gap is free */
	bad |= (lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 30, 20) != -1 || (errno != EAGAIN && errno != EACCES)) << 4;
	bad |= (lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 100, 20) != 0) << 5;
	bad |= (lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1) != -1 || errno != EAGAIN) << 6;
	return bad;
}

/* In a child: the parent's locks went (it closed another descriptor). */
static int child_all_free(int unused)
{
	int fd = open(path, O_RDWR);
	long s, l;
	int pid;

	return fd < 0 || getlk(fd, F_GETLK, F_WRLCK, 0, 0, &s, &l, &pid) != F_UNLCK;
}

static void posix_locks(void)
{
	int fd = open(path, O_RDWR), other, ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
	long s, l;
	int pid;

	fd_parent = fd;
	CHECK(fd >= 0 && ro >= 0 && wo >= 0);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100) == 0);
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 20) == 0);   /* split: [0,40) and [60,100) */
	CHECK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 100, 20) == 0);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 5) == 0);    /* its own: no conflict */
	/* its own locks never conflict: F_GETLK of its own range is free */
	CHECK(getlk(fd, F_GETLK, F_WRLCK, 0, 0, &s, &l, &pid) == F_UNLCK);
	CHECK(in_child(child_sees, getpid()) == 0);
	/* the child's locks went with it */
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 45, 10) == 0);
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 45, 10) == 0);
	/* access mode, types, ranges */
	CHECK(lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 200, 1) == -1 && errno == EBADF);
	CHECK(lk(wo, F_SETLK, F_RDLCK, SEEK_SET, 200, 1) == -1 && errno == EBADF);
	CHECK(lk(fd, F_SETLK, 7, SEEK_SET, 0, 1) == -1 && errno == EINVAL);
	CHECK(lk(fd, F_SETLK, F_WRLCK, 9, 0, 1) == -1 && errno == EINVAL);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1) == -1 && errno == EINVAL);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -10) == -1 && errno == EINVAL);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0x7fffffffffffff00l, 0x1000) == -1 && errno == EOVERFLOW);
	CHECK(lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_fcntl, fd, F_SETLK, BAD) == -1 && errno == EFAULT);
	CHECK(lk(-1, F_SETLK, F_RDLCK, SEEK_SET, 0, 1) == -1 && errno == EBADF);
	/* closing any descriptor of the file drops the process's POSIX locks */
	other = open(path, O_RDONLY);
	CHECK(other >= 0);
	close(other);
	CHECK(in_child(child_all_free, 0) == 0);
	close(ro);
	close(wo);
	close(fd);
}

static void ofd_locks(void)
{
	int a = open(path, O_RDWR), b = open(path, O_RDWR);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10,
			    .l_pid = 1 };
	long s, l;
	int pid;

	CHECK(a >= 0 && b >= 0);
	CHECK(syscall(SYS_fcntl, a, F_OFD_SETLK, &fl) == -1 && errno == EINVAL); /* l_pid not 0 */
	CHECK(lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0);
	/* two descriptions of one process conflict */
	CHECK(lk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1) == -1 && errno == EAGAIN);
	CHECK(getlk(b, F_OFD_GETLK, F_RDLCK, 0, 0, &s, &l, &pid) == F_WRLCK && s == 0 && l == 10 &&
	      pid == -1);
	/* and with the process's own POSIX lock */
	CHECK(lk(b, F_SETLK, F_RDLCK, SEEK_SET, 5, 1) == -1 && (errno == EAGAIN || errno == EACCES));
	close(a);  /* the description went: its lock with it */
	CHECK(lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0) == 0);
	close(b);
}

/* Two processes each hold a byte and want the other's: one of them is
 * told EDEADLK, the other gets its lock when that one gives up. */
static void deadlock(void)
{
	int fd = open(path, O_RDWR), st = -1, p[2], mine, r;
	char ch;
	pid_t pid;

	CHECK(fd >= 0 && pipe(p) == 0);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0);
	pid = fork();
	if (pid == 0) {
		int cfd = open(path, O_RDWR), rr;

		close(p[0]);
		rr = lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1);
		close(p[1]); /* holds byte 1 now */
		if (rr)
			_exit(20);
		rr = lk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
		if (rr == -1 && errno == EDEADLK)
			_exit(1);  /* it was this one: exit drops byte 1 */
		_exit(rr == 0 ? 0 : 21);
	}
	close(p[1]);
	CHECK(read(p[0], &ch, 1) == 0);
	close(p[0]);
	r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1);
	mine = r == -1 && errno == EDEADLK;
	if (mine) /* the parent was told: it lets go of byte 0 for the child */
		CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1) == 0);
	else
		CHECK(r == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	/* exactly one was told */
	CHECK(mine ? WEXITSTATUS(st) == 0 : WEXITSTATUS(st) == 1);
	close(fd);
}

/* Lamina's file server lets a process make at most 16 locks (ENOLCK
 * past that, docs/LINUX.md), so that no process takes what others could
 * lock; an unlock that splits nothing always goes through, and another
 * process is not held back by the first one's locks. */
static int child_locks_one(int unused)
{
	int fd = open(path, O_RDWR);

	return fd < 0 || lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1000, 1) != 0;
}

static void lock_quota(void)
{
	struct utsname u;
	int fd = open(path, O_RDWR), n = 0;

	if (uname(&u) || !strstr(u.release, "lamina") || fd < 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (n < 40 && lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 2 * n, 1) == 0)
		n++;
	CHECK(n == 16 && errno == ENOLCK);
	CHECK(in_child(child_locks_one, 0) == 0);
	CHECK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0) == 0);
	CHECK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100) == 0);
	close(fd);
}

/* A description's locks outlive the child that made them (the parent
 * still holds it) and go with its last close. Under Lamina they count
 * against the bound of every process holding the description, the
 * parent too, and not against the dead child's pid: the next process
 * with that pid (pids are handed out round the table) still makes its
 * 16. */
static int child_ofd_locks(int fd)
{
	int n = 0;

	while (n < 40 && lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 2000 + 2 * n, 1) == 0)
		n++;
	return n == 40 ? 0 : n == 16 && errno == ENOLCK ? 0 : 1;
}

static int child_on_reused_pid(int fd)
{
	int mine = open(path, O_RDWR), n = 0;

	close(fd); /* holds none of the description's locks */
	while (mine >= 0 && n < 16 && lk(mine, F_SETLK, F_WRLCK, SEEK_SET, 3000 + 2 * n, 1) == 0)
		n++;
	return n == 16 ? 0 : 1;
}

static void locks_outlive_their_maker(void)
{
	struct utsname u;
	int lamina = !uname(&u) && strstr(u.release, "lamina"), st = -1;
	int fd = open(path, O_RDWR), other = open(path, O_RDWR), maker, n;
	pid_t pid;

	CHECK(fd >= 0 && other >= 0);
	maker = fork();
	if (maker == 0)
		_exit(child_ofd_locks(fd));
	CHECK(maker > 0 && waitpid(maker, &st, 0) == maker && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(lk(other, F_OFD_SETLK, F_RDLCK, SEEK_SET, 2000, 1) == -1 && errno == EAGAIN);
	if (lamina) {
		/* the parent holds the description: charged its 16 locks */
		CHECK(lk(other, F_SETLK, F_WRLCK, SEEK_SET, 5000, 1) == -1 && errno == ENOLCK);
		for (n = 0, st = -1; n < 200; n++) {
			pid = fork();
			if (pid == 0)
				_exit(getpid() == maker ? child_on_reused_pid(fd) : 99);
			if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
			    WEXITSTATUS(st) != 99)
				break;
		}
		CHECK(pid == maker && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	close(fd); /* the description's last close: its locks go */
	CHECK(lk(other, F_OFD_SETLK, F_WRLCK, SEEK_SET, 2000, 40) == 0);
	for (n = 0; n < 15; n++)
		CHECK(lk(other, F_SETLK, F_WRLCK, SEEK_SET, 5000 + 2 * n, 1) == 0);
	close(other);
}

void test_lock(void)
{
	int fd;

	snprintf(path, sizeof path, "/tmp/calls-lock-%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, "0123456789", 10) == 10);
	close(fd);
	flocks();
	posix_locks();
	ofd_locks();
	deadlock();
	lock_quota();
	locks_outlive_their_maker();
	CHECK(unlink(path) == 0);
}
