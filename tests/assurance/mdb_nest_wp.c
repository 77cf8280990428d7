/*
 * Issue 15, branch assure-wp3: what the derivation tree's proofs still
 * assumed, proved as lemmas (Frama-C WP, tests/assurance/wp.sh's run
 * nestlemmas; logic only, no code):
 *  - the operations' preconditions from the whole-tree invariant: tree(s)
 *    and the nesting give nb_ok for a node whose ends are in s, and the
 *    insert's and the move's other preconditions (their callers then
 *    hold only what is theirs: an empty slot, the masking);
 *  - the nesting (mdb_nest_wp.h) is kept by insert, remove and move: over
 *    the list each makes (ins2, del2, set2, as mdb_apply_wp.c proves tree
 *    of), with the positions moved as the ends are.
 * The nesting does not depend on the memory state (node, closing and the
 * positions are logic functions of the ends' addresses): what the
 * operations write cannot change it, only which list they make, which
 * mdb_wp.c's contracts state. mdb_tree_wp.c's lemmas are hypotheses here
 * (proved in their own run, treelemmas).
 * docs/ASSURANCE.md section 2, "Issue 15: the ends' nesting".
 */
#include "mdb_nest_wp.h"
#include "mdb_tree_wp.c"

/*@
  // Memory: a node is its two ends.
  lemma valid_node{L}: \forall struct mdb *n;
	\valid(&n->open) && \valid(&n->close) ==> \valid(n);
  lemma sep_end_node: \forall struct mdb_end *e, struct mdb *n;
	\separated(e, &n->open) && \separated(e, &n->close) ==> \separated(e, n);
  lemma sep_nodes: \forall struct mdb *m, *n;
	\separated(&m->open, n) && \separated(&m->close, n) ==> \separated(m, n);

  // A node's links, from tree over the list holding its ends at i < j.
  lemma node_inner{L}: \forall seq s, integer i, j, struct mdb *n;
	tree(s) && 0 <= i < j < len(s) && at(s, i) == &n->open && at(s, j) == &n->close ==>
		n->open.next == at(s, i + 1) && at(s, i + 1)->prev == &n->open &&
		n->close.prev == at(s, j - 1) && at(s, j - 1)->next == &n->close;
  lemma node_before{L}: \forall seq s, integer i, j, struct mdb *n;
	tree(s) && 0 <= i < j < len(s) && at(s, i) == &n->open && at(s, j) == &n->close ==>
		(i == 0 ==> n->open.prev == \null) &&
		(0 < i ==> n->open.prev == at(s, i - 1) && at(s, i - 1)->next == &n->open);
  lemma node_after{L}: \forall seq s, integer i, j, struct mdb *n;
	tree(s) && 0 <= i < j < len(s) && at(s, i) == &n->open && at(s, j) == &n->close ==>
		(j + 1 == len(s) ==> n->close.next == \null) &&
		(j + 1 < len(s) ==> n->close.next == at(s, j + 1) && at(s, j + 1)->prev == &n->close);

  // nb_ok (mdb_wp.h: mdb_remove's and mdb_move's precondition) from
  // tree, given that n's ends do not enclose exactly one end (which the
  // nesting gives: nest_gap).
  lemma tree_nb_ok{L}: \forall seq s, integer i, j, struct mdb *n;
	tree(s) && 0 <= i < j < len(s) && at(s, i) == &n->open && at(s, j) == &n->close &&
	j != i + 2 ==> nb_ok(n);

  // mdb_add_child's precondition on the parent (as a child), from tree
  // over the list holding the parent's ends and n outside it.
  lemma tree_add_pre{L}: \forall seq s, integer k, l, struct mdb *parent, *n;
	tree(s) && 0 <= k < l < len(s) && at(s, k) == &parent->open &&
	at(s, l) == &parent->close && outside(s, n) ==>
		\valid(parent) && \valid(parent->open.next) &&
		parent->open.next->prev == &parent->open &&
		\separated(parent->open.next, &parent->open) &&
		\separated(parent, n) && \separated(parent->open.next, n);

  // mdb_move's preconditions beyond nb_ok(src) and dst's own (valid, an
  // empty slot), from tree over the list holding src's ends and dst
  // outside it.
  lemma tree_move_pre{L}: \forall seq s, integer i, j, struct mdb *src, *dst;
	tree(s) && 0 <= i < j < len(s) && at(s, i) == &src->open &&
	at(s, j) == &src->close && outside(s, dst) ==>
		\separated(dst, src) &&
		(src->open.prev != \null ==> \separated(src->open.prev, dst)) &&
		(src->close.next != \null ==> \separated(src->close.next, dst)) &&
		\separated(src->open.next, dst) && \separated(src->close.prev, dst);

  // The nesting: an end's mate is its node's other end, and mates pair.
  lemma nest_mate_mate: \forall seq s, index I, integer x;
	nested(s, I) && 0 <= x < len(s) ==> mate(mate(at(s, x))) == at(s, x);
  // n's closing end is in the list after its opening end.
  lemma nest_close: \forall seq s, index I, integer i, struct mdb *n;
	nested(s, I) && ends_named(n) && 0 <= i < len(s) && at(s, i) == &n->open ==>
		i < pos(I, &n->close) < len(s) && at(s, pos(I, &n->close)) == &n->close;
  // A node's ends never enclose exactly one end, e: an opening e's mate
  // would be inside with it; a closing e's would be n's opening end
  // (then e is n's closing end) or before it (the pairs would cross).
  lemma gap_open: \forall seq s, index I, integer i, j, struct mdb *n;
	nested(s, I) && ends_named(n) && 0 <= i && j == i + 2 && j < len(s) &&
	at(s, i) == &n->open && at(s, j) == &n->close && !closing(at(s, i + 1)) ==> \false;
  lemma gap_close_at: \forall seq s, index I, integer i, j, struct mdb *n;
	nested(s, I) && ends_named(n) && 0 <= i && j == i + 2 && j < len(s) &&
	at(s, i) == &n->open && at(s, j) == &n->close && closing(at(s, i + 1)) &&
	pos(I, mate(at(s, i + 1))) == i ==> \false;
  lemma gap_close_before: \forall seq s, index I, integer i, j, struct mdb *n;
	nested(s, I) && ends_named(n) && 0 <= i && j == i + 2 && j < len(s) &&
	at(s, i) == &n->open && at(s, j) == &n->close && closing(at(s, i + 1)) &&
	pos(I, mate(at(s, i + 1))) < i ==> \false;
  lemma nest_gap: \forall seq s, index I, integer i, j, struct mdb *n;
	nested(s, I) && ends_named(n) && 0 <= i && j == i + 2 && j < len(s) &&
	at(s, i) == &n->open && at(s, j) == &n->close ==> \false;

  // So tree and the nesting give nb_ok for a node in the list.
  lemma tree_nested_nb_ok{L}: \forall seq s, index I, integer i, struct mdb *n;
	tree(s) && nested(s, I) && ends_named(n) && 0 <= i < len(s) &&
	at(s, i) == &n->open ==> nb_ok(n);
*/

/*@
  // Must not be proved (wp.sh's run vacuity_nest checks): the nesting's
  // hypotheses are satisfiable, by a leaf alone and by a node with a
  // child (a contradiction in them would prove every lemma above).
  check lemma vacuity_nest_leaf{L}: \forall seq s, index I, struct mdb *n;
	tree(s) && nested(s, I) && ends_named(n) && len(s) == 2 &&
	at(s, 0) == &n->open && at(s, 1) == &n->close ==> \false;
  check lemma vacuity_nest_child{L}: \forall seq s, index I, struct mdb *n, *c;
	tree(s) && nested(s, I) && ends_named(n) && ends_named(c) && len(s) == 4 &&
	at(s, 0) == &n->open && at(s, 1) == &c->open &&
	at(s, 2) == &c->close && at(s, 3) == &n->close ==> \false;
*/
