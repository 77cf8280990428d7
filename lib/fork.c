/* Copy-on-write fork in the library OS (lm/fork.h). */
#include <lm/fork.h>
#include <lm/exception.h>
#include <lm/slot.h>
#include <lm/spawn.h>
#include <lm/string.h>
#include <lm/sys.h>
#include <lm/thread.h>
#include <lm/untyped.h>
#include <lm/vspace.h>
#include <lamina/bootinfo.h>
#include "vm_int.h"

#define PAGE            LM_PAGE_SIZE
#define MAX_SEGS        32
#define MAX_BOOT_PAGES  384
#define MAX_RETIRED     128
#define MAX_TABLES      48   /* page tables of one child's address space */
#define MAX_SHELLS      LM_FORK_MAX_CHILDREN /* a kept one uses a place */
#define MAX_SPARE       4    /* untypeds of reaped children kept for the next */
#define MAX_RECYCLED    64   /* copy targets kept for the next copies */
#define STARTER_FRAMES  4    /* copy targets a child starts with */
#define SERVER_STACK    2048
#define EXC_STACK_SIZE  8192
/* Where a process maps a page it copies on a write fault, and where the
 * parent maps the child's private pages to fill them. */
#define COPY_WINDOW     0x7ff000200000ull
#define FILL_WINDOW     0x7ff000400000ull

extern char __lm_private_start[], __lm_private_end[];
int lm_fork_save(struct lm_regs *r);

/* A stretch of the address space fork knows: its pages' frame slots and
 * the rights the process means them to have. Writable segments carry the
 * copy-on-write hook, above any on-demand region of the same pages. */
struct seg {
	struct lm_vm_region r;
	lm_u64 rights;
	lm_cptr_t *frames;        /* one slot per page, 0: none */
	struct lm_vm_anon *anon;  /* an on-demand region's, or 0 (boot) */
};

/* Private: the fault path reads them before it can fix a page. */
static struct seg segs[MAX_SEGS] LM_PRIVATE;
static lm_u32 nsegs LM_PRIVATE;

/*
 * A child's CNode, address space and thread, with the page tables of that
 * address space, made from an untyped of their own: when the child is
 * reaped they are emptied and kept for the next child, so a fork makes no
 * CNode (zeroed) and no page tables, and a reap destroys only what the
 * child had. The child's memory (its pool, private pages) is another
 * untyped, revoked at the reap.
 */
struct shell {
	lm_cptr_t ut, cnode, vspace, tcb;
	lm_u32 bits;             /* the CNode's */
	lm_u32 state;            /* SHELL_* */
	lm_u32 ntables;
	lm_cptr_t tables[MAX_TABLES];
};
enum { SHELL_FREE, SHELL_KEPT, SHELL_USED };

/* The state the fault path writes, and what a child must get its own of. */
static struct {
	int ready;
	lm_u32 gen, nchildren, nretired, pool_bits;
	lm_cptr_t retired[MAX_RETIRED];
	struct { lm_cptr_t slot; lm_u32 bits; } spare[MAX_SPARE]; /* reaped children's */
	lm_u32 nspare;
	lm_cptr_t recycled[MAX_RECYCLED]; /* frames of ours nobody maps */
	lm_u32 nrecycled;
	struct shell shells[MAX_SHELLS];
	/* Capabilities on reference: a child asks its parent's fork server
	 * (a thread of the parent, on own_ep) for the frame in a slot when it
	 * first touches the page; up_ep is ours to ask our parent. */
	lm_cptr_t own_ep, up_ep, server;
	lm_cptr_t stopped;                /* children's stop notification */
	lm_u64 shared[LM_SLOTS_MAX / 64]; /* slots children may ask for */
	lm_u8 server_stack[SERVER_STACK] __attribute__((aligned(16)));
	lm_cptr_t boot[MAX_BOOT_PAGES];
	struct lm_pool pool; /* the default pool once the process forks */
	lm_u8 exc_stack[EXC_STACK_SIZE] __attribute__((aligned(16)));
} fk LM_PRIVATE;

static lm_u32 popcount(lm_u64 w)
{
	w = w - ((w >> 1) & 0x5555555555555555ull);
	w = (w & 0x3333333333333333ull) + ((w >> 2) & 0x3333333333333333ull);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (lm_u32)((w * 0x0101010101010101ull) >> 56);
}

static int is_private(lm_u64 va)
{
	return va >= (lm_u64)__lm_private_start && va < (lm_u64)__lm_private_end;
}

static int map_here(lm_cptr_t f, lm_u64 va, lm_u64 rights)
{
	int err = lm_vspace_map(LM_SLOT_VSPACE, f, va, rights);

	return err == LM_ETABLE ? lm_map_page(LM_SLOT_VSPACE, f, va, rights) : err;
}

/* ---- the write fault ------------------------------------------------------- */

