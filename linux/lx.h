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
 * A process may have several threads (thread.h): one lock covers the
 * personality's state, taken by lx_dispatch and the fault hook, released
 * only while a thread waits.
 */
#ifndef LX_H
#define LX_H

#include <lm/lamina.h>
#include "abi.h"

/* State a forked child writes on its first steps (the call path, its
 * start, execve), each a few bytes: kept in liblamina's private pages
 * (LM_PRIVATE, lm/fork.h), which a child gets its own copy of at the
 * fork, instead of spread over pages of the personality's data that it
 * would fetch and copy one fault at a time. Zero-initialised only (the
 * section holds no file bytes), and only variables whose value a fork
 * does not change after lm_fork's copy (made before the fork hook). */
#define LX_HOT LM_PRIVATE

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
#define LX_OWN_BASE     0x7ef800000000ull   /* the personality's own pages (below), up to LX_HIGH */

#define LX_PAGE         LM_PAGE_SIZE
#define LX_PAGE_DOWN(x) ((x) & ~(LX_PAGE - 1))
#define LX_PAGE_UP(x)   (((x) + LX_PAGE - 1) & ~(LX_PAGE - 1))

/* Pages of the personality's own, mapped by hand (not in the program's map,
 * not inherited by fork: each process maps its own). */
#define LX_IPCBUF_VA    0x7ef800010000ull   /* the thread's IPC buffer */
#define LX_SIGPAGE_VA   0x7ef800020000ull   /* the process manager's signal page */
#define LX_MEMPAGE_VA   0x7ef800030000ull   /* the memory manager's account page (mm_revoke.c) */
#define LX_CAPTURE_VA   0x7ef800100000ull   /* capture buffers (-x), shared by a fork tree */
#define LX_TTY_VA       0x7ef800200000ull   /* the line discipline's state, shared by a fork tree */

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
/* mm_revoke.c: register the process's account with the memory manager
 * (at start, in a forked child; nothing without an account), and answer
 * its requests and read what it took (each system call, each fault). */
void lx_mem_register(void);
void lx_mem_poll(void);
extern int lx_mem_lost; /* memory was taken by force: some pages are gone */
int lx_mem_state_lost(void); /* ... and the personality's own may be among them */
/* Our parent's pid from the signal page, or -1 without one. */
long lx_proc_ppid(void);
/* A request to the process manager: w0 (result or -errno), *r1 = w1. */
long lx_pm_call(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 *r1);
/* signal.c: the program's disposition of sig (handler: 0 SIG_DFL, 1 SIG_IGN) */
/* The system call being served (syscall.c): clone edits where it returns. */
extern struct lm_sysargs *lx_cur_args;
extern lm_u64 lx_fs_base, lx_clear_tid; /* the lock holder's (proc.c) */

/* ---- loader.c ---------------------------------------------------------------- */
struct lx_image {
	lm_u64 entry, phdr, phnum, base, brk;
};
/* Check an ELF executable's headers and segments (everything lx_load
 * checks, without changing the map); 0 or -ENOEXEC, -ENOMEM. */
int lx_load_check(const void *img, lm_u64 size);
/* Check and load an ELF executable (ET_EXEC or static-pie ET_DYN) from
 * memory into the map; 0 or -errno. frames: 0, or the frames holding img
 * page by page (execve's buffer), which the loader may take into the
 * program's map instead of copying them: it zeroes the entries it takes. */
int lx_load(const void *img, lm_u64 size, lm_cptr_t *frames, struct lx_image *out);
/* lx_load of the file the running program was loaded from, unchanged
 * since, whose read-only segments are still mapped as loaded (mm.h,
 * lx_img_kept): those are kept, only the writable ones loaded (img need
 * hold only the headers and their bytes). */
int lx_load_keep(const void *img, lm_u64 size, lm_cptr_t *frames, struct lx_image *out);
struct lx_args;
/* Where the argument strings lie on the initial stack: /proc/self/cmdline
 * reads them there, as Linux does (a program may rewrite them). */
extern lm_u64 lx_arg_start;
/* Map the stack and build Linux's initial stack; returns the entry rsp. */
lm_u64 lx_initial_stack(const struct lx_image *im, const struct lx_args *args,
			const char *execfn);

