/*
 * The Linux x86-64 user ABI, as far as the personality serves it: error
 * numbers, flag values and the layouts of the structures Linux programs
 * pass to the kernel. Values are Linux's (include/uapi and the manual
 * pages); the layouts are checked by size against the x86-64 ABI.
 */
#ifndef LX_ABI_H
#define LX_ABI_H

#include <lamina/types.h>

/* errno values */
#define EPERM    1
#define ENOENT   2
#define ESRCH    3
#define EINTR    4
#define EIO      5
#define E2BIG    7
#define ENOEXEC  8
#define EBADF    9
#define ECHILD   10
#define EAGAIN   11
#define ENOMEM   12
#define EACCES   13
#define EFAULT   14
#define EEXIST   17
#define ENOTDIR  20
#define EINVAL   22
#define EMFILE   24
#define ENOTTY   25
#define ESPIPE   29
#define ERANGE   34
#define ENAMETOOLONG 36
#define ENOSYS   38
#define ENOTCONN 107
#define EISDIR   21
#define ENOTEMPTY 39
#define ELOOP    40
#define EOPNOTSUPP 95
#define EBUSY    16
#define ENFILE   23
#define EPIPE    32
#define ETIMEDOUT 110
#define ENODEV   19
#define EXDEV    18
#define EOVERFLOW 75
#define ENOTSOCK 88
#define EAFNOSUPPORT 97

/* mmap, mprotect, mremap, madvise */
#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4
#define MAP_SHARED          0x01
#define MAP_PRIVATE         0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE            0x0f
#define MAP_FIXED           0x10
#define MAP_ANONYMOUS       0x20
#define MAP_GROWSDOWN       0x0100
#define MAP_DENYWRITE       0x0800
#define MAP_EXECUTABLE      0x1000
#define MAP_LOCKED          0x2000
#define MAP_NORESERVE       0x4000
#define MAP_POPULATE        0x8000
#define MAP_NONBLOCK        0x10000
#define MAP_STACK           0x20000
#define MAP_HUGETLB         0x40000
#define MAP_FIXED_NOREPLACE 0x100000
#define MREMAP_MAYMOVE   1
#define MREMAP_FIXED     2
#define MREMAP_DONTUNMAP 4
#define MADV_NORMAL     0
#define MADV_RANDOM     1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED   3
#define MADV_DONTNEED   4
#define MADV_FREE       8

/* arch_prctl, prctl */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define PR_SET_NAME 15
#define PR_GET_NAME 16

/* files and descriptors */
#define AT_FDCWD         (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH    0x1000
#define O_ACCMODE   0x3
#define O_RDONLY    0x0
#define O_WRONLY    0x1
#define O_RDWR      0x2
#define O_APPEND    0x400
#define O_NONBLOCK  0x800
#define O_CLOEXEC   0x80000
#define O_CREAT     0x40
#define O_EXCL      0x80
#define O_NOCTTY    0x100
#define O_TRUNC     0x200
#define O_DSYNC     0x1000
#define O_ASYNC     0x2000
#define O_DIRECT    0x4000
#define O_LARGEFILE 0x8000
#define O_DIRECTORY 0x10000
#define O_NOFOLLOW  0x20000
#define O_NOATIME   0x40000
#define O_SYNC      0x101000
#define O_PATH      0x200000
#define O_TMPFILE   0x410000
#define AT_REMOVEDIR        0x200
#define AT_SYMLINK_FOLLOW   0x400
#define AT_NO_AUTOMOUNT     0x800
#define AT_EACCESS          0x200
#define AT_STATX_SYNC_TYPE  0x6000
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE  2
#define RENAME_WHITEOUT  4
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define UTIME_NOW  ((1l << 30) - 1)
#define UTIME_OMIT ((1l << 30) - 2)
#define S_IFMT   0170000
#define S_IFDIR  0040000
#define S_IFREG  0100000
#define S_IFLNK  0120000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define F_DUPFD     0
#define F_GETFD     1
#define F_SETFD     2
#define F_GETFL     3
#define F_SETFL     4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC  1
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_IFBLK  0060000
#define S_IFSOCK 0140000
#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TIOCGPGRP  0x540f
#define TIOCSPGRP  0x5410
#define TIOCSCTTY  0x540e
#define TIOCGWINSZ 0x5413
#define FIONREAD   0x541b
#define TIOCSWINSZ 0x5414

