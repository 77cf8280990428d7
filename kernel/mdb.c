/*
 * Derivation-tree operations. Invariants (checked by mdb_check):
 *  - c->parent == n for every child c of n;
 *  - siblings form a doubly linked list: x->next->prev == x, and the first
 *    sibling has prev == NULL and is its parent's `child`;
 *  - a root (parent == NULL) has no siblings.
 * Removing a node gives its children to its parent, in its place.
 */
#include "mdb.h"

void mdb_add_child(struct mdb *parent, struct mdb *n)
{
	n->parent = parent;
	n->child = NULL;
	n->prev = NULL;
	n->next = NULL;
	if (!parent)
		return;
	n->next = parent->child;
	if (n->next)
		n->next->prev = n;
	parent->child = n;
}

void mdb_remove(struct mdb *n)
{
	struct mdb *p = n->parent, *first = n->child, *last = NULL;

	for (struct mdb *c = n->child; c; c = c->next) {
		c->parent = p;
		last = c;
	}
	if (!p) {
		/* Children of a root become roots: roots have no siblings. */
		struct mdb *c = first;
		while (c) {
			struct mdb *next = c->next;
			c->next = c->prev = NULL;
			c = next;
		}
	} else {
		struct mdb *before = n->prev, *after = n->next;
		if (first) {
			first->prev = before;
			last->next = after;
			if (after)
				after->prev = last;
		} else {
			first = after;
			if (after)
				after->prev = before;
		}
		if (before)
			before->next = first;
		else
			p->child = first;
	}
	n->parent = n->child = n->next = n->prev = NULL;
}

/* dst is unused memory; afterwards src is. Neighbours now point at dst. */
void mdb_move(struct mdb *dst, struct mdb *src)
{
	*dst = *src;
	if (dst->prev)
		dst->prev->next = dst;
	else if (dst->parent)
		dst->parent->child = dst;
	if (dst->next)
		dst->next->prev = dst;
	for (struct mdb *c = dst->child; c; c = c->next)
		c->parent = dst;
	src->parent = src->child = src->next = src->prev = NULL;
}

struct mdb *mdb_first_leaf(struct mdb *n)
{
	while (n->child)
		n = n->child;
	return n;
}

bool mdb_is_descendant(const struct mdb *n, const struct mdb *ancestor)
{
	for (n = n->parent; n; n = n->parent)
		if (n == ancestor)
			return true;
	return false;
}

/* Local consistency of one node; returns the number of broken links. */
int mdb_check(const struct mdb *n)
{
	int bad = 0;

	if (n->prev) {
		bad += n->prev->next != n;
		bad += n->prev->parent != n->parent;
	} else if (n->parent) {
		bad += n->parent->child != n;
	}
	if (n->next)
		bad += n->next->prev != n;
	if (!n->parent)
		bad += n->next != NULL || n->prev != NULL;
	for (const struct mdb *c = n->child; c; c = c->next)
		bad += c->parent != n;
	return bad;
}
