/* The memory manager's client (lm/mem.h). */
#include <lm/mem.h>
#include <lm/fork.h>
#include <lm/slot.h>
#include <lm/sys.h>
#include "../servers/mem/mem_proto.h"

_Static_assert(LM_MEM_CHUNK_BITS == MEM_CHUNK_BITS, "one chunk size");

static lm_cptr_t account LM_PRIVATE;
static lm_mem_ipcbuf_fn ipcbuf_of LM_PRIVATE;

/* A call that may bring one capability into dst. The IPC buffer's receive
 * slots and badges are restored after (a fault handler's refill may run
 * while the thread was setting up another call). */
static int call(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_u64 label, lm_u64 w0,
		lm_cptr_t dst, struct lm_msg *m)
{
	lm_u64 slots[LM_MSG_MAX_CAPS], badges[LM_MSG_MAX_CAPS];
	int err;

	if (ib) {
		for (int i = 0; i < LM_MSG_MAX_CAPS; i++) {
			slots[i] = ib->recv_slots[i];
			badges[i] = ib->recv_badges[i];
			ib->recv_slots[i] = 0;
		}
		ib->recv_slots[0] = dst;
	}
	err = lm_ep_call(acct, LM_MSG_INFO(label, 1, 0), w0, 0, 0, 0, m);
	if (ib)
		for (int i = 0; i < LM_MSG_MAX_CAPS; i++) {
			ib->recv_slots[i] = slots[i];
			ib->recv_badges[i] = badges[i];
		}
	if (err)
		return err;
	if ((long)m->w[0] < 0)
		return (int)-(long)m->w[0];
	return LM_OK;
}

int lm_mem_grow(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_cptr_t dst)
{
	struct lm_msg m;
	int err;

	if (!ib)
		return LM_EFAULT;
	if ((err = call(acct, ib, MEM_GROW, 1, dst, &m)))
		return err;
	return LM_MSG_NCAPS(m.info) == 1 ? LM_OK : LM_ECAP;
}

int lm_mem_split(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_u64 quota, lm_cptr_t dst,
		 lm_u64 *badge)
{
	struct lm_msg m;
	int err;

	if (!ib)
		return LM_EFAULT;
	if ((err = call(acct, ib, MEM_SPLIT, quota, dst, &m)))
		return err;
	if (LM_MSG_NCAPS(m.info) != 1)
		return LM_ECAP;
	*badge = m.w[0];
	return LM_OK;
}

int lm_mem_close(lm_cptr_t acct, lm_u64 badge, lm_u64 *chunks)
{
	struct lm_msg m;
	int err = call(acct, 0, MEM_CLOSE, badge, 0, &m);

	if (!err && chunks)
		*chunks = m.w[0];
	return err;
}

int lm_mem_info(lm_cptr_t acct, lm_u64 *quota, lm_u64 *use, lm_u64 *free)
{
	struct lm_msg m;
	int err = call(acct, 0, MEM_INFO, 0, 0, &m);

	if (err)
		return err;
	*quota = m.w[0];
	*use = m.w[1];
	*free = m.w[2];
	return LM_OK;
}

/* The default pool's refill hook: one chunk, added whole. */
static int refill(struct lm_pool *p, lm_u32 size_bits)
{
	lm_cptr_t s;
	int err;

	if (size_bits > MEM_CHUNK_BITS || !account || !(s = lm_slot_alloc()))
		return LM_ENOMEM;
	if ((err = lm_mem_grow(account, ipcbuf_of ? ipcbuf_of() : 0, s))) {
		lm_slot_free(s);
		return err;
	}
	if ((err = lm_pool_add_whole(p, s)))
		lm_obj_free(s); /* the pool is full: charged until the account ends */
	return err;
}

void lm_mem_use(lm_cptr_t acct, lm_mem_ipcbuf_fn ib)
{
	account = acct;
	ipcbuf_of = ib;
	lm_pool_set_refill(acct ? refill : 0);
}

lm_cptr_t lm_mem_account(void)
{
	return account;
}

struct lm_ipc_buffer *lm_mem_ipcbuf(void)
{
	return ipcbuf_of ? ipcbuf_of() : 0;
}
