/*
 * The Linux personality's internal interfaces: one library OS per Linux
 * process, in the process's own address space (docs/LINUX.md).
 *
 * The Linux program and the personality share one thread. Each Linux
 * SYSCALL is reflected by the kernel to lm_reflect_entry, which calls
 * lx_dispatch (syscall.c) on the program's stack; dispatch looks the number
 * up in the one table and calls the family's handler. A handler gets the
 * six argument registers and returns the result or -errno, as Linux does.
 *
 * Every pointer a handler gets from the program is checked against the
 * memory map (mm.c) before use (uaccess.c): the map is the personality's
 * own record of what the program owns, so a pointer into the library OS,
 * into a hole or into a page without the needed access gives -EFAULT and
 * never a fault in the library OS.
 *
 * Like liblamina, none of this is thread-safe: a Linux process has one
 * thread until clone is served.
 */
#ifndef LX_H
#define LX_H

#include <lm/lamina.h>
#include "abi.h"

/* ---- the address-space layout (docs/LINUX.md) ------------------------------ */
#define LX_LOW          0x10000ull          /* lowest address a program may map */
#define LX_LIBOS_BASE   0x40000000ull       /* the personality's image (Makefile) */
#define LX_LIBOS_END    0x80000000ull
#define LX_PIE_BASE     0x555555554000ull   /* where a static-pie is loaded */
#define LX_MMAP_TOP     0x7ee000000000ull   /* mmap without a hint: top down from here */
#define LX_MMAP_BOTTOM  0x100000000000ull
#define LX_STACK_TOP    0x7ef000000000ull   /* the stack: LX_STACK_SIZE below */
#define LX_STACK_SIZE   (8ull << 20)        /* RLIMIT_STACK; mapped on touch */
#define LX_HIGH         0x7f0000000000ull   /* modules and liblamina's own above */

#define LX_PAGE         LM_PAGE_SIZE
#define LX_PAGE_DOWN(x) ((x) & ~(LX_PAGE - 1))
#define LX_PAGE_UP(x)   (((x) + LX_PAGE - 1) & ~(LX_PAGE - 1))

/* Pages of the personality's own, mapped by hand (not in the program's map,
 * not inherited by fork: each process maps its own). */
#define LX_IPCBUF_VA    0x7ef800010000ull   /* the thread's IPC buffer */
#define LX_SIGPAGE_VA   0x7ef800020000ull   /* the process manager's signal page */
#define LX_CAPTURE_VA   0x7ef800100000ull   /* capture buffers (-x), shared by a fork tree */

/* The identity of the one user (root); pids come from the process manager. */
#define LX_UID  0
#define LX_GID  0

/* ---- main.c: the process ---------------------------------------------------- */
extern const struct lm_bootinfo *lx_bi;
extern int lx_trace;     /* -t: every call on the console */
extern int lx_capture;   /* -x: output framed for a test runner (console.c) */
/* The program's end: exit code `status` (0..255). */
__attribute__((noreturn)) void lx_exit(int status);

/* ---- process.c, wait.c, pm.c: the process and the process manager ------------ */
/* The wake notification, LX_WAKE_*, lx_wake_wait: fs_block.c's part of lx.h. */
extern long lx_pid;                 /* from the process manager (1 without one) */
void lx_proc_init(void);
/* The program's end with wait4's status word: (code << 8) or the signal. */
__attribute__((noreturn)) void lx_exit_wstatus(int wstatus);
/* Check the signal page; fetch and post what the process manager holds. */
void lx_proc_poll(void);
/* A request to the process manager: w0 (result or -errno), *r1 = w1. */
long lx_pm_call(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 *r1);
/* signal.c: the program's disposition of sig (handler: 0 SIG_DFL, 1 SIG_IGN) */
lm_u64 lx_sig_disposition(int sig);
/* The system call being served (syscall.c): clone edits where it returns. */
extern struct lm_sysargs *lx_cur_args;

/* ---- loader.c ---------------------------------------------------------------- */
struct lx_image {
	lm_u64 entry, phdr, phnum, base, brk;
};
/* Check and load an ELF executable (ET_EXEC or static-pie ET_DYN) from
 * memory into the map; 0 or -errno. */
int lx_load(const void *img, lm_u64 size, struct lx_image *out);
/* Map the stack and build Linux's initial stack; returns the entry rsp. */
lm_u64 lx_initial_stack(const struct lx_image *im, int argc, char **argv,
			const char *execfn);

/* ---- mm.c: the memory map --------------------------------------------------- */
int lx_mm_init(void);
struct lm_fork_child;
/* At fork: every page's frame shared with child c, writable pages made
 * read-only here (copied on our next write). */
int lx_mm_fork_share(struct lm_fork_child *c);
/* Add [lo, hi) (page-aligned, free) with PROT_* rights, mapped on touch. */
int lx_mm_add(lm_u64 lo, lm_u64 hi, lm_u32 prot);
/* Map every page of [lo, hi) now, writable (for the loader), then prot. */
int lx_mm_populate(lm_u64 lo, lm_u64 hi);
int lx_mm_protect(lm_u64 lo, lm_u64 hi, lm_u32 prot);
/* 1 if [addr, addr + len) lies in the map with every right in prot. */
int lx_mm_allows(lm_u64 addr, lm_u64 len, lm_u32 prot);
void lx_brk_init(lm_u64 start);
void lx_mm_report(void);  /* -t: pages and areas at exit */

