/* Virtual memory for a library OS (lm/vm.h): the fault dispatcher, on-demand
 * regions with their frame supply, and the Appel-Li primitives. */
#include <lm/vm.h>
#include <lm/sys.h>
#include <lm/slot.h>
#include <lm/untyped.h>
#include <lm/vspace.h>
#include <lm/fork.h>
#include "vm_int.h"

#define PF_PRESENT 0x1
#define PF_WRITE   0x2
#define PF_FETCH   0x10

/* Private (lm/fork.h): the fault path reads them before it can fix a page. */
static struct lm_vm_region *regions LM_PRIVATE; /* newest first */
static lm_exc_fn fallback LM_PRIVATE;
#define vm_vs LM_SLOT_VSPACE

/* Threads with the dispatcher and their exception stacks: an unhandled
 * fault is found a thread by the stack its frame is on. */
static struct vm_thread {
	lm_cptr_t tcb;
	lm_u64 lo, hi;
} threads[LM_VM_MAX_THREADS] LM_PRIVATE;
static lm_u32 nthreads LM_PRIVATE;

/* ---- the dispatcher -------------------------------------------------------- */

/* No one takes it: take the thread's handler away and run the instruction
 * again, so it faults as if there had never been one (stopped, or its
 * pager called). A thread we do not know exits. */
static void unhandled(struct lm_exc_frame *f)
{
	for (lm_u32 i = 0; i < nthreads; i++) {
		if ((lm_u64)f < threads[i].lo || (lm_u64)f >= threads[i].hi)
			continue;
		lm_thread_set_exception(threads[i].tcb, 0, 0, 0);
		/* int3 is a trap: point back at it so it happens again. */
		if (f->vector == LM_FAULT_BP && ((lm_u8 *)f->regs.rip)[-1] == 0xcc)
			f->regs.rip--;
		return;
	}
	lm_thread_exit(0x100 + f->vector);
}

/* Whether f is a fault of a handler: the interrupted code ran on the
 * exception stack f is on (the kernel's test for a nested frame). */
static int in_handler(const struct lm_exc_frame *f)
{
	for (lm_u32 i = 0; i < nthreads; i++)
		if ((lm_u64)f >= threads[i].lo && (lm_u64)f < threads[i].hi)
			return f->regs.rsp <= threads[i].hi && f->regs.rsp + 4096 > threads[i].lo;
	return 0;
}

static void dispatch(struct lm_exc_frame *f)
{
	if (f->vector == LM_FAULT_PF) {
		struct lm_vm_fault vf;

		vf.addr = f->addr;
		vf.access = f->error & PF_FETCH ? LM_VM_EXEC : f->error & PF_WRITE ? LM_VM_WRITE : LM_VM_READ;
		vf.present = f->error & PF_PRESENT;
		vf.frame = f;
		for (struct lm_vm_region *r = regions; r; r = r->next)
			if (vf.addr - r->base < r->size && r->hook(r, &vf))
				return;
	}
	/* A handler's own fault no region fixed (a copy on write with no
	 * memory left, say) never goes to the fallback: the fallback runs on
	 * the same stack and would fault the same way again, nesting until
	 * the exception stack is full. The thread stops instead. */
	if (in_handler(f)) {
		unhandled(f);
		return;
	}
	if (fallback)
		fallback(f);
	else
		unhandled(f);
}

int lm_vm_init(lm_cptr_t tcb, void *stack_top, lm_u64 size)
{
	int err;

	lm_u32 i;

	for (i = 0; i < nthreads && threads[i].tcb != tcb; i++)
		;
	if (i == LM_VM_MAX_THREADS)
		return LM_ELIMIT;
	err = lm_exc_install(tcb, dispatch, stack_top, size);
	if (err)
		return err;
	threads[i] = (struct vm_thread){ tcb, (lm_u64)stack_top - size, (lm_u64)stack_top };
	if (i == nthreads)
		nthreads++;
	return LM_OK;
}

static int anon_hook(struct lm_vm_region *r, const struct lm_vm_fault *f);

