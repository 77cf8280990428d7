/*
 * The IPC fast path: EP_CALL and EP_REPLY_RECV of a message without
 * capabilities. It is a copy of the general path's rules (endpoint.c) for the
 * common case, and returns NULL (false for a fault), changing nothing,
 * whenever any of its preconditions fails, so the general path handles
 * everything else:
 *
 *   - the capability is an endpoint with the right (WRITE to call, READ to
 *     receive), named by a valid slot of the caller's CSpace;
 *   - the message has no capabilities and no reserved info bits (words
 *     past the registers' go between the IPC buffers, as in endpoint.c);
 *   - call: a receiver is waiting, owes no other reply, and nothing ready
 *     outranks it;
 *   - reply-receive: the caller owes a reply to a thread waiting for it,
 *     no sender is queued on the endpoint, no bound notification is
 *     pending, no timer tick fell while it served the call (none to
 *     charge to the caller: sched_charge), and nothing ready outranks the
 *     caller being replied to; to a thread waiting on a fault message, the
 *     reply is a valid answer (LM_FAULT_RESUME, or LM_FAULT_RESUME_AT with
 *     a user rip: fault_reply in endpoint.c), which leaves its registers
 *     alone but for that rip;
 *   - fault (fault_ipc_send, t's fault recorded): a receiver waits on
 *     the fault endpoint, owes no other reply, and nothing ready outranks
 *     it; the fault becomes its message, t waits for the reply;
 *   - notification signal: no thread sleeps on a predicate it looks at
 *     (BPF_WAIT), and a thread is waiting (it gets the bits and joins the
 *     run queue, as in notify.c), or nobody waits and no thread is bound
 *     (the bits are kept);
 *   - notification wait: bits are pending (taken at once), or nobody else
 *     waits and some thread is ready to run instead of the caller.
 *
 * Then the message moves register to register (longer ones' other words
 * buffer to buffer) and the CPU switches
 * straight to the other thread: no run queue, no scheduler decision.
 *
 * What a fast path returns (entry.S acts on it):
 *   - NULL: it changed nothing, and the general path takes the call;
 *   - f, the caller's frame: its results are in f, and it leaves as after
 *     the general path: if it is still current, loading only its result
 *     registers (its callee-saved ones still live: the C code preserved
 *     them), else with its callee-saved registers stored into f and every
 *     register of the thread now current loaded from that one's own frame
 *     (a wait that blocked, a signal that woke a thread of higher
 *     priority, a reply that resumed a faulted thread);
 *   - FP_MSG(f) when the call delivered its message and another thread,
 *     the receiver, is current now: the caller's callee-saved registers
 *     go into f, and the receiver leaves with the message registers (rdx,
 *     r10, r8, r9) of f and every other register from its own frame. Its
 *     words were stored in f by the SYSCALL entry and nothing wrote them
 *     since, so they go from one thread's registers to the other's with
 *     one store and one load each, as in a path written in assembly.
 */
#include <lamina/syscall.h>
#include <lamina/exception.h>
#include "ipc.h"
#include "syscall.h"
#include "runq.h"
#include "entry.h"

bool fastpath_enabled = true;
static u64 fastpath_hits; /* calls the fast paths completed, for tests */

/* The message registers of frame s for the thread that is current now
 * (entry.S; the tag bit is free: frames are 8-byte aligned). */
#define FP_MSG(s) ((struct frame *)((uptr)(s) + 1))

/* The kinds of lookup, each with its type and right, and its entry in
 * tcb.fpc. */
enum { FPC_CALL, FPC_RECV, FPC_SIGNAL, FPC_WAIT };

/*
 * Capability cptr of cur's CSpace, if it is of type and has right: its
 * object and badge. The last lookup of each kind is kept in the thread
 * (tcb.fpc) and used again while no slot anywhere changed since (cap_epoch:
 * a capability cannot change type, rights, object or badge in place, nor
 * the thread's CSpace but through its slot), so that a thread calling
 * through the same capability again pays two compares for it. A cached
 * pointer is never 0 (slot 0 fails the full lookup).
 */
static always_inline bool fp_cap(struct tcb *cur, u64 cptr, int kind, u8 type, u8 right, u64 *obj,
				 u64 *badge)
{
	typeof(&cur->fpc[0]) k = &cur->fpc[kind];
	if (likely(k->epoch == cap_epoch && k->cptr == cptr)) {
		*obj = k->obj;
		*badge = k->badge;
		return true;
	}
	const struct cap *cs = &cur->cspace.cap;
	if (cptr == 0 || cptr >= (1ull << cs->bits))
		return false;
	const struct cap *c = &((struct slot *)cs->obj)[cptr].cap;
	if (c->type != type || !(c->rights & right))
		return false;
	k->epoch = cap_epoch;
	k->cptr = cptr;
	k->obj = *obj = c->obj;
	/* A signal through an unbadged capability sets bit 0 (notify.c):
	 * kept as the bits to set. */
	k->badge = *badge = kind == FPC_SIGNAL && !c->w2 ? 1 : c->w2;
	return true;
}