/* A frame nobody maps any more. One of the library's goes to the next
 * copy (a copy overwrites all of it, so it needs no zeroing): the pages a
 * process writes after every fork cycle through the same few frames
 * instead of spreading over new ones. */
static void release(lm_cptr_t f)
{
	if (fk.nrecycled < MAX_RECYCLED && lm_vm_frame_is_ours(f))
		fk.recycled[fk.nrecycled++] = f;
	else
		lm_vm_frame_put(f);
}

static int copy_target(lm_cptr_t *f)
{
	if (fk.nrecycled) {
		*f = fk.recycled[--fk.nrecycled];
		return LM_OK;
	}
	return lm_vm_frame_get(f);
}

/* A page replaced by a copy, or released: children may still map it, or
 * ask for it, until they are reaped. */
static void drop(lm_cptr_t f)
{
	if (!fk.nchildren)
		release(f);
	else if (fk.nretired < MAX_RETIRED)
		fk.retired[fk.nretired++] = f;
	/* else kept, unmapped, until the process ends */
}

/* The frame for our slot s, asked of our parent (it copies it into the
 * same slot of our CNode). */
int lm_fork_fetch(lm_cptr_t s)
{
	struct lm_msg m;
	int err;

	if (!fk.up_ep)
		return LM_ECAP;
	err = lm_ep_call(fk.up_ep, LM_MSG_INFO(0, 1, 0), s, 0, 0, 0, &m);
	return err ? err : (int)m.w[0];
}

/* A child (badge: its shell, 1-based) asks for the frame in slot s. Only
 * slots shared at a fork are given; one we have not got ourselves yet is
 * asked of our own parent first. */
static lm_u64 serve(lm_u64 badge, lm_u64 s)
{
	struct shell *sh = badge - 1 < MAX_SHELLS ? &fk.shells[badge - 1] : 0;
	lm_u64 desc;
	int err;

	if (!sh || sh->state != SHELL_USED)
		return LM_ESTATE;
	if (s >= LM_SLOTS_MAX || !((fk.shared[s / 64] >> (s % 64)) & 1))
		return LM_ERIGHTS;
	if (lm_cnode_identify(LM_SLOT_CNODE, s, &desc, 0, 0) || LM_ID_TYPE(desc) == LM_OBJ_NULL)
		if ((err = lm_fork_fetch(s)))
			return (lm_u64)err;
	err = lm_cnode_copy(sh->cnode, s, LM_SLOT_CNODE, s, LM_R_ALL);
	return err == LM_EEXIST ? LM_OK : (lm_u64)err;
}

static lm_word_t server_main(lm_word_t arg)
{
	struct lm_msg m;

	lm_ep_recv(fk.own_ep, &m);
	for (;;) {
		lm_u64 r = serve(m.badge, m.w[0]);

		lm_ep_reply_recv(fk.own_ep, LM_MSG_INFO(0, 1, 0), r, 0, 0, 0, &m);
	}
	return 0;
}

/* The first fork: the endpoint and the thread that serve the children. */
static int server_start(void)
{
	struct lm_thread_info ti;
	struct lm_regs r;
	int err;

	if (fk.server)
		return LM_OK;
	if ((err = lm_thread_info(LM_SLOT_TCB, &ti)) ||
	    (err = lm_obj_alloc(LM_OBJ_ENDPOINT, 0, &fk.own_ep)) ||
	    (err = lm_obj_alloc(LM_OBJ_NOTIFY, 0, &fk.stopped)) ||
	    (err = lm_obj_alloc(LM_OBJ_TCB, 0, &fk.server)) ||
	    (err = lm_thread_configure(fk.server, LM_SLOT_CNODE, LM_SLOT_VSPACE)))
		return err;
	lm_thread_regs(&r, server_main, 0, fk.server_stack + SERVER_STACK);
	if ((err = lm_thread_write_regs(fk.server, &r)) ||
	    (err = lm_thread_set_priority(fk.server, ti.priority)))
		return err;
	return lm_thread_resume(fk.server);
}

