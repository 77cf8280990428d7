/*
 * What /proc shows of a process that is not the reader (PM_SETINFO,
 * PM_INFO; struct pm_info in pm_proto.h). The manager only stores what
 * each process reports of itself and hands it to whoever asks: names,
 * arguments and figures are the process's word, the ids and the state are
 * the manager's own.
 *
 * Bounded work: a record is PM_INFO_WORDS words, copied once each way
 * between the IPC buffer and the table; a request shorter than a record
 * is refused, so nothing of an earlier request is taken for this one.
 */
#include "pm.h"

static struct pm_info info[PM_PIDS + 1]; /* [pid]: as last reported; [0] unused */

static struct lm_ipc_buffer *const ipcbuf = (struct lm_ipc_buffer *)PM_IPCBUF_VA;

/* A new pid starts with its parent's record (a fork shows its parent's
 * name and arguments until it execs, as on Linux); a top-level one with
 * none. */
void pm_info_inherit(lm_u8 pid, lm_u8 ppid)
{
	if (pid_live(ppid))
		info[pid] = info[ppid];
	else
		info[pid] = (struct pm_info){ 0 };
}

/* PM_SETINFO + the record in words 4..: the caller's, kept. The strings
 * are cut at their last byte so a reader always finds their end. */
long pm_setinfo(struct req *q)
{
	struct pm_info *n = &info[q->pid];

	if (q->len != PM_INFO_LEN)
		return -EINVAL;
	memcpy(n, &ipcbuf->msg[4], sizeof *n);
	n->comm[sizeof n->comm - 1] = 0;
	n->exe[sizeof n->exe - 1] = 0;
	if (n->cmdline_len > sizeof n->cmdline)
		n->cmdline_len = sizeof n->cmdline;
	return 0;
}

/* PM_INFO (pid) -> 0, w1 = ppid | state << 8 | pgid << 16 | sid << 24 |
 * stop signal << 32 (stop.c; 0 unless stopped), the record in words 4..;
 * -ESRCH for a pid not in use. */
long pm_info(struct req *q)
{
	long pid = (long)q->w[0];

	if (!pid_live(pid))
		return -ESRCH;
	q->r1 = procs[pid].ppid | (lm_u64)procs[pid].state << 8 |
		(lm_u64)procs[pid].pgid << 16 | (lm_u64)procs[pid].sid << 24 |
		(lm_u64)procs[pid].stopsig << 32;
	memcpy(&ipcbuf->msg[4], &info[pid], sizeof info[pid]);
	q->rlen = PM_INFO_LEN;
	return 0;
}
