/*
 * Capabilities and CNode slots. A slot is 64 bytes: the capability (what
 * and with which rights) and its place in the derivation tree.
 */
#ifndef CAP_H
#define CAP_H

#include <lamina/object.h>
#include "kernel.h"
#include "mdb.h"

/*
 * Per-type meaning of the words:
 *   UNTYPED  obj = paddr, bits = size, w2 = free mark (bytes used)
 *   FRAME    obj = paddr, bits = 12..21, w2 = mapped vaddr, w3 = mapping asid+gen;
 *            a run (bits 13..20, frame_is_run) maps a part of its pages with
 *            4 KiB entries: w2 = vaddr of the part's first page, part = its
 *            first page | page count << 16 (one record for all its entries)
 *   PTABLE   obj = paddr, w2 = mapped vaddr, w3 = asid+gen+level (vspace.c)
 *   VSPACE   obj = paddr of the PML4, w2 = asid (0: none assigned yet)
 *   CNODE    obj = kernel address of slot 0, bits = slot bits, w2 = badge
 *   TCB      obj = kernel address, w2 = badge
 *   IOPORT   obj = first port, w2 = number of ports
 *   ASIDS    obj = first ID, w2 = number of IDs, w3 = depth: 1 for root's,
 *            its issuer's + 1 (it owns the IDs of its run at its depth; asid.c)
 *   IRQ      obj = interrupt line
 */
struct cap {
	u8 type;
	u8 rights;
	u8 bits;
	u8 flags;
	u32 part; /* a mapped run frame's part (above); 0 otherwise */
	u64 obj;
	u64 w2;
	u64 w3;
};

#define CAP_F_MAPPED  0x1 /* frame or table: w2/w3 record the mapping */
#define CAP_F_TCBSLOT 0x2 /* slot lives inside a TCB (its cspace/vspace) */

struct slot {
	struct cap cap;
	struct mdb mdb;
};
_Static_assert(sizeof(struct slot) == 1 << LM_SLOT_BITS, "slot size");

static inline struct slot *slot_of(struct mdb *m)
{
	return (struct slot *)((char *)m - __builtin_offsetof(struct slot, mdb));
}

/*
 * Reference-counted kernel objects (TCB, CNode, endpoint, notification)
 * start with this header,
 * the CNode in its slot 0. refs counts the capabilities naming the object;
 * at zero the object is finalised (cap.c).
 */
struct objhdr {
	u32 refs;
	u32 seen;               /* scratch for debug_check's recount */
	struct objhdr *zombie;  /* finalisation worklist link */
	struct objhdr *all_next, *all_prev; /* every live object of its type */
	u8 type;
	u8 bits;                /* CNode: slot bits */
	u32 fin;                /* CNode being finalised: next slot to empty (0: not begun);
	                         * endpoint, notification: 1 once begun */
};

/*
 * Capabilities that only move, never copy:
 *  - an untyped and an ID range have one free mark each, and an IRQ line
 *    one holder: copies would let two holders share what only one may have;
 *  - a page table is walked by the MMU, so it is installed in one place at
 *    most; its capability records where, and a copy would be a second,
 *    unmapped record through which the same table could be installed again
 *    (at another level, where the user fills its entries through the first
 *    view). So there is exactly one capability per table object, and its
 *    CAP_F_MAPPED is the object's state;
 *  - an address space without an ID, so that VSPACE_ASSIGN has the one
 *    capability to update (seL4's rule for an unmapped PML4).
 */
static inline bool cap_copyable(const struct cap *c)
{
	return c->type != LM_OBJ_UNTYPED && c->type != LM_OBJ_IRQ && c->type != LM_OBJ_PTABLE &&
		c->type != LM_OBJ_ASIDS && !(c->type == LM_OBJ_VSPACE && !c->w2);
}

/* What a copy of c starts as: the same object and rights, no flags, and a
 * frame not mapped anywhere (each frame capability records one mapping). */
static inline struct cap cap_derived(const struct cap *c, u8 rights)
{
	struct cap d = *c;
	d.rights &= rights;
	d.flags = 0;
	if (d.type == LM_OBJ_FRAME) {
		d.w2 = d.w3 = 0;
		d.part = 0;
	}
	return d;
}

/* A frame of 2^13 .. 2^20 bytes: a run of 4 KiB pages, mapped (in whole or
 * in part) with 4 KiB entries under one mapping record. 4 KiB frames map as
 * one entry, 2 MiB frames as one large page. */
static inline bool frame_is_run(const struct cap *c)
{
	_Static_assert(LM_LARGE_PAGE_BITS - LM_PAGE_BITS == 9, "frame_is_run");
	return (u8)(c->bits - (LM_PAGE_BITS + 1)) < 8; /* one compare on the map path */
}
#define PART_FIRST(p) ((u64)(p) & 0xffff)
#define PART_COUNT(p) ((u64)(p) >> 16)

void cap_insert(struct slot *dst, const struct cap *c, struct slot *parent);
void cap_delete(struct slot *s);
void cap_delete_one(struct slot *s);
int cap_revoke(struct slot *s);
void cap_move(struct slot *dst, struct slot *src);
void obj_ref(const struct cap *c);
void obj_link(struct objhdr *h, u8 type);
extern struct objhdr *all_objects[LM_OBJ_NTYPES];

/* Advanced by every change to the contents of any slot (a capability put
 * in, moved out or deleted: cap.c, the only writers of a slot's capability
 * but for in-place updates of frame, table, address-space and untyped
 * capabilities, which never make or unmake an endpoint or notification
 * capability). The IPC fast paths' cached lookups (tcb.fpc) are valid while
 * it has the value they were made at. */
extern u64 cap_epoch;

/* Finalisation worklist (cap.c): objects whose last capability is gone. */
extern struct objhdr *cap_zombies;
extern u64 cap_drain_batches;
bool cap_drain(void);

/* Nothing left to finalise, after one batch of it if there was some. */
static inline bool cap_drained(void)
{
	return !cap_zombies || cap_drain();
}

#define REVOKE_BATCH 64
/* Work units of one finalisation batch: an object finalised, a CNode slot
 * emptied or DRAIN_SCAN CNode slots looked at cost DRAIN_DELETE each (a
 * batch is about 256 of them). */
#define DRAIN_BATCH  2048
#define DRAIN_DELETE 8
#define DRAIN_SCAN   64
/* Every batch gets somewhere: a CNode's batch pays for a block of slots
 * first and then for a deletion, and one that could afford only the block
 * would stop where it started, round after round (the SPIN model
 * kernel/models/revoke.pml finds that livelock with a batch of one unit). */
_Static_assert(DRAIN_BATCH >= 2 * DRAIN_DELETE, "a batch must afford a scan and a deletion");

#endif
