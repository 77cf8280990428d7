/*
 * Visible revocation (mem.h, protocol in mem_proto.h, docs/DESIGN.md
 * "Revocation"): the manager asks an account's holder for chunks back
 * (MEM_REQUEST writes the account's page and signals its notification),
 * the holder chooses which and returns them (MEM_RETURN), and when the
 * deadline has passed (the manager's clock, revoke_sweep; or MEM_ENFORCE
 * from an account above: it passes now) the manager
 * takes what is still owed by force and writes abort records in the page
 * (per run of frames the holder said it mapped, mapped.c, or per chunk),
 * so the holder learns exactly what it lost.
 *
 * The page is a frame of the manager's own memory (never of a lent chunk,
 * which a revoke could take from under us), mapped here at MEM_PAGE_VA +
 * index * 4 KiB and made at the first MEM_REGISTER of that table index;
 * holders get read-only copies of it, revoked when the account ends.
 */
#include "mem.h"
#include <lm/string.h>

LM_STATIC_ASSERT(sizeof(struct mem_page) == LM_PAGE_SIZE, "the page is one frame");

static void tell(struct account *a)
{
	if (a->ntf)
		lm_ntfn_signal(a->ntf);
}

static int page_make(struct account *a)
{
	lm_u64 va = MEM_PAGE_VA + (lm_u64)account_index(a) * LM_PAGE_SIZE;
	lm_cptr_t f;
	int err;

	if (a->page)
		return LM_OK;
	if ((err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f)))
		return err;
	if ((err = lm_map_page(LM_SLOT_VSPACE, f, va, LM_R_READ | LM_R_WRITE))) {
		lm_obj_free(f);
		return err;
	}
	a->frame = f;
	a->page = (struct mem_page *)va;
	return LM_OK;
}

/* ntf: the notification received (our slot, kept on success); dst: our
 * empty slot for the page's read-only copy (moved by the reply). */
long revoke_register(struct account *a, lm_cptr_t ntf, lm_cptr_t dst)
{
	lm_u64 desc;
	int err;

	if (!ntf || lm_cnode_identify(LM_SLOT_CNODE, ntf, &desc, 0, 0) ||
	    LM_ID_TYPE(desc) != LM_OBJ_NOTIFY)
		return -LM_ETYPE;
	if ((err = page_make(a)) ||
	    (err = lm_cnode_copy(LM_SLOT_CNODE, dst, LM_SLOT_CNODE, a->frame, LM_R_READ)))
		return -err;
	lm_cptr_t s = a->ntf ? a->ntf : lm_slot_alloc();
	if (!s)
		return -LM_ELIMIT;
	lm_cnode_delete(LM_SLOT_CNODE, s);
	if ((err = lm_cnode_move(LM_SLOT_CNODE, s, LM_SLOT_CNODE, ntf))) {
		if (!a->ntf)
			lm_slot_free(s);
		a->ntf = 0;
		return -err;
	}
	a->ntf = s;
	return 0;
}

/* a's chunks that may be taken by force. */
static lm_u32 revocable(const struct account *a)
{
	lm_u32 n = 0;

	for (lm_u16 i = a->head; i != NONE; i = chunks[i].next)
		n += !chunks[i].guaranteed;
	return n;
}

/* w[0] = badge below a, w[1] = chunks, w[2] = deadline. */
long revoke_request(struct account *a, const lm_u64 w[4])
{
	long err;
	struct account *t = account_below(a, w[0], &err);

	if (!t)
		return err;
	if (w[1] == 0)
		return -LM_ERANGE;
	lm_u32 n = revocable(t);
	t->owed = w[1] < n ? (lm_u32)w[1] : n;
	t->deadline = t->owed ? w[2] : 0;
	clock_arm(t->deadline);
	if (t->page) {
		t->page->req_chunks = t->owed;
		t->page->req_deadline = w[2];
		t->page->req_seq++;
	}
	tell(t);
	return t->owed;
}

