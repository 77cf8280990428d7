/*
 * kbench: visible memory revocation (servers/mem, lib/mem_reclaim.c).
 * kbench starts a memory manager of its own (the "mem" module, 4 chunks)
 * and holds both sides: the root account asks and enforces, an account
 * below it holds chunks and answers. revoke_request: MEM_REQUEST for one
 * chunk, the holder sees its notification, lm_mem_reclaim asks the hook,
 * which names the chunk, MEM_RETURN revokes it: the round trip, in one
 * address space. revoke_abort_N: MEM_ENFORCE taking by force the chunks
 * that back N mapped 4 KiB frames (512 a chunk), abort records included;
 * making and mapping the frames and the request are not timed.
 */
#include "kbench.h"
#include <lm/mem.h>
#include "../servers/mem/mem_proto.h"
#include "../servers/mem/mem_srv.h"

#define MEMB_IPCBUF_VA 0x740000000ull
#define MEMB_PAGE_VA   0x740001000ull
#define MEMB_VA        0x780000000ull /* N frames, 2 MiB-aligned runs of 512 */
#define MEMB_MAX       1024

static struct lm_ipc_buffer *ib = (struct lm_ipc_buffer *)MEMB_IPCBUF_VA;
static lm_cptr_t root, acct, ntf, chunk[2], frames;
static lm_u64 badge, chunk_pa;

static int mem_setup(void)
{
	const struct lm_bi_module *m = 0;
	lm_cptr_t mep = new_obj(LM_OBJ_ENDPOINT, 0), own = new_obj(LM_OBJ_UNTYPED, 17);
	lm_cptr_t lend = new_obj(LM_OBJ_UNTYPED, MEM_CHUNK_BITS + 2), buf = new_obj(LM_OBJ_FRAME, 12);
	lm_cptr_t n = new_obj(LM_OBJ_NOTIFY, 0), nb = lm_slot_alloc(), pg = lm_slot_alloc();
	static struct lm_proc mp;
	static struct lm_bootinfo tmpl;
	struct lm_spawn a = { 0 };
	int err;

	for (lm_u32 i = 0; i < bi->n_modules; i++)
		if (!strcmp(bi->modules[i].name, "mem"))
			m = &bi->modules[i];
	root = lm_slot_alloc();
	acct = lm_slot_alloc();
	chunk[0] = lm_slot_alloc();
	chunk[1] = lm_slot_alloc();
	frames = lm_slot_alloc_n(MEMB_MAX);
	if (!m || !mep || !own || !lend || !buf || !n || !nb || !pg || !root || !acct ||
	    !chunk[0] || !chunk[1] || !frames)
		return LM_ENOMEM;
	const struct lm_spawn_cap caps[] = {
		{ mep, MEM_SLOT_EP, LM_R_ALL, 0, 0 },
		{ own, MEM_SLOT_OWN, LM_R_ALL, LM_SPAWN_MOVE, 0 },
		{ lend, MEM_SLOT_UT, LM_R_ALL, LM_SPAWN_MOVE, 0 },
	};
	a.image = (const void *)m->vaddr;
	a.size = m->size;
	a.arg = LM_BOOTINFO_VADDR;
	a.prio = 100;
	struct lm_thread_info ti;
	if (!lm_thread_info(LM_SLOT_TCB, &ti))
		a.prio = ti.priority; /* served in turn with us */
	a.cnode_bits = 10;
	a.caps = caps;
	a.ncaps = 3;
	a.bi = &tmpl;
	a.nasids = LM_SPAWN_NO_ASIDS;
	if ((err = lm_spawn(&a, &mp)) ||
	    (err = lm_cnode_mint(LM_SLOT_CNODE, root, LM_SLOT_CNODE, mep, LM_R_WRITE | LM_R_GRANT,
				 MEM_BADGE_ROOT)) ||
	    (err = lm_map_page(LM_SLOT_VSPACE, buf, MEMB_IPCBUF_VA, LM_R_READ | LM_R_WRITE)) ||
	    (err = lm_thread_set_ipc_buffer(LM_SLOT_TCB, buf)) ||
	    (err = lm_mem_split(root, ib, 4, acct, &badge)) ||
	    (err = lm_cnode_mint(LM_SLOT_CNODE, nb, LM_SLOT_CNODE, n, LM_R_WRITE, 1)) ||
	    (err = lm_mem_register(acct, ib, nb, pg, MEMB_PAGE_VA)))
		return err;
	ntf = n;
	return LM_OK;
}

