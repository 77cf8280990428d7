/*
 * The derivation tree (L4's mapping database, seL4's MDB): every capability
 * is a node whose parent is the capability it was derived from. Pure
 * pointer logic, no allocation: nodes live inside CNode slots.
 */
#ifndef MDB_H
#define MDB_H

#include "kernel.h"

struct mdb {
	struct mdb *parent; /* NULL for a root (made at boot) */
	struct mdb *child;  /* first child */
	struct mdb *next;   /* siblings: same parent, unordered; NULL-ended */
	struct mdb *prev;
};

void mdb_add_child(struct mdb *parent, struct mdb *n);
void mdb_remove(struct mdb *n);
void mdb_move(struct mdb *dst, struct mdb *src);
struct mdb *mdb_first_leaf(struct mdb *n);
bool mdb_is_descendant(const struct mdb *n, const struct mdb *ancestor);
int mdb_check(const struct mdb *n);

#endif
