/* System-call filters: THREAD_SET_FILTER, the decision rule, the
 * reference monitor of a sandbox, and that filters only tighten. */
#include <lm/reflect.h>
#include "bpf_util.h"
#include "../../apps/probe.h"

#define CN LM_SLOT_CNODE

/* THREAD_YIELD is denied with LM_ENOENT, everything else allowed. */
static const struct lm_bpf_insn deny_yield[] = {
	LDXDW(2, 1, CTX_NR), MOV_K(0, LM_BPF_SYS_ALLOW), JNE_K(2, LM_SYS_THREAD_YIELD, 1),
	MOV_K(0, DENY(LM_ENOENT)), EXIT(),
};
static const struct lm_bpf_insn allow_all[] = { MOV_K(0, LM_BPF_SYS_ALLOW), EXIT() };

/* THREAD_YIELD's decision is its first argument (so a test can try any). */
static const struct lm_bpf_insn yield_says_arg0[] = {
	LDXDW(2, 1, CTX_NR), MOV_K(0, LM_BPF_SYS_ALLOW), JNE_K(2, LM_SYS_THREAD_YIELD, 1),
	LDXDW(0, 1, CTX_ARG(0)), EXIT(),
};

/* A thread (not started) that runs under program `prog`. */
static lm_cptr_t filtered_thread(lm_cptr_t prog)
{
	lm_cptr_t t = t_thread_new();
	if (!t)
		return 0;
	int err = lm_thread_set_filter(t, prog);
	if (err) {
		t_fail(__FILE__, __LINE__, "attaching a filter: %s", lm_err_str(err));
		return 0;
	}
	return t;
}

static int run_thread(lm_cptr_t t, lm_thread_fn fn, void *arg, struct lm_thread_info *ti)
{
	int err = lm_thread_start(t, fn, (lm_word_t)arg, t_stack(), T_PRIO);
	return err ? err : t_wait(t, ti);
}

static lm_word_t just_yield(lm_word_t a)
{
	return 0x100 + (lm_u64)lm_thread_yield();
}

