/* Multiboot 1 (QEMU -kernel) and multiboot 2 (GRUB) information. Nothing
 * the loader gives is trusted beyond what its format promises: multiboot 1
 * that its buffers (info block, module list, memory map) are readable and
 * its strings terminated; multiboot 2 that the info block's total size
 * bytes are. Every count, size and offset inside is checked before use. */
#include "arch.h"
#include "multiboot.h"

#define MB1_BOOT_MAGIC 0x2badb002
#define MB2_BOOT_MAGIC 0x36d76289
/* Multiboot 1's strings are terminated by the format; one that is not is
 * cut here rather than followed through memory. */
#define MB1_STR_MAX    4096

/* Fields at any alignment: multiboot 1's memory map has its 64-bit ones
 * at 4 mod 8, and a lying loader can put anything anywhere. */
typedef u64 __attribute__((aligned(1))) u64_any;
typedef u32 __attribute__((aligned(1))) u32_any;

/* Strings are read by absolute position, [from, end) of the buffer s they
 * lie in, each read checked against end (the tag's end in multiboot 2,
 * MB1_STR_MAX in multiboot 1): the form in which the bound is plain to see
 * (and to EVA, tests/assurance/eva_boot.c). */
static void copy_str(char *dst, u64 dsize, const char *s, u64 from, u64 end)
{
	for (u64 i = 0; i < dsize - 1; i++) {
		u64 at = from + i;
		if (at >= end || !s[at]) {
			dst[i] = '\0';
			return;
		}
		dst[i] = s[at];
	}
	dst[dsize - 1] = '\0';
}

static void copy_name(char *dst, const char *s, u64 from, u64 end)
{
	/* Loaders differ in whether the path comes first; the name is the
	 * last word either way. */
	u64 last = from;
	for (u64 at = from; at < end && s[at]; at++)
		if (s[at] == ' ' && at + 1 < end && s[at + 1] && s[at + 1] != ' ')
			last = at + 1;
	for (u64 i = 0; i < LM_BI_NAME_LEN - 1; i++) {
		u64 at = last + i;
		if (at >= end || !s[at] || s[at] == ' ') {
			dst[i] = '\0';
			return;
		}
		dst[i] = s[at];
	}
	dst[LM_BI_NAME_LEN - 1] = '\0';
}

static void add_module(struct bootparams *bp, u64 start, u64 end, const char *s, u64 from, u64 s_end)
{
	char name[LM_BI_NAME_LEN] = { 0 }; /* all of it copied, compared (root.c) */
	copy_name(name, s, from, s_end);
	/* An empty one (end == start) is kept: a file of no bytes. */
	if (end < start) {
		kprintf("boot: module %s ends before it starts, ignored\n", name);
		return;
	}
	if (bp->nmods >= LM_BI_MAX_MODULES) {
		kprintf("boot: too many modules, ignoring %s\n", name);
		return;
	}
	struct boot_module *m = &bp->mods[bp->nmods++];
	m->start = start;
	m->end = end;
	memcpy(m->name, name, sizeof(name));
}

static void add_ram(struct bootparams *bp, u64 base, u64 len, u32 type)
{
	if (type == 1 && base < DIRECT_MAP_LIMIT)
		bootmem_add(&bp->ram, base, len < DIRECT_MAP_LIMIT - base ? base + len : DIRECT_MAP_LIMIT);
}

static void parse_mb1(u64 info, struct bootparams *bp)
{
	const u32_any *mi = phys_to_virt(info);
	u32 flags = mi[0];
	bp->info_start = info;
	bp->info_end = info + 128;
	if (flags & BIT(2))
		copy_str(bp->cmdline, sizeof(bp->cmdline), phys_to_virt(mi[4]), 0, MB1_STR_MAX);
	if (flags & BIT(3)) {
		const u32_any *list = phys_to_virt(mi[6]);
		u32 n = mi[5];
		if (n > LM_BI_MAX_MODULES + 1) { /* one more: its name in the message */
			kprintf("boot: %u modules, only the first %d read\n", n, LM_BI_MAX_MODULES + 1);
			n = LM_BI_MAX_MODULES + 1;
		}
		for (u32 i = 0; i < n; i++) {
			const u32_any *mod = list + 4 * i;
			add_module(bp, mod[0], mod[1], phys_to_virt(mod[2]), 0, MB1_STR_MAX);
		}
	}
	if (flags & BIT(6)) {
		/* Entries: a size (of what follows it), then base, length and
		 * type, 24 bytes in all; the buffer bounds the walk, whatever
		 * the sizes say (u64: size + 4 cannot wrap to no progress). */
		u64 p = mi[12], end = p + mi[11];
		while (p + 24 <= end) {
			const u8 *e = phys_to_virt(p);
			u32 size = *(const u32_any *)e;
			add_ram(bp, *(const u64_any *)(e + 4), *(const u64_any *)(e + 12), *(const u32_any *)(e + 20));
			p += (u64)size + 4;
		}
	} else {
		add_ram(bp, 0x100000, (u64)mi[2] * 1024, 1);
	}
}

static void parse_mb2(u64 info, struct bootparams *bp)
{
	const u8 *base = phys_to_virt(info);
	u64 total = *(const u32_any *)base;
	bp->info_start = info;
	bp->info_end = info + total;
	/* Every tag lies inside the block, every field read inside its tag
	 * (off + n <= end, end <= total: u64, no sum wraps). */
	for (u64 off = 8; off + 8 <= total;) {
		u32 type = *(const u32_any *)(base + off), size = *(const u32_any *)(base + off + 4);
		u64 end = off + size;
		if (type == 0 || size < 8 || end > total)
			break;
		if (type == 1) {
			copy_str(bp->cmdline, sizeof(bp->cmdline), (const char *)base, off + 8, end);
		} else if (type == 3 && off + 16 <= end) {
			add_module(bp, *(const u32_any *)(base + off + 8), *(const u32_any *)(base + off + 12),
				   (const char *)base, off + 16, end);
		} else if (type == 6 && off + 16 <= end) {
			/* GRUB-EFI passes this too, made from the EFI map after
			 * ExitBootServices (boot-services memory available); the
			 * EFI tags beside it (12, 17) are not needed. Entries:
			 * base, length, type (20 bytes read), esize apart. */
			u32 esize = *(const u32_any *)(base + off + 8);
			/* (at + 20 <= end follows from esize >= 20: the bound
			 * of the 20 bytes read, stated where they are read) */
			if (esize >= 20)
				for (u64 at = off + 16; at + 20 <= end && at + esize <= end; at += esize)
					add_ram(bp, *(const u64_any *)(base + at),
						*(const u64_any *)(base + at + 8),
						*(const u32_any *)(base + at + 16));
		}
		off += (size + 7ull) & ~7ull;
	}
}

void multiboot_parse(u32 magic, u64 info, struct bootparams *bp)
{
	memset(bp, 0, sizeof(*bp));
	if (magic == MB1_BOOT_MAGIC)
		parse_mb1(info, bp);
	else if (magic == MB2_BOOT_MAGIC)
		parse_mb2(info, bp);
	else
		panic("not started by a multiboot loader (magic %x)", magic);
}
