/*
 * The logic the derivation tree's proofs share (tests/assurance/mdb_wp.c,
 * the contracts; mdb_tree_wp.c, the lemmas over the whole list): a node's
 * neighbourhood, a list of ends as a sequence, the whole-tree invariant
 * tree. Definitions only: no lemma here, so that a file including this
 * gives its goals no hypothesis it does not state itself.
 * docs/ASSURANCE.md section 2.
 */
#ifndef MDB_WP_H
#define MDB_WP_H

#include "mdb.h"

/*@
  predicate unlinked{L}(struct mdb *n) =
	n->open.prev == \null && n->open.next == \null &&
	n->close.prev == \null && n->close.next == \null;

  predicate leaf{L}(struct mdb *n) =
	n->open.next == &n->close && n->close.prev == &n->open;

  // n is in the tree, its links are consistent both ways, and the ends
  // around it are separate memory (as the whole list's acyclicity gives).
  predicate nb_ok{L}(struct mdb *n) =
	\valid(n) && \valid(n->open.next) && \valid(n->close.prev) &&
	n->open.next->prev == &n->open && n->close.prev->next == &n->close &&
	(n->open.prev != \null ==>
		\valid(n->open.prev) && n->open.prev->next == &n->open &&
		\separated(n->open.prev, n)) &&
	(n->close.next != \null ==>
		\valid(n->close.next) && n->close.next->prev == &n->close &&
		\separated(n->close.next, n)) &&
	(n->open.prev != \null && n->close.next != \null ==>
		\separated(n->open.prev, n->close.next)) &&
	(leaf(n) ||
	 (\separated(n->open.next, n) && \separated(n->close.prev, n) &&
	  \separated(n->open.next, n->close.prev) &&
	  (n->open.prev != \null ==>
		\separated(n->open.prev, n->open.next) &&
		\separated(n->open.prev, n->close.prev)) &&
	  (n->close.next != \null ==>
		\separated(n->close.next, n->open.next) &&
		\separated(n->close.next, n->close.prev))));
*/

