/* liblamina's fork: the write fault (copy on write, on reference) and the
 * server a process's children ask for frames (lm/fork.h). */
#include "fork_int.h"

/* A frame nobody maps any more. One of the library's goes to the next
 * copy (a copy overwrites all of it, so it needs no zeroing): the pages a
 * process writes after every fork cycle through the same few frames
 * instead of spreading over new ones. */
void fork_release(lm_cptr_t f)
{
	if (fk.nrecycled < MAX_RECYCLED && lm_vm_frame_is_ours(f))
		fk.recycled[fk.nrecycled++] = f;
	else
		lm_vm_frame_put(f);
}

/* A frame to copy a page into: one kept, or a new one from the program's
 * supply or, for the library OS's own pages (own), from its own supply
 * (lm_vm_own_frame_get), never one of the program's chunks. */
static int copy_target(lm_cptr_t *f, int own)
{
	if (fk.nrecycled && !(own && lm_vm_frame_is_prog(fk.recycled[fk.nrecycled - 1]))) {
		*f = fk.recycled[--fk.nrecycled];
		return LM_OK;
	}
	return own ? lm_vm_own_frame_get(f) : lm_vm_frame_get(f);
}

/* An on-demand page released (lm_vm_anon_release): still mapped, unlike
 * a page replaced by a copy. */
void fork_release_mapped(lm_cptr_t f)
{
	lm_vspace_unmap(f);
	fork_drop(f);
}

/* A page replaced by a copy, or released: children may still map it, or
 * ask for it, until they are reaped. */
void fork_drop(lm_cptr_t f)
{
	if (!fk.nchildren)
		fork_release(f);
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
	err = lm_ep_call(fk.up_ep, LM_MSG_INFO(FORK_FETCH, 1, 0), s, 0, 0, 0, &m);
	return err ? err : (int)m.w[0];
}

/* The kernel says whether slot f is empty (one CNODE_IDENTIFY, where
 * unmapping and deleting were two calls and the library's bookkeeping):
 * whatever put a frame there, or did not, nothing else is trusted. */
int lm_fork_forget(lm_cptr_t f)
{
	lm_u64 desc;

	if (!fk.gen || fk.nchildren || f < lm_slots.first || f >= lm_slots.end ||
	    !bit_test(lm_slots.used, f) || lm_vm_frame_is_ours(f) ||
	    lm_cnode_identify(LM_SLOT_CNODE, f, &desc, 0, 0) || LM_ID_TYPE(desc) != LM_OBJ_NULL)
		return 0; /* a slot not ours in use (nothing to forget) or holding something */
	lm_slot_free(f);
	return 1;
}

/* A child (badge: its shell, 1-based) asks for the frame in slot s. It
 * gets only what its share record holds, the frames of writable pages at
 * its own fork, each once, and only to map read-only (plus executable
 * where the page is): it copies a page before it writes it, so it never
 * needs to write ours. One we have not got ourselves yet is asked of our
 * own parent first (whose record for us holds it: our pages at our fork).
 * O(1) work whatever is asked: a bit test, at most one request up, one
 * copy. */
static lm_u64 serve(lm_u64 badge, lm_u64 s)
{
	struct shell *sh = badge - 1 < MAX_SHELLS ? &fk.shells[badge - 1] : 0;
	struct share_rec *rec;
	lm_u64 desc;
	int err;

	if (!sh || sh->state != SHELL_USED)
		return LM_ESTATE;
	rec = share_rec_of(sh);
	if (s >= share_rec_slots(sh) || !bit_test(rec->shared, s))
		return LM_ERIGHTS; /* never shared with it, or served already */
	rec->shared[s / 64] &= ~(1ull << (s % 64));
	fork_hot_note(s);
	if (lm_cnode_identify(LM_SLOT_CNODE, s, &desc, 0, 0) || LM_ID_TYPE(desc) == LM_OBJ_NULL)
		if ((err = lm_fork_fetch(s)))
			return (lm_u64)err;
	return (lm_u64)lm_cnode_copy(sh->cnode, s, LM_SLOT_CNODE, s,
				     LM_R_READ | (bit_test(rec->exec, s) ? LM_R_EXEC : 0));
}

/* Slot s was asked for: it joins the hot slots, in place of one taken
 * round the log in turn when they are MAX_HOT (their order is of no
 * account: give_hot goes through them all). */
