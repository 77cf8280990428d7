/* /proc (linux/procfs.c) and sysinfo: the files busybox ps, top, free and
 * uptime read, another process's entries (the process manager's PM_INFO),
 * and bad input: an absent pid, writes, small and bad buffers, getdents
 * on /proc. What only Lamina does (EACCES for every change, ENFILE past
 * 8 open /proc files) is checked only under Lamina: root on Linux may
 * open /proc files for writing. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "calls.h"

static int lamina;

/* The whole of a /proc file into buf (NUL-terminated): its length or -1. */
static long slurp(const char *path, char *buf, long size)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	if (fd < 0)
		return -1;
	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return n;
}

/* Field k (1-based) of a stat line, after the (comm) field, as a number. */
static long stat_field(const char *line, int k)
{
	const char *p = strrchr(line, ')');

	for (int i = 2; p && i < k; i++)
		p = strchr(p + 1, ' ');
	return p ? strtol(p + 1, 0, 10) : -1;
}

static void own_files(const char *argv0)
{
	char buf[4096], path[64], want[64];
	int words = 0;
	long n;

	CHECK(slurp("/proc/self/stat", buf, sizeof buf) > 0);
	snprintf(want, sizeof want, "%d (", getpid());
	CHECK(!strncmp(buf, want, strlen(want)));
	for (char *p = buf; *p; p++)
		words += *p == ' ';
	CHECK(words == 51 && buf[strlen(buf) - 1] == '\n'); /* 52 fields */
	CHECK(stat_field(buf, 4) == getppid() && stat_field(buf, 5) == getpgrp());
	CHECK(stat_field(buf, 6) == getsid(0) && stat_field(buf, 20) == 1); /* threads */
	CHECK(strchr(buf, ')')[2] == 'R');
	snprintf(path, sizeof path, "/proc/%d/stat", getpid());
	CHECK(slurp(path, buf, sizeof buf) > 0 && !strncmp(buf, want, strlen(want)));
	n = slurp("/proc/self/cmdline", buf, sizeof buf);
	CHECK(n > 0 && !strcmp(buf, argv0) && buf[n - 1] == 0);
	CHECK(slurp("/proc/self/status", buf, sizeof buf) > 0 && !strncmp(buf, "Name:\t", 6));
	snprintf(want, sizeof want, "\nPid:\t%d\n", getpid());
	CHECK(strstr(buf, want) && strstr(buf, "\nState:\tR (running)\n"));
	CHECK(slurp("/proc/self/comm", buf, sizeof buf) > 0 && buf[strlen(buf) - 1] == '\n');
	CHECK(slurp("/proc/self/statm", buf, sizeof buf) > 0 && strtol(buf, 0, 10) > 0);
	CHECK(slurp("/proc/meminfo", buf, sizeof buf) > 0 && !strncmp(buf, "MemTotal:", 9));
	CHECK(slurp("/proc/uptime", buf, sizeof buf) > 0 && strchr(buf, '.') && strchr(buf, ' '));
	CHECK(slurp("/proc/loadavg", buf, sizeof buf) > 0 && strchr(buf, '/'));
	CHECK(slurp("/proc/stat", buf, sizeof buf) > 0 && !strncmp(buf, "cpu ", 4));
	CHECK(slurp("/proc/mounts", buf, sizeof buf) > 0 && strstr(buf, " /proc proc "));
}