/* ---- exec.c: execve, and the first program -------------------------------------- */
/* What execve copies from the old image: strings and pointers together at
 * most LX_ARG_MAX bytes (E2BIG beyond; Linux allows a quarter of the stack
 * limit, 2 MiB, and 32 pages per string). */
#define LX_ARG_MAX (128u << 10)
struct lx_args {
	int argc, envc;
	lm_u32 len;             /* bytes of str used */
	char str[LX_ARG_MAX];   /* argc strings, then envc strings, each with its NUL */
};
/* Append one string (args->envc must be 0 while arguments are added):
 * 0 or -E2BIG. */
int lx_args_add(struct lx_args *args, const char *s, int env);
/* Run the program at path (from dirfd, AT_* flags; the file server's tree)
 * in place of the current one. Returns only on failure (-errno), with the
 * process as it was. */
long lx_exec_path(long dirfd, const char *path, lm_u64 flags, struct lx_args *args);
/* The same for an image in memory (a boot module), named execfn. */
long lx_exec_image(const void *img, lm_u64 size, const char *execfn, struct lx_args *args);
/* signal.c (W4): at exec, handled signals back to SIG_DFL, the alternate
 * stack cleared; ignored ones, the mask and pending signals kept. */
void lx_sig_exec(void);

/* ---- mm.c: the memory map --------------------------------------------------- */
int lx_mm_init(void);
struct lm_fork_child;
/* At fork: every page's frame shared with child c, writable pages made
 * read-only here (copied on our next write). */
int lx_mm_fork_share(struct lm_fork_child *c);
/* Before lm_fork_ex: every page of a MAP_SHARED area given its frame, so
 * that the hook above can share it. 0 or -ENOMEM. */
int lx_mm_fork_prepare(void);
/* Add [lo, hi) (page-aligned, free) with PROT_* rights, mapped on touch. */
int lx_mm_add(lm_u64 lo, lm_u64 hi, lm_u32 prot);
/* Map every page of [lo, hi) now, writable (for the loader), then prot. */
int lx_mm_populate(lm_u64 lo, lm_u64 hi);
/* Move frame f (one of lm_vm_frame_get's, mapped elsewhere) to page va of
 * an area, writable; the map owns it from then on. 0 or -ENOMEM (f freed). */
int lx_page_adopt(lm_u64 va, lm_cptr_t f);
int lx_mm_protect(lm_u64 lo, lm_u64 hi, lm_u32 prot);
/* 1 if [addr, addr + len) lies in the map with every right in prot. */
int lx_mm_allows(lm_u64 addr, lm_u64 len, lm_u32 prot);
void lx_brk_init(lm_u64 start);
/* execve: every page and area of the old program released. */
void lx_mm_reset(void);
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
long lx_con_raw_write(const void *buf, lm_u64 n); /* n or -EIO */
long lx_con_raw_read(void *buf, lm_u64 n);        /* 1..n, -EINTR, -EIO; blocks */
long lx_con_raw_read_now(void *buf, lm_u64 n);    /* 0..n, -EINTR, -EIO; never waits */
/* Ask the console to signal lx_wake_ntfn (LX_WAKE_CON) on input: 0 or -1. */
int lx_con_notify(void);

