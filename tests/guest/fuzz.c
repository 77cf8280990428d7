/*
 * A seeded system-call fuzzer. The calls are made by a thread whose
 * capability space is a sandbox CNode: it holds a few objects of every
 * kind, made from a 1 MiB sandbox untyped, and nothing of ktest's, so no
 * call can reach ktest's own CNode, address space, thread, I/O ports or
 * IRQ control. The fuzzing thread and the sandbox CNode themselves come
 * from the test arena, so revoking the sandbox untyped (which the fuzzer
 * may do) cannot pull them out from under it. Pointer arguments point at
 * a scratch buffer or at nothing.
 *
 * ktest's main thread watches: a fuzzed call that blocks (a send nobody
 * receives) is ended by suspend + resume (LM_EINTR). Every 1,000 calls
 * the fuzzer runs DEBUG_CHECK; at the end the sandbox untyped is revoked
 * and must be whole again. The seed is printed; `fuzzseed=N` on the kernel
 * command line replays it.
 */
#include "harness.h"

#define FZ_CALLS        100000
#define FZ_LEAK_CALLS   20000
#define FZ_BATCH        1000
#define FZ_SANDBOX_BITS 8          /* 256 slots */
#define FZ_UT_BITS      20         /* 1 MiB */
#define FZ_VA           0x500000000000ull /* mapped only in the sandbox's V */
#define FZ_SCRATCH      8192

enum { /* the sandbox's initial layout */
	SB_SELF = 1, SB_VSPACE = 2, SB_TCB = 3, SB_CNODE = 5, SB_FRAME = 6,
	SB_PTABLE = 10, SB_EP = 14, SB_EP_BADGED = 16, SB_NTFN = 17,
	SB_NTFN_BADGED = 19, SB_UT_CHILD = 20, SB_FRAME_RO = 21, SB_UT = 22,
	SB_USED = 23,
};

struct fz {
	lm_u64 x;            /* xorshift64* state */
	lm_u64 calls;
	lm_u64 problems;     /* DEBUG_CHECK's count, summed */
	lm_u64 bad_rax;      /* a result that is no enum lm_err */
	lm_u64 bad_enosys;   /* an unknown number that did not say ENOSYS */
	lm_u64 unblocks;     /* blocked calls the watchdog ended */
	lm_u64 errs[LM_NERR];
};

static struct fz fz;
static lm_u8 scratch[FZ_SCRATCH] __attribute__((aligned(4096)));

static lm_u64 rnd(void)
{
	fz.x ^= fz.x >> 12;
	fz.x ^= fz.x << 25;
	fz.x ^= fz.x >> 27;
	return fz.x * 0x2545f4914f6cdd1dull;
}

static const lm_u64 boundary[] = {
	0, 1, ~0ull, 1ull << 63, LM_USER_MAX, LM_USER_MAX - 1, LM_USER_MAX - 4096,
	T_KERNEL_ADDR, 0xffffffff80000000ull, 0x1000, 0xfff, 255, 256, 4096, 4097,
	1ull << 22, 1ull << 32, 1ull << 47, 0x7fffffff, 0x80000000,
	LM_RETYPE_MAX_COUNT, LM_RETYPE_MAX_COUNT + 1, 0xffff, 0x10000, 64, 65,
};

/* An argument: mostly slots and small numbers that mean something, then
 * edges, addresses and noise. */
static lm_u64 fz_arg(void)
{
	lm_u64 r = rnd();

	switch (r % 16) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		return (r >> 8) % SB_USED;                       /* a real cap */
	case 6:
		return (r >> 8) % 300;                           /* any slot */
	case 7:
		return (r >> 8) % 17;                            /* type, width, rights */
	case 8:
		return (r >> 8) % 65;                            /* bits */
	case 9:
		return boundary[(r >> 8) % (sizeof boundary / sizeof boundary[0])];
	case 10:
		return (lm_u64)scratch + ((r >> 8) % 2 ? 0 : (r >> 16) % 4096);
	case 11:
		return FZ_VA + ((r >> 8) % 512) * LM_PAGE_SIZE;  /* in V */
	case 12:
		return FZ_VA + ((r >> 8) % 8) * LM_LARGE_PAGE_SIZE;
	case 13:
		return rnd();
	case 14:
		return FZ_VA + (r >> 8) % (1u << 20);            /* unaligned */
	default:
		return (r >> 8) & 0xff;                          /* priority, badge */
	}
}

