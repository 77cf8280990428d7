/*
 * Endpoints: synchronous rendezvous IPC. A sender and a receiver meet;
 * the message goes straight from one to the other (registers, then the
 * IPC buffer, copied once), and nothing is buffered in the kernel. A call
 * leaves the caller waiting for a reply that only the receiving thread can
 * give, once (reply_to / replier).
 *
 * kernel/models/ipc.pml models call, receive, reply, reply-receive, the
 * bound notification, fault IPC and deletion for SPIN
 * (tests/assurance/spin.sh, docs/ASSURANCE.md): keep the two in step.
 */
#include <lamina/syscall.h>
#include <lamina/exception.h>
#include "arch.h"
#include "cnode.h"
#include "ipc.h"
#include "syscall.h"

static struct lm_ipc_buffer *ipc_buffer(struct tcb *t)
{
	return t->ipcbuf.cap.type == LM_OBJ_FRAME ? phys_to_virt(t->ipcbuf.cap.obj) : NULL;
}

/* A capability slot in t's CSpace, or NULL. */
static struct slot *tcb_slot(struct tcb *t, u64 cptr)
{
	const struct cap *cs = &t->cspace.cap;
	if (cs->type != LM_OBJ_CNODE || cptr == 0 || cptr >= (1ull << cs->bits))
		return NULL;
	return (struct slot *)cs->obj + cptr;
}

static u64 transfer_caps(struct tcb *s, struct tcb *r, u64 info)
{
	struct lm_ipc_buffer *sb = ipc_buffer(s), *rb = ipc_buffer(r);
	u64 n = 0;
	if (!sb || !rb)
		return 0;
	/* Capabilities that vanished while the sender waited are skipped; so
	 * are receive slots that are not empty. */
	for (u64 i = 0; i < LM_MSG_NCAPS(info); i++) {
		struct slot *src = tcb_slot(s, sb->send_caps[i]);
		struct slot *dst = tcb_slot(r, rb->recv_slots[n]);
		if (!src || !dst || src->cap.type == LM_OBJ_NULL || dst->cap.type != LM_OBJ_NULL)
			continue;
		if (src->cap.flags & CAP_F_TCBSLOT)
			continue;
		rb->recv_badges[n] = src->cap.w2;
		cnode_mark(&r->cspace.cap, rb->recv_slots[n], 1);
		if (info & LM_MSG_MOVE) {
			cap_move(dst, src);
		} else if (cap_copyable(&src->cap)) {
			struct cap c = cap_derived(&src->cap, LM_R_ALL);
			cap_insert(dst, &c, src);
		} else {
			continue;
		}
		n++;
	}
	return n;
}

/*
 * Deliver s's message (info and words from its saved registers, the rest
 * from its IPC buffer) to r, with badge. r's call returns LM_OK.
 */
static void transfer(struct tcb *s, struct tcb *r, u64 badge, bool grant)
{
	const struct frame *sf = &s->frame;
	struct frame *rf = &r->frame;
	if (s->fault_ipc) { /* the message is the fault, not s's registers */
		rf->rdx = s->fault_kind;
		rf->r10 = s->fault_addr;
		rf->r8 = s->fault_error;
		rf->r9 = s->fault_rip;
		rf->rsi = LM_MSG_INFO(LM_FAULT_MSG, 4, 0);
		rf->rdi = badge;
		rf->rax = LM_OK;
		return;
	}
	u64 info = sf->rsi, len = LM_MSG_LEN(info), ncaps = 0;

	/* check_info passed this when s called, but a blocked sender's saved
	 * registers can be rewritten since (THREAD_WRITE_REGS): the length is
	 * bounded again here, where it is used. */
	if (len > LM_MSG_MAX_WORDS)
		len = LM_MSG_MAX_WORDS;
	if (len > LM_MSG_REG_WORDS) {
		struct lm_ipc_buffer *sb = ipc_buffer(s), *rb = ipc_buffer(r);
		if (sb && rb)
			memcpy(&rb->msg[LM_MSG_REG_WORDS], &sb->msg[LM_MSG_REG_WORDS],
			       (len - LM_MSG_REG_WORDS) * 8);
		else
			len = LM_MSG_REG_WORDS;
	}
	if (grant && LM_MSG_NCAPS(info))
		ncaps = transfer_caps(s, r, info);
	rf->rdx = sf->rdx;
	rf->r10 = sf->r10;
	rf->r8 = sf->r8;
	rf->r9 = sf->r9;
	rf->rsi = LM_MSG_INFO(LM_MSG_LABEL(info), len, ncaps);
	rf->rdi = badge;
	rf->rax = LM_OK;
}