void fork_hot_note(lm_u64 s)
{
	if (s >= LM_SLOTS_MAX)
		return;
	if (fk.nhot < MAX_HOT)
		fk.hot[fk.nhot++] = (lm_u16)s;
	else
		fk.hot[fk.hot_next++ % MAX_HOT] = (lm_u16)s;
}

/* One request at a time: lm_fork_wait's FORK_SYNC returns only when a
 * request that came before it is finished, so a child being reaped has
 * none half done (the server would finish it in the place's next child). */
static lm_word_t server_main(lm_word_t arg)
{
	struct lm_msg m;

	lm_ep_recv(fk.own_ep, &m);
	for (;;) {
		lm_u64 label = LM_MSG_LABEL(m.info), reply = 0, r;

		if (m.badge && label == FORK_FETCH) {
			r = serve(m.badge, m.w[0]);
		} else if (!m.badge && label == FORK_SYNC) {
			r = LM_OK;
		} else {
			reply = FORK_REFUSED;
			r = LM_EINVAL;
		}
		lm_ep_reply_recv(fk.own_ep, LM_MSG_INFO(reply, 1, 0), r, 0, 0, 0, &m);
	}
	return 0;
}

/* Wait until the server has finished whatever it was asked before now. */
void fork_server_sync(void)
{
	struct lm_msg m;

	lm_ep_call(fk.own_ep, LM_MSG_INFO(FORK_SYNC, 0, 0), 0, 0, 0, 0, &m);
}

/* The first fork: the endpoint and the thread that serve the children. */
int fork_server_start(void)
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

static int fork_copy(lm_u64 page, lm_u64 rights, lm_cptr_t old, lm_cptr_t *frame, int own);

int fork_cow_hook(struct lm_vm_region *r, const struct lm_vm_fault *f)
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

		/* Not even the capability yet; but a frame of our own that is
		 * gone was taken by force, never our parent's to give. */
		if (err == LM_ECAP && !lm_vm_frame_is_ours(old) && !lm_fork_fetch(old))
			err = map_here(old, page, ro);
		if (err)
			return LM_VM_PASS;
		/* A write goes on to its copy now rather than at a second
		 * fault when it is retried (every page a child writes first). */
		if (f->access != LM_VM_WRITE || !(rights & LM_R_WRITE))
			return LM_VM_HANDLED;
	} else if (f->access != LM_VM_WRITE || !(rights & LM_R_WRITE)) {
		return LM_VM_PASS;
	}
	/* No child left and the frame is ours, not our parent's: nobody else
	 * can see the page, so it just becomes writable again. */
	if (!fk.nchildren && (fk.gen == 0 || lm_vm_frame_is_ours(old)) &&
	    !lm_vspace_protect(LM_SLOT_VSPACE, page, 1, rights, 0))
		return LM_VM_HANDLED;
	if (fork_copy(page, rights, old, &nf, 1))
		return LM_VM_PASS;
	*slot = nf;
	return LM_VM_HANDLED;
}

/* The copy of page (frame old) into a new frame, mapped there with
 * rights; own: a page of the library OS's own (copy_target). */
static int fork_copy(lm_u64 page, lm_u64 rights, lm_cptr_t old, lm_cptr_t *frame, int own)
{
	lm_u64 ro = rights & ~(lm_u64)LM_R_WRITE;
	lm_cptr_t nf;
	int err;

	if ((err = copy_target(&nf, own)))
		return err;
	if ((err = map_here(nf, COPY_WINDOW, LM_R_READ | LM_R_WRITE))) {
		fork_release(nf);
		return err;
	}
	memcpy((void *)COPY_WINDOW, (const void *)page, PAGE);
	lm_vspace_unmap(nf);
	lm_vspace_unmap(old);
	if ((err = lm_vspace_map(LM_SLOT_VSPACE, nf, page, rights))) {
		lm_vspace_map(LM_SLOT_VSPACE, old, page, ro);
		fork_release(nf);
		return err;
	}
	fork_drop(old);
	*frame = nf;
	return LM_OK;
}

int lm_fork_copy(lm_u64 page, lm_u64 rights, lm_cptr_t old, lm_cptr_t *frame)
{
	return fork_copy(page, rights, old, frame, 0);
}

void lm_fork_retire(lm_cptr_t f)
{
	fork_drop(f);
}

int lm_fork_owns(lm_cptr_t f)
{
	return fk.gen == 0 || lm_vm_frame_is_ours(f);
}