TEST(filter_denies_with_its_error_and_allows_the_rest)
{
	lm_cptr_t p = t_bpf(LM_BPF_PROG_SYSCALL, deny_yield, NINSNS(deny_yield), 0);
	CHECK(p);
	lm_cptr_t t = filtered_thread(p);
	struct lm_thread_info ti;
	CHECK(t);
	CHECK_OK(run_thread(t, just_yield, 0, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED); /* THREAD_EXIT was allowed */
	CHECK_EQ(ti.exit_code, 0x100 + LM_ENOENT);
}

struct decisions {
	lm_u64 got[10];
	lm_u64 linux_getpid;
};

static lm_word_t try_decisions(lm_word_t a)
{
	struct decisions *d = (struct decisions *)a;
	static const lm_u64 r0[10] = {
		LM_BPF_SYS_ALLOW, DENY(LM_ENOENT), DENY(0), DENY(LM_NERR), 3,
		LM_BPF_SYS_ALLOW | 0x10000, 1ull << 32, LM_BPF_SYS_REFLECT, DENY(LM_EAGAIN),
		LM_BPF_SYS_DENY | 0xffff0000ull,
	};
	for (int i = 0; i < 10; i++)
		d->got[i] = t_raw(LM_SYS_THREAD_YIELD, r0[i], 0, 0, 0, 0, 0, 0);
	return 0;
}

/* ALLOW runs the call, DENY returns its error; anything outside the rule
 * denies with LM_ERIGHTS; REFLECT with no foreign entry is LM_ENOSYS. */
TEST(filter_decision_rule_fails_closed)
{
	lm_cptr_t p = t_bpf(LM_BPF_PROG_SYSCALL, yield_says_arg0, NINSNS(yield_says_arg0), 0);
	CHECK(p);
	lm_cptr_t t = filtered_thread(p);
	struct decisions d = { { 0 }, 0 };
	struct lm_thread_info ti;
	CHECK(t);
	CHECK_OK(run_thread(t, try_decisions, &d, &ti));
	CHECK_EQ(d.got[0], LM_OK);
	CHECK_EQ(d.got[1], LM_ENOENT);
	CHECK_EQ(d.got[2], LM_ERIGHTS);  /* DENY with no error */
	CHECK_EQ(d.got[3], LM_ERIGHTS);  /* not an error code */
	CHECK_EQ(d.got[4], LM_ERIGHTS);  /* no such decision */
	CHECK_EQ(d.got[5], LM_ERIGHTS);  /* ALLOW with error bits */
	CHECK_EQ(d.got[6], LM_ERIGHTS);  /* bits above 31 */
	CHECK_EQ(d.got[7], LM_ENOSYS);   /* REFLECT, nowhere to */
	CHECK_EQ(d.got[8], LM_EAGAIN);
	CHECK_EQ(d.got[9], LM_ERIGHTS);  /* error 0xffff */
}

/* The reference monitor of a sandboxed library OS: the process may call
 * its console endpoint and exit, nothing else. */
struct sandbox {
	lm_cptr_t console, other, ntfn;
	lm_u64 got[8];
	lm_u64 reply;
};

static lm_word_t sandboxed(lm_word_t a)
{
	struct sandbox *s = (struct sandbox *)a;
	struct lm_msg m;
	s->got[0] = lm_ntfn_signal(s->ntfn);
	s->got[1] = lm_ep_call(s->other, LM_MSG_INFO(0, 1, 0), 1, 0, 0, 0, &m);
	s->got[2] = lm_thread_yield();
	s->got[3] = lm_thread_set_priority(LM_SLOT_TCB, 1);
	s->got[4] = t_raw(39, 0, 0, 0, 0, 0, 0, 0); /* Linux getpid: -EPERM */
	s->got[5] = lm_ep_call(s->console, LM_MSG_INFO(0, 1, 0), 0x4869, 0, 0, 0, &m);
	s->reply = m.w[0];
	return 0x77; /* THREAD_EXIT: allowed */
}

TEST(filter_reference_monitor_allows_only_the_console_and_exit)
{
	lm_cptr_t con = t_new(LM_OBJ_ENDPOINT, 0), other = t_new(LM_OBJ_ENDPOINT, 0);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(con && other && n);
	/* r2 = nr; exit -> allow; not a call -> deny; call of con -> allow */
	struct lm_bpf_insn mon[] = {
		LDXDW(2, 1, CTX_NR),                        /* 0 */
		JEQ_K(2, LM_SYS_THREAD_EXIT, 5),            /* 1 -> 7 */
		JNE_K(2, LM_SYS_EP_CALL, 2),                /* 2 -> 5 */
		LDXDW(3, 1, CTX_ARG(0)),                    /* 3 */
		JEQ_K(3, con, 2),                           /* 4 -> 7 */
		MOV_K(0, DENY(LM_ERIGHTS)),          /* 5 */
		EXIT(),                                     /* 6 */
		MOV_K(0, LM_BPF_SYS_ALLOW),                 /* 7 */
		EXIT(),                                     /* 8 */
	};
	lm_cptr_t p = t_bpf(LM_BPF_PROG_SYSCALL, mon, NINSNS(mon), 0);
	CHECK(p);
	lm_cptr_t t = filtered_thread(p);
	CHECK(t);
	struct sandbox s = { con, other, n, { 0 }, 0 };
	CHECK_OK(lm_thread_start(t, sandboxed, (lm_word_t)&s, t_stack(), T_PRIO));
	struct lm_msg m;
	CHECK_OK(lm_ep_recv(con, &m));
	CHECK_EQ(m.w[0], 0x4869);
	CHECK_OK(lm_ep_reply(LM_MSG_INFO(0, 1, 0), 0x6f6b, 0, 0, 0));
	struct lm_thread_info ti;
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x77);
	CHECK_EQ(s.got[0], LM_ERIGHTS);
	CHECK_EQ(s.got[1], LM_ERIGHTS);
	CHECK_EQ(s.got[2], LM_ERIGHTS);
	CHECK_EQ(s.got[3], LM_ERIGHTS);
	CHECK_EQ(s.got[4], (lm_u64)-(lm_i64)LM_ERIGHTS); /* foreign: -error */
	CHECK_EQ(s.got[5], LM_OK);
	CHECK_EQ(s.reply, 0x6f6b);
	lm_u64 w = 1;
	CHECK_OK(lm_ntfn_poll(n, &w));
	CHECK_EQ(w, 0); /* the denied signal never happened */
}

