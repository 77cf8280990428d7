/*
 * The memory manager (servers/mem), started on a normal boot. Its
 * capabilities (servers/mem/mem_srv.h): its endpoint (all rights: it
 * receives, and mints a badge per account), 2^MEM_OWN_BITS of memory for
 * itself, and half of the memory root has when it is made, in naturally
 * aligned pieces of at least a chunk, to lend. The shell gets the endpoint
 * minted with MEM_BADGE_ROOT (the root account) and the other half (less
 * what root keeps), so the endpoint and the pieces are made before the
 * shell, the server started after it.
 */
#include "root.h"
#include "../mem/mem_proto.h"
#include "../mem/mem_srv.h"
#include "../timer/timer_proto.h"

#define MEM_PRIO 150 /* above the shell and its programs */

static struct lm_proc mp;
static struct root_ut pieces[ROOT_MAX_GIVE];
static lm_u32 npieces;
lm_cptr_t root_mem_ep; /* 0: no memory manager */

void root_mem_objects(void)
{
	lm_u64 free = lm_pool_free_bytes(&root_pool);

	if (lm_obj_alloc(LM_OBJ_ENDPOINT, 0, &root_mem_ep)) {
		lm_printf("root: no memory manager (no memory)\n");
		root_mem_ep = 0;
		return;
	}
	npieces = root_carve(&root_pool, free / 2, pieces, ROOT_MAX_GIVE);
}

void root_mem_start(const struct lm_bootinfo *bi)
{
	static struct lm_spawn_cap caps[3 + ROOT_MAX_GIVE];
	lm_cptr_t own = 0, timer = 0;
	lm_u32 n = 0;
	int err = root_mem_ep && npieces ? LM_OK : LM_ENOMEM;

	if (!err)
		err = lm_pool_alloc(&root_pool, LM_OBJ_UNTYPED, MEM_OWN_BITS, &own);
	if (err)
		goto out_no_server;
	caps[n++] = (struct lm_spawn_cap){ root_mem_ep, MEM_SLOT_EP, LM_R_ALL, 0, 0 };
	caps[n++] = (struct lm_spawn_cap){ own, MEM_SLOT_OWN, LM_R_ALL, LM_SPAWN_MOVE, 0 };
	/* The timer server with the manager's own badge: its requests'
	 * deadlines pass without a message coming (servers/mem/clock.c). */
	if (root_timer_ep && (timer = lm_slot_alloc()) &&
	    !lm_cnode_mint(LM_SLOT_CNODE, timer, LM_SLOT_CNODE, root_timer_ep,
			   LM_R_WRITE | LM_R_GRANT, TIMER_BADGE_MEM))
		caps[n++] = (struct lm_spawn_cap){ timer, MEM_SLOT_TIMER, LM_R_WRITE | LM_R_GRANT,
						   LM_SPAWN_MOVE, 0 };
	lm_u32 first = n;
	for (lm_u32 i = 0; i < npieces; i++) { /* not smaller than a chunk (carve: 1 MiB) */
		lm_cptr_t dst = MEM_SLOT_UT + (n - first);

		if (pieces[i].bits >= MEM_CHUNK_BITS)
			caps[n++] = (struct lm_spawn_cap){ pieces[i].slot, dst, LM_R_ALL,
							   LM_SPAWN_MOVE, 0 };
	}
	const struct root_child mem = {
		.name = "mem", .cnode_bits = 11, .prio = MEM_PRIO,
		.asids = LM_SPAWN_NO_ASIDS, .extra = caps, .nextra = n,
	};
	err = root_launch(bi, &mem, &mp);
	if (err)
		goto out_no_server;
	lm_proc_start(&mp);
	return;
out_no_server:
	lm_printf("root: cannot start the memory manager: %s\n", lm_err_str(err));
	if (root_mem_ep) /* the shell's copy goes: its calls fail at once */
		lm_obj_free(root_mem_ep);
	root_mem_ep = 0;
}

/* Root's last job on a normal boot: wait until the manager stops for good
 * (it exits or faults), then end its endpoint, so that no client's call
 * hangs on it: calls queued there fail with LM_EDELETED (a call it had
 * taken already failed when its thread stopped), later ones with LM_ECAP,
 * and the clients' pools see an allocation failure (docs/API.md "A dead
 * manager"). Returns at once when there is no manager. */
void root_mem_watch(void)
{
	struct lm_thread_info ti;

	if (!root_mem_ep || !mp.tcb || root_join(mp.tcb, &ti))
		return;
	lm_printf("root: the memory manager stopped (state %u): its endpoint ends\n", ti.state);
	lm_cnode_revoke(LM_SLOT_CNODE, root_mem_ep);
	lm_obj_free(root_mem_ep);
	root_mem_ep = 0;
}
