/* Between the parts of liblamina's fork (lib/fork*.c): not part of the
 * library's interface. fork.c builds and reaps children, fork_layout.c
 * learns what the process has mapped, fork_fault.c is the fault path and
 * the server children ask for frames. */
#ifndef LM_FORK_INT_H
#define LM_FORK_INT_H

#include <lm/fork.h>
#include <lm/exception.h>
#include <lm/fpu.h>
#include <lm/slot.h>
#include <lm/spawn.h>
#include <lm/string.h>
#include <lm/sys.h>
#include <lm/thread.h>
#include <lm/untyped.h>
#include <lm/vspace.h>
#include <lamina/bootinfo.h>
#include <lm/mem.h>
#include "vm_int.h"

#define PAGE            LM_PAGE_SIZE
#define MAX_SEGS        32
#define MAX_BOOT_PAGES  384
#define MAX_RETIRED     1024 /* a library OS's own pages retire here too */
#define MAX_TABLES      48   /* page tables of one child's address space */
#define MAX_SHELLS      LM_FORK_MAX_CHILDREN /* a kept one uses a place */
#define MAX_SPARE       4    /* untypeds of reaped children kept for the next */
#define MAX_RECYCLED    64   /* copy targets kept for the next copies */
#define STARTER_FRAMES  3    /* copy targets a child starts with (its stack page: give_stack) */
#define MAX_HOT         256  /* slots children fetched, given at the next forks */
#define SERVER_STACK    2048
#define EXC_STACK_SIZE  8192
/* Where a process maps a page it copies on a write fault, and where the
 * parent maps the child's private pages to fill them. */
#define COPY_WINDOW     0x7ff000200000ull
#define FILL_WINDOW     0x7ff000400000ull
/* Where a process maps its share records, one page per child place
 * (struct share_rec); in COPY_WINDOW's page table, and never inherited. */
#define SHARE_WINDOW    0x7ff000300000ull
/* Where a process keeps lm_fork's working state (struct build), in frames
 * of its own, mapped at its first fork and never inherited: in its data
 * it shared pages with other variables, was made read-only at every fork
 * and cost three write faults after each (fork_parent clears it). */
#define BUILD_WINDOW    0x7ff000500000ull
#define BUILD_PAGES     4
/* Where a process maps the private pages it keeps for the child in each
 * place (shell_priv), PRIV_WINDOW_PAGES a place; never inherited. */
#define PRIV_WINDOW_PAGES 16
#define PRIV_MIN_CNODE_BITS 12 /* shells from 4,096 slots keep them (shell_priv) */
#define PRIV_WINDOW(i)  (0x7ff000600000ull + (lm_u64)(i) * PRIV_WINDOW_PAGES * PAGE)

extern char __lm_private_start[], __lm_private_end[];
int lm_fork_save(struct lm_regs *r);

/* A stretch of the address space fork knows: its pages' frame slots and
 * the rights the process means them to have. Writable segments carry the
 * copy-on-write hook, above any on-demand region of the same pages. */
struct seg {
	struct lm_vm_region r;
	lm_u64 rights;
	lm_cptr_t *frames;        /* one slot per page, 0: none */
	struct lm_vm_anon *anon;  /* an on-demand region's, or 0 (boot) */
};

/* Private: the fault path reads them before it can fix a page. */
extern struct seg segs[MAX_SEGS];
extern lm_u32 nsegs;

/*
 * A child's CNode, address space and thread, with the page tables of that
 * address space, made from an untyped of their own: when the child is
 * reaped they are emptied and kept for the next child, so a fork makes no
 * CNode (zeroed) and no page tables, and a reap destroys only what the
 * child had. The child's memory (its pool, private pages) is another
 * untyped, revoked at the reap.
 */
