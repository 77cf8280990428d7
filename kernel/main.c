/* Kernel entry from boot.S: bring up the CPU, make the root task, run it. */
#include "arch.h"
#include "asm.h"
#include "multiboot.h"
#include "thread.h"
#include "ipc.h"
#include "vspace.h"
#include "bpf/prog.h"

extern u64 boot_pml4[512];
extern char kernel_phys_start[], kernel_phys_end[];
void root_create(struct bootparams *bp);

static struct bootparams bp;

void kmain(u32 magic, u64 info)
{
	serial_init();
	kprintf("\nLamina kernel booting\n");
	cpu_init();
	multiboot_parse(magic, info, &bp);

	/* Keep the first MiB (firmware), the kernel and the modules. */
	bootmem_remove(&bp.ram, 0, 0x100000);
	bootmem_remove(&bp.ram, (u64)kernel_phys_start, (u64)kernel_phys_end);
	for (int i = 0; i < bp.nmods; i++)
		bootmem_remove(&bp.ram, bp.mods[i].start & ~0xfffull, ALIGN_UP(bp.mods[i].end, 4096));
	bootmem_remove(&bp.ram, bp.info_start & ~0xfffull, ALIGN_UP(bp.info_end, 4096));

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
