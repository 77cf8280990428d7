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

/*
 * Where the pages of s that are the caller's own frames, mapped read-only,
 * end: they are the segment's first pages, from the one holding its start.
 * A page is one when frames were given, the segment is not writable, the
 * frames' rights allow the segment's, its file offset and address agree
 * modulo a page, every byte of the segment in the page comes from the file
 * (no tail to zero: the page holding the end of the file bytes is copied
 * when a tail follows) and the page's frame is among those given (frame k
 * holds file bytes from k pages). The rest of such a page shows the file's
 * neighbouring bytes, as a mapping of the file would.
 */
static lm_u64 shared_end(const struct spawn_ctx *c, const struct lm_elf_seg *s)
{
	const struct lm_spawn *a = c->a;
	lm_u64 first = s->vaddr & ~(SPAWN_PAGE - 1), file_end = s->vaddr + s->filesz;
	lm_u64 frame = s->offset / SPAWN_PAGE, end, pages;

	/* pages the frames hold (runs: 2^(frame_bits - 12) each) */
	pages = c->frame_bits ? (lm_u64)a->nframes << (c->frame_bits - LM_PAGE_BITS) : 0;
	if (!pages || (s->rights & LM_R_WRITE) || (s->rights & ~c->frame_rights) ||
	    (s->offset - s->vaddr) % SPAWN_PAGE || frame >= pages)
		return first;
	end = s->memsz > s->filesz ? file_end & ~(SPAWN_PAGE - 1)
				   : (file_end + SPAWN_PAGE - 1) & ~(SPAWN_PAGE - 1);
	if (end > first + (pages - frame) * SPAWN_PAGE)
		end = first + (pages - frame) * SPAWN_PAGE;
	return end;
}

/* Shared pages from va on, in one page table and one CNODE_COPY. */
static lm_u64 shared_run(const struct spawn_ctx *c, const struct lm_elf_seg *s, lm_u64 va)
{
	lm_u64 end = shared_end(c, s), table_end = (va | (SPAN_2M - 1)) + 1;

	if (end > table_end)
		end = table_end;
	if (va >= end)
		return 0;
	return (end - va) / SPAWN_PAGE < LM_COPY_MAX ? (end - va) / SPAWN_PAGE : LM_COPY_MAX;
}

/* log2 of an untyped big enough for everything lm_spawn makes: the CNode
 * (carved first, so aligned at no cost), address space, TCB, every frame
 * and table, plus two pages for alignment padding. */
lm_u32 spawn_mem_bits(const struct spawn_ctx *c, lm_u32 nsegs)
{
	const struct lm_spawn *a = c->a;
	lm_u64 top = LM_SPAWN_STACK_TOP, pages = 3, bytes;
	lm_u32 bits = LM_UNTYPED_MIN_BITS;
	struct lm_elf_seg s;

	for (lm_u32 i = 0; i < nsegs; i++) {
		lm_elf_segment(a->image, a->size, i, &s);
		pages += region_pages(s.vaddr, s.vaddr + s.memsz);
		pages += region_tables(s.vaddr, s.vaddr + s.memsz);
		pages -= (shared_end(c, &s) - (s.vaddr & ~(SPAWN_PAGE - 1))) /
			 SPAWN_PAGE; /* no frame made for those */
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

/* After a map at va that found a table missing (LM_ETABLE): one more
 * table from the child's memory, mapped and given to the child, at most
 * three (*tabs counts them), and 0 to map again. After any other result of
 * the map: its error, or 1 for success (the caller's loop stops). */
static int add_table(struct spawn_ctx *c, lm_u64 va, int err, lm_u32 *tabs)
{
	lm_cptr_t pt = 0;

	if (err != LM_ETABLE || (*tabs)++ == 3)
		return err ? err : 1;
	err = lm_pool_alloc(&c->pool, LM_OBJ_PTABLE, 0, &pt);
	if (!err)
		err = lm_vspace_map_table(c->p->vspace, pt, va, 0);
	if (!err)
		err = spawn_give(c, pt);
	if (err && pt)
		lm_obj_free(pt);
	return err;
}

/* n shared pages from va: the child's read-only copies of the caller's
 * frames go straight into its CNode (one CNODE_COPY) and are mapped from
 * there (one VSPACE_MAP with a count), tables added as needed. A failure
 * leaves them in the child's CNode, which lm_spawn's undo deletes. */
static int map_shared(struct spawn_ctx *c, const struct lm_elf_seg *s, lm_u64 va, lm_u64 n)
{
	lm_u64 made = 0, frame = c->a->frames + (s->offset + (va - s->vaddr)) / SPAWN_PAGE;
	lm_u32 tabs = 0, first = c->next; /* tables given later follow them */
	int err;

	if (n > c->end - c->next)
		return LM_ELIMIT;
	err = lm_cnode_copy_range(c->p->cnode, c->next, LM_SLOT_CNODE, frame, s->rights, n,
				  &made);
	if (!err && made != n)
		err = LM_ECAP; /* a hole in the caller's frames */
	c->next += (lm_u32)made;
	while (!err)
		err = add_table(c, va, lm_vspace_map_range(c->p->vspace, c->p->cnode, first, va,
							   s->rights, n), &tabs);
	return err == 1 ? LM_OK : err;
}

/* The same from frames that are runs (frame_bits > 12): per run the n
 * pages touch, one copy of its capability (CNODE_COPY) mapping the part
 * of it they are (VSPACE_MAP_RUN), then moved to the child: the image
 * costs per run, not per page. */
static int map_shared_runs(struct spawn_ctx *c, const struct lm_elf_seg *s, lm_u64 va,
			   lm_u64 n)
{
	lm_u64 page = (s->offset + (va - s->vaddr)) / SPAWN_PAGE;
	lm_u32 shift = c->frame_bits - LM_PAGE_BITS, tabs = 0;
	int err = LM_OK;

	while (n && !err) {
		lm_u64 first = page & ((1ull << shift) - 1), k = (1ull << shift) - first;
		lm_cptr_t copy = lm_slot_alloc();

		k = k < n ? k : n;
		if (!copy)
			return LM_ENOMEM;
		err = lm_cnode_copy(LM_SLOT_CNODE, copy, LM_SLOT_CNODE,
				    c->a->frames + (page >> shift), s->rights);
		while (!err)
			err = add_table(c, va, lm_vspace_map_run(c->p->vspace, copy, va, s->rights,
								 first, k), &tabs);
		err = err == 1 ? spawn_give(c, copy) : err;
		if (err) {
			lm_cnode_delete(LM_SLOT_CNODE, copy);
			lm_slot_free(copy);
		}
		va += k * SPAWN_PAGE;
		page += k;
		n -= k;
	}
	return err;
}

int spawn_segments(struct spawn_ctx *c, lm_u32 nsegs)
{
	struct lm_elf_seg s;

	for (lm_u32 i = 0; i < nsegs; i++) {
		int err = lm_elf_segment(c->a->image, c->a->size, i, &s);
		lm_u64 va = s.vaddr & ~(SPAWN_PAGE - 1), n;

		while (!err && va < s.vaddr + s.memsz) {
			if ((n = shared_run(c, &s, va)))
				err = c->frame_bits > LM_PAGE_BITS ? map_shared_runs(c, &s, va, n)
								   : map_shared(c, &s, va, n);
			else
				err = load_page(c, &s, va);
			va += (n ? n : 1) * SPAWN_PAGE;
		}
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
