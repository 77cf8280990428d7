/*
 * The deep fuzzer's sessions (fuzz.h, docs/FUZZING.md). A session runs
 * programs: the fixed prologue that fills a fresh sandbox, then fuzzed
 * calls, either generated or mutated from a program of the corpus. A
 * program that reached something new is kept in the corpus: new kernel
 * coverage (DEBUG_COVERAGE, in the fuzzing build) or a (call, result) pair
 * never seen before (any build).
 *
 * Oracles: a kernel panic (the runner), DEBUG_CHECK's problems every 1,000
 * calls, results outside enum lm_err, received messages the ABI does not
 * allow, unknown numbers that do not say LM_ENOSYS, exception frames that
 * do not hold the registers of the thread (the handler in fuzz_exec.c),
 * and a leak check after every program: the sandbox untyped must be whole
 * again once revoked.
 *
 * `fuzzseed=N` replays a session; `fuzz.calls=N` sets its length (make
 * fuzz: 10 million).
 */
#include "fuzz.h"

#define FZ_TEST_CALLS 30000      /* make test's session */
#define FZ_CHECK_EVERY 1000
#define FZ_CORPUS 64

lm_u8 fz_usig[LM_NSYSCALLS * LM_NERR / 8 + 64];
lm_u64 fz_usig_new;

static struct fz_prog fz_corpus[FZ_CORPUS];
static lm_u32 fz_ncorpus;
static struct fz_prog fz_prog;

/* Kernel sites reached so far, or 0 where the build has no coverage. */
static lm_u64 fz_cov(void)
{
	lm_u64 out[LM_SYS_NOUT];

	return lm_syscall6(LM_SYS_DEBUG_COVERAGE, lm_debug_cap, 0, 0, 0, 0, 0, out) == LM_OK ? out[0] : 0;
}

static lm_u64 fz_secs(lm_u64 t0)
{
	return (t_rdtsc() - t0) / t_ms_to_tsc(1000);
}

static void fz_next_prog(void)
{
	fz_prologue(&fz_prog);
	lm_u32 first = fz_prog.n;
	if (fz_ncorpus && fz_rnd() % 4) {
		const struct fz_prog *base = &fz_corpus[fz_rnd() % fz_ncorpus];
		for (lm_u32 i = first; i < base->n; i++)
			fz_prog.c[i] = base->c[i];
		fz_prog.n = base->n;
		fz_mutate(&fz_prog, first, &fz_corpus[fz_rnd() % fz_ncorpus]);
	} else {
		fz_gen_prog(&fz_prog, first);
	}
}

static void fz_keep(void)
{
	lm_u32 at = fz_ncorpus < FZ_CORPUS ? fz_ncorpus++ : (lm_u32)(fz_rnd() % FZ_CORPUS);

	fz_corpus[at] = fz_prog;
}

/* What a finding prints: the counts and the program that ran last. */
static void fz_dump(const char *what)
{
	const volatile struct fz_verdict *v = fz_verdict();

	lm_printf("\nfuzz: FOUND %s after %lu calls (%lu programs): bad_rax=%lu bad_abi=%lu "
		  "setup=%lu leaks=%lu problems=%lu bad_frames=%lu (mask %#lx at %#lx) "
		  "long_msgs=%lu fs_wrong=%lu last nr=%#lx ret=%#lx; the last program:\n", what,
		  fz_st.calls, fz_st.programs, fz_st.bad_rax, fz_st.bad_abi, fz_st.setup_fail,
		  fz_st.leaks, fz_st.problems, fz_st.bad_frames, v->bad_mask, v->bad_at,
		  fz_st.long_msgs, fz_st.fs_wrong, fz_st.last_bad_nr, fz_st.last_bad_ret);
	for (lm_u32 i = 0; i < fz_prog.n; i++)
		fz_print_call(&fz_prog.c[i], i);
}

/* The first finding's name, or 0. */
static const char *fz_finding(void)
{
	if (fz_st.bad_rax)
		return "a result outside enum lm_err";
	if (fz_st.bad_abi)
		return "a result the ABI does not allow";
	if (fz_st.bad_frames)
		return "an exception frame that does not hold the thread's registers";
	if (fz_st.long_msgs)
		return "a sandbox thread received a message longer than the ABI allows";
	if (fz_st.fs_wrong)
		return "a thread running with an FS base it was not given";
	if (fz_st.setup_fail)
		return "a prologue call failed";
	if (fz_st.leaks)
		return "a leak: the sandbox untyped not whole after revoke";
	if (fz_st.problems)
		return "DEBUG_CHECK problems";
	return 0;
}

