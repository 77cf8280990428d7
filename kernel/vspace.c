/*
 * Address spaces: x86-64 four-level page tables filled only by map calls.
 *
 * Invariant: a present user entry at any level was installed through a
 * capability that still records the mapping (CAP_F_MAPPED, w2 = vaddr,
 * w3 = asid/gen/level). Deleting that capability removes the entry, and a
 * table whose record is dropped is zeroed, so a detached table can never be
 * attached again with old entries in it.
 */
#include <lamina/syscall.h>
#include <lamina/bootinfo.h>
#include "arch.h"
#include "asm.h"
#include "syscall.h"
#include "thread.h"
#include "vspace.h"

extern u64 boot_pml4[512];

/* w3 of a mapped frame/table: asid, the asid's generation, table level. */
#define MAP_REC(asid, gen, level) ((asid) | ((u64)(gen) << 16) | ((u64)(level) << 48))
#define REC_ASID(w)  ((w) & 0xffff)
#define REC_GEN(w)   (((w) >> 16) & 0x7fffffff)
#define REC_LEVEL(w) (((w) >> 48) & 0xf)

u64 kernel_pml4_phys(void) { return virt_to_phys(boot_pml4); }

/* A new top-level table shares the kernel half with every other. */
void vspace_init_pml4(u64 pml4)
{
	u64 *t = phys_to_virt(pml4);
	for (int i = 256; i < 512; i++)
		t[i] = boot_pml4[i];
}

/* vspace_load of an address space whose ID was taken back: the kernel's
 * own tables instead. Its thread faults at once in user mode, and nothing
 * of what it had mapped (perhaps freed since) is ever walked again. */
void vspace_load_dead(void)
{
	cpu0.cr3_pml4 = kernel_pml4_phys();
	write_cr3(cpu0.cr3_pml4);
}

/* Entry index of vaddr at a level (4 = PML4 .. 1 = PT). */
static inline u64 *entry(u64 table_pa, u64 va, int level)
{
	return (u64 *)phys_to_virt(table_pa) + ((va >> (12 + 9 * (level - 1))) & 511);
}

/* Walk from the PML4 down to `level`; NULL if a table on the way is
 * missing (*missing = its level) or a large page is in the way. */
static always_inline bool walk_step(u64 *table, u64 va, int l, int *missing)
{
	u64 e = *entry(*table, va, l);
	if (e & PTE_PS) { /* also a large page protected to no access */
		*missing = 0;
		return false;
	}
	if (!(e & PTE_P)) {
		*missing = l - 1;
		return false;
	}
	*table = e & PTE_ADDR;
	return true;
}

/* Unrolled and inline: each step's shift is a constant, and so is the
 * level at every caller (the loop took 15 instructions a level). */
static always_inline u64 *walk(u64 pml4, u64 va, int level, int *missing)
{
	u64 table = pml4;
	if ((level < 4 && !walk_step(&table, va, 4, missing)) ||
	    (level < 3 && !walk_step(&table, va, 3, missing)) ||
	    (level < 2 && !walk_step(&table, va, 2, missing)))
		return NULL;
	return entry(table, va, level);
}

/* The running thread's address-space capability if it is asid's, else NULL. */
static const struct cap *current_vspace(u64 asid)
{
	const struct cap *vs = cpu0.cur ? &cpu0.cur->vspace.cap : NULL;
	return vs && vs->type == LM_OBJ_VSPACE && vs->w2 == asid && vspace_live(vs) ? vs : NULL;
}

/* Drop the TLB entries for va in address space asid: now if it is loaded,
 * else when it is next loaded. */
static void flush_page(u64 asid, u64 va)
{
	if (current_vspace(asid))
		invlpg(va);
	else
		asid_tab[asid].stale = true;
}

static void flush_all(u64 asid)
{
	const struct cap *vs = current_vspace(asid);
	asid_tab[asid].stale = true;
	if (vs)
		vspace_load(vs);
}

/* The live PML4 of a mapping record, or 0 if that address space is gone. */
static u64 rec_pml4(u64 rec)
{
	const struct asid_entry *e = &asid_tab[REC_ASID(rec)];
	return REC_ASID(rec) && e->pml4 && e->gen == REC_GEN(rec) ? e->pml4 : 0;
}

/* The entry that mapped capability c's record names, if its address space
 * is alive and the entry still points at c's object; else NULL. */