int lm_vm_fini(lm_cptr_t tcb)
{
	lm_u32 i;

	for (i = 0; i < nthreads && threads[i].tcb != tcb; i++)
		;
	if (i == nthreads)
		return LM_ENOENT;
	threads[i] = threads[--nthreads];
	lm_thread_set_exception(tcb, 0, 0, 0);
	if (nthreads)
		return LM_OK;
	while (regions) {
		if (regions->hook == anon_hook)
			lm_vm_anon_destroy((struct lm_vm_anon *)regions);
		else
			lm_vm_region_remove(regions);
	}
	lm_vm_trim();
	fallback = 0;
	return LM_OK;
}

lm_exc_fn lm_vm_set_fallback(lm_exc_fn fn)
{
	lm_exc_fn old = fallback;

	fallback = fn;
	return old;
}

int lm_vm_region_add(struct lm_vm_region *r, lm_u64 base, lm_u64 size,
		     lm_vm_hook hook, void *arg)
{
	if (!hook || !size || (base | size) & (LM_PAGE_SIZE - 1) || base + size < base)
		return LM_EINVAL;
	for (struct lm_vm_region *q = regions; q; q = q->next)
		if (q == r)
			return LM_EEXIST;
	r->base = base;
	r->size = size;
	r->hook = hook;
	r->arg = arg;
	r->next = regions;
	regions = r;
	return LM_OK;
}

int lm_vm_region_remove(struct lm_vm_region *r)
{
	for (struct lm_vm_region **p = &regions; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			r->next = 0;
			return LM_OK;
		}
	return LM_ENOENT;
}

/* ---- frames: made LM_VM_CHUNK_FRAMES at a time ------------------------------
 *
 * A chunk is an untyped of LM_VM_CHUNK_FRAMES pages and as many consecutive
 * slots; one retype makes (and zeroes) all its frames. Frames go out in
 * order; a freed frame is deleted, and a chunk whose frames are all gone
 * is whole again and is retyped anew (kept as a spare, up to SPARE_MAX,
 * else given back to where it came from). Frames are never reused without
 * the kernel zeroing them. When a chunk table is full, frames come from
 * the default pool one by one.
 *
 * Two supplies, each with its chunk table: `prog` (lm_vm_frame_get) and
 * `own` (lm_vm_own_frame_get, a library OS's own state). Until
 * lm_vm_set_piece_source names where the program's chunks come from, both
 * are one: `prog`, its chunks from the default pool. After it, `prog`'s
 * chunks come from that source (a memory manager's ordinary chunks, which
 * may be asked for or taken) and `own`'s from the default pool (made
 * guaranteed memory: lm_mem_guard_own), so a take never reaches what the
 * library OS cannot lose. */
#define CHUNK_BITS (LM_PAGE_BITS + 4)
#define NCHUNKS    128
#define NCHUNKS_OWN 32 /* 8 MiB of the library OS's own frames; then one by one */
#define SPARE_MAX  8
LM_STATIC_ASSERT(1u << (CHUNK_BITS - LM_PAGE_BITS) == LM_VM_CHUNK_FRAMES, "chunk size");

struct chunk {
	lm_cptr_t ut, first; /* its untyped, its first frame slot */
	lm_u32 live;         /* frames in existence (handed out or ready) */
	lm_u32 next;         /* frames handed out since the last retype */
};
struct supply {
	lm_u32 n, cur; /* cur: the chunk frames are handed out from */
};
static struct chunk prog_chunks[NCHUNKS] LM_PRIVATE, own_chunks[NCHUNKS_OWN] LM_PRIVATE;
static struct supply prog LM_PRIVATE, own LM_PRIVATE;
#define CHUNKS(s) ((s) == &prog ? prog_chunks : own_chunks)
#define MAXCHUNKS(s) ((s) == &prog ? NCHUNKS : NCHUNKS_OWN)
static lm_vm_piece_fn piece_source LM_PRIVATE;
/* Bit i: the program's chunk i is memory a take never reaches (the piece
 * source said so: cut from the default pool). */
static lm_u64 prog_kept[NCHUNKS / 64] LM_PRIVATE;

static int kept_bit(lm_u32 i)
{
	return (prog_kept[i / 64] >> (i % 64)) & 1;
}

static void kept_set(lm_u32 i, int on)
{
	prog_kept[i / 64] = (prog_kept[i / 64] & ~(1ull << (i % 64))) | ((lm_u64)!!on << (i % 64));
}