struct loosen {
	lm_cptr_t self, allow, main_tcb, unfiltered;
	lm_u64 got[8];
};

static lm_word_t try_to_loosen(lm_word_t a)
{
	struct loosen *l = (struct loosen *)a;
	l->got[0] = lm_thread_set_filter(l->self, l->allow);  /* adds, loosens nothing */
	l->got[1] = lm_thread_yield();
	l->got[2] = lm_thread_set_priority(l->main_tcb, T_PRIO);
	l->got[3] = lm_thread_suspend(l->unfiltered);
	l->got[4] = lm_thread_set_foreign(l->unfiltered, 0);
	l->got[5] = lm_thread_set_filter(l->self, l->allow);
	l->got[6] = lm_thread_set_filter(l->self, l->allow);  /* the fifth */
	l->got[7] = lm_thread_yield();
	return 0;
}

static lm_word_t sleep_forever(lm_word_t n)
{
	return lm_ntfn_wait(n, 0);
}

/* Adding an allow-everything filter, from outside or from inside, leaves
 * the denial; the filtered thread cannot touch unfiltered threads. */
TEST(filter_cannot_be_loosened)
{
	lm_cptr_t p = t_bpf(LM_BPF_PROG_SYSCALL, deny_yield, NINSNS(deny_yield), 0);
	lm_cptr_t all = t_bpf(LM_BPF_PROG_SYSCALL, allow_all, NINSNS(allow_all), 0);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(p && all && n);
	lm_cptr_t t = filtered_thread(p);
	CHECK(t);
	CHECK_OK(lm_thread_set_filter(t, all));
	lm_cptr_t u = t_thread(sleep_forever, n, T_PRIO);
	CHECK(u && t_blocked(u));
	struct loosen l = { t, all, LM_SLOT_TCB, u, { 0 } };
	struct lm_thread_info ti;
	CHECK_OK(run_thread(t, try_to_loosen, &l, &ti));
	CHECK_EQ(l.got[0], LM_OK);
	CHECK_EQ(l.got[1], LM_ENOENT);
	CHECK_EQ(l.got[2], LM_ERIGHTS);
	CHECK_EQ(l.got[3], LM_ERIGHTS);
	CHECK_EQ(l.got[4], LM_ERIGHTS);
	CHECK_EQ(l.got[5], LM_OK);      /* four now */
	CHECK_EQ(l.got[6], LM_ELIMIT);
	CHECK_EQ(l.got[7], LM_ENOENT);
	CHECK_EQ(t_blocked(u), 1);      /* untouched */
	CHECK_OK(lm_ntfn_signal(n));
	CHECK_OK(t_wait(u, &ti));
}

struct parent {
	lm_cptr_t done;
	volatile lm_u64 child_yield, made;
};

static lm_word_t child_fn(lm_word_t a)
{
	struct parent *p = (struct parent *)a;
	p->child_yield = lm_thread_yield();
	lm_ntfn_signal(p->done);
	return 0;
}

static lm_word_t parent_fn(lm_word_t a)
{
	struct parent *p = (struct parent *)a;
	lm_cptr_t c = t_thread(child_fn, a, T_PRIO);  /* configure: inherits */
	p->made = c != 0;
	if (c)
		lm_ntfn_wait(p->done, 0);
	return 0;
}

TEST(filter_is_inherited_by_a_thread_the_filtered_thread_makes)
{
	lm_cptr_t p = t_bpf(LM_BPF_PROG_SYSCALL, deny_yield, NINSNS(deny_yield), 0);
	lm_cptr_t done = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(p && done);
	lm_cptr_t t = filtered_thread(p);
	CHECK(t);
	struct parent par = { done, 0, 0 };
	struct lm_thread_info ti;
	CHECK_OK(run_thread(t, parent_fn, &par, &ti));
	CHECK_EQ(par.made, 1);
	CHECK_EQ(par.child_yield, LM_ENOENT);
}

