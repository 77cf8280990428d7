/*
 * Address-space IDs (the PCID where the CPU has PCID) and the ranges of
 * them that capabilities hand out.
 *
 * The IDs are a fixed table, so they are a resource one process could
 * exhaust for all others; like I/O ports they are therefore given out by
 * capability. Root gets one range capability (LM_OBJ_ASIDS) covering
 * every usable ID. ASIDS_ISSUE gives a sub-range a run of IDs its range
 * owns, exclusively, and a deleted sub-range's IDs are owned by the range
 * above it again at once, to issue or assign again.
 *
 * Ownership is per ID. A range capability is its run of IDs (obj, w2) and
 * its depth (w3): root's is 1, an issued one its issuer's plus one. The
 * runs of live ranges nest (a sub-range's lies inside its issuer's, and
 * sub-ranges are disjoint), so the live ranges whose run holds an ID form
 * one chain down the derivation tree, with depths rising along it; the
 * deepest of them owns the ID, and asid_depth[id] is that depth (0: no
 * live range holds it). So "range r owns id" is "id lies in r's run and
 * asid_depth[id] == r's depth": an O(1) test, with no pointer to the
 * capability, which moves. VSPACE_ASSIGN gives an address space an ID its
 * range owns; every ID in use is owned by a live range, and deleting a
 * range capability (they are never copied, so that is the range's end)
 * frees the IDs it owns: their address spaces lose them for good, their
 * capabilities are refused by every call (vspace_live), and the IDs pass
 * to the nearest live range above: the deleted one's derivation-tree
 * parent. What was issued from the range outlives it, as the children of
 * any deleted capability do, and keeps its IDs.
 *
 * Storage: asid_depth, 2 bytes an ID (8 KiB), beside asid_tab. Work: issue,
 * assign and a range's deletion each scan that range's run once, at most
 * 4,095 entries.
 */
#include <lamina/syscall.h>
#include "arch.h"
#include "asm.h"
#include "cnode.h"
#include "syscall.h"
#include "vspace.h"

struct asid_entry asid_tab[ASID_COUNT];
/* ID 0 is never given out. Its entry names no page (1 is no page address),
 * so an empty address-space slot (ID 0, address 0) is never taken for a
 * live address space: not by vspace_live, and not by vspace_load, which
 * would otherwise load 0 into CR3. asid_boot sets it. */
#define ASID_NONE_PML4 1
static u16 asid_depth[ASID_COUNT];
static int asid_used;

/* Does range r own ID a, which lies in its run? */
static bool asid_owns(const struct cap *r, u64 a)
{
	return asid_depth[a] == r->w3;
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

/* Boot: root's range owns every ID but the kernel's; root's address
 * space has one of them, its capabilities counted as they are inserted. */
void asid_boot(u64 asid, u64 pml4)
{
	for (u64 a = 1; a < ASID_COUNT; a++)
		asid_depth[a] = ASIDS_ROOT_DEPTH;
	asid_tab[0].pml4 = ASID_NONE_PML4;
	asid_take(asid, pml4, 0);
}

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

/* The range capability r is being deleted: the IDs it owns are taken
 * from their address spaces and pass to its derivation-tree parent, the
 * nearest live range above (none: no range owns them any more).
 * O(its run) plus mdb_parent's walk over its later siblings, whose runs
 * are disjoint from it: at most 4,095 of each. */
void asids_release(const struct slot *r)
{
	struct mdb *pm = mdb_parent(&r->mdb);
	u16 up = pm ? (u16)slot_of(pm)->cap.w3 : 0;

	KASSERT(!pm || slot_of(pm)->cap.type == LM_OBJ_ASIDS);
	for (u64 a = r->cap.obj; a < r->cap.obj + r->cap.w2; a++)
		if (asid_owns(&r->cap, a)) {
			if (asid_tab[a].pml4)
				asid_free(a);
			asid_depth[a] = up;
		}
}

/* First fit: the lowest run of count IDs that r owns and no address space
 * uses; 0 if there is none. O(r's run). */
static u64 asids_fit(const struct cap *r, u64 count)
{
	u64 run = 0;

	for (u64 a = r->obj; a < r->obj + r->w2; a++) {
		run = asid_owns(r, a) && !asid_tab[a].pml4 ? run + 1 : 0;
		if (run == count)
			return a + 1 - count;
	}
	return 0;
}

/* ASIDS_ISSUE (asids, count, dcn, di): the lowest free run of `count` IDs
 * the range owns becomes a sub-range capability in dcn[di], a child of
 * this one, one deeper. */
SYS(asids_issue)
{
	struct slot *r, *cn, *dst;
	u64 count = ARG2(f), e, first;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_ASIDS, LM_R_WRITE, 1, &r)))
		return e;
	if (count == 0 || count > r->cap.w2)
		return SYSERR(LM_ERANGE, 2);
	if ((e = cap_lookup(ARG3(f), LM_OBJ_CNODE, LM_R_WRITE, 3, &cn)) ||
	    (e = cnode_index(cn, ARG4(f), 4, &dst)))
		return e;
	if (dst->cap.type != LM_OBJ_NULL)
		return SYSERR(LM_EEXIST, 4);
	if (r->cap.w3 == ASIDS_DEPTH_MAX)
		return SYSERR(LM_ELIMIT, 1); /* nested as deep as depths go */
	if (!(first = asids_fit(&r->cap, count)))
		return SYSERR(LM_ELIMIT, 2);

	struct cap c = { .type = LM_OBJ_ASIDS, .rights = r->cap.rights, .obj = first,
		.w2 = count, .w3 = r->cap.w3 + 1 };
	for (u64 a = first; a < first + count; a++)
		asid_depth[a] = (u16)c.w3;
	cnode_mark(&cn->cap, ARG4(f), 1);
	cap_insert(dst, &c, r);
	return LM_OK;
}

