/* The memory manager's parts (servers/mem): the chunk list (chunk.c), the
 * account table (account.c), guaranteed chunks (guarantee.c), revocation
 * requests and the abort record (revoke.c), deadlines (clock.c), the serve
 * loop (main.c). */
#ifndef MEM_H
#define MEM_H

#include <lm/lamina.h>
#include "mem_proto.h"
#include "mem_srv.h"

#define MEM_MAX_CHUNKS   512  /* 1 GiB */
#define MEM_MAX_DEPTH    48   /* accounts above an account: bounds every walk */
#define NONE             0xffff
#define MEM_PAGE_VA      0x30000000ull /* account i's page at + i * 4 KiB */

/*
 * A chunk: our untyped P of 2^MEM_CHUNK_BITS. Lent, P has one child
 * untyped V (all of P) that was moved to the borrower; revoking P takes
 * back V and everything made from it. `next` links it in its account's
 * list (in lending order: the oldest first) or in the free list.
 */
struct chunk {
	lm_cptr_t slot;
	lm_u64 paddr;
	lm_u16 next;
	lm_u16 account;           /* NONE when free */
	lm_u8 guaranteed;         /* lent from the guaranteed quota: never forced */
	lm_u16 gfrom;             /* guaranteed: whose guarantee it spends (its
				   * account's, or one above: MEM_GROW_SHARED) */
	lm_u8 nruns;              /* runs[] declared by the holder (mapped.c) */
};

/* Where the holder says a run of a chunk's frames is mapped (MEM_MAPPED):
 * its word, copied into the abort records only. */
struct run {
	lm_u64 vaddr;
	lm_u16 first, pages;      /* frames first .. first+pages-1 of the chunk */
};
extern struct run runs[MEM_MAX_CHUNKS][MEM_RUNS];

/*
 * An account: a badge (index + 1) on our endpoint, minted in `cap` (ours;
 * revoking it at the close takes every copy from its holders). `use`
 * counts the chunks lent to it and to every account below it; an account
 * lends only while its own use and every ancestor's stay within quota.
 * `below` counts the live accounts under it and `alimit` bounds them, so
 * one client's splits never fill the table (checked at every ancestor).
 * `guar` is its guaranteed quota; `gused` what of it is spent: the
 * guarantees of its children plus its own guaranteed chunks (guarantee.c).
 * Its own chunks are a list, oldest first; forced revocation takes the
 * newest that is not guaranteed. `owed`: chunks the latest request still
 * wants back, `deadline` when they are taken by force (TSC ns, clock.c; 0:
 * none, only MEM_ENFORCE). `ntf`, `page`: registered (MEM_REGISTER), 0 before.
 */
struct account {
	lm_u8 live;
	lm_u8 depth;              /* 0: the root account */
	lm_u16 parent;            /* NONE for the root account */
	lm_u32 quota, use, own;
	lm_u32 guar, gused, owed;
	lm_u64 deadline;
	lm_u16 alimit, below;
	lm_u16 head, tail;        /* its chunks */
	lm_cptr_t cap;
	lm_cptr_t ntf;            /* a notification of the holder's */
	struct mem_page *page;    /* at MEM_PAGE_VA, kept for the table index */
	lm_cptr_t frame;          /* the page's frame: ours; holders get copies */
};

extern struct chunk chunks[MEM_MAX_CHUNKS];
extern lm_u32 nchunks, nfree;
extern struct account accounts[MEM_MAX_ACCOUNTS];

/* chunk.c */
int chunk_init(void);
int chunk_lend(lm_u16 acct, lm_cptr_t dst, lm_u64 *paddr);
void chunk_return_all(struct account *a);
lm_u32 chunk_list(const struct account *a, lm_u16 *out);
void chunk_take(struct account *a, lm_u16 i);

/* account.c */
void account_init(void);
struct account *account_of(lm_u64 badge);
lm_u16 account_index(const struct account *a);
int account_is_above(const struct account *a, const struct account *t);
struct account *account_below(const struct account *a, lm_u64 badge, long *err);
void account_charge(struct account *a, long d);
long account_grow(struct account *a, lm_u64 flags, lm_cptr_t dst, lm_u64 *paddr);
long account_split(struct account *a, const lm_u64 w[4], lm_cptr_t *cap, lm_u64 *q);
long account_close(struct account *a, lm_u64 badge);
long account_list(const struct account *a, lm_u64 from, lm_u64 out[4]);

/* guarantee.c */
lm_u32 guarantee_owed(void);
int guarantee_grow_ok(const struct account *a, int guaranteed);
int guarantee_split_ok(const struct account *a, lm_u64 g);
lm_u16 guarantee_source(const struct account *a, int shared);

/* revoke.c */
long revoke_register(struct account *a, lm_cptr_t ntf, lm_cptr_t dst);
long revoke_request(struct account *a, const lm_u64 w[4]);
long revoke_return(struct account *a, lm_u64 paddr);
long revoke_enforce(struct account *a, lm_u64 badge);
long revoke_ack(struct account *a, lm_u64 seq);
void revoke_forget(struct account *a);
void revoke_sweep(void);

/* mapped.c */
long mapped_declare(struct account *a, const lm_u64 w[4]);

/* clock.c */
lm_u64 clock_now(void);
void clock_init(const struct lm_bootinfo *bi, struct lm_ipc_buffer *ipcbuf);
void clock_arm(lm_u64 at);
void clock_fired(void);

#endif
