/*
 * The memory manager's protocol (servers/mem, docs/API.md "Memory
 * manager"). A client holds an account: the manager's endpoint minted with
 * the account's badge. Every request is an EP_CALL with label MEM_*; the
 * reply's w0 is a result >= 0 or a negative LM_E* error.
 *
 * Memory is lent in chunks of 2^MEM_CHUNK_BITS bytes (2 MiB, naturally
 * aligned): an untyped capability moved to the caller, whole. A chunk is
 * never split between accounts, so returning one never fragments.
 */
#ifndef MEM_PROTO_H
#define MEM_PROTO_H

#define MEM_CHUNK_BITS  21          /* 2 MiB */
#define MEM_BADGE_ROOT  1           /* account 0: all of the manager's memory */

enum {
	/* w0 = how many chunks wanted (>= 1; one is lent per call). One
	 * cap: the chunk (an untyped of 2^MEM_CHUNK_BITS, moved). Reply
	 * w0 = 1, w1 = its physical address. LM_ENOMEM when the account,
	 * an ancestor's quota or the manager's memory is used up. */
	MEM_GROW = 1,
	/* w0 = quota in chunks (at most the caller's). One cap: the new
	 * account (a child of the caller's). Reply w0 = its badge, w1 = its
	 * quota. LM_ELIMIT when the table is full or the tree too deep. */
	MEM_SPLIT = 2,
	/* w0 = badge of an account below the caller's. Takes back every chunk
	 * lent to it and to the accounts below it (revoke: every object made
	 * from them goes, in every address space) and ends them. Reply w0 =
	 * chunks taken back. LM_ERIGHTS for an account not below the caller's, LM_ENOENT for none. */
	MEM_CLOSE = 3,
	/* Reply w0 = quota, w1 = use (chunks, the accounts below included),
	 * w2 = chunks the manager has free, w3 = the caller's badge. */
	MEM_INFO = 4,
	/* w0 = a badge to start from (>= 1). Reply w0 = the first live
	 * account's badge at or after it (LM_ENOENT: none), w1 = its
	 * parent's badge (0 for the root account), w2 = quota, w3 = use.
	 * Guaranteed pages are a later increment: none yet. */
	MEM_LIST = 5,
	MEM_NREQ
};

#endif
