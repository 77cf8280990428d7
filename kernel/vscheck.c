/*
 * DEBUG_CHECK's address-space part: what the MMU walks must agree with the
 * capabilities. It checks, for every live address space:
 *  - every table an entry points to is a page-table object (one with a
 *    PTABLE capability), and no table is reached twice, from any address
 *    space or place: what the hardware walks is installed once;
 *  - every present user entry is the one a live mapping record of a
 *    capability names, and each record names an entry that points at its
 *    object (entries are counted against the entries records claim). One
 *    entry may be claimed by two records of one frame only: a frame
 *    capability whose table was removed keeps its record, and if the frame
 *    is mapped at that address again it names the new entry too (as in
 *    seL4: its holder may unmap that frame there; docs/SECURITY.md);
 *  - no leaf maps a page the kernel owns: its image (with its stack and
 *    boot tables), a TCB, CNode, endpoint or notification, a page table or
 *    a top-level table;
 *  - the kernel half of every top-level table is the kernel's own.
 * Two bitmaps of physical pages (all memory lies below DIRECT_MAP_LIMIT)
 * are static: the check allocates nothing.
 */
#include "cap.h"
#include "cnode.h"
#include "thread.h"
#include "vspace.h"

#define NPAGES (DIRECT_MAP_LIMIT >> LM_PAGE_BITS)
static u64 owned[NPAGES / 64]; /* pages the kernel owns */
static u64 table[NPAGES / 64]; /* page-table objects not yet reached by a walk */
static u64 records, problems; /* records: entries claimed by a record */

/* An ignored bit of every entry kind: set while a record has claimed the
 * entry during one check, cleared by the walk that follows. */
#define PTE_CLAIMED BIT(52)

extern char kernel_phys_start[], kernel_phys_end[];

static bool test(const u64 *map, u64 pa)
{
	u64 p = pa >> LM_PAGE_BITS;
	return p < NPAGES && (map[p / 64] >> (p % 64)) & 1;
}

static void mark(u64 *map, u64 pa, u64 len)
{
	for (u64 p = pa >> LM_PAGE_BITS; p < NPAGES && p << LM_PAGE_BITS < pa + len; p++)
		map[p / 64] |= 1ull << (p % 64);
}

static void problem(const char *what, u64 a, u64 b)
{
	kprintf("check: %s (%p, %p)\n", what, (void *)a, (void *)b);
	problems++;
}

/* Mark what the kernel owns, before the slots are looked at. */
void vscheck_begin(void)
{
	static const u64 size[LM_OBJ_NTYPES] = {
		[LM_OBJ_TCB] = 1 << LM_TCB_BITS, [LM_OBJ_ENDPOINT] = 1 << LM_ENDPOINT_BITS,
		[LM_OBJ_NOTIFY] = 1 << LM_NOTIFY_BITS,
	};
	memset(owned, 0, sizeof(owned));
	memset(table, 0, sizeof(table));
	records = problems = 0;
	mark(owned, (u64)kernel_phys_start, kernel_phys_end - kernel_phys_start);
	for (int t = 0; t < LM_OBJ_NTYPES; t++)
		for (struct objhdr *h = all_objects[t]; h; h = h->all_next) {
			u64 len = t == LM_OBJ_CNODE ? (u64)sizeof(struct slot) << h->bits :
				  t == LM_OBJ_BPF ? 1ull << h->bits : size[t];
			/* a TCB's header follows its frame: mark from its start */
			void *start = t == LM_OBJ_TCB ?
				(void *)((char *)h - __builtin_offsetof(struct tcb, hdr)) : (void *)h;
			mark(owned, virt_to_phys(start), len);
		}
	for (u64 a = 1; a < ASID_COUNT; a++)
		if (asid_tab[a].pml4)
			mark(owned, asid_tab[a].pml4, LM_PAGE_SIZE);
}