/* ---- uaccess.c: the program's memory, checked --------------------------------- */
int lx_copy_in(void *dst, lm_u64 usrc, lm_u64 n);   /* 0 or -EFAULT */
int lx_copy_out(lm_u64 udst, const void *src, lm_u64 n);
/* A NUL-terminated string into buf[max]: its length, -EFAULT, -ENAMETOOLONG. */
long lx_copy_str(char *buf, lm_u64 ustr, lm_u64 max);
int lx_readable(lm_u64 addr, lm_u64 n);
int lx_writable(lm_u64 addr, lm_u64 n);

/* ---- console.c: the terminal and the capture buffers --------------------------- */
#define LX_CON_IN  0
#define LX_CON_OUT 1
#define LX_CON_ERR 2
long lx_con_write(int which, const void *buf, lm_u64 n);
long lx_con_read(void *buf, lm_u64 n);
int lx_con_input_ready(int wait);
int lx_con_is_tty(int which);
void lx_con_flush_capture(int status);
int lx_con_capture_init(void);  /* -x: the buffers, in pages a fork tree shares */
/* At fork: the capture pages and the console input, given to child c. */
int lx_con_fork_share(struct lm_fork_child *c);
void lx_con_fork_child(void);   /* in the child: map them */
void lx_con_termios(struct lx_termios *t, int set);

/* ---- fsclient.c: the file server (servers/fs/fs_proto.h) ---------------------- */
#include "../servers/fs/fs_proto.h"
extern struct fs_buf *lx_fsb;   /* the page shared with the server */
static inline void lx_strcpy(char *d, const char *s)
{
	memcpy(d, s, strlen(s) + 1);
}
void lx_fs_init(void);
long lx_fs_hello(int fresh);   /* a forked child: lx_fs_hello(0) with its own lx_wake_ntfn */
long lx_fs_call(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 w3, lm_u64 *r1);
/* As lx_fs_call, with ntail (<= FS_TAIL) bytes in message words 4.. (WRITE) */
long lx_fs_call_tail(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 w3,
		     const void *tail, lm_u64 ntail, lm_u64 *r1);
lm_u64 lx_fs_write_max(void);  /* FS_WRITE_MAX, or FS_DATA without an IPC buffer */
long lx_fs_path(int second, lm_u64 upath); /* 0, -EFAULT, -ENAMETOOLONG */

/* ---- fs_block.c: waiting for the file server (lx-arch: the wake notification) - */
#define LX_WAKE_FS    1 /* file server: a pipe/handle we wait on changed */
#define LX_WAKE_PM    2 /* process manager: a child changed state, or a signal is pending */
#define LX_WAKE_TIMER 4 /* timer server: a deadline passed */
extern lm_cptr_t lx_wake_ntfn;  /* this process's wake notification, 0 = none */
struct lm_ipc_buffer *lx_ipc_buffer(void); /* the thread's IPC buffer, or 0 */
void lx_wake_make_fs_fallback(void); /* make lx_wake_ntfn if nobody has */
void lx_wake_wait(void);        /* until the wake notification is signalled */
/* A request that may answer "would block": asked again after each wake-up;
 * -EINTR when a signal that is not blocked is pending. */
long lx_fs_call_wait(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 w3,
		     const void *tail, lm_u64 ntail, lm_u64 *r1);
/* signal.c (signal delivery): weak stand-ins in fs_block.c until then */
void lx_sig_post(int sig, int code, int pid);
int lx_sig_pending_unblocked(void);

/* ---- fd.c ------------------------------------------------------------------ */
void lx_fd_init(void);
/* The server handle of a descriptor naming a file of the file server:
 * >0; -EBADF if fd is not open, -ENOTDIR if it names no file server file
 * (the terminal). */
long lx_fd_handle(long fd);
/* A new descriptor for an open server handle (mode from FS_OPEN). */
long lx_fd_open(lm_u64 handle, lm_u32 mode, lm_u32 flags);
/* The handle a path is resolved from: 0 (the root) for an absolute path,
 * the working directory for AT_FDCWD, else the descriptor's handle. */
long lx_fd_at(long dirfd, const char *path);
extern lm_u64 lx_cwd; /* the working directory's handle, 0 = the root */
long lx_fd_open_tty(lm_u32 flags);
long lx_fd_stat(long fd, struct lx_stat *st);
/* fs_stat.c: stat of (handle, path in the page's path or given) */
long lx_fs_stat(lm_u64 dir, const char *path, lm_u64 flags, struct lx_stat *st);
/* revents of fd; arm: a pipe end not ready wakes us when it changes */
short lx_fd_poll(int fd, short events, int arm, int *tty_in);
int lx_fd_room(int n); /* 1 if n more descriptors can be opened now */
/* pipe.c: a pipe end's I/O (handle h; buffers checked by the caller) */
long lx_pipe_read(lm_u64 h, lm_u64 buf, lm_u64 n);
long lx_pipe_write(lm_u64 h, lm_u64 buf, lm_u64 n);
long lx_pipe_vector(lm_u64 h, const struct lx_iovec *iov, lm_u64 cnt, lm_u64 total, int out);
#define LX_NOFILE 256

