/*
 * The memory manager's client (servers/mem, protocol in
 * servers/mem/mem_proto.h, docs/API.md "Memory manager"). `acct` is a
 * slot holding an account: the manager's endpoint minted with its badge.
 * Calls that receive a capability need the calling thread's IPC buffer;
 * they leave its receive slots and badges as they found them, so they
 * may run from a fault handler in the middle of another call's setup.
 * Errors: the kernel's (LM_ECAP: no account in the slot), or the
 * manager's (LM_ENOMEM: quota or memory used up; LM_ERIGHTS, LM_ENOENT,
 * LM_ELIMIT, LM_ERANGE as mem_proto.h says).
 */
#ifndef LM_MEM_H
#define LM_MEM_H

#include <lamina/types.h>
#include <lamina/ipc.h>
#include <lm/untyped.h>

#define LM_MEM_CHUNK_BITS 21 /* a chunk: 2 MiB (mem_proto.h's MEM_CHUNK_BITS) */

typedef struct lm_ipc_buffer *(*lm_mem_ipcbuf_fn)(void);

/* One chunk (an untyped of 2 MiB, naturally aligned) in our empty slot dst. */
int lm_mem_grow(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_cptr_t dst);
/* A new account below acct with quota chunks (at most acct's:
 * LM_MEM_QUOTA_ALL for as much as acct's) in our empty slot dst; its badge
 * in *badge. */
#define LM_MEM_QUOTA_ALL (~0ull >> 1)
int lm_mem_split(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_u64 quota, lm_cptr_t dst,
		 lm_u64 *badge);
/* End the account `badge` below acct and every one below it: every chunk
 * lent to them is revoked. *chunks (may be 0): how many. */
int lm_mem_close(lm_cptr_t acct, lm_u64 badge, lm_u64 *chunks);
/* acct's quota and use (chunks), and the chunks the manager has free. */
int lm_mem_info(lm_cptr_t acct, lm_u64 *quota, lm_u64 *use, lm_u64 *free);

/*
 * The process's account: the default pool grows from it (a chunk at a
 * time, lm_pool_set_refill) and lm_fork gives each child an account of
 * its own below it (the same slot in the child), closed when the child is
 * reaped. ib gives the calling thread's IPC buffer. 0 turns it off.
 */
void lm_mem_use(lm_cptr_t acct, lm_mem_ipcbuf_fn ib);
lm_cptr_t lm_mem_account(void);
struct lm_ipc_buffer *lm_mem_ipcbuf(void);

#endif
