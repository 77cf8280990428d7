/* liblamina's own pieces, run where they will be used: printf, the slot
 * and object allocators, lm_map_page, command lines, waiting. */
#include "harness.h"

#define CN LM_SLOT_CNODE

static int str_is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

TEST(lib_snprintf_formats_numbers_strings_and_padding)
{
	char b[160];

	lm_snprintf(b, sizeof b, "%d|%i|%u|%x|%X|%5d|%-5d|%05d|%s|%c|%%", -42, 7,
		    3000000000u, 0xbeef, 0xbeef, 12, 12, -12, "hi", 'z');
	CHECK(str_is(b, "-42|7|3000000000|beef|BEEF|   12|12   |-0012|hi|z|%"));
	lm_snprintf(b, sizeof b, "%lx %llx %lu %ld", ~0ul, 0x123456789abcull, ~0ul,
		    -9223372036854775807l - 1);
	CHECK(str_is(b, "ffffffffffffffff 123456789abc 18446744073709551615 -9223372036854775808"));
	lm_snprintf(b, sizeof b, "%p %#lx %016lx %.2s %*d", (void *)0x1000, 0xabul, 1ul,
		    "abcdef", 4, 9);
	CHECK(str_is(b, "0x1000 0xab 0000000000000001 ab    9"));
}

TEST(lib_snprintf_truncates_and_returns_the_full_length)
{
	char b[5];
	const char *volatile null_str = 0; /* hidden from -Wformat */

	CHECK_EQ(lm_snprintf(b, sizeof b, "hello world"), 11);
	CHECK(str_is(b, "hell"));
	CHECK_EQ(lm_snprintf(b, 0, "x%d", 5), 2);
	CHECK_EQ(lm_snprintf(b, sizeof b, "%s", null_str), 6);
	CHECK(str_is(b, "(nul"));
}

TEST(lib_err_str_names_every_error)
{
	CHECK(str_is(lm_err_str(LM_OK), "LM_OK"));
	CHECK(str_is(lm_err_str(LM_ECAP), "LM_ECAP"));
	CHECK(str_is(lm_err_str(LM_EINTR), "LM_EINTR"));
	for (lm_u64 e = 0; e < LM_NERR; e++)
		CHECK(strncmp(lm_err_str(e), "LM_E", 4) == 0 || e == LM_OK);
	CHECK(str_is(lm_err_str(LM_NERR), "LM_E?"));
}

TEST(lib_slot_allocator_hands_out_free_runs)
{
	lm_u32 before = lm_slot_nfree();
	lm_cptr_t a = lm_slot_alloc_n(10), b;

	CHECK(a);
	for (lm_u32 i = 0; i < 10; i++)
		CHECK_EQ(t_type(a + i), LM_OBJ_NULL);
	CHECK_EQ(lm_slot_nfree(), before - 10);
	lm_slot_free_n(a + 2, 3);
	b = lm_slot_alloc_n(3);
	CHECK(b);
	CHECK(b == a + 2 || b >= a + 10 || b + 3 <= a);
	lm_slot_free(a + 5); /* a double free is ignored */
	lm_slot_free(a + 5);
	CHECK_EQ(lm_slot_nfree(), before - 10 + 1);
	CHECK_EQ(lm_slot_alloc_n(0), 0);
	CHECK_EQ(lm_slot_alloc_n(1u << 20), 0);
}

TEST(lib_pool_cuts_big_untyped_into_pieces_for_small_objects)
{
	static struct lm_pool p;
	lm_cptr_t big = t_new(LM_OBJ_UNTYPED, 18), f, g;

	CHECK(big);
	lm_pool_init(&p, 14);
	CHECK_OK(lm_pool_add(&p, big));
	CHECK_OK(lm_pool_alloc(&p, LM_OBJ_FRAME, 12, &f));
	CHECK_EQ(p.n, 2); /* a 16 KiB piece was cut */
	CHECK_EQ(t_ut_free(big), (1u << 18) - (1u << 14));
	CHECK_OK(lm_pool_alloc(&p, LM_OBJ_UNTYPED, 16, &g)); /* big: from big */
	CHECK_EQ(p.n, 2);
	/* the 64 KiB child sits at 64 KiB (aligned), the 48 KiB before it is
	 * padding: big's mark is at 128 KiB, the piece has 12 KiB left */
	CHECK_EQ(lm_pool_free_bytes(&p), (1u << 17) + 3 * 4096);
	CHECK_OK(lm_obj_free(f));
	CHECK_EQ(t_ut_free(p.ut[1].slot), 1u << 14); /* piece whole again */
	CHECK_ERR(lm_pool_alloc(&p, LM_OBJ_UNTYPED, 19, &g), LM_ENOMEM);
	CHECK_ERR(lm_pool_alloc(&p, LM_OBJ_IOPORT, 0, &g), LM_EINVAL);
}