u64 *vspace_rec_entry(const struct cap *c)
{
	u64 pml4 = rec_pml4(c->w3), *e;
	int missing;
	if (!pml4)
		return NULL;
	if (c->type == LM_OBJ_FRAME) {
		e = walk(pml4, c->w2, c->bits == LM_LARGE_PAGE_BITS ? 2 : 1, &missing);
		return e && (*e & (PTE_P | PTE_NONE)) && (*e & PTE_ADDR) == c->obj ? e : NULL;
	}
	e = walk(pml4, c->w2, (int)REC_LEVEL(c->w3) + 1, &missing);
	return e && (*e & PTE_P) && !(*e & PTE_PS) && (*e & PTE_ADDR) == c->obj ? e : NULL;
}

/* Flushes of up to this many pages go one by one, more reload CR3. */
#define FLUSH_PAGES_MAX 32

/* The entries a mapped run's record names (its part's first, then one a
 * page, in one page table) if its address space is alive and the table is
 * still there; each is the run's only if it points at its page
 * (vspace_part_page). NULL otherwise. */
u64 *vspace_part_entries(const struct cap *c)
{
	u64 pml4 = rec_pml4(c->w3);
	int missing;
	return pml4 ? walk(pml4, c->w2, 1, &missing) : NULL;
}

/* A run's part is unmapped as one: the entries that still point at its
 * pages cleared, then one flush (page by page when few and loaded). */
static void unmap_part(struct cap *c)
{
	u64 *pte = vspace_part_entries(c), n = PART_COUNT(c->part), asid = REC_ASID(c->w3);
	if (!pte)
		return;
	bool each = n <= FLUSH_PAGES_MAX && current_vspace(asid), cleared = false;
	for (u64 i = 0; i < n; i++)
		if (vspace_part_page(c, pte[i], i)) {
			pte[i] = 0;
			cleared = true;
			if (each)
				invlpg(c->w2 + (i << LM_PAGE_BITS));
		}
	if (cleared && !each)
		flush_all(asid);
}

void vspace_unmap_frame_cap(struct cap *c)
{
	if (frame_is_run(c)) {
		unmap_part(c);
	} else {
		u64 *e = vspace_rec_entry(c);
		if (e) {
			*e = 0;
			flush_page(REC_ASID(c->w3), c->w2);
		}
	}
	c->flags &= ~CAP_F_MAPPED;
	c->w2 = c->w3 = 0;
	c->part = 0;
}

void vspace_unmap_table_cap(struct cap *c)
{
	u64 *e = vspace_rec_entry(c);
	if (e) {
		*e = 0;
		flush_all(REC_ASID(c->w3));
	}
	kzero(phys_to_virt(c->obj), 4096);
	c->flags &= ~CAP_F_MAPPED;
	c->w2 = c->w3 = 0;
}

/* The address space vs names, which must be live: one without an ID
 * (never assigned, or taken back) cannot be mapped into. */
static always_inline u64 vs_lookup(u64 cptr, u8 rights, struct slot **vs)
{
	u64 e = cap_lookup(cptr, LM_OBJ_VSPACE, rights, 1, vs);
	if (!e && !vspace_live(&(*vs)->cap))
		return SYSERR(LM_ESTATE, 1);
	return e;
}

/* Every slot of a range must hold an unmapped 4 KiB frame whose rights
 * allow `rights`; D = the index of the first that does not. */
static u64 range_frames_ok(const struct slot *fr, u64 count, u64 rights)
{
	for (u64 i = 0; i < count; i++) {
		const struct cap *c = &fr[i].cap;

		if (c->type == LM_OBJ_NULL)
			return SYSERR_D(LM_ECAP, 2, i);
		if (c->type != LM_OBJ_FRAME)
			return SYSERR_D(LM_ETYPE, 2, i);
		if (c->bits != LM_PAGE_BITS)
			return SYSERR_D(LM_EINVAL, 2, i);
		if ((rights | LM_R_READ) & ~(u64)c->rights)
			return SYSERR_D(LM_ERIGHTS, 4, i);
		if (c->flags & CAP_F_MAPPED)
			return SYSERR_D(LM_ESTATE, 2, i);
	}
	return LM_OK;
}

