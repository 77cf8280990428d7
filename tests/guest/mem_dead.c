/*
 * A memory manager that dies (issue 13): its clients' calls come back
 * with errors, never hang. The kernel does it: a server destroyed while it
 * owes a reply fails that call (LM_EDELETED), and the endpoint's deletion
 * (the manager's owner revokes it when the manager is gone) fails every
 * call queued on it (LM_EDELETED) and empties every client's slot, so
 * later calls fail at once (LM_ECAP). The library's pool turns a refill
 * that fails so into an allocation failure (LM_ENOMEM).
 *
 * Threads are ordered by IPC, not time: at our priority, we yield until
 * the thread we wait for is blocked (t_blocked).
 */
#include "harness.h"
#include <lm/mem.h>
#include "../../servers/mem/mem_proto.h"
#include "mem_test.h"


static lm_cptr_t standin_ep, standin_ntf;

static struct lm_ipc_buffer *ipcbuf(void)
{
	return mt_ib;
}

/* A stand-in manager: takes one call, then waits on a notification
 * nobody signals, owing the reply, until it is destroyed. */
static lm_word_t standin(lm_word_t arg)
{
	struct lm_msg m;
	lm_u64 w;

	lm_ep_recv(standin_ep, &m);
	lm_ntfn_wait(standin_ntf, &w);
	return 0;
}

/* A client: three MEM_INFO calls on the account at `arg`; each result in
 * got[] (LM_OK or an error), in order. */
static int got[3];
static lm_word_t client(lm_word_t arg)
{
	lm_u64 q, u, f;

	for (int i = 0; i < 3; i++)
		got[i] = lm_mem_info((lm_cptr_t)arg, &q, &u, &f);
	return 0;
}

TEST(mem_call_to_a_manager_that_dies_fails_EDELETED_then_ECAP_never_hangs)
{
	lm_cptr_t acct = t_slot();
	struct lm_thread_info ti;

	standin_ep = t_new(LM_OBJ_ENDPOINT, 0);
	standin_ntf = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(standin_ep && standin_ntf && acct);
	CHECK_OK(lm_cnode_mint(CN, acct, CN, standin_ep, LM_R_WRITE | LM_R_GRANT, 5));
	got[0] = got[1] = got[2] = -1;
	lm_cptr_t s = t_thread(standin, 0, T_PRIO);
	CHECK(s && t_blocked(s));
	/* The client's first call is taken by the stand-in, which blocks
	 * owing the reply; so does the client. */
	lm_cptr_t c = t_thread(client, acct, T_PRIO);
	CHECK(c && t_blocked(c));
	CHECK_EQ(got[0], -1);
	/* The manager dies: the call it held fails. The client's second
	 * call then queues on the endpoint, which nobody receives on. */
	CHECK_OK(lm_cnode_delete(CN, s));
	CHECK(t_blocked(c));
	CHECK_EQ(got[0], LM_EDELETED);
	CHECK_EQ(got[1], -1);
	/* Its owner ends the endpoint: the queued call fails, and the next
	 * finds its slot empty. */
	CHECK_OK(lm_cnode_revoke(CN, standin_ep));
	CHECK_OK(lm_cnode_delete(CN, standin_ep));
	CHECK_OK(t_wait(c, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(got[1], LM_EDELETED);
	CHECK_EQ(got[2], LM_ECAP);
}

/* A real manager, stopped with a client queued on it, then destroyed and
 * its endpoint revoked: the queued client fails, every later call of any
 * kind fails at once, and the pool's refill from the dead account makes
 * an allocation fail with LM_ENOMEM. */
TEST(mem_manager_destroyed_fails_queued_and_later_calls_and_allocation_ENOMEM)
{
	lm_cptr_t root, a, d = t_slot(), pg = t_slot();
	lm_u64 ba, x, q, u, f;
	struct lm_proc mp;
	struct lm_thread_info ti;

	CHECK(d && pg);
	CHECK_OK(mt_start(0, &root, &mp));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK_OK(lm_mem_info(a, &q, &u, &f));
	/* Stopped: its receive is cancelled, so a call queues. */
	CHECK_OK(lm_thread_suspend(mp.tcb));
	got[0] = got[1] = got[2] = -1;
	lm_cptr_t c = t_thread(client, a, T_PRIO);
	CHECK(c && t_blocked(c));
	CHECK_OK(lm_proc_destroy(&mp));
	CHECK(t_blocked(c)); /* the endpoint lives on: its owner must end it */
	CHECK_OK(lm_cnode_revoke(CN, mt_ep));
	CHECK_OK(lm_cnode_delete(CN, mt_ep));
	CHECK_OK(t_wait(c, &ti));
	CHECK_EQ(got[0], LM_EDELETED);
	CHECK_EQ(got[1], LM_ECAP);
	CHECK_EQ(got[2], LM_ECAP);
	/* Every call of the protocol fails at once. */
	CHECK_ERR(lm_mem_grow(a, mt_ib, d), LM_ECAP);
	CHECK_ERR(lm_mem_grow_guaranteed(a, mt_ib, d), LM_ECAP);
	CHECK_ERR(lm_mem_split(a, mt_ib, 1, d, &x), LM_ECAP);
	CHECK_ERR(lm_mem_close(root, ba, &x), LM_ECAP);
	CHECK_ERR(lm_mem_request(root, ba, 1, 0, &x), LM_ECAP);
	CHECK_ERR(lm_mem_enforce(root, ba, &x), LM_ECAP);
	CHECK_ERR(lm_mem_return(a, 0, &x), LM_ECAP);
	CHECK_ERR(lm_mem_ack(a, 0, &x), LM_ECAP);
	CHECK_ERR(lm_mem_register(a, mt_ib, t_new(LM_OBJ_NOTIFY, 0), pg, MT_PAGE_VA), LM_ECAP);
	/* An empty pool refilled from the dead account: allocation fails. */
	static struct lm_pool empty;
	struct lm_pool *was = lm_pool_current();
	lm_cptr_t fr = 0, had = lm_mem_account();
	lm_pool_init(&empty, 0);
	lm_pool_use(&empty);
	lm_mem_use(a, ipcbuf);
	int err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &fr);
	lm_mem_use(had, had ? ipcbuf : 0);
	lm_pool_use(was);
	CHECK_ERR(err, LM_ENOMEM);
}
