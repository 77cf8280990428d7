/*
 * M:N user-level threads (lm/uthread.h) on the kernel's scheduling upcalls.
 *
 * Invariants:
 *   - `lock` guards the run queue, every wait list, every thread's state
 *     and `live`; it holds the token of whoever has it: the user thread
 *     (its record's address) or a kernel thread's idle context (its vcpu).
 *   - A user thread is RUNNING on exactly one vcpu (v->cur), or READY on
 *     the run queue, or BLOCKED on one wait list (mutex, condition) or as
 *     a joiner, or DONE; `next` links whichever list it is on.
 *   - A switch is made with the lock held, and the lock is released only
 *     once the switching code is off the old stack (lm_uth_load), so no
 *     other vcpu can start a thread on a stack still in use.
 *   - The upcall handler never switches a thread that is in a critical
 *     stretch: holding the lock, in the middle of a switch (rip in
 *     lm_uth_load or lm_exc_resume), on the exception stack (the handler
 *     itself), or the idle context. It resumes it at once instead; the
 *     next time slice will do.
 */
#include <lm/uthread.h>
#include <lm/exception.h>
#include <lm/sys.h>
#include <lm/string.h>

enum { UTH_FREE, UTH_READY, UTH_RUNNING, UTH_BLOCKED, UTH_DONE };

struct vcpu;

struct lm_uthread {
	struct lm_exc_frame ctx;            /* its registers while not running */
	lm_u8 fx[512] __attribute__((aligned(16))); /* its FPU/SSE state, ditto */
	struct vcpu *vcpu;                  /* where it runs, while RUNNING */
	lm_uthread_t *next;                 /* run queue or wait list */
	lm_uthread_t *joiner;
	lm_uth_fn fn;
	void *arg, *ret;
	int state;
};

/* A record and its stack share a slot aligned to its size: a user thread
 * finds its record from its stack pointer (lm_uth_self). */
union uth_slot {
	lm_uthread_t u;
	lm_u8 bytes[LM_UTH_SLOT];
};

struct vcpu {
	lm_u8 stack[8192] __attribute__((aligned(16))); /* exception stack */
	struct lm_exc_frame idle;           /* lm_uth_run's own context */
	lm_u8 idle_fx[512] __attribute__((aligned(16)));
	lm_uthread_t *cur;                  /* running user thread; NULL: idle */
	lm_cptr_t tcb;
	lm_u64 upcalls;                     /* LM_UPCALL_ON_* it runs with */
	unsigned block_streak;              /* would-block upcalls in a row */
	int used;
};

static union uth_slot pool[LM_UTH_MAX] __attribute__((aligned(LM_UTH_SLOT)));
static struct vcpu vcpus[LM_UTH_VCPUS];
static volatile lm_u64 lock;
static lm_uthread_t *rq_head, *rq_tail;
static unsigned nready;
static int live;               /* created and not yet exited */
static int handler_users;      /* vcpus in lm_uth_run */
static lm_exc_fn prev_handler; /* the process's handler before ours */
struct lm_uth_stats lm_uth_stats;

int lm_uth_save(struct lm_exc_frame *ctx, void *fx) __attribute__((returns_twice));
__attribute__((noreturn)) void lm_uth_load(struct lm_exc_frame *ctx, volatile lm_u64 *word,
					   void *fx);
extern char lm_uth_load_end[], lm_exc_resume_end[];

#define STAT(x) __atomic_add_fetch(&lm_uth_stats.x, 1, __ATOMIC_RELAXED)

