/*
 * The server's clients as such: their wake notifications and the
 * requests that concern a badge rather than a file (FS_HELLO, FS_FORK,
 * FS_DROP).
 *
 * A capability can only arrive in a slot named before the receive, when
 * the sender is not yet known: one empty slot (`spare`) is always offered
 * in the IPC buffer's recv_slots[0]. FS_HELLO's notification is kept as
 * the badge's wake cap (the spare becomes that badge's slot and a new
 * spare is taken); a capability sent with any other request is deleted.
 * So the server holds at most FS_CLIENTS wake caps and one spare slot,
 * whatever its clients send.
 */
#include "fs.h"

#define FS_IPC_VA 0x4ff000000ull /* the server's IPC buffer */

static struct lm_ipc_buffer *ipcb;
static lm_cptr_t spare;
static lm_cptr_t wake[FS_CLIENTS + 1]; /* [b]: badge b's notification, 0 = none */

/* Without an IPC buffer the server still serves: no wake-ups (a client
 * that would block polls), and WRITE carries at most FS_DATA bytes. */
void fs_clients_init(void)
{
	lm_cptr_t f;

	if (lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f) ||
	    lm_map_page(LM_SLOT_VSPACE, f, FS_IPC_VA, LM_R_READ | LM_R_WRITE) ||
	    lm_thread_set_ipc_buffer(LM_SLOT_TCB, f)) {
		lm_printf("fs: no IPC buffer: clients get no wake-ups\n");
		return;
	}
	ipcb = (struct lm_ipc_buffer *)FS_IPC_VA;
	spare = lm_slot_alloc();
	ipcb->recv_slots[0] = spare;
}

/* Message words 4.. of the request just received (0: no IPC buffer). */
const lm_u64 *fs_msg_words(void)
{
	return ipcb ? &ipcb->msg[LM_MSG_REG_WORDS] : 0;
}

/* A capability came with a request that takes none: it goes. */
void fs_discard_cap(void)
{
	if (spare)
		lm_cnode_delete(LM_SLOT_CNODE, spare);
}

static void drop_wake(lm_u64 b)
{
	if (!wake[b])
		return;
	lm_cnode_delete(LM_SLOT_CNODE, wake[b]);
	lm_slot_free(wake[b]);
	wake[b] = 0;
}

void fs_wake(lm_u64 badges)
{
	for (lm_u64 b = 1; b <= FS_CLIENTS; b++)
		if ((badges & BADGE_BIT(b)) && wake[b])
			lm_ntfn_signal(wake[b]);
}

static int is_notification(lm_cptr_t s)
{
	lm_u64 desc;

	return !lm_cnode_identify(LM_SLOT_CNODE, s, &desc, 0, 0) &&
	       LM_ID_TYPE(desc) == LM_OBJ_NOTIFY;
}

/* (fresh) + at most one notification: the badge's wake cap. */
static long hello(struct fs_req *q, lm_u64 ncaps)
{
	if ((q->w[0] & ~(lm_u64)FS_HELLO_FRESH) || (ncaps && !is_notification(spare))) {
		if (ncaps)
			fs_discard_cap();
		return -EINVAL;
	}
	if (q->w[0] & FS_HELLO_FRESH) {
		h_release_all(q->badge);
		lock_badge_gone(q->badge);
	}
	drop_wake(q->badge);
	if (ncaps) {
		wake[q->badge] = spare;
		spare = lm_slot_alloc(); /* 0: no slot left, capabilities are refused */
		ipcb->recv_slots[0] = spare;
	}
	return 0;
}

static int client_badge(lm_u64 b)
{
	return b >= 1 && b <= FS_CLIENTS;
}

/* HELLO from a client; FORK and DROP from FS_BADGE_PM (main.c checked). */
long fs_serve_client(struct fs_req *q, lm_u64 ncaps)
{
	lm_u64 a = q->w[0], b = q->w[1];

	switch (q->label) {
	case FS_HELLO:
		return hello(q, ncaps);
	case FS_FORK:
		if (!client_badge(a) || !client_badge(b) || a == b)
			return -EINVAL;
		if (h_held_by(b))
			return -EBUSY; /* a badge is reused only after FS_DROP */
		drop_wake(b);
		h_fork(a, b);
		return 0;
	case FS_DROP:
		if (!client_badge(a))
			return -EINVAL;
		h_release_all(a);
		lock_badge_gone(a);
		drop_wake(a);
		return 0;
	}
	return -ENOSYS;
}