/* ---- revoke_request -------------------------------------------------------- */

static lm_u64 name_it(lm_u64 wanted, lm_u64 *paddrs, lm_u64 max)
{
	paddrs[0] = chunk_pa;
	return 1;
}

static lm_u64 op_request(lm_u64 iters)
{
	lm_u64 c = 0, asked, got, w, desc;

	for (lm_u64 i = 0; i < iters; i++) {
		if (lm_mem_grow(acct, ib, chunk[0]) ||
		    lm_cnode_identify(LM_SLOT_CNODE, chunk[0], &desc, &chunk_pa, 0))
			return ~0ull;
		lm_u64 t0 = span_begin();
		lm_mem_request(root, badge, 1, 0, &asked);
		lm_ntfn_poll(ntf, &w);
		lm_mem_reclaim(&got);
		c += span_end(t0);
	}
	return c;
}

/* ---- revoke_abort_N ---------------------------------------------------------- */

static lm_u64 abort_n;

/* Chunks enough for abort_n frames, each frame made and mapped. */
static int back_frames(void)
{
	for (lm_u64 k = 0; k * 512 < abort_n; k++) {
		lm_u64 n = abort_n - k * 512 < 512 ? abort_n - k * 512 : 512;
		lm_cptr_t f = frames + k * 512;
		lm_u64 va = MEMB_VA + k * LM_LARGE_PAGE_SIZE;
		int err = lm_mem_grow(acct, ib, chunk[k]);

		for (lm_u64 d = 0; !err && d < n; d += LM_RETYPE_MAX_COUNT)
			err = lm_untyped_retype(chunk[k], LM_OBJ_FRAME, LM_PAGE_BITS, LM_SLOT_CNODE,
						f + d, n - d < LM_RETYPE_MAX_COUNT ?
						n - d : LM_RETYPE_MAX_COUNT);
		if (err || (err = lm_map_page(LM_SLOT_VSPACE, f, va, LM_R_READ | LM_R_WRITE)) ||
		    (n > 1 && (err = lm_vspace_map_range(LM_SLOT_VSPACE, LM_SLOT_CNODE, f + 1,
							  va + LM_PAGE_SIZE, LM_R_READ | LM_R_WRITE,
							  n - 1))))
			return err;
	}
	return LM_OK;
}

static lm_u64 op_abort(lm_u64 iters)
{
	lm_u64 c = 0, asked, taken, left;

	for (lm_u64 i = 0; i < iters; i++) {
		int err = back_frames();
		if (err || (err = lm_mem_request(root, badge, 2, 0, &asked))) {
			lm_printf("kbench: %lu frames from the memory manager: %s\n", abort_n,
				  lm_err_str(err));
			return ~0ull;
		}
		lm_u64 t0 = span_begin();
		lm_mem_enforce(root, badge, &taken);
		c += span_end(t0);
		lm_mem_ack(acct, ~0ull, &left);
	}
	return c;
}

void kb_mem(void)
{
	static const struct { const char *name; lm_u64 n, iters; } sizes[] = {
		{ "revoke_abort_1", 1, 20 }, { "revoke_abort_10", 10, 20 },
		{ "revoke_abort_100", 100, 10 }, { "revoke_abort_1000", 1000, 2 },
	};
	int any = selected("revoke_request");
	int err;

	for (lm_u32 i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		any |= selected(sizes[i].name);
	if (!any)
		return;
	if ((err = mem_setup())) {
		lm_printf("kbench: no memory manager for the revocation benchmarks: %s\n",
			  lm_err_str(err));
		return;
	}
	if (selected("revoke_request")) {
		lm_mem_set_reclaim(name_it);
		bench_self("revoke_request", 50, 1, op_request);
		lm_mem_set_reclaim(0);
	}
	for (lm_u32 i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (selected(sizes[i].name)) {
			abort_n = sizes[i].n;
			bench_self(sizes[i].name, sizes[i].iters, 1, op_abort);
		}
}
