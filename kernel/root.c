/*
 * Build the root task: the only thing the kernel starts by itself. Its
 * memory comes from boot allocations; everything else in RAM becomes its
 * untyped capabilities, after which the kernel never allocates again.
 */
#include <lamina/bootinfo.h>
#include "arch.h"
#include "bootmem.h"
#include "cnode.h"
#include "elf.h"
#include "multiboot.h"
#include "thread.h"
#include "vspace.h"

#define ROOT_CNODE_BITS 12
#define ROOT_PRIO       255
#define TABLE_POOL      64
#define MODULE_VBASE    0x10000000000ull

struct root_build {
	struct bootmem *mem;
	struct slot *slots;
	u32 next;                /* next free slot */
	u64 pml4, asid;
	u64 pool[TABLE_POOL];
	int npool;
	struct lm_bootinfo *bi;
};

static u64 boot_alloc(struct root_build *rb, u64 size, u64 align)
{
	u64 pa = bootmem_alloc(rb->mem, size, align);
	if (!pa)
		panic("boot: out of memory building the root task");
	memset(phys_to_virt(pa), 0, size);
	return pa;
}

static u32 put_cap(struct root_build *rb, const struct cap *c)
{
	if (rb->next >= (1u << ROOT_CNODE_BITS))
		panic("boot: root CNode full");
	cap_insert(&rb->slots[rb->next], c, NULL);
	return rb->next++;
}

/* vspace_boot_map, its tables' capabilities recorded; a mapping that
 * cannot be made is the root image's fault (or too many modules'). */
static void boot_map(struct root_build *rb, u64 va, u64 pa, u64 pte)
{
	struct cap tables[4];
	int nt = 0;
	int err = vspace_boot_map(rb->pml4, va, pa, pte, rb->pool, &rb->npool, tables, &nt, rb->asid);
	if (err == LM_ENOMEM)
		panic("boot: out of page tables mapping the root task at %lx", va);
	if (err)
		panic("boot: root task address %lx mapped twice (overlapping ELF segments?)", va);
	for (int i = 0; i < nt; i++)
		put_cap(rb, &tables[i]);
}

/* Map a fresh zeroed frame at va; record its capability. Returns its address. */
static u64 map_new_frame(struct root_build *rb, u64 va, u8 rights)
{
	u64 pa = boot_alloc(rb, 4096, 4096);
	boot_map(rb, va, pa, pte_leaf(0, rights, LM_R_ALL));
	struct cap c = { .type = LM_OBJ_FRAME, .rights = LM_R_ALL, .bits = LM_PAGE_BITS,
		.flags = CAP_F_MAPPED, .obj = pa, .w2 = va, .w3 = map_record(rb->asid) };
	put_cap(rb, &c);
	return pa;
}

static u64 load_root_elf(struct root_build *rb, const struct boot_module *m)
{
	const u8 *img = phys_to_virt(m->start);
	u64 size = m->end - m->start;
	const struct lm_elf_phdr *ph;
	int nph;
	if (!elf_check(img, size, &ph, &nph))
		panic("boot: root module is not a valid x86-64 ELF executable");
	for (int i = 0; i < nph; i++) {
		if (ph[i].type != LM_PT_LOAD)
			continue;
		u8 rights = LM_R_READ | (ph[i].flags & LM_PF_W ? LM_R_WRITE : 0) |
			    (ph[i].flags & LM_PF_X ? LM_R_EXEC : 0);
		u64 va0 = ph[i].vaddr & ~0xfffull, fend = ph[i].vaddr + ph[i].filesz;
		for (u64 va = va0; va < ph[i].vaddr + ph[i].memsz; va += 4096) {
			u8 *page = phys_to_virt(map_new_frame(rb, va, rights));
			/* The part of the file image that falls in this page
			 * (elf_check: offset + filesz inside the image). */
			u64 lo = va > ph[i].vaddr ? va : ph[i].vaddr;
			u64 hi = va + 4096 < fend ? va + 4096 : fend;
			if (lo < hi)
				memcpy(page + (lo - va), img + ph[i].offset + (lo - ph[i].vaddr), hi - lo);
		}
	}
	return ((const struct lm_elf_ehdr *)img)->entry;
}

