/*
 * lm_spawn: the steps of making a process (lm/spawn.h). Order matters for
 * failure: everything made from the process untyped goes away with one
 * revoke, but capabilities moved in from the caller would go with it, so
 * moves come last and are undone if one fails.
 */
#include "spawn_int.h"
#include <lm/elf.h>
#include <lm/slot.h>
#include <lm/string.h>
#include <lm/sys.h>
#include <lm/thread.h>
#include <lm/vspace.h>

#define RFLAGS_IF 0x202ull

/* Listed slots must be inside the child's CNode and off the fixed ones. */
static int caps_ok(const struct lm_spawn *a, lm_u32 end, lm_u32 *next)
{
	lm_u32 first = LM_SLOT_FIRST_BOOT;

	for (lm_u32 i = 0; i < a->ncaps; i++) {
		lm_cptr_t d = a->caps[i].dst;

		if (d >= end || d <= LM_SLOT_TCB || (a->bi && d == LM_SLOT_BOOTINFO))
			return LM_ERANGE;
		if ((a->caps[i].flags & LM_SPAWN_MAP) && (a->caps[i].flags & LM_SPAWN_MOVE))
			return LM_EINVAL;
		if (d + 1 > first)
			first = (lm_u32)d + 1;
	}
	*next = first;
	return LM_OK;
}

/* The rights of the image's first frame, which decide what is shared
 * (lm/spawn.h), and its size, every frame's; 0 without frames. A 2 MiB
 * frame maps only whole: not an image's frame. */
static int frames_rights(const struct lm_spawn *a, lm_u32 *rights, lm_u32 *bits)
{
	lm_u64 desc;
	int err;

	*rights = *bits = 0;
	if (!a->nframes)
		return LM_OK;
	err = lm_cnode_identify(LM_SLOT_CNODE, a->frames, &desc, 0, 0);
	if (!err && LM_ID_TYPE(desc) != LM_OBJ_FRAME)
		err = LM_ID_TYPE(desc) == LM_OBJ_NULL ? LM_ECAP : LM_ETYPE;
	if (!err && LM_ID_BITS(desc) >= LM_LARGE_PAGE_BITS)
		err = LM_EINVAL;
	if (!err) {
		*rights = LM_ID_RIGHTS(desc);
		*bits = LM_ID_BITS(desc);
	}
	return err;
}

/* The CNode, address space and TCB, and the child's own copies of them at
 * slots 1-3. */
static int make_objects(struct spawn_ctx *c)
{
	struct lm_proc *p = c->p;
	int err = lm_pool_alloc(&c->pool, LM_OBJ_CNODE, c->a->cnode_bits, &p->cnode);

	if (!err)
		err = lm_vspace_alloc(&c->pool, c->a->asids, &p->vspace);
	if (!err)
		err = lm_pool_alloc(&c->pool, LM_OBJ_TCB, 0, &p->tcb);
	if (!err)
		err = lm_cnode_copy(p->cnode, LM_SLOT_CNODE, LM_SLOT_CNODE, p->cnode, LM_R_ALL);
	if (!err)
		err = lm_cnode_copy(p->cnode, LM_SLOT_VSPACE, LM_SLOT_CNODE, p->vspace, LM_R_ALL);
	if (!err)
		err = lm_cnode_copy(p->cnode, LM_SLOT_TCB, LM_SLOT_CNODE, p->tcb, LM_R_ALL);
	if (!err && c->asid_slot) /* goes with its CNode */
		err = lm_asids_issue(c->a->asids ? c->a->asids : lm_asid_cap, c->nasids, p->cnode,
				     c->asid_slot);
	return err;
}

static int make_bootinfo_frame(struct spawn_ctx *c)
{
	int err = lm_pool_alloc(&c->pool, LM_OBJ_FRAME, LM_PAGE_BITS, &c->bi_frame);

	if (!err)
		err = spawn_map(c, c->bi_frame, LM_BOOTINFO_VADDR, LM_R_READ);
	return err;
}

/* A listed frame to be mapped: a copy, mapped in the child, then moved to
 * its slot there. */
