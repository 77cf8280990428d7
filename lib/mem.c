/* The memory manager's client (lm/mem.h). */
#include <lm/mem.h>
#include <lm/fork.h>
#include <lm/slot.h>
#include <lm/sys.h>
#include <lm/vm.h>
#include "../servers/mem/mem_proto.h"
#include "mem_int.h"

_Static_assert(LM_MEM_CHUNK_BITS == MEM_CHUNK_BITS, "one chunk size");

static lm_cptr_t account LM_PRIVATE;
static lm_mem_ipcbuf_fn ipcbuf_of LM_PRIVATE;
struct mem_held mem_held[MEM_HELD_MAX] LM_PRIVATE;

/* A call with words w[0..2] that may send one capability (send, 0: none)
 * and bring one into dst. The IPC buffer's receive slots and badges are
 * restored after (a fault handler's refill may run while the thread was
 * setting up another call). */
int mem_call(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_u64 label, const lm_u64 w[3],
	     lm_cptr_t send, lm_cptr_t dst, struct lm_msg *m)
{
	lm_u64 slots[LM_MSG_MAX_CAPS], badges[LM_MSG_MAX_CAPS], sent = 0;
	int err;

	if (ib) {
		for (int i = 0; i < LM_MSG_MAX_CAPS; i++) {
			slots[i] = ib->recv_slots[i];
			badges[i] = ib->recv_badges[i];
			ib->recv_slots[i] = 0;
		}
		ib->recv_slots[0] = dst;
		sent = ib->send_caps[0];
		ib->send_caps[0] = send;
	}
	err = lm_ep_call(acct, LM_MSG_INFO(label, 3, ib && send ? 1 : 0), w[0], w[1], w[2], 0,
			 m);
	if (ib) {
		for (int i = 0; i < LM_MSG_MAX_CAPS; i++) {
			ib->recv_slots[i] = slots[i];
			ib->recv_badges[i] = badges[i];
		}
		ib->send_caps[0] = sent;
	}
	if (err)
		return err;
	if ((long)m->w[0] < 0)
		return (int)-(long)m->w[0];
	return LM_OK;
}

static int call(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_u64 label, lm_u64 w0,
		lm_cptr_t dst, struct lm_msg *m)
{
	const lm_u64 w[3] = { w0, 0, 0 };

	return mem_call(acct, ib, label, w, 0, dst, m);
}

static int grow(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_u64 flags, lm_cptr_t dst)
{
	const lm_u64 w[3] = { 1, flags, 0 };
	struct lm_msg m;
	int err;

	if (!ib)
		return LM_EFAULT;
	if ((err = mem_call(acct, ib, MEM_GROW, w, 0, dst, &m)))
		return err;
	return LM_MSG_NCAPS(m.info) == 1 ? LM_OK : LM_ECAP;
}

int lm_mem_grow(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_cptr_t dst)
{
	return grow(acct, ib, 0, dst);
}

int lm_mem_grow_guaranteed(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_cptr_t dst)
{
	return grow(acct, ib, MEM_GROW_GUARANTEED, dst);
}

int lm_mem_grow_shared(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_cptr_t dst)
{
	return grow(acct, ib, MEM_GROW_GUARANTEED | MEM_GROW_SHARED, dst);
}

int lm_mem_split_with(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_u64 quota,
		      lm_u64 guaranteed, lm_u64 max_accounts, lm_cptr_t dst, lm_u64 *badge)
{
	const lm_u64 w[3] = { quota, guaranteed, max_accounts };
	struct lm_msg m;
	int err;

	if (!ib)
		return LM_EFAULT;
	if ((err = mem_call(acct, ib, MEM_SPLIT, w, 0, dst, &m)))
		return err;
	if (LM_MSG_NCAPS(m.info) != 1)
		return LM_ECAP;
	*badge = m.w[0];
	return LM_OK;
}