/* A message the fast paths take: no capabilities, no reserved bits, at
 * most LM_MSG_MAX_WORDS words. The usual one, a message of the registers'
 * words only, is one compare: its info's low 16 bits are its length
 * alone, at most LM_MSG_REG_WORDS. */
static always_inline bool fp_info_short(u64 info)
{
	return (u16)info <= LM_MSG_REG_WORDS;
}

static always_inline bool fp_info_ok(u64 info)
{
	return fp_info_short(info) ||
	       (LM_MSG_LEN(info) <= LM_MSG_MAX_WORDS && !(info & ~(~0ull << 16 | 0x7f)));
}

/* Words LM_MSG_REG_WORDS.. of a longer message, from thread s's IPC buffer
 * to r's, as the general path's transfer does; without both buffers the
 * message is cut to its register words. Returns the info r gets. Inline,
 * with the copy a string instruction rather than a call, so that the
 * usual short message keeps its registers. */
static always_inline u64 fp_copy_words(struct tcb *s, struct tcb *r, u64 info)
{
	struct lm_ipc_buffer *sb = ipc_buffer(s), *rb = ipc_buffer(r);
	u64 len = LM_MSG_LEN(info);
	if (!sb || !rb)
		return info - len + LM_MSG_REG_WORDS;
	u64 *d = &rb->msg[LM_MSG_REG_WORDS], n = len - LM_MSG_REG_WORDS;
	const u64 *src = &sb->msg[LM_MSG_REG_WORDS];
#ifndef __FRAMAC__
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
#else
	/* EVA cannot see what a string instruction writes: the same copy. */
	while (n--)
		*d++ = *src++;
#endif
	return info;
}

/* The message (its info passed fp_info_ok; longer than the registers'
 * words if longmsg, a constant) goes from thread s, whose frame is sf, to
 * thread r: the result, badge and info into r's frame; its four register
 * words stay in sf, for the exit (FP_MSG(sf)). */
static always_inline void fp_transfer(const struct frame *sf, struct tcb *s, struct tcb *r, u64 badge,
				      bool longmsg)
{
	struct frame *rf = &r->frame;
	u64 info = sf->rsi;
	if (longmsg)
		info = fp_copy_words(s, r, info);
	rf->rax = LM_OK;
	rf->rdi = badge;
	rf->rsi = info;
	r->blocked = BLK_NONE;
	r->state = LM_TS_RUNNABLE;
}

/* A fast path that leaves a reschedule due: schedule, then f, whether its
 * thread is still current or another one (which leaves with its own
 * registers). Out of line (a tail call), so that the usual path keeps no register
 * across it. */
static __attribute__((noinline)) struct frame *fp_resched(struct frame *f)
{
	schedule();
	return f;
}

/* r is the head of q: take it off (the common case of waitq_remove). The
 * usual queue of a fast path has r alone (one server on its endpoint, one
 * waiter on a notification), whose rq_next is then NULL already. */
static always_inline void fp_pop_head(struct waitq *q, struct tcb *r)
{
	struct tcb *n = r->rq_next;
	q->head = n;
	if (likely(!n)) {
		q->tail = NULL;
	} else {
		n->rq_prev = NULL;
		r->rq_next = NULL;
	}
	r->waitq = NULL;
}

/*
 * EP_CALL and EP_REPLY_RECV are each made twice from one body: for the
 * usual message of the registers' words (whose test of the info is all
 * the message costs), and out of line for a longer one (its further checks
 * and the copy between the IPC buffers, which also need registers the
 * short one keeps).
 */
static always_inline struct frame *fp_call(struct frame *f, bool longmsg)
{
	struct tcb *cur = cpu0.cur, *r;
	u64 badge;
	struct endpoint *ep;

	if (!fp_cap(cur, f->rdi, FPC_CALL, LM_OBJ_ENDPOINT, LM_R_WRITE, (u64 *)&ep, &badge) ||
	    ep->q_blocked != BLK_RECV || !(r = ep->q.head) || r->reply_to || sched_outranked(r))
		return NULL;
	fp_pop_head(&ep->q, r);
	fp_transfer(f, cur, r, badge, longmsg);
	r->reply_to = cur;
	r->borrowed = 0;
	cur->replier = r;
	cur->state = LM_TS_BLOCKED;
	cur->blocked = BLK_REPLY;
	cur->wait_obj = r;
	fastpath_hits++;
	switch_to(r);
	return FP_MSG(f);
}