static volatile lm_u64 reflected_nr;

static long on_reflect(struct lm_sysargs *a)
{
	reflected_nr = a->nr;
	return 1234;
}

static lm_word_t poll_once(lm_word_t n)
{
	return t_raw(LM_SYS_NTFN_POLL, n, 0, 0, 0, 0, 0, 0);
}

/* REFLECT sends even a native call to the library OS's foreign entry. */
TEST(filter_reflect_goes_to_the_foreign_entry)
{
	static const struct lm_bpf_insn reflect_poll[] = {
		LDXDW(2, 1, CTX_NR), MOV_K(0, LM_BPF_SYS_ALLOW), JNE_K(2, LM_SYS_NTFN_POLL, 1),
		MOV_K(0, LM_BPF_SYS_REFLECT), EXIT(),
	};
	lm_cptr_t p = t_bpf(LM_BPF_PROG_SYSCALL, reflect_poll, NINSNS(reflect_poll), 0);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(p && n);
	lm_cptr_t t = filtered_thread(p);
	CHECK(t);
	CHECK_OK(lm_reflect_install(t, on_reflect));
	reflected_nr = 0;
	struct lm_thread_info ti;
	CHECK_OK(run_thread(t, poll_once, (void *)n, &ti));
	CHECK_EQ(ti.exit_code, 1234);
	CHECK_EQ(reflected_nr, LM_SYS_NTFN_POLL);
}

struct spin_args {
	lm_cptr_t n;
	volatile lm_u64 err;
};

static lm_word_t poll_until_refused(lm_word_t a)
{
	struct spin_args *s = (struct spin_args *)a;
	int e;
	while ((e = lm_ntfn_poll(s->n, 0)) == LM_OK)
		;
	s->err = (lm_u64)e;
	for (volatile int spin = 1; spin;)
		; /* every call is refused now, exit too: the test suspends it */
	return 0;
}

/* Revoking a filter's program does not lift it: every call is denied. */
TEST(filter_whose_program_is_revoked_denies_everything)
{
	lm_cptr_t p = t_bpf(LM_BPF_PROG_SYSCALL, allow_all, NINSNS(allow_all), 0);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(p && n);
	lm_cptr_t t = filtered_thread(p);
	CHECK(t);
	struct spin_args s = { n, 0 };
	CHECK_OK(lm_thread_start(t, poll_until_refused, (lm_word_t)&s, t_stack(), T_PRIO));
	t_yield(3);
	CHECK_OK(lm_cnode_revoke(CN, p));
	CHECK_OK(lm_cnode_delete(CN, p));
	for (int i = 0; i < 100000 && !s.err; i++)
		lm_thread_yield();
	CHECK_EQ(s.err, LM_EDELETED);
	CHECK_OK(lm_thread_suspend(t));
}

TEST(thread_set_filter_refuses_bad_arguments)
{
	lm_cptr_t f = t_bpf(LM_BPF_PROG_SYSCALL, allow_all, NINSNS(allow_all), 0);
	lm_cptr_t m = t_bpf(LM_BPF_PROG_MEM, allow_all, NINSNS(allow_all), 0);
	lm_cptr_t un = t_new(LM_OBJ_BPF, LM_BPF_MIN_BITS), n = t_new(LM_OBJ_NOTIFY, 0);
	lm_cptr_t t = t_thread_new();
	CHECK(f && m && un && n && t);
	lm_cptr_t tro = t_copy(t, LM_R_READ), fna = t_copy(f, LM_R_READ | LM_R_WRITE);
	CHECK(tro && fna);
	CHECK_ERR(lm_thread_set_filter(0, f), LM_ECAP);
	CHECK_ERR(lm_thread_set_filter(n, f), LM_ETYPE);
	CHECK_ERR(lm_thread_set_filter(tro, f), LM_ERIGHTS);
	CHECK_ERR(lm_thread_set_filter(t, 0), LM_ECAP);
	CHECK_ERR(lm_thread_set_filter(t, n), LM_ETYPE);
	CHECK_ERR(lm_thread_set_filter(t, fna), LM_ERIGHTS);
	CHECK_ERR(lm_thread_set_filter(t, un), LM_ESTATE);
	CHECK_ERR(lm_thread_set_filter(t, m), LM_ETYPE);
	for (int i = 0; i < LM_BPF_MAX_FILTERS; i++)
		CHECK_OK(lm_thread_set_filter(t, f));
	CHECK_ERR(lm_thread_set_filter(t, f), LM_ELIMIT);
}

