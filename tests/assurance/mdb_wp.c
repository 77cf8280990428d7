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
 * consistent both ways, the list acyclic), which is not itself stated
 * here yet: docs/ASSURANCE.md.
 */
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
  behavior child:
	assumes parent != \null;
	assigns n->open, n->close, parent->open.next, parent->open.next->prev;
	ensures leaf(n) && nb_ok(n);
	ensures parent->open.next == &n->open && n->open.prev == &parent->open;
	ensures n->close.next == \old(parent->open.next);
	ensures \old(parent->open.next)->prev == &n->close;
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
*/
void mdb_move(struct mdb *dst, struct mdb *src);

#include "mdb.c"