static __attribute__((noinline)) struct frame *fastpath_call_long(struct frame *f)
{
	return fp_info_ok(f->rsi) ? fp_call(f, true) : NULL;
}

static struct frame *fastpath_call(struct frame *f)
{
	/* The message first: one the fast path cannot take costs no lookup. */
	if (unlikely(!fp_info_short(f->rsi)))
		return fastpath_call_long(f);
	return fp_call(f, false);
}

/* t, current, faulted; its fault goes to ep as a call (the general path:
 * send and transfer in endpoint.c). */
bool fastpath_fault(struct tcb *t, struct endpoint *ep, u64 badge)
{
	struct tcb *r;
	if (ep->q_blocked != BLK_RECV || !(r = ep->q.head) || r->reply_to || t->queued ||
	    sched_outranked(r))
		return false;
	fp_pop_head(&ep->q, r);
	struct frame *rf = &r->frame;
	rf->rax = LM_OK;
	rf->rdi = badge;
	rf->rsi = LM_MSG_INFO(LM_FAULT_MSG, 4, 0);
	rf->rdx = t->fault_kind;
	rf->r10 = t->fault_addr;
	rf->r8 = t->fault_error;
	rf->r9 = t->fault_rip;
	r->blocked = BLK_NONE;
	r->state = LM_TS_RUNNABLE;
	r->reply_to = t;
	r->borrowed = 0;
	t->replier = r;
	t->state = LM_TS_BLOCKED;
	t->blocked = BLK_REPLY;
	t->wait_obj = r;
	fastpath_hits++;
	switch_to(r);
	need_resched = false;
	return true;
}

static struct frame *fastpath_signal(struct frame *f)
{
	struct tcb *cur = cpu0.cur, *t;
	struct notify *n;
	u64 bits;
	bool outranks = false;
	if (!fp_cap(cur, f->rdi, FPC_SIGNAL, LM_OBJ_NOTIFY, LM_R_WRITE, (u64 *)&n, &bits))
		return NULL;
	if (n->preds)
		return NULL;
	if ((t = n->q.head)) {
		fp_pop_head(&n->q, t);
		t->frame.rax = LM_OK;
		t->frame.rdi = n->word | bits;
		t->frame.rsi = 0;
		t->blocked = BLK_NONE;
		n->word = 0;
		outranks = sched_wake(t, cur);
	} else if (!n->bound) {
		n->word |= bits;
	} else {
		return NULL;
	}
	f->rax = LM_OK;
	fastpath_hits++;
	if (unlikely(outranks) || unlikely(need_resched))
		return fp_resched(f); /* schedule() runs the woken thread first */
	return f;
}

static struct frame *fastpath_wait(struct frame *f)
{
	struct tcb *cur = cpu0.cur, *next;
	struct notify *n;
	u64 badge;
	if (!fp_cap(cur, f->rdi, FPC_WAIT, LM_OBJ_NOTIFY, LM_R_READ, (u64 *)&n, &badge))
		return NULL;
	if (n->word) {
		f->rax = LM_OK;
		f->rdi = n->word;
		n->word = 0;
		fastpath_hits++;
		return f;
	}
	if (n->q.head || !(next = sched_take_next_inline()))
		return NULL;
	f->rax = LM_OK;
	fastpath_hits++;
	cur->state = LM_TS_BLOCKED;
	cur->blocked = BLK_NTFN;
	cur->wait_obj = n;
	n->q.head = n->q.tail = cur;
	cur->rq_next = cur->rq_prev = NULL;
	cur->waitq = &n->q;
	switch_to(next);
	need_resched = false;
	return f; /* next leaves with its own registers */
}

/* The reply in f to c's fault, if it is a valid answer (resume, or resume
 * at a user rip: anything else stops c, which the general path does): c
 * is resumed with its registers as they were but for that rip. Out of
 * line, so that the common reply keeps its registers. */
static __attribute__((noinline)) bool fp_fault_reply(const struct frame *f, struct tcb *c)
{
	u64 label = LM_MSG_LABEL(f->rsi);
	if (label == LM_FAULT_RESUME_AT && LM_MSG_LEN(f->rsi) >= 1 && f->rdx >= LM_USER_MIN &&
	    f->rdx < LM_USER_MAX)
		c->frame.rip = f->rdx;
	else if (label != LM_FAULT_RESUME)
		return false;
	c->fault_ipc = false;
	c->blocked = BLK_NONE;
	c->state = LM_TS_RUNNABLE;
	return true;
}