/* ---- tty.c: the line discipline -------------------------------------------------- */
void lx_tty_init(void);       /* take the console's echo and line handling (CON_MODE) */
long lx_tty_write(const void *buf, lm_u64 n);
long lx_tty_read(void *buf, lm_u64 n);
int lx_tty_input_ready(int wait);
void lx_tty_pump(void);       /* take what the console has now through the discipline */
int lx_tty_fork_share(struct lm_fork_child *c); /* tty_share.c: the shared state, to a child */
void lx_tty_fork_child(void);
int lx_tty_can_wait(void);    /* 1: the console signals input, so lx_block waits for it */
void lx_tty_listen(void);     /* before a wait for input: the console's signal to us */
long lx_tty_bound(long until); /* a wait for input's deadline: until, at most 100 ms */
/* ---- jobctl.c: job control (servers/proc/stop.c, tty.c keep the state) --------- */
int lx_sig_default_stops(int sig); /* SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU */
void lx_job_stop(int sig);         /* stopped by sig until continued */
long lx_job_check(int sig);        /* SIGTTIN/SIGTTOU check: 0, -EIO, -ERESTARTSYS */
long lx_job_tcgetpgrp(void);
long lx_job_tcsetpgrp(int pgid);
long lx_job_setctty(long steal);
void lx_job_ttysig(int sig);       /* typed at the terminal: to the foreground group */
void lx_job_nocldstop(void);       /* SIGCHLD's SA_NOCLDSTOP to the manager */
/* TCGETS (set 0), TCSETS/TCSETSW (1), TCSETSF (2) */
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
void lx_fs_fork_child(void);   /* a forked child: that hello owed, said before its first request */
long lx_fs_call(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 w3, lm_u64 *r1);
/* As lx_fs_call, with ntail (<= FS_TAIL) bytes in message words 4.. (WRITE) */
long lx_fs_call_tail(lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 w3,
		     const void *tail, lm_u64 ntail, lm_u64 *r1);
lm_u64 lx_fs_write_max(void);  /* FS_WRITE_MAX, or FS_DATA without an IPC buffer */
long lx_fs_path(int second, lm_u64 upath); /* 0, -EFAULT, -ENAMETOOLONG */

/* ---- fs_block.c: waiting for the file server (lx-arch: the wake notification) - */
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
long lx_fd_lockable(long fd, lm_u64 *handle, lm_u32 *acc);
/* ---- lock.c: flock and fcntl's locks (the file server keeps them) ---- */
long lx_fcntl_lock(long fd, lm_u64 cmd, lm_u64 uarg);
void lx_lock_close(lm_u64 h);
/* fs_stat.c: stat of (handle, path in the page's path or given) */
long lx_fs_stat(lm_u64 dir, const char *path, lm_u64 flags, struct lx_stat *st);
void lx_fs_to_stat(const struct fs_stat *s, struct lx_stat *st); /* the server's record as stat's */
/* revents of fd; arm: a pipe end not ready wakes us when it changes */
short lx_fd_poll(int fd, short events, int arm, int *tty_in);
int lx_fd_room(int n); /* 1 if n more descriptors can be opened now */
/* execve: close the descriptors marked FD_CLOEXEC. */
void lx_fd_exec(void);
/* fd's access mode (O_RDONLY, O_WRONLY, O_RDWR), -EBADF if not open or O_PATH. */
long lx_fd_access(long fd);
/* The personality's own I/O on fd (sendfile.c, mmap_file.c): buf is not
 * checked (the personality's memory, or pages of the map it made
 * writable). pos >= 0: at pos, the offset unchanged (-ESPIPE for a pipe
 * or the terminal, -EISDIR); pos < 0: at the offset, as read and write.
 * -EBADF when fd is not open for that direction. */
long lx_fd_io(long fd, void *buf, lm_u64 n, long pos, int out);
/* pipe.c: a pipe end's I/O (handle h; buffers checked by the caller) */
long lx_pipe_read(lm_u64 h, lm_u64 buf, lm_u64 n);
long lx_pipe_write(lm_u64 h, lm_u64 buf, lm_u64 n);
long lx_pipe_vector(lm_u64 h, const struct lx_iovec *iov, lm_u64 cnt, lm_u64 total, int out);
#define LX_NOFILE 256
lm_u64 lx_nofile(void); /* RLIMIT_NOFILE now (proc.c), at most LX_NOFILE */
/* thread.c: the tid of the thread in slot i if it lives, 0 if not, -1 past the last */
long lx_thr_tid_at(int i);

/* ---- procfs.c, procfs_dir.c, procfs_text.c: /proc (docs/LINUX.md "/proc") ------------- */
/* lx_fd_at's answer for a path in /proc: the file server never sees one.
 * The calls that read /proc (open, stat, readlink, access, chdir) serve it
 * from procfs.c; every other caller returns it as it is: /proc is
 * read-only (EACCES). lx_fd_handle never answers -EACCES. */
#define LX_AT_PROC (-EACCES)
/* 1 if (dirfd, path) lies in /proc: it is then procfs.c's current path.
 * 0 if not; a relative path from a /proc directory that leads out of it
 * ("../etc") is then rewritten in place to the absolute path when it is
 * the page's path or path2, LX_PROC_LONG if that would not fit. */
