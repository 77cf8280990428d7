/* The process: identity, arch_prctl, set_tid_address, set_robust_list,
 * limits, affinity, umask, uname, prctl, readlink of /proc/self/exe,
 * getrandom, the initial stack (argv, envp, auxv) and unknown calls. */
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include "calls.h"

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

static void identity(void)
{
	unsigned r[3] = { 9, 9, 9 };
	long tid = syscall(SYS_gettid);

	CHECK(syscall(SYS_getpid) > 0 && tid == syscall(SYS_getpid));
	CHECK(syscall(SYS_getppid) >= 0);
	CHECK(syscall(SYS_getuid) == syscall(SYS_geteuid));
	CHECK(syscall(SYS_getgid) == syscall(SYS_getegid));
	CHECK(syscall(SYS_getresuid, &r[0], &r[1], &r[2]) == 0 && r[0] == getuid() && r[2] == r[0]);
	CHECK(syscall(SYS_getresgid, &r[0], &r[1], &r[2]) == 0 && r[1] == getgid());
	FAILS(syscall(SYS_getresuid, BAD, &r[1], &r[2]), EFAULT);
	CHECK(syscall(SYS_getpgid, 0) > 0 && syscall(SYS_getsid, 0) > 0);
	CHECK(syscall(SYS_set_tid_address, &r[0]) == tid);
	FAILS(syscall(SYS_set_robust_list, &r, 23), EINVAL);
	/* rseq: ENOSYS under Lamina (glibc copes); Linux refuses these arguments */
	CHECK(syscall(SYS_rseq, 0, 0, 0, 0) == -1 && (errno == ENOSYS || errno == EINVAL));
	FAILS(syscall(999), ENOSYS);
	/* the highest number a Linux program gets reflected: from 0x1000 up the
	 * numbers are Lamina's own calls (docs/LINUX.md) */
	FAILS(syscall(0xfff), ENOSYS);
}

static void tls_and_limits(void)
{
	unsigned long fs = 0;
	struct rlimit rl;
	unsigned long mask[16];

	CHECK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs) == 0 && fs != 0);
	CHECK(syscall(SYS_arch_prctl, ARCH_SET_FS, fs) == 0); /* the same TLS back */
	FAILS(syscall(SYS_arch_prctl, ARCH_GET_FS, BAD), EFAULT);
	FAILS(syscall(SYS_arch_prctl, 0x9999, 0), EINVAL);
	FAILS(syscall(SYS_arch_prctl, ARCH_SET_FS, 0x8000000000000000ul), EPERM);
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &rl) == 0 && rl.rlim_cur >= 1 << 20);
	FAILS(syscall(SYS_prlimit64, 0, 99, NULL, &rl), EINVAL);
	FAILS(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, BAD), EFAULT);
	FAILS(syscall(SYS_prlimit64, 999999, RLIMIT_STACK, NULL, &rl), ESRCH);
	CHECK(syscall(SYS_getrlimit, RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 64);
	rl.rlim_cur = rl.rlim_max + 1;
	FAILS(syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl), EINVAL);
	rl.rlim_cur = 100;
	CHECK(syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl) == 0);
	CHECK(syscall(SYS_getrlimit, RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 100);
	CHECK(syscall(SYS_sched_getaffinity, 0, sizeof mask, mask) >= 8 && (mask[0] & 1));
	FAILS(syscall(SYS_sched_getaffinity, 0, 4, mask), EINVAL);
	FAILS(syscall(SYS_sched_getaffinity, 0, sizeof mask, BAD), EFAULT);
	CHECK(syscall(SYS_sched_yield) == 0);
}

static void names(const char *argv0)
{
	struct utsname u;
	char buf[64], name[16] = { 0 }, exe[80];
	unsigned char rnd[32] = { 0 }, zero[32] = { 0 };
	long n;

	CHECK(syscall(SYS_umask, 077) == 022);
	CHECK(syscall(SYS_umask, 022) == 077);
	CHECK(syscall(SYS_uname, &u) == 0 && !strcmp(u.sysname, "Linux") &&
	      !strcmp(u.machine, "x86_64"));
	FAILS(syscall(SYS_uname, BAD), EFAULT);
	CHECK(syscall(SYS_prctl, PR_SET_NAME, "calls-test", 0, 0, 0) == 0);
	CHECK(syscall(SYS_prctl, PR_GET_NAME, name, 0, 0, 0) == 0 && !strcmp(name, "calls-test"));
	FAILS(syscall(SYS_prctl, 9999, 0, 0, 0, 0), EINVAL);
	n = syscall(SYS_readlink, "/proc/self/exe", buf, sizeof buf);
	snprintf(exe, sizeof exe, "/bin/%s", argv0);
	CHECK(n > 0 && buf[0] == '/');
	if (strstr(u.release, "lamina")) /* the personality runs programs from /bin */
		CHECK(n == (long)strlen(exe) && !memcmp(buf, exe, n));
	FAILS(syscall(SYS_readlink, "/proc/self/exe", BAD, sizeof buf), EFAULT);
	FAILS(syscall(SYS_readlink, "/proc/self/exe", buf, 0), EINVAL);
	FAILS(syscall(SYS_readlink, "/no/such/link", buf, sizeof buf), ENOENT);
	FAILS(syscall(SYS_readlink, BAD, buf, sizeof buf), EFAULT);
	CHECK(syscall(SYS_chdir, "/") == 0 && syscall(SYS_chdir, "/./..//") == 0);
	FAILS(syscall(SYS_chdir, "/no/such/dir"), ENOENT);
	FAILS(syscall(SYS_chdir, ""), ENOENT);
	FAILS(syscall(SYS_chdir, BAD), EFAULT);
	CHECK(syscall(SYS_getcwd, buf, sizeof buf) == 2 && !strcmp(buf, "/"));
	FAILS(syscall(SYS_getcwd, buf, 1), ERANGE);
	FAILS(syscall(SYS_getcwd, BAD, sizeof buf), EFAULT);
	CHECK(syscall(SYS_getrandom, rnd, sizeof rnd, 0) == sizeof rnd && memcmp(rnd, zero, 32));
	FAILS(syscall(SYS_getrandom, rnd, sizeof rnd, 0x100), EINVAL);
	FAILS(syscall(SYS_getrandom, BAD, 8, 0), EFAULT);
}

static void initial_stack(void)
{
	const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
	const char *fn = (const char *)getauxval(AT_EXECFN);

	CHECK(getauxval(AT_PAGESZ) == 4096);
	CHECK(getauxval(AT_PHDR) && getauxval(AT_PHNUM) && getauxval(AT_PHENT) == 56);
	CHECK(getauxval(AT_ENTRY) != 0 && getauxval(AT_SECURE) == 0);
	CHECK(getauxval(AT_HWCAP) != 0 && getauxval(AT_CLKTCK) == 100);
	CHECK(getauxval(AT_UID) == getuid() && getauxval(AT_GID) == getgid());
	CHECK(r && (r[0] | r[1] | r[2] | r[3] | r[12] | r[13] | r[14] | r[15]));
	CHECK(fn && fn[0]);
	CHECK(getenv("PATH") && getenv("HOME"));
}

void test_proc(const char *argv0)
{
	identity();
	tls_and_limits();
	names(argv0);
	initial_stack();
}