static always_inline struct frame *fp_reply_recv(struct frame *f, bool longmsg)
{
	struct tcb *cur = cpu0.cur, *c = cur->reply_to;
	u64 badge;
	struct endpoint *ep;

	if (!c ||
	    !fp_cap(cur, f->rdi, FPC_RECV, LM_OBJ_ENDPOINT, LM_R_READ, (u64 *)&ep, &badge) ||
	    (ep->q_blocked == BLK_SEND && ep->q.head) || (cur->bound && cur->bound->word) ||
	    cur->borrowed || sched_outranked(c))
		return NULL;
	struct frame *ret = FP_MSG(f);
	if (likely(!c->fault_ipc))
		fp_transfer(f, cur, c, 0, longmsg);
	else if (fp_fault_reply(f, c))
		ret = f; /* c leaves with its registers as they were */
	else
		return NULL;
	fastpath_hits++;
	cur->reply_to = NULL;
	c->replier = NULL;
	ep->q_blocked = BLK_RECV;
	cur->state = LM_TS_BLOCKED;
	cur->blocked = BLK_RECV;
	cur->wait_obj = ep;
	if (likely(!ep->q.head)) { /* the server is the only receiver */
		ep->q.head = ep->q.tail = cur;
		cur->rq_next = cur->rq_prev = NULL;
		cur->waitq = &ep->q;
	} else {
		waitq_add(&ep->q, cur);
	}
	switch_to(c);
	return ret;
}

static __attribute__((noinline)) struct frame *fastpath_reply_recv_long(struct frame *f)
{
	return fp_info_ok(f->rsi) ? fp_reply_recv(f, true) : NULL;
}

static struct frame *fastpath_reply_recv(struct frame *f)
{
	if (unlikely(!fp_info_short(f->rsi)))
		return fastpath_reply_recv_long(f);
	return fp_reply_recv(f, false);
}

static struct frame *fp_none(struct frame *f)
{
	(void)f;
	return NULL;
}

/*
 * The fast paths by system-call number from LM_SYS_EP_CALL: entry.S calls
 * them through fastpath_table directly for a thread with no gate. Each
 * returns what the comment at the top says, NULL having changed nothing
 * (the general path takes the call). While the fast paths are disabled
 * the table is fastpath_off, whose entries all decline: one table load
 * instead of a test of fastpath_enabled on every call.
 */
typedef struct frame *fastpath_fn(struct frame *);
static fastpath_fn *const fastpath_on[SYS_FAST_COUNT] = {
	[LM_SYS_EP_CALL - SYS_FAST_FIRST]       = fastpath_call,
	[LM_SYS_EP_REPLY - SYS_FAST_FIRST]      = fp_none,
	[LM_SYS_EP_REPLY_RECV - SYS_FAST_FIRST] = fastpath_reply_recv,
	[LM_SYS_NTFN_SIGNAL - SYS_FAST_FIRST]   = fastpath_signal,
	[LM_SYS_NTFN_WAIT - SYS_FAST_FIRST]     = fastpath_wait,
};
static fastpath_fn *const fastpath_off[SYS_FAST_COUNT] = {fp_none, fp_none, fp_none, fp_none, fp_none};
fastpath_fn *const *fastpath_table = fastpath_on; /* entry.S */
_Static_assert(SYS_FAST_FIRST == LM_SYS_EP_CALL && SYS_FAST_COUNT == LM_SYS_NTFN_WAIT - LM_SYS_EP_CALL + 1,
	       "entry.h: the fast paths' numbers");

/* Tests run the same IPC with the fast path on and off and compare. */
SYS(debug_fastpath)
{
	u64 on = ARG2(f), e = debug_cap_check(ARG1(f));
	if (e)
		return e;
	if (on > 1)
		return SYSERR(LM_EINVAL, 2);
	f->rdi = fastpath_enabled;
	f->rsi = fastpath_hits;
	fastpath_enabled = on;
	fastpath_table = on ? fastpath_on : fastpath_off;
	return LM_OK;
}

/* entry.S's choice in C, for the calls that reach it another way (a gated
 * thread whose gate let the call through, the counting build's entry). */
struct frame *fastpath_try(struct frame *f)
{
	u64 i = f->rax - SYS_FAST_FIRST;
	struct frame *r = i < SYS_FAST_COUNT ? fastpath_table[i](f) : NULL;
	if (!r || r == f)
		return r;
	/* FP_MSG(f): the receiver runs, its message registers into its
	 * frame, where the general exit (return_to_user) loads every register
	 * from. */
	const struct frame *s = (const struct frame *)((uptr)r - 1);
	struct frame *cf = &cpu0.cur->frame;
	cf->rdx = s->rdx;
	cf->r10 = s->r10;
	cf->r8 = s->r8;
	cf->r9 = s->r9;
	return f;
}