struct shell {
	lm_cptr_t ut;
	lm_cptr_t cnode, vspace, tcb; /* consecutive slots: one copy fills the child's 1-3 */
	lm_u32 bits;             /* the CNode's */
	lm_u32 state;            /* SHELL_* */
	lm_u32 ntables;
	lm_cptr_t tables[MAX_TABLES];
	lm_u64 mem_badge;        /* the child's account (lm/mem.h), 0: none */
	lm_cptr_t priv;          /* the child's private pages (fork_pages.c, shell_priv): */
	lm_u32 npriv;            /* npriv frames, then npriv copies mapped in our window, */
	lm_cptr_t priv_ut;       /* made from this untyped of ours */
};
enum { SHELL_FREE, SHELL_KEPT, SHELL_USED };

/*
 * The fork server's protocol (labels of a call on its endpoint). A child
 * calls with its badge (its place, 1-based) and FORK_FETCH; the process's
 * own threads call with the unbadged capability and FORK_SYNC, answered
 * once every request received before it is finished. Anything else is
 * refused with reply label FORK_REFUSED, which also stops a thread whose
 * fault the call is (a fault message's reply must be 0 or 1 to resume).
 */
enum { FORK_FETCH = 0, FORK_SYNC = 1, FORK_REFUSED = 2 };

/*
 * What the child in one place (shell) may ask the fork server for: the
 * slots of the writable pages' frames as they were at that child's own
 * fork, and of those the ones it maps executable. Written by lm_fork
 * before the child first runs, read by the server: a child never gets a
 * frame shared at another fork (an earlier child, the parent's later
 * copies). The server clears a slot's `shared` bit as it serves it, so a
 * child gets each frame once: what its requests cost the server (and,
 * through it, our own ancestors' servers) is bounded by its record. One page per place, made at the place's first fork and kept
 * (LM_FORK_MAX_CHILDREN pages at most), mapped at SHARE_WINDOW in the
 * process alone: not in the private pages, which every fork copies.
 */
struct share_rec {
	lm_u64 shared[LM_SLOTS_MAX / 64];
	lm_u64 exec[LM_SLOTS_MAX / 64];
};
_Static_assert(sizeof(struct share_rec) == PAGE, "a share record is one page");

/* The state the fault path writes, and what a child must get its own of. */
struct fork_state {
	int ready;
	lm_u32 gen, nchildren, nretired, pool_bits;
	lm_u32 pool_floor; /* 0: each child's pool 2^pool_bits exactly */
	lm_u32 asids; /* IDs in each child's range; 0: an eighth of ours */
	lm_cptr_t retired[MAX_RETIRED];
	struct { lm_cptr_t slot; lm_u32 bits; } spare[MAX_SPARE]; /* reaped children's */
	lm_u32 nspare;
	lm_cptr_t recycled[MAX_RECYCLED]; /* frames of ours nobody maps */
	lm_u32 nrecycled;
	struct shell shells[MAX_SHELLS];
	/* Capabilities on reference: a child asks its parent's fork server
	 * (a thread of the parent, on own_ep) for the frame in a slot when it
	 * first touches the page; up_ep is ours to ask our parent. */
	lm_cptr_t own_ep, up_ep, server;
	lm_cptr_t stopped;                /* children's stop notification */
	lm_cptr_t share_frames[MAX_SHELLS]; /* the share records' pages */
	lm_cptr_t build_frames[BUILD_PAGES]; /* BUILD_WINDOW's, 0: not mapped yet */
	/* The slots our children asked the server for, at most MAX_HOT (then
	 * a new one replaces the one at hot_next, round the log): a child is
	 * given these frames at its fork where its record holds them
	 * (give_hot in fork.c), as if it had asked, since a process's
	 * children touch the same pages first. A hint only: the server
	 * thread writes it while a fork reads it. */
	lm_u16 hot[MAX_HOT];
	lm_u32 nhot, hot_next;
	lm_u8 server_stack[SERVER_STACK] __attribute__((aligned(16)));
	lm_cptr_t boot[MAX_BOOT_PAGES];
	struct lm_pool pool; /* the default pool once the process forks */
	lm_u8 exc_stack[EXC_STACK_SIZE] __attribute__((aligned(16)));
};
extern struct fork_state fk;

