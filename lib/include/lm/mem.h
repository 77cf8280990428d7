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
/* The same from acct's guaranteed quota: never taken by force. */
int lm_mem_grow_guaranteed(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_cptr_t dst);
/* The same, or once acct's guarantee is spent, from the nearest account's
 * above acct (not the root account) with a guarantee left: a tree's
 * guarantee, held at its top, shared by the accounts below. */
int lm_mem_grow_shared(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_cptr_t dst);
/* A new account below acct with quota chunks (at most acct's:
 * LM_MEM_QUOTA_ALL for as much as acct's) in our empty slot dst; its badge
 * in *badge. */
#define LM_MEM_QUOTA_ALL (~0ull >> 1)
int lm_mem_split(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_u64 quota, lm_cptr_t dst,
		 lm_u64 *badge);
/* The same with `guaranteed` chunks of the quota guaranteed (carved from
 * acct's guaranteed quota; LM_ENOMEM if the manager could not honour it)
 * and at most max_accounts accounts below it (0: the default). */
int lm_mem_split_with(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_u64 quota,
		      lm_u64 guaranteed, lm_u64 max_accounts, lm_cptr_t dst, lm_u64 *badge);
/* End the account `badge` below acct and every one below it: every chunk
 * lent to them is revoked. *chunks (may be 0): how many. */
int lm_mem_close(lm_cptr_t acct, lm_u64 badge, lm_u64 *chunks);
/* acct's quota and use (chunks), and the chunks the manager has free. */
int lm_mem_info(lm_cptr_t acct, lm_u64 *quota, lm_u64 *use, lm_u64 *free);
/* acct's guaranteed quota (chunks). */
int lm_mem_guaranteed(lm_cptr_t acct, lm_u64 *guaranteed);

/*
 * The process's account: the default pool grows from it (a chunk at a
 * time, lm_pool_set_refill) and lm_fork gives each child an account of
 * its own below it (the same slot in the child), closed when the child is
 * reaped. ib gives the calling thread's IPC buffer. 0 turns it off.
 */
void lm_mem_use(lm_cptr_t acct, lm_mem_ipcbuf_fn ib);
lm_cptr_t lm_mem_account(void);
struct lm_ipc_buffer *lm_mem_ipcbuf(void);
/*
 * The library OS's own state in guaranteed memory (after lm_mem_use; the
 * account must have a guaranteed quota: else LM_ENOMEM, nothing changes).
 * From then on the default pool (kernel objects, lm_vm_own_frame_get's
 * frames) grows by guaranteed chunks, drawn on the tree's shared guarantee
 * (lm_mem_grow_shared; an ordinary chunk once none is left), while the
 * program's frames (lm_vm_frame_get) come from ordinary chunks of their
 * own, the ones a request gets back and a forced take reaches. lm_fork's
 * children keep it, each starting on a guaranteed chunk of its own (a fork
 * whose chunk cannot be lent fails with LM_ENOMEM). lm_mem_guarding: 1 if
 * on.
 */
int lm_mem_guard_own(void);
/* (lm_mem_use turns it off.) */
int lm_mem_guarding(void);

/* ---- revocation (lib/mem_reclaim.c; docs/API.md "Revocation") ---------- */

/* Register with acct: the manager signals ntf (a notification of ours) on
 * each request and forced take; its page (requests, abort records) comes
 * read-only into our empty slot dst and is mapped at vaddr. The process's
 * requests and records are this account's from then on. */
int lm_mem_register(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_cptr_t ntf, lm_cptr_t dst,
		    lm_u64 vaddr);
/* As an account above `badge`: ask it for `chunks` back by `deadline`
 * (*asked: what was asked, at most its chunks not guaranteed); take what
 * is still owed by force (*taken). */
int lm_mem_request(lm_cptr_t acct, lm_u64 badge, lm_u64 chunks, lm_u64 deadline,
		   lm_u64 *asked);
