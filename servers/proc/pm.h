/*
 * The process manager's internals (servers/proc). One table of PM_PIDS
 * processes, indexed by pid; every request is decoded and checked by the
 * file that serves it before anything changes, and nothing here blocks on
 * a client's behalf: "not yet" is an answer (-EAGAIN, PM_WOULDBLOCK) and
 * the client is woken through its wake notification when something changes.
 */
#ifndef PM_H
#define PM_H

#include <lm/lamina.h>
#include "pm_proto.h"
#include "pm_srv.h"
#include "../fs/fs_proto.h"

/* Linux's errno and signal numbers (the manager serves Linux processes):
 * the personality's ABI header, the one place they are written. */
#include "../../linux/abi.h"

#define SIGBIT(s) (1ull << ((s) - 1))
#define STOP_SIGS (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define NSIG    64

#define PM_SIGPAGE_VA 0x600000000ull /* pid p's signal page at + (p-1) * 4 KiB */
#define PM_IPCBUF_VA  0x5ff000000ull
#define PM_REAPER     0xff           /* ppid of an orphan: reaped at its exit */

enum { P_FREE, P_ALIVE, P_ZOMBIE };
enum { REPORT_NONE, REPORT_STOP, REPORT_CONT };

/*
 * A process. ppid: 0 for a top-level process (the shell's, released by
 * PM_RELEASE), PM_REAPER for an orphan, else its parent's pid, which is
 * then alive. top: the pid of the top-level process it descends from (the
 * Lamina process tree PM_RELEASE ends). The capabilities are this
 * incarnation's: minted or copied at its start, revoked when it is reaped,
 * so a dead pid's leftovers never speak for the next process of that pid.
 */
struct proc {
	lm_u8 state, ppid, pgid, sid, top;
	lm_u8 leader;              /* made its session with PM_SETSID (a
				    * top-level process's session is the
				    * shell's, named by the process's pid) */
	lm_u32 wstatus;            /* a zombie's, in wait4's format */
	lm_u8 stopsig;             /* alive and stopped by this signal, or 0 */
	lm_u8 report;              /* REPORT_*: a stop or continue its parent's
				    * wait has not been told of yet */
	lm_u8 nocldstop;           /* its SIGCHLD has SA_NOCLDSTOP (PM_SIGFLAGS) */
	lm_u8 hello;               /* it said PM_HELLO: a personality runs that
				    * takes its signals; before, SIGKILL ends
				    * it here (nothing else would) */
	lm_u64 pending;            /* signals 1..64 as bits 0..63 */
	lm_u8 sender[NSIG + 1];    /* who sent each pending signal (the first:
				    * a signal pending is not queued again) */
	lm_u16 chld;               /* the pending SIGCHLD's si_status << 8 | si_code */
	lm_u32 chld_ticks;         /* and its si_utime: the child's CPU time */
	lm_u32 ticks;              /* a zombie's CPU time in clock ticks (PM_EXIT) */
	lm_cptr_t fs_ep, pm_ep;    /* minted with badge pid */
	lm_cptr_t page;            /* copy of the file server's client page pid-1 */
	lm_cptr_t sig_ro;          /* read-only copy of its signal page */
	lm_cptr_t wake;            /* its wake notification (PM_HELLO), or 0 */
	lm_cptr_t timer_ep;        /* the timer server's, minted with badge pid, or 0 */
};

/* The request being served: decoded message, and what the reply carries. */
struct req {
	lm_u64 badge, label, w[4];
	lm_u32 len;                /* the request's words; those past 4 are in
				    * the IPC buffer's msg[] until the reply */
	lm_u32 rlen;               /* the reply's words: 2, or more written to
				    * the IPC buffer's msg[4..] by the handler */
	lm_cptr_t cap_in;          /* a capability that came with it, or 0 */
	lm_u64 r1, r2;             /* the reply's w1, w2 (rlen 3) */
	lm_cptr_t caps_out[3];     /* capabilities the reply carries */
	lm_u32 ncaps;
	struct proc *self;         /* the caller, 0 for the shell */
	lm_u8 pid;                 /* the caller's pid, 0 for the shell */
};

extern struct proc procs[PM_PIDS + 1]; /* [0] unused */
extern lm_cptr_t pm_sigframe[PM_PIDS + 1];

static inline struct pm_sigpage *sigpage(lm_u8 pid)
{
	return (struct pm_sigpage *)(PM_SIGPAGE_VA + (lm_u64)(pid - 1) * LM_PAGE_SIZE);
}

static inline int pid_live(long pid)
{
	return pid >= 1 && pid <= PM_PIDS && procs[pid].state != P_FREE;
}

/* table.c */
int pm_table_init(void);
long pm_new(struct req *q);
long pm_fork(struct req *q);
long pm_release(struct req *q);
long pm_hello(struct req *q);
void pm_free(lm_u8 pid);
void pm_give_caps(struct req *q, lm_u8 pid);
/* wait.c */
long pm_exit(struct req *q);
long pm_wait(struct req *q);
void pm_exit_proc(lm_u8 pid, lm_u32 wstatus);
/* signal.c */
long pm_kill(struct req *q);
long pm_sigfetch(struct req *q);
void pm_post(lm_u8 pid, int sig, lm_u8 from);
/* SIGCHLD to child's parent (if any, and not the reaper): code CLD_*, status as si_status. */
void pm_post_chld(lm_u8 child, int code, int status);
/* stop.c */
long pm_stop(struct req *q);
long pm_stopped(struct req *q);
long pm_sigflags(struct req *q);
void pm_stop_post(lm_u8 pid, int sig);
int pm_wait_report(struct req *q, lm_u8 c, lm_u64 opt);
/* tty.c */
long pm_tcgetpgrp(struct req *q);
long pm_tcsetpgrp(struct req *q);
long pm_setctty(struct req *q);
long pm_ttycheck(struct req *q);
long pm_ttysig(struct req *q);
void pm_tty_session(lm_u8 sid);
/* group.c */
/* pid is about to end: SIGHUP and SIGCONT to the groups it orphans that have a stopped member. */
void pm_orphan_exit(lm_u8 pid);
/* No live member of group g has its parent in another group of the session. */
int pm_group_orphaned(lm_u8 g);
long pm_getppid(struct req *q);
long pm_setpgid(struct req *q);
long pm_getpgid(struct req *q);
long pm_setsid(struct req *q);
long pm_getsid(struct req *q);
long pm_list(struct req *q);
/* futex.c */
long pm_futex(struct req *q);
void pm_futex_drop(lm_u8 pid);
/* info.c */
long pm_setinfo(struct req *q);
long pm_info(struct req *q);
void pm_info_inherit(lm_u8 pid, lm_u8 ppid);

#endif
