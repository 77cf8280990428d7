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
 * The walks are proved correct for what they return, free of runtime
 * errors, and (since branch assure-wp2) to end: their loop variants are
 * the index, in a list satisfying tree, of the end they are at, which
 * each step makes smaller (walk_from: the list, and the part of the
 * nesting the walks rest on, walk_nested, as preconditions).
 */
#include "mdb_nest_wp.h"

/*@
  // node(e), closing(e): the node an end belongs to, and whether it is
  // the closing end (what node_of and is_close compute from its address):
  // mdb_nest_wp.h's, shared with the nesting since branch assure-wp3.

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

  // Termination. The walks run over a list holding n (walk_list: a
  // constant left undefined, so what is proved holds of every list),
  // back towards its start: each step goes to an end with a smaller index.
  // idx(s, e) is e's index in s, left undefined too, and constrained by
  // the precondition (walk_nested): for a list whose ends are distinct,
  // as tree's are, each end's index is one number, so an idx satisfying it
  // exists; no axiom.
  // (Since branch assure-wp3 idx is the positions of mdb_nest_wp.h,
  // walk_index, left undefined as walk_list is: so the nesting, nested,
  // which the operations are proved to keep, gives walk_nested: lemma
  // walk_nested_of.)
  axiomatic Walk {
	logic seq walk_list;
	logic index walk_index;
  }
  logic integer idx(seq s, struct mdb_end *e) = pos(walk_index, e);

  predicate in_list(seq s, struct mdb_end *e) =
	0 <= idx(s, e) < len(s) && at(s, idx(s, e)) == e;

  // The part of the nesting the walks rest on: every end's node is
  // valid memory, an opening end is its node's, and a closing end's
  // node's opening end is in the list before it. (mdb.h's nesting, which
  // mdb_check and the host test test_mdb check; the operations are not
  // proved to keep it: docs/ASSURANCE.md section 2.)
  predicate walk_nested{L}(seq s) =
	\forall integer x; 0 <= x < len(s) ==>
		idx(s, at(s, x)) == x && \valid_read(node(at(s, x))) &&
		(closing(at(s, x)) ==> in_list(s, &node(at(s, x))->open) &&
			idx(s, &node(at(s, x))->open) < x) &&
		(!closing(at(s, x)) ==> &node(at(s, x))->open == at(s, x));

  // n's opening end is in such a list.
  predicate walk_from{L}(struct mdb *n) =
	tree(walk_list) && walk_nested(walk_list) && in_list(walk_list, &n->open);

  // One step of the parent walk goes back in the list: from an opening
  // end to the end before it, which is in the list too, or to none at
  // its start. (A lemma, proved in wp.sh's run walklemmas: the link
  // is named at(s, y - 1), y, the term linked is stated with.)
  lemma walk_step{L}: \forall seq s, integer y;
	tree(s) && walk_nested(s) && 0 <= y < len(s) ==>
		(y == 0 ==> at(s, y)->prev == \null) &&
		(0 < y ==> prev_at(s, y - 1, y) && in_list(s, at(s, y - 1)));

  // The walks' precondition from the nesting the operations keep
  // (mdb_nest_wp.c, mdb_inv_wp.c): a check lemma, proved in run
  // walklemmas, given to no other goal.
  check lemma walk_nested_of{L}: \forall seq s;
	tree(s) && nested(s, walk_index) ==> walk_nested(s);

  // Must not be proved (wp.sh's run vacuity checks): the walks'
  // preconditions are satisfiable (idx, walk_list are free to fit).
  check lemma vacuity_walk{L}: \forall struct mdb *n;
	\valid_read(n) && walk_valid(n->open.prev) && up_valid(n) &&
	walk_from(n) ==> \false;

  // What the walks' variants measure: the index of an end, -1 for none.
  logic integer walk_rank(struct mdb_end *e) =
	e == \null ? -1 : idx(walk_list, e);
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
  terminates \true;
  assigns \nothing;
  ensures \result <==> closing(e);
*/
static bool is_close(const struct mdb_end *e);

/*@
  terminates \true;
  assigns \nothing;
  ensures \result == node(e);
*/
static struct mdb *node_of(const struct mdb_end *e);

/*@
  requires \valid_read(n) && walk_valid(n->open.prev);
  requires walk_from(n);
  terminates \true;
  assigns \nothing;
  ensures \result == parent(n);
  ensures \result != \null ==> walk_from(\result) &&
	idx(walk_list, &\result->open) < idx(walk_list, &n->open);
*/
struct mdb *mdb_parent(const struct mdb *n);

/*@
  requires up_valid(n);
  requires walk_from(n);
  terminates \true;
  assigns \nothing;
  ensures \result ==> is_ancestor(ancestor, n);
  ensures !\result ==> !is_ancestor(ancestor, n);
*/
bool mdb_is_descendant(const struct mdb *n, const struct mdb *ancestor);

#include "mdb.c"
