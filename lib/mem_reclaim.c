/*
 * Revocation, the library OS's side (lm/mem.h, protocol in
 * servers/mem/mem_proto.h): the account's page (requests and abort
 * records, written by the manager), answering a request by choosing chunks
 * to give back, and reading what was taken by force.
 *
 * The manager names chunks by physical address. Which virtual addresses
 * they back is this library's bookkeeping (lm_mem_track), told to the
 * manager (MEM_MAPPED) only so that abort records name them back: the
 * recovery trusts the record's vaddrs, not a second lookup.
 */
#include <lamina/bootinfo.h>
#include <lm/fork.h>
#include <lm/mem.h>
#include <lm/slot.h>
#include <lm/sys.h>
#include <lm/vspace.h>
#include <lm/vm.h>
#include "../servers/mem/mem_proto.h"
#include "mem_int.h"

_Static_assert(sizeof(struct lm_mem_abort) == sizeof(struct mem_abort_rec), "one record");

static lm_cptr_t reg_acct LM_PRIVATE;
static const volatile struct mem_page *page LM_PRIVATE;
static lm_u64 seen_seq LM_PRIVATE, seen_lost LM_PRIVATE;
/* the page's abort_seq at registration (lm_mem_taken_ever) */
static lm_u64 reg_seq LM_PRIVATE;
/* lm_mem_service's marks: the request and the records last dealt with */
static lm_u64 seen_req LM_PRIVATE, seen_abort LM_PRIVATE;
static lm_mem_reclaim_fn reclaim_fn LM_PRIVATE;
static struct lm_mem_map *maps LM_PRIVATE;

static int call(lm_cptr_t acct, lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 *r)
{
	const lm_u64 w[3] = { w0, w1, w2 };
	struct lm_msg m;
	int err = mem_call(acct, 0, label, w, 0, 0, &m);

	if (!err && r)
		*r = m.w[0];
	return err;
}

int lm_mem_register(lm_cptr_t acct, struct lm_ipc_buffer *ib, lm_cptr_t ntf, lm_cptr_t dst,
		    lm_u64 vaddr)
{
	const lm_u64 w[3] = { 0 };
	struct lm_msg m;
	int err;

	if (!ib)
		return LM_EFAULT;
	if ((err = mem_call(acct, ib, MEM_REGISTER, w, ntf, dst, &m)))
		return err;
	if (LM_MSG_NCAPS(m.info) != 1)
		return LM_ECAP;
	if ((err = lm_map_page(LM_SLOT_VSPACE, dst, vaddr, LM_R_READ)))
		return err;
	reg_acct = acct;
	page = (const volatile struct mem_page *)vaddr;
	seen_seq = page->abort_seq;
	seen_lost = page->abort_lost;
	reg_seq = seen_seq;
	seen_abort = seen_seq;
	seen_req = 0; /* a request made before is answered at the next look */
	return LM_OK;
}

int lm_mem_request(lm_cptr_t acct, lm_u64 badge, lm_u64 chunks, lm_u64 deadline,
		   lm_u64 *asked)
{
	return call(acct, MEM_REQUEST, badge, chunks, deadline, asked);
}

int lm_mem_enforce(lm_cptr_t acct, lm_u64 badge, lm_u64 *taken)
{
	return call(acct, MEM_ENFORCE, badge, 0, 0, taken);
}

int lm_mem_return(lm_cptr_t acct, lm_u64 paddr, lm_u64 *owed)
{
	return call(acct, MEM_RETURN, paddr, 0, 0, owed);
}

int lm_mem_ack(lm_cptr_t acct, lm_u64 seq, lm_u64 *left)
{
	return call(acct, MEM_ACK, seq, 0, 0, left);
}

lm_u64 lm_mem_wanted(void)
{
	return page ? page->req_chunks : 0;
}

int lm_mem_taken_ever(void)
{
	/* abort_seq counts every chunk taken, its record written or lost */
	return page && page->abort_seq != reg_seq;
}

/* ---- the library OS's bookkeeping --------------------------------------- */

int lm_mem_track(struct lm_mem_map *m)
{
	lm_u64 runs;
	int err = LM_OK;

	m->taken = 0;
	m->declared = 0;
	m->next = maps;
	maps = m;
	if (reg_acct && page) {
		err = call(reg_acct, MEM_MAPPED, m->chunk + ((lm_u64)m->first << LM_PAGE_BITS),
			   m->vaddr, m->npages, &runs);
		m->declared = !err;
	}
	return err;
}

