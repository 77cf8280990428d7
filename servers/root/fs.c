/*
 * The file server (servers/fs), started on a normal boot (the shell's),
 * after the shell is made.
 * Its capabilities: its endpoint (receive), 16 MiB of untyped memory
 * for its heap, the boot module "rootfs"
 * alone, and FS_CLIENTS buffer pages mapped at FS_SRV_BUF_VA. The shell
 * gets the endpoint (to mint one badge per Linux process) and copies of
 * the pages (to map page b-1 in the process that holds badge b).
 */
#include "root.h"
#include "../fs/fs_proto.h"
#include "../fs/fs_srv.h"

#define FS_PRIO 150 /* above the shell and its programs, below the console */

static struct lm_proc fsp;
lm_cptr_t root_fs_ep;                    /* 0 until the server runs */
lm_cptr_t root_fs_buf[FS_CLIENTS];

void root_fs_make(const struct lm_bootinfo *bi)
{
	struct lm_spawn_cap caps[FS_CLIENTS + 1 + FS_MEM_PIECES];
	int err = lm_obj_alloc(LM_OBJ_ENDPOINT, 0, &root_fs_ep);

	/* its heap: 4 MiB pieces of root's pool, moved to it */
	for (lm_u32 k = 0; k < FS_MEM_PIECES && !err; k++) {
		lm_cptr_t u;

		err = lm_pool_alloc(&root_pool, LM_OBJ_UNTYPED, 22, &u);
		caps[FS_CLIENTS + 1 + k] = (struct lm_spawn_cap){ u, FS_SLOT_MEM + k, LM_R_ALL,
								   LM_SPAWN_MOVE, 0 };
	}

	for (lm_u32 b = 0; b < FS_CLIENTS && !err; b++) {
		err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &root_fs_buf[b]);
		caps[b + 1] = (struct lm_spawn_cap){ root_fs_buf[b], FS_SLOT_EP + 1 + b,
						     LM_R_READ | LM_R_WRITE, LM_SPAWN_MAP,
						     FS_SRV_BUF_VA + b * LM_PAGE_SIZE };
	}
	if (err) {
		lm_printf("root: no memory for the file server: %s\n", lm_err_str(err));
		return;
	}
	caps[0] = (struct lm_spawn_cap){ root_fs_ep, FS_SLOT_EP, LM_R_READ, 0, 0 };
	const struct root_child fs = {
		.name = "fs", .cnode_bits = 14, .prio = FS_PRIO, .modules = 1,
		.module = "rootfs", .asids = LM_SPAWN_NO_ASIDS,
		.extra = caps, .nextra = FS_CLIENTS + 1 + FS_MEM_PIECES,
	};
	err = root_launch(bi, &fs, &fsp);
	if (err) {
		lm_printf("root: cannot start the file server: %s\n", lm_err_str(err));
		root_fs_ep = 0;
		return;
	}
	lm_proc_start(&fsp);
}
