/*
 * ACSL contracts for the derivation tree (kernel/mdb.c), proved with
 * Frama-C WP by tests/assurance/wp.sh; docs/ASSURANCE.md says what they
 * prove and under which assumptions.
 *
 * The contracts sit on prototypes here, before kernel/mdb.c is included,
 * so the kernel's code stays free of annotations and WP proves the very
 * functions the kernel compiles (mdb_has_children, inline in mdb.h, gets
 * its contract from a second declaration).
 *
 * What each operation needs and keeps is stated locally, around the node
 * it works on (nb_ok): its ends' neighbours point back at them (x->next->
 * prev == x, x->prev->next == x), and those neighbours are distinct
 * memory. Both follow from the tree's whole invariant (every end's links
 * consistent both ways, the list acyclic), which these preconditions do
 * not state yet. The tree_* postconditions state what each operation does
 * to the list holding the node; mdb_tree_wp.c's lemmas take them to the
 * invariant over the new list. The logic is in mdb_wp.h;
 * docs/ASSURANCE.md.
 */
#include "mdb_wp.h"

/* The vacuity postconditions (vacuity_*) must stay unproved: a caller
 * would assume them, and from "the hypotheses imply false" prove
 * anything. mdb_apply_wp.c, which calls the operations, defines
 * MDB_WP_CALLER: they are then \true. (Until it did, on branch
 * assure-wp2, its goals were proved from them: its own vacuity check
 * caught it.) */
#ifdef MDB_WP_CALLER
#define VACUITY(...) 0 == 0
#else
#define VACUITY(...) __VA_ARGS__
#endif

/*@
  // What the operations' postconditions take as given about the ends
  // around a node, besides tree: it follows from tree.
  // (j for k + 1 again: with k + 1 the lemmas themselves make the
  // provers loop on every goal that has them as hypotheses.)
  check lemma tree_next{L}: \forall seq s, integer k, j;
	tree(s) && 0 <= k && j == k + 1 && j < len(s) ==> next_at(s, k, j);
  check lemma tree_prev{L}: \forall seq s, integer k, j;
	tree(s) && 0 <= k && j == k + 1 && j < len(s) ==> prev_at(s, k, j);

  // Why mdb_move's hypothesis is stated over the list's ends (move_in,
  // mdb_wp.h), not over every valid address as it was until branch
  // assure-wp2 (back_unique_all, below): in WP's memory model the address
  // one cell into a node m is a valid end straddling m's two ends (its
  // next is m's closing end's prev). For a leaf src that is m's last
  // child, the old hypothesis is false, so a claim under it said nothing
  // of that move (nor of a first child's, by the straddling end's prev).
  predicate back_unique_all{L}(struct mdb *n) =
	\forall struct mdb_end *e; \valid(e) && \separated(e, n) ==>
	(e->next == &n->open ==> e == n->open.prev) &&
	(e->next == &n->close ==> e == n->close.prev) &&
	(e->prev == &n->open ==> e == n->open.next) &&
	(e->prev == &n->close ==> e == n->close.next);
  check lemma back_unique_all_last_leaf{L}: \forall struct mdb *m, *src;
	\valid(m) && \valid(src) && \separated(m, src) &&
	m->close.prev == &src->close && leaf(src) ==> !back_unique_all(src);
*/

/*@
  requires \valid_read(n);
  assigns \nothing;
  ensures \result <==> n->open.next != &n->close;
*/
static inline bool mdb_has_children(const struct mdb *n);

