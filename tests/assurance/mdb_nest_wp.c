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
  // The nesting kept. Each operation makes the new list from the old
  // (ins2, del2, set2) and the new positions from the old (index_ins2,
  // ...), and moves every end it keeps by a map that keeps their order;
  // so each end's mate, found in the old list, is found in the new at the
  // mapped place, and the pairs still do not cross.

  // An end of s is not a node's end that lies outside s, nor is its mate.
  lemma nest_outside{L}: \forall seq s, index I, integer x, struct mdb *n;
	nested(s, I) && outside(s, n) && 0 <= x < len(s) ==>
		at(s, x) != &n->open && at(s, x) != &n->close &&
		mate(at(s, x)) != &n->open && mate(at(s, x)) != &n->close;
  // Nor is an end's mate one of n's ends, n's ends at i and j, unless
  // it is at i or j.
  lemma nest_other: \forall seq s, index I, integer i, j, x, struct mdb *n;
	nested(s, I) && ends_named(n) && 0 <= i < j < len(s) &&
	at(s, i) == &n->open && at(s, j) == &n->close &&
	0 <= x < len(s) && x != i && x != j ==>
		mate(at(s, x)) != &n->open && mate(at(s, x)) != &n->close &&
		pos(I, mate(at(s, x))) != i && pos(I, mate(at(s, x))) != j;

  // Insert: n's ends a, b just after element k; the old ends after k move
  // two places on.
  predicate ins_hyp{L}(seq s, index I, integer k, struct mdb *n) =
	nested(s, I) && ends_named(n) && 0 <= k < len(s) && outside(s, n);
  logic integer ins_map(integer k, integer p) = p <= k ? p : p + 2;
  lemma ins_old{L}: \forall seq s, index I, integer k, x, struct mdb *n;
	ins_hyp(s, I, k, n) && 0 <= x < len(s) ==>
		at(ins2(s, k, &n->open, &n->close), ins_map(k, x)) == at(s, x) &&
		pos(index_ins2(I, k, &n->open, &n->close), at(s, x)) == ins_map(k, x) &&
		pos(index_ins2(I, k, &n->open, &n->close), mate(at(s, x))) ==
			ins_map(k, pos(I, mate(at(s, x))));
  lemma ins_new{L}: \forall seq s, index I, integer k, struct mdb *n;
	ins_hyp(s, I, k, n) ==>
		pos(index_ins2(I, k, &n->open, &n->close), mate(&n->open)) == k + 2 &&
		pos(index_ins2(I, k, &n->open, &n->close), mate(&n->close)) == k + 1 &&
		pos(index_ins2(I, k, &n->open, &n->close), &n->open) == k + 1 &&
		pos(index_ins2(I, k, &n->open, &n->close), &n->close) == k + 2;
  // Every element of the new list is an old one moved, or a or b.
  lemma ins_cases{L}: \forall seq s, index I, integer k, x, struct mdb *n;
	ins_hyp(s, I, k, n) && 0 <= x < len(s) + 2 ==>
		x == k + 1 || x == k + 2 ||
		(x <= k && at(ins2(s, k, &n->open, &n->close), x) == at(s, x)) ||
		(k + 2 < x && at(ins2(s, k, &n->open, &n->close), x) == at(s, x - 2) &&
			ins_map(k, x - 2) == x);
  lemma ins_pos{L}: \forall seq s, index I, integer k, struct mdb *n;
	ins_hyp(s, I, k, n) ==>
		nest_pos(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close));
  lemma ins_named{L}: \forall seq s, index I, integer k, struct mdb *n;
	ins_hyp(s, I, k, n) ==> nest_named(ins2(s, k, &n->open, &n->close));
  lemma ins_mates_at{L}: \forall seq s, index I, integer k, x, struct mdb *n;
	ins_hyp(s, I, k, n) && 0 <= x < len(s) + 2 ==>
		mates_at(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close), x);
  lemma ins_mates{L}: \forall seq s, index I, integer k, struct mdb *n;
	ins_hyp(s, I, k, n) ==>
		nest_mates(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close));
  // The pairs do not cross: where x or y is a new end; where both are
  // old, as in s (ins_map keeps their order), case by case (below).
  lemma ins_inside_new_x{L}: \forall seq s, index I, integer k, x, y, struct mdb *n;
	ins_hyp(s, I, k, n) && (x == k + 1 || x == k + 2) ==>
		inside_at(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close), x, y);
  lemma ins_inside_new_y{L}: \forall seq s, index I, integer k, x, y, struct mdb *n;
	ins_hyp(s, I, k, n) && 0 <= x <= k && (y == k + 1 || y == k + 2) ==>
		inside_at(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close), x, y);
  // Two old ends, each in the new list's terms: before k, or after k + 2.
  lemma ins_lo{L}: \forall seq s, index I, integer k, x, struct mdb *n;
	ins_hyp(s, I, k, n) && 0 <= x <= k ==>
		at(ins2(s, k, &n->open, &n->close), x) == at(s, x) &&
		pos(index_ins2(I, k, &n->open, &n->close), mate(at(ins2(s, k, &n->open, &n->close), x))) ==
			ins_map(k, pos(I, mate(at(s, x)))) &&
		0 <= pos(I, mate(at(s, x))) < len(s);
  lemma ins_hi{L}: \forall seq s, index I, integer k, x, struct mdb *n;
	ins_hyp(s, I, k, n) && k + 2 < x < len(s) + 2 ==>
		at(ins2(s, k, &n->open, &n->close), x) == at(s, x - 2) &&
		pos(index_ins2(I, k, &n->open, &n->close), mate(at(ins2(s, k, &n->open, &n->close), x))) ==
			ins_map(k, pos(I, mate(at(s, x - 2)))) &&
		0 <= pos(I, mate(at(s, x - 2))) < len(s);
  lemma ins_inside_ll{L}: \forall seq s, index I, integer k, x, y, struct mdb *n;
	ins_hyp(s, I, k, n) && 0 <= x <= k && 0 <= y <= k && inside_at(s, I, x, y) ==>
		inside_at(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close), x, y);
  lemma ins_inside_lh{L}: \forall seq s, index I, integer k, x, y, struct mdb *n;
	ins_hyp(s, I, k, n) && 0 <= x <= k && k + 2 < y < len(s) + 2 && inside_at(s, I, x, y - 2) ==>
		inside_at(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close), x, y);
  lemma ins_inside_hh{L}: \forall seq s, index I, integer k, x, y, struct mdb *n;
	ins_hyp(s, I, k, n) && k + 2 < x < len(s) + 2 && k + 2 < y < len(s) + 2 &&
	inside_at(s, I, x - 2, y - 2) ==>
		inside_at(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close), x, y);
  lemma ins_inside_oo{L}: \forall seq s, index I, integer k, x, y, struct mdb *n;
	ins_hyp(s, I, k, n) && 0 <= x < len(s) + 2 && 0 <= y < len(s) + 2 &&
	x != k + 1 && x != k + 2 && y != k + 1 && y != k + 2 ==>
		inside_at(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close),
			x, y);
  lemma ins_inside_far{L}: \forall seq s, index I, integer k, x, y, struct mdb *n;
	k + 2 < x && y <= k + 2 ==>
		inside_at(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close), x, y);
  lemma ins_inside_at{L}: \forall seq s, index I, integer k, x, y, struct mdb *n;
	ins_hyp(s, I, k, n) ==>
		inside_at(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close), x, y);
  lemma nest_ins2{L}: \forall seq s, index I, integer k, struct mdb *n;
	ins_hyp(s, I, k, n) ==>
		nested(ins2(s, k, &n->open, &n->close), index_ins2(I, k, &n->open, &n->close));

  // Remove: n's ends at i and j taken out; the ends between move one
  // place back, those after two. (The nesting of what is left holds
  // whether n had children or not: they lay between n's ends, their
  // mates too.)
  predicate del_hyp{L}(seq s, index I, integer i, integer j, struct mdb *n) =
	nested(s, I) && ends_named(n) && 0 <= i < j < len(s) &&
	at(s, i) == &n->open && at(s, j) == &n->close;
  logic integer del_map(integer i, integer j, integer p) =
	p < i ? p : p < j ? p - 1 : p - 2;
  // Where an old end other than n's goes.
  lemma del_at{L}: \forall seq s, index I, integer i, j, q, struct mdb *n;
	del_hyp(s, I, i, j, n) && 0 <= q < len(s) && q != i && q != j ==>
		0 <= del_map(i, j, q) < len(s) - 2 && at(del2(s, i, j), del_map(i, j, q)) == at(s, q) &&
		pos(index_del2(I, i, j), at(s, q)) == del_map(i, j, q);
  // The new list's ends in the old's terms: before i, between, after j.
  lemma del_lo{L}: \forall seq s, index I, integer i, j, x, struct mdb *n;
	del_hyp(s, I, i, j, n) && 0 <= x < i ==>
		at(del2(s, i, j), x) == at(s, x) && pos(index_del2(I, i, j), at(s, x)) == x &&
		pos(index_del2(I, i, j), mate(at(s, x))) == del_map(i, j, pos(I, mate(at(s, x)))) &&
		0 <= pos(I, mate(at(s, x))) < len(s) &&
		pos(I, mate(at(s, x))) != i && pos(I, mate(at(s, x))) != j;
  lemma del_mid{L}: \forall seq s, index I, integer i, j, x, struct mdb *n;
	del_hyp(s, I, i, j, n) && i <= x < j - 1 ==>
		at(del2(s, i, j), x) == at(s, x + 1) && pos(index_del2(I, i, j), at(s, x + 1)) == x &&
		pos(index_del2(I, i, j), mate(at(s, x + 1))) == del_map(i, j, pos(I, mate(at(s, x + 1)))) &&
		0 <= pos(I, mate(at(s, x + 1))) < len(s) &&
		pos(I, mate(at(s, x + 1))) != i && pos(I, mate(at(s, x + 1))) != j;
  lemma del_hi{L}: \forall seq s, index I, integer i, j, x, struct mdb *n;
	del_hyp(s, I, i, j, n) && j - 1 <= x < len(s) - 2 ==>
		at(del2(s, i, j), x) == at(s, x + 2) && pos(index_del2(I, i, j), at(s, x + 2)) == x &&
		pos(index_del2(I, i, j), mate(at(s, x + 2))) == del_map(i, j, pos(I, mate(at(s, x + 2)))) &&
		0 <= pos(I, mate(at(s, x + 2))) < len(s) &&
		pos(I, mate(at(s, x + 2))) != i && pos(I, mate(at(s, x + 2))) != j;
  lemma del_pos{L}: \forall seq s, index I, integer i, j, struct mdb *n;
	del_hyp(s, I, i, j, n) ==> nest_pos(del2(s, i, j), index_del2(I, i, j));
  lemma del_named{L}: \forall seq s, index I, integer i, j, struct mdb *n;
	del_hyp(s, I, i, j, n) ==> nest_named(del2(s, i, j));
  lemma del_mates_lo{L}: \forall seq s, index I, integer i, j, x, struct mdb *n;
	del_hyp(s, I, i, j, n) && 0 <= x < i ==> mates_at(del2(s, i, j), index_del2(I, i, j), x);
  lemma del_mates_mid{L}: \forall seq s, index I, integer i, j, x, struct mdb *n;
	del_hyp(s, I, i, j, n) && i <= x < j - 1 ==> mates_at(del2(s, i, j), index_del2(I, i, j), x);
  lemma del_mates_hi{L}: \forall seq s, index I, integer i, j, x, struct mdb *n;
	del_hyp(s, I, i, j, n) && j - 1 <= x < len(s) - 2 ==> mates_at(del2(s, i, j), index_del2(I, i, j), x);
  lemma del_mates{L}: \forall seq s, index I, integer i, j, struct mdb *n;
	del_hyp(s, I, i, j, n) ==> nest_mates(del2(s, i, j), index_del2(I, i, j));
  // The pairs do not cross, x and y in each region (x < y).
  lemma del_inside_ll{L}: \forall seq s, index I, integer i, j, x, y, struct mdb *n;
	del_hyp(s, I, i, j, n) && 0 <= x < i && x < y < i && inside_at(s, I, x, y) ==>
		inside_at(del2(s, i, j), index_del2(I, i, j), x, y);
  lemma del_inside_lm{L}: \forall seq s, index I, integer i, j, x, y, struct mdb *n;
	del_hyp(s, I, i, j, n) && 0 <= x < i && i <= y < j - 1 && inside_at(s, I, x, y + 1) ==>
		inside_at(del2(s, i, j), index_del2(I, i, j), x, y);
  lemma del_inside_lh{L}: \forall seq s, index I, integer i, j, x, y, struct mdb *n;
	del_hyp(s, I, i, j, n) && 0 <= x < i && j - 1 <= y < len(s) - 2 && inside_at(s, I, x, y + 2) ==>
		inside_at(del2(s, i, j), index_del2(I, i, j), x, y);
  lemma del_inside_mm{L}: \forall seq s, index I, integer i, j, x, y, struct mdb *n;
	del_hyp(s, I, i, j, n) && i <= x && x < y < j - 1 && inside_at(s, I, x + 1, y + 1) ==>
		inside_at(del2(s, i, j), index_del2(I, i, j), x, y);
  lemma del_inside_mh{L}: \forall seq s, index I, integer i, j, x, y, struct mdb *n;
	del_hyp(s, I, i, j, n) && i <= x < j - 1 && j - 1 <= y < len(s) - 2 && inside_at(s, I, x + 1, y + 2) ==>
		inside_at(del2(s, i, j), index_del2(I, i, j), x, y);
  lemma del_inside_hh{L}: \forall seq s, index I, integer i, j, x, y, struct mdb *n;
	del_hyp(s, I, i, j, n) && j - 1 <= x && x < y < len(s) - 2 && inside_at(s, I, x + 2, y + 2) ==>
		inside_at(del2(s, i, j), index_del2(I, i, j), x, y);
  lemma del_inside_at{L}: \forall seq s, index I, integer i, j, x, y, struct mdb *n;
	del_hyp(s, I, i, j, n) ==> inside_at(del2(s, i, j), index_del2(I, i, j), x, y);
  lemma nest_del2{L}: \forall seq s, index I, integer i, j, struct mdb *n;
	del_hyp(s, I, i, j, n) ==> nested(del2(s, i, j), index_del2(I, i, j));

  // Move: dst's ends in src's places, at src's positions; every other
  // end and every mate's position as before.
  predicate set_hyp{L}(seq s, index I, integer i, integer j, struct mdb *src, struct mdb *dst) =
	nested(s, I) && ends_named(src) && ends_named(dst) && 0 <= i < j < len(s) &&
	at(s, i) == &src->open && at(s, j) == &src->close && outside(s, dst);
  lemma set_i{L}: \forall seq s, index I, integer i, j, struct mdb *src, *dst;
	set_hyp(s, I, i, j, src, dst) ==>
		at(set2(s, i, j, &dst->open, &dst->close), i) == &dst->open && pos(index_set2(I, &src->open, &src->close, &dst->open, &dst->close), &dst->open) == i &&
		mate(&dst->open) == &dst->close && pos(index_set2(I, &src->open, &src->close, &dst->open, &dst->close), &dst->close) == j &&
		at(set2(s, i, j, &dst->open, &dst->close), j) == &dst->close && mate(&dst->close) == &dst->open &&
		pos(I, mate(at(s, i))) == j && pos(I, mate(at(s, j))) == i;
  lemma set_other{L}: \forall seq s, index I, integer i, j, x, struct mdb *src, *dst;
	set_hyp(s, I, i, j, src, dst) && 0 <= x < len(s) && x != i && x != j ==>
		at(set2(s, i, j, &dst->open, &dst->close), x) == at(s, x) && pos(index_set2(I, &src->open, &src->close, &dst->open, &dst->close), at(s, x)) == x &&
		pos(index_set2(I, &src->open, &src->close, &dst->open, &dst->close), mate(at(s, x))) == pos(I, mate(at(s, x))) &&
		at(set2(s, i, j, &dst->open, &dst->close), pos(I, mate(at(s, x)))) == mate(at(s, x));
  // So every end of the new list is where its old one was, its mate too.
  lemma set_same{L}: \forall seq s, index I, integer i, j, x, struct mdb *src, *dst;
	set_hyp(s, I, i, j, src, dst) && 0 <= x < len(s) ==>
		pos(index_set2(I, &src->open, &src->close, &dst->open, &dst->close), at(set2(s, i, j, &dst->open, &dst->close), x)) == x &&
		pos(index_set2(I, &src->open, &src->close, &dst->open, &dst->close), mate(at(set2(s, i, j, &dst->open, &dst->close), x))) == pos(I, mate(at(s, x))) &&
		(closing(at(set2(s, i, j, &dst->open, &dst->close), x)) <==> closing(at(s, x))) &&
		named_at(at(set2(s, i, j, &dst->open, &dst->close), x));
  lemma set_mates_at{L}: \forall seq s, index I, integer i, j, x, struct mdb *src, *dst;
	set_hyp(s, I, i, j, src, dst) && 0 <= x < len(s) ==> mates_at(set2(s, i, j, &dst->open, &dst->close), index_set2(I, &src->open, &src->close, &dst->open, &dst->close), x);
  lemma set_inside_in{L}: \forall seq s, index I, integer i, j, x, y, struct mdb *src, *dst;
	set_hyp(s, I, i, j, src, dst) && 0 <= x < len(s) && 0 <= y < len(s) &&
	inside_at(s, I, x, y) ==> inside_at(set2(s, i, j, &dst->open, &dst->close), index_set2(I, &src->open, &src->close, &dst->open, &dst->close), x, y);
  lemma set_inside_range{L}: \forall seq s, index I, integer i, j, x, y, struct mdb *src, *dst;
	set_hyp(s, I, i, j, src, dst) && 0 <= x < len(s) && 0 <= y < len(s) ==>
		inside_at(set2(s, i, j, &dst->open, &dst->close), index_set2(I, &src->open, &src->close, &dst->open, &dst->close), x, y);
  lemma set_inside_at{L}: \forall seq s, index I, integer i, j, x, y, struct mdb *src, *dst;
	set_hyp(s, I, i, j, src, dst) ==> inside_at(set2(s, i, j, &dst->open, &dst->close), index_set2(I, &src->open, &src->close, &dst->open, &dst->close), x, y);
  lemma nest_set2{L}: \forall seq s, index I, integer i, j, struct mdb *src, *dst;
	set_hyp(s, I, i, j, src, dst) ==> nested(set2(s, i, j, &dst->open, &dst->close), index_set2(I, &src->open, &src->close, &dst->open, &dst->close));
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
