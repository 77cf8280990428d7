/*
 * The one system-call table: Linux x86-64 number -> name and handler.
 * A number without a handler (or past the table) returns -ENOSYS and is
 * counted; `linux -t` prints every call with its result, and at exit the
 * calls that were refused. docs/LINUX.md lists the status of each call.
 */
#include "thread.h"

#define NR_MAX 440 /* one past faccessat2, the highest number named here */

struct lx_call {
	const char *name;
	lx_sys_fn fn;
};

#define S(nr, name) [nr] = { #name, sys_##name }
#define ABSENT(nr, name) [nr] = { #name, 0 }
/* A call served by another's handler (the socket calls on a descriptor). */
#define AS(nr, name, fn) [nr] = { #name, sys_##fn }

static const struct lx_call table[NR_MAX] = {
	S(0, read), S(1, write), S(2, open), S(3, close), S(4, stat),
	S(5, fstat), S(6, lstat), S(7, poll), S(8, lseek), S(9, mmap),
	S(10, mprotect), S(11, munmap), S(12, brk), S(13, rt_sigaction),
	S(14, rt_sigprocmask), S(15, rt_sigreturn), S(16, ioctl), S(17, pread64),
	S(18, pwrite64), S(19, readv), S(20, writev), S(21, access), S(22, pipe), S(23, select),
	S(24, sched_yield), S(25, mremap), S(28, madvise), S(32, dup), S(33, dup2),
	S(34, pause), S(35, nanosleep), S(36, getitimer), S(37, alarm), S(38, setitimer),
	S(39, getpid), S(40, sendfile), S(41, socket), AS(42, connect, sockfd),
	AS(43, accept, sockfd), AS(44, sendto, sockfd), AS(45, recvfrom, sockfd),
	AS(46, sendmsg, sockfd), AS(47, recvmsg, sockfd), AS(48, shutdown, sockfd),
	AS(49, bind, sockfd), AS(50, listen, sockfd), AS(51, getsockname, sockfd),
	AS(52, getpeername, sockfd), S(53, socketpair), AS(54, setsockopt, sockfd),
	AS(55, getsockopt, sockfd), S(56, clone), S(57, fork), S(58, vfork),
	S(59, execve), S(60, exit), S(61, wait4), S(62, kill), S(63, uname),
	S(72, fcntl), S(73, flock), S(76, truncate), S(77, ftruncate), S(79, getcwd), S(80, chdir),
	S(81, fchdir), S(82, rename), S(83, mkdir), S(84, rmdir), S(85, creat), S(86, link),
	S(87, unlink), S(88, symlink), S(89, readlink), S(90, chmod), S(91, fchmod),
	S(92, chown), S(93, fchown), S(94, lchown),
	S(95, umask), S(96, gettimeofday), S(97, getrlimit), S(99, sysinfo), S(102, getuid), S(104, getgid),
	S(105, setuid), S(106, setgid), S(107, geteuid), S(108, getegid), S(109, setpgid),
	S(110, getppid), S(111, getpgrp), S(112, setsid), S(115, getgroups), S(118, getresuid),
	S(120, getresgid), S(121, getpgid), S(124, getsid), S(127, rt_sigpending), S(133, mknod),
	S(128, rt_sigtimedwait), S(130, rt_sigsuspend), S(131, sigaltstack),
	S(157, prctl), S(158, arch_prctl), S(160, setrlimit), S(186, gettid), S(200, tkill),
	S(201, time), S(202, futex), S(204, sched_getaffinity), S(217, getdents64),
	S(218, set_tid_address), S(228, clock_gettime), S(229, clock_getres),
	S(230, clock_nanosleep), S(231, exit_group), S(234, tgkill), S(247, waitid),
	S(257, openat), S(258, mkdirat), S(259, mknodat), S(260, fchownat),
	S(262, newfstatat), S(263, unlinkat), S(264, renameat), S(265, linkat),
	S(266, symlinkat), S(267, readlinkat), S(268, fchmodat), S(269, faccessat), S(270, pselect6),
	S(271, ppoll), S(273, set_robust_list), S(280, utimensat),
	AS(288, accept4, sockfd), S(292, dup3), S(293, pipe2), AS(299, recvmmsg, sockfd), S(302, prlimit64), AS(307, sendmmsg, sockfd), S(309, getcpu),
	S(316, renameat2), S(318, getrandom), S(322, execveat), S(326, copy_file_range),
	S(332, statx), ABSENT(334, rseq),
	S(439, faccessat2),
};

struct lm_sysargs *lx_cur_args LX_HOT;
static lm_u32 refused[NR_MAX + 1]; /* [NR_MAX]: numbers past the table */
static lm_u64 ncalls LX_HOT;

static const char *name_of(lm_u64 nr)
{
	return nr < NR_MAX && table[nr].name ? table[nr].name : "?";
}

long lx_dispatch(struct lm_sysargs *a)
{
	lm_u64 nr = a->nr;
	long r;

	lx_lock();
	ncalls++;
	lx_cur_args = a;
	if (nr < NR_MAX && table[nr].fn) {
		r = table[nr].fn(a->a);
	} else {
		refused[nr < NR_MAX ? nr : NR_MAX]++;
		r = -ENOSYS;
	}
	lx_alarm_check(); /* an alarm due since the call began: SIGALRM now */
	if (lx_trace)
		lm_printf("[linux] %s#%lu(%#lx, %#lx, %#lx, %#lx) = %ld\n", name_of(nr), nr,
			  a->a[0], a->a[1], a->a[2], a->a[3], r);
	lx_proc_poll(); /* signals another process sent: one compare when none */
	lx_sig_check(r);
	if (!a->exit)
		lx_unlock(); /* else the exit hook releases it */
	return r;
}

/* With -t: the calls answered ENOSYS, with how often. */
void lx_syscall_report(void)
{
	if (!lx_trace)
		return;
	lm_printf("[linux] %lu system calls\n", ncalls);
	lx_mm_report();
	for (lm_u64 nr = 0; nr <= NR_MAX; nr++)
		if (refused[nr])
			lm_printf("[linux] ENOSYS %s#%lu: %u time(s)\n",
				  nr < NR_MAX ? name_of(nr) : "(out of range)", nr, refused[nr]);
}
