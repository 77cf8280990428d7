/*
 * The process manager (servers/proc), started on a normal boot after the
 * file server. Its capabilities (servers/proc/pm_srv.h): its endpoint (all
 * rights: it receives, and mints a badge per pid), the file server's
 * endpoint unbadged (to mint a client badge per pid) and minted with
 * FS_BADGE_PM (FS_FORK, FS_DROP), the file server's FS_CLIENTS client
 * pages (not mapped: it hands page pid-1 to pid) and 2^PM_MEM_BITS of
 * memory. The shell gets the endpoint minted with PM_BADGE_SHELL, so the
 * endpoint is made before the shell and the server started after it, from
 * what root keeps.
 */
#include "root.h"
#include "../fs/fs_proto.h"
#include "../fs/fs_srv.h"
#include "../proc/pm_proto.h"
#include "../proc/pm_srv.h"

#define PM_PRIO 140 /* above the shell and its programs, below the file server */

static struct lm_proc pmp;
static struct lm_spawn_cap caps[5 + FS_CLIENTS];
lm_cptr_t root_pm_ep; /* 0: no process manager */

void root_proc_objects(void)
{
	if (!root_fs_ep || lm_obj_alloc(LM_OBJ_ENDPOINT, 0, &root_pm_ep)) {
		lm_printf("root: no process manager (no file server, or no memory)\n");
		root_pm_ep = 0;
	}
}

void root_proc_start(const struct lm_bootinfo *bi)
{
	lm_cptr_t fs_pm = lm_slot_alloc(), mem = 0;
	int err = root_pm_ep && root_fs_ep && fs_pm ? LM_OK : LM_ENOENT;

	if (!err)
		err = lm_cnode_mint(LM_SLOT_CNODE, fs_pm, LM_SLOT_CNODE, root_fs_ep, LM_R_WRITE,
				    FS_BADGE_PM);
	if (!err)
		err = lm_pool_alloc(&root_pool, LM_OBJ_UNTYPED, PM_MEM_BITS, &mem);
	if (err) {
		lm_printf("root: cannot start the process manager: %s\n", lm_err_str(err));
		goto out_no_server;
	}
	caps[0] = (struct lm_spawn_cap){ root_pm_ep, PM_SLOT_EP, LM_R_ALL, 0, 0 };
	caps[1] = (struct lm_spawn_cap){ root_fs_ep, PM_SLOT_FS_EP, LM_R_WRITE | LM_R_GRANT, 0, 0 };
	caps[2] = (struct lm_spawn_cap){ fs_pm, PM_SLOT_FS_PM, LM_R_WRITE, LM_SPAWN_MOVE, 0 };
	caps[3] = (struct lm_spawn_cap){ mem, PM_SLOT_MEM, LM_R_ALL, LM_SPAWN_MOVE, 0 };
	for (lm_u32 b = 0; b < FS_CLIENTS; b++)
		caps[4 + b] = (struct lm_spawn_cap){ root_fs_buf[b], PM_SLOT_FS_BUF + b,
						     LM_R_READ | LM_R_WRITE, 0, 0 };
	lm_u32 n = 4 + FS_CLIENTS;
	if (root_timer_ep) /* minted per pid: each process's timers its own */
		caps[n++] = (struct lm_spawn_cap){ root_timer_ep, PM_SLOT_TIMER_EP,
						   LM_R_WRITE | LM_R_GRANT, 0, 0 };
	const struct root_child pm = {
		.name = "proc", .cnode_bits = 10, .prio = PM_PRIO,
		.asids = LM_SPAWN_NO_ASIDS, .extra = caps, .nextra = n,
	};
	err = root_launch(bi, &pm, &pmp);
	if (err) {
		lm_printf("root: cannot start the process manager: %s\n", lm_err_str(err));
		goto out_no_server;
	}
	lm_proc_start(&pmp);
	return;
out_no_server:
	/* nobody would receive: the shell's copy goes, so that `linux` says
	 * so at once instead of waiting for ever */
	if (root_pm_ep)
		lm_obj_free(root_pm_ep);
	root_pm_ep = 0;
}