static void links(void)
{
	char buf[256], want[32];
	struct stat st;
	int fd = open("/proc/uptime", O_RDONLY);

	/* the call itself: musl's readlink turns a size of 0 into 1 */
	CHECK(syscall(SYS_readlink, "/proc/self/exe", buf, 1) == 1 && buf[0] == '/');
	FAILS(syscall(SYS_readlink, "/proc/self/exe", buf, 0), EINVAL);
	FAILS(syscall(SYS_readlink, "/proc/self", buf, -1), EINVAL);
	FAILS(syscall(SYS_readlink, "/proc/self/exe", BAD, sizeof buf), EFAULT);
	FAILS(syscall(SYS_readlinkat, -100, "/proc/self", KBAD, sizeof buf), EFAULT);
	snprintf(want, sizeof want, "%d", getpid());
	CHECK(readlink("/proc/self", buf, sizeof buf) == (long)strlen(want) &&
	      !memcmp(buf, want, strlen(want)));
	CHECK(readlink("/proc/self", buf, 1) == 1 && buf[0] == want[0]);
	FAILS(readlink("/proc/self/stat", buf, sizeof buf), EINVAL); /* not a link */
	FAILS(readlink("/proc/self/nosuch", buf, sizeof buf), ENOENT);
	snprintf(want, sizeof want, "/proc/self/fd/%d", fd);
	CHECK(fd >= 0 && readlink(want, buf, sizeof buf) == 12 && !memcmp(buf, "/proc/uptime", 12));
	FAILS(readlink("/proc/self/fd/200", buf, sizeof buf), ENOENT);
	CHECK(lstat("/proc/self", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(stat("/proc/self", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(lstat("/proc/self/exe", &st) == 0 && S_ISLNK(st.st_mode));
	/* followed: the executable, which a boot module (calls-pie) is not in
	 * the file tree */
	errno = 0;
	CHECK(stat("/proc/self/exe", &st) == 0 ? S_ISREG(st.st_mode) && st.st_size > 0
					       : errno == ENOENT);
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0444);
	CHECK(stat(want, &st) == 0 && S_ISREG(st.st_mode)); /* fd/N followed */
	close(fd);
}

static void absent_and_writes(void)
{
	struct stat st;

	FAILS(open("/proc/99999/stat", O_RDONLY), ENOENT);
	FAILS(stat("/proc/99999", &st), ENOENT);
	FAILS(open("/proc/0/stat", O_RDONLY), ENOENT);
	FAILS(open("/proc/01/stat", O_RDONLY), ENOENT);
	FAILS(open("/proc/self/nosuch", O_RDONLY), ENOENT);
	FAILS(open("/proc/nosuch", O_RDONLY), ENOENT);
	FAILS(open("/proc/uptime/x", O_RDONLY), ENOTDIR);
	FAILS(open("/proc/uptime", O_RDONLY | O_DIRECTORY), ENOTDIR);
	FAILS(open("/proc", O_WRONLY), EISDIR);
	FAILS(open(BAD, O_RDONLY), EFAULT);
	FAILS(access("/proc/uptime", X_OK), EACCES);
	CHECK(access("/proc/uptime", R_OK) == 0 && access("/proc/self/fd", X_OK) == 0);
	if (!lamina) /* root may write some of Linux's /proc */
		return;
	FAILS(open("/proc/uptime", O_WRONLY), EACCES);
	FAILS(open("/proc/self/stat", O_RDWR), EACCES);
	FAILS(open("/proc/new", O_WRONLY | O_CREAT, 0644), EACCES);
	FAILS(mkdir("/proc/x", 0755), EACCES);
	FAILS(unlink("/proc/uptime"), EACCES);
	FAILS(rename("/proc/uptime", "/tmp/u"), EACCES);
	FAILS(chmod("/proc/uptime", 0666), EACCES);
	FAILS(symlink("/x", "/proc/link"), EACCES);
	FAILS(access("/proc/uptime", W_OK), EACCES);
	/* a descriptor of /proc is read-only */
	int fd = open("/proc/uptime", O_RDONLY);
	FAILS(write(fd, "x", 1), EBADF);
	close(fd);
}

/* getdents64 on /proc: the names it lists, into seen[]. */
static int has(const char *buf, long n, const char *name)
{
	for (long off = 0; off < n;) {
		struct dirent *d = (struct dirent *)(buf + off);
		if (!strcmp(d->d_name, name))
			return 1;
		off += d->d_reclen;
	}
	return 0;
}

static void listing(void)
{
	static char buf[8192];
	char pid[16];
	int fd = open("/proc", O_RDONLY | O_DIRECTORY);
	long n;

	snprintf(pid, sizeof pid, "%d", getpid());
	CHECK(fd >= 0);
	FAILS(syscall(SYS_getdents64, fd, buf, 8), EINVAL);       /* not even one entry */
	FAILS(syscall(SYS_getdents64, fd, BAD, sizeof buf), EFAULT);
	FAILS(syscall(SYS_getdents64, 999, buf, sizeof buf), EBADF);
	n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	CHECK(n > 0 && has(buf, n, ".") && has(buf, n, "..") && has(buf, n, "self"));
	CHECK(has(buf, n, pid) && has(buf, n, "uptime") && has(buf, n, "meminfo"));
	while (syscall(SYS_getdents64, fd, buf, sizeof buf) > 0)
		;
	CHECK(syscall(SYS_getdents64, fd, buf, sizeof buf) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	CHECK(n > 0 && has(buf, n, "self"));
	FAILS(read(fd, buf, 4), EISDIR);
	/* relative to the directory descriptor */
	int f = openat(fd, "self/stat", O_RDONLY);
	CHECK(f >= 0 && read(f, buf, 4) > 0);
	close(f);
	close(fd);
	/* our descriptors, the listing's own among them */
	fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	snprintf(pid, sizeof pid, "%d", fd);
	n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	CHECK(n > 0 && has(buf, n, "0") && has(buf, n, "2") && has(buf, n, pid));
	close(fd);
	fd = open("/proc/self", O_RDONLY | O_DIRECTORY);
	n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	CHECK(n > 0 && has(buf, n, "stat") && has(buf, n, "cmdline") && has(buf, n, "fd"));
	close(fd);
}

static void offsets_and_cwd(void)
{
	char buf[256], want[64];
	int fd = open("/proc/version", O_RDONLY);
	long n = read(fd, buf, sizeof buf);

	CHECK(n > 8 && !strncmp(buf, "Linux version ", 14));
	CHECK(pread(fd, buf, 5, 6) == 5 && !memcmp(buf, "versi", 5));
	CHECK(lseek(fd, n, SEEK_SET) == n && read(fd, buf, 4) == 0);
	FAILS(lseek(fd, -1, SEEK_SET), EINVAL);
	FAILS(pread(fd, BAD, 4, 0), EFAULT);
	close(fd);
	CHECK(chdir("/proc/self") == 0);
	snprintf(want, sizeof want, "/proc/%d", getpid());
	CHECK(getcwd(buf, sizeof buf) && !strcmp(buf, want));
	fd = open("stat", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, 4) > 0);
	close(fd);
	fd = open("../../etc/passwd", O_RDONLY); /* out of /proc again */
	CHECK(fd >= 0 && read(fd, buf, 5) == 5 && !memcmp(buf, "root:", 5));
	close(fd);
	FAILS(chdir("/proc/uptime"), ENOTDIR);
	FAILS(chdir("/proc/99999"), ENOENT);
	CHECK(chdir("/") == 0 && getcwd(buf, sizeof buf) && !strcmp(buf, "/"));
	FAILS(open("stat", O_RDONLY), ENOENT); /* left /proc */
	fd = open("proc/version", O_RDONLY); /* into /proc from the root */
	CHECK(fd >= 0 && read(fd, buf, 5) == 5 && !memcmp(buf, "Linux", 5));
	close(fd);
	CHECK(chdir("/tmp") == 0);
	fd = open("./../proc/self/stat", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, 1) == 1);
	close(fd);
	CHECK(chdir("/") == 0);
}

/* The state letter of /proc/<pid>/stat of the parent, which is in (or on
 * its way to) waitid for us: 'S' once it sleeps there. Lamina says 'S'
 * for any other live process, so its first answer counts; on Linux a
 * parent not yet asleep is 'R' (runnable: on a loaded host it may not
 * have run since the fork), and only that is asked again, each time
 * after a millisecond's sleep, for at most about 20 s. */
static char parent_state(const char *path)
{
	char buf[512], *paren;
	char c = 0;

	for (int tries = 0; tries < 20000; tries++) {
		if (slurp(path, buf, sizeof buf) <= 0 || !(paren = strchr(buf, ')')))
			return 0;
		c = paren[2];
		if (lamina || c != 'R')
			break;
		usleep(1000);
	}
	return c;
}

/* Another process's entries (the process manager's record under Lamina):
 * a child reads its parent's, the parent its zombie child's. */
static void other_process(void)
{
	char mine[512], theirs[512], path[64];
	pid_t parent = getpid(), kid;
	siginfo_t si;
	int st;

	kid = fork();
	if (kid == 0) {
		int bad = 0;
		snprintf(path, sizeof path, "/proc/%d/cmdline", parent);
		long a = slurp("/proc/self/cmdline", mine, sizeof mine);
		long b = slurp(path, theirs, sizeof theirs);
		bad |= a <= 0 || a != b || memcmp(mine, theirs, a);
		snprintf(path, sizeof path, "/proc/%d/stat", parent);
		bad |= parent_state(path) != 'S';
		snprintf(path, sizeof path, "/proc/%d/exe", parent);
		bad |= readlink(path, theirs, sizeof theirs) <= 0 ? 2 : 0;
		_exit(bad);
	}
	CHECK(kid > 0);
	/* the child has ended, not yet waited for: a zombie */
	CHECK(waitid(P_PID, kid, &si, WEXITED | WNOWAIT) == 0);
	snprintf(path, sizeof path, "/proc/%d/stat", kid);
	CHECK(slurp(path, theirs, sizeof theirs) > 0 && strchr(theirs, ')')[2] == 'Z');
	CHECK(stat_field(theirs, 4) == getpid());
	snprintf(path, sizeof path, "/proc/%d/cmdline", kid);
	CHECK(slurp(path, theirs, sizeof theirs) == 0); /* a zombie's is empty */
	CHECK(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (WEXITSTATUS(st))
		fprintf(stderr, "procfs child: %d\n", WEXITSTATUS(st));
	snprintf(path, sizeof path, "/proc/%d", kid);
	FAILS(open(path, O_RDONLY), ENOENT); /* reaped: gone */
}

static void system_figures(void)
{
	struct sysinfo si;
	int fds[16], n = 0;

	CHECK(sysinfo(&si) == 0 && si.totalram > 0 && si.mem_unit == 1 && si.procs >= 1);
	CHECK(si.freeram <= si.totalram);
	FAILS(sysinfo(BAD), EFAULT);
	if (!lamina)
		return;
	/* at most 8 /proc files open at once: ENFILE, then room again */
	while (n < 16 && (fds[n] = open("/proc/uptime", O_RDONLY)) >= 0)
		n++;
	CHECK(n == 8 && errno == ENFILE);
	while (n > 0)
		close(fds[--n]);
	n = open("/proc/uptime", O_RDONLY);
	CHECK(n >= 0);
	close(n);
}

void test_procfs(const char *argv0)
{
	struct utsname u;

	lamina = uname(&u) == 0 && strstr(u.release, "lamina") != 0;
	own_files(argv0);
	links();
	absent_and_writes();
	listing();
	offsets_and_cwd();
	other_process();
	system_figures();
}