static int cow_hook(struct lm_vm_region *r, const struct lm_vm_fault *f)
{
	/* The segment itself may sit in the page being replaced: everything
	 * needed is read before that page is unmapped. */
	struct seg *s = (struct seg *)r;
	lm_u64 page = f->addr & ~(PAGE - 1), i = (page - r->base) / PAGE;
	lm_u64 rights = s->rights, ro = rights & ~(lm_u64)LM_R_WRITE;
	lm_cptr_t *slot = &s->frames[i], old = *slot, nf;

	if (!old)
		return LM_VM_PASS; /* never touched: the on-demand region's */
	if (!f->present) { /* inherited, not mapped yet: read-only first */
		int err = map_here(old, page, ro);

		if (err == LM_ECAP && !lm_fork_fetch(old)) /* not even the capability yet */
			err = map_here(old, page, ro);
		return err ? LM_VM_PASS : LM_VM_HANDLED;
	}
	if (f->access != LM_VM_WRITE || !(rights & LM_R_WRITE))
		return LM_VM_PASS;
	/* No child left and the frame is ours, not our parent's: nobody else
	 * can see the page, so it just becomes writable again. */
	if (!fk.nchildren && (fk.gen == 0 || lm_vm_frame_is_ours(old)) &&
	    !lm_vspace_protect(LM_SLOT_VSPACE, page, 1, rights, 0))
		return LM_VM_HANDLED;
	if (copy_target(&nf))
		return LM_VM_PASS;
	if (map_here(nf, COPY_WINDOW, LM_R_READ | LM_R_WRITE)) {
		release(nf);
		return LM_VM_PASS;
	}
	memcpy((void *)COPY_WINDOW, (const void *)page, PAGE);
	lm_vspace_unmap(nf);
	lm_vspace_unmap(old);
	if (lm_vspace_map(LM_SLOT_VSPACE, nf, page, rights)) {
		lm_vspace_map(LM_SLOT_VSPACE, old, page, ro);
		release(nf);
		return LM_VM_PASS;
	}
	*slot = nf;
	drop(old);
	return LM_VM_HANDLED;
}

static int seg_add(lm_u64 base, lm_u64 npages, lm_u64 rights, lm_cptr_t *frames,
		   struct lm_vm_anon *anon)
{
	struct seg *s;

	lm_u32 i;

	for (i = 0; i < nsegs && segs[i].frames; i++)
		; /* a hole left by a region that is gone, or a new one */
	if (i == MAX_SEGS)
		return LM_ELIMIT;
	s = &segs[i];
	s->rights = rights;
	s->frames = frames;
	s->anon = anon;
	if (rights & LM_R_WRITE) {
		int err = lm_vm_region_add(&s->r, base, npages * PAGE, cow_hook, s);

		if (err)
			return err;
	} else {
		s->r.base = base;
		s->r.size = npages * PAGE;
	}
	if (i == nsegs)
		nsegs++;
	return LM_OK;
}

/* ---- learning the process's own layout (once) ------------------------------ */

struct bootpage {
	lm_u64 va, rights;
	lm_cptr_t slot;
};

/* Its image, stack and bootinfo page: the frames in its boot slots. */
static int scan_boot(void)
{
	const struct lm_bootinfo *bi = (const struct lm_bootinfo *)LM_BOOTINFO_VADDR;
	static struct bootpage bp[MAX_BOOT_PAGES];
	lm_u32 n = 0;

	for (lm_cptr_t s = bi->boot_first; s < bi->boot_end; s++) {
		lm_u64 desc, addr, va, st, rights;

		if (lm_cnode_identify(LM_SLOT_CNODE, s, &desc, &addr, &va) ||
		    LM_ID_TYPE(desc) != LM_OBJ_FRAME || !(desc & LM_ID_MAPPED) ||
		    LM_ID_BITS(desc) != LM_PAGE_BITS)
			continue;
		if (va >= LM_CHILD_MODULE_VADDR && va < LM_SPAWN_STACK_TOP - (1ull << 30))
			continue; /* boot modules: not inherited */
		if (lm_vspace_page_state(LM_SLOT_VSPACE, va, 0, &st, &rights))
			continue;
		if (n == MAX_BOOT_PAGES)
			return LM_ELIMIT;
		bp[n++] = (struct bootpage){ va, rights, s };
	}
	for (lm_u32 i = 1; i < n; i++) /* by address; usually sorted already */
		for (lm_u32 j = i; j > 0 && bp[j - 1].va > bp[j].va; j--) {
			struct bootpage t = bp[j];
			bp[j] = bp[j - 1];
			bp[j - 1] = t;
		}
	for (lm_u32 i = 0; i < n;) {
		lm_u32 j = i + 1;

		while (j < n && bp[j].va == bp[j - 1].va + PAGE && bp[j].rights == bp[i].rights)
			j++;
		for (lm_u32 k = i; k < j; k++)
			fk.boot[k] = bp[k].slot;
		int err = seg_add(bp[i].va, j - i, bp[i].rights, &fk.boot[i], 0);
		if (err)
			return err;
		i = j;
	}
	return LM_OK;
}

static int anon_live(const struct lm_vm_anon *a)
{
	for (struct lm_vm_anon *q = lm_vm_anon_next(0); q; q = lm_vm_anon_next(q))
		if (q == a)
			return 1;
	return 0;
}

/* Before every fork: the segments of on-demand regions that are gone are
 * dropped, new ones get theirs, and every writable segment's hook is
 * registered (lm_vm_fini may have removed them all). */
