/* The memory manager's parts (servers/mem): the chunk list (chunk.c), the
 * account table (account.c), the serve loop (main.c). */
#ifndef MEM_H
#define MEM_H

#include <lm/lamina.h>
#include "mem_proto.h"
#include "mem_srv.h"

#define MEM_MAX_CHUNKS   512  /* 1 GiB */
#define MEM_MAX_ACCOUNTS 128
#define MEM_MAX_DEPTH    48   /* accounts above an account: bounds every walk */
#define NONE             0xffff

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
};

/*
 * An account: a badge (index + 1) on our endpoint, minted in `cap` (ours;
 * revoking it at the close takes every copy from its holders). `use`
 * counts the chunks lent to it and to every account below it; an account
 * lends only while its own use and every ancestor's stay within quota.
 * Its own chunks are a list, oldest first (later: revocation requests
 * take the newest, guaranteed pages the oldest).
 */
struct account {
	lm_u8 live;
	lm_u8 depth;              /* 0: the root account */
	lm_u16 parent;            /* NONE for the root account */
	lm_u32 quota, use, own;
	lm_u16 head, tail;        /* its chunks */
	lm_cptr_t cap;
};

extern struct chunk chunks[MEM_MAX_CHUNKS];
extern lm_u32 nchunks, nfree;
extern struct account accounts[MEM_MAX_ACCOUNTS];

/* chunk.c */
int chunk_init(void);
int chunk_lend(lm_u16 acct, lm_cptr_t dst, lm_u64 *paddr);
void chunk_return_all(struct account *a);

/* account.c */
void account_init(void);
struct account *account_of(lm_u64 badge);
long account_grow(struct account *a, lm_cptr_t dst, lm_u64 *paddr);
long account_split(struct account *a, lm_u64 quota, lm_cptr_t *cap, lm_u64 *q);
long account_close(struct account *a, lm_u64 badge);
long account_list(lm_u64 from, lm_u64 out[4]);

#endif
