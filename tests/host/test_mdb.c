/* Host tests of the derivation tree (kernel/mdb.c), including a randomised
 * model check against a parent array, with revokes done in batches and
 * other operations between the batches (as restarted system calls are). */
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
		bad += live[i] ? mdb_check(&node[i]) : mdb_linked(&node[i]);
	return bad == 0;
}

static int parent_of(int i)
{
	struct mdb *p = mdb_parent(&node[i]);
	return p ? (int)(p - node) : -1;
}

/* One batch of cap_revoke: at most `batch` deletions. True when done.
 * With a model of parents, each one deleted must be n's child there, and
 * its children become n's. */
static int revoke_batch(struct mdb *n, int batch, int *model)
{
	for (int k = 0; mdb_has_children(n); k++) {
		if (k == batch)
			return 0;
		struct mdb *c = mdb_first_child(n);
		int ci = (int)(c - node);
		mdb_remove(c);
		live[ci] = 0;
		if (!model)
			continue;
		CHECK(model[ci] == n - node);
		for (int j = 0; j < N; j++)
			if (live[j] && model[j] == ci)
				model[j] = (int)(n - node);
		model[ci] = -2;
	}
	return 1;
}

static void revoke(struct mdb *n)
{
	revoke_batch(n, N + 1, NULL);
}

static int children(struct mdb *n)
{
	int count = 0;
	for (int i = 0; i < N; i++)
		count += live[i] && mdb_parent(&node[i]) == n;
	return count;
}

static void add_child_makes_it_the_first_child(void)
{
	reset();
	mdb_add_child(NULL, &node[0]);
	CHECK(!mdb_has_children(&node[0]) && !mdb_first_child(&node[0]));
	mdb_add_child(&node[0], &node[1]);
	mdb_add_child(&node[0], &node[2]);
	live[0] = live[1] = live[2] = 1;
	CHECK(parent_of(1) == 0 && parent_of(2) == 0 && parent_of(0) == -1);
	CHECK(mdb_first_child(&node[0]) == &node[2]);
	CHECK(mdb_has_children(&node[0]) && !mdb_has_children(&node[1]));
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
	CHECK(!mdb_linked(&node[1]));
	CHECK(parent_of(2) == 0 && parent_of(3) == 0 && parent_of(4) == 0);
	CHECK(children(&node[0]) == 3);
	CHECK(all_ok());
}

static void remove_root_makes_children_roots(void)
{
	reset();
	mdb_add_child(NULL, &node[0]);
	mdb_add_child(&node[0], &node[1]);
	mdb_add_child(&node[0], &node[2]);
	mdb_add_child(&node[1], &node[3]);
	live[0] = live[1] = live[2] = live[3] = 1;
	mdb_remove(&node[0]);
	live[0] = 0;
	CHECK(parent_of(1) == -1 && parent_of(2) == -1 && parent_of(3) == 1);
	CHECK(!mdb_is_descendant(&node[2], &node[1]));
	CHECK(all_ok());
	revoke(&node[1]);
	CHECK(!live[3] && live[2] && parent_of(2) == -1);
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
	CHECK(!mdb_has_children(&node[0]));
	for (int i = 1; i < N; i++)
		CHECK(!live[i] && !mdb_linked(&node[i]));
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
	CHECK(!mdb_linked(&node[1]));
	CHECK(parent_of(3) == 5 && parent_of(5) == 0);
	CHECK(all_ok());
	mdb_move(&node[6], &node[3]); /* a leaf */
	live[3] = 0;
	live[6] = 1;
	CHECK(parent_of(6) == 5 && !mdb_has_children(&node[6]));
	CHECK(all_ok());
	mdb_move(&node[7], &node[0]); /* a root */
	live[0] = 0;
	live[7] = 1;
	CHECK(parent_of(5) == 7 && parent_of(7) == -1);
	CHECK(all_ok());
	revoke(&node[7]);
	CHECK(!live[6] && !live[5] && !live[2]);
}

static void is_descendant_follows_parents(void)
{
	reset();
	mdb_add_child(NULL, &node[0]);
	mdb_add_child(&node[0], &node[1]);
	mdb_add_child(&node[1], &node[2]);
	mdb_add_child(&node[0], &node[4]);
	mdb_add_child(NULL, &node[3]);
	CHECK(mdb_is_descendant(&node[2], &node[0]));
	CHECK(mdb_is_descendant(&node[2], &node[1]));
	CHECK(!mdb_is_descendant(&node[0], &node[2]));
	CHECK(!mdb_is_descendant(&node[2], &node[3]));
	CHECK(!mdb_is_descendant(&node[2], &node[4]));
	CHECK(!mdb_is_descendant(&node[0], &node[0]));
}

