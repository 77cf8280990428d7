/*
 * System-call filters (seccomp's rule, eBPF programs of type SYSCALL).
 * A thread carries a stack of at most LM_BPF_MAX_FILTERS filters, each its
 * own capability to a loaded program, in its TCB. Every system call the
 * thread makes, native or foreign, first runs all of them over a struct
 * lm_bpf_syscall_ctx, newest first; the strictest decision wins (DENY over
 * REFLECT over ALLOW; among equals, the newest filter's). Filters only
 * tighten:
 *   - attaching adds one; nothing removes one while the thread exists;
 *   - a filter whose capability was revoked denies every call (LM_EDELETED);
 *   - a result outside the rules denies (fail closed, decide());
 *   - a filtered thread changes (any call needing WRITE on its TCB
 *     capability) only itself or threads that carry its filters first in
 *     their stack, and THREAD_CONFIGURE gives them those filters: the one
 *     place they are inherited.
 * An unfiltered thread pays one test of sysgate on its way in.
 *
 * The decision cache (Linux's seccomp action cache, the same idea): most
 * filters allow most native calls by their number alone. At a program's
 * first attachment the kernel runs it once for each of the first 64 native
 * numbers with only the number readable (the arguments and rip outside the
 * context it is given, no helpers): a run that completes and returns ALLOW
 * could not have looked at anything else, so that number is allowed
 * whatever the arguments. A thread keeps the intersection over its filters
 * (filter_allow); a call whose bit is set skips the programs.
 */
#include <lamina/syscall.h>
#include "syscall.h"
#include "thread.h"
#include "prog.h"

#define LINUX_EPERM 1 /* what a foreign call that fails closed returns, negated */

static int rank(u32 d)
{
	return d == LM_BPF_SYS_DENY ? 2 : d == LM_BPF_SYS_REFLECT;
}

/* One filter's decision for call ctx; *err is DENY's error. */
static u32 decide(const struct slot *s, struct lm_bpf_syscall_ctx *ctx, bool foreign, u64 *err)
{
	struct bpf_result res;
	struct bpf_prog *p = bpf_prog_of(&s->cap, LM_BPF_PROG_SYSCALL);
	*err = LM_EDELETED;
	if (!p)
		return LM_BPF_SYS_DENY;
	*err = foreign ? LINUX_EPERM : LM_ERIGHTS;
	if (bpf_prog_run(p, ctx, sizeof(*ctx), &res) || res.r0 >> 32)
		return LM_BPF_SYS_DENY;
	u32 d = res.r0 & 0xffff, e = LM_BPF_SYS_ERR(res.r0);
	if (d == LM_BPF_SYS_DENY) {
		if (e == 0 || (!foreign && e >= LM_NERR))
			return LM_BPF_SYS_DENY;
		*err = e;
		return d;
	}
	if ((d != LM_BPF_SYS_ALLOW && d != LM_BPF_SYS_REFLECT) || e)
		return LM_BPF_SYS_DENY;
	return d;
}

#define ALLOW_NRS 64

/* A copy of the program behind a first instruction r2 = the context's
 * size, so that the run over the number alone (8 bytes) sees the r2 a
 * real run does. Jumps are relative: the copy runs the same. */
static struct lm_bpf_insn cache_prog[LM_BPF_MAX_INSNS + 1];

static u64 allow_map(struct bpf_prog *p)
{
	if (p->allow_known)
		return p->allow;
	struct bpf_result res;
	cache_prog[0] = (struct lm_bpf_insn){ LM_BPF_ALU64 | LM_BPF_MOV | LM_BPF_K, 2, 0,
					      sizeof(struct lm_bpf_syscall_ctx) };
	memcpy(cache_prog + 1, bpf_insns(p), p->n * sizeof(struct lm_bpf_insn));
	p->allow = 0;
	for (u64 i = 0; i < ALLOW_NRS; i++) {
		u64 nr = LM_SYS_BASE + i;
		if (bpf_run(&bpf_vm0, cache_prog, p->n + 1, &nr, sizeof(nr), NULL,
			    LM_BPF_EVAL_BUDGET + 1, &res) == BPF_OK && res.r0 == LM_BPF_SYS_ALLOW)
			p->allow |= BIT(i);
	}
	p->allow_known = true;
	return p->allow;
}

/* What t's filters all allow outright. */
static void allow_update(struct tcb *t)
{
	u64 a = ~0ull;
	for (int i = 0; i < t->nfilters; i++) {
		struct bpf_prog *p = bpf_prog_of(&t->filters[i].cap, LM_BPF_PROG_SYSCALL);
		a &= p ? allow_map(p) : 0;
	}
	t->filter_allow = a;
}

/*
 * The current thread (filtered) makes the call in f. False: it goes on as
 * usual. True: it was dealt with here (denied, or sent to the library OS).
 * FINISH_DELETE that the kernel itself restarted the caller into is the
 * tail of a call already allowed: not filtered again.
 */