void lm_mem_untrack(struct lm_mem_map *m)
{
	if (m->declared && reg_acct && !m->taken)
		call(reg_acct, MEM_MAPPED, m->chunk, m->vaddr, 0, 0);
	m->declared = 0;
	for (struct lm_mem_map **p = &maps; *p; p = &(*p)->next)
		if (*p == m) {
			*p = m->next;
			return;
		}
}

struct lm_mem_map *lm_mem_lookup(lm_u64 vaddr)
{
	for (struct lm_mem_map *m = maps; m; m = m->next)
		if (vaddr - m->vaddr < m->npages * LM_PAGE_SIZE)
			return m;
	return 0;
}

/* Chunk paddr left us: a pool chunk leaves the pool (its slot is empty
 * now). */
static void pool_gone(lm_u64 paddr)
{
	for (int i = 0; i < MEM_HELD_MAX; i++)
		if (mem_held[i].slot && mem_held[i].paddr == paddr) {
			lm_pool_remove(lm_pool_current(), mem_held[i].slot);
			lm_cnode_delete(LM_SLOT_CNODE, mem_held[i].slot);
			lm_slot_free(mem_held[i].slot);
			mem_held[i].slot = 0;
		}
}

/* Chunk paddr left us (given back, or a record names it alone): its maps
 * are marked (all of them, or only those it does not know the runs of). */
static void chunk_gone(lm_u64 paddr, int undeclared_only)
{
	for (struct lm_mem_map *m = maps; m; m = m->next)
		if (m->chunk == paddr && !(undeclared_only && m->declared))
			m->taken = 1;
	pool_gone(paddr);
}

/* A record's run: the maps overlapping npages pages at vaddr are taken
 * (the record's word; the bookkeeping's chunk is not consulted). */
static void run_gone(lm_u64 vaddr, lm_u64 npages, lm_u64 chunk)
{
	lm_u64 len = npages * LM_PAGE_SIZE;

	for (struct lm_mem_map *m = maps; m; m = m->next)
		if (m->vaddr < vaddr + len && vaddr < m->vaddr + m->npages * LM_PAGE_SIZE)
			m->taken = 1;
	pool_gone(chunk);
}

/* ---- answering a request ------------------------------------------------- */

lm_mem_reclaim_fn lm_mem_set_reclaim(lm_mem_reclaim_fn fn)
{
	lm_mem_reclaim_fn was = reclaim_fn;

	reclaim_fn = fn;
	return was;
}

/* How cold a tracked map is: -1 if it may not be given back (pinned, or a
 * page dirty: its data would be lost), else its pages accessed since the
 * last look (whose accessed bits are cleared: the next look sees only
 * what was touched meanwhile, a clock's second chance). */
static long coldness(const struct lm_mem_map *m)
{
	long hot = 0;

	if (m->pinned || m->taken)
		return -1;
	for (lm_u64 k = 0; k < m->npages; k++) {
		lm_u64 st = 0, rights;

		if (lm_vspace_page_state(LM_SLOT_VSPACE, m->vaddr + k * LM_PAGE_SIZE,
					 LM_PG_ACCESSED, &st, &rights))
			continue; /* not mapped: nothing to lose */
		if (st & LM_PG_DIRTY)
			return -1;
		hot += (st & LM_PG_ACCESSED) != 0;
	}
	return hot;
}

/* The default choice, after the application's: pool chunks nothing was
 * made from (nothing to lose), then the tracked chunks whose pages are all
 * clean and unpinned, the least recently used first. */
static lm_u64 pick_default(lm_u64 want, lm_u64 *out, lm_u64 n, lm_u64 max)
{
	for (int i = MEM_HELD_MAX - 1; i >= 0 && n < want && n < max; i--) {
		lm_u64 desc, extra;

		if (mem_held[i].slot &&
		    !lm_cnode_identify(LM_SLOT_CNODE, mem_held[i].slot, &desc, 0, &extra) &&
		    extra == 1ull << LM_MEM_CHUNK_BITS)
			out[n++] = mem_held[i].paddr;
	}
	while (n < want && n < max) {
		struct lm_mem_map *best = 0;
		long best_hot = 0;

		for (struct lm_mem_map *m = maps; m; m = m->next) {
			long hot = coldness(m);
			int dup = 0;

			for (lm_u64 k = 0; k < n; k++)
				dup |= out[k] == m->chunk;
			if (hot >= 0 && !dup && (!best || hot < best_hot)) {
				best = m;
				best_hot = hot;
			}
		}
		if (!best)
			break;
		out[n++] = best->chunk;
	}
	return n;
}

