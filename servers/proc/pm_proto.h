/*
 * The process manager's protocol (servers/proc), shared with its clients:
 * the Linux personality (linux/process.c) and the shell (apps/shell.c).
 * docs/API.md ("The process manager") describes it; docs/LINUX.md how the
 * personality uses it.
 *
 * Every request is an EP_CALL on the manager's endpoint through a badged
 * capability: the badge is the caller's pid (1..PM_PIDS), or PM_BADGE_SHELL
 * for the shell. label = PM_*, w0..w3 the arguments below; the reply's w0
 * is the result (>= 0) or -errno (Linux's numbers), w1 a second result.
 * Replies marked "+ caps" carry capabilities: the caller names empty slots
 * in its IPC buffer's recv_slots[] before the call.
 *
 * A pid is also the process's badge on the file server: the manager mints
 * both, and hands out page pid-1 of the file server's client pages.
 */
#ifndef PM_PROTO_H
#define PM_PROTO_H

#include <lamina/types.h>

#define PM_PIDS        64        /* pids 1..64 */
#define PM_USER_QUOTA  48        /* processes (zombies included) one user may have */
#define PM_BADGE_SHELL 0x10000ull /* the shell's badge: PM_NEW, PM_RELEASE */
#define PM_WOULDBLOCK  1         /* w1 of a -EAGAIN reply: wait for the wake, then ask again */

/* Wake bits of a Linux process's wake notification (linux/lx.h). */
#define PM_WAKE_BIT    2         /* LX_WAKE_PM */

/* Requests: label, then (w0, w1, w2, w3). */
enum {
	PM_NEW = 1,  /* ()                        shell only -> pid + caps: fs ep, fs page, pm ep */
	PM_RELEASE,  /* (pid, status)             shell only: a top-level process ended -> 0 */
	PM_HELLO,    /* () + cap: wake ntfn       -> pid + cap: the signal page (read-only) */
	PM_FORK,     /* ()                        -> child pid + caps as PM_NEW */
	PM_EXIT,     /* (wstatus, ticks)          -> 0; the caller is a zombie (ticks:
	              *                              its CPU time, its SIGCHLD's si_utime) */
	PM_WAIT,     /* (idtype, id, options)     -> pid (0: WNOHANG, none ready), w1 = wstatus */
	PM_KILL,     /* (pid, sig)                -> 0 */
	PM_SIGFETCH, /* ()                        -> pending mask (taken), w1 = sender of the lowest */
	PM_GETPPID,  /* ()                        -> ppid (0: none) */
	PM_SETPGID,  /* (pid, pgid)               -> 0 */
	PM_GETPGID,  /* (pid)                     -> pgid */
	PM_SETSID,   /* ()                        -> the new session (= pid) */
	PM_GETSID,   /* (pid)                     -> sid */
	PM_LIST,     /* (pid)                     -> next pid in use >= pid (0: none), w1 = ppid */
	PM_SETINFO,  /* () + struct pm_info in words 4..  -> 0: what /proc shows of the caller */
	PM_INFO,     /* (pid)                     -> 0, w1 = ids, struct pm_info in words 4.. */
	/* Job control (stop.c): the caller's own stop, as its personality
	 * acts on a stop signal's default action. */
	PM_STOP,     /* (sig)                     -> 0: stopped; 1: a SIGCONT or SIGKILL
	              *                              already pending, not stopped */
	PM_STOPPED,  /* ()                        -> 1: still stopped, 0: continued */
	PM_SIGFLAGS, /* (flags)                   -> 0; PM_NOCLDSTOP: no SIGCHLD for our
	              *                              children's stops and continues */
	/* The terminal (tty.c): the console, the controlling terminal of one
	 * session, and its foreground group. */
	PM_TCGETPGRP, /* ()                       -> the foreground group; -ENOTTY: not
	               *                             our controlling terminal */
	PM_TCSETPGRP, /* (pgid, ttou_ok)          -> 0; -EINTR: we are in the background
	               *                             and SIGTTOU went to our group */
	PM_SETCTTY,  /* (steal)                   -> 0: the console is our session's */
	PM_TTYCHECK, /* (sig, ok)                 -> 0: may use the terminal; -EINTR: sig
	              *                              (SIGTTIN/SIGTTOU) went to our group;
	              *                              -EIO: background and ok (ignored) */
	PM_TTYSIG,   /* (sig)                     -> 0: sig posted to the foreground group
	              *                              (the line discipline's Ctrl-C, Ctrl-Z) */
	/* Futexes shared between processes (futex.c): a word in memory several
	 * processes map, named by a key (the frame's physical address plus
	 * the offset; linux/futex.c), a waiter by its thread's tag (0..63). */
	PM_FUTEX,    /* (PM_FUTEX_WAIT, key, tag | bits << 32) -> 0: registered (before the word's
	              *                              check); -ENOMEM: the caller has
	              *                              PM_FUTEX_PER_PID waiting already
	              * (PM_FUTEX_DONE, tag, cancel) -> 1: a wake chose it (the entry
	              *                              goes); 0: not (the entry goes
	              *                              with cancel); -ENOENT: none
	              * (PM_FUTEX_WAKE, key, n | bits << 32) -> waiters whose bits meet
	              *                              these marked woken (at most n, < 2^31),
	              *                              each one's process signalled
	              * (bits: FUTEX_*_BITSET's val3; 0 stands for all, ~0) */
	PM_NREQ
};