bool filter_syscall(struct frame *f)
{
	struct tcb *t = cpu0.cur;
	u64 i = f->rax - LM_SYS_BASE;
	if (i < ALLOW_NRS && (t->filter_allow & BIT(i)))
		return false;
	if (f->rax == LM_SYS_FINISH_DELETE && t->finish_owed)
		return false;
	bool foreign = f->rax < LM_SYS_BASE;
	struct lm_bpf_syscall_ctx ctx = {
		.nr = f->rax, .args = { f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9 }, .rip = f->rip,
	};
	u32 worst = LM_BPF_SYS_ALLOW;
	u64 err = 0, e;
	for (int i = t->nfilters - 1; i >= 0; i--) {
		u32 d = decide(&t->filters[i], &ctx, foreign, &e);
		if (rank(d) > rank(worst)) {
			worst = d;
			err = e;
		}
	}
	if (worst == LM_BPF_SYS_ALLOW)
		return false;
	if (worst == LM_BPF_SYS_REFLECT && t->foreign_entry) {
		syscall_reflect(f);
		return true;
	}
	if (worst == LM_BPF_SYS_REFLECT)
		err = LM_ENOSYS; /* nowhere to reflect it: as for a foreign call */
	if (foreign && worst == LM_BPF_SYS_DENY) {
		f->rax = -err; /* the foreign ABI's convention: -errno */
	} else {
		f->rax = err;
		f->rdi = 0; /* no one argument was at fault */
		f->rsi = 0;
	}
	return true;
}

/* t carries the current thread's filters as the start of its own. */
static bool carries(const struct tcb *t, const struct tcb *cur)
{
	if (t->nfilters < cur->nfilters)
		return false;
	for (int i = 0; i < cur->nfilters; i++)
		if (t->filters[i].cap.type != LM_OBJ_BPF ||
		    t->filters[i].cap.obj != cur->filters[i].cap.obj)
			return false;
	return true;
}

/* May the current thread change t? Any thread may change itself; an
 * unfiltered one any thread it has the capability for. */
u64 filter_may_control(const struct tcb *t, int argno)
{
	struct tcb *cur = cpu0.cur;
	if (likely(!cur->nfilters) || t == cur || carries(t, cur))
		return LM_OK;
	return SYSERR(LM_ERIGHTS, argno);
}

/* THREAD_CONFIGURE's check: t's filters are a start of the caller's (or
 * the other way round), so that filter_inherit leaves t with the caller's
 * stack as the start of its own. */
u64 filter_inherit_check(const struct tcb *t, int argno)
{
	struct tcb *cur = cpu0.cur;
	if (likely(!cur->nfilters) || t == cur || carries(t, cur))
		return LM_OK;
	if (t->nfilters > cur->nfilters)
		return SYSERR(LM_ERIGHTS, argno);
	for (int i = 0; i < cur->nfilters; i++)
		if (cur->filters[i].cap.type != LM_OBJ_BPF || (i < t->nfilters &&
		    (t->filters[i].cap.type != LM_OBJ_BPF ||
		     t->filters[i].cap.obj != cur->filters[i].cap.obj)))
			return SYSERR(LM_ERIGHTS, argno);
	return LM_OK;
}

/* After filter_inherit_check: give t the caller's filters it lacks. */
void filter_inherit(struct tcb *t)
{
	struct tcb *cur = cpu0.cur;
	if (t->nfilters == cur->nfilters)
		return;
	while (t->nfilters < cur->nfilters) {
		tcb_set_slot(t, &t->filters[t->nfilters], &cur->filters[t->nfilters]);
		t->nfilters++;
	}
	t->sysgate |= GATE_FILTER;
	allow_update(t);
}

/* (tcb, prog): prog (loaded, SYSCALL, with LM_R_ATTACH) goes on top of the
 * thread's filters. */
SYS(thread_set_filter)
{
	struct slot *ts, *ps;
	u64 e;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_TCB, LM_R_WRITE, 1, &ts)) ||
	    (e = filter_may_control((struct tcb *)ts->cap.obj, 1)) ||
	    (e = cap_lookup(ARG2(f), LM_OBJ_BPF, LM_R_ATTACH, 2, &ps)))
		return e;
	struct tcb *t = (struct tcb *)ts->cap.obj;
	struct bpf_prog *p = (struct bpf_prog *)ps->cap.obj;
	if (!p->type)
		return SYSERR(LM_ESTATE, 2);
	if (p->type != LM_BPF_PROG_SYSCALL)
		return SYSERR(LM_ETYPE, 2);
	if (t->nfilters == LM_BPF_MAX_FILTERS)
		return SYSERR(LM_ELIMIT, 1);
	tcb_set_slot(t, &t->filters[t->nfilters], ps);
	t->nfilters++;
	t->sysgate |= GATE_FILTER;
	allow_update(t);
	return LM_OK;
}
