/*
 * The shell's client of the process manager (shell_pm.h). Without a
 * manager (root could not start one) sh_pm_new fails and `linux` says so.
 */
#include "shell_pm.h"
#include "../servers/proc/pm_proto.h"
#include "../servers/proc/pm_srv.h"
#include "../servers/mem/mem_proto.h"
#include "../servers/mem/mem_srv.h"
#include <lm/mem.h>

#define SH_MEM_SHARE 7 /* eighths of the free chunks a Linux tree may use */
/* Chunks guaranteed to a Linux tree, at most half of those free: its
 * personalities' own state (each process's first chunk, the kernel objects
 * of its children's shells); 32 was spent by 8 background pipelines at
 * once (busybox-trees.cases: 25 processes alive). */
#define SH_MEM_GUAR 64

#define SH_IPCBUF_VA 0x5ff000000ull

static struct lm_ipc_buffer *ipcbuf;

int sh_pm_init(void)
{
	lm_cptr_t f;
	int err;

	if ((err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f)) ||
	    (err = lm_map_page(LM_SLOT_VSPACE, f, SH_IPCBUF_VA, LM_R_READ | LM_R_WRITE)) ||
	    (err = lm_thread_set_ipc_buffer(LM_SLOT_TCB, f)))
		return err;
	ipcbuf = (struct lm_ipc_buffer *)SH_IPCBUF_VA;
	return LM_OK;
}

static void free_caps(lm_cptr_t caps[3])
{
	for (int i = 0; i < 3; i++)
		if (caps[i]) {
			lm_cnode_delete(LM_SLOT_CNODE, caps[i]);
			lm_slot_free(caps[i]);
			caps[i] = 0;
		}
}

long sh_pm_new(lm_cptr_t caps[3])
{
	struct lm_msg m;
	long r;

	if (!ipcbuf)
		return -38; /* ENOSYS: no manager */
	for (int i = 0; i < 3; i++)
		if (!(caps[i] = lm_slot_alloc())) {
			free_caps(caps);
			return -12;
		}
	for (int i = 0; i < 3; i++)
		ipcbuf->recv_slots[i] = caps[i];
	r = lm_ep_call(SH_SLOT_PM, LM_MSG_INFO(PM_NEW, 0, 0), 0, 0, 0, 0, &m) ? -38 : (long)m.w[0];
	for (int i = 0; i < 3; i++)
		ipcbuf->recv_slots[i] = 0;
	if (r > 0 && LM_MSG_NCAPS(m.info) == 3)
		return r;
	if (r > 0)
		sh_pm_release(r, 0, caps);
	free_caps(caps);
	return r > 0 ? -12 : r;
}

void sh_pm_release(long pid, lm_u64 code, lm_cptr_t caps[3])
{
	struct lm_msg m;

	lm_ep_call(SH_SLOT_PM, LM_MSG_INFO(PM_RELEASE, 2, 0), (lm_u64)pid, (code & 0xff) << 8, 0, 0,
		   &m);
	free_caps(caps);
}

int sh_mem_split(lm_u64 quota, lm_u64 guar, lm_cptr_t *cap, lm_u64 *badge)
{
	lm_cptr_t s;
	int err;

	if (!ipcbuf)
		return LM_ENOSYS;
	if (!(s = lm_slot_alloc()))
		return LM_ELIMIT;
	err = lm_mem_split_with(SH_SLOT_MEM, ipcbuf, quota, guar, 0, s, badge);
	if (err) {
		lm_slot_free(s);
		return err;
	}
	*cap = s;
	return LM_OK;
}

int sh_mem_new(lm_cptr_t *cap, lm_u64 *badge)
{
	lm_u64 quota, use, free;
	int err;

	if (!ipcbuf)
		return LM_ENOSYS;
	if ((err = lm_mem_info(SH_SLOT_MEM, &quota, &use, &free)))
		return err;
	quota = free * SH_MEM_SHARE / 8;
	lm_u64 guar = free / 2 < SH_MEM_GUAR ? free / 2 : SH_MEM_GUAR;
	if (guar > quota)
		guar = quota;
	/* A guarantee the manager cannot honour now (others promised): none. */
	if (guar && !(err = sh_mem_split(quota ? quota : 1, guar, cap, badge)))
		return LM_OK;
	return sh_mem_split(quota ? quota : 1, 0, cap, badge);
}

void sh_mem_end(lm_u64 badge)
{
	if (badge)
		lm_mem_close(SH_SLOT_MEM, badge, 0);
}

int sh_mem_next(lm_u64 from, lm_u64 out[4])
{
	struct lm_msg m;
	int err = lm_ep_call(SH_SLOT_MEM, LM_MSG_INFO(MEM_LIST, 1, 0), from, 0, 0, 0, &m);

	if (err)
		return err;
	if ((long)m.w[0] < 0)
		return (int)-(long)m.w[0];
	for (int i = 0; i < 4; i++)
		out[i] = m.w[i];
	return LM_OK;
}
