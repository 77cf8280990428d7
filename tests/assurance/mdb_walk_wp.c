/*
 * ACSL contracts for the derivation tree's walks (kernel/mdb.c, mdb.h):
 * mdb_first_child, mdb_parent and mdb_is_descendant, proved with Frama-C
 * WP by tests/assurance/wp.sh in a run of their own (the splices are in
 * mdb_wp.c, the whole-tree invariant in mdb_tree_wp.c); docs/ASSURANCE.md
 * says what they prove and under which assumptions.
 *
 * mdb_parent finds a node from an end's address by masking (node_of,
 * is_close): integer arithmetic on a pointer, which WP's memory model
 * cannot follow. Their contracts are therefore assumed, not proved: they
 * name what the masking gives with two logic symbols left uninterpreted
 * (node, closing), so the assumption cannot contradict anything else the
 * provers know. What the masking computes is right because an end is 16
 * bytes and a node 32, aligned to its size (mdb.h; checked by the
 * _Static_asserts in mdb.c and by the host test test_mdb, which runs mdb.c
 * on real memory).
 *
 * The walks are proved correct for what they return (partial correctness)
 * and free of runtime errors, not to terminate: termination is the list's
 * acyclicity, part of the whole-tree invariant.
 */
#include "mdb.h"

/*@
  // The node an end belongs to, and whether it is the closing end: what
  // node_of and is_close compute from its address.
  axiomatic Ends {
	logic struct mdb *node(struct mdb_end *e);
	logic boolean closing(struct mdb_end *e);
  }

  // The parent walk, as mdb.h states it: back from an end, each closing
  // end met is a sibling's, skipped to its opening end; the first opening
  // end met is the parent's; the start of the list means no parent.
  // (Defined by recursion: on a list with a cycle it would say nothing
  // definite, which the whole-tree invariant rules out.)
  logic struct mdb *parent_from{L}(struct mdb_end *e) =
	e == \null ? (struct mdb *)\null :
	closing(e) ? parent_from(node(e)->open.prev) : node(e);

  logic struct mdb *parent{L}(struct mdb *n) = parent_from(n->open.prev);

  // Every node the walk back from e passes is valid memory (the tree's
  // invariant gives this for every end in it).
  predicate walk_valid{L}(struct mdb_end *e) =
	e != \null ==> \valid_read(node(e)) &&
		(closing(e) ==> walk_valid(node(e)->open.prev));

  // So is every node up the parents from n, and their walks.
  predicate up_valid{L}(struct mdb *n) =
	\valid_read(n) && walk_valid(n->open.prev) &&
	(parent(n) != \null ==> up_valid(parent(n)));

  // a is n's parent, or its parent's parent, and so on.
  predicate is_ancestor{L}(struct mdb *a, struct mdb *n) =
	parent(n) != \null && (parent(n) == a || is_ancestor(a, parent(n)));
*/

/*@
  requires \valid_read(n);
  assigns \nothing;
  ensures \result <==> n->open.next != &n->close;
*/
static inline bool mdb_has_children(const struct mdb *n);

/*@
  requires \valid_read(n);
  assigns \nothing;
  ensures n->open.next == &n->close ==> \result == \null;
  ensures n->open.next != &n->close ==> &\result->open == n->open.next;
*/
static inline struct mdb *mdb_first_child(struct mdb *n);

/*@
  assigns \nothing;
  ensures \result <==> closing(e);
*/
static bool is_close(const struct mdb_end *e);

/*@
  assigns \nothing;
  ensures \result == node(e);
*/
static struct mdb *node_of(const struct mdb_end *e);

/*@
  requires \valid_read(n) && walk_valid(n->open.prev);
  assigns \nothing;
  ensures \result == parent(n);
*/
struct mdb *mdb_parent(const struct mdb *n);

/*@
  requires up_valid(n);
  assigns \nothing;
  ensures \result ==> is_ancestor(ancestor, n);
*/
bool mdb_is_descendant(const struct mdb *n, const struct mdb *ancestor);

#include "mdb.c"
