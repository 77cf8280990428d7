/*
 * The derivation tree (L4's mapping database, seL4's MDB): every capability
 * is a node whose parent is the capability it was derived from. Pure
 * pointer logic, no allocation: nodes live inside CNode slots.
 *
 * The tree is kept as a nested list, like balanced parentheses: each node
 * is in it twice, as an opening and a closing end, and a node's descendants
 * are exactly the nodes between its two ends. Nodes without a parent (made
 * at boot, or left when theirs was deleted) lie side by side in lists of
 * their own. No node records its parent, so what the kernel does is a
 * splice of O(1) whatever the tree's shape:
 *  - a new child goes just inside its parent's opening end;
 *  - removing a node unlinks its two ends, and its children, which stay
 *    where they were, are now between its parent's ends: its parent's;
 *  - moving a node repoints the neighbours of its two ends (four at most);
 *  - the next node a revoke deletes is the one just inside the opening end.
 * Finding a node's parent is a walk back over the siblings before it
 * (mdb_parent), and mdb_is_descendant walks up that way.
 */
#ifndef MDB_H
#define MDB_H

#include "kernel.h"

struct mdb_end {
	struct mdb_end *prev, *next; /* NULL at either end of a list */
};

/*
 * Aligned to its size, so an end's address says which end it is: the
 * opening end has bit 4 clear, the closing end set. A node out of the tree
 * (an empty slot) is all NULL.
 */
struct mdb {
	struct mdb_end open, close;
} __attribute__((aligned(32)));

static inline bool mdb_has_children(const struct mdb *n)
{
	return n->open.next != &n->close;
}

/* The first of n's children, NULL if none. */
static inline struct mdb *mdb_first_child(struct mdb *n)
{
	return mdb_has_children(n) ? (struct mdb *)n->open.next : NULL;
}

static inline bool mdb_linked(const struct mdb *n)
{
	return n->open.prev || n->open.next || n->close.prev || n->close.next;
}

void mdb_add_child(struct mdb *parent, struct mdb *n);
void mdb_remove(struct mdb *n);
void mdb_move(struct mdb *dst, struct mdb *src);
struct mdb *mdb_parent(const struct mdb *n);
bool mdb_is_descendant(const struct mdb *n, const struct mdb *ancestor);
int mdb_check(const struct mdb *n);

#endif
