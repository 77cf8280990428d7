/*
 * Revocation in the middle of a fork (issue 13, item 6): forktest's
 * FT_REVOKED forks with its children's memory from an account of a
 * manager of ours and stops in lm_fork's hook, after the child's account
 * is made and its memory copied into its chunk, before the child starts.
 * There we ask for the chunk and take it by force. Ordered by IPC: the
 * forker waits for our reply. The fork must notice (lib/fork.c
 * chunk_kept) and fail with LM_ENOMEM, closing the child's account, with
 * the forker's own state intact (a second fork then works), the accounts
 * adding up and the capability tree sound.
 */
#include "harness.h"
#include "redteam2.h"
#include "../../apps/forktest.h"
#include "../../servers/mem/mem_proto.h"
#include "mem_test.h"

#define FORKER_BITS 22 /* forktest's own memory (its pool, the child's shell) */

/* The live account below `parent` (its badge), 0 if none. */
static lm_u64 child_of(lm_cptr_t root, lm_u64 parent)
{
	struct lm_msg m;

	for (lm_u64 b = 1; !lm_ep_call(root, LM_MSG_INFO(MEM_LIST, 1, 0), b, 0, 0, 0, &m) &&
			   (long)m.w[0] > 0;
	     b = m.w[0] + 1)
		if (m.w[1] == parent)
			return m.w[0];
	return 0;
}

TEST(mem_enforce_in_the_middle_of_a_fork_fails_it_with_ENOMEM_and_accounted)
{
	static struct lm_bootinfo tmpl;
	lm_cptr_t root, f, ep = t_new(LM_OBJ_ENDPOINT, 0), ut = t_new(LM_OBJ_UNTYPED, FORKER_BITS);
	lm_cptr_t fcopy = t_slot(), epcopy = t_slot();
	lm_u64 bf, asked = 0, taken = 0;
	struct lm_proc mp, p;
	struct lm_spawn a = { 0 };
	struct lm_thread_info ti;
	struct lm_msg m;

	CHECK(ep && ut && fcopy && epcopy);
	CHECK_OK(mt_start(1, &root, &mp)); /* 2 chunks */
	CHECK((f = mt_split(root, 2, &bf)));
	CHECK_OK(lm_cnode_copy(CN, fcopy, CN, f, LM_R_WRITE | LM_R_GRANT));
	CHECK_OK(lm_cnode_mint(CN, epcopy, CN, ep, LM_R_WRITE, 1));
	tmpl = *t_bi;
	tmpl.n_modules = 0;
	tmpl.console_slot = 0;
	tmpl.n_untyped = 1;
	tmpl.untyped[0] = (struct lm_bi_untyped){ .paddr = t_id(ut).addr, .slot = 8,
						  .size_bits = FORKER_BITS };
	const struct lm_spawn_cap caps[] = {
		{ ut, 8, 0, LM_SPAWN_MOVE, 0 },
		{ fcopy, FT_SLOT_ACCT, LM_R_WRITE | LM_R_GRANT, LM_SPAWN_MOVE, 0 },
		{ epcopy, FT_SLOT_TEST, LM_R_WRITE, LM_SPAWN_MOVE, 0 },
	};
	a.image = t_module("forktest", &a.size);
	CHECK(a.image);
	a.arg = FT_REVOKED;
	a.prio = T_PRIO;
	a.cnode_bits = 10;
	a.caps = caps;
	a.ncaps = 3;
	a.bi = &tmpl;
	CHECK_OK(lm_spawn(&a, &p));
	/* Stopped in the fork: the child's account below f holds its chunk. */
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), FT_STOP);
	lm_u64 bc = child_of(root, bf);
	CHECK(bc != 0);
	CHECK_EQ(mt_info(f, USE), 1);
	CHECK_OK(lm_mem_request(root, bc, 1, 0, &asked));
	CHECK_EQ(asked, 1);
	CHECK_OK(lm_mem_enforce(root, bc, &taken));
	CHECK_EQ(taken, 1);
	CHECK_EQ(mt_info(f, USE), 0);
	CHECK(sound());
	CHECK_OK(lm_ep_reply(LM_MSG_INFO(0, 1, 0), 0, 0, 0, 0));
	/* It comes back: the fork done and its child reaped (faulted at
	 * once: its memory went) or the fork failed with an error. */
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(LM_MSG_LABEL(m.info), FT_DONE);
	/* The fork noticed: LM_ENOMEM, no child started; then a plain
	 * fork works and its child sees the forker's memory as it was. */
	CHECK_EQ(m.w[0], LM_ENOMEM);
	CHECK_EQ(m.w[3] & 0xff, 0);
	CHECK_EQ(m.w[3] >> 8, 0x55);
	CHECK_OK(lm_ep_reply(LM_MSG_INFO(0, 0, 0), 0, 0, 0, 0));
	CHECK_OK(t_wait(p.tcb, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0);
	/* The child's account ended with the reap (or the failed fork):
	 * nothing below f, nothing charged, every chunk free again. */
	CHECK_EQ(child_of(root, bf), 0);
	CHECK_EQ(mt_info(f, USE), 0);
	CHECK_EQ(mt_info(root, USE), 0);
	CHECK_EQ(mt_info(root, FREE), 2);
	CHECK(sound());
}