/* ---- proc.c ------------------------------------------------------------------ */
extern const char *lx_execfn;           /* "/bin/<program>": AT_EXECFN, /proc/self/exe */
void lx_set_comm(const char *path);     /* the name prctl(PR_GET_NAME) reports */
lm_u32 lx_umask(void);

/* ---- random.c ----------------------------------------------------------------- */
void lx_random(void *buf, lm_u64 n);
lm_u64 lx_rdtsc(void);

/* ---- time.c -------------------------------------------------------------------- */
void lx_time_init(void);  /* read the RTC, start the monotonic clock */
long lx_realtime_ns(void); /* CLOCK_REALTIME */
void lx_sleep_ns(long ns);  /* ns < 0: for ever */

/* ---- syscall.c ------------------------------------------------------------------ */
long lx_dispatch(struct lm_sysargs *a);
void lx_syscall_report(void);

/* Every handler: the argument registers in, the result or -errno out. */
#define LX_SYS(name) long sys_##name(const lm_u64 *a)
typedef long (*lx_sys_fn)(const lm_u64 *a);

/* fd.c */
LX_SYS(read); LX_SYS(write); LX_SYS(readv); LX_SYS(writev); LX_SYS(close);
LX_SYS(fstat); LX_SYS(newfstatat); LX_SYS(lseek); LX_SYS(ioctl); LX_SYS(fcntl);
LX_SYS(dup); LX_SYS(dup2); LX_SYS(dup3); LX_SYS(pread64); LX_SYS(pwrite64);
/* mm.c */
LX_SYS(brk); LX_SYS(mmap); LX_SYS(munmap); LX_SYS(mprotect); LX_SYS(mremap);
LX_SYS(madvise);
/* process.c, wait.c, pm.c */
LX_SYS(fork); LX_SYS(vfork); LX_SYS(clone); LX_SYS(wait4); LX_SYS(waitid); LX_SYS(kill);
LX_SYS(tkill); LX_SYS(tgkill);
/* proc.c */
LX_SYS(exit); LX_SYS(exit_group); LX_SYS(getpid); LX_SYS(getppid); LX_SYS(gettid);
LX_SYS(getuid); LX_SYS(getgid); LX_SYS(geteuid); LX_SYS(getegid);
LX_SYS(getresuid); LX_SYS(getresgid); LX_SYS(getgroups); LX_SYS(getpgrp);
LX_SYS(getpgid); LX_SYS(getsid); LX_SYS(setuid); LX_SYS(setgid);
LX_SYS(setpgid); LX_SYS(setsid);
LX_SYS(set_tid_address); LX_SYS(set_robust_list); LX_SYS(arch_prctl);
LX_SYS(prctl); LX_SYS(prlimit64); LX_SYS(getrlimit); LX_SYS(setrlimit);
LX_SYS(sched_getaffinity); LX_SYS(sched_yield); LX_SYS(umask); LX_SYS(uname);
LX_SYS(getcpu);
/* time.c */
LX_SYS(clock_gettime); LX_SYS(clock_getres); LX_SYS(gettimeofday); LX_SYS(time);
LX_SYS(nanosleep); LX_SYS(clock_nanosleep);
/* signal.c */
LX_SYS(rt_sigaction); LX_SYS(rt_sigprocmask); LX_SYS(sigaltstack);
/* fs.c */
LX_SYS(getcwd); LX_SYS(chdir); LX_SYS(fchdir); LX_SYS(open); LX_SYS(openat);
LX_SYS(creat); LX_SYS(getdents64); LX_SYS(mkdir); LX_SYS(mkdirat); LX_SYS(unlink);
LX_SYS(rmdir); LX_SYS(unlinkat); LX_SYS(rename); LX_SYS(renameat); LX_SYS(renameat2);
LX_SYS(link); LX_SYS(linkat); LX_SYS(symlink); LX_SYS(symlinkat); LX_SYS(readlink);
LX_SYS(readlinkat);
/* fs_attr.c */
LX_SYS(stat); LX_SYS(lstat); LX_SYS(statx); LX_SYS(chmod); LX_SYS(fchmod);
LX_SYS(fchmodat); LX_SYS(utimensat); LX_SYS(truncate); LX_SYS(ftruncate);
LX_SYS(access); LX_SYS(faccessat); LX_SYS(faccessat2);
/* poll.c */
LX_SYS(poll); LX_SYS(ppoll); LX_SYS(select); LX_SYS(pselect6);
/* pipe.c */
LX_SYS(pipe); LX_SYS(pipe2);
/* random.c */
LX_SYS(getrandom);

#endif
