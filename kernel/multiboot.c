/* Multiboot 1 (QEMU -kernel) and multiboot 2 (GRUB) information. */
#include "arch.h"
#include "multiboot.h"

#define MB1_BOOT_MAGIC 0x2badb002
#define MB2_BOOT_MAGIC 0x36d76289

static void copy_name(char *dst, const char *cmd)
{
	/* Loaders differ in whether the path comes first; the name is the
	 * last word either way. */
	const char *last = cmd;
	for (const char *p = cmd; *p; p++)
		if (*p == ' ' && p[1] && p[1] != ' ')
			last = p + 1;
	int i = 0;
	while (last[i] && last[i] != ' ' && i < LM_BI_NAME_LEN - 1) {
		dst[i] = last[i];
		i++;
	}
	dst[i] = '\0';
}

static void add_module(struct bootparams *bp, u64 start, u64 end, const char *cmd)
{
	if (bp->nmods == LM_BI_MAX_MODULES) {
		kprintf("boot: too many modules, ignoring %s\n", cmd);
		return;
	}
	struct boot_module *m = &bp->mods[bp->nmods++];
	m->start = start;
	m->end = end;
	copy_name(m->name, cmd);
}

static void add_ram(struct bootparams *bp, u64 base, u64 len, u32 type)
{
	if (type == 1 && base < DIRECT_MAP_LIMIT)
		bootmem_add(&bp->ram, base, base + len < DIRECT_MAP_LIMIT ? base + len : DIRECT_MAP_LIMIT);
}

static void parse_mb1(u64 info, struct bootparams *bp)
{
	const u32 *mi = phys_to_virt(info);
	u32 flags = mi[0];
	bp->info_start = info;
	bp->info_end = info + 128;
	if (flags & BIT(2))
		strlcpy(bp->cmdline, phys_to_virt(mi[4]), sizeof(bp->cmdline));
	if (flags & BIT(3)) {
		const u32 *mod = phys_to_virt(mi[6]);
		for (u32 i = 0; i < mi[5]; i++, mod += 4)
			add_module(bp, mod[0], mod[1], phys_to_virt(mod[2]));
	}
	if (flags & BIT(6)) {
		u64 p = mi[12], end = p + mi[11];
		while (p < end) {
			const u8 *e = phys_to_virt(p);
			u32 size = *(const u32 *)e;
			add_ram(bp, *(const u64 *)(e + 4), *(const u64 *)(e + 12), *(const u32 *)(e + 20));
			p += size + 4;
		}
	} else {
		add_ram(bp, 0x100000, (u64)mi[2] * 1024, 1);
	}
}

static void parse_mb2(u64 info, struct bootparams *bp)
{
	const u8 *base = phys_to_virt(info);
	u32 total = *(const u32 *)base;
	bp->info_start = info;
	bp->info_end = info + total;
	for (u32 off = 8; off + 8 <= total;) {
		const u8 *tag = base + off;
		u32 type = *(const u32 *)tag, size = *(const u32 *)(tag + 4);
		if (type == 0 || size < 8)
			break;
		if (type == 1) {
			strlcpy(bp->cmdline, (const char *)tag + 8, sizeof(bp->cmdline));
		} else if (type == 3) {
			add_module(bp, *(const u32 *)(tag + 8), *(const u32 *)(tag + 12),
				   (const char *)tag + 16);
		} else if (type == 6) {
			/* GRUB-EFI passes this too, made from the EFI map after
			 * ExitBootServices (boot-services memory available); the
			 * EFI tags beside it (12, 17) are not needed. */
			u32 esize = *(const u32 *)(tag + 8);
			for (u32 e = 16; esize && e + esize <= size; e += esize)
				add_ram(bp, *(const u64 *)(tag + e), *(const u64 *)(tag + e + 8),
					*(const u32 *)(tag + e + 16));
		}
		off += (size + 7) & ~7u;
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
