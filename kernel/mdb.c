/*
 * Derivation-tree operations on the nested list (mdb.h). Invariants, which
 * mdb_check verifies node by node:
 *  - the list is doubly linked: x->next->prev == x, x->prev->next == x;
 *  - a node's ends enclose whole nodes only: walking back from its closing
 *    end meets closing ends of its children, each skipped to that child's
 *    opening end, until it reaches its own opening end (properly nested,
 *    as parentheses are).
 * A node's parent is the nearest node whose ends enclose it.
 */
#include "mdb.h"

/* What is_close and node_of compute from an end's address depends on it. */
_Static_assert(sizeof(struct mdb_end) == 16 && sizeof(struct mdb) == 32 &&
	       __alignof__(struct mdb) == 32, "an end's bit 4 says which end");

#ifdef EVA_MDB_ENDS
/* Frama-C EVA cannot follow the masking (an address's bits are unknown to
 * it): tests/assurance/eva_vs.c defines both over its slots instead. */
bool is_close(const struct mdb_end *e);
struct mdb *node_of(const struct mdb_end *e);
#else
static bool is_close(const struct mdb_end *e)
{
	return ((uptr)e & sizeof(struct mdb_end)) != 0;
}

static struct mdb *node_of(const struct mdb_end *e)
{
	return (struct mdb *)((uptr)e & ~(uptr)(sizeof(struct mdb) - 1));
}
#endif

static void unlink_end(struct mdb_end *e)
{
	if (e->prev)
		e->prev->next = e->next;
	if (e->next)
		e->next->prev = e->prev;
}

/* n becomes parent's first child, or a root of its own (parent NULL). */
void mdb_add_child(struct mdb *parent, struct mdb *n)
{
	n->open.next = &n->close;
	n->close.prev = &n->open;
	if (!parent) {
		n->open.prev = n->close.next = NULL;
		return;
	}
	/* Never NULL: the parent's own closing end comes at the latest. */
	struct mdb_end *after = parent->open.next;
	n->open.prev = &parent->open;
	n->close.next = after;
	after->prev = &n->close;
	parent->open.next = &n->open;
}

/* n's children stay in place, between its parent's ends now (or, with no
 * parent, roots side by side). */
void mdb_remove(struct mdb *n)
{
	unlink_end(&n->open);
	unlink_end(&n->close);
	n->open.prev = n->open.next = n->close.prev = n->close.next = NULL;
}

/* dst is unused memory; afterwards src is. Neighbours now point at dst. */
void mdb_move(struct mdb *dst, struct mdb *src)
{
	bool leaf = !mdb_has_children(src);

	/* Field by field, not a struct copy: WP (tests/assurance/mdb_wp.c)
	 * proves this form, the struct copy times out its provers. */
	dst->open.prev = src->open.prev;
	dst->open.next = src->open.next;
	dst->close.prev = src->close.prev;
	dst->close.next = src->close.next;
	if (leaf) {
		dst->open.next = &dst->close;
		dst->close.prev = &dst->open;
	} else {
		dst->open.next->prev = &dst->open;
		dst->close.prev->next = &dst->close;
	}
	if (dst->open.prev)
		dst->open.prev->next = &dst->open;
	if (dst->close.next)
		dst->close.next->prev = &dst->close;
	src->open.prev = src->open.next = src->close.prev = src->close.next = NULL;
}

/*
 * Walk back from n's opening end, skipping each sibling before it from its
 * closing end to its opening end: the first opening end met is the
 * parent's. O(siblings before n in the list: those made after it).
 */
struct mdb *mdb_parent(const struct mdb *n)
{
	const struct mdb_end *e = n->open.prev;

#ifdef MDB_WP_WALKS /* the walk's invariant, proved: tests/assurance/mdb_walk_wp.c */
	/*@ loop invariant walk_valid(e) && parent_from(e) == parent(n);
	    loop invariant e != \null ==> in_list(walk_list, e) &&
		idx(walk_list, e) < idx(walk_list, &n->open);
	    loop assigns e;
	    loop variant walk_rank(e); */
#endif
	while (e && is_close(e))
		e = node_of(e)->open.prev;
	return e ? node_of(e) : NULL;
}

/* Up through the parents: O(n's depth below ancestor, plus the siblings
 * passed on the way), at most the nodes between their opening ends. */
bool mdb_is_descendant(const struct mdb *n, const struct mdb *ancestor)
{
#ifdef MDB_WP_WALKS /* every n met is an ancestor: tests/assurance/mdb_walk_wp.c */
	/*@ loop invariant n != \null ==> up_valid(n) &&
		is_ancestor(n, \at(n, Pre)) &&
		\forall struct mdb *a; is_ancestor(a, n) ==> is_ancestor(a, \at(n, Pre));
	    loop invariant n != \null ==> walk_from(n);
	    loop invariant is_ancestor(ancestor, \at(n, Pre)) ==>
		n != \null && (n == ancestor || is_ancestor(ancestor, n));
	    loop assigns n;
	    loop variant n == \null ? -1 : idx(walk_list, &n->open); */
#endif
	for (n = mdb_parent(n); n; n = mdb_parent(n))
		if (n == ancestor)
			return true;
	return false;
}

/* One node's links and its nesting; returns the number of broken links.
 * Over every node of a tree that is O(nodes): each child is walked over
 * once, by its parent. */
int mdb_check(const struct mdb *n)
{
	const struct mdb_end *o = &n->open, *c = &n->close, *e;
	int bad = 0;

	if (!o->next || !c->prev)
		return 1;
	bad += o->next->prev != o;
	bad += c->prev->next != c;
	bad += o->prev && o->prev->next != o;
	bad += c->next && c->next->prev != c;
	if (bad)
		return bad;
	/* Each step checks the link it follows, so the walk cannot loop. */
	for (e = c->prev; e != o; e = e->prev) {
		if (!is_close(e))
			return 1; /* another node's opening end: the ends cross */
		e = &node_of(e)->open;
		if (!e->prev || e->prev->next != e)
			return 1;
	}
	return 0;
}