/* Decode the message info of a send, call or reply. */
static u64 check_info(u64 info)
{
	if (LM_MSG_LEN(info) > LM_MSG_MAX_WORDS)
		return SYSERR(LM_ERANGE, 2);
	if (info & (LM_MSG_NOTIFY | 0xc080))
		return SYSERR(LM_EINVAL, 2);
	return LM_OK;
}

static u64 ep_lookup(struct frame *f, u8 rights, struct slot **s)
{
	return cap_lookup(ARG1(f), LM_OBJ_ENDPOINT, rights, 1, s);
}

/* r receives from caller s; a call leaves s waiting for r's reply. */
static always_inline void rendezvous(struct tcb *s, struct tcb *r, u64 badge, bool grant, bool call)
{
	transfer(s, r, badge, grant);
	if (call) {
		if (r->reply_to) /* a reply right it never used is lost */
			reply_drop(r);
		r->reply_to = s;
		r->borrowed = 0;
		s->replier = r;
		block_on(s, NULL, BLK_REPLY, r);
	}
}

/* s sends on ep (its registers, or its fault when s->fault_ipc): straight
 * to a waiting receiver, else onto the queue unless !block. False if it
 * neither met a receiver nor queued. Inlined with rendezvous into both
 * callers: as calls they cost the general path's round trip 41
 * instructions (ipc_rtt_len_16, measured when this was written). */
static always_inline bool send(struct tcb *s, struct endpoint *ep, u64 badge, bool grant,
			       bool call, bool block)
{
	if (ep->q_blocked == BLK_RECV && ep->q.head) {
		struct tcb *r = waitq_pop(&ep->q);
		r->blocked = BLK_NONE;
		rendezvous(s, r, badge, grant, call);
		if (call)
			sched_switch_to(r); /* the caller waits: run the server now */
		else
			sched_make_runnable(r);
		return true;
	}
	if (!block)
		return false;
	ep->q_blocked = BLK_SEND;
	s->ipc_badge = badge;
	s->ipc_grant = grant;
	s->ipc_call = call;
	block_on(s, &ep->q, BLK_SEND, ep);
	return true;
}

static u64 do_send(struct frame *f, bool block, bool call)
{
	struct slot *s;
	u64 e;
	if ((e = ep_lookup(f, LM_R_WRITE, &s)) || (e = check_info(ARG2(f))))
		return e;
	struct tcb *cur = cpu0.cur;
	struct endpoint *ep = (struct endpoint *)s->cap.obj;
	/* No receiver waits: one that would block enters its handler instead. */
	if (unlikely(cur->upcalls & LM_UPCALL_ON_BLOCK) && block &&
	    !(ep->q_blocked == BLK_RECV && ep->q.head))
		return upcall_blocked(cur, f->rax);
	if (!send(cur, ep, s->cap.w2, s->cap.rights & LM_R_GRANT, call, block))
		return SYSERR(LM_EAGAIN, 1);
	return LM_OK;
}

SYS(ep_send) { return do_send(f, true, false); }
SYS(ep_nbsend) { return do_send(f, false, false); }
SYS(ep_call) { return do_send(f, true, true); }

/* nr: the call to retry if it would block (EP_RECV for EP_REPLY_RECV's
 * receive half, whose reply is given). */
static u64 do_recv(struct frame *f, struct slot *s, u64 nr)
{
	struct tcb *cur = cpu0.cur;
	struct endpoint *ep = (struct endpoint *)s->cap.obj;

	if (notify_deliver_bound(cur))
		return LM_OK;
	if (ep->q_blocked == BLK_SEND && ep->q.head) {
		struct tcb *snd = waitq_pop(&ep->q);
		bool call = snd->ipc_call;
		snd->blocked = BLK_NONE;
		rendezvous(snd, cur, snd->ipc_badge, snd->ipc_grant, call);
		if (!call)
			sched_make_runnable(snd);
		return LM_OK;
	}
	if (unlikely(cur->upcalls & LM_UPCALL_ON_BLOCK))
		return upcall_blocked(cur, nr);
	ep->q_blocked = BLK_RECV;
	block_on(cur, &ep->q, BLK_RECV, ep);
	return LM_OK;
}

