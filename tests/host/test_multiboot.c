/* multiboot.c on loader input that lies (branch assure-boot, the EVA boot
 * harness's findings): sizes that wrap, tags past the block, unterminated
 * strings, modules that end before they start. Physical memory is a
 * buffer surrounded by guard pages (ASan's redzones catch a read past it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include "check.h"
#include "arch.h"
#include "multiboot.h"

#define PHYS_SIZE 0x10000
u8 *host_phys;
static jmp_buf panicked;
static int nprints;

void kprintf(const char *fmt, ...) { nprints++; }
void panic(const char *fmt, ...) { longjmp(panicked, 1); }
void *memset(void *d, int c, size_t n);

static struct bootparams bp;

static void put32(u64 pa, u32 v) { memcpy(host_phys + pa, &v, 4); }
static void put64(u64 pa, u64 v) { memcpy(host_phys + pa, &v, 8); }

/* A fresh physical memory of exactly PHYS_SIZE bytes (malloc: ASan
 * checks every byte past it). */
static void fresh(void)
{
	free(host_phys);
	host_phys = calloc(1, PHYS_SIZE);
	nprints = 0;
}

/* mb2 block at 0x1000 of total bytes; tags from 0x1008. */
static void mb2_tag(u64 pa, u32 type, u32 size) { put32(pa, type); put32(pa + 4, size); }

static void mb2_wrapping_tag_size_ends(void)
{
	fresh();
	put32(0x1000, 0x100);
	mb2_tag(0x1008, 4, 0xfffffff9); /* old: off += (size+7)&~7 == 0: loop forever */
	multiboot_parse(0x36d76289, 0x1000, &bp);
	CHECK(bp.nmods == 0 && bp.ram.n == 0);
}

static void mb2_tag_past_block_stops(void)
{
	fresh();
	put32(0x1000, 0x20);
	mb2_tag(0x1008, 6, 0x1000); /* a memory map larger than the block */
	put32(0x1010, 24);
	put64(0x1018, 0x100000);
	put64(0x1020, 0x100000);
	put32(0x1028, 1);
	multiboot_parse(0x36d76289, 0x1000, &bp);
	CHECK(bp.ram.n == 0);
}

static void mb2_mmap_entries_bounded(void)
{
	fresh();
	put32(0x1000, 0x100);
	mb2_tag(0x1008, 6, 16 + 24 + 8); /* one entry and 8 bytes: no second */
	put32(0x1010, 24);
	put64(0x1018, 0x100000);
	put64(0x1020, 0x200000);
	put32(0x1028, 1);
	mb2_tag(0x1038, 6, 0x20);
	put32(0x1040, 0xfffffff0); /* esize that wrapped e + esize <= size */
	mb2_tag(0x1058, 6, 0x20);
	put32(0x1060, 1); /* entries shorter than what is read */
	multiboot_parse(0x36d76289, 0x1000, &bp);
	CHECK(bp.ram.n == 1 && bp.ram.r[0].start == 0x100000 && bp.ram.r[0].end == 0x300000);
}

static void mb2_unterminated_strings(void)
{
	fresh();
	put32(0x1000, 0x38);
	mb2_tag(0x1008, 1, 12); /* command line "abcd", no NUL in the tag */
	memcpy(host_phys + 0x1010, "abcd", 4);
	mb2_tag(0x1018, 3, 20); /* a module "root" without its NUL, at the block's end */
	put32(0x1020, 0x3000);
	put32(0x1024, 0x4000);
	memcpy(host_phys + 0x1028, "root", 4);
	memset(host_phys + 0x102c, 'x', PHYS_SIZE - 0x102c); /* no NUL after it either */
	multiboot_parse(0x36d76289, 0x1000, &bp);
	CHECK(!strcmp(bp.cmdline, "abcd"));
	CHECK(bp.nmods == 1 && !strcmp(bp.mods[0].name, "root"));
}

static void module_ending_before_start_ignored(void)
{
	fresh();
	put32(0x1000, 0x40);
	mb2_tag(0x1008, 3, 24);
	put32(0x1010, 0x5000);
	put32(0x1014, 0x4000);
	memcpy(host_phys + 0x1018, "/boot/x y", 10);
	mb2_tag(0x1020, 3, 24);
	put32(0x1028, 0x5000);
	put32(0x102c, 0x5000); /* empty: kept */
	memcpy(host_phys + 0x1030, "a  b", 5);
	multiboot_parse(0x36d76289, 0x1000, &bp);
	CHECK(bp.nmods == 1 && bp.mods[0].start == 0x5000 && !strcmp(bp.mods[0].name, "b"));
	CHECK(nprints == 1);
}

/* mb1: info at 0x1000 (flags, mem_upper, cmdline, mods, mmap). */
static void mb1_mmap_size_wrap_ends(void)
{
	fresh();
	put32(0x1000, (1u << 6));
	put32(0x1000 + 44, 48); /* mmap_length: two entries */
	put32(0x1000 + 48, 0x2000);
	put32(0x2000, 0xfffffffc); /* old: p += size + 4 (u32) == p: loop forever */
	put64(0x2004, 0x100000);
	put64(0x200c, 0x100000);
	put32(0x2014, 1);
	multiboot_parse(0x2badb002, 0x1000, &bp);
	CHECK(bp.ram.n == 1 && bp.ram.r[0].end == 0x200000);
}

static void mb1_mmap_tail_not_read(void)
{
	fresh();
	put32(0x1000, (1u << 6));
	put32(0x1000 + 44, 30); /* one entry and 6 bytes */
	put32(0x1000 + 48, PHYS_SIZE - 30);
	put32(PHYS_SIZE - 30, 20);
	put64(PHYS_SIZE - 26, 0x100000);
	put64(PHYS_SIZE - 18, ~0ull); /* a length to the top: clipped, not wrapped */
	put32(PHYS_SIZE - 10, 1);
	put32(PHYS_SIZE - 6, 20);
	multiboot_parse(0x2badb002, 0x1000, &bp);
	CHECK(bp.ram.n == 1 && bp.ram.r[0].start == 0x100000 && bp.ram.r[0].end == DIRECT_MAP_LIMIT);
}

static void mb1_many_modules_bounded(void)
{
	fresh();
	put32(0x1000, (1u << 3));
	put32(0x1000 + 20, 0xffffffff); /* old: 4 G rounds, a message each */
	put32(0x1000 + 24, 0x2000);
	for (int i = 0; i <= LM_BI_MAX_MODULES; i++) {
		put32(0x2000 + 16 * i, 0x8000);
		put32(0x2000 + 16 * i + 4, 0x9000);
		put32(0x2000 + 16 * i + 8, 0x3000);
	}
	memcpy(host_phys + 0x3000, "m", 2);
	multiboot_parse(0x2badb002, 0x1000, &bp);
	CHECK(bp.nmods == LM_BI_MAX_MODULES && nprints == 2);
}

static void bad_magic_panics(void)
{
	fresh();
	int p = setjmp(panicked);
	if (!p)
		multiboot_parse(0x12345678, 0x1000, &bp);
	CHECK(p == 1);
}

int main(void)
{
	RUN(mb2_wrapping_tag_size_ends);
	RUN(mb2_tag_past_block_stops);
	RUN(mb2_mmap_entries_bounded);
	RUN(mb2_unterminated_strings);
	RUN(module_ending_before_start_ignored);
	RUN(mb1_mmap_size_wrap_ends);
	RUN(mb1_mmap_tail_not_read);
	RUN(mb1_many_modules_bounded);
	RUN(bad_magic_panics);
	free(host_phys);
	return CHECK_DONE();
}
