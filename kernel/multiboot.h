/* What the boot loader told us, in one form for multiboot 1 and 2. */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#include "bootmem.h"
#include <lamina/bootinfo.h>

struct boot_module {
	u64 start, end;
	char name[LM_BI_NAME_LEN]; /* last word of the module's command line */
};

struct bootparams {
	struct bootmem ram;        /* usable RAM */
	struct bootmem loader_ram; /* RAM as the loader gave it: what may be given back */
	struct boot_module mods[LM_BI_MAX_MODULES];
	int nmods;
	char cmdline[LM_BI_CMDLINE_LEN];
	u64 info_start, info_end; /* the loader's info block, kept until copied */
};

void multiboot_parse(u32 magic, u64 info, struct bootparams *bp);
/* multiboot_parse, then the RAM in use (first MiB, kernel, modules, the
 * info block) taken out of bp->ram (main.c). */
void boot_memory(u32 magic, u64 info, struct bootparams *bp);

#endif
