/*
 * proc: the process manager (protocol in pm_proto.h, docs/API.md).
 *
 * Root starts it with its endpoint (PM_SLOT_EP), the file server's endpoint
 * unbadged (to mint a badge per pid) and with FS_BADGE_PM (to tell the
 * server of forks and exits), the file server's FS_CLIENTS client pages
 * (page pid-1 is pid's) and PM_MEM_BITS of untyped memory: the signal pages
 * and its IPC buffer. It owns the pid space: a pid is a badge on its
 * endpoint and on the file server's. One thread serves every request in
 * turn, checked before anything changes; it never waits for a client
 * (replies are never held), so no client can stall it.
 */
#include "pm.h"

static struct lm_ipc_buffer *ipcbuf = (struct lm_ipc_buffer *)PM_IPCBUF_VA;
static lm_cptr_t spare; /* the empty slot a capability sent to us lands in */

static int setup(const struct lm_bootinfo *bi)
{
	static struct lm_pool pool;
	lm_cptr_t f;
	int err;

	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
	lm_pool_init(&pool, 0);
	if ((err = lm_pool_add(&pool, PM_SLOT_MEM)))
		return err;
	lm_pool_use(&pool);
	if ((err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f)) ||
	    (err = lm_map_page(LM_SLOT_VSPACE, f, PM_IPCBUF_VA, LM_R_READ | LM_R_WRITE)) ||
	    (err = lm_thread_set_ipc_buffer(LM_SLOT_TCB, f)))
		return err;
	return pm_table_init();
}

/* The table of requests: label -> handler, and who may ask. */
struct op {
	long (*fn)(struct req *q);
	int shell; /* 1: the shell only; 0: a process only */
};
static const struct op ops[PM_NREQ] = {
	[PM_NEW] = { pm_new, 1 },         [PM_RELEASE] = { pm_release, 1 },
	[PM_HELLO] = { pm_hello, 0 },     [PM_FORK] = { pm_fork, 0 },
	[PM_EXIT] = { pm_exit, 0 },       [PM_WAIT] = { pm_wait, 0 },
	[PM_KILL] = { pm_kill, 0 },       [PM_SIGFETCH] = { pm_sigfetch, 0 },
	[PM_GETPPID] = { pm_getppid, 0 }, [PM_SETPGID] = { pm_setpgid, 0 },
	[PM_GETPGID] = { pm_getpgid, 0 }, [PM_SETSID] = { pm_setsid, 0 },
	[PM_GETSID] = { pm_getsid, 0 },   [PM_LIST] = { pm_list, 0 },
	[PM_SETINFO] = { pm_setinfo, 0 }, [PM_INFO] = { pm_info, 0 },
	[PM_STOP] = { pm_stop, 0 },       [PM_STOPPED] = { pm_stopped, 0 },
	[PM_SIGFLAGS] = { pm_sigflags, 0 },
	[PM_TCGETPGRP] = { pm_tcgetpgrp, 0 }, [PM_TCSETPGRP] = { pm_tcsetpgrp, 0 },
	[PM_SETCTTY] = { pm_setctty, 0 },     [PM_TTYCHECK] = { pm_ttycheck, 0 },
	[PM_TTYSIG] = { pm_ttysig, 0 },
};

/* Decode: the caller (a live pid, or the shell) and the label. PM_KILL,
 * PM_LIST and PM_INFO are the shell's too (Ctrl-C, ps). */
static long serve(struct req *q)
{
	const struct op *o = q->label < PM_NREQ ? &ops[q->label] : 0;
	int shell = q->badge == PM_BADGE_SHELL;

	if (!o || !o->fn)
		return -ENOSYS;
	if (!shell && !pid_live((long)q->badge))
		return -ESRCH; /* no process behind this badge (any more) */
	q->pid = shell ? 0 : (lm_u8)q->badge;
	q->self = shell ? 0 : &procs[q->pid];
	if (o->shell != shell &&
	    !(shell && (q->label == PM_KILL || q->label == PM_LIST || q->label == PM_INFO)))
		return -EPERM;
	return o->fn(q);
}

int main(lm_word_t arg)
{
	static struct req q;
	struct lm_msg m;
	long r = 0;
	int owed = 0, err;

	if (setup((const struct lm_bootinfo *)arg)) {
		lm_printf("proc: cannot set up: no process manager\n");
		return 1;
	}
	for (;;) {
		if (!spare && !(spare = lm_slot_alloc()))
			lm_printf("proc: no slot for incoming capabilities\n");
		ipcbuf->recv_slots[0] = spare;
		ipcbuf->recv_slots[1] = ipcbuf->recv_slots[2] = 0;
		for (lm_u32 i = 0; i < q.ncaps; i++)
			ipcbuf->send_caps[i] = q.caps_out[i];
		if (owed)
			err = lm_ep_reply_recv(PM_SLOT_EP, LM_MSG_INFO(0, q.rlen, q.ncaps), (lm_u64)r,
					       q.r1, 0, 0, &m);
		else
			err = lm_ep_recv(PM_SLOT_EP, &m);
		owed = 0;
		if (err)
			continue;
		q = (struct req){ .badge = m.badge, .label = LM_MSG_LABEL(m.info),
				  .len = (lm_u32)LM_MSG_LEN(m.info), .rlen = 2 };
		for (int k = 0; k < 4; k++)
			q.w[k] = m.w[k];
		if (LM_MSG_NCAPS(m.info)) { /* it landed in spare: ours now */
			q.cap_in = spare;
			spare = 0;
		}
		r = serve(&q);
		if (q.cap_in) /* not taken by the handler: dropped */
			lm_obj_free(q.cap_in);
		owed = 1;
	}
}
