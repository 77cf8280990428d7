/*
 * The file server (servers/fs), started on a normal boot (the shell's).
 * Its capabilities: its endpoint (receive), FS_MEM_PIECES x 4 MiB of
 * untyped memory for its heap, the boot module "rootfs" alone, and
 * FS_CLIENTS buffer pages mapped at FS_SRV_BUF_VA. The shell gets the
 * endpoint (to mint one badge per Linux process) and copies of the pages
 * (to map page b-1 in the process that holds badge b), so those are made
 * before the shell; the server itself is started after the shell has
 * taken its memory, from what root keeps (ROOT_KEEP_BYTES), so that the
 * shell's share is what it was without a file server.
 */
#include "root.h"
#include "../fs/fs_proto.h"
#include "../fs/fs_srv.h"

#define FS_PRIO 150 /* above the shell and its programs, below the console */

static struct lm_proc fsp;
static struct lm_spawn_cap caps[FS_CLIENTS + 1 + FS_MEM_PIECES];
lm_cptr_t root_fs_ep;                    /* 0: no file server */
lm_cptr_t root_fs_buf[FS_CLIENTS];

void root_fs_objects(void)
{
	int err = lm_obj_alloc(LM_OBJ_ENDPOINT, 0, &root_fs_ep);

	for (lm_u32 b = 0; b < FS_CLIENTS && !err; b++) {
		err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &root_fs_buf[b]);
		caps[b + 1] = (struct lm_spawn_cap){ root_fs_buf[b], FS_SLOT_BUF + b,
						     LM_R_READ | LM_R_WRITE, LM_SPAWN_MAP,
						     FS_SRV_BUF_VA + b * LM_PAGE_SIZE };
	}
	if (err) {
		lm_printf("root: cannot make the file server's objects: %s\n", lm_err_str(err));
		root_fs_ep = 0;
	}
}

void root_fs_start(const struct lm_bootinfo *bi)
{
	int err = root_fs_ep ? LM_OK : LM_ENOENT;

	for (lm_u32 k = 0; k < FS_MEM_PIECES && !err; k++) {
		lm_cptr_t u;

		err = lm_pool_alloc(&root_pool, LM_OBJ_UNTYPED, 22, &u);
		caps[FS_CLIENTS + 1 + k] = (struct lm_spawn_cap){ u, FS_SLOT_MEM + k, LM_R_ALL,
								   LM_SPAWN_MOVE, 0 };
	}
	if (err) {
		lm_printf("root: no memory for the file server: %s\n", lm_err_str(err));
		goto out_no_server;
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
		goto out_no_server;
	}
	lm_proc_start(&fsp);
	return;
out_no_server:
	/* nobody would receive: revoke the shell's copies, so that a Linux
	 * program's first call fails (an empty file system) instead of
	 * waiting for ever */
	if (root_fs_ep)
		lm_obj_free(root_fs_ep);
	root_fs_ep = 0;
}
