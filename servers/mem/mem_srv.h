/* Where root puts the memory manager's capabilities (servers/root/mem.c),
 * and where its clients hold theirs. */
#ifndef MEM_SRV_H
#define MEM_SRV_H

/* In the manager. */
#define MEM_SLOT_EP     9    /* its endpoint: receive, and mint accounts' badges */
#define MEM_SLOT_OWN    10   /* untyped for its own objects (IPC buffer) */
#define MEM_SLOT_TIMER  11   /* the timer server's endpoint, badged TIMER_BADGE_MEM
			      * (empty: deadlines pass at the next message) */
#define MEM_SLOT_UT     16   /* .. : the memory it lends, naturally aligned pieces
			      * of at least a chunk, up to the first empty slot */
#define MEM_OWN_BITS    20   /* 1 MiB: the IPC buffer, an account page per table index */
#define MEM_IPCBUF_VA   0x20000000ull

/* In the shell: the root account (MEM_BADGE_ROOT). */
#define SH_SLOT_MEM     13

/* In memdemo run by the shell: an account of the shell's (apps/memdemo.c:
 * MEMDEMO_QUOTA chunks, MEMDEMO_GUAR guaranteed). */
#define MEMDEMO_SLOT_ACCT 9
#define MEMDEMO_QUOTA     12
#define MEMDEMO_GUAR      3

/* In a Linux process: its user's account (LX_SLOT_TIMER is 12). */
#define LX_SLOT_MEM     13

#endif
