/* Host tests of the derivation tree (kernel/mdb.c), including a randomised
 * model check against a parent array. */
#include <stdlib.h>
#include "check.h"
#include "mdb.h"

#define N 64
static struct mdb node[N];
static int live[N];

static void reset(void)
{
	memset(node, 0, sizeof(node));
	memset(live, 0, sizeof(live));
}

static int all_ok(void)
{
	int bad = 0;
	for (int i = 0; i < N; i++)
		if (live[i])
			bad += mdb_check(&node[i]);
	return bad == 0;
}

static void revoke(struct mdb *n)
{
	while (n->child) {
		struct mdb *leaf = mdb_first_leaf(n->child);
		mdb_remove(leaf);
		live[leaf - node] = 0;
	}
}

static void add_child_links_both_ways(void)
{
	reset();
	mdb_add_child(NULL, &node[0]);
	mdb_add_child(&node[0], &node[1]);
	mdb_add_child(&node[0], &node[2]);
	live[0] = live[1] = live[2] = 1;
	CHECK(node[1].parent == &node[0] && node[2].parent == &node[0]);
	CHECK(node[0].child == &node[2] && node[2].next == &node[1] && node[1].prev == &node[2]);
	CHECK(all_ok());
}

static void remove_middle_reparents_children(void)
{
	reset();
	mdb_add_child(NULL, &node[0]);
	mdb_add_child(&node[0], &node[1]);
	mdb_add_child(&node[1], &node[2]);
	mdb_add_child(&node[1], &node[3]);
	mdb_add_child(&node[0], &node[4]);
	for (int i = 0; i < 5; i++)
		live[i] = 1;
	mdb_remove(&node[1]);
	live[1] = 0;
	CHECK(node[2].parent == &node[0] && node[3].parent == &node[0]);
	CHECK(all_ok());
	int count = 0;
	for (struct mdb *c = node[0].child; c; c = c->next)
		count++;
	CHECK(count == 3);
}

static void remove_root_makes_children_roots(void)
{
	reset();
	mdb_add_child(NULL, &node[0]);
	mdb_add_child(&node[0], &node[1]);
	mdb_add_child(&node[0], &node[2]);
	live[0] = live[1] = live[2] = 1;
	mdb_remove(&node[0]);
	live[0] = 0;
	CHECK(!node[1].parent && !node[1].next && !node[1].prev);
	CHECK(!node[2].parent && !node[2].next && !node[2].prev);
	CHECK(all_ok());
}

static void revoke_deep_tree_leaves_root(void)
{
	reset();
	mdb_add_child(NULL, &node[0]);
	live[0] = 1;
	for (int i = 1; i < N; i++) {
		mdb_add_child(&node[(i - 1) / 3], &node[i]);
		live[i] = 1;
	}
	revoke(&node[0]);
	CHECK(node[0].child == NULL);
	for (int i = 1; i < N; i++)
		CHECK(!live[i]);
	CHECK(all_ok());
}

static void move_keeps_place_in_tree(void)
{
	reset();
	mdb_add_child(NULL, &node[0]);
	mdb_add_child(&node[0], &node[1]);
	mdb_add_child(&node[0], &node[2]);
	mdb_add_child(&node[1], &node[3]);
	live[0] = live[2] = live[3] = live[5] = 1;
	mdb_move(&node[5], &node[1]);
	CHECK(node[3].parent == &node[5]);
	CHECK(node[5].parent == &node[0]);
	CHECK(all_ok());
	revoke(&node[0]);
	CHECK(!live[3] && !live[5] && !live[2]);
}

static void is_descendant_follows_parents(void)
{
	reset();
	mdb_add_child(NULL, &node[0]);
	mdb_add_child(&node[0], &node[1]);
	mdb_add_child(&node[1], &node[2]);
	mdb_add_child(NULL, &node[3]);
	CHECK(mdb_is_descendant(&node[2], &node[0]));
	CHECK(!mdb_is_descendant(&node[0], &node[2]));
	CHECK(!mdb_is_descendant(&node[2], &node[3]));
}

/* Random adds, removes, moves and revokes checked against a model of
 * parents: after every step each live node's parent is what the model says
 * (removal hands children to the grandparent). */
static void random_operations_match_model(void)
{
	int model[N];
	srand(12345);
	for (int round = 0; round < 200; round++) {
		reset();
		for (int i = 0; i < N; i++)
			model[i] = -2; /* not live */
		for (int step = 0; step < 400; step++) {
			int a = rand() % N, b = rand() % N, op = rand() % 4;
			if (op == 0 && !live[a]) { /* add a under b (or as root) */
				int p = live[b] ? b : -1;
				mdb_add_child(p >= 0 ? &node[p] : NULL, &node[a]);
				live[a] = 1;
				model[a] = p;
			} else if (op == 1 && live[a]) { /* remove */
				for (int i = 0; i < N; i++)
					if (live[i] && model[i] == a)
						model[i] = model[a];
				mdb_remove(&node[a]);
				live[a] = 0;
				model[a] = -2;
			} else if (op == 2 && live[a] && !live[b]) { /* move a -> b */
				mdb_move(&node[b], &node[a]);
				for (int i = 0; i < N; i++)
					if (live[i] && model[i] == a)
						model[i] = b;
				live[a] = 0;
				live[b] = 1;
				model[b] = model[a];
				model[a] = -2;
			} else if (op == 3 && live[a] && rand() % 8 == 0) { /* revoke */
				for (int i = 0; i < N; i++)
					if (live[i] && mdb_is_descendant(&node[i], &node[a]))
						model[i] = -3;
				revoke(&node[a]);
				for (int i = 0; i < N; i++)
					if (model[i] == -3) {
						CHECK(!live[i]);
						model[i] = -2;
					}
			}
			for (int i = 0; i < N; i++)
				if (live[i]) {
					struct mdb *p = node[i].parent;
					CHECK((p ? (int)(p - node) : -1) == model[i]);
				}
			CHECK(all_ok());
			if (check_cur_failed)
				return;
		}
	}
}

int main(void)
{
	RUN(add_child_links_both_ways);
	RUN(remove_middle_reparents_children);
	RUN(remove_root_makes_children_roots);
	RUN(revoke_deep_tree_leaves_root);
	RUN(move_keeps_place_in_tree);
	RUN(is_descendant_follows_parents);
	RUN(random_operations_match_model);
	return CHECK_DONE();
}