/*
 * VSPACE_MAP with a count (ARG5 != 0; 0 is the one-frame form): the 4 KiB frames in slots
 * first .. first+count-1 of CNode ARG6 mapped at consecutive pages from
 * vaddr, all inside one page table (a spawn mapping an image's text from
 * the frames it lies in, with the copies already in the child's CNode).
 * Everything is checked before anything is mapped; new entries replace
 * empty ones, so no flush. rdi = count.
 */
static u64 map_range(struct frame *f, u64 count)
{
	struct slot *vs, *cn, *fr;
	u64 va = ARG3(f), rights = ARG4(f), e, *pte;
	int missing = 0; /* walk sets it only when a table is missing */

	if ((e = vs_lookup(ARG1(f), LM_R_WRITE, &vs)) ||
	    (e = cap_lookup(ARG6(f), LM_OBJ_CNODE, LM_R_WRITE, 6, &cn)) ||
	    (e = cnode_index(cn, ARG2(f), 2, &fr)))
		return e;
	if (rights & ~(u64)(LM_R_READ | LM_R_WRITE | LM_R_EXEC))
		return SYSERR(LM_EINVAL, 4);
	if (!IS_ALIGNED(va, LM_PAGE_SIZE))
		return SYSERR(LM_EALIGN, 3);
	if (va < LM_USER_MIN || va >= LM_USER_MAX)
		return SYSERR(LM_ERANGE, 3);
	if (count > LM_MAP_MAX || count > (1ull << cn->cap.bits) - ARG2(f) ||
	    ((va >> 12) & 511) + count > 512) /* one page table */
		return SYSERR(LM_ERANGE, 5);
	if ((e = range_frames_ok(fr, count, rights)))
		return e;
	if (!(pte = walk(vs->cap.obj, va, 1, &missing)))
		return missing ? SYSERR_D(LM_ETABLE, 3, missing) : SYSERR(LM_EEXIST, 3);
	for (u64 i = 0; i < count; i++)
		if (pte[i] & (PTE_P | PTE_NONE))
			return SYSERR_D(LM_EEXIST, 3, i);
	u64 rec = MAP_REC(vs->cap.w2, asid_tab[vs->cap.w2].gen, 0);
	for (u64 i = 0; i < count; i++) {
		pte[i] = pte_leaf(fr[i].cap.obj, rights, fr[i].cap.rights);
		fr[i].cap.flags |= CAP_F_MAPPED;
		fr[i].cap.w2 = va + i * LM_PAGE_SIZE;
		fr[i].cap.w3 = rec;
	}
	f->rdi = count;
	return LM_OK;
}

/*
 * Pages first .. first+count-1 of run fr mapped at va with 4 KiB entries,
 * all in one page table, under one record in fr (VSPACE_MAP of a whole
 * run, VSPACE_MAP_RUN of a part). The caller checked everything but the
 * entries. New entries replace empty ones, so no flush.
 */
static u64 map_part(struct slot *vs, struct slot *fr, u64 va, u64 rights, u64 first, u64 count)
{
	int missing = 0;
	u64 *pte = walk(vs->cap.obj, va, 1, &missing);
	if (!pte)
		return missing ? SYSERR_D(LM_ETABLE, 3, missing) : SYSERR(LM_EEXIST, 3);
	for (u64 i = 0; i < count; i++)
		if (pte[i] & (PTE_P | PTE_NONE))
			return SYSERR_D(LM_EEXIST, 3, i);
	u64 leaf = pte_leaf(fr->cap.obj + (first << LM_PAGE_BITS), rights, fr->cap.rights);
	for (u64 i = 0; i < count; i++)
		pte[i] = leaf + (i << LM_PAGE_BITS);
	fr->cap.flags |= CAP_F_MAPPED;
	fr->cap.w2 = va;
	fr->cap.w3 = MAP_REC(vs->cap.w2, asid_tab[vs->cap.w2].gen, 0);
	fr->cap.part = frame_is_run(&fr->cap) ? (u32)(first | count << 16) : 0; /* 4 KiB: none */
	return LM_OK;
}

/* (vs, frame, vaddr, rights, first, count): a part of a run, or of a 4 KiB
 * frame (its one page); a 2 MiB frame maps only whole, as a large page. */
