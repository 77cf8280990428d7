/*
 * The derivation tree's whole invariant, tree and the nesting, kept by
 * each call, with no other precondition than the invariant and what the
 * caller holds itself (an empty slot for a new node or a move's
 * destination, the masking naming the nodes' ends): proved by Frama-C WP
 * in tests/assurance/wp.sh's run inv (branch assure-wp3, issue 15).
 *
 * Each function here calls one of mdb_apply_wp.c's (which call the
 * operations and prove tree over the new list): WP proves the callee's
 * precondition (nb_ok and the rest, which the contracts of mdb_wp.c
 * assume) from the invariant by mdb_nest_wp.c's lemmas, and the nesting
 * over the new list by the same lemmas (nest_ins2, nest_del2, nest_set2).
 * The list, its positions and the node's places are logic constants left
 * undefined (as mdb_apply_wp.c's move_list): what is proved holds of
 * every list. Proof devices, not kernel code.
 */
#define MDB_WP_APPLY_CALLER /* mdb_apply_wp.c's vacuity postconditions are \true here */
#include "mdb_apply_wp.c"
#include "mdb_nest_wp.c"

/*@
  axiomatic InvList {
	logic seq inv_list;
	logic index inv_index;
	logic index move_index;
	logic integer inv_i;
	logic integer inv_j;
  }
*/

/*@
  requires tree(inv_list) && nested(inv_list, inv_index);
  requires 0 <= inv_i < inv_j < len(inv_list) &&
	at(inv_list, inv_i) == &parent->open && at(inv_list, inv_j) == &parent->close;
  requires \valid(n) && unlinked(n) && ends_named(n) && outside(inv_list, n);
  ensures inv_add_tree: tree(ins2(inv_list, inv_i, &n->open, &n->close));
  ensures inv_add_nested: nested(ins2(inv_list, inv_i, &n->open, &n->close),
	index_ins2(inv_index, inv_i, &n->open, &n->close));
*/
void inv_add(struct mdb *parent, struct mdb *n)
{
	apply_add(parent, n);
}

/*@
  requires tree(inv_list) && nested(inv_list, inv_index);
  requires 0 <= inv_i < inv_j < len(inv_list) &&
	at(inv_list, inv_i) == &n->open && at(inv_list, inv_j) == &n->close;
  requires ends_named(n);
  ensures inv_remove_tree: tree(del2(inv_list, inv_i, inv_j));
  ensures inv_remove_nested: nested(del2(inv_list, inv_i, inv_j),
	index_del2(inv_index, inv_i, inv_j));
*/
void inv_remove(struct mdb *n)
{
	/* The nesting depends on no memory state: the lemma's instance,
	 * stated before the call (after it, among the callee's quantified
	 * postconditions, the provers did not find it in 25 s). */
	//@ assert del_hyp: del_hyp(inv_list, inv_index, inv_i, inv_j, n);
	//@ assert nest_del2: nested(del2(inv_list, inv_i, inv_j), index_del2(inv_index, inv_i, inv_j));
	apply_remove(n);
}

/*@
  requires tree(move_list) && nested(move_list, move_index);
  requires 0 <= move_i < move_j < len(move_list) &&
	at(move_list, move_i) == &src->open && at(move_list, move_j) == &src->close;
  requires ends_named(src) && ends_named(dst);
  requires \valid(dst) && unlinked(dst) && outside(move_list, dst);
  ensures inv_move_tree: tree(set2(move_list, move_i, move_j, &dst->open, &dst->close));
  ensures inv_move_nested: nested(set2(move_list, move_i, move_j, &dst->open, &dst->close),
	index_set2(move_index, &src->open, &src->close, &dst->open, &dst->close));
*/
void inv_move(struct mdb *dst, struct mdb *src)
{
	apply_move(dst, src);
}

/*@
  // Must not be proved (wp.sh's run vacuity_nest checks): the functions'
  // preconditions are satisfiable.
  check lemma vacuity_inv_add{L}: \forall struct mdb *parent, *n;
	tree(inv_list) && nested(inv_list, inv_index) &&
	0 <= inv_i < inv_j < len(inv_list) &&
	at(inv_list, inv_i) == &parent->open && at(inv_list, inv_j) == &parent->close &&
	\valid(n) && unlinked(n) && ends_named(n) && outside(inv_list, n) ==> \false;
  check lemma vacuity_inv_remove{L}: \forall struct mdb *n;
	tree(inv_list) && nested(inv_list, inv_index) &&
	0 <= inv_i < inv_j < len(inv_list) &&
	at(inv_list, inv_i) == &n->open && at(inv_list, inv_j) == &n->close &&
	ends_named(n) ==> \false;
  check lemma vacuity_inv_move{L}: \forall struct mdb *src, *dst;
	tree(move_list) && nested(move_list, move_index) &&
	0 <= move_i < move_j < len(move_list) &&
	at(move_list, move_i) == &src->open && at(move_list, move_j) == &src->close &&
	ends_named(src) && ends_named(dst) &&
	\valid(dst) && unlinked(dst) && outside(move_list, dst) ==> \false;
*/
