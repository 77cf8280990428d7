/*
 * mem: the memory manager (protocol in mem_proto.h, docs/API.md "Memory
 * manager", design in docs/DESIGN.md).
 *
 * Root starts it with its endpoint (MEM_SLOT_EP, all rights: it receives
 * and mints a badge per account), a little memory of its own
 * (MEM_SLOT_OWN) and the memory it lends (MEM_SLOT_UT..). It cuts that in
 * chunks at the start and never makes anything else from it. One thread
 * serves every request in turn; each takes bounded work (a table scan per
 * level of the account tree, a revoke per chunk taken back) and no reply
 * is ever held, so no client can stall it or the others.
 */
#include "mem.h"

static struct lm_ipc_buffer *ipcbuf = (struct lm_ipc_buffer *)MEM_IPCBUF_VA;

static int setup(const struct lm_bootinfo *bi)
{
	static struct lm_pool pool;
	lm_cptr_t f;
	int err;

	if (!bi || bi->magic != LM_BOOTINFO_MAGIC)
		return LM_EINVAL;
	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
	lm_pool_init(&pool, 0);
	if ((err = lm_pool_add(&pool, MEM_SLOT_OWN)))
		return err;
	lm_pool_use(&pool);
	if ((err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f)) ||
	    (err = lm_map_page(LM_SLOT_VSPACE, f, MEM_IPCBUF_VA, LM_R_READ | LM_R_WRITE)) ||
	    (err = lm_thread_set_ipc_buffer(LM_SLOT_TCB, f)))
		return err;
	if ((err = chunk_init()))
		return err;
	account_init();
	clock_init(bi, ipcbuf);
	return LM_OK;
}

/* One request: the result in r[0] (>= 0, or a negative LM_E*), more words
 * in r[1..3]; a cap to send in *cap, moved when *move. `lend` is our empty
 * slot for a cap to send, `got` the receive slot (a cap the caller sent,
 * or empty). */
static void serve(const struct lm_msg *m, lm_cptr_t lend, lm_cptr_t got, lm_u64 r[4],
		  lm_cptr_t *cap, int *move)
{
	struct account *a = account_of(m->badge);
	lm_u64 label = LM_MSG_LABEL(m->info), w[4] = { 0 };

	/* Words the caller did not send are 0, whatever the registers held. */
	for (lm_u64 i = 0; i < 4 && i < LM_MSG_LEN(m->info); i++)
		w[i] = m->w[i];
	if (!a) {
		r[0] = (lm_u64)-LM_ENOENT; /* an account closed while its holder called */
		return;
	}
	switch (label) {
	case MEM_GROW:
		if (w[0] == 0) {
			r[0] = (lm_u64)-LM_ERANGE;
			break;
		}
		r[0] = (lm_u64)account_grow(a, w[1], lend, &r[1]);
		if ((long)r[0] > 0) {
			*cap = lend;
			*move = 1;
		}
		break;
	case MEM_SPLIT:
		r[0] = (lm_u64)account_split(a, w, cap, &r[1]);
		break;
	case MEM_CLOSE:
		r[0] = (lm_u64)account_close(a, w[0]);
		break;
	case MEM_INFO:
		r[0] = a->quota;
		r[1] = a->use;
		r[2] = nfree;
		r[3] = m->badge | (lm_u64)a->guar << 32;
		break;
	case MEM_LIST:
		r[0] = (lm_u64)account_list(a, w[0], r);
		break;
	case MEM_REGISTER:
		r[0] = (lm_u64)revoke_register(a, LM_MSG_NCAPS(m->info) ? got : 0, lend);
		if (r[0] == 0) {
			*cap = lend;
			*move = 1;
		}
		break;
	case MEM_REQUEST:
		r[0] = (lm_u64)revoke_request(a, w);
		break;
	case MEM_RETURN:
		r[0] = (lm_u64)revoke_return(a, w[0]);
		break;
	case MEM_ENFORCE:
		r[0] = (lm_u64)revoke_enforce(a, w[0]);
		break;
	case MEM_ACK:
		r[0] = (lm_u64)revoke_ack(a, w[0]);
		break;
	case MEM_MAPPED:
		r[0] = (lm_u64)mapped_declare(a, w);
		break;
	default:
		r[0] = (lm_u64)-LM_ENOSYS;
	}
}

int main(lm_word_t arg)
{
	lm_cptr_t lend, got;
	struct lm_msg m;
	int owed = 0, err;

	if (setup((const struct lm_bootinfo *)arg) || !(lend = lm_slot_alloc()) ||
	    !(got = lm_slot_alloc())) {
		lm_printf("mem: cannot set up: no memory manager\n");
		return 1;
	}
	lm_u64 r[4] = { 0 };
	lm_cptr_t cap = 0;
	int move = 0;
	for (;;) {
		ipcbuf->recv_slots[0] = got;
		ipcbuf->recv_slots[1] = ipcbuf->recv_slots[2] = 0;
		ipcbuf->send_caps[0] = cap;
		if (owed)
			err = lm_ep_reply_recv(MEM_SLOT_EP,
					       LM_MSG_INFO(0, 4, cap ? 1 : 0) |
						       (move ? LM_MSG_MOVE : 0),
					       r[0], r[1], r[2], r[3], &m);
		else
			err = lm_ep_recv(MEM_SLOT_EP, &m);
		owed = 0;
		/* A chunk the reply could not move (no receive slot) stays lent,
		 * charged until its account closes; the slot is ours again. */
		lm_cnode_delete(LM_SLOT_CNODE, lend);
		if (err || (m.info & LM_MSG_NOTIFY)) {
			lm_cnode_delete(LM_SLOT_CNODE, got);
			if (!err) { /* the timer server: a deadline passed */
				clock_fired();
				revoke_sweep();
			}
			cap = 0;
			continue;
		}
		/* Deadlines that passed while we waited, before what the
		 * message may ask of the accounts concerned. */
		revoke_sweep();
		r[0] = r[1] = r[2] = r[3] = 0;
		cap = 0;
		move = 0;
		serve(&m, lend, got, r, &cap, &move);
		/* A cap the caller sent and the request did not keep. */
		lm_cnode_delete(LM_SLOT_CNODE, got);
		owed = 1;
	}
}
