/*
 * The precise capability-layer harness's (eva_main.c's) signature of the
 * kernel's state, for two calls in sequence (EVA_STEPS 2, run precise2):
 * eva_sig (eva/sig.h) made of every slot the harness's CNodes have
 * (root's and every cell of cn_mem a retype can make one in), what each
 * holds and whether it has children in the derivation tree, each CNode's
 * header (reference count, occupancy summary), root's cspace slot and
 * whether the worklist holds anything. Objects go in as their offset in
 * their type's array (the harness's typed memory), untyped memory and
 * frames by their physical address: all exact numbers. Included once, by
 * eva_main.c, after its object memory.
 */
#ifndef EVA_CAP_SIG_H
#define EVA_CAP_SIG_H
#include "sig.h"

#define EVA_NCN 8 /* the cells of cn_mem (a CNode can be made in each) */
_Static_assert(sizeof cn_mem / sizeof cn_mem[0] == EVA_NCN, "every cell in the signature");

/* c's object as a small number: an address minus its array's (one base
 * in both: EVA subtracts them exactly). */
static u64 obj_id(const struct cap *c)
{
	switch (c->type) {
	case LM_OBJ_CNODE:
		return c->obj == (u64)root_cnode ? 1 : 2 + (c->obj - (u64)cn_mem);
	case LM_OBJ_ENDPOINT:
		return c->obj - (u64)ep_mem;
	case LM_OBJ_NOTIFY:
		return c->obj - (u64)ntfn_mem;
	default:
		return c->obj; /* untyped, frame: a physical address */
	}
}

/* Everything of a slot but the addresses of its tree neighbours: its
 * capability, and whether it has children or a parent-level predecessor
 * (both differ between a copy's source and its copy). */
static u64 cslot_sig(u64 h, const struct slot *s)
{
	h = mix(mix(mix(slot_sig(h, s), s->cap.bits), s->cap.flags), s->cap.w3);
	h = mix(mix(h, obj_id(&s->cap)), s->mdb.open.next != &s->mdb.close);
	return mix(mix(h, s->mdb.open.prev == NULL), s->mdb.close.next == NULL);
}

static u64 cnode_sig(u64 h, struct slot *cn)
{
	const struct cnode_hdr *hdr = (const struct cnode_hdr *)cn;
	h = mix(mix(mix(mix(h, hdr->h.refs), hdr->h.bits), hdr->h.fin), hdr->occ);
	//@ loop unroll 1 << ROOT_BITS;
	for (int i = 1; i < 1 << ROOT_BITS; i++)
		h = cslot_sig(h, &cn[i]);
	return h;
}

static u64 state_sig(void)
{
	u64 h = mix(mix(1, cap_zombies != NULL), eva_cspace_gone);
	h = cnode_sig(cslot_sig(h, &root.cspace), root_cnode);
	//@ loop unroll EVA_NCN;
	for (int c = 0; c < EVA_NCN; c++)
		h = cnode_sig(h, cn_mem[c]);
	return h;
}

#endif
