/* CNodes: arrays of 2^bits slots; slot 0 holds the header, never a cap. */
#ifndef CNODE_H
#define CNODE_H

#include "cap.h"

/*
 * A CNode's header (slot 0). occ is a summary of where capabilities may
 * be: the slots fall in 64 groups of 2^cnode_group_shift(bits) each (one
 * slot each below 64 slots), and bit g is set whenever a capability is
 * put in group g (cnode_mark, at every insertion into a CNode: copy, mint,
 * move, a range copy, retype, an IPC transfer, the issue calls, boot). It
 * is cleared only by a range delete that emptied the whole group. So a
 * clear bit means the group is empty; a set bit means nothing (revoke
 * empties slots without knowing their CNode). Range deletes and
 * finalisation skip clear groups: emptying a big, mostly empty CNode (a
 * reaped child's, lib/fork_shell.c) costs per group used, not per slot.
 * DEBUG_CHECK verifies that every occupied slot's bit is set.
 */
struct cnode_hdr {
	struct objhdr h;
	u64 occ;
};
_Static_assert(sizeof(struct cnode_hdr) <= 1 << LM_SLOT_BITS, "a CNode header fits slot 0");

static inline struct objhdr *cnode_hdr(const struct cap *c)
{
	return (struct objhdr *)c->obj;
}

static inline u32 cnode_group_shift(u8 bits)
{
	return bits > 6 ? bits - 6u : 0;
}

/* Groups g with bit g set in the result: those of slots lo .. lo+n-1 (n > 0). */
static inline u64 cnode_groups(u8 bits, u64 lo, u64 n)
{
	u32 sh = cnode_group_shift(bits);
	/* 2 << 63 wraps to 0, so group 63 needs no branch. */
	return ((2ull << ((lo + n - 1) >> sh)) - 1) & (~0ull << (lo >> sh));
}

/* Capabilities go into slots lo .. lo+n-1 of the CNode cn names. */
static inline void cnode_mark(const struct cap *cn, u64 lo, u64 n)
{
	((struct cnode_hdr *)cn->obj)->occ |= cnode_groups(cn->bits, lo, n);
}
static inline struct slot *cnode_slots(const struct cap *c)
{
	return (struct slot *)c->obj;
}

bool cnode_finalise(struct objhdr *h, u32 *budget);
#endif