SYS(vspace_map_run)
{
	struct slot *vs, *fr;
	u64 va = ARG3(f), rights = ARG4(f), first = ARG5(f), count = ARG6(f), e;

	if ((e = vs_lookup(ARG1(f), LM_R_WRITE, &vs)) ||
	    (e = cap_lookup(ARG2(f), LM_OBJ_FRAME, 0, 2, &fr)))
		return e;
	if (fr->cap.bits == LM_LARGE_PAGE_BITS)
		return SYSERR(LM_EINVAL, 2);
	if (rights & ~(u64)(LM_R_READ | LM_R_WRITE | LM_R_EXEC))
		return SYSERR(LM_EINVAL, 4);
	if ((rights | LM_R_READ) & ~(u64)fr->cap.rights)
		return SYSERR(LM_ERIGHTS, 4);
	if (!IS_ALIGNED(va, LM_PAGE_SIZE))
		return SYSERR(LM_EALIGN, 3);
	if (va < LM_USER_MIN || va >= LM_USER_MAX)
		return SYSERR(LM_ERANGE, 3);
	u64 pages = 1ull << (fr->cap.bits - LM_PAGE_BITS);
	if (first >= pages)
		return SYSERR(LM_ERANGE, 5);
	if (!count || count > pages - first)
		return SYSERR(LM_ERANGE, 6);
	if (((va >> LM_PAGE_BITS) & 511) + count > 512 ||
	    count > (LM_USER_MAX - va) >> LM_PAGE_BITS) /* one page table, user half */
		return SYSERR(LM_ERANGE, 3);
	if (fr->cap.flags & CAP_F_MAPPED)
		return SYSERR(LM_ESTATE, 2);
	return map_part(vs, fr, va, rights, first, count);
}

SYS(vspace_map)
{
	struct slot *vs, *fr;
	u64 va = ARG3(f), rights = ARG4(f), e;
	int missing = 0;

	if (ARG5(f))
		return map_range(f, ARG5(f));
	if ((e = vs_lookup(ARG1(f), LM_R_WRITE, &vs)) ||
	    (e = cap_lookup(ARG2(f), LM_OBJ_FRAME, 0, 2, &fr)))
		return e;
	if (rights & ~(u64)(LM_R_READ | LM_R_WRITE | LM_R_EXEC))
		return SYSERR(LM_EINVAL, 4);
	if ((rights | LM_R_READ) & ~(u64)fr->cap.rights)
		return SYSERR(LM_ERIGHTS, 4);
	if (va < LM_USER_MIN || va >= LM_USER_MAX || LM_USER_MAX - va < (1ull << fr->cap.bits))
		return SYSERR(LM_ERANGE, 3);
	if (!IS_ALIGNED(va, 1ull << fr->cap.bits))
		return SYSERR(LM_EALIGN, 3);
	if (fr->cap.flags & CAP_F_MAPPED)
		return SYSERR(LM_ESTATE, 2);
	if (unlikely(frame_is_run(&fr->cap))) /* aligned to its size: one table */
		return map_part(vs, fr, va, rights, 0, 1ull << (fr->cap.bits - LM_PAGE_BITS));
	/* Each walk to a constant level: unrolled with nothing left to compute
	 * (the level as a variable cost map_page 20 instructions). */
	bool large = fr->cap.bits == LM_LARGE_PAGE_BITS;
	u64 *pte = large ? walk(vs->cap.obj, va, 2, &missing) : walk(vs->cap.obj, va, 1, &missing);
	if (!pte)
		return missing ? SYSERR_D(LM_ETABLE, 3, missing) : SYSERR(LM_EEXIST, 3);
	if (*pte & (PTE_P | PTE_NONE))
		return SYSERR(LM_EEXIST, 3);

	*pte = pte_leaf(fr->cap.obj, rights, fr->cap.rights) | (large ? PTE_PS : 0);
	fr->cap.flags |= CAP_F_MAPPED;
	fr->cap.w2 = va;
	fr->cap.w3 = MAP_REC(vs->cap.w2, asid_tab[vs->cap.w2].gen, 0);
	return LM_OK;
}

SYS(vspace_unmap)
{
	struct slot *fr;
	u64 e = cap_lookup(ARG1(f), LM_OBJ_FRAME, 0, 1, &fr);
	if (e)
		return e;
	if (!(fr->cap.flags & CAP_F_MAPPED))
		return SYSERR(LM_ENOENT, 1);
	vspace_unmap_frame_cap(&fr->cap);
	return LM_OK;
}