/*@
  requires \valid(n) && unlinked(n);
  requires parent != \null ==>
	\valid(parent) && \valid(parent->open.next) &&
	parent->open.next->prev == &parent->open &&
	\separated(parent->open.next, &parent->open) &&
	\separated(parent, n) && \separated(parent->open.next, n);
  behavior root:
	assumes parent == \null;
	assigns n->open, n->close;
	ensures leaf(n) && n->open.prev == \null && n->close.next == \null;
	ensures nb_ok(n);
	ensures tree_root: tree(pair(&n->open, &n->close));
  behavior child:
	assumes parent != \null;
	assigns n->open, n->close, parent->open.next, parent->open.next->prev;
	ensures leaf(n) && nb_ok(n);
	ensures parent->open.next == &n->open && n->open.prev == &parent->open;
	ensures n->close.next == \old(parent->open.next);
	ensures \old(parent->open.next)->prev == &n->close;
	// The list holding parent's opening end, with n just after it.
	// Must not be proved (wp.sh checks): the hypotheses are satisfiable.
	ensures vacuity_add: VACUITY(\forall seq s, integer k;
		tree{Pre}(s) && outside{Pre}(s, n) && 0 <= k < len(s) - 1 &&
		at(s, k) == &parent->open && at(s, k + 1) == \old(parent->open.next) ==> \false);
	ensures tree_add_valid: \forall seq s, integer k;
		tree{Pre}(s) && outside{Pre}(s, n) && 0 <= k < len(s) - 1 &&
		at(s, k) == &parent->open && at(s, k + 1) == \old(parent->open.next) ==> ends_valid(ins2(s, k, &n->open, &n->close));
	ensures tree_add_distinct: \forall seq s, integer k;
		tree{Pre}(s) && outside{Pre}(s, n) && 0 <= k < len(s) - 1 &&
		at(s, k) == &parent->open && at(s, k + 1) == \old(parent->open.next) ==> distinct(ins2(s, k, &n->open, &n->close));
	ensures tree_add_closed: \forall seq s, integer k;
		tree{Pre}(s) && outside{Pre}(s, n) && 0 <= k < len(s) - 1 &&
		at(s, k) == &parent->open && at(s, k + 1) == \old(parent->open.next) ==> closed(ins2(s, k, &n->open, &n->close));
	// linked(ins2(...)) in pieces: the links around n here, the others
	// kept (below).
	ensures tree_add_linked_new: \forall seq s, integer k;
		tree{Pre}(s) && outside{Pre}(s, n) && 0 <= k < len(s) - 1 &&
		at(s, k) == &parent->open && at(s, k + 1) == \old(parent->open.next) ==> linked_in(ins2(s, k, &n->open, &n->close), k, k + 3);
	// Every other link of s is kept: the links before the parent's
	// opening end, and from its old next on. With the above, the lemma
	// tree_ins2 (mdb_tree_wp.c) makes tree(ins2(s, k, ..)) of them.
	ensures tree_add_kept_before: \forall seq s, integer k;
		tree{Pre}(s) && outside{Pre}(s, n) && 0 <= k < len(s) - 1 &&
		at(s, k) == &parent->open && at(s, k + 1) == \old(parent->open.next) ==> kept{Pre,Post}(s, 0, k);
	ensures tree_add_kept_after: \forall seq s, integer k;
		tree{Pre}(s) && outside{Pre}(s, n) && 0 <= k < len(s) - 1 &&
		at(s, k) == &parent->open && at(s, k + 1) == \old(parent->open.next) ==> kept{Pre,Post}(s, k + 1, len(s));
  complete behaviors;
  disjoint behaviors;
*/
void mdb_add_child(struct mdb *parent, struct mdb *n);

/*@
  requires \valid(e) && \separated(e->prev, e) && \separated(e->next, e);
  requires e->prev != \null ==> \valid(e->prev);
  requires e->next != \null ==> \valid(e->next);
  requires e->prev != \null && e->next != \null ==> \separated(e->prev, e->next);
  assigns e->prev->next, e->next->prev;
  ensures e->prev != \null ==> e->prev->next == e->next;
  ensures e->next != \null ==> e->next->prev == e->prev;
*/
static void unlink_end(struct mdb_end *e);

/* The list s holding n's ends at i and j, and their neighbours in it (all
 * of which tree gives: the lemmas tree_next, tree_prev). */
#define REMOVE_PRE(s, i, j) \
	tree{Pre}(s) && 0 <= i < j < len(s) && \
	at(s, i) == &n->open && at(s, j) == &n->close && \
	(0 < i ==> at(s, i - 1) == \old(n->open.prev)) && \
	at(s, i + 1) == \old(n->open.next) && at(s, j - 1) == \old(n->close.prev) && \
	(j + 1 < len(s) ==> at(s, j + 1) == \old(n->close.next))

