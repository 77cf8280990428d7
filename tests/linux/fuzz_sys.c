/*
 * Is the system still whole? The checks the fuzzer (fuzz.c) and the
 * hostile-request test (hostile_srv.c) run after each round of abuse:
 * each shared server still serves this process correctly, and what it
 * kept for this process before the round is unchanged.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	chmod(p, 0700);
	remove(p);
	return 0;
}

void fz_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void fz_sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&t, 0);
}

int fz_wait_bounded(int pid, long ms, int *status)
{
	int r;
	for (long t = 0; (r = waitpid(pid, status, WNOHANG)) == 0 && t < ms; t += 5)
		fz_sleep_ms(5);
	return r;
}

void fz_ignore_signals(void)
{
	/* raw rt_sigaction: musl's refuses its own 32..34 */
	long ign[4] = { (long)SIG_IGN, 0, 0, 0 };
	for (long sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGALRM && sig != SIGSEGV &&
		    sig != SIGBUS && sig != SIGILL && sig != SIGFPE && sig != SIGTRAP &&
		    sig != SIGSYS && sig != SIGABRT)
			syscall(SYS_rt_sigaction, sig, ign, 0, 8);
}

static char top[64], passwd[4096];
static const char keep_text[] = "the parent's file: the abusing children never name it\n";
static int held[2], console_ok, ppid0;

static int slurp(const char *path, char *buf, int n)
{
	int fd = open(path, O_RDONLY), got = 0, r;
	if (fd < 0)
		return -1;
	while (got < n - 1 && (r = read(fd, buf + got, n - 1 - got)) > 0)
		got += r;
	close(fd);
	buf[got] = 0;
	return got;
}

int fz_sys_init(const char *dir)
{
	char path[96];
	snprintf(top, sizeof top, "%s", dir);
	ppid0 = getppid();
	snprintf(path, sizeof path, "%s/keep", top);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, keep_text, strlen(keep_text)) != (long)strlen(keep_text))
		return -1;
	close(fd);
	slurp("/etc/passwd", passwd, sizeof passwd);
	if (pipe(held) != 0)
		return -1;
	fd = open("/dev/console", O_RDWR | O_NOCTTY | O_NONBLOCK);
	console_ok = fd >= 0 && isatty(fd);
	if (fd >= 0)
		close(fd);
	return 0;
}

#define SYS_CHECK(c) ((c) ? (void)0 : (fail(#c), (void)bad++))

int fz_sys_check(void (*fail)(const char *what))
{
	char path[96], buf[4096];
	struct timespec t0, t1;
	int bad = 0, status = -1, fd, q[2];
	struct stat sb;

	/* the process manager: ids, fork and wait */
	SYS_CHECK(getppid() == ppid0);
	int p = fork();
	if (p == 0)
		_exit(42);
	SYS_CHECK(p > 0 && fz_wait_bounded(p, 10000, &status) == p && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 42);
	SYS_CHECK(getpgid(0) > 0 && getsid(0) > 0 && kill(getpid(), 0) == 0);

	/* the file server: what it kept, a new file, pipes old and new */
	snprintf(path, sizeof path, "%s/keep", top);
	SYS_CHECK(slurp(path, buf, sizeof buf) >= 0 && strcmp(buf, keep_text) == 0);
	SYS_CHECK(slurp("/etc/passwd", buf, sizeof buf) >= 0 && strcmp(buf, passwd) == 0);
	snprintf(path, sizeof path, "%s/new", top);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	SYS_CHECK(fd >= 0 && write(fd, "fresh", 5) == 5 && lseek(fd, 0, SEEK_SET) == 0 &&
		  read(fd, buf, 10) == 5 && memcmp(buf, "fresh", 5) == 0);
	close(fd);
	SYS_CHECK(unlink(path) == 0 && access(path, F_OK) != 0);
	SYS_CHECK(write(held[1], "held", 4) == 4 && read(held[0], buf, 10) == 4 &&
		  memcmp(buf, "held", 4) == 0);
	SYS_CHECK(pipe(q) == 0 && write(q[1], "pipe", 4) == 4 && read(q[0], buf, 10) == 4);
	close(q[0]), close(q[1]);
	SYS_CHECK(stat("/dev/null", &sb) == 0 && S_ISCHR(sb.st_mode) && (sb.st_mode & 0666) == 0666);

	/* the timer server: a short sleep ends, after its time */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	SYS_CHECK(nanosleep(&(struct timespec){ 0, 2000000 }, 0) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	SYS_CHECK((t1.tv_sec - t0.tv_sec) * 1000000000l + t1.tv_nsec - t0.tv_nsec >= 2000000);

	/* the console, /proc */
	if (console_ok) {
		fd = open("/dev/console", O_RDWR | O_NOCTTY | O_NONBLOCK);
		SYS_CHECK(fd >= 0 && isatty(fd));
		close(fd);
	}
	snprintf(path, sizeof path, "%d ", getpid());
	SYS_CHECK(slurp("/proc/self/stat", buf, sizeof buf) > 0 && strncmp(buf, path, strlen(path)) == 0);
	SYS_CHECK(slurp("/proc/meminfo", buf, sizeof buf) > 0 && strncmp(buf, "MemTotal:", 9) == 0);
	return bad;
}