void lm_vm_set_piece_source(lm_vm_piece_fn fn)
{
	piece_source = fn;
}

static int chunk_retype(struct chunk *c)
{
	int err = lm_untyped_retype(c->ut, LM_OBJ_FRAME, LM_PAGE_BITS, LM_SLOT_CNODE,
				    c->first, LM_VM_CHUNK_FRAMES);

	if (!err) {
		c->live = LM_VM_CHUNK_FRAMES;
		c->next = 0;
	}
	return err;
}

static void chunk_drop(struct supply *s, lm_u32 i)
{
	struct chunk *c = &CHUNKS(s)[i];

	lm_obj_free(c->ut);
	lm_slot_free_n(c->first, LM_VM_CHUNK_FRAMES);
	*c = CHUNKS(s)[--s->n];
	if (s == &prog)
		kept_set(i, kept_bit(s->n));
	if (s->cur == s->n)
		s->cur = i;
}

/* A new or spare chunk of supply s, retyped: its index in *ci. */
static int chunk_fill(struct supply *s, lm_u32 *ci)
{
	lm_u32 i;
	int err;

	for (i = 0; i < s->n; i++)
		if (CHUNKS(s)[i].live == 0)
			break;
	if (i == s->n) {
		struct chunk *c = &CHUNKS(s)[i];

		if (s->n == MAXCHUNKS(s))
			return LM_ELIMIT;
		c->first = lm_slot_alloc_n(LM_VM_CHUNK_FRAMES);
		if (!c->first)
			return LM_ELIMIT;
		int kept = 1;

		err = s == &prog && piece_source
			      ? piece_source(CHUNK_BITS, &c->ut, &kept)
			      : lm_pool_alloc(lm_pool_current(), LM_OBJ_UNTYPED, CHUNK_BITS, &c->ut);
		if (s == &prog)
			kept_set(i, kept);
		if (err) {
			lm_slot_free_n(c->first, LM_VM_CHUNK_FRAMES);
			return err;
		}
		c->live = 0;
		s->n++;
	}
	err = chunk_retype(&CHUNKS(s)[i]);
	if (err && CHUNKS(s)[i].live == 0)
		chunk_drop(s, i);
	else
		*ci = i;
	return err;
}

/* Whether the supplies are two and the own one has frames made ahead: a
 * program whose chunk is used up takes those first, so that a forked
 * child's first few program pages (its stack's copy, a small program's
 * image after execve) make no chunk of the program's (a manager's chunk
 * asked for, 16 frames zeroed) when it ends soon after. At most the 15
 * frames of one own chunk at a time are the program's in guaranteed
 * memory. */
static int own_ready(void)
{
	return piece_source && own.cur < own.n &&
	       own_chunks[own.cur].next < LM_VM_CHUNK_FRAMES;
}

/* A supply's current chunk used up: a refill, out of line so that
 * lm_vm_frame_get's usual case saves no registers (pagefault -19). */
static __attribute__((noinline)) int frame_refill(struct supply *s, lm_cptr_t *f)
{
	lm_u32 i;
	int err;

	/* The program's chunk used up and the own supply has frames made
	 * ahead: those first (lm_vm_copy_frame_get). */
	if (s == &prog && own_ready()) {
		*f = own_chunks[own.cur].first + own_chunks[own.cur].next++;
		return LM_OK;
	}
	/* And the other way: the own supply's chunk used up and the
	 * program's current one is memory a take never reaches (its first
	 * chunks, lm/mem.h): the two streams share it, one chunk made
	 * (16 frames zeroed) where two would be. */
	if (s == &own && prog.cur < prog.n && kept_bit(prog.cur) &&
	    prog_chunks[prog.cur].next < LM_VM_CHUNK_FRAMES) {
		*f = prog_chunks[prog.cur].first + prog_chunks[prog.cur].next++;
		return LM_OK;
	}
	err = chunk_fill(s, &i);

	if (err == LM_ELIMIT)
		return lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, f);
	if (err)
		return err;
	s->cur = i;
	*f = CHUNKS(s)[i].first + CHUNKS(s)[i].next++;
	return LM_OK;
}