/* A mapped run's record claims each entry of its part that still maps its
 * page (another record of the same frame may have claimed it first). */
static void claim_part(const struct cap *c)
{
	u64 *e = vspace_part_entries(c);
	for (u64 i = 0; e && i < PART_COUNT(c->part); i++)
		if (vspace_part_page(c, e[i], i) && !(e[i] & PTE_CLAIMED)) {
			records++;
			e[i] |= PTE_CLAIMED;
		}
}

/* One capability: tables are owned; a live mapping record must name an
 * entry that points at the capability's object, and no other record may
 * name the same entry. */
void vscheck_slot(const struct cap *c)
{
	if (c->type == LM_OBJ_VSPACE) /* live or not, its PML4 is the kernel's */
		mark(owned, c->obj, LM_PAGE_SIZE);
	if (c->type == LM_OBJ_PTABLE) {
		if (test(table, c->obj))
			problem("two capabilities to one page table", c->obj, 0);
		mark(owned, c->obj, LM_PAGE_SIZE);
		mark(table, c->obj, LM_PAGE_SIZE);
	}
	if (!(c->flags & CAP_F_MAPPED))
		return;
	if (c->type == LM_OBJ_FRAME && frame_is_run(c)) {
		claim_part(c);
		return;
	}
	u64 *e = vspace_rec_entry(c);
	if (!e)
		return; /* its address space is gone: no hardware reaches it */
	if (*e & PTE_CLAIMED) {
		if (c->type != LM_OBJ_FRAME)
			problem("two mapping records for one table entry", c->obj, c->w2);
		return;
	}
	records++;
	*e |= PTE_CLAIMED;
}

static void unmark(u64 *map, u64 pa)
{
	u64 p = pa >> LM_PAGE_BITS;
	map[p / 64] &= ~(1ull << (p % 64));
}

/* The entries of the table at pa (level 4..1) mapping user memory from va,
 * and the tables below them; returns how many there are. After a problem a
 * claim may be left in entries not walked: the next check says so again. */
static u64 walk_table(u64 pa, int level, u64 va)
{
	u64 *t = phys_to_virt(pa), entries = 0, span = 1ull << (12 + 9 * (level - 1));
	for (int i = 0; i < (level == 4 ? 256 : 512); i++, va += span) {
		u64 *e = &t[i], next = t[i] & PTE_ADDR;
		if (!(*e & (PTE_P | PTE_NONE)))
			continue;
		entries++;
		if (!(*e & PTE_CLAIMED))
			problem("a user entry that no capability records", va, *e);
		*e &= ~PTE_CLAIMED;
		if (level == 1 || (*e & PTE_PS)) {
			if (level > 2)
				problem("a page larger than 2 MiB", va, *e);
			for (u64 off = 0; off < span && level <= 2; off += LM_PAGE_SIZE)
				if (test(owned, next + off)) {
					problem("a kernel-owned page mapped into user space", next + off, va);
					break;
				}
			continue;
		}
		if (!test(table, next)) {
			problem("an entry to a page that is no table, or to a table installed twice",
				va, next);
			continue;
		}
		unmark(table, next);
		entries += walk_table(next, level - 1, va);
	}
	return entries;
}

/* Walk every live address space; returns the number of problems. */
int vscheck_end(void)
{
	const u64 *kernel = phys_to_virt(kernel_pml4_phys());
	u64 entries = 0;
	for (u64 a = 1; a < ASID_COUNT; a++) {
		u64 pml4 = asid_tab[a].pml4;
		if (!pml4)
			continue;
		const u64 *t = phys_to_virt(pml4);
		for (int i = 256; i < 512; i++)
			if (t[i] != kernel[i]) {
				problem("a kernel-half entry that differs from the kernel's", pml4, (u64)i);
				break;
			}
		entries += walk_table(pml4, 4, 0);
	}
	if (entries != records)
		problem("mapping records and user entries differ in number", records, entries);
	return (int)problems;
}