SYS(vspace_map_table)
{
	struct slot *vs, *pt;
	u64 va = ARG3(f), e;

	if ((e = vs_lookup(ARG1(f), LM_R_WRITE, &vs)) ||
	    (e = cap_lookup(ARG2(f), LM_OBJ_PTABLE, LM_R_WRITE, 2, &pt)))
		return e;
	if (va < LM_USER_MIN || va >= LM_USER_MAX)
		return SYSERR(LM_ERANGE, 3);
	if (pt->cap.flags & CAP_F_MAPPED)
		return SYSERR(LM_ESTATE, 2);
	int missing = 0;
	if (walk(vs->cap.obj, va, 1, &missing) || missing == 0)
		return SYSERR(LM_EEXIST, 3);
	u64 *slot = walk(vs->cap.obj, va, missing + 1, &(int){ 0 });
	KASSERT(slot && !(*slot & PTE_P));

	*slot = pt->cap.obj | PTE_P | PTE_W | PTE_U;
	u64 span_mask = (1ull << (12 + 9 * missing)) - 1;
	pt->cap.flags |= CAP_F_MAPPED;
	pt->cap.w2 = va & ~span_mask;
	pt->cap.w3 = MAP_REC(vs->cap.w2, asid_tab[vs->cap.w2].gen, missing);
	f->rdi = (u64)missing;
	return LM_OK;
}

SYS(vspace_unmap_table)
{
	struct slot *pt;
	u64 e = cap_lookup(ARG1(f), LM_OBJ_PTABLE, 0, 1, &pt);
	if (e)
		return e;
	if (!(pt->cap.flags & CAP_F_MAPPED))
		return SYSERR(LM_ENOENT, 1);
	vspace_unmap_table_cap(&pt->cap);
	return LM_OK;
}

/*
 * Page-level primitives for a library OS: protection of a range and the
 * hardware's accessed/dirty bits. Both act on leaf entries only, and
 * protection never exceeds what the frame's capability allowed when it was
 * mapped (PTE_MAYW/PTE_MAYX: the binding was checked then, once).
 */
#define PROT_RIGHTS (LM_R_READ | LM_R_WRITE | LM_R_EXEC)

/* The leaf entry for va (level 1, or 2 for a large page), or NULL with
 * *skip = bytes to the next place a mapping could be. */
static u64 *leaf(u64 pml4, u64 va, int *level, u64 *skip)
{
	int missing = 0;
	u64 *e = walk(pml4, va, 1, &missing);
	*level = 1;
	*skip = 0;
	if (!e && !missing) { /* a large page is in the way */
		e = walk(pml4, va, 2, &missing);
		*level = 2;
	}
	if (!e) /* missing > 0: no table there; 0: a 1 GiB page (never made) */
		*skip = 1ull << (12 + 9 * (missing ? missing : 2));
	return e;
}

/* What protect changes in a leaf entry, and what it sets there. */
#define PROT_BITS (PTE_P | PTE_W | PTE_NX | PTE_NONE)

/* The page-table entry for va when the path to it is all present tables,
 * else NULL (a hole or a large page: the general path sorts those out).
 * walk() unrolled for protect's common case: through walk() prot1 and
 * trap each cost 26 instructions more (measured when it was written). */
static inline u64 *pte_of(u64 pml4, u64 va)
{
	u64 e = *entry(pml4, va, 4);
	if (!(e & PTE_P))
		return NULL;
	e = *entry(e & PTE_ADDR, va, 3);
	if ((e & (PTE_P | PTE_PS)) != PTE_P)
		return NULL;
	e = *entry(e & PTE_ADDR, va, 2);
	if ((e & (PTE_P | PTE_PS)) != PTE_P)
		return NULL;
	return entry(e & PTE_ADDR, va, 1);
}

/* Would giving every mapped entry of [p, p + n) the rights `need` asks
 * for go beyond what its frame capability allowed? */
static bool prot_refused(const u64 *p, u64 n, u64 need)
{
	for (const u64 *end = p + n; p < end; p++)
		if ((*p & (PTE_P | PTE_NONE)) && (*p & need) != need)
			return true;
	return false;
}

struct prot {
	u64 set, mapped;
	bool here;  /* the address space is loaded */
	bool flush; /* entries changed that were not flushed one by one */
};

/* Change n entries of one table, for pages of `step` bytes from va. A few
 * pages of the loaded address space are flushed one by one, more at the
 * end all at once. */
