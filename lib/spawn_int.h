/* Shared between spawn.c (the steps) and spawn_load.c (memory: sizing,
 * segments, stack). Not part of the library's interface. */
#ifndef LM_SPAWN_INT_H
#define LM_SPAWN_INT_H

#include <lm/spawn.h>
#include <lm/untyped.h>

#define SPAWN_PAGE 4096ull
#define SPAN_2M    (1ull << 21) /* what one page table maps */

struct spawn_ctx {
	const struct lm_spawn *a;
	struct lm_proc *p;
	struct lm_pool pool;   /* just p->ut: the child's memory */
	lm_cptr_t bi_frame;    /* caller's slot of the bootinfo frame, or 0 */
	lm_u32 next;           /* next child slot for frames and tables */
	lm_u32 end;            /* 2^cnode_bits */
	lm_u32 boot_first;
	lm_u32 asid_slot;      /* the child's ID range, or 0 */
	lm_u32 nasids;
	lm_u32 frame_rights;   /* of the image's frames, 0 without */
	lm_u32 frame_bits;     /* their size: 12, or 13..20 for runs */
};

/* spawn_load.c */
lm_u32 spawn_mem_bits(const struct spawn_ctx *c, lm_u32 nsegs);
int spawn_give(struct spawn_ctx *c, lm_cptr_t slot);
int spawn_map(struct spawn_ctx *c, lm_cptr_t frame, lm_u64 va, lm_u32 rights);
int spawn_fill(lm_cptr_t frame, lm_u64 off, const void *src, lm_u64 len);
int spawn_segments(struct spawn_ctx *c, lm_u32 nsegs);
int spawn_stack(struct spawn_ctx *c);

#endif
