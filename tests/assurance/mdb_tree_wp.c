/*
 * The whole-tree invariant across the derivation tree's operations: lemmas
 * over the list of ends (mdb_wp.h), proved with Frama-C WP by
 * tests/assurance/wp.sh in a run of their own.
 *
 * mdb_wp.c proves, on kernel/mdb.c's code, what each operation does to
 * the list s holding the node: the links it writes, and that every other
 * link is kept (kept{Pre,Post}). The lemmas here take those facts, for
 * any two states L1 (before) and L2 (after), to the invariant over the new
 * list: tree{L1}(s) and the operation's postconditions imply
 * tree{L2}(ins2(s, ..)) (insert), tree{L2}(del2(s, ..)) (remove). They are
 * pure logic: no code, so the provers have only the sequence's axioms.
 *
 * Plain lemmas (not check lemmas): each later one is proved from the
 * earlier. The file has no function contract, so they are hypotheses of
 * no goal of the operations' runs (where they would slow the provers).
 */
#ifndef MDB_TREE_WP_C /* included by mdb_apply_wp.c and mdb_nest_wp.c */
#define MDB_TREE_WP_C
#include "mdb_wp.h"

/*@
  // next_in, prev_in at a link named by any two indices i, j with j the
  // successor of i. succ is a predicate, which WP keeps: the provers
  // unfold it into an equality that makes j and i + 1 one term. (Written
  // out, j == i + 1 is substituted away by WP, and a link named (x - 2,
  // x - 1) then never matches linked_in's (i, i + 1).) The conclusion
  // names the link both ways: so the provers meet the term i + 1.
  predicate succ(integer i, integer j) = j == i + 1;

  lemma next_in_at{L}: \forall seq s, integer lo, hi, i, j;
	next_in(s, lo, hi) && succ(i, j) && lo <= i < hi && 0 <= i && j < len(s) ==>
		next_at(s, i, j) && next_at(s, i, i + 1);
  lemma prev_in_at{L}: \forall seq s, integer lo, hi, i, j;
	prev_in(s, lo, hi) && succ(i, j) && lo <= i < hi && 0 <= i && j < len(s) ==>
		prev_at(s, i, j) && prev_at(s, i, i + 1);

  lemma linked_sub{L}: \forall seq s, integer lo, hi;
	linked(s) ==> linked_in(s, lo, hi);
  lemma linked_join{L}: \forall seq s, integer a, b, c;
	a <= b <= c && linked_in(s, a, b) && linked_in(s, b, c) ==> linked_in(s, a, c);
  lemma linked_all{L}: \forall seq s, integer lo;
	lo <= 0 && linked_in(s, lo, len(s)) ==> linked(s);

  // The links a state change keeps.
  lemma linked_kept{L1,L2}: \forall seq s, integer lo, hi;
	linked_in{L1}(s, lo, hi) && kept{L1,L2}(s, lo, hi) ==> linked_in{L2}(s, lo, hi);

  // ins2(s, k, a, b): its links before k are s's, those after k + 2 are
  // s's two places back.
  lemma next_ins2_before{L}: \forall seq s, integer k, i, j, struct mdb_end *a, *b;
	0 <= i && j == i + 1 && j <= k && k < len(s) ==>
		(next_at(ins2(s, k, a, b), i, j) <==> next_at(s, i, j));
  lemma prev_ins2_before{L}: \forall seq s, integer k, i, j, struct mdb_end *a, *b;
	0 <= i && j == i + 1 && j <= k && k < len(s) ==>
		(prev_at(ins2(s, k, a, b), i, j) <==> prev_at(s, i, j));
  lemma next_ins2_after{L}: \forall seq s, integer k, i, j, struct mdb_end *a, *b;
	0 <= k && k + 3 <= i && j == i + 1 ==>
		(next_at(ins2(s, k, a, b), i, j) <==> next_at(s, i - 2, j - 2));
  lemma prev_ins2_after{L}: \forall seq s, integer k, i, j, struct mdb_end *a, *b;
	0 <= k && k + 3 <= i && j == i + 1 ==>
		(prev_at(ins2(s, k, a, b), i, j) <==> prev_at(s, i - 2, j - 2));
  lemma linked_ins2_before{L}: \forall seq s, integer k, lo, hi, struct mdb_end *a, *b;
	0 <= lo && hi <= k && k < len(s) && linked_in(s, lo, hi) ==>
		linked_in(ins2(s, k, a, b), lo, hi);
  lemma linked_ins2_after{L}: \forall seq s, integer k, lo, hi, struct mdb_end *a, *b;
	0 <= k && k + 1 <= lo && linked_in(s, lo, hi) ==>
		linked_in(ins2(s, k, a, b), lo + 2, hi + 2);

  // Insert (mdb_add_child as a child, with n's ends a, b just after the
  // parent's opening end at(s, k)): the postconditions of mdb_wp.c
  // (tree_add_*) give the whole-tree invariant over the new list.
  lemma add_linked_before{L1,L2}: \forall seq s, integer k, struct mdb_end *a, *b;
	tree{L1}(s) && 0 <= k < len(s) && kept{L1,L2}(s, 0, k) ==>
		linked_in{L2}(ins2(s, k, a, b), 0, k);
  lemma add_linked_after{L1,L2}: \forall seq s, integer k, struct mdb_end *a, *b;
	tree{L1}(s) && 0 <= k && kept{L1,L2}(s, k + 1, len(s)) ==>
		linked_in{L2}(ins2(s, k, a, b), k + 3, len(s) + 2);
  lemma tree_ins2{L1,L2}: \forall seq s, integer k, struct mdb_end *a, *b;
	tree{L1}(s) && 0 <= k < len(s) - 1 &&
	ends_valid{L2}(ins2(s, k, a, b)) && distinct(ins2(s, k, a, b)) &&
	closed{L2}(ins2(s, k, a, b)) && linked_in{L2}(ins2(s, k, a, b), k, k + 3) &&
	kept{L1,L2}(s, 0, k) && kept{L1,L2}(s, k + 1, len(s)) ==>
		tree{L2}(ins2(s, k, a, b));

  // del2(s, i, j): its links before i are s's, those from i to j - 2
  // s's one place on, those from j - 1 on s's two places on.
  lemma next_del2_before{L}: \forall seq s, integer i, j, x, y;
	0 <= x && y == x + 1 && y < i < j ==>
		(next_at(del2(s, i, j), x, y) <==> next_at(s, x, y));
  lemma prev_del2_before{L}: \forall seq s, integer i, j, x, y;
	0 <= x && y == x + 1 && y < i < j ==>
		(prev_at(del2(s, i, j), x, y) <==> prev_at(s, x, y));
  lemma next_del2_between{L}: \forall seq s, integer i, j, x, y;
	i <= x && y == x + 1 && y < j - 1 ==>
		(next_at(del2(s, i, j), x, y) <==> next_at(s, x + 1, y + 1));
  lemma prev_del2_between{L}: \forall seq s, integer i, j, x, y;
	i <= x && y == x + 1 && y < j - 1 ==>
		(prev_at(del2(s, i, j), x, y) <==> prev_at(s, x + 1, y + 1));
  lemma next_del2_after{L}: \forall seq s, integer i, j, x, y;
	i < j && j - 1 <= x && y == x + 1 ==>
		(next_at(del2(s, i, j), x, y) <==> next_at(s, x + 2, y + 2));
  lemma prev_del2_after{L}: \forall seq s, integer i, j, x, y;
	i < j && j - 1 <= x && y == x + 1 ==>
		(prev_at(del2(s, i, j), x, y) <==> prev_at(s, x + 2, y + 2));
  lemma linked_del2_before{L}: \forall seq s, integer i, j, lo, hi;
	hi < i < j < len(s) && linked_in(s, lo, hi) ==> linked_in(del2(s, i, j), lo, hi);
  lemma linked_del2_between{L}: \forall seq s, integer i, j, lo, hi;
	0 <= i <= lo && hi <= j - 2 && j < len(s) && linked_in(s, lo + 1, hi + 1) ==>
		linked_in(del2(s, i, j), lo, hi);
  lemma linked_del2_after{L}: \forall seq s, integer i, j, lo, hi;
	0 <= i < j && j - 1 <= lo && j < len(s) && linked_in(s, lo + 2, hi + 2) ==>
		linked_in(del2(s, i, j), lo, hi);

  // Remove (mdb_remove, n's ends at(s, i) and at(s, j)): the
  // postconditions of mdb_wp.c (tree_remove_*) give the whole-tree
  // invariant over the list without them, a leaf or a node with children
  // (which stay in place, now between n's parent's ends).
  lemma remove_linked_before{L1,L2}: \forall seq s, integer i, j;
	tree{L1}(s) && 0 <= i < j < len(s) && kept{L1,L2}(s, 0, i - 1) ==>
		linked_in{L2}(del2(s, i, j), -1, i - 1);
  lemma remove_linked_between{L1,L2}: \forall seq s, integer i, j;
	tree{L1}(s) && 0 <= i && i + 1 < j < len(s) && kept{L1,L2}(s, i + 1, j - 1) ==>
		linked_in{L2}(del2(s, i, j), i, j - 2);
  lemma remove_linked_after{L1,L2}: \forall seq s, integer i, j;
	tree{L1}(s) && 0 <= i < j < len(s) && kept{L1,L2}(s, j + 1, len(s)) ==>
		linked_in{L2}(del2(s, i, j), j - 1, len(s) - 2);
  // The last child's join and the list's last end, from what mdb_wp.c
  // states of s's ends.
  lemma remove_linked_last{L1,L2}: \forall seq s, integer i, j;
	tree{L1}(s) && 0 <= i && i + 1 < j < len(s) &&
	(j + 1 < len(s) ==> \at(at(s, j - 1)->next, L2) == at(s, j + 1) &&
		\at(at(s, j + 1)->prev, L2) == at(s, j - 1)) ==>
		linked_in{L2}(del2(s, i, j), j - 2, j - 1);
  lemma remove_closed_last{L1,L2}: \forall seq s, integer i, j;
	tree{L1}(s) && 0 <= i && i + 1 < j < len(s) &&
	(j + 1 == len(s) ==> \at(at(s, j - 1)->next, L2) == \null) &&
	(j + 1 < len(s) ==> \at(at(s, len(s) - 1)->next, L2) == \at(at(s, len(s) - 1)->next, L1)) ==>
		closed_last{L2}(del2(s, i, j));
  lemma tree_del2_leaf{L1,L2}: \forall seq s, integer i, j;
	tree{L1}(s) && 0 <= i && j == i + 1 && j < len(s) &&
	ends_valid{L2}(del2(s, i, j)) && distinct(del2(s, i, j)) &&
	closed{L2}(del2(s, i, j)) && linked_in{L2}(del2(s, i, j), i - 1, i) &&
	kept{L1,L2}(s, 0, i - 1) && kept{L1,L2}(s, j + 1, len(s)) ==>
		tree{L2}(del2(s, i, j));
  lemma tree_del2_inner{L1,L2}: \forall seq s, integer i, j;
	tree{L1}(s) && 0 <= i && i + 1 < j < len(s) &&
	ends_valid{L2}(del2(s, i, j)) && distinct(del2(s, i, j)) &&
	closed_first{L2}(del2(s, i, j)) && linked_in{L2}(del2(s, i, j), i - 1, i) &&
	(j + 1 < len(s) ==> \at(at(s, j - 1)->next, L2) == at(s, j + 1) &&
		\at(at(s, j + 1)->prev, L2) == at(s, j - 1)) &&
	(j + 1 == len(s) ==> \at(at(s, j - 1)->next, L2) == \null) &&
	(j + 1 < len(s) ==> \at(at(s, len(s) - 1)->next, L2) == \at(at(s, len(s) - 1)->next, L1)) &&
	kept{L1,L2}(s, 0, i - 1) && kept{L1,L2}(s, i + 1, j - 1) &&
	kept{L1,L2}(s, j + 1, len(s)) ==>
		tree{L2}(del2(s, i, j));

  // Move (mdb_move, src's ends at(s, i) and at(s, j), dst out of the
  // list): what mdb_wp.c proves of it (tree_move_next, tree_move_prev
  // given move_in, and the postconditions on dst's own links),
  // stated between any two states: it gives tree over the list with
  // dst's ends in src's places.
  // Every other end of s has its links renamed (tree_move_next,
  // tree_move_prev):
  predicate renamed_in{L1,L2}(seq s, integer i, integer j, struct mdb *src, struct mdb *dst) =
	\forall integer x; 0 <= x < len(s) && x != i && x != j ==>
		\at(at(s, x)->next, L2) == renamed{L2}(\at(at(s, x)->next, L1), src, dst) &&
		\at(at(s, x)->prev, L2) == renamed{L2}(\at(at(s, x)->prev, L1), src, dst);
  // dst's own links: src's, or a leaf's.
  predicate moved_links{L1,L2}(struct mdb *src, struct mdb *dst) =
	\at(dst->open.prev, L2) == \at(src->open.prev, L1) &&
	\at(dst->close.next, L2) == \at(src->close.next, L1) &&
	(leaf{L1}(src) <==> leaf{L2}(dst)) &&
	(!leaf{L1}(src) ==> \at(dst->open.next, L2) == \at(src->open.next, L1) &&
		\at(dst->close.prev, L2) == \at(src->close.prev, L1));
  predicate move_pre{L1,L2}(seq s, integer i, integer j, struct mdb *src, struct mdb *dst) =
	tree{L1}(s) && 0 <= i < j < len(s) &&
	at(s, i) == \at(&src->open, L1) && at(s, j) == \at(&src->close, L1) &&
	outside{L1}(s, dst) && \separated(src, dst) &&
	renamed_in{L1,L2}(s, i, j, src, dst) && moved_links{L1,L2}(src, dst);

  lemma move_distinct{L1,L2}: \forall seq s, integer i, j, struct mdb *src, *dst;
	move_pre{L1,L2}(s, i, j, src, dst) ==> distinct(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)));
  lemma move_closed{L1,L2}: \forall seq s, integer i, j, struct mdb *src, *dst;
	move_pre{L1,L2}(s, i, j, src, dst) ==> closed{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)));
  // linked, link by link, in five cases by where the link lies: away
  // from src's ends, into its opening end, out of it, into its closing
  // end, out of it; next and prev links together. Each states the link
  // before (next_at{L1}(s, x, y)): the provers then meet the term
  // linked{L1}(s) is stated with. (Without it every case timed out, 30 s,
  // both provers.)
  lemma move_away{L1,L2}: \forall seq s, integer i, j, x, y, struct mdb *src, *dst;
	move_pre{L1,L2}(s, i, j, src, dst) && 0 <= x && y == x + 1 && y < len(s) &&
	x != i - 1 && x != i && x != j - 1 && x != j ==>
		(next_at{L1}(s, x, y) ==> next_at{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)), x, y)) &&
		(prev_at{L1}(s, x, y) ==> prev_at{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)), x, y));
  lemma move_into{L1,L2}: \forall seq s, integer i, j, x, y, struct mdb *src, *dst;
	move_pre{L1,L2}(s, i, j, src, dst) && 0 <= x && y == x + 1 && y < len(s) &&
	x == i - 1 ==>
		(next_at{L1}(s, x, y) ==> next_at{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)), x, y)) &&
		(prev_at{L1}(s, x, y) ==> prev_at{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)), x, y));
  lemma move_open{L1,L2}: \forall seq s, integer i, j, x, y, struct mdb *src, *dst;
	move_pre{L1,L2}(s, i, j, src, dst) && 0 <= x && y == x + 1 && y < len(s) &&
	x == i ==>
		(next_at{L1}(s, x, y) ==> next_at{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)), x, y)) &&
		(prev_at{L1}(s, x, y) ==> prev_at{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)), x, y));
  lemma move_close{L1,L2}: \forall seq s, integer i, j, x, y, struct mdb *src, *dst;
	move_pre{L1,L2}(s, i, j, src, dst) && 0 <= x && y == x + 1 && y < len(s) &&
	x == j - 1 && x != i ==>
		(next_at{L1}(s, x, y) ==> next_at{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)), x, y)) &&
		(prev_at{L1}(s, x, y) ==> prev_at{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)), x, y));
  lemma move_out{L1,L2}: \forall seq s, integer i, j, x, y, struct mdb *src, *dst;
	move_pre{L1,L2}(s, i, j, src, dst) && 0 <= x && y == x + 1 && y < len(s) &&
	x == j ==>
		(next_at{L1}(s, x, y) ==> next_at{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)), x, y)) &&
		(prev_at{L1}(s, x, y) ==> prev_at{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)), x, y));
  lemma move_linked{L1,L2}: \forall seq s, integer i, j, struct mdb *src, *dst;
	move_pre{L1,L2}(s, i, j, src, dst) ==> linked{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)));

  // move_in, the hypothesis of tree_move_next and tree_move_prev,
  // from tree: an end of the list is at one index only, and a link to
  // it comes from its neighbour, which links back.
  lemma at_unique: \forall seq s, integer x, y;
	distinct(s) && 0 <= x < len(s) && 0 <= y < len(s) && at(s, x) == at(s, y) ==> x == y;
  lemma valid_end{L}: \forall seq s, integer k;
	tree(s) && 0 <= k < len(s) ==> at(s, k) != \null;
  // The link (x, x + 1), in three steps: the provers find linked's
  // instance for (x, y) with y == x + 1, then for next_at(s, x, x + 1),
  // and only then the fields themselves.
  lemma next_is{L}: \forall seq s, integer x, y;
	tree(s) && 0 <= x && y == x + 1 && y < len(s) ==>
		next_at(s, x, y) && prev_at(s, x, y);
  lemma next_is_succ{L}: \forall seq s, integer x;
	tree(s) && 0 <= x < len(s) - 1 ==>
		next_at(s, x, x + 1) && prev_at(s, x, x + 1);
  lemma next_is_at{L}: \forall seq s, integer x;
	tree(s) && 0 <= x < len(s) - 1 ==>
		at(s, x)->next == at(s, x + 1) && at(s, x + 1)->prev == at(s, x);
  lemma prev_is{L}: \forall seq s, integer x;
	tree(s) && 0 < x < len(s) ==>
		at(s, x)->prev == at(s, x - 1) && at(s, x - 1)->next == at(s, x);
  lemma next_back{L}: \forall seq s, integer x, k;
	tree(s) && 0 <= x < len(s) && 0 <= k < len(s) && at(s, x)->next == at(s, k) ==>
		at(s, k)->prev == at(s, x);
  lemma prev_back{L}: \forall seq s, integer x, k;
	tree(s) && 0 <= x < len(s) && 0 <= k < len(s) && at(s, x)->prev == at(s, k) ==>
		at(s, k)->next == at(s, x);
  lemma sep_node{L}: \forall seq s, integer i, j, x, struct mdb *n;
	distinct(s) && 0 <= i < j < len(s) && at(s, i) == &n->open && at(s, j) == &n->close &&
	0 <= x < len(s) && x != i && x != j ==> \separated(at(s, x), n);
  lemma tree_move_in{L}: \forall seq s, integer i, j, struct mdb *src, *dst;
	tree(s) && 0 <= i < j < len(s) && at(s, i) == &src->open && at(s, j) == &src->close &&
	outside(s, dst) ==> move_in(s, i, j, src, dst);

  // With every end still valid (tree_move_valid), the whole invariant.
  lemma tree_set2{L1,L2}: \forall seq s, integer i, j, struct mdb *src, *dst;
	move_pre{L1,L2}(s, i, j, src, dst) && ends_valid{L2}(s) && \valid{L2}(dst) ==>
		tree{L2}(set2(s, i, j, \at(&dst->open, L2), \at(&dst->close, L2)));
*/

#endif