int lm_mem_split(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_u64 quota, lm_cptr_t dst,
		 lm_u64 *badge)
{
	return lm_mem_split_with(acct, ib, quota, 0, 0, dst, badge);
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

int lm_mem_guaranteed(lm_cptr_t acct, lm_u64 *guaranteed)
{
	struct lm_msg m;
	int err = call(acct, 0, MEM_INFO, 0, 0, &m);

	if (!err)
		*guaranteed = m.w[3] >> 32;
	return err;
}

/* Remember a chunk the pool grew by (lm_mem_reclaim may give it back). */
static void held_add(lm_cptr_t s, lm_u64 paddr)
{
	for (int i = 0; i < MEM_HELD_MAX; i++)
		if (!mem_held[i].slot) {
			mem_held[i] = (struct mem_held){ s, paddr };
			return;
		}
}

/* lm_mem_guard_own: the library OS's own state in guaranteed chunks. */
static int guard_own LM_PRIVATE;
static lm_u32 piece_at LM_PRIVATE; /* the held chunk pieces came from last */
/* The program's first pieces come from the default pool (PROG_EARLY at
 * most, from our start or fork): a small program (a forked child's stack,
 * a short command after execve) asks the manager for no ordinary chunk. */
#define PROG_EARLY 4
static lm_u32 early LM_PRIVATE;

/* A new chunk of the account in a new slot *s (guaranteed: the tree's
 * shared guarantee, else none left: an ordinary one). */
static int chunk_new(int guaranteed, lm_cptr_t *s)
{
	struct lm_ipc_buffer *ib = ipcbuf_of ? ipcbuf_of() : 0;
	int err;

	if (!account || !(*s = lm_slot_alloc()))
		return LM_ENOMEM;
	err = guaranteed ? lm_mem_grow_shared(account, ib, *s) : LM_ENOMEM;
	if (err == LM_ENOMEM)
		err = lm_mem_grow(account, ib, *s);
	if (err)
		lm_slot_free(*s);
	return err;
}

/* The default pool's refill hook: one chunk, added whole. With
 * guard_own the default pool is the library OS's own (kernel objects, its
 * own frames): a guaranteed chunk while the tree's guarantee lasts, not
 * held (never offered back). */
static int refill(struct lm_pool *p, lm_u32 size_bits)
{
	lm_cptr_t s;
	int err;

	if (size_bits > MEM_CHUNK_BITS || (err = chunk_new(guard_own, &s)))
		return LM_ENOMEM;
	if ((err = lm_pool_add_whole(p, s))) {
		lm_obj_free(s); /* the pool is full: charged until the account ends */
		return err;
	}
	if (!guard_own)
		held_add(s, p->ut[p->n - 1].paddr);
	return LM_OK;
}

/* The program's frame chunks with guard_own (lm_vm_set_piece_source): cut
 * from the ordinary chunks held, the one cut last first, else from a new
 * one. So the program's pages share chunks with nothing of the library
 * OS's, and a chunk the program no longer uses is wholly free. */
static int prog_piece(lm_u32 bits, lm_cptr_t *out, int *kept)
{
	lm_cptr_t s = lm_slot_alloc(), c;
	lm_u64 paddr;
	int err = LM_ENOMEM;

	if (!s)
		return LM_ELIMIT;
	if (early < PROG_EARLY) {
		lm_slot_free(s);
		early++;
		*kept = 1;
		return lm_pool_alloc(lm_pool_current(), LM_OBJ_UNTYPED, bits, out);
	}
	for (lm_u32 k = 0; k < MEM_HELD_MAX && err; k++) {
		lm_u32 i = (piece_at + k) % MEM_HELD_MAX;

		if (mem_held[i].slot &&
		    !(err = lm_untyped_retype(mem_held[i].slot, LM_OBJ_UNTYPED, bits, LM_SLOT_CNODE,
					      s, 1)))
			piece_at = i;
	}
	if (err && !(err = chunk_new(0, &c))) {
		lm_cnode_identify(LM_SLOT_CNODE, c, 0, &paddr, 0);
		held_add(c, paddr);
		err = lm_untyped_retype(c, LM_OBJ_UNTYPED, bits, LM_SLOT_CNODE, s, 1);
	}
	if (err) {
		lm_slot_free(s);
		return err;
	}
	*out = s;
	*kept = 0;
	return LM_OK;
}

void lm_mem_fork_patch_early(lm_u64 delta)
{
	*(lm_u32 *)((char *)&early + delta) = 0;
}

int lm_mem_guard_own(void)
{
	lm_u64 g;
	int err;

	if (!account)
		return LM_ECAP;
	if ((err = lm_mem_guaranteed(account, &g)))
		return err;
	if (!g)
		return LM_ENOMEM;
	guard_own = 1;
	lm_vm_set_piece_source(prog_piece);
	return LM_OK;
}

int lm_mem_guarding(void)
{
	return guard_own;
}

void lm_mem_use(lm_cptr_t acct, lm_mem_ipcbuf_fn ib)
{
	account = acct;
	ipcbuf_of = ib;
	guard_own = 0; /* until lm_mem_guard_own, for this account */
	lm_vm_set_piece_source(0);
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
