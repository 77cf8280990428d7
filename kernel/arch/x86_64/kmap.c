/*
 * The kernel half after boot, and the code window for JIT'ed eBPF.
 *
 * boot.S maps the low 4 GiB twice with one set of page directories: at the
 * direct map and, through its first directory, at KERNEL_VMA. kmap_init
 * separates the two so that no page is ever writable and executable:
 *  - the image gets tables of its own that map only [0, kernel_phys_end)
 *    (2 MiB pages, 4 KiB ones for the last partial 2 MiB), so memory
 *    handed out to user space has no executable alias there;
 *  - the direct map becomes non-executable (NX in every 2 MiB entry) when
 *    the CPU has NX (EFER.NXE is set by boot.S then);
 *  - the top GiB (PDPT entry 511 of the kernel half) becomes the code
 *    window: CODEWIN_PAGES 4 KiB entries, present, global, read-only,
 *    supervisor, executable. Only codewin_map fills it, with pages of a
 *    program object the JIT wrote through the direct map; codewin_unmap
 *    empties them when the object is finalised (bpf/prog.c).
 * Every table here is static (.bss): after boot nothing is allocated, and
 * the window's size is a fixed bound (a program that finds no room runs in
 * the interpreter). The PML4 entries do not change, so every address
 * space, which copies the kernel half at creation, sees all of it.
 */
#include "arch.h"
#include "asm.h"
#include "vspace.h"

#define MB2 0x200000ull

extern u64 boot_pdpt_high[512], boot_pd[4 * 512];
extern char kernel_phys_end[];

static u64 kimg_pd[512] __attribute__((aligned(4096)));
static u64 kimg_pt[512] __attribute__((aligned(4096)));
static u64 win_pd[512] __attribute__((aligned(4096)));
static u64 win_pt[CODEWIN_PAGES] __attribute__((aligned(4096)));
_Static_assert(CODEWIN_PAGES == 512, "the window is one page table");

void kmap_init(void)
{
	u64 end = (u64)kernel_phys_end, big = end & ~(MB2 - 1);
	const u64 rw = PTE_P | PTE_W;

	for (u64 pa = 0; pa < big; pa += MB2)
		kimg_pd[pa / MB2] = pa | rw | PTE_PS | PTE_G;
	if (end > big) {
		for (u64 pa = big; pa < end; pa += LM_PAGE_SIZE)
			kimg_pt[(pa - big) >> LM_PAGE_BITS] = pa | rw | PTE_G;
		kimg_pd[big / MB2] = virt_to_phys(kimg_pt) | rw;
	}
	/* The same translations for the image as before: safe to switch
	 * while running from it. */
	boot_pdpt_high[510] = virt_to_phys(kimg_pd) | rw;
	if (cpu_features & LM_CPU_NX)
		for (int i = 0; i < 4 * 512; i++)
			boot_pd[i] |= PTE_NX;
	win_pd[0] = virt_to_phys(win_pt) | rw;
	boot_pdpt_high[511] = virt_to_phys(win_pd) | rw;
	/* The old entries are global: toggling PGE drops them all. */
	u64 cr4 = read_cr4();
	write_cr4(cr4 & ~BIT(7));
	write_cr4(cr4);
}

/* Map npages physical pages from pa read-only and executable at the first
 * free run of the window; its address, or 0 if no run is long enough.
 * invlpg is serialising, so the code just written through the direct map
 * is what the CPU fetches from the new address. */
u64 codewin_map(u64 pa, u32 npages)
{
	for (u32 i = 0; i + npages <= CODEWIN_PAGES;) {
		u32 k = 0;
		while (k < npages && !win_pt[i + k])
			k++;
		if (k < npages) {
			i += k + 1;
			continue;
		}
		for (k = 0; k < npages; k++) {
			win_pt[i + k] = (pa + ((u64)k << LM_PAGE_BITS)) | PTE_P | PTE_G;
			invlpg(CODEWIN_BASE + ((u64)(i + k) << LM_PAGE_BITS));
		}
		return CODEWIN_BASE + ((u64)i << LM_PAGE_BITS);
	}
	return 0;
}

/* Unmap what codewin_map(., npages) mapped at va. The caller guarantees
 * no code runs from it (nothing refers to its program any more). */
void codewin_unmap(u64 va, u32 npages)
{
	u64 i = (va - CODEWIN_BASE) >> LM_PAGE_BITS;
	KASSERT(va >= CODEWIN_BASE && i + npages <= CODEWIN_PAGES);
	for (u32 k = 0; k < npages; k++) {
		KASSERT(win_pt[i + k] & PTE_P);
		win_pt[i + k] = 0;
		invlpg(va + ((u64)k << LM_PAGE_BITS));
	}
}

/* The physical page mapped at window address va, or 0 (DEBUG_CHECK). */
u64 codewin_phys(u64 va)
{
	u64 i = (va - CODEWIN_BASE) >> LM_PAGE_BITS;
	return i < CODEWIN_PAGES && (win_pt[i] & PTE_P) ? win_pt[i] & PTE_ADDR : 0;
}

/*
 * DEBUG_CHECK: W^X holds for the kernel half. Every window entry is
 * present, read-only, supervisor and executable, or empty; the direct map
 * is non-executable (with NX); the window's tables are where kmap_init put
 * them. Returns the number of problems and, in *used, the pages mapped.
 */
int codewin_check(u32 *used)
{
	int bad = 0;
	*used = 0;
	for (u32 i = 0; i < CODEWIN_PAGES; i++) {
		u64 e = win_pt[i];
		if (!e)
			continue;
		++*used;
		if ((e & (PTE_P | PTE_W | PTE_U | PTE_NX | PTE_PS)) != PTE_P) {
			kprintf("check: code window entry %u is %p\n", i, (void *)e);
			bad++;
		}
	}
	for (int i = 0; (cpu_features & LM_CPU_NX) && i < 4 * 512; i++)
		if (!(boot_pd[i] & PTE_NX)) {
			kprintf("check: direct map entry %d is executable\n", i);
			bad++;
		}
	if ((boot_pdpt_high[511] & PTE_ADDR) != virt_to_phys(win_pd) ||
	    (win_pd[0] & PTE_ADDR) != virt_to_phys(win_pt) || (win_pd[0] & PTE_U)) {
		kprintf("check: the code window's tables moved\n");
		bad++;
	}
	return bad;
}