#define LX_PROC_LONG 2
int lx_procfs_match(long dirfd, const char *path);
/* The calls on the current path (after lx_fd_at answered LX_AT_PROC): */
long lx_procfs_open(lm_u64 flags);                 /* a descriptor, or -errno */
long lx_procfs_stat(int nofollow, struct lx_stat *st);
long lx_procfs_readlink(char *out, lm_u64 size);   /* its length, or -errno */
long lx_procfs_access(lm_u64 mode);
long lx_procfs_chdir(void);
/* The working directory when it is in /proc ("/proc/..."), else 0; a
 * chdir anywhere else forgets it. */
const char *lx_procfs_cwd(void);
void lx_procfs_cwd_leave(void);
/* Descriptors of kind F_PROC (fd.c): h is procfs.c's open file. */
long lx_procfs_read(lm_u64 h, lm_u64 buf, lm_u64 n, long pos); /* pos < 0: at the offset */
long lx_procfs_seek(lm_u64 h, long off, lm_u64 whence);
long lx_procfs_getdents(lm_u64 h, lm_u64 buf, lm_u64 n);
long lx_procfs_fstat(lm_u64 h, struct lx_stat *st);
const char *lx_procfs_name(lm_u64 h);             /* "/proc/..." */
void lx_procfs_close(lm_u64 h);
/* exec.c: at every exec, the arguments kept for /proc/self/cmdline and
 * what the process manager shows of us (PM_SETINFO). */
void lx_procfs_exec(const struct lx_args *args);
void lx_procfs_report(void);
/* fd.c: what /proc/self/fd/N shows. */
long lx_fd_proc(long fd);                   /* its procfs handle, or -1 */
long lx_fd_link(long fd, char *out, lm_u64 size); /* readlink's text, or -EBADF */
int lx_fd_next(int fd);                     /* the first open descriptor >= fd, or -1 */
/* mm.c: the memory figures /proc shows: bytes of the map, pages mapped. */
void lx_mm_usage(lm_u64 *vsize, lm_u64 *rss);

/* ---- proc.c ------------------------------------------------------------------ */
extern const char *lx_execfn;           /* the program's resolved path: /proc/self/exe */
void lx_set_comm(const char *path);     /* the name prctl(PR_GET_NAME) reports */
const char *lx_comm(void);
void lx_proc_exec(void);                /* execve: FS base and clear_tid reset */
lm_u32 lx_umask(void);

/* ---- random.c ----------------------------------------------------------------- */
void lx_random(void *buf, lm_u64 n);
lm_u64 lx_rdtsc(void);

/* ---- time.c -------------------------------------------------------------------- */
void lx_time_init(void);  /* read the RTC, start the monotonic clock */
long lx_realtime_ns(void); /* CLOCK_REALTIME */
int lx_clock_ns(lm_u64 id, long *ns); /* 0, or -EINVAL for a clock there is not */

/* ---- sleep.c: sleeping, alarm and ITIMER_REAL ---------------------------------- */
/* Sleep until clock id reads `until` ns: 0, or -EINTR when a signal that is
 * not blocked is pending first. */
long lx_sleep_until(lm_u64 id, long until);
long lx_sleep_ns(long ns);  /* ns < 0: until a signal; 0 or -EINTR */
/* One wait on the wake notification, until `until` (CLOCK_MONOTONIC ns;
 * < 0: no deadline) or any wake-up: 0, or -EINTR when a signal that is not
 * blocked is pending (before or after). Terminal input that woke it has
 * gone through the line discipline (ISIG) when it returns. */
long lx_block(long until);
/* The alarm (alarm, setitimer ITIMER_REAL): raise SIGALRM if it is due.
 * Called at every wake-up and at syscall return. */
void lx_alarm_check(void);