static int give_mapped(struct spawn_ctx *c, const struct lm_spawn_cap *k)
{
	lm_cptr_t t = lm_slot_alloc();
	int err;

	if (!t)
		return LM_ELIMIT;
	err = lm_cnode_copy(LM_SLOT_CNODE, t, LM_SLOT_CNODE, k->src, k->rights);
	if (err) {
		lm_slot_free(t);
		return err;
	}
	err = spawn_map(c, t, k->vaddr,
			k->flags & LM_SPAWN_MAP_RO ? LM_R_READ : k->rights);
	if (!err)
		err = lm_cnode_move(c->p->cnode, k->dst, LM_SLOT_CNODE, t);
	if (err) {
		lm_cnode_delete(LM_SLOT_CNODE, t);
		lm_slot_free(t);
		return err;
	}
	lm_slot_free(t);
	return LM_OK;
}

/* Copied (and copied-and-mapped) capabilities; moves come later. */
static int give_copies(struct spawn_ctx *c)
{
	for (lm_u32 i = 0; i < c->a->ncaps; i++) {
		const struct lm_spawn_cap *k = &c->a->caps[i];
		int err;

		if (k->flags & LM_SPAWN_MOVE)
			continue;
		if (k->flags & LM_SPAWN_MAP)
			err = give_mapped(c, k);
		else
			err = lm_cnode_copy(c->p->cnode, k->dst, LM_SLOT_CNODE, k->src, k->rights);
		if (err)
			return err;
	}
	return LM_OK;
}

/* Moved capabilities, all or none. */
static int give_moves(struct spawn_ctx *c)
{
	const struct lm_spawn_cap *caps = c->a->caps;

	for (lm_u32 i = 0; i < c->a->ncaps; i++) {
		int err;

		if (!(caps[i].flags & LM_SPAWN_MOVE))
			continue;
		err = lm_cnode_move(c->p->cnode, caps[i].dst, LM_SLOT_CNODE, caps[i].src);
		if (!err)
			continue;
		while (i-- > 0)
			if (caps[i].flags & LM_SPAWN_MOVE)
				lm_cnode_move(LM_SLOT_CNODE, caps[i].src, c->p->cnode, caps[i].dst);
		return err;
	}
	return LM_OK;
}

/* Fill the bootinfo page through a copy of its frame: the frame itself is
 * already mapped in the child, and a frame maps one place at a time. */
static int write_bootinfo(struct spawn_ctx *c)
{
	struct lm_bootinfo *bi = (struct lm_bootinfo *)LM_SPAWN_WINDOW;
	lm_cptr_t t = lm_slot_alloc();
	int err;

	if (!t)
		return LM_ELIMIT;
	err = lm_cnode_copy(LM_SLOT_CNODE, t, LM_SLOT_CNODE, c->bi_frame,
			    LM_R_READ | LM_R_WRITE);
	if (!err)
		err = lm_map_page(LM_SLOT_VSPACE, t, LM_SPAWN_WINDOW, LM_R_READ | LM_R_WRITE);
	if (!err) {
		memcpy(bi, c->a->bi, sizeof *bi);
		bi->magic = LM_BOOTINFO_MAGIC;
		bi->cnode_bits = c->a->cnode_bits;
		bi->boot_first = c->boot_first;
		bi->boot_end = c->next;
		bi->first_free = c->next;
		bi->asid_slot = c->asid_slot;
		lm_vspace_unmap(t);
	}
	lm_cnode_delete(LM_SLOT_CNODE, t);
	lm_slot_free(t);
	if (!err)
		err = lm_cnode_move(c->p->cnode, LM_SLOT_BOOTINFO, LM_SLOT_CNODE, c->bi_frame);
	if (!err) {
		lm_slot_free(c->bi_frame);
		c->bi_frame = 0;
	}
	return err;
}

