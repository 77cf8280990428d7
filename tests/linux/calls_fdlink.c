/* What proc(5) says /proc/[pid]/fd/N is: a symbolic link to the open
 * file's absolute path, for a regular file, a directory (O_DIRECTORY,
 * O_PATH), a symbolic link opened with O_PATH | O_NOFOLLOW, a device
 * and a named pipe; a rename shows the new name; a file, a named pipe or
 * a directory that lost its last name while open reads "/path
 * (deleted)"; the same through /proc/<our pid>/fd/N; realpath(3) of the
 * link gives the path.
 * Run on the host and under Lamina alike (calls.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "calls.h"

static char dir[64];

/* readlink of /proc/<who>/fd/fd is want (who: "self" or our pid). */
static int link_is(const char *who, int fd, const char *want)
{
	char link[48], got[PATH_MAX];
	long n;

	snprintf(link, sizeof link, "/proc/%s/fd/%d", who, fd);
	n = readlink(link, got, sizeof got - 1);
	if (n < 0)
		return 0;
	got[n] = 0;
	if (strcmp(got, want))
		fprintf(stderr, "calls_fdlink: %s reads \"%s\", not \"%s\"\n", link, got, want);
	return !strcmp(got, want);
}

int fd_link_is(int fd, const char *want)
{
	return link_is("self", fd, want);
}

/* the same through /proc/self and /proc/<our pid> */
static int fd_is(int fd, const char *want)
{
	char pid[16];

	snprintf(pid, sizeof pid, "%d", (int)getpid());
	return link_is("self", fd, want) && link_is(pid, fd, want);
}

/* name under the scratch directory, and " (deleted)" after it if gone */
static const char *at(const char *name, int gone)
{
	static char p[2][128];
	static int k;

	k ^= 1;
	snprintf(p[k], sizeof p[k], "%s%s%s%s", dir, name[0] ? "/" : "", name,
		 gone ? " (deleted)" : "");
	return p[k];
}

static void fdlink_files(void)
{
	char here[PATH_MAX], real[PATH_MAX], link[48];
	int f = open(at("a", 0), O_RDWR | O_CREAT | O_EXCL, 0600), d, pd, pf, rel, l, z;

	CHECK(f >= 0 && fd_is(f, at("a", 0)));
	CHECK(rename(at("a", 0), at("b", 0)) == 0 && fd_is(f, at("b", 0)));
	snprintf(link, sizeof link, "/proc/self/fd/%d", f);
	CHECK(realpath(link, real) && !strcmp(real, at("b", 0)));
	CHECK(getcwd(here, sizeof here) != 0 && chdir(dir) == 0);
	rel = open("b", O_RDONLY);
	CHECK(rel >= 0 && fd_is(rel, at("b", 0)));
	CHECK(chdir(here) == 0);
	d = open(dir, O_RDONLY | O_DIRECTORY);
	pd = open(dir, O_PATH | O_DIRECTORY);
	pf = open(at("b", 0), O_PATH);
	CHECK(d >= 0 && fd_is(d, at("", 0)) && pd >= 0 && fd_is(pd, at("", 0)));
	CHECK(pf >= 0 && fd_is(pf, at("b", 0)));
	CHECK(symlink("b", at("l", 0)) == 0);
	l = open(at("l", 0), O_PATH | O_NOFOLLOW);
	CHECK(l >= 0 && fd_is(l, at("l", 0)));
	CHECK(unlink(at("l", 0)) == 0 && fd_is(l, at("l", 1)));
	z = open("/dev/zero", O_RDONLY);
	CHECK(z >= 0 && fd_is(z, "/dev/zero"));
	close(z);
	CHECK(unlink(at("b", 0)) == 0);
	CHECK(fd_is(f, at("b", 1)) && fd_is(rel, at("b", 1)) && fd_is(pf, at("b", 1)));
	CHECK(write(f, "x", 1) == 1); /* still the file */
	close(l);
	close(pf);
	close(rel);
	close(pd);
	close(d);
	close(f);
}

/* A file replaced by a rename is deleted; one renamed over it is not. */
static void fdlink_replaced(void)
{
	int old = open(at("r", 0), O_RDWR | O_CREAT | O_EXCL, 0600);
	int new = open(at("s", 0), O_RDWR | O_CREAT | O_EXCL, 0600);

	CHECK(old >= 0 && new >= 0);
	CHECK(rename(at("s", 0), at("r", 0)) == 0);
	CHECK(fd_is(old, at("r", 1)) && fd_is(new, at("r", 0)));
	CHECK(unlink(at("r", 0)) == 0);
	close(old);
	close(new);
}

static void fdlink_fifo_and_dir(void)
{
	int p, d;

	CHECK(mkfifo(at("p", 0), 0600) == 0);
	p = open(at("p", 0), O_RDWR);
	CHECK(p >= 0 && unlink(at("p", 0)) == 0 && fd_is(p, at("p", 1)));
	close(p);
	CHECK(mkdir(at("sub", 0), 0700) == 0);
	d = open(at("sub", 0), O_RDONLY | O_DIRECTORY);
	CHECK(d >= 0 && fd_is(d, at("sub", 0)));
	CHECK(rmdir(at("sub", 0)) == 0 && fd_is(d, at("sub", 1)));
	close(d);
}

void test_fdlink(void)
{
	snprintf(dir, sizeof dir, "/tmp/calls-fdlink-%d", (int)getpid());
	if (mkdir(dir, 0700)) {
		CHECK(!"mkdir of the scratch directory");
		return;
	}
	fdlink_files();
	fdlink_replaced();
	fdlink_fifo_and_dir();
	CHECK(rmdir(dir) == 0);
}
