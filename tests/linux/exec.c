/*
 * execve's tests (docs/LINUX.md, "execve"): one chain of programs in one
 * process, run as `linux -x exec-test` from the file tree (tests/tools/
 * test_busybox.py) and also on the host, chrooted in build/rootfs-tree,
 * where Linux must agree. Stages, each a fresh image:
 *
 *   exec-test          every error case returns to the caller intact
 *                      (-1, errno, memory and descriptors as they were);
 *                      then fd 10 FD_CLOEXEC, fd 11 not, and exec of
 *   exec-show-pie pie  (static-pie, from this ET_EXEC) checks argv, envp,
 *                      auxv, /proc/self/exe, the name, the descriptors;
 *                      execs the script /tmp/xt/exec-script (#!/bin/sh), which
 *                      execs /bin/exec-test back "$0" "$1";
 *   exec-test back     execs /tmp/xt/exec-arg (#!/bin/exec-show one-arg);
 *   exec-show one-arg  checks the interpreter's argv; execs /tmp/xt/l1, five
 *                      nested #! files (the most Linux 6 follows);
 *   exec-show /tmp/xt/l5  checks the nested argv, removes /tmp/xt, and
 *                      execs /bin/exec-show by descriptor (AT_EMPTY_PATH);
 *   exec-show fexec    AT_EXECFN /dev/fd/<n>, that descriptor (O_CLOEXEC)
 *                      closed; ends with status 0.
 *
 * Each failure is a line on stderr; the status is nonzero on any.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failures, ncases;
static volatile long canary = 0x1234567887654321;

#define CHECK(c) \
	((c) ? (void)0 : (void)(failures++, fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c)))

static void put(const char *path, const char *text, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	CHECK(chmod(path, mode) == 0);
}

/* execveat as a raw call: the error comes back, the caller goes on. */
static void fails(int line, long dirfd, const void *path, void *argv, void *envp, long flags,
		  int e)
{
	volatile long local = 77;
	char c;

	ncases++;
	errno = 0;
	long r = syscall(SYS_execveat, dirfd, path, argv, envp, flags);
	int got = errno;

	if (r != -1 || got != e) {
		failures++;
		fprintf(stderr, "FAIL exec.c:%d: execve = %ld errno %d (%s), expected %d (%s)\n", line,
			r, got, strerror(got), e, strerror(e));
	}
	CHECK(canary == 0x1234567887654321 && local == 77);
	CHECK(pread(11, &c, 1, 0) == 1 && c == 'r'); /* fd 11: /etc/passwd, "root:..." */
}
#define FAILS(dirfd, path, argv, envp, flags, e) fails(__LINE__, dirfd, path, argv, envp, flags, e)