SYS(ep_recv)
{
	struct slot *s;
	u64 e = ep_lookup(f, LM_R_READ, &s);
	return e ? e : do_recv(f, s, LM_SYS_EP_RECV);
}

/*
 * A thread that faulted (t->fault_ipc) becomes a caller of its fault
 * endpoint: the pager receives the fault as a message and owes it a reply.
 * Returns false if t has no fault endpoint.
 */
bool fault_ipc_send(struct tcb *t, struct frame *f, u64 addr)
{
	const struct cap *c = &t->faultep.cap;
	if (c->type != LM_OBJ_ENDPOINT)
		return false;
	t->fault_kind = f->vector;
	t->fault_addr = addr;
	t->fault_error = f->error;
	t->fault_rip = f->rip;
	t->fault_ipc = true;
	if (fastpath_enabled && fastpath_fault(t, (struct endpoint *)c->obj, c->w2))
		return true;
	return send(t, (struct endpoint *)c->obj, c->w2, false, true, true);
}

/* The pager's answer to a fault message (include/lamina/exception.h). The
 * faulting thread's registers are untouched unless it is told a new rip. */
static bool fault_reply(struct tcb *pager, struct tcb *c)
{
	const struct frame *pf = &pager->frame;
	u64 label = LM_MSG_LABEL(pf->rsi), len = LM_MSG_LEN(pf->rsi);
	c->fault_ipc = false;
	if (label == LM_FAULT_RESUME_AT && len >= 1 && pf->rdx >= LM_USER_MIN &&
	    pf->rdx < LM_USER_MAX) {
		c->frame.rip = pf->rdx;
		return true;
	}
	if (label == LM_FAULT_RESUME)
		return true;
	thread_stop_fault(c, LM_FAULT_PAGER_REPLY);
	return false;
}

/* Give the caller its reply. Returns the caller to run, or NULL if there
 * was nobody to reply to (*replied false) or the reply stopped it;
 * *direct is false if the caller's slice is used up (sched_charge). */
static struct tcb *do_reply(struct tcb *cur, bool *replied, bool *direct)
{
	struct tcb *c = cur->reply_to;
	*replied = c != NULL;
	if (!c)
		return NULL;
	*direct = !sched_charge(cur, c);
	cur->reply_to = NULL;
	c->replier = NULL;
	c->blocked = BLK_NONE;
	if (c->fault_ipc)
		return fault_reply(cur, c) ? c : NULL;
	transfer(cur, c, 0, true);
	return c;
}

SYS(ep_reply)
{
	bool replied, direct;
	u64 e = check_info(ARG2(f));
	if (e)
		return e;
	struct tcb *c = do_reply(cpu0.cur, &replied, &direct);
	if (!replied)
		return SYSERR(LM_ESTATE, 0);
	if (c)
		sched_make_runnable(c);
	return LM_OK;
}

SYS(ep_reply_recv)
{
	struct tcb *cur = cpu0.cur, *c;
	struct slot *s;
	bool replied, direct;
	u64 e;
	if ((e = ep_lookup(f, LM_R_READ, &s)) || (e = check_info(ARG2(f))))
		return e;
	c = do_reply(cur, &replied, &direct);
	/* A reply that moved capabilities (from our IPC buffer, LM_MSG_MOVE)
	 * may have moved the endpoint's own away: the receive half then looks
	 * its slot up again rather than trust the first lookup. */
	if (!(ARG2(f) & LM_MSG_MOVE) || !LM_MSG_NCAPS(ARG2(f)) || !(e = ep_lookup(f, LM_R_READ, &s)))
		e = do_recv(f, s, LM_SYS_EP_RECV);
	if (c) {
		if (cur->state == LM_TS_BLOCKED && direct)
			sched_switch_to(c); /* the server waits: run the client now */
		else
			sched_make_runnable(c);
	}
	return e;
}

/* The last capability is gone: every waiter's call fails, as many as
 * *budget allows (cap.c): a process may queue thousands. True when none
 * is left. */
bool endpoint_finalise(struct objhdr *h, u32 *budget)
{
	struct endpoint *ep = (struct endpoint *)h;
	struct tcb *t;
	while ((t = ep->q.head)) {
		if (*budget < DRAIN_DELETE)
			return false;
		*budget -= DRAIN_DELETE;
		ipc_cancel(t, LM_EDELETED);
		if (t->state == LM_TS_INACTIVE)
			sched_make_runnable(t);
	}
	return true;
}