/* A zeroed frame, not mapped. */
int lm_vm_frame_get(lm_cptr_t *f)
{
	struct chunk *c = &prog_chunks[prog.cur];

	if (prog.cur >= prog.n || c->next == LM_VM_CHUNK_FRAMES)
		return frame_refill(&prog, f);
	*f = c->first + c->next++;
	return LM_OK;
}

/* A zeroed frame for the library OS's own state (lm/vm.h). */
int lm_vm_own_frame_get(lm_cptr_t *f)
{
	struct chunk *c = &own_chunks[own.cur];

	if (!piece_source)
		return lm_vm_frame_get(f);
	if (own.cur >= own.n || c->next == LM_VM_CHUNK_FRAMES)
		return frame_refill(&own, f);
	*f = c->first + c->next++;
	return LM_OK;
}

static lm_u32 spares(const struct supply *s)
{
	lm_u32 n = 0;

	for (lm_u32 i = 0; i < s->n; i++)
		n += CHUNKS(s)[i].live == 0;
	return n;
}

/* The index of the chunk of s that made f, or s->n. */
static lm_u32 chunk_of(const struct supply *s, lm_cptr_t f)
{
	lm_u32 i;

	for (i = 0; i < s->n; i++)
		if (f - CHUNKS(s)[i].first < LM_VM_CHUNK_FRAMES)
			break;
	return i;
}

static int frame_put_in(struct supply *s, lm_cptr_t f)
{
	lm_u32 i = chunk_of(s, f);

	if (i == s->n)
		return 0;
	lm_cnode_delete(LM_SLOT_CNODE, f);
	if (--CHUNKS(s)[i].live == 0 && spares(s) > SPARE_MAX)
		chunk_drop(s, i);
	return 1;
}

/* Delete a frame from either supply (which unmaps it); any other frame
 * is revoked and deleted and its slot freed. */
void lm_vm_frame_put(lm_cptr_t f)
{
	if (!frame_put_in(&prog, f) && !frame_put_in(&own, f))
		lm_obj_free(f);
}

/* Where a released on-demand page's frame goes (vm_int.h). */
void (*lm_vm_release)(lm_cptr_t f) LM_PRIVATE;

/* Whether f is one of the frames either supply made (vm_int.h). */
int lm_vm_frame_is_ours(lm_cptr_t f)
{
	return chunk_of(&prog, f) < prog.n || chunk_of(&own, f) < own.n;
}

/* Whether f came from lm_vm_frame_get while the supplies are two, from
 * memory that may be asked for or taken (vm_int.h). */
int lm_vm_frame_is_prog(lm_cptr_t f)
{
	lm_u32 i = chunk_of(&prog, f);

	return piece_source && i < prog.n && !kept_bit(i);
}

/* Delete the program supply's frames made ahead and not handed out, and
 * its empty chunks (the own supply's memory is not asked for). */
void lm_vm_trim(void)
{
	for (lm_u32 i = prog.n; i-- > 0;) {
		struct chunk *c = &prog_chunks[i];

		for (; c->next < LM_VM_CHUNK_FRAMES; c->next++, c->live--)
			lm_cnode_delete(LM_SLOT_CNODE, c->first + c->next);
		if (c->live == 0)
			chunk_drop(&prog, i);
	}
}

static void frames_gone(struct supply *s)
{
	for (lm_u32 i = s->n; i-- > 0;) {
		struct chunk *c = &CHUNKS(s)[i];
		lm_u64 desc;

		if (!lm_cnode_identify(LM_SLOT_CNODE, c->ut, &desc, 0, 0) &&
		    LM_ID_TYPE(desc) == LM_OBJ_UNTYPED)
			continue; /* still there */
		/* Its frames not handed out went with it; the slots of those
		 * handed out stay reserved (a page table may still name
		 * them) until each comes back (lm_vm_frame_put). */
		c->live -= LM_VM_CHUNK_FRAMES - c->next;
		c->next = LM_VM_CHUNK_FRAMES;
		if (c->live == 0)
			chunk_drop(s, i);
	}
}

void lm_vm_frames_gone(void)
{
	frames_gone(&prog);
	frames_gone(&own);
}

/* ---- on-demand regions --------------------------------------------------- */