static lm_u64 fz_nr(void)
{
	lm_u64 r = rnd();

	if (r % 100 < 92)
		return LM_SYS_BASE + (r >> 8) % LM_NSYSCALLS;
	switch ((r >> 8) % 5) {
	case 0: return rnd();
	case 1: return LM_SYS_BASE - 1 - (r >> 16) % 16;
	case 2: return LM_SYS_END + (r >> 16) % 16;
	case 3: return (r >> 16) % 512;                      /* Linux numbers */
	default: return (1ull << 63) | LM_SYS_BASE;
	}
}

/* Keep the fuzzer alive and the console quiet: no exit, no putc, and
 * DEBUG_WRITE only with arguments it must refuse. */
static lm_u64 fz_tame(lm_u64 nr, lm_u64 a[6])
{
	static const lm_u64 bad_ptr[] = { 0, T_KERNEL_ADDR, FZ_VA, LM_USER_MAX - 2 };

	if (nr == LM_SYS_THREAD_EXIT)
		return LM_SYS_THREAD_YIELD;
	if (nr == LM_SYS_DEBUG_PUTC)
		return LM_SYS_DEBUG_CHECK;
	/* A resumed sandbox thread mostly faults at once, and the kernel
	 * logs every fault: resume less often than the rest. */
	if (nr == LM_SYS_THREAD_RESUME && rnd() % 4)
		return LM_SYS_THREAD_SUSPEND;
	if (nr == LM_SYS_DEBUG_WRITE) {
		if (rnd() % 2) {
			a[0] = bad_ptr[rnd() % 4];
			a[1] = 1 + rnd() % 64;
		} else {
			a[0] = (lm_u64)scratch;
			a[1] = rnd() % 2 ? 0 : 4097 + rnd() % 100000;
		}
	}
	return nr;
}

/* New scratch contents: noise, or a register set that looks usable. */
static void fz_scratch(void)
{
	struct lm_regs *r = (struct lm_regs *)scratch;

	for (lm_u32 i = 0; i < 256; i++)
		((lm_u64 *)scratch)[i] = rnd();
	if (rnd() % 2) {
		r->rip = FZ_VA + (rnd() % 512) * LM_PAGE_SIZE;
		r->rsp = FZ_VA + (rnd() % 512) * LM_PAGE_SIZE;
		r->rflags = 0x202;
		r->fs_base = r->gs_base = 0;
	}
}

static void fz_one(void)
{
	lm_u64 a[6], nr = fz_nr(), ret;

	for (int i = 0; i < 6; i++)
		a[i] = fz_arg();
	nr = fz_tame(nr, a);
	if (rnd() % 64 == 0)
		fz_scratch();
	ret = lm_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5], 0);
	if (ret >= LM_NERR)
		fz.bad_rax++;
	else
		fz.errs[ret]++;
	if ((nr < LM_SYS_BASE || nr >= LM_SYS_END) && ret != LM_ENOSYS)
		fz.bad_enosys++;
	fz.calls++;
}

static lm_word_t fz_loop(lm_word_t n)
{
	lm_u64 p;

	for (lm_u64 i = 1; i <= n; i++) {
		fz_one();
		if (i % FZ_BATCH == 0) {
			if (lm_debug_check(&p) != LM_OK)
				p = 1;
			fz.problems += p;
		}
	}
	return fz.problems;
}

/* The sandbox: a CNode (from the arena) filled with objects made from a
 * child of `ut`, which itself is moved in last. */
static int sb_fill(lm_cptr_t sb, lm_cptr_t ut)
{
	lm_cptr_t u2 = t_slot();
	int err;

	if (!u2)
		return LM_ELIMIT;
	err = lm_untyped_retype(ut, LM_OBJ_UNTYPED, FZ_UT_BITS, LM_SLOT_CNODE, u2, 1);
#define MAKE(type, bits, slot, n) \
	if (!err) err = lm_untyped_retype(u2, type, bits, sb, slot, n)
	MAKE(LM_OBJ_VSPACE, 0, SB_VSPACE, 1);
	MAKE(LM_OBJ_TCB, 0, SB_TCB, 2);
	MAKE(LM_OBJ_CNODE, 4, SB_CNODE, 1);
	MAKE(LM_OBJ_FRAME, 12, SB_FRAME, 4);
	MAKE(LM_OBJ_PTABLE, 0, SB_PTABLE, 4);
	MAKE(LM_OBJ_ENDPOINT, 0, SB_EP, 2);
	MAKE(LM_OBJ_NOTIFY, 0, SB_NTFN, 2);
	MAKE(LM_OBJ_UNTYPED, 16, SB_UT_CHILD, 1);
#undef MAKE
	if (!err)
		err = lm_cnode_copy(sb, SB_SELF, LM_SLOT_CNODE, sb, LM_R_ALL);
	if (!err)
		err = lm_cnode_mint(sb, SB_EP_BADGED, sb, SB_EP, LM_R_ALL, 0x77);
	if (!err)
		err = lm_cnode_mint(sb, SB_NTFN_BADGED, sb, SB_NTFN, LM_R_ALL, 0x100);
	if (!err)
		err = lm_cnode_copy(sb, SB_FRAME_RO, sb, SB_FRAME, LM_R_READ);
	if (!err)
		err = lm_cnode_move(sb, SB_UT, LM_SLOT_CNODE, u2);
	return err;
}

