/* Host tests of boot memory ranges and untyped block splitting. */
#include <stdlib.h>
#include "check.h"
#include "bootmem.h"

static void add_merges_and_sorts(void)
{
	struct bootmem m = { 0 };
	bootmem_add(&m, 0x5000, 0x6000);
	bootmem_add(&m, 0x1000, 0x2000);
	bootmem_add(&m, 0x2000, 0x3000);
	CHECK(m.n == 2);
	CHECK(m.r[0].start == 0x1000 && m.r[0].end == 0x3000);
	CHECK(m.r[1].start == 0x5000 && m.r[1].end == 0x6000);
}

static void remove_splits_ranges(void)
{
	struct bootmem m = { 0 };
	bootmem_add(&m, 0x100000, 0x800000);
	bootmem_remove(&m, 0x200000, 0x300000);
	CHECK(m.n == 2);
	CHECK(m.r[0].end == 0x200000 && m.r[1].start == 0x300000);
	CHECK(bootmem_total(&m) == 0x600000);
	bootmem_remove(&m, 0, 0x1000000);
	CHECK(m.n == 0);
}

static void alloc_is_aligned_and_removed(void)
{
	struct bootmem m = { 0 };
	bootmem_add(&m, 0x101000, 0x400000);
	u64 a = bootmem_alloc(&m, 0x1000, 0x10000);
	CHECK(a == 0x110000);
	CHECK(bootmem_total(&m) == 0x400000 - 0x101000 - 0x1000);
	CHECK(bootmem_alloc(&m, 0x10000000, 0x1000) == 0);
}

static u64 covered;
static int bad_align;
static void emit(u64 pa, int bits, void *arg)
{
	covered += 1ull << bits;
	bad_align += (pa & ((1ull << bits) - 1)) != 0;
	(void)arg;
}

static void blocks_cover_range_aligned(void)
{
	covered = 0;
	bad_align = 0;
	int n = bootmem_blocks(0x123000, 0x1ffff000, 12, 47, emit, NULL);
	CHECK(covered == 0x1ffff000 - 0x123000);
	CHECK(bad_align == 0);
	CHECK(n > 0 && n < 40);
}

static void blocks_trim_to_min_size(void)
{
	covered = 0;
	int n = bootmem_blocks(0x1001, 0x2fff, 12, 47, emit, NULL);
	CHECK(n == 0 && covered == 0);
}

/* A full list (BOOTMEM_MAX ranges) with one split in two: the old code
 * wrote the 65th range past the array (ASan: a write past m). */
static void remove_split_of_full_list_stays_inside(void)
{
	struct bootmem *m = malloc(sizeof(*m));
	m->n = 0;
	for (int i = 0; i < BOOTMEM_MAX; i++)
		bootmem_add(m, 0x100000 + i * 0x20000ull, 0x110000 + i * 0x20000ull);
	CHECK(m->n == BOOTMEM_MAX);
	bootmem_remove(m, 0x104000, 0x105000);
	CHECK(m->n == BOOTMEM_MAX);
	CHECK(m->r[0].end == 0x104000 && m->r[1].start == 0x105000);
	CHECK(m->r[BOOTMEM_MAX - 1].start == 0x100000 + (BOOTMEM_MAX - 2) * 0x20000ull);
	free(m);
}

static void add_within_only_loader_ram(void)
{
	struct bootmem ram = { 0 }, loader = { 0 };
	bootmem_add(&loader, 0x100000, 0x200000);
	bootmem_add(&loader, 0x400000, 0x500000);
	bootmem_add_within(&ram, &loader, 0x180000, 0x480000); /* spans a hole */
	CHECK(ram.n == 2 && ram.r[0].start == 0x180000 && ram.r[0].end == 0x200000 &&
	      ram.r[1].start == 0x400000 && ram.r[1].end == 0x480000);
	bootmem_add_within(&ram, &loader, 0xfec00000, 0xfec01000); /* not RAM */
	CHECK(ram.n == 2);
}

int main(void)
{
	RUN(add_merges_and_sorts);
	RUN(remove_splits_ranges);
	RUN(alloc_is_aligned_and_removed);
	RUN(blocks_cover_range_aligned);
	RUN(blocks_trim_to_min_size);
	RUN(remove_split_of_full_list_stays_inside);
	RUN(add_within_only_loader_ram);
	return CHECK_DONE();
}
