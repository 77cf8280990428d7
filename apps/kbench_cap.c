/*
 * kbench: the derivation tree. revoke_chain_N revokes a capability with a
 * chain of N descendants (a copy, a copy of the copy, and so on); the
 * figure is per revoked capability. delete_children_N deletes a capability
 * that has N children (they go to its parent); the figure is per delete.
 * Building the tree is not timed. Lamina only: Linux has no counterpart.
 */
#include "kbench.h"

#define CN_BITS 14 /* room for the longest chain, 10,000 */

static lm_cptr_t cn;    /* the CNode the trees are built in */
static lm_cptr_t frame; /* the root of every tree, in our own CNode */
static lm_u64 size;     /* N */
static int failed;

/* Slot 1 of cn: a copy of frame, so deleting it hands children to frame. */
static int new_root(void)
{
	return lm_cnode_copy(cn, 1, LM_SLOT_CNODE, frame, LM_R_ALL);
}

/* Slot 1 holds the root throughout: revoke keeps it. */
static lm_u64 op_revoke_chain(lm_u64 n)
{
	lm_u64 cycles = 0;

	for (lm_u64 i = 0; i < n; i++) {
		for (lm_u64 d = 1; d <= size; d++)
			failed |= lm_cnode_copy(cn, d + 1, cn, d, LM_R_ALL);
		lm_u64 t0 = span_begin();
		failed |= lm_cnode_revoke(cn, 1);
		cycles += span_end(t0);
	}
	return cycles;
}

static lm_u64 op_delete_children(lm_u64 n)
{
	lm_u64 cycles = 0;

	for (lm_u64 i = 0; i < n; i++) {
		failed |= new_root();
		for (lm_u64 c = 1; c <= size; c++)
			failed |= lm_cnode_copy(cn, c + 1, cn, 1, LM_R_ALL);
		lm_u64 t0 = span_begin();
		failed |= lm_cnode_delete(cn, 1);
		cycles += span_end(t0);
		failed |= lm_cnode_revoke(LM_SLOT_CNODE, frame); /* the children, untimed */
	}
	return cycles;
}

void kb_cap(void)
{
	static const struct { lm_u64 size, iters; } runs[] = {
		{ 1, 100 }, { 10, 100 }, { 100, 10 }, { 1000, 1 }, { 10000, 1 },
	};
	char name[32];

	cn = new_obj(LM_OBJ_CNODE, CN_BITS);
	frame = new_obj(LM_OBJ_FRAME, 12);
	if (!cn || !frame) {
		lm_printf("kbench: cannot set up the derivation-tree benchmarks\n");
		return;
	}
	for (unsigned i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		size = runs[i].size;
		lm_snprintf(name, sizeof name, "revoke_chain_%lu", size);
		if (selected(name)) {
			failed = new_root();
			bench_self(name, runs[i].iters, size, op_revoke_chain);
			failed |= lm_cnode_delete(cn, 1);
		}
		lm_snprintf(name, sizeof name, "delete_children_%lu", size);
		if (selected(name))
			bench_self(name, runs[i].iters, 1, op_delete_children);
		if (failed)
			lm_printf("# %s: a capability call failed\n", name);
	}
}