static int refresh_segs(void)
{
	for (lm_u32 i = 0; i < nsegs; i++)
		if (segs[i].anon && !anon_live(segs[i].anon)) {
			lm_vm_region_remove(&segs[i].r);
			segs[i].anon = 0;
			segs[i].frames = 0; /* a hole: skipped from now on */
		}
	for (struct lm_vm_anon *a = lm_vm_anon_next(0); a; a = lm_vm_anon_next(a)) {
		lm_u32 i;

		for (i = 0; i < nsegs && segs[i].anon != a; i++)
			;
		if (i == nsegs) {
			int err = seg_add(a->r.base, a->r.size / PAGE, a->rights, a->frames, a);
			if (err)
				return err;
		}
	}
	/* Ours go first, newest: a fault on a page of ours is then handled
	 * without reading anyone else's region (in a child those may not be
	 * mapped yet). */
	for (lm_u32 i = 0; i < nsegs; i++)
		if (segs[i].frames && (segs[i].rights & LM_R_WRITE)) {
			lm_vm_region_remove(&segs[i].r);
			lm_vm_region_add(&segs[i].r, segs[i].r.base, segs[i].r.size, cow_hook,
					 &segs[i]);
		}
	return LM_OK;
}

/* Before every fork: the process's layout learnt (once), its default pool
 * moved to private pages (the fault path allocates from it, so it must
 * never be copy-on-write), the dispatcher on the main thread with the
 * private exception stack. */
static int setup(void)
{
	struct lm_pool *p = lm_pool_current();
	int err;

	if (!p)
		return LM_ENOMEM;
	if (!fk.pool_bits)
		fk.pool_bits = 22;
	if (!fk.ready && (err = scan_boot()))
		return err;
	fk.ready = 1;
	if (p != &fk.pool) {
		fk.pool = *p;
		lm_pool_use(&fk.pool);
	}
	if ((err = lm_vm_init(LM_SLOT_TCB, fk.exc_stack + EXC_STACK_SIZE, EXC_STACK_SIZE)) ||
	    (err = server_start()))
		return err;
	lm_vm_release = drop;
	return refresh_segs();
}

/* ---- building the child ----------------------------------------------------- */

struct build {
	struct lm_proc *p;
	struct shell *sh;         /* its CNode, address space, thread, tables */
	int new_shell;            /* made for this child, not a kept one */
	lm_cptr_t up_slot;        /* the child's way to our server */
	struct lm_pool pool;      /* the child's memory: its pool's untyped */
	struct lm_pool spool;     /* the shell's, for page tables */
	lm_u32 cnode_bits;
	lm_cptr_t child_ut;       /* our slot of the child's default pool */
	lm_u64 child_ut_paddr;
	lm_cptr_t fill[(MAX_BOOT_PAGES)]; /* new private frames, our slots */
	lm_u32 nfill;
};

/* Map our copy `t` of a frame in the child at va, then move it to the
 * child's slot `dst`. Page tables made on the way belong to the shell. */
static int give_mapped(struct build *b, lm_cptr_t t, lm_cptr_t dst, lm_u64 va, lm_u64 rights)
{
	struct shell *sh = b->sh;
	lm_cptr_t tabs[3];
	lm_u32 n = 0;
	int err = lm_map_page_pool(&b->spool, sh->vspace, t, va, rights, tabs, &n);

	for (lm_u32 i = 0; i < n; i++) {
		if (sh->ntables < MAX_TABLES)
			sh->tables[sh->ntables++] = tabs[i];
		else
			err = err ? err : LM_ELIMIT; /* kept, unrecorded, until the shell goes */
	}
	if (!err)
		err = lm_cnode_move(sh->cnode, dst, LM_SLOT_CNODE, t);
	return err;
}

static int share_page(struct build *b, lm_cptr_t s, lm_u64 va, lm_u64 rights)
{
	lm_cptr_t t = lm_slot_alloc();
	int err;

	if (!t)
		return LM_ELIMIT;
	err = lm_cnode_copy(LM_SLOT_CNODE, t, LM_SLOT_CNODE, s, LM_R_ALL);
	if (!err && (err = give_mapped(b, t, s, va, rights)))
		lm_cnode_delete(LM_SLOT_CNODE, t);
	lm_slot_free(t);
	return err;
}

/* The child's CNode mirrors our slots up to the highest one in use, with
 * as many again for its own use (at most our own size). */
