/*
 * mdb.c's is_close and node_of (with EVA_MDB_ENDS), whose masking of an
 * end's address EVA cannot follow: the node and the end found by comparing
 * e with the ends of every slot there is, as the masking finds them (a
 * node is aligned to its size, its closing end the second half). Shared by
 * the harnesses that set EVA_MDB_ENDS (eva_vs.c, and eva_ipc.c and eva_bpfsys.c through eva/slot_model.h); each defines
 * eva_ends over its own slots (the CNodes' and the TCBs' there are) and
 * includes this after it. Every end of the tree is in one of them: EVA
 * checks it.
 */
#ifndef EVA_MDB_ENDS_H
#define EVA_MDB_ENDS_H

/* The node of slot s, if e is one of its ends. */
static struct mdb *end_in(struct slot *s, const struct mdb_end *e)
{
	return e == &s->mdb.open || e == &s->mdb.close ? &s->mdb : NULL;
}

/* The harness's: the node one of whose ends e is, or NULL. */
static struct mdb *eva_ends(const struct mdb_end *e);

static struct mdb *eva_node(const struct mdb_end *e)
{
	struct mdb *m = eva_ends(e);
	//@ assert end_of_a_slot: m != \null;
	return m;
}

bool is_close(const struct mdb_end *e)
{
	return e == &eva_node(e)->close;
}

struct mdb *node_of(const struct mdb_end *e)
{
	return eva_node(e);
}

#endif
