/* The memory manager's tests (tests/guest/mem*.c): each starts its own
 * manager from the "mem" module with 2^lg chunks cut from the arena and
 * holds its root account (MEM_BADGE_ROOT). The harness's revoke of the
 * arena ends the manager and everything it lent. */
#ifndef MEM_TEST_H
#define MEM_TEST_H

#include <lm/mem.h>

#define CN LM_SLOT_CNODE
#define RW (LM_R_READ | LM_R_WRITE)
#define MT_PAGE_VA T_VA_PAGE(8) /* where a test maps its account's page */
#define MT_NEVER (1ull << 62)   /* a deadline (TSC ns) no test run reaches */

extern struct lm_ipc_buffer *mt_ib; /* ktest's IPC buffer */
extern lm_cptr_t mt_ep;             /* the manager's endpoint, unbadged */
extern lm_cptr_t mt_timer;          /* if set, mt_start gives it as the timer server */

int mt_start(lm_u32 lg, lm_cptr_t *root, struct lm_proc *p);
/* A new account below acct (quota q; g guaranteed; at most lim below it,
 * 0: the default) in a new slot, 0 on failure. */
lm_cptr_t mt_split(lm_cptr_t acct, lm_u64 q, lm_u64 *badge);
lm_cptr_t mt_split_with(lm_cptr_t acct, lm_u64 q, lm_u64 g, lm_u64 lim, lm_u64 *badge);
enum { QUOTA, USE, FREE };
lm_u64 mt_info(lm_cptr_t acct, int which);
/* A chunk lent to acct in a new slot (0 on failure), its address in *paddr. */
lm_cptr_t mt_grow(lm_cptr_t acct, int guaranteed, lm_u64 *paddr);
/* A frame made from chunk, mapped read-write at va (0 on failure). */
lm_cptr_t mt_frame_of(lm_cptr_t chunk, lm_u64 va);
/* Register acct with a new notification (*ntf; the manager signals a copy
 * badged MT_NTF_BADGE), its page at va. */
#define MT_NTF_BADGE 0x4
int mt_register(lm_cptr_t acct, lm_cptr_t *ntf, lm_u64 va);

#endif