/* Charge what the handler found during the last program: to the findings,
 * or, where the program let user code explain it, to the excused. */
static void fz_verdicts(const struct fz_verdict *before)
{
	const volatile struct fz_verdict *v = fz_verdict();
	lm_u64 frames = v->bad - before->bad, fs = v->fs_wrong - before->fs_wrong;

	fz_st.long_msgs += v->long_msg - before->long_msg;
	if (fz_taint.frames)
		fz_st.excused += frames;
	else
		fz_st.bad_frames += frames;
	if (fz_taint.fs)
		fz_st.excused += fs;
	else
		fz_st.fs_wrong += fs;
}

static void fz_progress(lm_u64 t0, lm_u64 cov, lm_u64 sites)
{
	lm_printf("fuzz: %lu calls, %lu programs, %lu s, corpus %u, %lu unblocked, %lu hangs, "
		  "%lu failed prologue calls, frames %lu (%lu excused), coverage %lu", fz_st.calls,
		  fz_st.programs, fz_secs(t0), fz_ncorpus, fz_st.unblocks, fz_st.hangs,
		  fz_st.setup_fail, fz_verdict()->good, fz_st.excused, cov);
	if (sites)
		lm_printf(" of %lu sites (%lu.%lu%%)", sites, cov * 100 / sites,
			  cov * 1000 / sites % 10);
	lm_printf("\n");
}

/* A whole session: n calls from seed; 0 if nothing was found. */
static const char *fz_session(lm_u64 n, lm_u64 seed, int verbose)
{
	lm_u64 t0 = t_rdtsc(), sites = 0, best = fz_cov(), next_check = FZ_CHECK_EVERY;
	lm_u64 next_note = 100000, usig, p;
	const char *found = 0;

	lm_cmdline_u64(t_bi->cmdline, "kcov_sites", &sites);
	fz_st = (struct fz_stats){ 0 };
	fz_srand(seed);
	fz_ncorpus = 0;
	if (fz_sandbox_init() || lm_thread_set_fsbase(LM_SLOT_TCB, FZ_FS_BASE))
		return "no sandbox";
	while (fz_st.calls < n && !found) {
		fz_next_prog();
		usig = fz_usig_new;
		struct fz_verdict before = *(const struct fz_verdict *)fz_verdict();
		if (fz_run_prog(&fz_prog))
			return "a program that could not be started";
		fz_verdicts(&before);
		lm_u64 cov = fz_cov();
		if (cov > best || fz_usig_new > usig)
			fz_keep();
		best = cov > best ? cov : best;
		if (fz_st.calls >= next_check) {
			next_check = fz_st.calls + FZ_CHECK_EVERY;
			fz_st.problems += lm_debug_check(&p) == LM_OK ? p : 1;
		}
		if ((found = fz_finding()))
			fz_dump(found);
		if (verbose && fz_st.calls >= next_note) {
			next_note += 100000;
			fz_progress(t0, best, sites);
		}
	}
	fz_progress(t0, best, sites);
	if (!found && fz_sandbox_leaked())
		found = "a leak at the end";
	return found;
}

static void fz_report(void)
{
	char line[400];
	int n = lm_snprintf(line, sizeof line, "fuzz: results");

	for (lm_u32 e = 0; e < LM_NERR && n > 0 && (lm_u64)n < sizeof line; e++)
		if (fz_st.errs[e])
			n += lm_snprintf(line + n, sizeof line - n, " %s=%lu",
					 lm_err_str(e) + 3, fz_st.errs[e]);
	t_note("%s", line);
}

TEST_SLOW(fuzz_deep_programs_keep_kernel_consistent)
{
	lm_u64 seed, calls = FZ_TEST_CALLS, problems;
	const char *found;

	if (!lm_cmdline_u64(t_bi->cmdline, "fuzzseed", &seed))
		seed = t_rdtsc() * 0x9e3779b97f4a7c15ull;
	lm_cmdline_u64(t_bi->cmdline, "fuzz.calls", &calls);
	t_note("fuzz: seed=%#lx calls=%lu (replay: fuzzseed=%#lx)", seed, calls, seed);
	found = fz_session(calls, seed, calls > FZ_TEST_CALLS);
	lm_thread_set_fsbase(LM_SLOT_TCB, 0);
	fz_report();
	if (found)
		t_fail(__FILE__, __LINE__, "fuzz found %s (seed %#lx)", found, seed);
	CHECK(!found);
	CHECK_OK(lm_debug_check(&problems));
	CHECK_EQ(problems, 0);
}
