/*
 * Listing /proc's directories (getdents64 on an F_PROC descriptor). A
 * listing is made as it is read, from a cursor (the open file's pos), so
 * that no buffer bounds it: /proc's own entries, then the pids the
 * process manager has in use from the cursor on (one PM_LIST each), as
 * Linux lists them; a pid's files; our own descriptors. lseek(fd, 0,
 * SEEK_SET) rewinds.
 */
#include "procfs.h"

#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10
#define PIDPOS (1ull << 20) /* cursor of the pids: PIDPOS + the next pid to ask for */

struct entry {
	char name[24];
	int type;
	lm_u64 next;          /* the cursor after it */
};

/* The next pid in use from `from` on (0: none): the manager's, or only
 * ourselves without one. */
static long next_pid(long from)
{
	long r = lx_pm_call(PM_LIST, (lm_u64)from, 0, 0, 0);

	if (r == -ENOSYS)
		return from <= lx_pid ? lx_pid : 0;
	return r < 0 ? 0 : r;
}

static int root_entry(lm_u64 pos, struct entry *e)
{
	lm_u64 ntop = 0;
	long pid;

	while (lx_procfs_top_name((int)ntop))
		ntop++;
	if (pos < 2 + ntop) {
		lx_strcpy(e->name, lx_procfs_top_name((int)pos - 2));
		e->type = DT_REG;
		e->next = pos + 1;
		return 1;
	}
	if (pos == 2 + ntop) {
		lx_strcpy(e->name, "self");
		e->type = DT_LNK;
		e->next = PIDPOS + 1;
		return 1;
	}
	pid = next_pid(pos < PIDPOS ? 1 : (long)(pos - PIDPOS));
	if (pid <= 0)
		return 0;
	lm_snprintf(e->name, sizeof e->name, "%ld", pid);
	e->type = DT_DIR;
	e->next = PIDPOS + (lm_u64)pid + 1;
	return 1;
}

static int pid_entry(lm_u64 pos, struct entry *e)
{
	static const char *const links[] = { "exe", "fd", "task" };
	lm_u64 i = pos - 2, nfiles = 0;

	while (lx_procfs_pid_files[nfiles])
		nfiles++;
	if (i < nfiles)
		lx_strcpy(e->name, lx_procfs_pid_files[i]);
	else if (i < nfiles + 3)
		lx_strcpy(e->name, links[i - nfiles]);
	else
		return 0;
	e->type = i < nfiles ? DT_REG : i == nfiles ? DT_LNK : DT_DIR;
	e->next = pos + 1;
	return 1;
}

/* /proc/<pid>/task: our threads by slot (cursor 2 + slot), or another
 * process's first thread only. */
static int task_entry(long pid, lm_u64 pos, struct entry *e)
{
	long tid = 0;
	int slot = (int)(pos - 2);

	if (pid != lx_pid) {
		if (pos != 2)
			return 0;
		tid = pid;
	} else {
		while ((tid = lx_thr_tid_at(slot)) == 0)
			slot++;
		if (tid < 0)
			return 0;
	}
	lm_snprintf(e->name, sizeof e->name, "%ld", tid);
	e->type = DT_DIR;
	e->next = (lm_u64)slot + 3;
	return 1;
}

int lx_procfs_is_task(long pid, long tid)
{
	long t;

	if (pid != lx_pid || tid == pid)
		return tid == pid;
	for (int slot = 0; (t = lx_thr_tid_at(slot)) >= 0; slot++)
		if (t == tid)
			return 1;
	return 0;
}

/* The entry at cursor pos of directory f (pos >= 2), if there is one. */
static int entry_at(const struct pf *f, lm_u64 pos, struct entry *e)
{
	int fd;

	if (f->node.kind == PN_ROOT)
		return root_entry(pos, e);
	if (f->node.kind == PN_PID)
		return pid_entry(pos, e);
	if (f->node.kind == PN_TASKDIR)
		return task_entry(f->node.pid, pos, e);
	if (f->node.pid != lx_pid || (fd = lx_fd_next((int)(pos - 2))) < 0)
		return 0; /* another process's descriptors are not known here */
	lm_snprintf(e->name, sizeof e->name, "%d", fd);
	e->type = DT_LNK;
	e->next = (lm_u64)fd + 3;
	return 1;
}

long lx_procfs_getdents(lm_u64 h, lm_u64 buf, lm_u64 n)
{
	struct pf *f = &lx_pf[h];
	lm_u64 used = 0;
	struct entry e;

	if (!(f->node.kind == PN_ROOT || f->node.kind == PN_PID || f->node.kind == PN_FDDIR ||
	      f->node.kind == PN_TASKDIR))
		return -ENOTDIR;
	for (;;) {
		if (f->pos < 2) {
			lx_strcpy(e.name, f->pos ? ".." : ".");
			e.type = DT_DIR;
			e.next = f->pos + 1;
		} else if (!entry_at(f, f->pos, &e)) {
			break;
		}
		lm_u64 len = strlen(e.name), rec = (19 + len + 1 + 7) & ~7ull;
		if (used + rec > n)
			return used ? (long)used : -EINVAL; /* not even one fits */
		char *d = (char *)(buf + used); /* the caller checked [buf, buf + n) */
		lm_u64 ino = (lm_u64)f->node.pid << 16 | f->pos, off = e.next;
		lm_u16 reclen = (lm_u16)rec;
		memcpy(d, &ino, 8);
		memcpy(d + 8, &off, 8);
		memcpy(d + 16, &reclen, 2);
		d[18] = (char)e.type;
		memset(d + 19, 0, rec - 19);
		memcpy(d + 19, e.name, len);
		used += rec;
		f->pos = e.next;
	}
	return (long)used;
}