/* ---- the wake notification (one per Linux process) ----------------------------- */
/* Who signalled: the badge of each server's copy (docs/LINUX.md). */
#define LX_WAKE_FS    1 /* file server: a pipe/handle we wait on changed */
#define LX_WAKE_PM    2 /* process manager: a child changed state, or a signal is pending */
#define LX_WAKE_TIMER 4 /* timer server: a deadline passed */
#define LX_WAKE_CON   8 /* the console: input arrived */
#define LX_WAKE_KID   16 /* a Lamina child of ours stopped (process.c) */
#define LX_WAKE_THREAD 32 /* another thread of ours: a futex wake, a signal (thread.c) */
#define LX_WAKE_MEM   64 /* the memory manager: a request, or memory taken (mm_revoke.c) */
extern lm_cptr_t lx_wake_ntfn;  /* this process's wake notification, 0 = none */
extern lm_cptr_t lx_ipcbuf_frame; /* the IPC buffer's frame, shared by our threads */
/* wake.c: make the IPC buffer and the notification (at start, and in a
 * child after fork): 0 or -ENOMEM */
int lx_wake_setup(void);
struct lm_ipc_buffer *lx_ipc_buffer(void); /* the thread's IPC buffer, or 0 */
void lx_wake_wait(void);        /* until the wake notification is signalled */
/* A copy of lx_wake_ntfn minted with `bit`, in a new slot also named in
 * the IPC buffer's send_caps[0] (for the next request); 0 on failure. */
lm_cptr_t lx_wake_mint(lm_u64 bit);
void lx_wake_unmint(lm_cptr_t slot); /* once the server has its copy */

/* ---- timer.c: the timer server's client (servers/timer) ------------------------- */
#define LX_TIMER_WAIT  0 /* the current blocking wait's deadline */
#define LX_TIMER_ALARM 1 /* alarm / ITIMER_REAL */
extern lm_cptr_t lx_timer_ep;  /* the timer server's endpoint, or 0 */
void lx_timer_init(void);      /* at start, and a forked child's first arm: TIMER_HELLO */
void lx_timer_fork_child(void); /* a forked child: TIMER_HELLO owed */
lm_u64 lx_tsc_ns(void);        /* the timer server's clock: TSC ns */
#define LX_HZ 100              /* USER_HZ: the clock ticks of times(2), si_utime, /proc */
int lx_timer_arm(int id, lm_u64 deadline_tsc_ns); /* 0, or -1 without a server */
/* A wait's deadline: LX_TIMER_WAIT armed unless an earlier one is (the
 * threads share it); 0, or -1 without a server. */
int lx_timer_wait_arm(lm_u64 deadline_tsc_ns);
void lx_timer_cancel(int id);
lm_u64 lx_wait_until(lm_u64 deadline_tsc_ns); /* the wake word; 0 if it only yielded */
lm_u64 lx_wait(void);

/* ---- signal*.c: signals (docs/LINUX.md "Signals") ---------------------------------- */
/* Make sig pending in this process with si_code `code` and si_pid `pid`
 * (a signal ignored and not blocked is dropped, as Linux does); it is
 * delivered at the end of the current system call if not blocked. */
void lx_sig_post(int sig, int code, int pid);
/* SIGCHLD as the manager gives it (PM_SIGFETCH's w2): si_pid, si_code
 * (CLD_*), si_status. */
void lx_sig_post_chld(lm_u64 w);
/* 1 if a pending signal is not blocked: a blocking call then returns
 * -ERESTARTSYS (SA_RESTART restarts it) or -EINTR / -ERESTARTNOHAND. */
int lx_sig_pending_unblocked(void);
/* execve's reset: handlers back to SIG_DFL (SIG_IGN kept), no altstack. */
void lx_sig_exec(void);
/* fork's child: the handlers, mask and alternate stack are inherited (they
 * are copied with the memory); nothing is pending. */
void lx_sig_fork_child(void);
/* The end by a signal's default action: status 128 + sig for now (the
 * process manager will record "killed by sig"). */
__attribute__((noreturn)) void lx_exit_signal(int sig);
/* A wait with a temporary mask (ppoll, pselect): set it; put the old one
 * back unless the call ends with -ERESTARTNOHAND (a handler's frame then
 * holds it, as for rt_sigsuspend). */
