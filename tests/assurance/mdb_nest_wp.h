/*
 * The nesting of the ends (mdb.h: a node's descendants are exactly the
 * nodes between its two ends, as balanced parentheses), in logic, over a
 * list of ends given as a sequence (mdb_wp.h). Definitions only: the
 * lemmas are in mdb_nest_wp.c (wp.sh's run nestlemmas).
 * docs/ASSURANCE.md section 2, "Issue 15: the ends' nesting".
 */
#ifndef MDB_NEST_WP_H
#define MDB_NEST_WP_H

#include "mdb_wp.h"

/*@
  // The node an end belongs to, and whether it is the closing end: what
  // node_of and is_close compute from its address by masking. Left
  // uninterpreted (no axiom): a node's own ends are named by it only
  // where a hypothesis says so (ends_named). An axiom "for every node n,
  // node(&n->open) == n && !closing(&n->open) && ..." would be false in
  // WP's memory model, which has no alignment: the "node" half a node
  // before n has its closing end at &n->open, which would then be both
  // ends. For the kernel's nodes, aligned to 32, it holds: the host test
  // test_mdb_masking checks node_of and is_close over many addresses.
  axiomatic Ends {
	logic struct mdb *node(struct mdb_end *e);
	logic boolean closing(struct mdb_end *e);
  }

  // The other end of e's node.
  logic struct mdb_end *mate(struct mdb_end *e) =
	closing(e) ? &node(e)->open : &node(e)->close;

  // n's ends are named by node and closing as node_of and is_close find
  // them: the masking, for a node aligned to its size.
  predicate ends_named(struct mdb *n) =
	node(&n->open) == n && !closing(&n->open) &&
	node(&n->close) == n && closing(&n->close);

  // A position for every end: the index of each end of one list.
  // index is a map from ends to integers (every such map is one); the
  // three functions make the new list's map from the old, pointwise, as
  // ins2, del2 and set2 make the new list (each case by one axiom, the
  // cases disjoint by their guards: a definition, so consistent).
  axiomatic Index {
	type index;
	logic integer pos(index I, struct mdb_end *e);

	// After ins2(s, k, a, b): a at k + 1, b at k + 2, the ends after k
	// two places on.
	logic index index_ins2(index I, integer k, struct mdb_end *a, struct mdb_end *b);
	axiom pos_ins2_a: \forall index I, integer k, struct mdb_end *a, *b;
		pos(index_ins2(I, k, a, b), a) == k + 1;
	axiom pos_ins2_b: \forall index I, integer k, struct mdb_end *a, *b;
		a != b ==> pos(index_ins2(I, k, a, b), b) == k + 2;
	axiom pos_ins2_before: \forall index I, integer k, struct mdb_end *a, *b, *e;
		e != a && e != b && pos(I, e) <= k ==> pos(index_ins2(I, k, a, b), e) == pos(I, e);
	axiom pos_ins2_after: \forall index I, integer k, struct mdb_end *a, *b, *e;
		e != a && e != b && k < pos(I, e) ==> pos(index_ins2(I, k, a, b), e) == pos(I, e) + 2;

	// After del2(s, i, j): the ends between i and j one place back,
	// those after j two.
	logic index index_del2(index I, integer i, integer j);
	axiom pos_del2_before: \forall index I, integer i, j, struct mdb_end *e;
		pos(I, e) < i ==> pos(index_del2(I, i, j), e) == pos(I, e);
	axiom pos_del2_between: \forall index I, integer i, j, struct mdb_end *e;
		i <= pos(I, e) < j ==> pos(index_del2(I, i, j), e) == pos(I, e) - 1;
	axiom pos_del2_after: \forall index I, integer i, j, struct mdb_end *e;
		i <= pos(I, e) && j <= pos(I, e) ==> pos(index_del2(I, i, j), e) == pos(I, e) - 2;

	// After a move: c takes a's position, d b's.
	logic index index_set2(index I, struct mdb_end *a, struct mdb_end *b,
		struct mdb_end *c, struct mdb_end *d);
	axiom pos_set2_c: \forall index I, struct mdb_end *a, *b, *c, *d;
		pos(index_set2(I, a, b, c, d), c) == pos(I, a);
	axiom pos_set2_d: \forall index I, struct mdb_end *a, *b, *c, *d;
		c != d ==> pos(index_set2(I, a, b, c, d), d) == pos(I, b);
	axiom pos_set2_other: \forall index I, struct mdb_end *a, *b, *c, *d, *e;
		e != c && e != d ==> pos(index_set2(I, a, b, c, d), e) == pos(I, e);
  }

  // The nesting of s, I being its ends' positions, in four parts, each
  // stated end by end (x_at) and over the list:
  // each end is at its position (so I indexes s);
  predicate nest_pos(seq s, index I) =
	\forall integer x; 0 <= x < len(s) ==> pos(I, at(s, x)) == x;
  // each end is its node's opening or closing end, as closing says, and
  // its node's ends are named (the masking, for the list's nodes);
  predicate named_at(struct mdb_end *e) =
	ends_named(node(e)) &&
	(closing(e) ==> e == &node(e)->close) && (!closing(e) ==> e == &node(e)->open);
  predicate nest_named(seq s) =
	\forall integer x; 0 <= x < len(s) ==> named_at(at(s, x));
  // each end's mate is in s, after an opening end, before a closing one;
  predicate mates_at(seq s, index I, integer x) =
	0 <= pos(I, mate(at(s, x))) < len(s) &&
	at(s, pos(I, mate(at(s, x)))) == mate(at(s, x)) &&
	(closing(at(s, x)) <==> pos(I, mate(at(s, x))) < x);
  predicate nest_mates(seq s, index I) =
	\forall integer x; 0 <= x < len(s) ==> mates_at(s, I, x);
  // and the pairs do not cross: an end between a node's two ends has its
  // mate between them too (balanced parentheses).
  predicate inside_at(seq s, index I, integer x, integer y) =
	0 <= x < y && y < pos(I, mate(at(s, x))) < len(s) ==>
		x < pos(I, mate(at(s, y))) < pos(I, mate(at(s, x)));
  predicate nest_inside(seq s, index I) =
	\forall integer x, y; inside_at(s, I, x, y);
  predicate nested(seq s, index I) =
	nest_pos(s, I) && nest_named(s) && nest_mates(s, I) && nest_inside(s, I);
*/

#endif
