/* Multiboot 1 (QEMU -kernel) and multiboot 2 (GRUB) information. Nothing
 * the loader gives is trusted beyond what its format promises: multiboot 1
 * that its buffers (info block, module list, memory map) are readable and
 * its strings terminated; multiboot 2 that the info block's total size
 * bytes are. Every count, size and offset inside is checked before use. */
#include "arch.h"
#include "multiboot.h"

#define MB1_BOOT_MAGIC 0x2badb002
#define MB2_BOOT_MAGIC 0x36d76289
#define NO_BOUND       (~0ull) /* a multiboot 1 string: terminated by the format */

/* Fields at any alignment: multiboot 1's memory map has its 64-bit ones
 * at 4 mod 8, and a lying loader can put anything anywhere. */
typedef u64 __attribute__((aligned(1))) u64_any;
typedef u32 __attribute__((aligned(1))) u32_any;

static u64 str_len(const char *s, u64 max)
{
	u64 n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

/* The string of at most max bytes at s into dst, cut to fit, terminated. */
static void copy_str(char *dst, u64 dsize, const char *s, u64 max)
{
	u64 n = str_len(s, max < dsize - 1 ? max : dsize - 1);
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void copy_name(char *dst, const char *cmd, u64 max)
{
	/* Loaders differ in whether the path comes first; the name is the
	 * last word either way. */
	u64 len = str_len(cmd, max), last = 0;
	for (u64 p = 0; p + 1 < len; p++)
		if (cmd[p] == ' ' && cmd[p + 1] != ' ')
			last = p + 1;
	u64 i = 0;
	while (last + i < len && cmd[last + i] != ' ' && i < LM_BI_NAME_LEN - 1) {
		dst[i] = cmd[last + i];
		i++;
	}
	dst[i] = '\0';
}

static void add_module(struct bootparams *bp, u64 start, u64 end, const char *cmd, u64 max)
{
	char name[LM_BI_NAME_LEN];
	copy_name(name, cmd, max);
	/* An empty one (end == start) is kept: a file of no bytes. */
	if (end < start) {
		kprintf("boot: module %s ends before it starts, ignored\n", name);
		return;
	}
	if (bp->nmods == LM_BI_MAX_MODULES) {
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
		copy_str(bp->cmdline, sizeof(bp->cmdline), phys_to_virt(mi[4]), NO_BOUND);
	if (flags & BIT(3)) {
		const u32_any *mod = phys_to_virt(mi[6]);
		u32 n = mi[5];
		if (n > LM_BI_MAX_MODULES + 1) { /* one more: its name in the message */
			kprintf("boot: %u modules, only the first %d read\n", n, LM_BI_MAX_MODULES + 1);
			n = LM_BI_MAX_MODULES + 1;
		}
		for (u32 i = 0; i < n; i++, mod += 4)
			add_module(bp, mod[0], mod[1], phys_to_virt(mod[2]), NO_BOUND);
	}
	if (flags & BIT(6)) {
		/* Entries: a size (of what follows it), then base, length and
		 * type, 24 bytes in all; the buffer bounds the walk, whatever
		 * the sizes say (u64: size + 4 cannot wrap to no progress). */
		u64 p = mi[12], end = p + mi[11];
		while (p < end && end - p >= 24) {
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
	u32 total = *(const u32_any *)base;
	bp->info_start = info;
	bp->info_end = info + total;
	/* Every tag lies inside the block (size <= total - off); u64 for the
	 * next offset, which a size near 4 GiB would wrap. */
	for (u64 off = 8; off <= total && total - off >= 8;) {
		const u8 *tag = base + off;
		u32 type = *(const u32_any *)tag, size = *(const u32_any *)(tag + 4);
		if (type == 0 || size < 8 || size > total - off)
			break;
		if (type == 1) {
			copy_str(bp->cmdline, sizeof(bp->cmdline), (const char *)tag + 8, size - 8);
		} else if (type == 3 && size >= 16) {
			add_module(bp, *(const u32_any *)(tag + 8), *(const u32_any *)(tag + 12),
				   (const char *)tag + 16, size - 16);
		} else if (type == 6 && size >= 16) {
			/* GRUB-EFI passes this too, made from the EFI map after
			 * ExitBootServices (boot-services memory available); the
			 * EFI tags beside it (12, 17) are not needed. Entries:
			 * base, length, type (20 bytes read), esize apart. */
			u32 esize = *(const u32_any *)(tag + 8);
			for (u32 e = 16; esize >= 20 && size - e >= esize; e += esize)
				add_ram(bp, *(const u64_any *)(tag + e), *(const u64_any *)(tag + e + 8),
					*(const u32_any *)(tag + e + 16));
		}
		off += ((u64)size + 7) & ~7ull;
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