/* Copy each boot module into frames the root task owns, mapped read-only. */
static void load_modules(struct root_build *rb, const struct bootparams *bp)
{
	u64 va = MODULE_VBASE;
	for (int i = 0; i < bp->nmods && i < LM_BI_MAX_MODULES; i++) {
		const struct boot_module *m = &bp->mods[i];
		struct lm_bi_module *bm = &rb->bi->modules[i];
		u64 size = m->end - m->start;
		strlcpy(bm->name, m->name, sizeof(bm->name));
		bm->size = size;
		bm->vaddr = va;
		bm->nframes = (u32)((size + 4095) / 4096);
		/* Every table for the range first (a module may cross 2 MiB
		 * boundaries), so that its frames take consecutive slots. */
		for (u64 off = 0; off < size; off = ALIGN_UP(va + off + 1, LM_LARGE_PAGE_SIZE) - va)
			boot_map(rb, va + off, 0, 0);
		bm->slot = rb->next;
		for (u64 off = 0; off < size; off += 4096) {
			u64 pa = map_new_frame(rb, va + off, LM_R_READ);
			u64 n = size - off < 4096 ? size - off : 4096;
			memcpy(phys_to_virt(pa), (const u8 *)phys_to_virt(m->start) + off, n);
		}
		va += ALIGN_UP(size, LM_LARGE_PAGE_SIZE) + LM_LARGE_PAGE_SIZE;
	}
	rb->bi->n_modules = (u32)bp->nmods;
}

static void emit_untyped(u64 pa, int bits, void *arg)
{
	struct root_build *rb = arg;
	struct lm_bootinfo *bi = rb->bi;
	if (bi->n_untyped >= LM_BI_MAX_UNTYPED)
		return;
	struct cap c = { .type = LM_OBJ_UNTYPED, .rights = LM_R_ALL, .bits = (u8)bits, .obj = pa };
	struct lm_bi_untyped *u = &bi->untyped[bi->n_untyped++];
	u->paddr = pa;
	u->size_bits = (u8)bits;
	u->slot = put_cap(rb, &c);
}