/* The decision cache runs a filter over the number alone; a filter that
 * also looks at r2 (the context's size) or an argument is still run on
 * each call, and decides as it would without the cache. */
TEST(filter_cache_keeps_decisions_that_depend_on_r2_or_arguments)
{
	static const struct lm_bpf_insn by_r2[] = {
		LDXDW(3, 1, CTX_NR), MOV_K(0, LM_BPF_SYS_ALLOW), JNE_K(3, LM_SYS_THREAD_YIELD, 2),
		JNE_K(2, sizeof(struct lm_bpf_syscall_ctx), 1), MOV_K(0, DENY(LM_ENOENT)), EXIT(),
	};
	lm_cptr_t p = t_bpf(LM_BPF_PROG_SYSCALL, by_r2, NINSNS(by_r2), 0);
	lm_cptr_t q = t_bpf(LM_BPF_PROG_SYSCALL, yield_says_arg0, NINSNS(yield_says_arg0), 0);
	CHECK(p && q);
	lm_cptr_t t = filtered_thread(p);
	struct lm_thread_info ti;
	CHECK(t);
	CHECK_OK(run_thread(t, just_yield, 0, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_ENOENT);
	struct decisions d = { { 0 }, 0 };
	t = filtered_thread(q);
	CHECK(t);
	CHECK_OK(run_thread(t, try_decisions, &d, &ti));
	CHECK_EQ(d.got[0], LM_OK);
	CHECK_EQ(d.got[1], LM_ENOENT);
}

/* The same monitor around a whole process: probe, spawned suspended, gets
 * the filter on its only thread before it runs a single instruction; it
 * may call its console endpoint (slot PROBE_EP_SLOT in its CSpace) and
 * exit, and every other call it tries is refused. */
TEST(filter_sandboxed_process_may_only_call_its_console_and_exit)
{
	lm_cptr_t con = t_new(LM_OBJ_ENDPOINT, 0);
	CHECK(con);
	struct lm_bpf_insn mon[] = {
		LDXDW(2, 1, CTX_NR), JEQ_K(2, LM_SYS_THREAD_EXIT, 5), JNE_K(2, LM_SYS_EP_CALL, 2),
		LDXDW(3, 1, CTX_ARG(0)), JEQ_K(3, PROBE_EP_SLOT, 2),
		MOV_K(0, DENY(LM_ERIGHTS)), EXIT(), MOV_K(0, LM_BPF_SYS_ALLOW), EXIT(),
	};
	lm_cptr_t p = t_bpf(LM_BPF_PROG_SYSCALL, mon, NINSNS(mon), 0);
	CHECK(p);
	struct lm_spawn_cap caps[] = { { con, PROBE_EP_SLOT, LM_R_ALL, 0, 0 } };
	struct lm_spawn a = { 0 };
	struct lm_proc pr;
	a.image = t_module("probe", &a.size);
	CHECK(a.image);
	a.arg = PROBE_ARG(PROBE_SANDBOXED, 0);
	a.prio = T_PRIO;
	a.cnode_bits = 6;
	a.caps = caps;
	a.ncaps = 1;
	a.suspended = 1;
	CHECK_OK(lm_spawn(&a, &pr));
	CHECK_OK(lm_thread_set_filter(pr.tcb, p));
	CHECK_OK(lm_proc_start(&pr));
	struct lm_msg m;
	CHECK_OK(lm_ep_recv(con, &m));
	CHECK_EQ(m.w[0], 0x4869);
	CHECK_OK(lm_ep_reply(LM_MSG_INFO(0, 1, 0), 0x6f6b, 0, 0, 0));
	struct lm_thread_info ti;
	CHECK_OK(t_wait(pr.tcb, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, PROBE_SANDBOXED_ALL);
	CHECK_OK(lm_proc_destroy(&pr));
}