static void prot_apply(struct prot *pr, u64 *p, u64 n, u64 va, u64 step)
{
	u64 set = pr->set, mapped = 0;
	bool each = pr->here && n <= FLUSH_PAGES_MAX, changed = false;
	for (u64 *end = p + n; p < end; p++, va += step) {
		u64 v = *p, nv = (v & ~PROT_BITS) | set;
		if (!(v & (PTE_P | PTE_NONE)))
			continue;
		mapped++;
		if (nv == v)
			continue;
		*p = nv;
		changed = true;
		if (each)
			invlpg(va);
	}
	pr->mapped += mapped * (step >> LM_PAGE_BITS);
	pr->flush |= changed && !each;
}

/* The general case: any range, holes, large pages, several tables. Check
 * everything first (a failed call changes nothing), then change. */
static u64 prot_range(struct prot *pr, u64 pml4, u64 va, u64 end, u64 need)
{
	for (int pass = 0; pass < 2; pass++)
		for (u64 a = va; a < end;) {
			int level;
			u64 skip, *p = leaf(pml4, a, &level, &skip);
			if (!p) {
				a = (a & ~(skip - 1)) + skip;
				continue;
			}
			if (level == 2) {
				bool mapped = *p & (PTE_P | PTE_NONE);
				if (mapped && (!IS_ALIGNED(a, LM_LARGE_PAGE_SIZE) ||
					       end - a < LM_LARGE_PAGE_SIZE))
					return SYSERR(LM_EALIGN, 3); /* would split it */
				if (pass == 0 && prot_refused(p, 1, need))
					return SYSERR(LM_ERIGHTS, 4);
				if (pass == 1)
					prot_apply(pr, p, 1, a, LM_LARGE_PAGE_SIZE);
				a = (a & ~(LM_LARGE_PAGE_SIZE - 1)) + LM_LARGE_PAGE_SIZE;
				continue;
			}
			u64 stop = (a | (LM_LARGE_PAGE_SIZE - 1)) + 1;
			if (stop > end)
				stop = end;
			u64 n = (stop - a) >> LM_PAGE_BITS;
			if (pass == 0 && prot_refused(p, n, need))
				return SYSERR(LM_ERIGHTS, 4);
			if (pass == 1)
				prot_apply(pr, p, n, a, LM_PAGE_SIZE);
			a = stop;
		}
	return LM_OK;
}

/* Protect of n pages after the checks (vspace_protect): the general case.
 * Kept out of line so that the one-page case needs no saved registers. */
static __attribute__((noinline)) u64 prot_pages(struct frame *f, struct slot *vs, u64 va,
						u64 n, u64 rights, u64 need)
{
	u64 asid = vs->cap.w2, end = va + (n << LM_PAGE_BITS), e;
	struct prot pr = { .set = pte_rights(rights), .here = current_vspace(asid) != NULL };

	/* The usual case: the range lies in one page table. */
	u64 *p = (va ^ (end - 1)) >> 21 ? NULL : pte_of(vs->cap.obj, va);
	if (p) {
		if (need && prot_refused(p, n, need))
			return SYSERR(LM_ERIGHTS, 4);
		prot_apply(&pr, p, n, va, LM_PAGE_SIZE);
	} else if ((e = prot_range(&pr, vs->cap.obj, va, end, need))) {
		return e;
	}
	if (pr.flush)
		flush_all(asid);
	f->rdi = pr.mapped;
	return LM_OK;
}

/* pte_rights(r) for r a subset of PROT_RIGHTS, indexed by r | NX-support:
 * a load where the function takes a dozen instructions (prot1 207 -> 199). */
_Static_assert(PROT_RIGHTS == 7 && LM_CPU_NX == 8, "prot_set's index");
#define PROT_SET(r) ((r) & 7 ? PTE_P | ((r) & LM_R_WRITE ? PTE_W : 0) | \
		     (!((r) & LM_R_EXEC) && ((r) & 8) ? PTE_NX : 0) : PTE_NONE)
#define PROT_SET4(r) PROT_SET(r), PROT_SET(r + 1), PROT_SET(r + 2), PROT_SET(r + 3)
static const u64 prot_set[16] = { PROT_SET4(0), PROT_SET4(4), PROT_SET4(8), PROT_SET4(12) };

