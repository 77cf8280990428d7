/* forktest's scenarios (its argument word), for tests/guest/fork.c. */
#ifndef FORKTEST_H
#define FORKTEST_H

enum {
	FT_OWN_WRITES = 1, /* parent and child see their own writes */
	FT_GENERATIONS,    /* three generations deep */
	FT_ON_DEMAND,      /* on-demand pages: copy on reference, on write */
	FT_MANY,           /* 100 forks leak nothing */
	FT_NO_MEMORY,      /* fork without memory fails cleanly */
	FT_LIMITS,         /* too many children; a child asking for too much */
	FT_FPU,            /* a child starts with the parent's FPU and SSE modes */
	FT_LATER_FORK,     /* a child never gets pages shared at a later fork */
	FT_SHARED_RO,      /* a child cannot write the parent's text or read-only data */
	FT_UNWRITTEN,      /* nor its writable pages, nor can a grandchild */
	FT_HOSTILE_PLACE,  /* what a child leaves in its place never reaches the next */
	FT_HOSTILE_ASKS,   /* the fork server refuses bad requests, serves a page once */
	FT_LAST = FT_HOSTILE_ASKS,
	/* Not in the run of every scenario (LM_BOOTINFO_VADDR): its second
	 * child at once needs a new shell, and after the others the pool has
	 * no room left for one (what earlier scenarios' destroyed shells
	 * took never comes back to it). */
	FT_KEEP_ONE,       /* one child kept alive while 50 are forked and reaped */
	/* Not in the shell's run either: it needs tests/guest/mem_fork.c. */
	FT_REVOKED,        /* the child's chunk taken by force in the middle of the fork */
	FT_FORGET,         /* lm_fork_forget: only a parent's frame never fetched */
	FT_HOT,            /* a page an earlier child fetched: given at the fork */
	FT_STACK,          /* the stack page: copied at once, or shared while a child lives */
	FT_BIG_PLACE,      /* FT_HOSTILE_PLACE, FT_STACK with a 4,096-slot child CNode (cnode_bits 12) */
};

/* FT_REVOKED: the memory manager account its children's memory comes from
 * and the test's endpoint (FT_STOP: the fork stopped, the child's memory
 * copied, not started; FT_DONE: w0 = lm_fork's result, w1 = the child's
 * state when reaped, w2 = lm_fork_wait's result). */
#define FT_SLOT_ACCT 9
#define FT_SLOT_TEST 10
enum { FT_STOP = 1, FT_DONE };

#endif