static void errors(void)
{
	static char *argv[] = { "x", 0 };
	static char *bad_argv[] = { "x", (char *)16, 0 };
	static char longpath[5000];
	char *big = malloc(200 << 10);
	char *big_argv[] = { "x", big, 0 };
	int fd;

	memset(longpath, 'a', sizeof longpath - 1);
	longpath[0] = '/';
	mkdir("/tmp/xt", 0755); /* exec-show's last stage removes it */
	memset(big, 'b', (200 << 10) - 1);
	big[(200 << 10) - 1] = 0;
	put("/tmp/xt/noexec", "hello\n", 0755);
	put("/tmp/xt/badelf", "\177ELF garbage that is no header", 0755);
	put("/tmp/xt/nointerp", "#!/nonexistent/interp\n", 0755);
	put("/tmp/xt/emptyinterp", "#!   \n", 0755);
	put("/tmp/xt/noxscript", "#!/bin/sh\necho no\n", 0644);
	put("/tmp/xt/l0", "#!/tmp/xt/l1\n", 0755); /* l0 .. l5: six #! files */
	put("/tmp/xt/l1", "#!/tmp/xt/l2\n", 0755);
	put("/tmp/xt/l2", "#!/tmp/xt/l3\n", 0755);
	put("/tmp/xt/l3", "#!/tmp/xt/l4\n", 0755);
	put("/tmp/xt/l4", "#!/tmp/xt/l5\n", 0755);
	put("/tmp/xt/l5", "#!/bin/exec-show\n", 0755);
	unlink("/tmp/xt/loop");
	CHECK(symlink("/tmp/xt/loop", "/tmp/xt/loop") == 0);

	FAILS(AT_FDCWD, "/nonexistent", argv, 0, 0, ENOENT);
	FAILS(AT_FDCWD, "", argv, 0, 0, ENOENT);
	FAILS(AT_FDCWD, "/etc/passwd/x", argv, 0, 0, ENOTDIR);
	FAILS(AT_FDCWD, "/etc/passwd", argv, 0, 0, EACCES);   /* no x bit */
	FAILS(AT_FDCWD, "/tmp", argv, 0, 0, EACCES);          /* a directory */
	FAILS(AT_FDCWD, "/dev/null", argv, 0, 0, EACCES);     /* not a regular file */
	FAILS(AT_FDCWD, "/tmp/xt/noxscript", argv, 0, 0, EACCES);
	FAILS(AT_FDCWD, "/tmp/xt/noexec", argv, 0, 0, ENOEXEC);
	FAILS(AT_FDCWD, "/tmp/xt/badelf", argv, 0, 0, ENOEXEC);
	FAILS(AT_FDCWD, "/tmp/xt/nointerp", argv, 0, 0, ENOENT);
	FAILS(AT_FDCWD, "/tmp/xt/emptyinterp", argv, 0, 0, ENOEXEC);
	FAILS(AT_FDCWD, "/tmp/xt/loop", argv, 0, 0, ELOOP);
	FAILS(AT_FDCWD, "/tmp/xt/l0", argv, 0, 0, ELOOP);        /* six levels */
	FAILS(AT_FDCWD, longpath, argv, 0, 0, ENAMETOOLONG);
	FAILS(AT_FDCWD, (void *)16, argv, 0, 0, EFAULT);
	FAILS(AT_FDCWD, "/bin/exec-show", (void *)16, 0, 0, EFAULT);
	FAILS(AT_FDCWD, "/bin/exec-show", bad_argv, 0, 0, EFAULT);
	FAILS(AT_FDCWD, "/bin/exec-show", argv, (void *)16, 0, EFAULT);
	FAILS(AT_FDCWD, "/bin/exec-show", big_argv, 0, 0, E2BIG);
	FAILS(AT_FDCWD, "/bin/sh", argv, 0, AT_SYMLINK_NOFOLLOW, ELOOP);
	FAILS(AT_FDCWD, "/bin/exec-show", argv, 0, 0x8000, EINVAL);
	FAILS(11, "", argv, 0, AT_EMPTY_PATH, EACCES);         /* /etc/passwd: no x bit */
	FAILS(99, "exec-show", argv, 0, 0, EBADF);
	fd = open("/bin", O_RDONLY | O_DIRECTORY);
	FAILS(fd, "nonexistent", argv, 0, 0, ENOENT);
	close(fd);
	free(big);
}

static void first(void)
{
	char *argv[] = { "exec-show-pie", "pie", "arg two", "", 0 };
	char *envp[] = { "LX_EXEC=1", "EMPTY=", 0 };
	int fd = open("/etc/passwd", O_RDONLY);

	CHECK(dup2(fd, 11) == 11);
	CHECK(dup2(fd, 10) == 10);
	CHECK(fcntl(10, F_SETFD, FD_CLOEXEC) == 0);
	close(fd);
	errors();
	if (failures)
		exit(failures);
	printf("exec-test: %d error cases returned to the caller\n", ncases);
	fflush(stdout);
	execve("/bin/exec-show-pie", argv, envp);
	fprintf(stderr, "FAIL exec-show-pie: %s\n", strerror(errno));
	exit(1);
}

int main(int argc, char **argv, char **envp)
{
	if (argc == 4 && !strcmp(argv[1], "back")) {
		char *next[] = { "exec-arg", "p1", 0 };
		char *env[] = { "STAGE=3", 0 };

		CHECK(!strcmp(argv[0], "/bin/exec-test"));
		CHECK(!strcmp(argv[2], "/tmp/xt/exec-script") && !strcmp(argv[3], "a1"));
		CHECK(fcntl(11, F_GETFD) == 0 && fcntl(10, F_GETFD) == -1 && errno == EBADF);
		printf("exec-test: back from the script: %s %s\n", argv[2], argv[3]);
		fflush(stdout);
		if (failures)
			return failures;
		put("/tmp/xt/exec-arg", "#!/bin/exec-show  one-arg  \n", 0755);
		execve("/tmp/xt/exec-arg", next, env);
		fprintf(stderr, "FAIL exec-arg: %s\n", strerror(errno));
		return 1;
	}
	if (argc != 1) {
		fprintf(stderr, "FAIL exec-test: unexpected argv[1] %s\n", argv[1]);
		return 1;
	}
	first();
	return 1;
}
