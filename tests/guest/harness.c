/* The test runner: ktest's main (harness.h explains the protocol). */
#include "harness.h"

extern const struct t_case *const __start_lm_tests[];
extern const struct t_case *const __stop_lm_tests[];

#define T_ARENA_BITS 24 /* 16 MiB per test, reused by every test */
#define T_ASIDS      256 /* address-space IDs per test, likewise */

const struct lm_bootinfo *t_bi;
struct lm_pool t_pool;
lm_cptr_t t_ut;
lm_u32 t_ut_bits;

static struct lm_pool main_pool;
static lm_cptr_t main_asids, test_asids; /* ktest's ID range; each test's */
static struct lm_slots slots_before;   /* allocator state before a test */
static char fail_msg[320];
static int fail_count;
static int noted;                       /* the test printed a line */

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (fail_count++)
		return; /* the first failure says most; later ones follow from it */
	n = lm_snprintf(fail_msg, sizeof fail_msg, "%s:%d: ", file, line);
	if (n < 0 || (lm_u64)n >= sizeof fail_msg)
		return;
	va_start(ap, fmt);
	lm_vsnprintf(fail_msg + n, sizeof fail_msg - n, fmt, ap);
	va_end(ap);
}

int t_failed(void)
{
	return fail_count != 0;
}

void t_note(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	lm_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	lm_printf("%s%s\n", noted ? "" : "\n", buf);
	noted = 1;
}

void t_reset_stacks(void); /* util.c */

static void begin(void)
{
	fail_count = 0;
	noted = 0;
	slots_before = lm_slots;
	t_reset_stacks();
	lm_pool_init(&t_pool, 0);
	if (lm_pool_add(&t_pool, t_ut))
		t_fail(__FILE__, __LINE__, "arena untyped unusable");
	lm_pool_use(&t_pool);
	/* Its own IDs, taken back whole after it (ktest's range has no other
	 * sub-range, so every test gets the same ones). */
	if (lm_asids_issue(main_asids, T_ASIDS, LM_SLOT_CNODE, test_asids))
		t_fail(__FILE__, __LINE__, "no address-space IDs for the test");
	lm_asid_cap = test_asids;
}

static int slot_was_free(lm_u32 s)
{
	return !((slots_before.used[s / 64] >> (s % 64)) & 1);
}

/* Empty the slots the test allocated and hand them back. */
static void free_test_slots(void)
{
	for (lm_u32 s = lm_slots.first; s < lm_slots.end; s++) {
		if (!((lm_slots.used[s / 64] >> (s % 64)) & 1) || !slot_was_free(s))
			continue;
		if (t_type(s) != LM_OBJ_NULL) {
			lm_cnode_revoke(LM_SLOT_CNODE, s);
			lm_cnode_delete(LM_SLOT_CNODE, s);
		}
	}
	lm_slots = slots_before;
}

static void end(void)
{
	lm_u64 problems = 0, free;
	int err;

	lm_pool_use(&main_pool);
	err = lm_cnode_revoke(LM_SLOT_CNODE, t_ut);
	if (err)
		t_fail(__FILE__, __LINE__, "revoking the arena: %s", lm_err_str(err));
	free_test_slots();
	lm_asid_cap = main_asids;
	if (t_type(test_asids) != LM_OBJ_NULL &&
	    (lm_cnode_revoke(LM_SLOT_CNODE, test_asids) || lm_cnode_delete(LM_SLOT_CNODE, test_asids)))
		t_fail(__FILE__, __LINE__, "cannot take the test's address-space IDs back");
	free = t_ut_free(t_ut);
	if (free != (lm_u64)1 << t_ut_bits)
		t_fail(__FILE__, __LINE__, "arena not whole after revoke: %#lx of %#lx bytes free",
		       free, (lm_u64)1 << t_ut_bits);
	err = lm_debug_check(&problems);
	if (err || problems)
		t_fail(__FILE__, __LINE__, "DEBUG_CHECK: %s, %lu problems",
		       lm_err_str(err), problems);
}

static int run_one(const struct t_case *c)
{
	lm_printf("test %s ... ", c->name);
	begin();
	if (!fail_count)
		c->fn();
	end();
	/* After a note the result is on a line of its own (t_note ends lines). */
	lm_printf(fail_count ? "FAIL %s\n" : "ok\n", fail_msg);
	return fail_count == 0;
}

static void setup(lm_word_t arg)
{
	t_bi = (const struct lm_bootinfo *)arg;
	lm_slot_init(t_bi->first_free, 1ull << t_bi->cnode_bits);
	lm_pool_init(&main_pool, 22);
	for (lm_u32 i = 0; i < t_bi->n_untyped && i < LM_BI_MAX_UNTYPED; i++)
		lm_pool_add(&main_pool, t_bi->untyped[i].slot);
	lm_pool_use(&main_pool);
	main_asids = lm_asid_cap;
	test_asids = lm_slot_alloc();
	for (t_ut_bits = T_ARENA_BITS; t_ut_bits >= 20; t_ut_bits--)
		if (lm_obj_alloc(LM_OBJ_UNTYPED, t_ut_bits, &t_ut) == LM_OK)
			break;
}

int main(lm_word_t arg)
{
	lm_u32 passed = 0, failed = 0, n = __stop_lm_tests - __start_lm_tests;

	if (arg != LM_BOOTINFO_VADDR ||
	    ((const struct lm_bootinfo *)arg)->magic != LM_BOOTINFO_MAGIC) {
		lm_printf("ktest: no bootinfo\n0 passed, 1 failed\n");
		return 1;
	}
	setup(arg);
	lm_printf("ktest: %u tests, %lu MiB of untyped memory, arena 2^%u bytes\n",
		  n, lm_pool_free_bytes(&main_pool) >> 20, t_ut_bits);
	if (t_ut_bits < 20) {
		lm_printf("ktest: not enough memory for a test arena\n0 passed, 1 failed\n");
		return 1;
	}
	/* test.only=<prefix> on the command line runs just those tests. */
	const char *cl = ((const struct lm_bootinfo *)arg)->cmdline, *only = 0;
	lm_u64 only_len = 0;
	for (const char *q = cl; *q; q++)
		if (!strncmp(q, "test.only=", 10) && (q == cl || q[-1] == ' ')) {
			only = q + 10;
			while (only[only_len] && only[only_len] != ' ')
				only_len++;
		}
	for (int slow = 0; slow <= 1; slow++)
		for (lm_u32 i = 0; i < n; i++) {
			if (__start_lm_tests[i]->slow != slow)
				continue;
			if (only && strncmp(__start_lm_tests[i]->name, only, only_len))
				continue;
			if (run_one(__start_lm_tests[i]))
				passed++;
			else
				failed++;
		}
	lm_printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