static lm_u32 child_cnode_bits(void)
{
	lm_u64 desc;
	lm_u32 top = 0, bits = 8, ours;

	if (lm_cnode_identify(LM_SLOT_CNODE, LM_SLOT_CNODE, &desc, 0, 0))
		return 0;
	ours = LM_ID_BITS(desc);
	for (lm_u32 w = lm_slots.end / 64 + 1; w-- > 0;)
		if (w < LM_SLOTS_MAX / 64 && lm_slots.used[w]) {
			top = w * 64 + 63 - (lm_u32)__builtin_clzll(lm_slots.used[w]);
			break;
		}
	if (top < lm_slots.first)
		top = lm_slots.first;
	/* The slots fork takes for the child's tables and pages come first
	 * fit from the bottom (lm_fork resets the hint), so below top + 128;
	 * the child gets at least as many again for its own. */
	while ((1u << bits) <= top + 256)
		bits++;
	return bits < ours ? bits : ours;
}

/* Destroy a shell and everything made from its untyped. */
static void shell_destroy(struct shell *sh)
{
	if (sh->ut) {
		lm_cnode_revoke(LM_SLOT_CNODE, sh->ut);
		lm_cnode_delete(LM_SLOT_CNODE, sh->ut);
		lm_slot_free(sh->ut);
	}
	lm_slot_free(sh->cnode);
	lm_slot_free(sh->vspace);
	lm_slot_free(sh->tcb);
	for (lm_u32 i = 0; i < sh->ntables; i++)
		lm_slot_free(sh->tables[i]);
	*sh = (struct shell){ 0 };
}

/* A kept shell with a CNode of at least 2^bits slots, or a new one. */
static int shell_get(struct build *b)
{
	struct shell *sh = 0;
	int err;

	for (lm_u32 i = 0; i < MAX_SHELLS && !sh; i++)
		if (fk.shells[i].state == SHELL_KEPT && fk.shells[i].bits >= b->cnode_bits)
			sh = &fk.shells[i];
	if (sh) {
		sh->state = SHELL_USED;
		b->sh = sh;
		b->cnode_bits = sh->bits;
		lm_pool_init(&b->spool, 0);
		return lm_pool_add(&b->spool, sh->ut);
	}
	for (lm_u32 i = 0; i < MAX_SHELLS && !sh; i++)
		if (fk.shells[i].state == SHELL_FREE)
			sh = &fk.shells[i];
	if (!sh)
		return LM_ELIMIT;
	*sh = (struct shell){ .bits = b->cnode_bits, .state = SHELL_USED };
	b->sh = sh;
	b->new_shell = 1;
	/* Its CNode, and as much again for the rest (about 20 page tables). */
	lm_u32 cn = b->cnode_bits + LM_SLOT_BITS, bits = cn + 1 > 17 ? cn + 1 : 17;
	lm_pool_init(&b->spool, 0);
	if ((err = lm_pool_alloc(lm_pool_current(), LM_OBJ_UNTYPED, bits, &sh->ut)) ||
	    (err = lm_pool_add(&b->spool, sh->ut)) ||
	    (err = lm_pool_alloc(&b->spool, LM_OBJ_CNODE, sh->bits, &sh->cnode)) ||
	    (err = lm_pool_alloc(&b->spool, LM_OBJ_VSPACE, 0, &sh->vspace)) ||
	    (err = lm_pool_alloc(&b->spool, LM_OBJ_TCB, 0, &sh->tcb)) ||
	    (err = lm_cnode_copy(sh->cnode, LM_SLOT_CNODE, LM_SLOT_CNODE, sh->cnode, LM_R_ALL)) ||
	    (err = lm_cnode_copy(sh->cnode, LM_SLOT_VSPACE, LM_SLOT_CNODE, sh->vspace, LM_R_ALL)) ||
	    (err = lm_cnode_copy(sh->cnode, LM_SLOT_TCB, LM_SLOT_CNODE, sh->tcb, LM_R_ALL)) ||
	    (err = lm_thread_configure(sh->tcb, sh->cnode, sh->vspace)))
		return err;
	return LM_OK;
}

/* Empty a reaped child's shell (all but its slots 1-3 and its tables) and
 * keep it, or destroy it if one is kept already. */
static void shell_put(struct shell *sh)
{
	for (lm_u32 i = 0; i < MAX_SHELLS; i++)
		if (fk.shells[i].state == SHELL_KEPT) {
			shell_destroy(sh);
			return;
		}
	if (lm_cnode_delete_range(sh->cnode, 4, (1ull << sh->bits) - 4)) {
		shell_destroy(sh);
		return;
	}
	sh->state = SHELL_KEPT;
}

