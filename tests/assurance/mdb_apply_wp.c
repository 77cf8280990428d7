/*
 * The whole-tree invariant after each call, as WP goals of their own:
 * proved by Frama-C WP in tests/assurance/wp.sh's run "apply".
 *
 * mdb_wp.c proves, on kernel/mdb.c's code, the operations' postconditions
 * (what each writes, every other link kept); mdb_tree_wp.c proves lemmas
 * from such postconditions, between any two states, to tree over the new
 * list. Here each operation is called once by a function of this file
 * whose postcondition is that invariant: WP proves it from the callee's
 * contract (not its code: a call is its contract to WP) and the lemmas,
 * which are hypotheses here (plain lemmas of mdb_tree_wp.c, proved in its
 * own run). So the lemma's application to the call's two states is a goal
 * the provers close, not a step left to the reader. The functions are
 * proof devices, not kernel code: the kernel calls the operations
 * directly, under the same contracts. (No assigns clause: the callee's
 * frame is proved in the splices run; here it would only be a goal again.)
 *
 * For mdb_move, tree(s) alone: the lemma tree_move_in gives the
 * move_in its pointwise postconditions are proved under.
 */
#define MDB_WP_CALLER /* mdb_wp.c's vacuity postconditions are \true here */
/* This file's own, for a caller of these functions (mdb_inv_wp.c). */
#ifdef MDB_WP_APPLY_CALLER
#define VACUITY_APPLY(...) 0 == 0
#else
#define VACUITY_APPLY(...) __VA_ARGS__
#endif
#include "mdb_wp.c"
#include "mdb_tree_wp.c"

/*@
  requires \valid(n) && unlinked(n);
  requires \valid(parent) && \valid(parent->open.next) &&
	parent->open.next->prev == &parent->open &&
	\separated(parent->open.next, &parent->open) &&
	\separated(parent, n) && \separated(parent->open.next, n);
  // Must not be proved (wp.sh checks): the hypotheses are satisfiable.
  ensures vacuity_apply_add: VACUITY_APPLY(\forall seq s, integer k;
	tree{Pre}(s) && outside{Pre}(s, n) && 0 <= k < len(s) - 1 &&
	at(s, k) == &parent->open && at(s, k + 1) == \old(parent->open.next) ==> \false);
  ensures apply_add: \forall seq s, integer k;
	tree{Pre}(s) && outside{Pre}(s, n) && 0 <= k < len(s) - 1 &&
	at(s, k) == &parent->open && at(s, k + 1) == \old(parent->open.next) ==>
		tree(ins2(s, k, &n->open, &n->close));
*/
void apply_add(struct mdb *parent, struct mdb *n)
{
	mdb_add_child(parent, n);
}

/*@
  requires nb_ok(n);
  // Must not be proved (wp.sh checks): the hypotheses are satisfiable.
  ensures vacuity_apply_remove: VACUITY_APPLY(\forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) ==> \false);
  ensures apply_remove: \forall seq s, integer i, j;
	REMOVE_PRE(s, i, j) ==> tree(del2(s, i, j));
*/
void apply_remove(struct mdb *n)
{
	mdb_remove(n);
}

/*@
  // The list holding src, and src's ends' places in it: constants left
  // undefined, so that what is proved of them holds of every list (as
  // a \forall would; with a \forall, the provers must instantiate the
  // callee's quantified postconditions inside the goal's, and time out).
  axiomatic MoveList {
	logic seq move_list;
	logic integer move_i;
	logic integer move_j;
  }
*/

/* move_list holds src's ends at move_i and move_j, dst outside it. */
#define MOVE_HYP \
	tree{Pre}(move_list) && 0 <= move_i < move_j < len(move_list) && \
	at(move_list, move_i) == &src->open && at(move_list, move_j) == &src->close && \
	outside{Pre}(move_list, dst)

/*@
  requires nb_ok(src) && \valid(dst) && unlinked(dst) && \separated(dst, src);
  requires src->open.prev != \null ==> \separated(src->open.prev, dst);
  requires src->close.next != \null ==> \separated(src->close.next, dst);
  requires \separated(src->open.next, dst) && \separated(src->close.prev, dst);
  // Must not be proved (wp.sh checks): the hypotheses are satisfiable.
  ensures vacuity_apply_move: VACUITY_APPLY(MOVE_HYP ==> \false);
  ensures apply_move: MOVE_HYP ==>
	tree(set2(move_list, move_i, move_j, &dst->open, &dst->close));
*/
void apply_move(struct mdb *dst, struct mdb *src)
{
	/* One step each: tree gives move_in (tree_move_in), under which the
	 * call renames the list's other ends (tree_move_next,
	 * tree_move_prev), which with dst's links is move_pre, from which
	 * tree_set2 gives tree. */
	//@ assert tree_move_in: MOVE_HYP ==> move_in(move_list, move_i, move_j, src, dst);
	mdb_move(dst, src);
	//@ assert renamed: MOVE_HYP ==> renamed_in{Pre,Here}(move_list, move_i, move_j, src, dst);
	//@ assert move_pre: MOVE_HYP ==> move_pre{Pre,Here}(move_list, move_i, move_j, src, dst);
	//@ assert valid: MOVE_HYP ==> ends_valid(move_list) && \valid(dst);
}