/* A corrupted list is reported: ends that cross, a broken back link. */
static void check_finds_crossed_and_broken_links(void)
{
	reset();
	mdb_add_child(NULL, &node[0]);
	mdb_add_child(&node[0], &node[1]);
	mdb_add_child(&node[0], &node[2]);
	live[0] = live[1] = live[2] = 1;
	CHECK(all_ok());
	/* 0( 2( 2) 1( 1) 0) -> 0( 2( 1( 2) 1) 0): 2's and 1's ends cross */
	struct mdb_end *c2 = &node[2].close, *o1 = &node[1].open;
	struct mdb_end *before = c2->prev, *after = o1->next;
	before->next = o1;
	o1->prev = before;
	o1->next = c2;
	c2->prev = o1;
	c2->next = after;
	after->prev = c2;
	CHECK(mdb_check(&node[2]) > 0);
	reset();
	mdb_add_child(NULL, &node[0]);
	mdb_add_child(&node[0], &node[1]);
	node[1].close.next = NULL;
	CHECK(mdb_check(&node[0]) > 0 || mdb_check(&node[1]) > 0);
}

/* The kernel's worst cases, far beyond the guest tests: a chain and a fan
 * of 100,000, each deleted, moved and revoked in batches of 64. With a
 * walk per step (as before) the chain alone would take billions. */
static void long_chain_and_wide_fan_in_batches(void)
{
	enum { BIG = 100000 };
	struct mdb *m = aligned_alloc(sizeof(struct mdb), (BIG + 2) * sizeof(struct mdb));
	int rounds = 0;

	memset(m, 0, (BIG + 2) * sizeof(struct mdb));
	mdb_add_child(NULL, &m[0]);
	for (int i = 1; i <= BIG; i++)
		mdb_add_child(&m[i - 1], &m[i]);
	mdb_remove(&m[1]); /* m[2] and the rest now hang from m[0] */
	CHECK(mdb_first_child(&m[0]) == &m[2]);
	mdb_move(&m[BIG + 1], &m[0]);
	for (; mdb_has_children(&m[BIG + 1]); rounds++)
		for (int k = 0; k < 64 && mdb_has_children(&m[BIG + 1]); k++)
			mdb_remove(mdb_first_child(&m[BIG + 1]));
	CHECK(rounds == (BIG - 1 + 63) / 64);
	CHECK(mdb_check(&m[BIG + 1]) == 0);

	for (int i = 1; i <= BIG; i++)
		mdb_add_child(&m[BIG + 1], &m[i]);
	mdb_move(&m[0], &m[BIG + 1]);
	mdb_add_child(NULL, &m[BIG + 1]);
	mdb_remove(&m[0]); /* the fan's children become roots */
	CHECK(mdb_parent(&m[BIG]) == NULL && mdb_check(&m[BIG]) == 0);
	free(m);
}

/* Random adds, removes, moves and revokes checked against a model of
 * parents: after every step each live node's parent is what the model says
 * (removal hands children to the grandparent). A revoke runs in batches of
 * one to three deletions with other steps in between, as a restarted
 * CNODE_REVOKE does; it ends when its node has no descendants left, or is
 * abandoned when its node is moved or deleted (the restarted call would
 * find its slot empty). */
static void random_operations_match_model(void)
{
	int model[N];
	srand(12345);
	for (int round = 0; round < 400; round++) {
		int rv = -1; /* the node a revoke is in progress on */
		reset();
		for (int i = 0; i < N; i++)
			model[i] = -2; /* not live */
		for (int step = 0; step < 400; step++) {
			int a = rand() % N, b = rand() % N, op = rand() % 5;
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
				if (rv == a)
					rv = -1;
			} else if (op == 2 && live[a] && !live[b]) { /* move a -> b */
				mdb_move(&node[b], &node[a]);
				for (int i = 0; i < N; i++)
					if (live[i] && model[i] == a)
						model[i] = b;
				live[a] = 0;
				live[b] = 1;
				model[b] = model[a];
				model[a] = -2;
				if (rv == a)
					rv = -1;
			} else if (op == 3 && rv < 0 && live[a] && rand() % 4 == 0) {
				rv = a; /* start a revoke */
			} else if (op == 4 && rv >= 0) { /* one batch of it */
				if (revoke_batch(&node[rv], 1 + rand() % 3, model)) {
					for (int i = 0; i < N; i++)
						CHECK(!live[i] || model[i] != rv);
					rv = -1;
				}
			}
			for (int i = 0; i < N; i++)
				if (live[i])
					CHECK(parent_of(i) == model[i]);
			if (rv >= 0)
				for (int i = 0; i < N; i++) {
					int d = 0;
					for (int p = model[i]; live[i] && p >= 0 && !d; p = model[p])
						d = p == rv;
					CHECK(mdb_is_descendant(&node[i], &node[rv]) == d);
				}
			CHECK(all_ok());
			if (check_cur_failed)
				return;
		}
	}
}

int main(void)
{
	RUN(add_child_makes_it_the_first_child);
	RUN(remove_middle_reparents_children);
	RUN(remove_root_makes_children_roots);
	RUN(revoke_deep_tree_leaves_root);
	RUN(move_keeps_place_in_tree);
	RUN(is_descendant_follows_parents);
	RUN(check_finds_crossed_and_broken_links);
	RUN(long_chain_and_wide_fan_in_batches);
	RUN(random_operations_match_model);
	return CHECK_DONE();
}