void root_create(struct bootparams *bp)
{
	struct root_build rb = { .mem = &bp->ram, .next = LM_SLOT_FIRST_BOOT };
	int root_mod = -1;
	for (int i = 0; i < bp->nmods && i < LM_BI_MAX_MODULES; i++)
		if (!memcmp(bp->mods[i].name, "root", 5))
			root_mod = i;
	if (root_mod < 0)
		panic("boot: no module named 'root'");

	/* The objects the root task is made of. */
	u64 cn_pa = boot_alloc(&rb, 1ull << (ROOT_CNODE_BITS + LM_SLOT_BITS), 4096);
	rb.slots = phys_to_virt(cn_pa);
	struct objhdr *cnh = (struct objhdr *)rb.slots;
	cnh->bits = ROOT_CNODE_BITS;
	((struct cnode_hdr *)cnh)->occ = ~0ull; /* filled below without cnode_mark */
	obj_link(cnh, LM_OBJ_CNODE);
	rb.pml4 = boot_alloc(&rb, 4096, 4096);
	vspace_init_pml4(rb.pml4);
	/* Its ID is the last of its range, where VSPACE_ASSIGN would put it:
	 * issued sub-ranges come from the bottom. */
	rb.asid = ASID_COUNT - 1;
	asid_boot(rb.asid, rb.pml4);
	struct tcb *t = phys_to_virt(boot_alloc(&rb, 1 << LM_TCB_BITS, 1 << LM_TCB_BITS));
	tcb_init(t);
	for (int i = 0; i < TABLE_POOL; i++)
		rb.pool[i] = boot_alloc(&rb, 4096, 4096);
	rb.npool = TABLE_POOL;

	struct cap cn = { .type = LM_OBJ_CNODE, .rights = LM_R_ALL, .bits = ROOT_CNODE_BITS,
		.obj = (u64)cnh };
	struct cap vs = { .type = LM_OBJ_VSPACE, .rights = LM_R_ALL, .obj = rb.pml4, .w2 = rb.asid };
	struct cap tc = { .type = LM_OBJ_TCB, .rights = LM_R_ALL, .obj = (u64)t };
	struct cap io = { .type = LM_OBJ_IOPORT, .rights = LM_R_ALL, .obj = 0, .w2 = 0x10000 };
	cap_insert(&rb.slots[LM_SLOT_CNODE], &cn, NULL);
	cap_insert(&rb.slots[LM_SLOT_VSPACE], &vs, NULL);
	cap_insert(&rb.slots[LM_SLOT_TCB], &tc, NULL);
	cap_insert(&rb.slots[LM_SLOT_IOPORT], &io, NULL);
	struct cap irqctl = { .type = LM_OBJ_IRQCTL, .rights = LM_R_ALL };
	cap_insert(&rb.slots[LM_SLOT_IRQCTL], &irqctl, NULL);
	struct cap debug = { .type = LM_OBJ_DEBUG, .rights = LM_R_ALL };
	cap_insert(&rb.slots[LM_SLOT_DEBUG], &debug, NULL);

	/* The bootinfo page first, so the rest can fill it in. */
	u32 bi_slot = rb.next;
	rb.bi = phys_to_virt(map_new_frame(&rb, LM_BOOTINFO_VADDR, LM_R_READ));
	bi_slot = rb.next - 1;
	cap_move(&rb.slots[LM_SLOT_BOOTINFO], &rb.slots[bi_slot]);
	rb.next = bi_slot; /* the tables made for it stay before it */
	struct lm_bootinfo *bi = rb.bi;
	bi->magic = LM_BOOTINFO_MAGIC;
	bi->cnode_bits = ROOT_CNODE_BITS;
	bi->boot_first = LM_SLOT_FIRST_BOOT;
	strlcpy(bi->cmdline, bp->cmdline, sizeof(bi->cmdline));

	u64 entry = load_root_elf(&rb, &bp->mods[root_mod]);
	for (u64 i = 1; i <= LM_ROOT_STACK_PAGES; i++)
		map_new_frame(&rb, LM_ROOT_STACK_TOP - i * 4096, LM_R_READ | LM_R_WRITE);
	load_modules(&rb, bp);
	bi->boot_end = rb.next;

	/* Module copies are made: their originals, the unused table pool and
	 * the loader's info block are free memory now. */
	for (int i = 0; i < bp->nmods && i < LM_BI_MAX_MODULES; i++)
		bootmem_add_within(&bp->ram, &bp->loader_ram, bp->mods[i].start & ~0xfffull,
				   ALIGN_UP(bp->mods[i].end, 4096));
	for (int i = 0; i < rb.npool; i++)
		bootmem_add(&bp->ram, rb.pool[i], rb.pool[i] + 4096);
	/* Only whole pages of the info block: GRUB may put it in the tail of
	 * a kernel page (after the text, before the next segment). */
	if (ALIGN_UP(bp->info_start, 4096) < (bp->info_end & ~0xfffull))
		bootmem_add_within(&bp->ram, &bp->loader_ram, ALIGN_UP(bp->info_start, 4096),
				   bp->info_end & ~0xfffull);
	bootmem_remove(&bp->ram, 0, 0x100000);
	/* Whatever was given back, the kernel image is never free memory. */
	bootmem_remove(&bp->ram, kernel_image_start(), kernel_image_end());
	bi->ram_bytes = bootmem_total(&bp->ram);
	for (int i = 0; i < bp->ram.n && i < BOOTMEM_MAX; i++)
		bootmem_blocks(bp->ram.r[i].start, bp->ram.r[i].end, LM_UNTYPED_MIN_BITS,
			       LM_UNTYPED_MAX_BITS, emit_untyped, &rb);
	/* Every address-space ID but the kernel's (0), root's own among them. */
	struct cap asids = { .type = LM_OBJ_ASIDS, .rights = LM_R_ALL, .obj = 1,
		.w2 = ASID_COUNT - 1, .w3 = ASIDS_ROOT_DEPTH };
	bi->asid_slot = put_cap(&rb, &asids);
	bi->first_free = rb.next;
	bi->tsc_khz = tsc_khz;
	bi->cpu_features = cpu_features;
	bi->debug_slot = LM_SLOT_DEBUG;

	/* The thread: its cspace and vspace are children of slots 1 and 2. */
	struct cap c = cn;
	c.flags = CAP_F_TCBSLOT;
	cap_insert(&t->cspace, &c, &rb.slots[LM_SLOT_CNODE]);
	c = vs;
	c.flags = CAP_F_TCBSLOT;
	cap_insert(&t->vspace, &c, &rb.slots[LM_SLOT_VSPACE]);
	root_tcb = t;
	tcb_set_prio(t, ROOT_PRIO);
	t->frame.rip = entry;
	t->frame.rsp = LM_ROOT_STACK_TOP;
	t->frame.rdi = LM_BOOTINFO_VADDR;
	sched_make_runnable(t);
	kprintf("boot: root task: %u slots used, %u untyped, %lu MiB free\n", rb.next,
		bi->n_untyped, bi->ram_bytes >> 20);
}