/*
 * One page, a library OS's usual protect (a region hook's unprotect on a
 * write fault, a page made read-only to catch the next write): the same
 * rules as prot_pages with no loop and one flush decision. The address
 * space is loaded iff CR3 holds its PML4 (cr3_pml4; its ID is live, as
 * vs_lookup checked): then its TLB entry goes now, else at its next load.
 */
static always_inline u64 prot_page(struct frame *f, struct slot *vs, u64 va, u64 rights,
				   u64 need)
{
	u64 *p = pte_of(vs->cap.obj, va);
	if (!p) /* a hole or a large page */
		return prot_pages(f, vs, va, 1, rights, need);
	u64 v = *p, nv = (v & ~PROT_BITS) | prot_set[rights | (cpu_features & LM_CPU_NX)];
	f->rdi = 0;
	if (!(v & (PTE_P | PTE_NONE)))
		return LM_OK;
	if ((v & need) != need)
		return SYSERR(LM_ERIGHTS, 4);
	f->rdi = 1;
	if (nv == v)
		return LM_OK;
	*p = nv;
	if (cpu0.cr3_pml4 == vs->cap.obj)
		invlpg(va);
	else
		asid_tab[vs->cap.w2].stale = true;
	return LM_OK;
}

SYS(vspace_protect)
{
	struct slot *vs;
	u64 va = ARG2(f), n = ARG3(f), rights = ARG4(f), e;
	if ((e = vs_lookup(ARG1(f), LM_R_WRITE, &vs)))
		return e;
	if (!IS_ALIGNED(va, LM_PAGE_SIZE))
		return SYSERR(LM_EALIGN, 2);
	if (va < LM_USER_MIN || va >= LM_USER_MAX)
		return SYSERR(LM_ERANGE, 2);
	/* one page always fits: va is a page below LM_USER_MAX */
	if (n != 1 && (n == 0 || n > LM_PROTECT_MAX_PAGES || n > (LM_USER_MAX - va) >> LM_PAGE_BITS))
		return SYSERR(LM_ERANGE, 3);
	if (rights & ~(u64)PROT_RIGHTS)
		return SYSERR(LM_EINVAL, 4);
	u64 need = (rights & LM_R_WRITE ? PTE_MAYW : 0) | (rights & LM_R_EXEC ? PTE_MAYX : 0);
	if (n == 1)
		return prot_page(f, vs, va, rights, need);
	return prot_pages(f, vs, va, n, rights, need);
}

SYS(vspace_page_state)
{
	struct slot *vs;
	u64 va = ARG2(f), clear = ARG3(f), e;
	if ((e = vs_lookup(ARG1(f), clear ? LM_R_WRITE : LM_R_READ, &vs)))
		return e;
	if (va < LM_USER_MIN || va >= LM_USER_MAX)
		return SYSERR(LM_ERANGE, 2);
	if (clear & ~(u64)(LM_PG_ACCESSED | LM_PG_DIRTY))
		return SYSERR(LM_EINVAL, 3);
	int level;
	u64 skip, *p = leaf(vs->cap.obj, va, &level, &skip);
	if (!p || !(*p & (PTE_P | PTE_NONE)))
		return SYSERR(LM_ENOENT, 2);
	u64 v = *p, bits = (v & PTE_A ? LM_PG_ACCESSED : 0) | (v & PTE_D ? LM_PG_DIRTY : 0);
	u64 rights = v & PTE_NONE ? 0 : LM_R_READ | (v & PTE_W ? LM_R_WRITE : 0) |
		(v & PTE_NX ? 0 : LM_R_EXEC);
	if (clear & bits) {
		/* The TLB caches that a page is dirty: flush, or the next store
		 * would not set the bit again. */
		*p = v & ~((clear & LM_PG_ACCESSED ? PTE_A : 0) | (clear & LM_PG_DIRTY ? PTE_D : 0));
		flush_page(vs->cap.w2, va);
	}
	f->rdi = bits;
	f->rsi = rights;
	return LM_OK;
}

/* The entry for ua at one level of the walk (shift: the bits it
 * translates above), or 0 unless it allows the access: need is P and U,
 * and W to write. */
static always_inline u64 user_entry(u64 table_pa, u64 ua, int shift, u64 need)
{
	u64 e = ((u64 *)phys_to_virt(table_pa))[(ua >> shift) & 511];
	return (e & need) == need ? e : 0;
}