static void acquire(lm_u64 token)
{
	lm_u64 free = 0;
	while (!__atomic_compare_exchange_n(&lock, &free, token, 0, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		free = 0;
		lm_thread_yield(); /* the holder is another kernel thread: let it run */
	}
}

static void release(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static void q_push(lm_uthread_t **head, lm_uthread_t **tail, lm_uthread_t *u)
{
	u->next = 0;
	if (*tail)
		(*tail)->next = u;
	else
		*head = u;
	*tail = u;
}

static lm_uthread_t *q_pop(lm_uthread_t **head, lm_uthread_t **tail)
{
	lm_uthread_t *u = *head;
	if (u) {
		*head = u->next;
		if (!*head)
			*tail = 0;
		u->next = 0;
	}
	return u;
}

static void make_ready(lm_uthread_t *u)
{
	u->state = UTH_READY;
	q_push(&rq_head, &rq_tail, u);
	nready++;
}

lm_uthread_t *lm_uth_self(void)
{
	lm_u64 sp, base = (lm_u64)pool;
	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
	if (sp - base >= sizeof pool)
		return 0;
	return &pool[(sp - base) / LM_UTH_SLOT].u;
}

static lm_u64 token(void)
{
	lm_uthread_t *s = lm_uth_self();
	return s ? (lm_u64)s : 1; /* 1: a kernel thread outside the package */
}

/* Lock held: start the next ready thread on v, or v's idle context. */
static __attribute__((noreturn)) void run_next(struct vcpu *v)
{
	lm_uthread_t *n = q_pop(&rq_head, &rq_tail);
	if (!n) {
		v->cur = 0;
		lm_uth_load(&v->idle, &lock, v->idle_fx);
	}
	nready--;
	v->cur = n;
	n->vcpu = v;
	n->state = UTH_RUNNING;
	lm_uth_load(&n->ctx, &lock, n->fx);
}

/* Lock held by self, whose state and list are already set: run something
 * else; returns when self is resumed, the lock no longer held. */
static void switch_away(lm_uthread_t *self)
{
	self->vcpu->block_streak = 0; /* a user thread got on: not all blocked */
	if (lm_uth_save(&self->ctx, self->fx))
		return;
	run_next(self->vcpu);
}

static void uth_start(lm_uthread_t *u)
{
	lm_uth_exit(u->fn(u->arg));
}

lm_uthread_t *lm_uth_create(lm_uth_fn fn, void *arg)
{
	lm_uthread_t *u = 0;
	acquire(token());
	for (int i = 0; i < LM_UTH_MAX && !u; i++)
		if (pool[i].u.state == UTH_FREE)
			u = &pool[i].u;
	if (u) {
		lm_u64 top = (lm_u64)u + LM_UTH_SLOT - 8; /* as if called: rsp + 8 aligned */
		memset(&u->ctx, 0, sizeof u->ctx);
		*(lm_u64 *)top = 0;
		u->ctx.regs.rip = (lm_u64)uth_start;
		u->ctx.regs.rsp = top;
		u->ctx.regs.rdi = (lm_u64)u;
		u->ctx.regs.rflags = 0x202;
		__asm__ volatile("fxsave64 %0" : "=m"(u->fx)); /* the creator's MXCSR, FCW */
		u->fn = fn;
		u->arg = arg;
		u->ret = u->joiner = 0;
		live++;
		make_ready(u);
	}
	release();
	return u;
}

void lm_uth_yield(void)
{
	lm_uthread_t *self = lm_uth_self();
	acquire((lm_u64)self);
	STAT(yields);
	if (!rq_head) {
		release();
		return;
	}
	make_ready(self);
	switch_away(self);
}

void lm_uth_exit(void *ret)
{
	lm_uthread_t *self = lm_uth_self();
	acquire((lm_u64)self);
	self->ret = ret;
	self->state = UTH_DONE;
	live--;
	if (self->joiner) {
		make_ready(self->joiner);
		self->joiner = 0;
	}
	run_next(self->vcpu);
}

void *lm_uth_join(lm_uthread_t *t)
{
	lm_uthread_t *self = lm_uth_self();
	acquire((lm_u64)self);
	while (t->state != UTH_DONE) {
		t->joiner = self;
		self->state = UTH_BLOCKED;
		switch_away(self);
		acquire((lm_u64)self);
	}
	void *r = t->ret;
	t->state = UTH_FREE;
	release();
	return r;
}

/* Lock held: m passes to its first waiter, or is free. */
static void mutex_give(struct lm_uth_mutex *m)
{
	if (m->head)
		make_ready(q_pop(&m->head, &m->tail)); /* it owns m now */
	else
		m->locked = 0;
}

void lm_uth_mutex_lock(struct lm_uth_mutex *m)
{
	lm_uthread_t *self = lm_uth_self();
	acquire((lm_u64)self);
	if (!m->locked) {
		m->locked = 1;
		release();
		return;
	}
	q_push(&m->head, &m->tail, self);
	self->state = UTH_BLOCKED;
	switch_away(self); /* back owning m: mutex_give handed it over */
}

void lm_uth_mutex_unlock(struct lm_uth_mutex *m)
{
	acquire(token());
	mutex_give(m);
	release();
}

void lm_uth_cond_wait(struct lm_uth_cond *c, struct lm_uth_mutex *m)
{
	lm_uthread_t *self = lm_uth_self();
	acquire((lm_u64)self);
	q_push(&c->head, &c->tail, self);
	mutex_give(m);
	self->state = UTH_BLOCKED;
	switch_away(self);
	lm_uth_mutex_lock(m);
}

void lm_uth_cond_signal(struct lm_uth_cond *c)
{
	acquire(token());
	if (c->head)
		make_ready(q_pop(&c->head, &c->tail));
	release();
}

void lm_uth_cond_broadcast(struct lm_uth_cond *c)
{
	acquire(token());
	while (c->head)
		make_ready(q_pop(&c->head, &c->tail));
	release();
}

/* ---- the upcall handler ------------------------------------------------ */

static struct vcpu *vcpu_of(const void *frame)
{
	for (int i = 0; i < LM_UTH_VCPUS; i++)
		if ((const lm_u8 *)frame >= vcpus[i].stack &&
		    (const lm_u8 *)frame < vcpus[i].stack + sizeof vcpus[i].stack)
			return &vcpus[i];
	return 0;
}

static int in(lm_u64 x, const void *lo, const void *hi)
{
	return x >= (lm_u64)lo && x < (lm_u64)hi;
}

/* The interrupted code of v must not be switched away from now. */
static int critical(struct vcpu *v, const struct lm_exc_frame *f)
{
	lm_u64 rip = f->regs.rip;
	return !v->cur || lock == (lm_u64)v->cur || in(rip, (const void *)lm_uth_load, lm_uth_load_end) ||
	       in(rip, (const void *)lm_exc_resume, lm_exc_resume_end) ||
	       in(f->regs.rsp, v->stack, v->stack + sizeof v->stack + 1);
}

/* Lock held: the interrupted thread (frame f, FPU state just below it, as
 * lm_exc_entry saved it) goes to the back of the queue; the next runs. */
static __attribute__((noreturn)) void requeue(struct vcpu *v, struct lm_exc_frame *f)
{
	lm_uthread_t *cur = v->cur;
	memcpy(&cur->ctx, f, sizeof *f);
	memcpy(cur->fx, (lm_u8 *)f - 512, 512);
	make_ready(cur);
	run_next(v);
}

static void preempted(struct vcpu *v, struct lm_exc_frame *f)
{
	STAT(preempt_upcalls);
	v->block_streak = 0;
	if (critical(v, f))
		return;
	acquire((lm_u64)v->cur);
	if (!rq_head) {
		release();
		return;
	}
	STAT(preempt_switches);
	requeue(v, f);
}

/* Make the call in f as the thread would have, blocking: would-block
 * upcalls off around it; its results go into f, past the SYSCALL. */
static void block_in_kernel(struct vcpu *v, struct lm_exc_frame *f)
{
	struct lm_regs *r = &f->regs;
	lm_u64 out[LM_SYS_NOUT];
	STAT(blocked_in_kernel);
	lm_thread_set_upcalls(v->tcb, v->upcalls & ~(lm_u64)LM_UPCALL_ON_BLOCK, 0);
	r->rax = lm_syscall6(r->rax, r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9, out);
	lm_thread_set_upcalls(v->tcb, v->upcalls, 0);
	r->rdi = out[0];
	r->rsi = out[1];
	r->rdx = out[2];
	r->r10 = out[3];
	r->r8 = out[4];
	r->r9 = out[5];
	r->rip += 2;
}

/* f->regs.rip is at the SYSCALL, so resuming the thread retries it. Other
 * threads run first unless a whole round of the queue has been nothing
 * but would-block upcalls. */
static void blocked(struct vcpu *v, struct lm_exc_frame *f)
{
	STAT(block_upcalls);
	if (!critical(v, f)) {
		acquire((lm_u64)v->cur);
		if (rq_head && v->block_streak <= nready) {
			v->block_streak++;
			STAT(block_switches);
			requeue(v, f);
		}
		release();
	}
	v->block_streak = 0;
	block_in_kernel(v, f);
}

static void uth_upcall(struct lm_exc_frame *f)
{
	struct vcpu *v = vcpu_of(f);
	if (v && f->vector == LM_UPCALL_PREEMPTED) {
		preempted(v, f);
	} else if (v && f->vector == LM_UPCALL_BLOCKED) {
		blocked(v, f);
	} else if (prev_handler) {
		prev_handler(f);
	} else if (v) {
		/* No handler for a real exception: the kernel's default (the
		 * thread stops) once the instruction runs again. */
		lm_thread_set_exception(v->tcb, 0, 0, 0);
	}
}

/* ---- lending a kernel thread ------------------------------------------- */

/* The idle context: run ready threads until none is left alive. */
static void idle_loop(struct vcpu *v)
{
	lm_uth_save(&v->idle, v->idle_fx); /* run_next comes back here */
	for (;;) {
		acquire((lm_u64)v);
		if (!live) {
			release();
			return;
		}
		if (rq_head)
			run_next(v);
		release();
		lm_thread_yield();
	}
}

int lm_uth_run(lm_cptr_t tcb, lm_u32 flags)
{
	struct vcpu *v = 0;
	for (int i = 0; i < LM_UTH_VCPUS && !v; i++)
		if (!__atomic_exchange_n(&vcpus[i].used, 1, __ATOMIC_ACQUIRE))
			v = &vcpus[i];
	if (!v)
		return LM_ELIMIT;
	v->tcb = tcb;
	v->cur = 0;
	v->block_streak = 0;
	v->upcalls = LM_UPCALL_ON_PREEMPT | (flags & LM_UTH_BLOCKING ? LM_UPCALL_ON_BLOCK : 0);
	acquire((lm_u64)v);
	if (handler_users++ == 0) {
		prev_handler = lm_exc_handler;
		lm_exc_handler = uth_upcall;
	}
	release();
	int e = lm_thread_set_exception(tcb, (lm_u64)lm_exc_entry,
					(lm_u64)(v->stack + sizeof v->stack), sizeof v->stack);
	if (!e && (e = lm_thread_set_upcalls(tcb, v->upcalls, 0)))
		lm_thread_set_exception(tcb, 0, 0, 0);
	if (!e)
		idle_loop(v);
	lm_thread_set_upcalls(tcb, 0, 0);
	lm_thread_set_exception(tcb, 0, 0, 0);
	acquire((lm_u64)v);
	if (--handler_users == 0) {
		lm_exc_handler = prev_handler;
		for (int i = 0; i < LM_UTH_MAX && !live; i++)
			if (pool[i].u.state == UTH_DONE)
				pool[i].u.state = UTH_FREE; /* nobody can join it now */
	}
	release();
	__atomic_store_n(&v->used, 0, __ATOMIC_RELEASE);
	return e;
}