/*@
  // A list of ends as a sequence: at(s, i) for 0 <= i < len(s). The
  // functions the operations' postconditions need are given by what each
  // element is. A model: a length and a map from every integer to an end
  // (a list's, then anything), pair, ins2, del2, set2 defined pointwise as
  // the axioms say (each element by one axiom only), del2's length len(s)
  // when i, j are not two of s's indices: the axioms are consistent.
  // WP's own \list had the provers fail on the
  // simplest goal: its concatenation hides the old list's elements.
  axiomatic Seq {
	type seq;
	logic integer len(seq s);
	logic struct mdb_end *at(seq s, integer i);
	axiom len_pos: \forall seq s; len(s) >= 0;

	// pair(a, b): the list a, b.
	logic seq pair(struct mdb_end *a, struct mdb_end *b);
	axiom pair_len: \forall struct mdb_end *a, *b; len(pair(a, b)) == 2;
	axiom pair_a: \forall struct mdb_end *a, *b; at(pair(a, b), 0) == a;
	axiom pair_b: \forall struct mdb_end *a, *b; at(pair(a, b), 1) == b;

	// ins2(s, k, a, b): s with a, b inserted after its element k.
	logic seq ins2(seq s, integer k, struct mdb_end *a, struct mdb_end *b);
	axiom ins2_len: \forall seq s, integer k, struct mdb_end *a, *b;
		len(ins2(s, k, a, b)) == len(s) + 2;
	axiom ins2_before: \forall seq s, integer k, i, struct mdb_end *a, *b;
		0 <= i <= k ==> at(ins2(s, k, a, b), i) == at(s, i);
	axiom ins2_a: \forall seq s, integer k, struct mdb_end *a, *b;
		at(ins2(s, k, a, b), k + 1) == a;
	axiom ins2_b: \forall seq s, integer k, struct mdb_end *a, *b;
		at(ins2(s, k, a, b), k + 2) == b;
	axiom ins2_after: \forall seq s, integer k, i, struct mdb_end *a, *b;
		k + 2 < i ==> at(ins2(s, k, a, b), i) == at(s, i - 2);

	// del2(s, i, j), i < j: s without its elements i and j. Only for
	// i < j, and the length only for elements of s: until 2026-12-05
	// these axioms were unguarded, and contradictory (for i > j the
	// ranges "before i" and "from j - 1 on" overlap: every sequence
	// would repeat with period two, against ins2's axioms; and with
	// len_pos, a sequence's length would be at least 2n for every n).
	logic seq del2(seq s, integer i, integer j);
	axiom del2_len: \forall seq s, integer i, j;
		0 <= i < j < len(s) ==> len(del2(s, i, j)) == len(s) - 2;
	axiom del2_before: \forall seq s, integer i, j, x;
		i < j && x < i ==> at(del2(s, i, j), x) == at(s, x);
	axiom del2_between: \forall seq s, integer i, j, x;
		i <= x < j - 1 ==> at(del2(s, i, j), x) == at(s, x + 1);
	axiom del2_after: \forall seq s, integer i, j, x;
		i < j && j - 1 <= x ==> at(del2(s, i, j), x) == at(s, x + 2);

	// set2(s, i, j, a, b), i < j: s with its elements i and j replaced
	// by a and b.
	logic seq set2(seq s, integer i, integer j, struct mdb_end *a, struct mdb_end *b);
	axiom set2_len: \forall seq s, integer i, j, struct mdb_end *a, *b;
		len(set2(s, i, j, a, b)) == len(s);
	axiom set2_i: \forall seq s, integer i, j, struct mdb_end *a, *b;
		i < j ==> at(set2(s, i, j, a, b), i) == a;
	axiom set2_j: \forall seq s, integer i, j, struct mdb_end *a, *b;
		i < j ==> at(set2(s, i, j, a, b), j) == b;
	axiom set2_other: \forall seq s, integer i, j, x, struct mdb_end *a, *b;
		x != i && x != j ==> at(set2(s, i, j, a, b), x) == at(s, x);
  }

  predicate ends_valid{L}(seq s) =
	\forall integer i; 0 <= i < len(s) ==> \valid(at(s, i));
  // Separate memory, not only distinct addresses: two ends never overlap.
  // (Nested: the provers find the instances they need of this form.)
  predicate distinct(seq s) =
	\forall integer i; 0 <= i < len(s) ==>
	\forall integer j; 0 <= j < len(s) && i != j ==> \separated(at(s, i), at(s, j));
  predicate closed_first{L}(seq s) = len(s) > 0 ==> at(s, 0)->prev == \null;
  predicate closed_last{L}(seq s) = len(s) > 0 ==> at(s, len(s) - 1)->next == \null;
  predicate closed{L}(seq s) = closed_first(s) && closed_last(s);
  // Written with j for i + 1, so that the provers use these facts only
  // about ends already in hand (at(s, i + 1) would make new ones, and
  // those more: a loop).
  predicate next_at{L}(seq s, integer i, integer j) = at(s, i)->next == at(s, j);
  predicate prev_at{L}(seq s, integer i, integer j) = at(s, j)->prev == at(s, i);
  predicate linked{L}(seq s) =
	\forall integer i, j; 0 <= i && j == i + 1 && j < len(s) ==>
		next_at(s, i, j) && prev_at(s, i, j);

  // linked in pieces (the provers manage a few links at a time): the
  // links from the ends lo to hi - 1, next and prev links apart
  // (mdb_tree_wp.c joins them: linked_join, linked_all).
  predicate next_in{L}(seq s, integer lo, integer hi) =
	\forall integer i, j; lo <= i < hi && 0 <= i && j == i + 1 && j < len(s) ==>
		next_at(s, i, j);
  predicate prev_in{L}(seq s, integer lo, integer hi) =
	\forall integer i, j; lo <= i < hi && 0 <= i && j == i + 1 && j < len(s) ==>
		prev_at(s, i, j);
  predicate linked_in{L}(seq s, integer lo, integer hi) =
	next_in(s, lo, hi) && prev_in(s, lo, hi);

  // Frame facts between two states L1, L2, link by link: each link from
  // the ends lo to hi - 1 to the next end that held in L1 holds in L2.
  // (Stated as next_at{L1} ==> next_at{L2} rather than "the end's next
  // field is unchanged": the provers then meet the very terms linked_in
  // is stated with, and find its instances.)
  predicate next_kept{L1,L2}(seq s, integer lo, integer hi) =
	\forall integer i, j; lo <= i < hi && 0 <= i && j == i + 1 && j < len(s) ==>
		next_at{L1}(s, i, j) ==> next_at{L2}(s, i, j);
  predicate prev_kept{L1,L2}(seq s, integer lo, integer hi) =
	\forall integer i, j; lo <= i < hi && 0 <= i && j == i + 1 && j < len(s) ==>
		prev_at{L1}(s, i, j) ==> prev_at{L2}(s, i, j);
  predicate kept{L1,L2}(seq s, integer lo, integer hi) =
	next_kept{L1,L2}(s, lo, hi) && prev_kept{L1,L2}(s, lo, hi);

  // The whole-tree invariant, over one list of ends s (the kernel holds a
  // set of such lists: a tree's, or roots side by side): every end valid,
  // none twice (the list is acyclic), each linked to the next both ways,
  // nothing before the first or after the last (every end is reached from
  // the first by next links, and back by prev links).
  predicate tree{L}(seq s) =
	ends_valid(s) && distinct(s) && closed(s) && linked(s);

  // The list s holds src's ends at i and j, and among its other ends
  // (separate from src and dst) only src's neighbours point at src's
  // ends. tree(s) gives it (mdb_tree_wp.c's lemma tree_move_in). Over
  // the list's ends, not over every valid address: until branch
  // assure-wp2 the last part was stated over every e with \valid(e)
  // (back_unique), which in WP's memory model includes an "end"
  // straddling a node's two ends (its prev the opening end's next, its
  // next the closing end's prev): it was false whenever src was its
  // parent's first or last child, and a claim under it said nothing of
  // that move (docs/ASSURANCE.md, assure-wp2).
  predicate move_in{L}(seq s, integer i, integer j, struct mdb *src, struct mdb *dst) =
	0 <= i < j < len(s) && at(s, i) == &src->open && at(s, j) == &src->close &&
	\forall integer x; 0 <= x < len(s) && x != i && x != j ==>
	\valid(at(s, x)) && \separated(at(s, x), src) && \separated(at(s, x), dst) &&
	(at(s, x)->next == &src->open ==> at(s, x) == src->open.prev) &&
	(at(s, x)->next == &src->close ==> at(s, x) == src->close.prev) &&
	(at(s, x)->prev == &src->open ==> at(s, x) == src->open.next) &&
	(at(s, x)->prev == &src->close ==> at(s, x) == src->close.next);

  // x, with a pointer to one of src's ends replaced by one to dst's.
  logic struct mdb_end *renamed(struct mdb_end *x, struct mdb *src, struct mdb *dst) =
	x == &src->open ? &dst->open : x == &src->close ? &dst->close : x;

  // Node n is in none of s's ends.
  predicate outside{L}(seq s, struct mdb *n) =
	\forall integer i; 0 <= i < len(s) ==> \separated(at(s, i), n);
*/

#endif