/* The seed for `fuzzseed=` (from the command line, else the TSC); the
 * session's generator starts at seed + salt. */
static lm_u64 fz_seed(lm_u64 salt)
{
	lm_u64 seed;

	if (!lm_cmdline_u64(t_bi->cmdline, "fuzzseed", &seed))
		seed = t_rdtsc() * 0x9e3779b97f4a7c15ull;
	fz = (struct fz){ 0 };
	fz.x = seed + salt ? seed + salt : 0x5eed;
	return seed;
}

/* Run n calls in a sandboxed thread, watching it; LM_OK when it finished. */
static int fz_run(lm_cptr_t sb, lm_u64 n, struct lm_thread_info *ti)
{
	lm_cptr_t t = t_new(LM_OBJ_TCB, 0);
	lm_u64 end = t_rdtsc() + t_ms_to_tsc(600000);
	int err;

	if (!t)
		return LM_ENOMEM;
	err = lm_thread_configure(t, sb, LM_SLOT_VSPACE);
	if (!err)
		err = lm_thread_start(t, fz_loop, n, t_stack(), T_PRIO);
	while (!err && t_rdtsc() < end) {
		err = lm_thread_info(t, ti);
		if (err || (ti->state != LM_TS_RUNNABLE && ti->state != LM_TS_BLOCKED))
			return err;
		if (ti->state == LM_TS_BLOCKED) {
			lm_thread_suspend(t);
			lm_thread_resume(t);
			fz.unblocks++;
		}
		lm_thread_yield();
	}
	return err ? err : LM_EAGAIN;
}

static void fz_report(void)
{
	char line[400];
	int n = lm_snprintf(line, sizeof line, "fuzz: %lu calls, %lu unblocked,", fz.calls,
			    fz.unblocks);

	for (lm_u32 e = 0; e < LM_NERR && n > 0 && (lm_u64)n < sizeof line; e++)
		if (fz.errs[e])
			n += lm_snprintf(line + n, sizeof line - n, " %s=%lu",
					 lm_err_str(e) + 3, fz.errs[e]);
	t_note("%s", line);
}

/* Set up a sandbox, fuzz n calls, check the kernel after; the sandbox
 * untyped stays for the caller to revoke. */
static void fz_session(lm_u64 n, lm_u64 salt, lm_cptr_t *ut_out)
{
	lm_cptr_t sb = t_new(LM_OBJ_CNODE, FZ_SANDBOX_BITS);
	lm_cptr_t ut = t_new(LM_OBJ_UNTYPED, FZ_UT_BITS);
	struct lm_thread_info ti;
	lm_u64 problems;

	*ut_out = ut;
	CHECK(sb && ut);
	CHECK_OK(sb_fill(sb, ut));
	t_note("fuzz: seed=%#lx calls=%lu", fz_seed(salt), n);
	fz_scratch();
	CHECK_OK(fz_run(sb, n, &ti));
	fz_report();
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(fz.calls, n);
	CHECK_EQ(fz.problems, 0);
	CHECK_EQ(fz.bad_rax, 0);
	CHECK_EQ(fz.bad_enosys, 0);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
}

TEST_SLOW(fuzz_100k_calls_kernel_consistent)
{
	lm_cptr_t ut;

	fz_session(FZ_CALLS, 0, &ut);
}

TEST_SLOW(fuzz_no_leak_after_revoke)
{
	lm_cptr_t ut = 0;
	lm_u64 problems;

	fz_session(FZ_LEAK_CALLS, 0x1eac, &ut);
	if (t_failed())
		return;
	CHECK_OK(lm_cnode_revoke(LM_SLOT_CNODE, ut));
	CHECK_EQ(t_ut_free(ut), 1u << FZ_UT_BITS);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
}