static int anon_hook(struct lm_vm_region *r, const struct lm_vm_fault *f)
{
	struct lm_vm_anon *a = (struct lm_vm_anon *)r;
	lm_u64 page = f->addr & ~(LM_PAGE_SIZE - 1), i = (page - r->base) >> LM_PAGE_BITS;
	lm_cptr_t fr;

	if (a->frames[i] || lm_vm_frame_get(&fr))
		return LM_VM_PASS; /* mapped: a protection fault, someone else's */
	/* Page tables are made only when the map says one is missing. */
	int err = lm_vspace_map(vm_vs, fr, page, a->rights);

	if (err == LM_ETABLE)
		err = lm_map_page(vm_vs, fr, page, a->rights);
	if (err) {
		lm_vm_frame_put(fr);
		return LM_VM_PASS;
	}
	a->frames[i] = fr;
	a->mapped++;
	a->faults++;
	return LM_VM_HANDLED;
}

int lm_vm_anon_init(struct lm_vm_anon *a, lm_u64 base, lm_u64 size,
		    lm_u64 rights, lm_cptr_t *frames)
{
	if (!frames || rights & ~(lm_u64)(LM_R_READ | LM_R_WRITE | LM_R_EXEC))
		return LM_EINVAL;
	int err = lm_vm_region_add(&a->r, base, size, anon_hook, a);

	if (err)
		return err;
	a->rights = rights | LM_R_READ;
	a->frames = frames;
	a->mapped = a->faults = 0;
	for (lm_u64 i = 0; i < size >> LM_PAGE_BITS; i++)
		frames[i] = 0;
	return LM_OK;
}

int lm_vm_anon_release(struct lm_vm_anon *a, lm_u64 addr, lm_u64 size)
{
	lm_u64 off = addr - a->r.base;

	if ((addr | size) & (LM_PAGE_SIZE - 1) || off > a->r.size || size > a->r.size - off)
		return LM_EINVAL;
	for (lm_u64 i = off >> LM_PAGE_BITS; i < (off + size) >> LM_PAGE_BITS; i++)
		if (a->frames[i]) {
			(lm_vm_release ? lm_vm_release : lm_vm_frame_put)(a->frames[i]);
			a->frames[i] = 0;
			a->mapped--;
		}
	return LM_OK;
}

int lm_vm_anon_destroy(struct lm_vm_anon *a)
{
	int err = lm_vm_anon_release(a, a->r.base, a->r.size);

	lm_vm_region_remove(&a->r);
	return err;
}

/* ---- Appel-Li primitives ----------------------------------------------------- */

int lm_vm_protect_range(lm_u64 addr, lm_u64 npages, lm_u64 rights)
{
	while (npages) {
		lm_u64 n = npages < LM_PROTECT_MAX_PAGES ? npages : LM_PROTECT_MAX_PAGES;
		int err = lm_vspace_protect(vm_vs, addr, n, rights, 0);

		if (err)
			return err;
		addr += n << LM_PAGE_BITS;
		npages -= n;
	}
	return LM_OK;
}

int lm_vm_dirty(lm_u64 addr, int clear, int *dirty)
{
	lm_u64 st = 0;
	int err = lm_vspace_page_state(vm_vs, addr, clear ? LM_PG_DIRTY : 0, &st, 0);

	if (dirty)
		*dirty = !err && (st & LM_PG_DIRTY);
	return err;
}

/* ---- for lm_fork (vm_int.h) ------------------------------------------------ */

struct lm_vm_anon *lm_vm_anon_next(struct lm_vm_anon *prev)
{
	struct lm_vm_region *r = prev ? prev->r.next : regions;

	for (; r; r = r->next)
		if (r->hook == anon_hook)
			return (struct lm_vm_anon *)r;
	return 0;
}

/* In a forked child's copy of the private pages (this state plus delta):
 * no chunks (the parent's untypeds are not the child's), one thread. */
void lm_vm_fork_patch(lm_u64 delta, lm_cptr_t tcb, lm_u64 lo, lm_u64 hi)
{
	struct supply *cp = (struct supply *)((char *)&prog + delta);
	struct supply *co = (struct supply *)((char *)&own + delta);

	cp->n = cp->cur = co->n = co->cur = 0;
	*(lm_u32 *)((char *)&nthreads + delta) = 1;
	*(struct vm_thread *)((char *)&threads[0] + delta) = (struct vm_thread){ tcb, lo, hi };
}
