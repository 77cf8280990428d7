/* Address spaces and their IDs (ASID = PCID when the CPU has PCID). */
#ifndef VSPACE_H
#define VSPACE_H

#include <lamina/bootinfo.h>
#include "arch.h"
#include "asm.h"
#include "cap.h"

#define ASID_COUNT 4096 /* 0 is the kernel's own; 1 .. 4095 are handed out */
/* An ID range capability's depth (w3, asid.c): root's range, the deepest. */
#define ASIDS_ROOT_DEPTH 1
#define ASIDS_DEPTH_MAX  0xffff

/* One entry per address-space ID; an entry in use names its address
 * space's PML4. gen changes whenever an ID is freed, so a mapping record
 * naming an old (asid, gen) is known stale. */
struct asid_entry {
	u64 pml4;        /* physical address; 0 when free */
	u32 refs;        /* VSPACE capabilities naming this address space */
	u32 gen : 31;
	u32 stale : 1;   /* TLB may hold old entries for this PCID */
};
_Static_assert(sizeof(struct asid_entry) == 16, "a shift indexes the table");
extern struct asid_entry asid_tab[ASID_COUNT];

/*
 * A VSPACE capability names a live address space while its ID's entry
 * names its PML4: never for one made by retype and not yet assigned an ID
 * (w2 = 0, and entry 0 is never in use), nor once its ID was taken back
 * with the range it came from (the entry is free or another's). A PML4 is
 * assigned an ID once in its life, and its memory is not reused while a
 * capability to it exists, so the match cannot be a coincidence.
 */
static inline bool vspace_live(const struct cap *vs)
{
	return asid_tab[vs->w2].pml4 == vs->obj;
}

void asid_boot(u64 asid, u64 pml4);
void asid_free(u64 asid);
void asids_release(const struct slot *range);
void vspace_ref(const struct cap *vs);
void vspace_unref(const struct cap *vs);
void vspace_init_pml4(u64 pml4);
void vspace_load_dead(void);

/* Load vs (inline: every switch between address spaces comes here). */
static inline void vspace_load(const struct cap *vs)
{
	struct asid_entry *e = &asid_tab[vs->w2];
	u64 cr3 = vs->obj;
	/* e in a register, used for both the compare and the store below:
	 * without the barrier the compiler indexes the table twice. (Not
	 * for EVA, which would lose what e points at.) */
#ifndef __FRAMAC__
	__asm__("" : "+r"(e));
#endif
	if (e->pml4 != vs->obj) {
		vspace_load_dead();
		return;
	}
	cpu0.cr3_pml4 = vs->obj;
	if (cpu_features & LM_CPU_PCID)
		cr3 |= vs->w2 | (e->stale ? 0 : BIT(63)); /* bit 63: keep this PCID's TLB */
	e->stale = false;
	write_cr3(cr3);
}

/* Switch to address space vs unless it is loaded and its TLB is good. A
 * PML4 whose ID is freed is never left loaded (asid_free), so a match
 * with cr3_pml4 is a live address space. */
static inline void vspace_activate(const struct cap *vs)
{
	if (vs->obj != cpu0.cr3_pml4 || asid_tab[vs->w2].stale)
		vspace_load(vs);
}
u64 *vspace_rec_entry(const struct cap *c);
void vscheck_begin(void);
void vscheck_slot(const struct cap *c);
int vscheck_end(void);
u64 *vspace_part_entries(const struct cap *c);
void vspace_unmap_frame_cap(struct cap *c);
void vspace_unmap_table_cap(struct cap *c);
bool user_copy_in(void *dst, u64 uaddr, size_t n);
bool user_copy_out(u64 uaddr, const void *src, size_t n);
void *user_writable(u64 ua, size_t n);
/* Kernel address of user address ua in address space vs (any thread's,
 * not only the caller's), if mapped user-accessible (and writable if
 * asked); NULL otherwise, or if vs is not live. */
void *vspace_user_page(const struct cap *vs, u64 ua, bool write);
u64 kernel_pml4_phys(void);
u64 map_record(u64 asid);
void asid_check_begin(void);
void asid_check_slot(const struct slot *s);
int asid_check_end(void);

/* Boot-time mapping for the root task (root.c): the caller supplies the
 * table pages; frame 0 makes only the tables on the way to vaddr.
 * LM_ENOMEM: the pool ran out; LM_EEXIST: vaddr is mapped already (the
 * root ELF image's segments share a page, or lie where the kernel puts
 * the boot info, the stack or the modules). Tables made before either
 * stay made, and are in made[]. */
int vspace_boot_map(u64 pml4, u64 vaddr, u64 frame, u64 pte_flags, u64 *table_pool, int *npool,
		    struct cap *tables_made, int *ntables, u64 asid);

#define PTE_P   BIT(0)
#define PTE_W   BIT(1)
#define PTE_U   BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_A   BIT(5)
#define PTE_D   BIT(6)
#define PTE_PS  BIT(7)
#define PTE_G   BIT(8)
#define PTE_NX  BIT(63)
#define PTE_ADDR 0x000ffffffffff000ull
/* Bits the hardware ignores, ours in a leaf entry: what the capability it
 * was mapped through allows (VSPACE_PROTECT never goes beyond that), and a
 * mapping protected to no access at all, which is kept with P clear. */
#define PTE_MAYW BIT(9)
#define PTE_MAYX BIT(10)
#define PTE_NONE BIT(11)

/* Whether leaf entry e, the i-th a mapped run's record names, maps the
 * i-th page of its part (it may be gone, or the table replaced). */
static inline bool vspace_part_page(const struct cap *c, u64 e, u64 i)
{
	return (e & (PTE_P | PTE_NONE)) &&
		(e & PTE_ADDR) == c->obj + ((PART_FIRST(c->part) + i) << LM_PAGE_BITS);
}

/* The access bits of a leaf entry for `rights` (LM_R_*; 0: no access). */
static inline u64 pte_rights(u64 rights)
{
	if (!rights)
		return PTE_NONE;
	return PTE_P | (rights & LM_R_WRITE ? PTE_W : 0) |
		(!(rights & LM_R_EXEC) && (cpu_features & LM_CPU_NX) ? PTE_NX : 0);
}

/* A leaf entry for frame pa with `rights` (READ implied), through a
 * capability with cap_rights (both LM_R_*). */
static inline u64 pte_leaf(u64 pa, u64 rights, u64 cap_rights)
{
	_Static_assert(LM_R_WRITE << 8 == PTE_MAYW && LM_R_EXEC << 8 == PTE_MAYX, "pte_leaf");
	return pa | PTE_U | pte_rights(rights | LM_R_READ) |
		(cap_rights & (LM_R_WRITE | LM_R_EXEC)) << 8;
}

#endif