/*@
  requires nb_ok(n);
  assigns n->open, n->close, n->open.prev->next, n->open.next->prev,
	n->close.prev->next, n->close.next->prev;
  ensures unlinked(n);
  // A leaf's neighbours are joined; otherwise the children stay where
  // they were, now between the ends of n's parent.
  ensures leaf{Old}(n) && \old(n->open.prev) != \null ==>
	\old(n->open.prev)->next == \old(n->close.next);
  ensures leaf{Old}(n) && \old(n->close.next) != \null ==>
	\old(n->close.next)->prev == \old(n->open.prev);
  ensures !leaf{Old}(n) ==> \old(n->open.next)->prev == \old(n->open.prev);
  ensures !leaf{Old}(n) ==> \old(n->close.prev)->next == \old(n->close.next);
  ensures !leaf{Old}(n) && \old(n->open.prev) != \null ==>
	\old(n->open.prev)->next == \old(n->open.next);
  ensures !leaf{Old}(n) && \old(n->close.next) != \null ==>
	\old(n->close.next)->prev == \old(n->close.prev);
  // The list holding n, without n's ends.
  // Must not be proved (wp.sh checks): the hypotheses are satisfiable.
  ensures vacuity_remove_leaf: VACUITY(\forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) && j == i + 1 ==> \false);
  ensures vacuity_remove_inner: VACUITY(\forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) && i + 1 < j ==> \false);
  ensures tree_remove_valid: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) ==> ends_valid(del2(s, i, j));
  ensures tree_remove_distinct: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) ==> distinct(del2(s, i, j));
  ensures tree_remove_first_leaf: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) && j == i + 1 ==> closed_first(del2(s, i, j));
  ensures tree_remove_first_inner: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) && i + 1 < j ==> closed_first(del2(s, i, j));
  ensures tree_remove_last_leaf: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) && j == i + 1 ==> closed_last(del2(s, i, j));
  // linked(del2(...)), the links over the gap n leaves: a leaf's
  // neighbours joined, or the first child's opening end joined to what
  // was before n.
  ensures tree_remove_linked_join_leaf: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) && j == i + 1 ==> linked_in(del2(s, i, j), i - 1, i);
  ensures tree_remove_linked_join_first: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) && i + 1 < j ==> linked_in(del2(s, i, j), i - 1, i);
  // The last child's closing end joined to what was after n, stated by
  // s's ends (in del2's terms it times out), and the list's last end's
  // next when it is not n's neighbour.
  ensures tree_remove_last_child: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) && i + 1 < j ==>
		(j + 1 < len(s) ==> at(s, j - 1)->next == at(s, j + 1) &&
			at(s, j + 1)->prev == at(s, j - 1)) &&
		(j + 1 == len(s) ==> at(s, j - 1)->next == \null);
  ensures tree_remove_last_kept: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) && j + 1 < len(s) ==>
		at(s, len(s) - 1)->next == \at(at(s, len(s) - 1)->next, Pre);
  // Every other link is kept: before n, between its children, after n.
  // With the above, the lemmas tree_del2_leaf and tree_del2_inner
  // (mdb_tree_wp.c) make tree(del2(s, i, j)) of them.
  ensures tree_remove_next_before: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) ==> next_kept{Pre,Post}(s, 0, i - 1);
  ensures tree_remove_prev_before: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) ==> prev_kept{Pre,Post}(s, 0, i - 1);
  ensures tree_remove_next_between: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) && i + 1 < j ==> next_kept{Pre,Post}(s, i + 1, j - 1);
  ensures tree_remove_prev_between: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) && i + 1 < j ==> prev_kept{Pre,Post}(s, i + 1, j - 1);
  ensures tree_remove_next_after: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) ==> next_kept{Pre,Post}(s, j + 1, len(s));
  ensures tree_remove_prev_after: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) ==> prev_kept{Pre,Post}(s, j + 1, len(s));
*/
void mdb_remove(struct mdb *n);

/*@
  requires nb_ok(src) && \valid(dst) && unlinked(dst) && \separated(dst, src);
  requires src->open.prev != \null ==> \separated(src->open.prev, dst);
  requires src->close.next != \null ==> \separated(src->close.next, dst);
  requires \separated(src->open.next, dst) && \separated(src->close.prev, dst);
  assigns *dst, src->open, src->close, src->open.prev->next,
	src->open.next->prev, src->close.prev->next, src->close.next->prev;
  ensures unlinked(src);
  ensures nb_ok(dst);
  ensures dst->open.prev == \old(src->open.prev) && dst->close.next == \old(src->close.next);
  ensures leaf{Old}(src) <==> leaf(dst);
  ensures !leaf{Old}(src) ==>
	dst->open.next == \old(src->open.next) && dst->close.prev == \old(src->close.prev);
  // The rest of the list, end by end: every other end of the list s
  // holding src keeps its links, except that a link to one of src's ends
  // now goes to dst's (with the postconditions above on dst's own links:
  // the renaming that takes s to set2(s, i, j, &dst->open, &dst->close)).
  // Given move_in: among s's other ends only src's neighbours point at
  // src's ends, which tree(s) gives (mdb_tree_wp.c).
  // Must not be proved (wp.sh checks): the hypothesis is satisfiable.
  ensures vacuity_move: VACUITY(\forall seq s, integer i, j;
	move_in{Pre}(s, i, j, src, dst) ==> \false);
  ensures tree_move_next: \forall seq s, integer i, j;
	move_in{Pre}(s, i, j, src, dst) ==>
	\forall integer x; 0 <= x < len(s) && x != i && x != j ==>
		at(s, x)->next == renamed(\at(at(s, x)->next, Pre), src, dst);
  ensures tree_move_prev: \forall seq s, integer i, j;
	move_in{Pre}(s, i, j, src, dst) ==>
	\forall integer x; 0 <= x < len(s) && x != i && x != j ==>
		at(s, x)->prev == renamed(\at(at(s, x)->prev, Pre), src, dst);
  // Every end stays valid memory (mdb_tree_wp.c's tree_set2 needs it).
  ensures tree_move_valid: \valid(dst) &&
	\forall seq s; ends_valid{Pre}(s) ==> ends_valid(s);
*/
void mdb_move(struct mdb *dst, struct mdb *src);

#include "mdb.c"
