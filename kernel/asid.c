/*
 * Address-space IDs (the PCID where the CPU has PCID) and the ranges of
 * them that capabilities hand out.
 *
 * The IDs are a fixed table, so they are a resource one process could
 * exhaust for all others; like I/O ports they are therefore given out by
 * capability. Root gets one range capability (LM_OBJ_ASIDS) covering
 * every usable ID. A range gives up a stretch at its start to each
 * sub-range it issues, exclusively, like an untyped's free mark: ASIDS_ISSUE
 * carves `count` IDs at the range's mark (w3), and the mark returns to the
 * range's start only when it has no sub-ranges left. The IDs past the mark
 * are the range's own: VSPACE_ASSIGN gives an address space one of them.
 *
 * So every ID in use lies past the mark of exactly one live range, and
 * that range is the one it came from (the invariant asid_check_* tests).
 * Deleting a range capability (range capabilities are never copied, so
 * that is the range's end) frees the IDs past its mark: their address
 * spaces lose them for good, and their capabilities, whose w2 no longer
 * names a live entry, are refused by every call (vspace_live). What was
 * issued from the range outlives it, as the children of any deleted
 * capability do, and stays covered by the parent's mark.
 */
#include <lamina/syscall.h>
#include "arch.h"
#include "asm.h"
#include "cnode.h"
#include "syscall.h"
#include "vspace.h"

struct asid_entry asid_tab[ASID_COUNT];
static int asid_used;

/* IDs at the start of range r that its sub-ranges took. */
static u64 asids_mark(const struct slot *r)
{
	return mdb_has_children(&r->mdb) ? r->cap.w3 : 0;
}

static void asid_take(u64 a, u64 pml4, u32 refs)
{
	struct asid_entry *e = &asid_tab[a];
	KASSERT(a && a < ASID_COUNT && !e->pml4);
	e->pml4 = pml4;
	e->refs = refs;
	e->stale = true;
	asid_used++;
}

/* Boot: the root task's address space, whose capabilities are counted
 * as they are inserted. */
void asid_boot(u64 asid, u64 pml4) { asid_take(asid, pml4, 0); }

/* The ID goes back to its range; its PML4 is never left in CR3, since it
 * may now be reused or never be valid again. */
void asid_free(u64 asid)
{
	struct asid_entry *e = &asid_tab[asid];
	if (cpu0.cr3_pml4 == e->pml4) {
		cpu0.cr3_pml4 = kernel_pml4_phys();
		write_cr3(cpu0.cr3_pml4);
	}
	e->pml4 = 0;
	e->refs = 0;
	e->gen++;
	asid_used--;
}

void vspace_ref(const struct cap *vs)
{
	if (vspace_live(vs))
		asid_tab[vs->w2].refs++;
}

void vspace_unref(const struct cap *vs)
{
	if (!vspace_live(vs))
		return; /* never assigned, or its ID was taken back */
	struct asid_entry *e = &asid_tab[vs->w2];
	KASSERT(e->refs > 0);
	if (!--e->refs)
		asid_free(vs->w2);
}

/* The range capability r is being deleted: the IDs it still owns are
 * taken from their address spaces. O(IDs in the range), at most 4,095:
 * ranges are disjoint where they own IDs, so a whole revoke costs that. */
void asids_release(const struct slot *r)
{
	for (u64 a = r->cap.obj + asids_mark(r); a < r->cap.obj + r->cap.w2; a++)
		if (asid_tab[a].pml4)
			asid_free(a);
}

/* ASIDS_ISSUE (asids, count, dcn, di): the next `count` IDs of the range
 * become a sub-range capability in dcn[di], a child of this one. */
SYS(asids_issue)
{
	struct slot *r, *cn, *dst;
	u64 count = ARG2(f), e;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_ASIDS, LM_R_WRITE, 1, &r)))
		return e;
	if (count == 0 || count > r->cap.w2)
		return SYSERR(LM_ERANGE, 2);
	if ((e = cap_lookup(ARG3(f), LM_OBJ_CNODE, LM_R_WRITE, 3, &cn)) ||
	    (e = cnode_index(cn, ARG4(f), 4, &dst)))
		return e;
	if (dst->cap.type != LM_OBJ_NULL)
		return SYSERR(LM_EEXIST, 4);
	u64 first = r->cap.obj + asids_mark(r);
	if (count > r->cap.obj + r->cap.w2 - first)
		return SYSERR(LM_ELIMIT, 2);
	for (u64 a = first; a < first + count; a++)
		if (asid_tab[a].pml4)
			return SYSERR_D(LM_ELIMIT, 2, a); /* the range's own, in use */

	struct cap c = { .type = LM_OBJ_ASIDS, .rights = r->cap.rights, .obj = first,
		.w2 = count };
	r->cap.w3 = first + count - r->cap.obj;
	cap_insert(dst, &c, r);
	return LM_OK;
}

/* VSPACE_ASSIGN (vs, asids) -> rdi = asid: the highest free ID the range
 * owns (issue takes from the bottom). Until this the address space cannot
 * be mapped into nor run on, and its one capability cannot be copied, so
 * that capability is the only one to update. */
SYS(vspace_assign)
{
	struct slot *vs, *r;
	u64 e;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_VSPACE, LM_R_WRITE, 1, &vs)) ||
	    (e = cap_lookup(ARG2(f), LM_OBJ_ASIDS, LM_R_WRITE, 2, &r)))
		return e;
	if (vs->cap.w2)
		return SYSERR(LM_ESTATE, 1); /* assigned already (perhaps taken back) */
	u64 a = r->cap.obj + r->cap.w2, low = r->cap.obj + asids_mark(r);
	while (a > low && asid_tab[a - 1].pml4)
		a--;
	if (a == low)
		return SYSERR(LM_ELIMIT, 2);

	asid_take(--a, vs->cap.obj, 1);
	vs->cap.w2 = a;
	f->rdi = a;
	return LM_OK;
}

/*
 * DEBUG_CHECK's part: every ID in use has as many references as live
 * VSPACE capabilities name it, and lies past the mark of exactly one
 * range capability; no two ranges own one ID; the count of IDs in use is
 * right. Static scratch: the check allocates nothing.
 */
static u32 seen_refs[ASID_COUNT];
static u8 owners[ASID_COUNT];
static int range_problems;

void asid_check_begin(void)
{
	memset(seen_refs, 0, sizeof(seen_refs));
	memset(owners, 0, sizeof(owners));
	range_problems = 0;
}

void asid_check_slot(const struct slot *s)
{
	if (s->cap.type == LM_OBJ_VSPACE && vspace_live(&s->cap))
		seen_refs[s->cap.w2]++;
	if (s->cap.type != LM_OBJ_ASIDS)
		return;
	u64 first = s->cap.obj, end = first + s->cap.w2;
	if (!first || end > ASID_COUNT || end <= first || asids_mark(s) > s->cap.w2) {
		range_problems++;
		return;
	}
	for (u64 a = first + asids_mark(s); a < end; a++)
		owners[a]++;
}

int asid_check_end(void)
{
	int bad = range_problems, used = 0;
	for (int a = 1; a < ASID_COUNT; a++) {
		const struct asid_entry *e = &asid_tab[a];
		bad += owners[a] > 1;
		if (!e->pml4)
			continue;
		used++;
		bad += e->refs == 0 || e->refs != seen_refs[a] || owners[a] != 1;
	}
	bad += asid_tab[0].pml4 != 0;
	bad += used != asid_used;
	return bad;
}