/* The share record of the child in shell sh (mapped: share_rec_map). */
static inline struct share_rec *share_rec_of(const struct shell *sh)
{
	return (struct share_rec *)(SHARE_WINDOW + (lm_u64)(sh - fk.shells) * PAGE);
}

/* How many slots it covers: the child's CNode's, at most LM_SLOTS_MAX. */
static inline lm_u32 share_rec_slots(const struct shell *sh)
{
	return (1ull << sh->bits) < LM_SLOTS_MAX ? 1u << sh->bits : LM_SLOTS_MAX;
}

static inline int bit_test(const lm_u64 *map, lm_u64 s)
{
	return (int)((map[s / 64] >> (s % 64)) & 1);
}

static inline lm_u32 popcount(lm_u64 w)
{
	w = w - ((w >> 1) & 0x5555555555555555ull);
	w = (w & 0x3333333333333333ull) + ((w >> 2) & 0x3333333333333333ull);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (lm_u32)((w * 0x0101010101010101ull) >> 56);
}

static inline int is_private(lm_u64 va)
{
	return va >= (lm_u64)__lm_private_start && va < (lm_u64)__lm_private_end;
}

static inline int map_here(lm_cptr_t f, lm_u64 va, lm_u64 rights)
{
	int err = lm_vspace_map(LM_SLOT_VSPACE, f, va, rights);

	return err == LM_ETABLE ? lm_map_page(LM_SLOT_VSPACE, f, va, rights) : err;
}


/* fork_fault.c */
int fork_cow_hook(struct lm_vm_region *r, const struct lm_vm_fault *f);
void fork_drop(lm_cptr_t f);
void fork_release_mapped(lm_cptr_t f);
void fork_release(lm_cptr_t f);
int fork_server_start(void);
void fork_server_sync(void);
void fork_hot_note(lm_u64 s);

/* fork_layout.c */
int fork_setup(void);

/* What fork.c builds a child with (fork.c, fork_shell.c). Cleared up to
 * `pool` at each fork; the large members from there on are set up as
 * they are used (lm_pool_init, nfill). */
struct build {
	struct lm_proc *p;
	struct shell *sh;         /* its CNode, address space, thread, tables */
	int new_shell;            /* made for this child, not a kept one */
	lm_cptr_t up_slot;        /* the child's way to our server */
	lm_u32 cnode_bits;
	lm_u32 pool_bits;         /* the child's pool's size */
	lm_cptr_t child_ut;       /* our slot of the child's default pool */
	lm_u64 child_ut_paddr;
	lm_u32 nfill;
	/* The page our stack pointer was in at the fork, copied for the
	 * child at once and left writable for us (give_stack in fork.c); 0:
	 * none, it is shared copy-on-write like the rest. */
	lm_u64 stack_va;
	lm_cptr_t stack_frame;    /* its frame's slot, ours and the child's */
	lm_u64 stack_rights;      /* its segment's */
	struct lm_pool pool;      /* the child's memory: its pool's untyped */
	struct lm_pool spool;     /* the shell's, for page tables */
	lm_cptr_t fill[(MAX_BOOT_PAGES)]; /* new private frames, our slots */
};

/* fork.c */
int map_in_child(struct build *b, lm_cptr_t t, lm_u64 va, lm_u64 rights);
int give_mapped(struct build *b, lm_cptr_t t, lm_cptr_t dst, lm_u64 va, lm_u64 rights);

/* fork_pages.c */
void pick_stack(struct build *b, lm_u64 rsp);
int give_stack(struct build *b);
lm_u64 shell_priv(struct build *b, lm_u64 npages);

/* fork_shell.c */
lm_u32 child_cnode_bits(lm_u32 pool_bits);
void shell_destroy(struct shell *sh);
int shell_get(struct build *b);
void shell_put(struct shell *sh);
int give_asids(struct build *b);
lm_u32 pool_target(void);
int try_pool(struct lm_proc *p, lm_u32 bits);

#endif