/* The child's objects: a shell, and an untyped for its memory. */
static int make_objects(struct build *b)
{
	struct lm_proc *p = b->p;
	lm_u32 bits = fk.pool_bits; /* all of it the child's pool (its private
				     * pages and first frames are carved first) */
	int err;

	if (!(b->cnode_bits = child_cnode_bits()))
		return LM_ESTATE;
	if ((err = shell_get(b)))
		return err;
	p->cnode = b->sh->cnode;
	p->vspace = b->sh->vspace;
	p->tcb = b->sh->tcb;
	/* A reaped child's untyped of the right size first: memory carved
	 * from a big untyped only comes back when all of it is free. */
	for (lm_u32 i = 0; i < fk.nspare && !p->ut; i++)
		if (fk.spare[i].bits == bits) {
			p->ut = fk.spare[i].slot;
			fk.spare[i] = fk.spare[--fk.nspare];
		}
	if (!p->ut && (err = lm_pool_alloc(lm_pool_current(), LM_OBJ_UNTYPED, bits, &p->ut)))
		return err;
	/* The child's pool is a child untyped of ours, so that the one revoke
	 * of ours at the reap removes all it made. */
	lm_pool_init(&b->pool, 0);
	if ((err = lm_untyped_retype(p->ut, LM_OBJ_UNTYPED, fk.pool_bits, LM_SLOT_CNODE,
				     b->child_ut = lm_slot_alloc(), 1)) ||
	    (err = lm_pool_add(&b->pool, b->child_ut)) ||
	    (err = lm_cnode_identify(LM_SLOT_CNODE, b->child_ut, 0, &b->child_ut_paddr, 0)))
		return err;
	/* I/O ports, IRQ control, console: whatever is there and copyable. */
	for (lm_cptr_t s = 4; s < 8; s++)
		if (s != LM_SLOT_BOOTINFO)
			lm_cnode_copy(p->cnode, s, LM_SLOT_CNODE, s, LM_R_ALL);
	/* Its way to ask our server for frames: a slot free in ours. */
	if (!(b->up_slot = lm_slot_alloc()))
		return LM_ELIMIT;
	if ((err = lm_cnode_mint(p->cnode, b->up_slot, LM_SLOT_CNODE, fk.own_ep, LM_R_WRITE,
				 (lm_u64)(b->sh - fk.shells) + 1)))
		return err;
	/* The bootinfo page, read-only and shared. */
	lm_u64 desc, va;
	if (!lm_cnode_identify(LM_SLOT_CNODE, LM_SLOT_BOOTINFO, &desc, 0, &va) &&
	    LM_ID_TYPE(desc) == LM_OBJ_FRAME && (desc & LM_ID_MAPPED))
		err = share_page(b, LM_SLOT_BOOTINFO, va, LM_R_READ);
	return err;
}

/* Text and read-only data: mapped in the child now (its fault handler
 * runs from them). Everything writable, and on-demand pages: nothing yet;
 * the child asks for a page's frame when it first touches it (maps it
 * read-only) and copies it when it first writes it. Private pages wait. */
static int share_segments(struct build *b)
{
	for (lm_u32 i = 0; i < nsegs; i++) {
		struct seg *s = &segs[i];
		lm_u64 n = s->r.size / PAGE;

		if (!s->frames)
			continue;
		if (s->rights & LM_R_WRITE) { /* the child asks for these */
			for (lm_u64 k = 0; k < n; k++) {
				lm_cptr_t f = s->frames[k];

				if (f && f < LM_SLOTS_MAX && !is_private(s->r.base + k * PAGE))
					fk.shared[f / 64] |= 1ull << (f % 64);
			}
			continue;
		}
		for (lm_u64 k = 0; k < n; k++) {
			int err = s->frames[k] ? share_page(b, s->frames[k], s->r.base + k * PAGE,
							    s->rights) : LM_OK;
			if (err)
				return err;
		}
	}
	return LM_OK;
}

/* The child's own private pages: a copy of ours, made right for it, at
 * the same slots as ours. */
