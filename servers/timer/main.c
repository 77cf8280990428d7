/*
 * timer: the user-level timer server (protocol in timer_proto.h, docs/API.md
 * "The timer server").
 *
 * Root starts it with the PIT's four I/O ports, the IRQ capability for
 * line 2 (the PIT), its endpoint, a notification bound both to the IRQ and
 * to its thread, and a frame for its IPC buffer (a HELLO carries a
 * capability). The shell gets a copy of the endpoint and gives each Linux
 * process a badged one (LX_SLOT_TIMER).
 *
 * One thread, one EP_RECV / EP_REPLY_RECV per event:
 *   - a notification: the PIT's count ran out. Acknowledge, signal every
 *     client whose deadline passed, set the PIT for the next deadline;
 *   - a request: checked (badge, label, id, capability), done, answered,
 *     and the PIT set again for the earliest deadline.
 * Nothing waits on a client: signalling a notification never blocks and a
 * reply goes to a caller that is waiting for it by construction.
 */
#include "timer.h"

static struct lm_ipc_buffer *ipcbuf = (struct lm_ipc_buffer *)TIMER_IPCBUF_VA;
static lm_cptr_t scratch;          /* where a client's capability lands */
static lm_cptr_t timer_wake_slots; /* + badge - 1: each client's wake notification */

/* A signal never blocks; one to a wake capability that is gone only fails. */
void timer_wake(lm_u32 client)
{
	lm_ntfn_signal(timer_wake_slots + client);
}

/* The capability a HELLO brought (in the scratch slot) becomes the
 * client's wake notification if it is one we may signal. */
static long hello(lm_u32 client, lm_u64 info)
{
	lm_u64 desc = 0;

	lm_cnode_delete(LM_SLOT_CNODE, timer_wake_slots + client);
	table_has_wake[client] = 0;
	table_clear(client);
	if (LM_MSG_NCAPS(info) != 1 ||
	    lm_cnode_identify(LM_SLOT_CNODE, scratch, &desc, 0, 0) ||
	    LM_ID_TYPE(desc) != LM_OBJ_NOTIFY || !(LM_ID_RIGHTS(desc) & LM_R_WRITE))
		return -EINVAL;
	if (lm_cnode_move(LM_SLOT_CNODE, timer_wake_slots + client, LM_SLOT_CNODE,
			  scratch))
		return -EINVAL;
	table_has_wake[client] = 1;
	return 0;
}

static long serve(const struct lm_msg *m, lm_u64 *r1)
{
	lm_u32 client = (lm_u32)m->badge - 1;

	*r1 = 0;
	if (m->badge < 1 || m->badge > TIMER_CLIENTS)
		return -EPERM; /* an unbadged copy: the shell's or root's, never a client's */
	switch (LM_MSG_LABEL(m->info)) {
	case TIMER_HELLO:
		return hello(client, m->info);
	case TIMER_ARM:
		return table_arm(client, m->w[0], m->w[1], r1);
	case TIMER_CANCEL:
		return table_cancel(client, m->w[0], r1);
	}
	return -ENOSYS;
}

static int setup(const struct lm_bootinfo *bi)
{
	int err;

	timer_khz = bi->tsc_khz;
	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
	scratch = lm_slot_alloc();
	timer_wake_slots = lm_slot_alloc_n(TIMER_CLIENTS);
	if (!scratch || !timer_wake_slots) {
		lm_printf("timer: its CNode is too small\n");
		return LM_ELIMIT;
	}
	err = lm_thread_set_ipc_buffer(LM_SLOT_TCB, TIMER_SLOT_IPCBUF);
	if (!err)
		err = lm_thread_bind_notify(LM_SLOT_TCB, TIMER_SLOT_NTFN);
	if (!err)
		err = lm_irq_set_notify(TIMER_SLOT_IRQ, TIMER_SLOT_NTFN);
	if (err) {
		lm_printf("timer: cannot set up: %s\n", lm_err_str(err));
		return err;
	}
	pit_stop();
	return 0;
}

int main(lm_word_t arg)
{
	struct lm_msg m;
	lm_u64 r1 = 0;
	long r = 0;
	int owed = 0, err;

	if (setup((const struct lm_bootinfo *)arg))
		return 1;
	for (;;) {
		/* a capability sent with any request lands here; only HELLO
		 * keeps it (moves it away) */
		lm_cnode_delete(LM_SLOT_CNODE, scratch);
		ipcbuf->recv_slots[0] = scratch;
		ipcbuf->recv_slots[1] = ipcbuf->recv_slots[2] = 0;
		if (owed)
			err = lm_ep_reply_recv(TIMER_SLOT_EP, LM_MSG_INFO(0, 2, 0), (lm_u64)r, r1, 0, 0,
					       &m);
		else
			err = lm_ep_recv(TIMER_SLOT_EP, &m);
		owed = 0;
		if (err)
			continue;
		if (m.info & LM_MSG_NOTIFY) {
			lm_irq_ack(TIMER_SLOT_IRQ);
		} else {
			r = serve(&m, &r1);
			owed = 1;
		}
		table_run();
	}
}