TEST(lib_pool_prefers_the_untyped_with_least_padding)
{
	static struct lm_pool p;
	lm_cptr_t a = t_new(LM_OBJ_UNTYPED, 16), b = t_new(LM_OBJ_UNTYPED, 16), t, f;

	CHECK(a && b);
	lm_pool_init(&p, 0);
	CHECK_OK(lm_pool_add(&p, a));
	CHECK_OK(lm_pool_add(&p, b));
	CHECK_OK(lm_pool_alloc(&p, LM_OBJ_TCB, 0, &t)); /* a: mark at 2 KiB */
	CHECK_OK(lm_pool_alloc(&p, LM_OBJ_FRAME, 12, &f)); /* b fits with no padding */
	CHECK_EQ(t_id(f).addr, t_id(b).addr);
	CHECK_ERR(lm_pool_add(&p, f), LM_ETYPE);
}

TEST(lib_map_page_makes_the_missing_tables)
{
	lm_cptr_t f = t_new(LM_OBJ_FRAME, 12), g = t_new(LM_OBJ_FRAME, 12), tabs[3];
	lm_u32 n = 9;

	CHECK(f && g);
	CHECK_OK(lm_map_page_pool(0, LM_SLOT_VSPACE, f, T_VA_FRESH(3), LM_R_READ, tabs, &n));
	CHECK_EQ(n, 3);
	for (lm_u32 i = 0; i < 3; i++)
		CHECK_EQ(t_type(tabs[i]), LM_OBJ_PTABLE);
	CHECK_OK(lm_map_page_pool(0, LM_SLOT_VSPACE, g, T_VA_FRESH(3) + 4096, LM_R_READ, tabs, &n));
	CHECK_EQ(n, 0);
	CHECK_ERR(lm_map_page(LM_SLOT_VSPACE, g, T_VA_FRESH(4), LM_R_READ), LM_ESTATE);
}

TEST(lib_cmdline_finds_words_and_numbers)
{
	lm_u64 v = 0;

	CHECK(lm_cmdline_has("test fuzzseed=0x10", "test"));
	CHECK(!lm_cmdline_has("tests", "test"));
	CHECK(lm_cmdline_has("  a  test ", "test"));
	CHECK(lm_cmdline_u64("test fuzzseed=0x10", "fuzzseed", &v));
	CHECK_EQ(v, 16);
	CHECK(lm_cmdline_u64("fuzzseed=123 x", "fuzzseed", &v));
	CHECK_EQ(v, 123);
	CHECK(!lm_cmdline_u64("fuzzseed=12z", "fuzzseed", &v));
	CHECK(!lm_cmdline_u64("xfuzzseed=1", "fuzzseed", &v));
}

static lm_word_t spin(lm_word_t arg)
{
	for (;;)
		__asm__ volatile("pause");
	return 0;
}

TEST(lib_wait_thread_gives_up_on_a_running_thread)
{
	lm_cptr_t t = t_thread(spin, 0, T_PRIO);
	struct lm_thread_info ti;

	CHECK(t);
	CHECK_ERR(lm_wait_thread(t, 3, &ti), LM_EAGAIN);
	CHECK_EQ(ti.state, LM_TS_RUNNABLE);
	CHECK_OK(lm_thread_suspend(t));
	CHECK_OK(lm_wait_thread(t, 3, &ti));
	CHECK_EQ(ti.state, LM_TS_INACTIVE);
}
