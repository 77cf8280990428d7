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
#define MEM_MAX_ACCOUNTS 128        /* the root account's included */

enum {
	/* w0 = how many chunks wanted (>= 1; one is lent per call), w1 =
	 * flags (MEM_GROW_GUARANTEED: from the account's guaranteed quota;
	 * never taken by force; with MEM_GROW_SHARED, once that is spent,
	 * from the unspent guarantee of the nearest account above it that
	 * is not the root account: a tree's guarantee held by its top
	 * account, drawn on by every account below as needed). One cap: the chunk (an untyped of
	 * 2^MEM_CHUNK_BITS, moved). Reply w0 = 1, w1 = its physical address.
	 * LM_ENOMEM when the account, an ancestor's quota, the guaranteed
	 * quota or the manager's memory not promised to guarantees is used
	 * up; LM_EINVAL for unknown flags or MEM_GROW_SHARED alone. */
	MEM_GROW = 1,
	/* w0 = quota in chunks (at most the caller's), w1 = guaranteed
	 * chunks (<= quota; carved from the caller's guaranteed quota), w2 =
	 * how many accounts may be made below it (0: the default, one less
	 * than the caller's; half the table below the root account). One
	 * cap: the new account (a child of the caller's). Reply w0 = its
	 * badge, w1 = its quota. LM_ELIMIT when the table is full, the tree
	 * too deep or the caller's or an ancestor's account limit reached;
	 * LM_ENOMEM when the guarantee cannot be honoured; LM_ERANGE for
	 * quota 0 or a guarantee above the quota. */
	MEM_SPLIT = 2,
	/* w0 = badge of an account below the caller's. Takes back every chunk
	 * lent to it and to the accounts below it (revoke: every object made
	 * from them goes, in every address space) and ends them. Reply w0 =
	 * chunks taken back. LM_ERIGHTS for an account not below the caller's, LM_ENOENT for none. */
	MEM_CLOSE = 3,
	/* Reply w0 = quota, w1 = use (chunks, the accounts below included),
	 * w2 = chunks the manager has free, w3 = the caller's badge |
	 * its guaranteed quota << 32. */
	MEM_INFO = 4,
	/* w0 = a badge to start from (>= 1). Reply w0 = the first live
	 * account's badge at or after it that is the caller's or below it
	 * (the root account's: every account; LM_ENOENT: none), w1 = its
	 * parent's badge (0 for the root account), w2 = quota, w3 = use |
	 * guaranteed quota << 32. */
	MEM_LIST = 5,
	/* One cap: a notification (the manager signals it on each request
	 * and each forced take). Reply: the account's page (struct mem_page,
	 * a 4 KiB frame, READ only) moved to receive slot 0. Again: the
	 * notification is replaced, the same page sent again. LM_ETYPE: no
	 * notification. */
	MEM_REGISTER = 6,
	/* w0 = badge of an account below the caller's, w1 = chunks wanted
	 * back (>= 1; capped at the chunks it holds that are not
	 * guaranteed), w2 = deadline (the requester's clock; 0: at once).
	 * Writes the request in the account's page, replacing an earlier one,
	 * and signals its notification. Reply w0 = chunks asked. */
	MEM_REQUEST = 7,
	/* w0 = physical address of a chunk lent to the caller's own account.
	 * Revoked and freed. Reply w0 = chunks still owed to a request.
	 * LM_ENOENT: no chunk at that address is lent to this account. */
	MEM_RETURN = 8,
	/* w0 = badge of an account below the caller's: its deadline passed.
	 * The chunks still owed are taken by force, newest first, never a
	 * guaranteed one; each is written in its page's abort record and its
	 * notification signalled. Reply w0 = chunks taken. */
	MEM_ENFORCE = 9,
	/* w0 = the sequence number of the last abort record the caller has
	 * read: those records leave the page, making room. Reply w0 = records
	 * left. */
	MEM_ACK = 10,
	/* The holder's word on where a chunk's frames are mapped, copied
	 * into its abort records (never trusted for anything else: a lie
	 * garbles only its own records). w0 = physical address of the run's
	 * first frame (in a chunk lent to the caller's own account, page
	 * aligned), w1 = its virtual address (page aligned), w2 = pages (the
	 * run within the chunk, below 2^47 in the address space). w2 = 0:
	 * the runs of that chunk at vaddr w1 are forgotten. Reply w0 = the
	 * chunk's runs now. LM_EINVAL: not page aligned; LM_ENOENT: no chunk
	 * of the account's there; LM_ERANGE: the run leaves the chunk or the
	 * user half; LM_ELIMIT: the chunk has MEM_RUNS runs already. */
	MEM_MAPPED = 11,
	MEM_NREQ
};

#define MEM_GROW_GUARANTEED 0x1
#define MEM_GROW_SHARED     0x2

#define MEM_RUNS        4           /* declared runs per chunk (MEM_MAPPED) */
#define MEM_USER_TOP    (1ull << 47) /* a run's end at most here */

/*
 * The page an account's holder reads (MEM_REGISTER): written only by the
 * manager, which signals the notification after each change. A request
 * bumps req_seq. A chunk taken by force writes one record per run the
 * holder declared for it (MEM_MAPPED), in declaration order, or one
 * record naming the chunk alone (npages 0) when it declared none.
 * abort_seq counts every record, written or not, so the records' seq are
 * 1, 2, ... with a gap where records were lost; abort_lost counts those
 * (the array was full: MEM_ACK empties it).
 */
#define MEM_NREC 126

struct mem_abort_rec {
	lm_u64 seq;
	lm_u64 paddr;             /* the run's first frame; the chunk if npages 0 */
	lm_u64 vaddr;             /* where the holder said it was mapped; 0 */
	lm_u64 npages;            /* pages of the run; 0: the whole chunk, no run */
};

struct mem_page {
	lm_u64 req_seq;           /* requests made so far */
	lm_u64 req_chunks;        /* chunks the latest request still wants */
	lm_u64 req_deadline;      /* as the requester gave it */
	lm_u64 abort_seq;         /* chunks taken by force so far */
	lm_u64 abort_lost;        /* records not written: no room */
	lm_u64 nrec;              /* records in rec[] */
	lm_u64 pad[2];
	struct mem_abort_rec rec[MEM_NREC];
};

#endif