int lm_mem_reclaim(lm_u64 *returned)
{
	lm_u64 chosen[LM_MEM_RECLAIM_MAX], n = 0, done = 0, owed;
	lm_u64 want = lm_mem_wanted();
	int err = LM_OK;

	if (!page)
		return LM_ENOENT;
	if (want > LM_MEM_RECLAIM_MAX)
		want = LM_MEM_RECLAIM_MAX;
	if (want && reclaim_fn)
		n = reclaim_fn(want, chosen, want);
	if (n > want)
		n = want;
	n = pick_default(want, chosen, n, LM_MEM_RECLAIM_MAX);
	/* A chunk the manager refuses (the hook named one not ours) is
	 * skipped: the first such error is returned, the others still go. */
	for (lm_u64 k = 0; k < n; k++) {
		int e = lm_mem_return(reg_acct, chosen[k], &owed);

		if (e) {
			err = err ? err : e;
			continue;
		}
		chunk_gone(chosen[k], 0);
		done++;
	}
	if (returned)
		*returned = done;
	return err;
}

/* ---- the abort record ---------------------------------------------------- */

int lm_mem_aborts(struct lm_mem_abort *out, lm_u64 max, lm_u64 *n, lm_u64 *lost)
{
	lm_u64 got = 0, last = seen_seq, left;
	int err;

	if (!page)
		return LM_ENOENT;
	/* Records past max stay in the page for the next call. */
	for (lm_u64 k = 0; k < page->nrec && k < MEM_NREC && got < max; k++) {
		struct lm_mem_abort r = { page->rec[k].seq, page->rec[k].paddr,
					  page->rec[k].vaddr, page->rec[k].npages };

		if (r.seq <= seen_seq)
			continue;
		if (r.npages)
			run_gone(r.vaddr, r.npages, r.paddr & ~((1ull << LM_MEM_CHUNK_BITS) - 1));
		else
			chunk_gone(r.paddr, 1);
		out[got++] = r;
		last = r.seq;
	}
	lm_u64 l = page->abort_lost;
	*lost = l - seen_lost;
	seen_lost = l;
	seen_seq = last;
	*n = got;
	if ((err = lm_mem_ack(reg_acct, last, &left)))
		return err;
	return LM_OK;
}

/* ---- a library OS's safe point --------------------------------------------- */

static __attribute__((noinline)) int service(lm_u64 *returned, lm_u64 *taken);

/* The usual case, nothing new on the page, is two loads and two compares
 * with no frame: a library OS calls this at every safe point (the Linux
 * personality at every system call's end). */
int lm_mem_service(lm_u64 *returned, lm_u64 *taken)
{
	if (!page)
		return LM_ENOENT;
	if (page->req_seq != seen_req || page->abort_seq != seen_abort)
		return service(returned, taken);
	if (returned)
		*returned = 0;
	if (taken)
		*taken = 0;
	return LM_OK;
}

static int service(lm_u64 *returned, lm_u64 *taken)
{
	struct lm_mem_abort recs[8];
	lm_u64 ret = 0, got = 0, n, lost;
	int err = LM_OK, e;

	lm_u64 req = page->req_seq;
	if (req != seen_req) {
		seen_req = req;
		if (page->req_chunks) {
			/* Frames made ahead go first: a chunk they held may
			 * then be whole again, given back with nothing lost. */
			lm_vm_trim();
			err = lm_mem_reclaim(&ret);
		}
	}
	lm_u64 seq = page->abort_seq;
	if (seq != seen_abort) {
		seen_abort = seq;
		/* Bounded: the page holds at most MEM_NREC records. */
		for (int k = 0; k <= MEM_NREC / 8; k++) {
			if ((e = lm_mem_aborts(recs, 8, &n, &lost))) {
				err = err ? err : e;
				break;
			}
			got += n + lost;
			if (n < 8)
				break;
		}
		lm_vm_frames_gone();
	}
	if (returned)
		*returned = ret;
	if (taken)
		*taken = got;
	return err;
}

/* ---- fork ------------------------------------------------------------------ */

/* The child's copy of this state (its private pages, at +delta from ours,
 * written by lm_fork before it runs): the registration, the tracked maps
 * and the chunks the pool grew by are ours, not its own (the page is not
 * mapped in it, the chunks are not its account's): it starts with none and
 * registers its own account. The hook stays (code, not state). */
void lm_mem_fork_patch(lm_u64 delta)
{
	*(lm_cptr_t *)((char *)&reg_acct + delta) = 0;
	*(const volatile struct mem_page **)((char *)&page + delta) = 0;
	*(struct lm_mem_map **)((char *)&maps + delta) = 0;
	*(lm_u64 *)((char *)&seen_req + delta) = 0;
	lm_mem_fork_patch_early(delta);
	for (int i = 0; i < MEM_HELD_MAX; i++)
		((struct mem_held *)((char *)&mem_held[i] + delta))->slot = 0;
}
