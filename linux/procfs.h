/*
 * /proc's internals (procfs.c: paths and descriptors; procfs_dir.c:
 * listing directories; procfs_text.c: the files' contents and what the
 * process reports of itself). lx.h has what the rest of the personality
 * calls.
 */
#ifndef LX_PROCFS_H
#define LX_PROCFS_H

#include "lx.h"
#include "../servers/proc/pm_proto.h"

#define PF_MAX  8         /* /proc files open at once in a process (ENFILE beyond) */
#define PF_BUF  4096      /* a file's contents at most: made at open */
#define PF_PATH 64        /* a path below /proc that names anything fits */
#define PF_DEV  0x16      /* the device /proc's files show (0,22 as on Linux) */

/* What a path names. */
enum { PN_ROOT = 1, PN_SELF, PN_TOP, PN_PID, PN_FILE, PN_EXE, PN_FDDIR, PN_FD, PN_TASKDIR };
struct pnode {
	int kind;
	int top;              /* PN_TOP: index in procfs_text.c's table */
	int file;             /* PN_FILE: index in procfs.c's pid_files */
	long pid;             /* PN_PID and below */
	long fd;              /* PN_FD */
};

/* An open /proc file: an F_PROC descriptor's handle is its index. */
struct pf {
	int used;
	struct pnode node;
	char name[PF_PATH + 8]; /* "/proc/...", self followed */
	lm_u64 pos;           /* files: the offset; directories: the listing's cursor */
	lm_u64 len;
	int made;             /* buf holds the contents (made at the first read) */
	char buf[PF_BUF];     /* a file's contents */
};
extern struct pf lx_pf[PF_MAX];

/* A process as /proc shows it: the manager's ids (PM_INFO's w1) and its
 * record; for ourselves, the record made fresh. */
struct lx_pview {
	long pid;
	lm_u64 ids;
	struct pm_info info;
	const char *args;      /* the arguments, each with its NUL */
	lm_u64 args_len;
};
long lx_procfs_view(long pid, struct lx_pview *v); /* 0, -ESRCH */
/* Whether tid is a thread of process pid: any of ours (thread.c), only
 * the first of another's (its threads are its own to know). */
int lx_procfs_is_task(long pid, long tid);

/* procfs_text.c: the system's files, by name; their contents. */
int lx_procfs_top(const char *name);           /* index, or -1 */
const char *lx_procfs_top_name(int i);         /* 0 past the last */
lm_u64 lx_procfs_text(const struct pnode *n, const struct lx_pview *v, char *buf, lm_u64 size);
extern const char *const lx_procfs_pid_files[]; /* a pid's files, 0-terminated */

/* fd.c: a descriptor for open /proc file h. */
long lx_fd_open_proc(lm_u64 h, int dir, lm_u32 flags);
/* pm.c: PM_INFO and PM_SETINFO (the record in the IPC buffer's words 4..) */
long lx_pm_info(long pid, lm_u64 *ids, struct pm_info *out);
struct pm_info *lx_pm_setinfo_record(void);
long lx_pm_setinfo_send(void);

#endif
