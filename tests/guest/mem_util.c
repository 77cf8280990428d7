/* Helpers of the memory manager's tests (mem_test.h). */
#include "harness.h"
#include <lm/mem.h>
#include "../../servers/mem/mem_proto.h"
#include "../../servers/mem/mem_srv.h"
#include "mem_test.h"

struct lm_ipc_buffer *mt_ib;
lm_cptr_t mt_ep; /* the manager's endpoint, unbadged */
lm_cptr_t mt_timer; /* given to the next manager as its timer server, if set */

/* A manager lending 2^(MEM_CHUNK_BITS + lg) bytes; the root account's
 * endpoint in *root. */
int mt_start(lm_u32 lg, lm_cptr_t *root, struct lm_proc *p)
{
	static struct lm_bootinfo tmpl;
	/* The biggest first: 4 chunks and the rest fit the 16 MiB arena. The
	 * manager's own memory: its IPC buffer, a page per registered account. */
	lm_cptr_t lend = t_new(LM_OBJ_UNTYPED, MEM_CHUNK_BITS + lg), r = t_slot();
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), own = t_new(LM_OBJ_UNTYPED, 17);
	lm_cptr_t buf = t_frame_at(T_VA_PAGE(0), RW);
	struct lm_spawn a = { 0 };
	int err;

	if (!ep || !own || !lend || !r || !buf)
		return LM_ENOMEM;
	if ((err = lm_thread_set_ipc_buffer(LM_SLOT_TCB, buf)))
		return err;
	mt_ib = (struct lm_ipc_buffer *)T_VA_PAGE(0);
	const struct lm_spawn_cap caps[] = {
		{ ep, MEM_SLOT_EP, LM_R_ALL, 0, 0 },
		{ own, MEM_SLOT_OWN, LM_R_ALL, LM_SPAWN_MOVE, 0 },
		{ lend, MEM_SLOT_UT, LM_R_ALL, LM_SPAWN_MOVE, 0 },
		{ mt_timer, MEM_SLOT_TIMER, LM_R_WRITE | LM_R_GRANT, 0, 0 },
	};
	tmpl = (struct lm_bootinfo){ 0 };
	a.image = t_module("mem", &a.size);
	if (!a.image)
		return LM_ENOENT;
	a.arg = LM_BOOTINFO_VADDR;
	a.prio = T_PRIO;
	a.cnode_bits = 10;
	a.caps = caps;
	a.ncaps = mt_timer ? 4 : 3;
	a.bi = &tmpl;
	a.nasids = LM_SPAWN_NO_ASIDS;
	if ((err = lm_spawn(&a, p)))
		return err;
	if ((err = lm_cnode_mint(CN, r, CN, ep, LM_R_WRITE | LM_R_GRANT, MEM_BADGE_ROOT)))
		return err;
	*root = r;
	mt_ep = ep;
	return LM_OK;
}

/* A new account below acct with quota q, in a new slot (0 on failure). */
lm_cptr_t mt_split(lm_cptr_t acct, lm_u64 q, lm_u64 *badge)
{
	lm_cptr_t s = t_slot();

	return s && !lm_mem_split(acct, mt_ib, q, s, badge) ? s : 0;
}

lm_u64 mt_info(lm_cptr_t acct, int which)
{
	lm_u64 v[3] = { ~0ull, ~0ull, ~0ull };

	lm_mem_info(acct, &v[0], &v[1], &v[2]);
	return v[which];
}

lm_cptr_t mt_split_with(lm_cptr_t acct, lm_u64 q, lm_u64 g, lm_u64 lim, lm_u64 *badge)
{
	lm_cptr_t s = t_slot();

	return s && !lm_mem_split_with(acct, mt_ib, q, g, lim, s, badge) ? s : 0;
}

lm_cptr_t mt_grow(lm_cptr_t acct, int guaranteed, lm_u64 *paddr)
{
	lm_cptr_t s = t_slot();
	int err;

	if (!s)
		return 0;
	err = guaranteed ? lm_mem_grow_guaranteed(acct, mt_ib, s) : lm_mem_grow(acct, mt_ib, s);
	if (err)
		return 0;
	if (paddr)
		*paddr = t_id(s).addr;
	return s;
}

lm_cptr_t mt_frame_of(lm_cptr_t chunk, lm_u64 va)
{
	lm_cptr_t f = t_slot();

	if (!f || lm_untyped_retype(chunk, LM_OBJ_FRAME, LM_PAGE_BITS, LM_SLOT_CNODE, f, 1) ||
	    t_map(f, va, LM_R_READ | LM_R_WRITE))
		return 0;
	return f;
}

int mt_register(lm_cptr_t acct, lm_cptr_t *ntf, lm_u64 va)
{
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0), pg = t_slot(), b = t_slot();
	int err;

	if (!n || !pg || !b)
		return LM_ENOMEM;
	if ((err = lm_cnode_mint(CN, b, CN, n, LM_R_WRITE, MT_NTF_BADGE)))
		return err;
	*ntf = n;
	return lm_mem_register(acct, mt_ib, b, pg, va);
}