static int fill_private(struct build *b)
{
	lm_u64 npages = (lm_u64)(__lm_private_end - __lm_private_start) / PAGE;
	lm_u64 delta = FILL_WINDOW - (lm_u64)__lm_private_start;
	int err = LM_OK;

	for (lm_u64 k = 0; k < npages; k++) {
		if ((err = lm_pool_alloc(&b->pool, LM_OBJ_FRAME, LM_PAGE_BITS, &b->fill[k])))
			return err;
		b->nfill++;
		if ((err = map_here(b->fill[k], FILL_WINDOW + k * PAGE, LM_R_READ | LM_R_WRITE)))
			return err;
	}
	/* A few frames to start its copies with: its first writes then need
	 * no frames made (its pool has none ready yet). Same slots as ours. */
	lm_cptr_t starter = lm_slot_alloc_n(STARTER_FRAMES);
	if (!starter)
		return LM_ELIMIT;
	if ((err = lm_untyped_retype(b->child_ut, LM_OBJ_FRAME, LM_PAGE_BITS, LM_SLOT_CNODE, starter,
				     STARTER_FRAMES))) {
		lm_slot_free_n(starter, STARTER_FRAMES);
		return err;
	}
	memcpy((void *)FILL_WINDOW, __lm_private_start, npages * PAGE);

	/* Its slot allocator: its CNode's size, and free where the child has
	 * nothing (the slots we keep its handles in, the frames being filled). */
	struct lm_slots *cs = (struct lm_slots *)((char *)&lm_slots + delta);
	lm_cptr_t ours[] = { b->p->ut, b->sh->ut, b->p->cnode, b->p->vspace, b->p->tcb };
	lm_u32 nours = sizeof ours / sizeof ours[0];
	for (lm_u32 i = 0; i < nours + b->nfill + b->sh->ntables; i++) {
		lm_cptr_t s = i < nours ? ours[i] : i < nours + b->nfill ? b->fill[i - nours]
			: b->sh->tables[i - nours - b->nfill];
		cs->used[s / 64] &= ~(1ull << (s % 64));
	}
	cs->end = 1u << b->cnode_bits;
	cs->hint = cs->first;
	cs->nfree = cs->end - cs->first;
	for (lm_u32 s = cs->first; s < cs->end; s = (s | 63) + 1) {
		lm_u64 w = cs->used[s / 64] >> (s % 64);
		lm_u32 left = 64 - s % 64;

		if (s + left > cs->end) /* bits past the end do not count */
			w &= (1ull << (cs->end - s)) - 1;
		cs->nfree -= popcount(w);
	}
	/* Its pool, its fork state, its one thread. */
	typeof(fk) *cf = (typeof(fk) *)((char *)&fk + delta);
	/* Pieces of a frame chunk's size: small objects never waste more. */
	lm_pool_init(&cf->pool, 16);
	cf->pool.ut[0] = (struct lm_pool_ut){ b->child_ut, b->child_ut_paddr,
					      (lm_u8)fk.pool_bits, fk.pool_bits > 16 };
	cf->pool.n = 1;
	cf->pool_bits = fk.pool_bits > 18 ? fk.pool_bits - 2 : 16;
	cf->gen = fk.gen + 1;
	cf->nchildren = 0;
	cf->nretired = 0;
	cf->nspare = 0;
	cf->up_ep = b->up_slot;
	cf->own_ep = cf->server = cf->stopped = 0;
	for (lm_u32 i = 0; i < LM_SLOTS_MAX / 64; i++)
		cf->shared[i] = 0;
	for (lm_u32 i = 0; i < MAX_SHELLS; i++)
		cf->shells[i] = (struct shell){ 0 };
	for (cf->nrecycled = 0; cf->nrecycled < STARTER_FRAMES; cf->nrecycled++)
		cf->recycled[cf->nrecycled] = starter + cf->nrecycled;
	lm_vm_fork_patch(delta, LM_SLOT_TCB, (lm_u64)fk.exc_stack,
			 (lm_u64)fk.exc_stack + EXC_STACK_SIZE);
	for (lm_u32 i = 0; i < STARTER_FRAMES; i++)
		if (!lm_cnode_move(b->p->cnode, starter + i, LM_SLOT_CNODE, starter + i))
			lm_slot_free(starter + i);

	for (lm_u64 k = 0; k < npages && !err; k++) {
		lm_u64 va = (lm_u64)__lm_private_start + k * PAGE;
		lm_cptr_t dst = 0;

		lm_vspace_unmap(b->fill[k]);
		for (lm_u32 i = 0; i < nsegs && !dst; i++)
			if (segs[i].frames && va - segs[i].r.base < segs[i].r.size)
				dst = segs[i].frames[(va - segs[i].r.base) / PAGE];
		err = dst ? give_mapped(b, b->fill[k], dst, va, LM_R_READ | LM_R_WRITE) : LM_ENOENT;
		if (!err)
			lm_slot_free(b->fill[k]);
	}
	return err;
}

/* Our writable pages read-only (from now on a write copies), or back to
 * writable. The private pages stay writable throughout. */
static void protect_ours(int writable)
{
	lm_u64 ps = (lm_u64)__lm_private_start, pe = (lm_u64)__lm_private_end;

	for (lm_u32 i = 0; i < nsegs; i++) {
		struct seg *s = &segs[i];
		lm_u64 lo = s->r.base, hi = s->r.base + s->r.size;
		lm_u64 ro = writable ? s->rights : s->rights & ~(lm_u64)LM_R_WRITE;

		if (!s->frames || !(s->rights & LM_R_WRITE))
			continue;
		if (ps < hi && pe > lo) { /* around the private pages */
			if (ps > lo)
				lm_vm_protect_range(lo, (ps - lo) / PAGE, ro);
			if (hi > pe)
				lm_vm_protect_range(pe, (hi - pe) / PAGE, ro);
		} else {
			lm_vm_protect_range(lo, s->r.size / PAGE, ro);
		}
	}
}

/* A child is gone. When it was the last, no child sees our pages any
 * more: the pages kept for them go, and our own pages become writable
 * again one by one as they are written (cow_hook), not all at once. */
