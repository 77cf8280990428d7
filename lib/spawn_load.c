/*
 * The memory side of lm_spawn: how big the process untyped must be, and
 * filling and mapping the frames of the image and the stack. Every frame
 * and table made for the child is moved into the child's CNode once
 * mapped, so the caller's CNode only holds them for a moment.
 */
#include "spawn_int.h"
#include <lm/elf.h>
#include <lm/slot.h>
#include <lm/string.h>
#include <lm/sys.h>
#include <lm/vspace.h>

static lm_u32 stack_pages(const struct lm_spawn *a)
{
	return a->stack_pages ? a->stack_pages : LM_SPAWN_STACK_PAGES;
}

/* Page tables that mapping [lo, hi) can need, counted per region (regions
 * sharing a table count it twice: an overestimate is harmless). */
static lm_u64 region_tables(lm_u64 lo, lm_u64 hi)
{
	lm_u64 n = 0;

	for (int shift = 21; shift <= 39; shift += 9)
		n += ((hi - 1) >> shift) - (lo >> shift) + 1;
	return n;
}

static lm_u64 region_pages(lm_u64 lo, lm_u64 hi)
{
	return (hi + SPAWN_PAGE - 1) / SPAWN_PAGE - lo / SPAWN_PAGE;
}

/* Tables for the capabilities mapped into the child; runs of caps mapped
 * at consecutive pages count as one region. */
static lm_u64 caps_tables(const struct lm_spawn *a)
{
	lm_u64 n = 0, lo = 0, hi = 0;

	for (lm_u32 i = 0; i < a->ncaps; i++) {
		const struct lm_spawn_cap *k = &a->caps[i];

		if (!(k->flags & LM_SPAWN_MAP))
			continue;
		if (hi && k->vaddr == hi) {
			hi += SPAWN_PAGE;
			continue;
		}
		if (hi)
			n += region_tables(lo, hi);
		lo = k->vaddr;
		hi = lo + SPAWN_PAGE;
	}
	return hi ? n + region_tables(lo, hi) : n;
}

/* log2 of an untyped big enough for everything lm_spawn makes: the CNode
 * (carved first, so aligned at no cost), address space, TCB, every frame
 * and table, plus two pages for alignment padding. */
lm_u32 spawn_mem_bits(const struct lm_spawn *a, lm_u32 nsegs)
{
	lm_u64 top = LM_SPAWN_STACK_TOP, pages = 3, bytes;
	lm_u32 bits = LM_UNTYPED_MIN_BITS;
	struct lm_elf_seg s;

	for (lm_u32 i = 0; i < nsegs; i++) {
		lm_elf_segment(a->image, a->size, i, &s);
		pages += region_pages(s.vaddr, s.vaddr + s.memsz);
		pages += region_tables(s.vaddr, s.vaddr + s.memsz);
	}
	pages += stack_pages(a) + region_tables(top - stack_pages(a) * SPAWN_PAGE, top);
	pages += 1 + region_tables(LM_BOOTINFO_VADDR, LM_BOOTINFO_VADDR + SPAWN_PAGE);
	pages += caps_tables(a);
	bytes = (1ull << (a->cnode_bits + LM_SLOT_BITS)) + pages * SPAWN_PAGE;
	while ((1ull << bits) < bytes)
		bits++;
	return bits;
}

/* Move the capability in the caller's `slot` to the child's next slot. */
int spawn_give(struct spawn_ctx *c, lm_cptr_t slot)
{
	int err;

	if (c->next >= c->end)
		return LM_ELIMIT;
	err = lm_cnode_move(c->p->cnode, c->next, LM_SLOT_CNODE, slot);
	if (err)
		return err;
	c->next++;
	lm_slot_free(slot);
	return LM_OK;
}

/* Map `frame` (a caller slot) in the child; tables made go to the child. */
int spawn_map(struct spawn_ctx *c, lm_cptr_t frame, lm_u64 va, lm_u32 rights)
{
	lm_cptr_t tabs[3];
	lm_u32 n = 0;
	int err = lm_map_page_pool(&c->pool, c->p->vspace, frame, va, rights,
				   tabs, &n);

	for (lm_u32 i = 0; i < n; i++) {
		int e = spawn_give(c, tabs[i]);

		if (e) {
			lm_obj_free(tabs[i]);
			err = err ? err : e;
		}
	}
	return err;
}

/* Copy len bytes to offset `off` of a frame through the caller's window. */
int spawn_fill(lm_cptr_t frame, lm_u64 off, const void *src, lm_u64 len)
{
	int err = lm_map_page(LM_SLOT_VSPACE, frame, LM_SPAWN_WINDOW,
			      LM_R_READ | LM_R_WRITE);

	if (err)
		return err;
	memcpy((void *)(LM_SPAWN_WINDOW + off), src, len);
	return lm_vspace_unmap(frame);
}

/* One page of a segment: a zeroed frame, the file bytes that fall in it,
 * mapped with the segment's rights and handed to the child. */
static int load_page(struct spawn_ctx *c, const struct lm_elf_seg *s, lm_u64 va)
{
	const lm_u8 *img = c->a->image;
	lm_u64 lo = va > s->vaddr ? va : s->vaddr;
	lm_u64 hi = s->vaddr + s->filesz;
	lm_cptr_t f;
	int err;

	if (hi > va + SPAWN_PAGE)
		hi = va + SPAWN_PAGE;
	err = lm_pool_alloc(&c->pool, LM_OBJ_FRAME, LM_PAGE_BITS, &f);
	if (err)
		return err;
	if (lo < hi)
		err = spawn_fill(f, lo - va, img + s->offset + (lo - s->vaddr), hi - lo);
	if (!err)
		err = spawn_map(c, f, va, s->rights);
	if (!err)
		err = spawn_give(c, f);
	if (err)
		lm_obj_free(f);
	return err;
}

int spawn_segments(struct spawn_ctx *c, lm_u32 nsegs)
{
	struct lm_elf_seg s;

	for (lm_u32 i = 0; i < nsegs; i++) {
		int err = lm_elf_segment(c->a->image, c->a->size, i, &s);
		lm_u64 va = s.vaddr & ~(SPAWN_PAGE - 1);

		for (; !err && va < s.vaddr + s.memsz; va += SPAWN_PAGE)
			err = load_page(c, &s, va);
		if (err)
			return err;
	}
	return LM_OK;
}

int spawn_stack(struct spawn_ctx *c)
{
	lm_u64 va = LM_SPAWN_STACK_TOP - stack_pages(c->a) * SPAWN_PAGE;

	for (; va < LM_SPAWN_STACK_TOP; va += SPAWN_PAGE) {
		lm_cptr_t f;
		int err = lm_pool_alloc(&c->pool, LM_OBJ_FRAME, LM_PAGE_BITS, &f);

		if (err)
			return err;
		err = spawn_map(c, f, va, LM_R_READ | LM_R_WRITE);
		if (!err)
			err = spawn_give(c, f);
		if (err) {
			lm_obj_free(f);
			return err;
		}
	}
	return LM_OK;
}