/* PM_WAIT's idtype (Linux's waitid values) and options. */
#define PM_P_ALL   0
#define PM_P_PID   1
#define PM_P_PGID  2
#define PM_WNOHANG 1
#define PM_WNOWAIT 2 /* leave the zombie to be waited for again (waitid) */
#define PM_WUNTRACED  4  /* report a child's stop (WUNTRACED, WSTOPPED) */
#define PM_WCONTINUED 8  /* report a child's continue */
#define PM_WNOEXIT    16 /* do not report ends (waitid without WEXITED) */

/* PM_FUTEX's operations. */
#define PM_FUTEX_WAIT 0
#define PM_FUTEX_DONE 1
#define PM_FUTEX_WAKE 2
#define PM_FUTEX_PER_PID 16 /* waiters of one process at once (its threads) */

/* PM_SIGFLAGS's flags. */
#define PM_NOCLDSTOP 1

/* What a process reports of itself for /proc (PM_SETINFO, at every exec
 * and prctl(PR_SET_NAME)) and what PM_INFO answers of any pid: the whole
 * record travels in message words 4..63 (both sides need an IPC buffer).
 * The manager keeps it as sent, but for the strings, which it cuts at
 * their last byte; a fork's child starts with its parent's. The figures
 * are as of the last report (a process's own /proc/self is fresh). */
struct pm_info {
	lm_u64 start_ns;        /* when it started, the TSC clock since boot */
	lm_u64 cpu_ns;          /* CPU time it had used */
	lm_u64 vsize;           /* bytes of its memory map */
	lm_u64 rss;             /* pages mapped */
	lm_u64 cmdline_len;     /* bytes of cmdline used: its arguments, each with its NUL */
	char comm[16];          /* the name (prctl PR_SET_NAME), NUL-terminated */
	char exe[128];          /* the executable's path, NUL-terminated */
	char cmdline[296];      /* the arguments, cut at 296 bytes */
};
#define PM_INFO_WORDS  (sizeof(struct pm_info) / 8)
#define PM_INFO_LEN    (4 + PM_INFO_WORDS) /* a PM_SETINFO request, a PM_INFO reply */
LM_STATIC_ASSERT(PM_INFO_LEN == 64, "pm_info fills message words 4..63");

/* PM_INFO's w1: the ids and state of the pid. */
#define PM_INFO_PPID(w)  ((w) & 0xff)
#define PM_INFO_STATE(w) (((w) >> 8) & 0xff)   /* 1 alive, 2 zombie */
#define PM_INFO_PGID(w)  (((w) >> 16) & 0xff)
#define PM_INFO_SID(w)   (((w) >> 24) & 0xff)
#define PM_INFO_STOPSIG(w) (((w) >> 32) & 0xff) /* stopped by this signal, or 0 */

/* The signal page: one frame per pid, written by the manager, mapped
 * read-only by the process. `posted` grows by one at every signal made
 * pending; a process that remembers the value it last saw knows, with one
 * compare and no IPC, whether to ask PM_SIGFETCH. `ppid` is what
 * PM_GETPPID would answer (0 once orphaned), kept up to date by the
 * manager, so getppid needs no IPC either. */
struct pm_sigpage {
	lm_u64 posted;
	lm_u64 pid;
	lm_u64 ppid;
};

#endif
