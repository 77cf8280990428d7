/* Copy-on-write fork in the library OS (lm/fork.h). The scenarios run in
 * apps/forktest, a process of their own started with memory and a
 * bootinfo page, so that what fork does to a process's pages and library
 * state ends with it; its exit code says how it went (0: every check
 * held). */
#include "harness.h"
#include "../../apps/forktest.h"

#define FT_MEM_BITS 23 /* 8 MiB for forktest and its descendants */

static void forktest_in(lm_u64 mode, lm_u32 cnode_bits)
{
	static struct lm_bootinfo tmpl;
	struct lm_spawn a = { 0 };
	struct lm_spawn_cap cap;
	struct lm_proc p;
	struct lm_thread_info ti;
	lm_cptr_t ut = t_new(LM_OBJ_UNTYPED, FT_MEM_BITS);

	CHECK(ut);
	tmpl = *t_bi;
	tmpl.n_modules = 0;
	tmpl.console_slot = 0;
	tmpl.n_untyped = 1;
	tmpl.untyped[0] = (struct lm_bi_untyped){ .paddr = t_id(ut).addr, .slot = 8,
						  .size_bits = FT_MEM_BITS };
	cap = (struct lm_spawn_cap){ ut, 8, 0, LM_SPAWN_MOVE, 0 };
	a.image = t_module("forktest", &a.size);
	CHECK(a.image);
	a.arg = mode;
	a.prio = T_PRIO;
	a.cnode_bits = cnode_bits;
	a.caps = &cap;
	a.ncaps = 1;
	a.bi = &tmpl;
	CHECK_OK(lm_spawn(&a, &p));
	CHECK_OK(t_wait(p.tcb, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0);
}

static void forktest(lm_u64 mode)
{
	forktest_in(mode, 10);
}

TEST(fork_parent_and_child_see_their_own_writes)
{
	forktest(FT_OWN_WRITES);
}

TEST(fork_three_generations_each_see_their_own_memory)
{
	forktest(FT_GENERATIONS);
}

TEST(fork_on_demand_pages_are_copied_on_reference_and_on_write)
{
	forktest(FT_ON_DEMAND);
}

TEST(fork_100_times_leaks_nothing)
{
	forktest(FT_MANY);
}

TEST(fork_without_memory_fails_and_leaves_nothing)
{
	forktest(FT_NO_MEMORY);
}

TEST(fork_has_limits_and_a_child_gets_only_what_was_shared)
{
	forktest(FT_LIMITS);
}

TEST(fork_child_starts_with_the_parents_fpu_and_sse_modes)
{
	forktest(FT_FPU);
}

TEST(fork_earlier_child_is_refused_a_page_shared_at_a_later_fork)
{
	forktest(FT_LATER_FORK);
}

TEST(fork_child_cannot_map_parent_text_or_rodata_writable)
{
	forktest(FT_SHARED_RO);
}

TEST(fork_child_and_grandchild_cannot_map_an_unwritten_parent_page_writable)
{
	forktest(FT_UNWRITTEN);
}

TEST(fork_child_leaving_capabilities_in_its_place_does_not_reach_the_next_child)
{
	forktest(FT_HOSTILE_PLACE);
}

TEST(fork_server_refuses_bad_requests_and_serves_a_page_once)
{
	forktest(FT_HOSTILE_ASKS);
}

TEST(fork_50_children_come_and_go_while_one_is_kept_each_given_ids)
{
	forktest(FT_KEEP_ONE);
}

TEST(fork_forget_gives_back_only_a_parent_frame_never_fetched)
{
	forktest(FT_FORGET);
}

TEST(fork_child_is_given_at_its_fork_a_page_an_earlier_child_fetched)
{
	forktest(FT_HOT);
}

TEST(fork_stack_page_is_the_childs_own_copy_or_shared_while_a_child_lives)
{
	forktest(FT_STACK);
}

/* With a 4,096-slot child CNode the shell keeps the child's private pages
 * in frames only the parent holds: a child that leaves them with no
 * access does not reach the next (lib/fork_pages.c). */
TEST(fork_kept_private_pages_are_made_writable_again_for_the_next_child)
{
	forktest_in(FT_BIG_PLACE, 12);
}

TEST(fork_every_scenario_one_after_another_in_one_process)
{
	forktest(LM_BOOTINFO_VADDR); /* as `run forktest` in the shell does */
}
