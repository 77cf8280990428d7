/* Host test of what the WP proofs assume of the masking (kernel/mdb.c's
 * node_of and is_close): for every node n, aligned to its size as
 * struct mdb is, node_of(&n->open) == n, !is_close(&n->open),
 * node_of(&n->close) == n, is_close(&n->close). The proofs state this per
 * node as the hypothesis ends_named(n) (tests/assurance/mdb_nest_wp.h); WP's
 * memory model has no alignment, so it cannot be proved there, nor stated
 * as an axiom over every address (docs/ASSURANCE.md, "Issue 15: the ends'
 * nesting"). Checked here over real nodes and over many addresses: both
 * functions only compute on the address, never dereference it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "mdb.c" /* the static node_of and is_close */

/* The four facts for the node at address a; true if all hold. (The ends'
 * addresses by integer arithmetic: no member access through a pointer
 * that points at nothing.) */
static int named_at(uptr a)
{
	const struct mdb_end *open = (const struct mdb_end *)(a + offsetof(struct mdb, open));
	const struct mdb_end *close = (const struct mdb_end *)(a + offsetof(struct mdb, close));
	struct mdb *n = (struct mdb *)a;

	return node_of(open) == n && !is_close(open) && node_of(close) == n && is_close(close);
}

static void real_nodes_are_named(void)
{
	static struct mdb slot[256];
	struct mdb *heap = aligned_alloc(32, 64 * sizeof(struct mdb));

	CHECK(heap != NULL);
	for (int i = 0; i < 256; i++)
		CHECK(named_at((uptr)&slot[i]));
	for (int i = 0; heap && i < 64; i++)
		CHECK(named_at((uptr)&heap[i]));
	free(heap);
}

/* Every 32-aligned address in low memory, and around the direct map's and
 * the kernel image's starts and the top of the address space. */
static void aligned_addresses_are_named(void)
{
	static const uptr base[] = { 0, 0xffff800000000000ull, 0xffffffff80000000ull,
				     0x00007fffffe00000ull, UINTPTR_MAX & ~(uptr)0xfffff };
	unsigned long checked = 0;

	for (unsigned b = 0; b < sizeof(base) / sizeof(base[0]); b++)
		for (uptr off = 0; off < (1u << 20); off += sizeof(struct mdb)) {
			CHECK(named_at(base[b] + off));
			checked++;
		}
	/* A pseudo-random sample of the whole 64-bit space, aligned. */
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 1 << 20; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		CHECK(named_at((uptr)x & ~(uptr)(sizeof(struct mdb) - 1)));
		checked++;
	}
	CHECK(checked == 5 * (1u << 15) + (1u << 20));
}

/* What makes a universal axiom false in an unaligned model, and harmless
 * here: the "node" 16 bytes before n has its closing end at &n->open,
 * but is no node (not aligned); the masking names &n->open as n's. */
static void straddling_address_is_not_a_node(void)
{
	static struct mdb slot[2];
	struct mdb *n = &slot[1];
	uptr m = (uptr)n - sizeof(struct mdb_end);
	const struct mdb_end *m_close = (const struct mdb_end *)(m + offsetof(struct mdb, close));

	CHECK(m_close == &n->open);
	CHECK(node_of(m_close) == n && !is_close(m_close));
	CHECK(!named_at(m));
}

int main(void)
{
	RUN(real_nodes_are_named);
	RUN(aligned_addresses_are_named);
	RUN(straddling_address_is_not_a_node);
	return CHECK_DONE();
}
