/* Every implemented call that takes a pointer, given pointers the program
 * does not own: page 0, the kernel half, (under Lamina) the personality's
 * own image, and, for pointers the call writes through, a read-only page.
 * Each must fail with EFAULT and the program must go on. */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include "calls.h"

#define ARCH_GET_FS 0x1003
#define PR_GET_NAME 16

/* One call with its pointer argument at index `at`; `out` when the call
 * writes through it. */
struct pcall {
	const char *name;
	long nr, args[6];
	int at, out;
};

void test_efault(void)
{
	static struct iovec iov = { 0, 1 };
	static const struct timespec zero_ts = { 0, 0 };
	unsigned long set = 0;
	const struct pcall calls[] = {
		{ "write", SYS_write, { 1, 0, 1 }, 1, 0 },
		{ "read", SYS_read, { 0, 0, 1 }, 1, 1 },
		{ "writev", SYS_writev, { 1, 0, 1 }, 1, 0 },
		{ "readv", SYS_readv, { 0, 0, 1 }, 1, 0 },
		{ "fstat", SYS_fstat, { 1, 0 }, 1, 1 },
		{ "newfstatat path", SYS_newfstatat, { -100, 0, 0, 0 }, 1, 0 },
		{ "newfstatat buf", SYS_newfstatat, { 1, (long)"", 0, 0x1000 }, 2, 1 },
		{ "rt_sigaction act", SYS_rt_sigaction, { SIGUSR1, 0, 0, 8 }, 1, 0 },
		{ "rt_sigaction old", SYS_rt_sigaction, { SIGUSR1, 0, 0, 8 }, 2, 1 },
		{ "rt_sigprocmask set", SYS_rt_sigprocmask, { SIG_BLOCK, 0, 0, 8 }, 1, 0 },
		{ "rt_sigprocmask old", SYS_rt_sigprocmask, { SIG_BLOCK, (long)&set, 0, 8 }, 2, 1 },
		{ "sigaltstack new", SYS_sigaltstack, { 0, 0 }, 0, 0 },
		{ "sigaltstack old", SYS_sigaltstack, { 0, 0 }, 1, 1 },
		{ "nanosleep", SYS_nanosleep, { 0, 0 }, 0, 0 },
		{ "poll", SYS_poll, { 0, 1, 0 }, 0, 1 },
		{ "ppoll", SYS_ppoll, { 0, 1, (long)&zero_ts, 0, 8 }, 0, 1 },
		{ "ppoll timeout", SYS_ppoll, { 0, 0, 0, 0, 8 }, 2, 0 },
		{ "clock_nanosleep", SYS_clock_nanosleep, { CLOCK_MONOTONIC, 0, 0, 0 }, 2, 0 },
		{ "clock_gettime", SYS_clock_gettime, { CLOCK_REALTIME, 0 }, 1, 1 },
		{ "clock_getres", SYS_clock_getres, { CLOCK_REALTIME, 0 }, 1, 1 },
		{ "gettimeofday", SYS_gettimeofday, { 0, 0 }, 0, 1 },
		{ "gettimeofday tz", SYS_gettimeofday, { 0, 0 }, 1, 1 },
		{ "time", SYS_time, { 0 }, 0, 1 },
		{ "uname", SYS_uname, { 0 }, 0, 1 },
		{ "getrandom", SYS_getrandom, { 0, 8, 0 }, 0, 1 },
		{ "prlimit64 new", SYS_prlimit64, { 0, 3, 0, 0 }, 2, 0 },
		{ "prlimit64 old", SYS_prlimit64, { 0, 3, 0, 0 }, 3, 1 },
		{ "getrlimit", SYS_getrlimit, { 3, 0 }, 1, 1 },
		{ "setrlimit", SYS_setrlimit, { 3, 0 }, 1, 0 },
		{ "sched_getaffinity", SYS_sched_getaffinity, { 0, 8, 0 }, 2, 1 },
		{ "getresuid", SYS_getresuid, { 0, 0, 0 }, 0, 1 },
		{ "getresgid", SYS_getresgid, { 0, 0, 0 }, 2, 1 },
		{ "getcpu", SYS_getcpu, { 0, 0, 0 }, 0, 1 },
		{ "arch_prctl", SYS_arch_prctl, { ARCH_GET_FS, 0 }, 1, 1 },
		{ "prctl", SYS_prctl, { PR_GET_NAME, 0 }, 1, 1 },
		{ "readlink path", SYS_readlink, { 0, 0, 64 }, 0, 0 },
		{ "readlink buf", SYS_readlink, { (long)"/proc/self/exe", 0, 64 }, 1, 1 },
		{ "readlinkat", SYS_readlinkat, { -100, (long)"/proc/self/exe", 0, 64 }, 2, 1 },
		{ "getcwd", SYS_getcwd, { 0, 64 }, 0, 1 },
		{ "chdir", SYS_chdir, { 0 }, 0, 0 },
		{ "ioctl TIOCGWINSZ", SYS_ioctl, { 1, 0x5413, 0 }, 2, 1 },
	};
	char *ro = (char *)syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *bad[] = { BAD, KBAD, LIBOS, ro };
	struct utsname u;
	int lamina = !uname(&u) && strstr(u.release, "lamina");
	int n = lamina ? 4 : 2;  /* LIBOS is only not ours under Lamina */

	iov.iov_base = (void *)BAD;
	for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		const struct pcall *c = &calls[i];

		/* a terminal answers TIOCGWINSZ; a pipe says ENOTTY first */
		if (c->nr == SYS_ioctl && piped)
			continue;
		for (int k = 0; k < n; k++) {
			long a[6];

			if (bad[k] == ro && !c->out)
				continue;
			/* Linux's /dev/null reads nothing, so it never looks at a
			 * user address; the personality checks every buffer */
			if (!lamina && c->nr == SYS_read && bad[k] != KBAD)
				continue;
			memcpy(a, c->args, sizeof a);
			a[c->at] = (long)bad[k];
			errno = 0;
			long r = syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
			if (r != -1 || errno != EFAULT) {
				failures++;
				fprintf(stderr, "FAIL efault: %s with %p = %ld errno %d\n", c->name,
					bad[k], r, errno);
			}
		}
	}
	/* the vector's own element pointing nowhere */
	errno = 0;
	if (lamina)
		CHECK(syscall(SYS_readv, 0, &iov, 1) == -1 && errno == EFAULT);
	syscall(SYS_munmap, ro, 4096);
}