/* Kernel address of ua in the page (of 1 << shift bytes) that e maps. */
static always_inline void *user_in_page(u64 e, u64 ua, int shift)
{
	u64 mask = (1ull << shift) - 1;
	return (char *)phys_to_virt(e & PTE_ADDR & ~mask) + (ua & mask);
}

/*
 * User memory is reached through the direct map after walking the current
 * address space, never through the user address itself: a bad pointer is
 * an error code, not a kernel page fault, and works the same with SMAP.
 * (The exception fast path, entry.S, alone stores by the user address.)
 * The walk is unrolled (scheduling upcalls and the exception path's
 * fallback write their frames through here); a PML4 entry never has PS
 * (the kernel never sets it).
 */
void *vspace_user_page(const struct cap *vs, u64 ua, bool write)
{
	if (ua >= LM_USER_MAX || !vspace_live(vs))
		return NULL; /* its ID taken back: what it had mapped may be freed */
	u64 need = PTE_P | PTE_U | (write ? PTE_W : 0), e;
	if (!(e = user_entry(vs->obj, ua, 39, need)) || !(e = user_entry(e & PTE_ADDR, ua, 30, need)))
		return NULL;
	if (e & PTE_PS)
		return user_in_page(e, ua, 30);
	if (!(e = user_entry(e & PTE_ADDR, ua, 21, need)))
		return NULL;
	if (e & PTE_PS)
		return user_in_page(e, ua, 21);
	if (!(e = user_entry(e & PTE_ADDR, ua, 12, need)))
		return NULL;
	return user_in_page(e, ua, 12);
}

static void *user_page(u64 ua, bool write)
{
	return vspace_user_page(&cpu0.cur->vspace.cap, ua, write);
}

static bool user_copy(u64 ua, void *k, size_t n, bool out)
{
	if (n && (ua >= LM_USER_MAX || LM_USER_MAX - ua < n))
		return false;
	/* Check every page first so a failed copy changes nothing. */
	for (u64 p = ua & ~0xfffull; p < ua + n; p += 4096)
		if (!user_page(p, out))
			return false;
	while (n) {
		size_t chunk = 4096 - (ua & 0xfff);
		if (chunk > n)
			chunk = n;
		char *u = user_page(ua, out);
		if (out)
			memcpy(u, k, chunk);
		else
			memcpy(k, u, chunk);
		ua += chunk;
		k = (char *)k + chunk;
		n -= chunk;
	}
	return true;
}

bool user_copy_in(void *dst, u64 uaddr, size_t n) { return user_copy(uaddr, dst, n, false); }

/* Kernel address of user range [ua, ua + n) if it lies within one page that
 * the current thread may write, else NULL. */
void *user_writable(u64 ua, size_t n)
{
	if ((ua & 0xfff) + n > 4096)
		return NULL;
	return user_page(ua, true);
}
bool user_copy_out(u64 uaddr, const void *src, size_t n) { return user_copy(uaddr, (void *)src, n, true); }

/*
 * Boot only: map frame at vaddr in pml4 for the root task, taking table
 * pages from table_pool and describing each table made in tables_made.
 */
int vspace_boot_map(u64 pml4, u64 va, u64 frame, u64 flags, u64 *pool, int *npool,
		    struct cap *made, int *nmade, u64 asid)
{
	int missing = 0;
	u64 *pte;
	while (!(pte = walk(pml4, va, 1, &missing))) {
		if (missing == 0) /* a large page: root's are all 4 KiB */
			return LM_EEXIST;
		if (*npool == 0)
			return LM_ENOMEM;
		u64 pt = pool[--*npool];
		memset(phys_to_virt(pt), 0, 4096);
		*walk(pml4, va, missing + 1, &missing) = pt | PTE_P | PTE_W | PTE_U;
		u64 span_mask = (1ull << (12 + 9 * missing)) - 1;
		made[(*nmade)++] = (struct cap){ .type = LM_OBJ_PTABLE, .rights = LM_R_ALL,
			.bits = LM_PTABLE_BITS, .flags = CAP_F_MAPPED, .obj = pt,
			.w2 = va & ~span_mask, .w3 = MAP_REC(asid, asid_tab[asid].gen, missing) };
	}
	if (!frame) /* only the tables */
		return LM_OK;
	if (*pte & PTE_P)
		return LM_EEXIST;
	*pte = frame | flags;
	return LM_OK;
}

u64 map_record(u64 asid) { return MAP_REC(asid, asid_tab[asid].gen, 0); }
