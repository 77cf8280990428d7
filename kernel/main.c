/* Kernel entry from boot.S: bring up the CPU, make the root task, run it. */
#include "arch.h"
#include "asm.h"
#include "multiboot.h"
#include "thread.h"
#include "ipc.h"
#include "vspace.h"
#include "bpf/prog.h"

extern u64 boot_pml4[512];
void root_create(struct bootparams *bp);

static struct bootparams bp;

/* What the loader gave (any of it may be wrong: multiboot.c checks it),
 * and the RAM free for boot allocations: the loader's less the first MiB
 * (firmware), the kernel, the modules and the info block. */
void boot_memory(u32 magic, u64 info, struct bootparams *b)
{
	multiboot_parse(magic, info, b);
	b->loader_ram = b->ram;
	bootmem_remove(&b->ram, 0, 0x100000);
	bootmem_remove(&b->ram, kernel_image_start(), kernel_image_end());
	for (int i = 0; i < b->nmods && i < LM_BI_MAX_MODULES; i++)
		bootmem_remove(&b->ram, b->mods[i].start & ~0xfffull, ALIGN_UP(b->mods[i].end, 4096));
	bootmem_remove(&b->ram, b->info_start & ~0xfffull, ALIGN_UP(b->info_end, 4096));
}

void kmain(u32 magic, u64 info)
{
	serial_init();
	kprintf("\nLamina kernel booting\n");
	cpu_init();
	boot_memory(magic, info, &bp);

	/* The identity map was only for the jump to the higher half. */
	/* Its entries are global (they are the kernel's too), so toggle
	 * CR4.PGE to drop them from the TLB as well. */
	boot_pml4[0] = 0;
	u64 cr4 = read_cr4();
	write_cr4(cr4 & ~BIT(7));
	write_cr4(cr4);
	cpu0.cr3_pml4 = read_cr3() & PTE_ADDR;
	kmap_init();

	/* The verifier's working memory: the kernel's one allocation for eBPF,
	 * made here, before the rest of memory goes to the root task. */
	u64 ws = bootmem_alloc(&bp.ram, ALIGN_UP(bpf_verify_ws_size + 1, 4096), 4096);
	if (!ws)
		panic("no memory for the eBPF verifier's workspace");
	bpf_boot(phys_to_virt(ws));

	apic_init();
	irq_init();
	kprintf("boot: cpu features %x, tsc %lu kHz, cmdline '%s', %d modules\n", cpu_features,
		tsc_khz, bp.cmdline, bp.nmods);
	root_create(&bp);
	timer_start();
	schedule();
	return_to_user();
}