int lm_mem_enforce(lm_cptr_t acct, lm_u64 badge, lm_u64 *taken);
/* Give back acct's chunk at physical address paddr (*owed: still owed). */
int lm_mem_return(lm_cptr_t acct, lm_u64 paddr, lm_u64 *owed);
/* Drop the abort records up to seq from the page (*left: records left). */
int lm_mem_ack(lm_cptr_t acct, lm_u64 seq, lm_u64 *left);
/* Chunks the registered account's latest request still wants. */
lm_u64 lm_mem_wanted(void);
/* Whether the manager took anything by force since lm_mem_register (an
 * abort record written or lost): 0 when not registered. A read of the
 * page, no call: safe in a fault handler before the records are read. */
int lm_mem_taken_ever(void);

/* The library OS's bookkeeping: npages pages at vaddr are frames
 * first .. first+npages-1 (page index) of the chunk at physical address
 * `chunk`. Pinned ones are never given back by choice; `taken` is set
 * when the chunk leaves (returned, or an abort record names these pages).
 * The caller owns the struct. lm_mem_track also tells the manager of the
 * registered account (MEM_MAPPED) so its abort records name the run's
 * vaddr: the manager's error (LM_ELIMIT: MEM_RUNS runs in the chunk
 * already; LM_ERANGE, LM_EINVAL, LM_ENOENT) is returned, the map tracked
 * all the same (`declared` stays 0: a record naming the chunk alone still
 * marks it). Unregistered: nothing told, LM_OK. lm_mem_untrack withdraws
 * the declaration. */
struct lm_mem_map {
	lm_u64 vaddr, npages, chunk;
	lm_u8 pinned, taken;
	lm_u8 declared;           /* the manager has its run (MEM_MAPPED) */
	lm_u16 first;             /* its first frame's page index in the chunk */
	struct lm_mem_map *next;  /* the library's */
};
int lm_mem_track(struct lm_mem_map *m);
void lm_mem_untrack(struct lm_mem_map *m);
struct lm_mem_map *lm_mem_lookup(lm_u64 vaddr);

/* The application's choice: up to max physical addresses of chunks it
 * holds and gives up (a cache drops entries first) for `wanted`; how many.
 * liblamina fills the rest (lm_mem_reclaim). Returns the previous hook. */
#define LM_MEM_RECLAIM_MAX 32
typedef lm_u64 (*lm_mem_reclaim_fn)(lm_u64 wanted, lm_u64 *paddrs, lm_u64 max);
lm_mem_reclaim_fn lm_mem_set_reclaim(lm_mem_reclaim_fn fn);
/* Answer the registered account's request: the hook's chunks, then pool
 * chunks nothing was made from, then tracked chunks all clean and
 * unpinned, least recently used first (accessed bits, cleared as read),
 * each returned (MEM_RETURN). *returned: how many; the first refusal's
 * error (a chunk the hook named that is not ours), the rest still given. */
int lm_mem_reclaim(lm_u64 *returned);

/* What was taken by force (the manager's abort record): npages pages at
 * vaddr, backed by frames from paddr on, as the holder declared them
 * (lm_mem_track); npages 0: the chunk at paddr, no run declared. A chunk
 * with runs gives one record per run, in declaration order, with
 * consecutive seq. */
struct lm_mem_abort {
	lm_u64 seq;
	lm_u64 paddr;
	lm_u64 vaddr;
	lm_u64 npages;
};
/* Read the records not read yet (at most max, the oldest first, into
 * out; *n of them), drop them from the page, and mark taken the tracked
 * maps they name: those overlapping a record's vaddr run, and for a
 * record of a chunk alone the undeclared maps of that chunk; *lost:
 * records the page had no room for since the last call. */
int lm_mem_aborts(struct lm_mem_abort *out, lm_u64 max, lm_u64 *n, lm_u64 *lost);

/* What a library OS calls at its safe points (each system call, each
 * fault it handles): two reads of the page when nothing is new. A request
 * not seen yet is answered (lm_vm_trim, then lm_mem_reclaim); records not read yet are read
 * (lm_mem_aborts: the tracked maps marked, the pool's taken chunks
 * dropped) and the frame supply forgets what went with them
 * (lm_vm_frames_gone), so allocation goes on from what is left. *returned
 * (chunks given back) and *taken (records read, lost ones too) may be 0.
 * LM_ENOENT: not registered; else the first error of the calls made. */
int lm_mem_service(lm_u64 *returned, lm_u64 *taken);

#endif