void lx_sig_mask_for_wait(lm_u64 mask);
void lx_sig_mask_restore(void);
/* mm.c's fallback: a fault of the program becomes a signal. */
void lx_sig_fault(struct lm_exc_frame *f);
/* The process manager's check of the signal page (linux/process.c); an
 * empty weak one until it lands. Called at every system call's end. */
void lx_proc_poll(void);
/* At the end of every reflected call: ask the entry for the exit hook if a
 * signal is to be delivered. */
static inline void lx_sig_check(long r)
{
	extern lm_u64 lx_sig_pending, lx_sig_blocked;
	extern const struct lm_resume *lx_sig_exit(struct lm_regs *r, struct lm_fpu_state *fx);

	/* clone's hook (thread.c) delivers a signal itself once the thread runs */
	if (((lx_sig_pending & ~lx_sig_blocked) || (unsigned long)(r + ERESTARTNOHAND) <= 2) &&
	    !lx_cur_args->exit)
		lx_cur_args->exit = lx_sig_exit; /* the lock stays held for it */
}

/* ---- syscall.c ------------------------------------------------------------------ */
long lx_dispatch(struct lm_sysargs *a);
void lx_syscall_report(void);
extern struct lm_sysargs *lx_cur_args; /* the call being served */

/* Every handler: the argument registers in, the result or -errno out. */
#define LX_SYS(name) long sys_##name(const lm_u64 *a)
typedef long (*lx_sys_fn)(const lm_u64 *a);

/* fd.c */
/* sendfile.c */
LX_SYS(sendfile); LX_SYS(copy_file_range);
LX_SYS(read); LX_SYS(write); LX_SYS(readv); LX_SYS(writev); LX_SYS(close);
LX_SYS(fstat); LX_SYS(newfstatat); LX_SYS(lseek); LX_SYS(ioctl); LX_SYS(fcntl);
LX_SYS(socket); LX_SYS(socketpair); LX_SYS(sockfd); /* socket.c */
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
/* exec.c */
LX_SYS(execve); LX_SYS(execveat);
/* time.c */
LX_SYS(clock_gettime); LX_SYS(clock_getres); LX_SYS(gettimeofday); LX_SYS(time);
/* sleep.c */
LX_SYS(nanosleep); LX_SYS(clock_nanosleep); LX_SYS(alarm); LX_SYS(setitimer);
LX_SYS(getitimer);
/* signal.c, signal_frame.c, signal_wait.c */
LX_SYS(rt_sigaction); LX_SYS(rt_sigprocmask); LX_SYS(sigaltstack); LX_SYS(rt_sigpending);
LX_SYS(rt_sigreturn); LX_SYS(rt_sigsuspend); LX_SYS(pause); LX_SYS(rt_sigtimedwait);
/* fs.c */
LX_SYS(getcwd); LX_SYS(chdir); LX_SYS(fchdir); LX_SYS(open); LX_SYS(openat);
LX_SYS(creat); LX_SYS(getdents64); LX_SYS(mkdir); LX_SYS(mkdirat); LX_SYS(mknod); LX_SYS(mknodat); LX_SYS(flock); LX_SYS(unlink);
LX_SYS(rmdir); LX_SYS(unlinkat); LX_SYS(rename); LX_SYS(renameat); LX_SYS(renameat2);
LX_SYS(link); LX_SYS(linkat); LX_SYS(symlink); LX_SYS(symlinkat); LX_SYS(readlink);
LX_SYS(readlinkat);
/* fs_attr.c */
LX_SYS(stat); LX_SYS(lstat); LX_SYS(statx); LX_SYS(chmod); LX_SYS(fchmod);
LX_SYS(fchmodat); LX_SYS(chown); LX_SYS(fchown); LX_SYS(lchown); LX_SYS(fchownat);
LX_SYS(utimensat); LX_SYS(truncate); LX_SYS(ftruncate);
LX_SYS(access); LX_SYS(faccessat); LX_SYS(faccessat2);
/* poll.c */
LX_SYS(poll); LX_SYS(ppoll); LX_SYS(select); LX_SYS(pselect6);
/* pipe.c */
LX_SYS(pipe); LX_SYS(pipe2);
/* random.c */
LX_SYS(getrandom);
/* procfs_text.c */
LX_SYS(sysinfo);
/* futex.c */
LX_SYS(futex);

#endif