/* poll */
#define POLLIN     0x001
#define POLLPRI    0x002
#define POLLOUT    0x004
#define POLLERR    0x008
#define POLLHUP    0x010
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100

/* time */
#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define TIMER_ABSTIME            1

/* signals */
#define LX_NSIG       64
#define SIGHUP        1
#define SIGINT        2
#define SIGQUIT       3
#define SIGILL        4
#define SIGTRAP       5
#define SIGABRT       6
#define SIGBUS        7
#define SIGFPE        8
#define SIGKILL       9
#define SIGUSR1       10
#define SIGSEGV       11
#define SIGUSR2       12
#define SIGPIPE       13
#define SIGALRM       14
#define SIGTERM       15
#define SIGSTKFLT     16
#define SIGCHLD       17
#define SIGCONT       18
#define SIGSTOP       19
#define SIGTSTP       20
#define SIGTTIN       21
#define SIGTTOU       22
#define SIGURG        23
#define SIGXCPU       24
#define SIGXFSZ       25
#define SIGVTALRM     26
#define SIGPROF       27
#define SIGWINCH      28
#define SIGIO         29
#define SIGPWR        30
#define SIGSYS        31
#define SI_KERNEL     0x80
#define ITIMER_REAL   0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF   2
#define SIG_BLOCK     0
#define SIG_UNBLOCK   1
#define SIG_SETMASK   2
#define SIG_DFL       0
#define SIG_IGN       1
#define SA_NOCLDSTOP  0x00000001
#define SA_SIGINFO    0x00000004
#define SA_RESTORER   0x04000000
#define SA_ONSTACK    0x08000000
#define SA_RESTART    0x10000000
#define SA_NODEFER    0x40000000
#define SA_RESETHAND  0x80000000
#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048
/* si_code values */
#define SI_USER       0
#define SI_KERNEL     0x80
#define SI_TKILL      (-6)
#define ILL_ILLOPN    2
#define FPE_INTDIV    1
#define FPE_FLTDIV    3
#define FPE_FLTOVF    4
#define FPE_FLTUND    5
#define FPE_FLTRES    6
#define FPE_FLTINV    7
#define SEGV_MAPERR   1
#define SEGV_ACCERR   2
#define BUS_ADRALN    1
#define BUS_ADRERR    2
#define TRAP_TRACE    2
/* What an interrupted call returns inside the personality, never to the
 * program: the signal delivery turns it into -EINTR or a restart
 * (signal_deliver.c), as Linux's ERESTART* codes. */
#define ERESTARTSYS    512 /* restart if the handler has SA_RESTART */
#define ERESTARTNOINTR 513 /* always restart */
#define ERESTARTNOHAND 514 /* restart only if no handler runs: else EINTR */

/* getrandom, resource limits */
#define GRND_NONBLOCK 0x1
#define GRND_RANDOM   0x2
#define GRND_INSECURE 0x4
#define RLIMIT_STACK  3
#define RLIMIT_NOFILE 7
#define RLIM_NLIMITS  16
#define RLIM_INFINITY (~0ull)

/* The auxiliary vector's keys. */
#define AT_NULL     0
#define AT_PHDR     3
#define AT_PHENT    4
#define AT_PHNUM    5
#define AT_PAGESZ   6
#define AT_BASE     7
#define AT_FLAGS    8
#define AT_ENTRY    9
#define AT_UID      11
#define AT_EUID     12
#define AT_GID      13
#define AT_EGID     14
#define AT_PLATFORM 15
#define AT_HWCAP    16
#define AT_CLKTCK   17
#define AT_SECURE   23
#define AT_RANDOM   25
#define AT_HWCAP2   26
#define AT_EXECFN   31

struct lx_timespec {
	long tv_sec, tv_nsec;
};

struct lx_timeval {
	long tv_sec, tv_usec;
};

struct lx_pollfd {
	int fd;
	short events, revents;
};

struct lx_iovec {
	lm_u64 base, len;
};