/* Chunk i leaves a: revoked, uncharged, out of what a owes. */
static void give_back(struct account *a, lm_u16 i)
{
	if (chunks[i].guaranteed) /* a's guarantee, or one above (MEM_GROW_SHARED) */
		accounts[chunks[i].gfrom].gused--;
	chunk_take(a, i);
	a->own--;
	account_charge(a, -1);
	if (a->owed)
		a->owed--;
	if (a->page)
		a->page->req_chunks = a->owed;
}

long revoke_return(struct account *a, lm_u64 paddr)
{
	for (lm_u16 i = a->head; i != NONE; i = chunks[i].next)
		if (chunks[i].paddr == paddr) {
			give_back(a, i);
			return a->owed;
		}
	return -LM_ENOENT;
}

/* One record in a's page, or one more lost. */
static void record(struct mem_page *p, struct mem_abort_rec r)
{
	r.seq = ++p->abort_seq;
	if (p->nrec == MEM_NREC) {
		p->abort_lost++;
		return;
	}
	p->rec[p->nrec] = r;
	__asm__ volatile("" ::: "memory"); /* a reader trusts rec[] below nrec */
	p->nrec++;
}

/* Chunk i was taken from a by force: a record per run the holder
 * declared (mapped.c; still in runs[] until the chunk is lent again), in
 * their order, or one naming the chunk alone. */
static void record_chunk(struct account *a, lm_u16 i)
{
	struct mem_page *p = a->page;

	if (!p)
		return;
	if (!chunks[i].nruns)
		record(p, (struct mem_abort_rec){ .paddr = chunks[i].paddr });
	for (lm_u8 k = 0; k < chunks[i].nruns; k++)
		record(p, (struct mem_abort_rec){
			.paddr = chunks[i].paddr + ((lm_u64)runs[i][k].first << LM_PAGE_BITS),
			.vaddr = runs[i][k].vaddr, .npages = runs[i][k].pages });
}

/* t's deadline passed: what it still owes is taken by force. */
static lm_u32 enforce(struct account *t)
{
	static lm_u16 list[MEM_MAX_CHUNKS];
	lm_u32 taken = 0;

	/* The newest first; at most what is owed, each a revoke. */
	for (lm_u32 n = chunk_list(t, list); n-- > 0 && t->owed;) {
		if (chunks[list[n]].guaranteed)
			continue;
		give_back(t, list[n]);
		record_chunk(t, list[n]);
		taken++;
	}
	t->owed = 0;
	t->deadline = 0;
	if (t->page)
		t->page->req_chunks = 0;
	if (taken)
		tell(t);
	return taken;
}

long revoke_enforce(struct account *a, lm_u64 badge)
{
	long err;
	struct account *t = account_below(a, badge, &err);

	return t ? (long)enforce(t) : err;
}

/* Before each message and when the timer server fires: every deadline
 * that passed is enforced (a table scan, and a revoke per chunk owed), the
 * timer armed for the earliest one left. */
void revoke_sweep(void)
{
	lm_u64 now = clock_now(), next = 0;

	for (lm_u32 i = 0; i < MEM_MAX_ACCOUNTS; i++) {
		struct account *t = &accounts[i];

		if (!t->live || !t->owed || !t->deadline)
			continue;
		if (t->deadline <= now)
			enforce(t);
		else if (!next || t->deadline < next)
			next = t->deadline;
	}
	clock_arm(next);
}

long revoke_ack(struct account *a, lm_u64 seq)
{
	struct mem_page *p = a->page;
	lm_u64 k = 0;

	if (!p)
		return -LM_ENOENT;
	while (k < p->nrec && p->rec[k].seq <= seq)
		k++;
	memmove(p->rec, p->rec + k, (p->nrec - k) * sizeof p->rec[0]);
	p->nrec -= k;
	return (long)p->nrec;
}

/* a ends: holders lose the page (its copies revoked, unmapped wherever they
 * were mapped); it is zeroed for the next account at this index. */
void revoke_forget(struct account *a)
{
	if (a->page) {
		lm_cnode_revoke(LM_SLOT_CNODE, a->frame);
		memset(a->page, 0, sizeof *a->page);
	}
	if (a->ntf) {
		lm_cnode_delete(LM_SLOT_CNODE, a->ntf);
		lm_slot_free(a->ntf);
		a->ntf = 0;
	}
	a->owed = 0;
	a->deadline = 0;
}