static int setup_thread(struct spawn_ctx *c)
{
	struct lm_regs r = { 0 };
	int err = lm_thread_configure(c->p->tcb, c->p->cnode, c->p->vspace);

	r.rip = c->p->entry;
	r.rsp = LM_SPAWN_STACK_TOP;
	r.rdi = c->a->arg;
	r.rflags = RFLAGS_IF;
	if (!err)
		err = lm_thread_write_regs(c->p->tcb, &r);
	if (!err)
		err = lm_thread_set_priority(c->p->tcb, c->a->prio);
	return err;
}

static void undo(struct spawn_ctx *c)
{
	struct lm_proc *p = c->p;

	lm_cnode_revoke(LM_SLOT_CNODE, p->ut);
	lm_cnode_delete(LM_SLOT_CNODE, p->ut);
	lm_slot_free(p->ut);
	lm_slot_free(p->cnode);
	lm_slot_free(p->vspace);
	lm_slot_free(p->tcb);
	lm_slot_free(c->bi_frame);
}

static int spawn_steps(struct spawn_ctx *c, lm_u32 nsegs)
{
	int err = make_objects(c);

	if (!err)
		err = spawn_segments(c, nsegs);
	if (!err)
		err = spawn_stack(c);
	if (!err && c->a->bi)
		err = make_bootinfo_frame(c);
	if (!err)
		err = give_copies(c);
	if (!err && c->a->bi)
		err = write_bootinfo(c);
	if (!err)
		err = setup_thread(c);
	if (!err)
		err = give_moves(c);
	return err;
}

int lm_spawn(const struct lm_spawn *a, struct lm_proc *p)
{
	struct spawn_ctx c = { .a = a, .p = p };
	lm_u32 nsegs;
	int err;

	*p = (struct lm_proc){ 0 };
	if (a->cnode_bits < LM_CNODE_MIN_BITS || a->cnode_bits > LM_CNODE_MAX_BITS)
		return LM_ERANGE;
	c.end = 1u << a->cnode_bits;
	err = lm_elf_check(a->image, a->size, &p->entry, &nsegs);
	if (!err)
		err = caps_ok(a, c.end, &c.next);
	if (!err)
		err = frames_rights(a, &c.frame_rights, &c.frame_bits);
	if (!err)
		err = lm_pool_alloc(a->pool ? a->pool : lm_pool_current(), LM_OBJ_UNTYPED,
				    spawn_mem_bits(&c, nsegs), &p->ut);
	if (err)
		return err;
	if (a->bi && a->nasids != LM_SPAWN_NO_ASIDS) {
		c.nasids = a->nasids ? a->nasids : LM_SPAWN_ASIDS;
		c.asid_slot = c.next < c.end ? c.next++ : 0;
	}
	c.boot_first = c.next;
	lm_pool_init(&c.pool, 0);
	err = lm_pool_add(&c.pool, p->ut);
	if (!err)
		err = spawn_steps(&c, nsegs);
	if (err) {
		undo(&c);
		*p = (struct lm_proc){ 0 };
		return err;
	}
	p->first_free = c.next;
	return a->suspended ? LM_OK : lm_proc_start(p);
}

int lm_proc_start(const struct lm_proc *p)
{
	return lm_thread_resume(p->tcb);
}

int lm_proc_destroy(struct lm_proc *p)
{
	int err;

	/* The thread and the address space first (the child's copies, then
	 * ours): the frames and tables deleted after them then have no live
	 * address space to clear entries in and flush. Whatever the child left
	 * in its slots 2 and 3 goes with its CNode anyway. */
	lm_cnode_delete(p->cnode, LM_SLOT_TCB);
	lm_cnode_delete(p->cnode, LM_SLOT_VSPACE);
	lm_cnode_delete(LM_SLOT_CNODE, p->tcb);
	lm_cnode_delete(LM_SLOT_CNODE, p->vspace);
	err = lm_cnode_revoke(LM_SLOT_CNODE, p->ut);

	if (!err)
		err = lm_cnode_delete(LM_SLOT_CNODE, p->ut);
	if (err)
		return err;
	lm_slot_free(p->ut);
	lm_slot_free(p->cnode);
	lm_slot_free(p->vspace);
	lm_slot_free(p->tcb);
	*p = (struct lm_proc){ 0 };
	return LM_OK;
}