static void child_gone(void)
{
	if (fk.nchildren && --fk.nchildren)
		return;
	for (lm_u32 i = 0; i < fk.nretired; i++)
		release(fk.retired[i]);
	fk.nretired = 0;
	for (lm_u32 i = 0; i < LM_SLOTS_MAX / 64; i++)
		fk.shared[i] = 0;
}

static int start_child(struct build *b, const struct lm_regs *saved)
{
	struct lm_regs r = *saved, self;
	struct lm_thread_info ti;
	int err;

	if ((err = lm_thread_read_regs(LM_SLOT_TCB, &self)) ||
	    (err = lm_thread_info(LM_SLOT_TCB, &ti)))
		return err;
	r.rax = 0;
	r.rflags = 0x202;
	r.fs_base = self.fs_base;
	r.gs_base = self.gs_base;
	if ((err = lm_thread_write_regs(b->p->tcb, &r)) ||
	    (err = lm_thread_set_exception(b->p->tcb, (lm_u64)lm_exc_entry,
					   (lm_u64)fk.exc_stack + EXC_STACK_SIZE, EXC_STACK_SIZE)) ||
	    (err = lm_thread_set_priority(b->p->tcb, ti.priority)))
		return err;
	return lm_thread_resume(b->p->tcb);
}

static int fork_parent(struct lm_proc *p, const struct lm_regs *saved)
{
	static struct build b; /* large; one fork at a time */
	int err;

	if ((err = setup()))
		return err;
	b = (struct build){ .p = p };
	*p = (struct lm_proc){ 0 };
	lm_slots.hint = lm_slots.first; /* first fit: low slots (child_cnode_bits) */
	err = make_objects(&b);
	if (!err)
		err = share_segments(&b);
	if (!err)
		err = fill_private(&b);
	if (!err)
		err = lm_cnode_move(p->cnode, b.child_ut, LM_SLOT_CNODE, b.child_ut);
	int counted = !err;
	if (!err) {
		/* From here a page we copy may still be the child's: keep it. */
		fk.nchildren++;
		protect_ours(0);
		err = start_child(&b, saved);
	}
	if (!err)
		lm_slot_free(b.child_ut);
	lm_slot_free(b.up_slot); /* it is the child's slot */
	for (lm_u32 i = 0; i < b.nfill && err; i++)
		lm_slot_free(b.fill[i]);
	if (err) {
		if (p->ut) {
			lm_cnode_revoke(LM_SLOT_CNODE, p->ut);
			lm_cnode_delete(LM_SLOT_CNODE, p->ut);
			lm_slot_free(p->ut);
		}
		if (b.sh && b.new_shell)
			shell_destroy(b.sh);
		else if (b.sh)
			shell_put(b.sh); /* emptied and kept again */
		if (counted)
			child_gone();
		lm_slot_free(b.child_ut);
		*p = (struct lm_proc){ 0 };
		return err;
	}
	return LM_OK;
}

int lm_fork(struct lm_proc *p)
{
	struct lm_regs r;

	if (lm_fork_save(&r) == 0)
		return LM_FORK_CHILD;
	return fork_parent(p, &r);
}

/* ---- reaping ------------------------------------------------------------------ */

int lm_fork_wait(struct lm_proc *p, struct lm_thread_info *ti)
{
	int err = lm_thread_join(p->tcb, fk.stopped, ti);

	if (err)
		return err;
	struct shell *sh = 0;
	for (lm_u32 i = 0; i < MAX_SHELLS && !sh; i++)
		if (fk.shells[i].state == SHELL_USED && fk.shells[i].tcb == p->tcb)
			sh = &fk.shells[i];
	if (!sh)
		return LM_ENOENT; /* not a child of lm_fork */
	if ((err = lm_thread_suspend(p->tcb)))
		return err;
	/* Everything the child's memory made goes with one revoke; the
	 * untyped stays, whole, for the next child. */
	lm_u64 desc;
	if ((err = lm_cnode_revoke(LM_SLOT_CNODE, p->ut)) ||
	    (err = lm_cnode_identify(LM_SLOT_CNODE, p->ut, &desc, 0, 0)))
		return err;
	if (fk.nspare < MAX_SPARE) {
		fk.spare[fk.nspare].slot = p->ut;
		fk.spare[fk.nspare++].bits = LM_ID_BITS(desc);
	} else {
		lm_cnode_delete(LM_SLOT_CNODE, p->ut);
		lm_slot_free(p->ut);
	}
	shell_put(sh);
	*p = (struct lm_proc){ 0 };
	child_gone();
	return LM_OK;
}

void lm_fork_set_pool_bits(lm_u32 bits)
{
	fk.pool_bits = bits;
}

lm_u32 lm_fork_generation(void)
{
	return fk.gen;
}

lm_u32 lm_fork_retired(void)
{
	return fk.nretired;
}