/* VSPACE_ASSIGN (vs, asids) -> rdi = asid: the highest free ID the range
 * owns (issue takes from the bottom). Until this the address space cannot
 * be mapped into nor run on, and its one capability cannot be copied, so
 * that capability is the only one to update. O(the range's run). */
SYS(vspace_assign)
{
	struct slot *vs, *r;
	u64 e;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_VSPACE, LM_R_WRITE, 1, &vs)) ||
	    (e = cap_lookup(ARG2(f), LM_OBJ_ASIDS, LM_R_WRITE, 2, &r)))
		return e;
	if (vs->cap.w2)
		return SYSERR(LM_ESTATE, 1); /* assigned already (perhaps taken back) */
	u64 a = r->cap.obj + r->cap.w2;
	while (a > r->cap.obj && (!asid_owns(&r->cap, a - 1) || asid_tab[a - 1].pml4))
		a--;
	if (a == r->cap.obj)
		return SYSERR(LM_ELIMIT, 2);

	asid_take(--a, vs->cap.obj, 1);
	vs->cap.w2 = a;
	f->rdi = a;
	return LM_OK;
}

/*
 * DEBUG_CHECK's part: every ID in use has as many references as live
 * VSPACE capabilities name it; every ID with an owner depth is owned by
 * exactly one live range (its run holds the ID at that depth), the
 * deepest whose run holds it, and an ID in use has one; each range's run
 * lies in its parent's, one that is shallower; the count of IDs in use is
 * right. Static scratch: the check allocates nothing.
 */
static u32 seen_refs[ASID_COUNT];
static u8 owners[ASID_COUNT]; /* saturates: only 0 and 1 are right */
static int range_problems;

void asid_check_begin(void)
{
	memset(seen_refs, 0, sizeof(seen_refs));
	memset(owners, 0, sizeof(owners));
	range_problems = 0;
}

/* Is range s's run inside its parent's, and the parent shallower? */
static bool asids_nested(const struct slot *s)
{
	struct mdb *pm = mdb_parent(&s->mdb);
	const struct cap *p = pm ? &slot_of(pm)->cap : NULL;

	return !p || (p->type == LM_OBJ_ASIDS && p->w3 < s->cap.w3 && s->cap.obj >= p->obj &&
		      s->cap.obj + s->cap.w2 <= p->obj + p->w2);
}

void asid_check_slot(const struct slot *s)
{
	if (s->cap.type == LM_OBJ_VSPACE && vspace_live(&s->cap))
		seen_refs[s->cap.w2]++;
	if (s->cap.type != LM_OBJ_ASIDS)
		return;
	u64 first = s->cap.obj, end = first + s->cap.w2, d = s->cap.w3;
	if (!first || end > ASID_COUNT || end <= first || !d || d > ASIDS_DEPTH_MAX ||
	    !asids_nested(s)) {
		range_problems++;
		return;
	}
	for (u64 a = first; a < end; a++) {
		owners[a] += asid_depth[a] == d && owners[a] < 255;
		range_problems += asid_depth[a] < d; /* a deeper range holds it */
	}
}

int asid_check_end(void)
{
	int bad = range_problems, used = 0;
	for (int a = 1; a < ASID_COUNT; a++) {
		const struct asid_entry *e = &asid_tab[a];
		bad += owners[a] != (asid_depth[a] != 0);
		if (!e->pml4)
			continue;
		used++;
		bad += e->refs == 0 || e->refs != seen_refs[a] || !asid_depth[a];
	}
	bad += asid_tab[0].pml4 != ASID_NONE_PML4 || asid_depth[0] != 0;
	bad += used != asid_used;
	return bad;
}