struct lx_stat {
	lm_u64 dev, ino, nlink;
	lm_u32 mode, uid, gid, pad0;
	lm_u64 rdev;
	long size, blksize, blocks;
	long atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	long unused[3];
};
LM_STATIC_ASSERT(sizeof(struct lx_stat) == 144, "Linux x86-64 struct stat");

struct lx_statx_ts {
	long sec;
	lm_u32 nsec, pad;
};

struct lx_statx {
	lm_u32 mask, blksize;
	lm_u64 attributes;
	lm_u32 nlink, uid, gid;
	lm_u16 mode, pad0;
	lm_u64 ino, size, blocks, attributes_mask;
	struct lx_statx_ts atime, btime, ctime, mtime;
	lm_u32 rdev_major, rdev_minor, dev_major, dev_minor;
	lm_u64 spare[14];
};
LM_STATIC_ASSERT(sizeof(struct lx_statx) == 256, "Linux struct statx");

struct lx_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct lx_rlimit {
	lm_u64 cur, max;
};

/* The kernel's struct sigaction (not libc's): mask last, 8 bytes. */
struct lx_sigaction {
	lm_u64 handler, flags, restorer, mask;
};

/* stack_t */
struct lx_stack {
	lm_u64 sp;
	int flags, pad;
	lm_u64 size;
};

/* siginfo_t, 128 bytes: the fields the personality fills. */
/* SIGCHLD's si_code (and waitid's). */
#define CLD_EXITED    1
#define CLD_KILLED    2
#define CLD_DUMPED    3
#define CLD_STOPPED   5
#define CLD_CONTINUED 6

struct lx_siginfo {
	int signo, err, code, pad;
	union {
		struct {
			int pid;
			lm_u32 uid;
		} kill;
		struct {     /* SIGCHLD: kill's two, then */
			int pid;
			lm_u32 uid;
			int status;  /* exit code, or the signal */
			int pad;
			long utime, stime;
		} chld;
		lm_u64 addr; /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
		lm_u64 raw[14];
	} u;
};
LM_STATIC_ASSERT(sizeof(struct lx_siginfo) == 128, "Linux siginfo_t");

/* struct sigcontext (x86-64): the registers in Linux's order, then the
 * segment words, the fault's details and the FPU state's address. */
struct lx_sigcontext {
	lm_u64 r8, r9, r10, r11, r12, r13, r14, r15;
	lm_u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, rflags;
	lm_u16 cs, gs, fs, ss;
	lm_u64 err, trapno, oldmask, cr2;
	lm_u64 fpstate; /* a 512-byte FXSAVE image, or 0 */
	lm_u64 reserved[8];
};
LM_STATIC_ASSERT(sizeof(struct lx_sigcontext) == 256, "Linux struct sigcontext");

struct lx_ucontext {
	lm_u64 flags, link;
	struct lx_stack stack;
	struct lx_sigcontext mc;
	lm_u64 sigmask;
};
LM_STATIC_ASSERT(sizeof(struct lx_ucontext) == 304, "Linux struct ucontext");
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4

/* What a handler finds at its rsp: the return address (sa_restorer, which
 * calls rt_sigreturn), the context, the siginfo. */
struct lx_rt_sigframe {
	lm_u64 pretcode;
	struct lx_ucontext uc;
	struct lx_siginfo info;
};
LM_STATIC_ASSERT(sizeof(struct lx_rt_sigframe) == 440, "Linux struct rt_sigframe");

/* The kernel's struct termios (TCGETS), 36 bytes. */
struct lx_termios {
	lm_u32 iflag, oflag, cflag, lflag;
	lm_u8 line, cc[19];
};
LM_STATIC_ASSERT(sizeof(struct lx_termios) == 36, "Linux struct termios");

struct lx_winsize {
	lm_u16 row, col, xpixel, ypixel;
};

/* sysinfo(2) */
struct lx_sysinfo {
	long uptime;
	lm_u64 loads[3];
	lm_u64 totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	lm_u16 procs, pad;
	lm_u64 totalhigh, freehigh;
	lm_u32 mem_unit;
	char pad2[4];
};
LM_STATIC_ASSERT(sizeof(struct lx_sysinfo) == 112, "Linux x86-64 struct sysinfo");

#endif
