/*
 * Revocation requests (servers/mem/revoke.c, lib/mem_reclaim.c): the
 * manager writes the request in the account's page and signals its
 * notification; the holder chooses what to give back (the application's
 * hook first, then liblamina's default) and returns it; a chunk it does
 * not hold is refused; a holder that never answers is no trouble.
 */
#include "harness.h"
#include "../../servers/mem/mem_proto.h"
#include "../../servers/mem/mem_srv.h"
#include "../../servers/timer/timer_proto.h"
#include "mem_test.h"

/* An account of quota 2 below root, registered (its page at MT_PAGE_VA),
 * holding two chunks (c1 the older); 0 on failure. */
static lm_cptr_t two_chunks(lm_cptr_t root, lm_u64 *ba, lm_cptr_t *ntf, lm_cptr_t *c1,
			    lm_u64 *p1, lm_cptr_t *c2, lm_u64 *p2)
{
	lm_cptr_t a = mt_split(root, 2, ba);

	if (!a || mt_register(a, ntf, MT_PAGE_VA) || !(*c1 = mt_grow(a, 0, p1)) ||
	    !(*c2 = mt_grow(a, 0, p2)))
		return 0;
	return a;
}

TEST(mem_request_signals_the_holder_which_returns_a_chunk)
{
	lm_cptr_t root, a, c1, c2, ntf;
	lm_u64 ba, p1, p2, asked = 0, owed = 9, taken = 9, w = 0;
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = two_chunks(root, &ba, &ntf, &c1, &p1, &c2, &p2)));
	CHECK_EQ(lm_mem_wanted(), 0);
	CHECK_OK(lm_ntfn_poll(ntf, &w));
	CHECK_EQ(w, 0);
	CHECK_OK(lm_mem_request(root, ba, 1, MT_NEVER, &asked));
	CHECK_EQ(asked, 1);
	CHECK_OK(lm_ntfn_poll(ntf, &w));
	CHECK_EQ(w, MT_NTF_BADGE); /* told */
	const volatile struct mem_page *pg = (const volatile struct mem_page *)MT_PAGE_VA;
	CHECK_EQ(pg->req_seq, 1);
	CHECK_EQ(pg->req_deadline, MT_NEVER);
	CHECK_EQ(lm_mem_wanted(), 1);
	CHECK_OK(lm_mem_return(a, p2, &owed));
	CHECK_EQ(owed, 0);
	CHECK_EQ(lm_mem_wanted(), 0);
	CHECK_EQ(t_type(c2), LM_OBJ_NULL);
	CHECK_EQ(t_type(c1), LM_OBJ_UNTYPED);
	CHECK_EQ(mt_info(a, USE), 1);
	CHECK_EQ(mt_info(root, FREE), 1);
	/* The deadline passes with nothing owed: nothing taken. */
	CHECK_OK(lm_mem_enforce(root, ba, &taken));
	CHECK_EQ(taken, 0);
	CHECK_EQ(t_type(c1), LM_OBJ_UNTYPED);
	CHECK_EQ(pg->nrec, 0);
	/* The page is read-only to its holder. */
	lm_u64 st = 0, rights = 0;
	CHECK_OK(lm_vspace_page_state(LM_SLOT_VSPACE, MT_PAGE_VA, 0, &st, &rights));
	CHECK_EQ(rights, LM_R_READ);
}

TEST(mem_return_of_a_chunk_not_held_and_bad_requests_are_refused)
{
	lm_cptr_t root, a, b, ca, cb, ntf, ep = t_new(LM_OBJ_ENDPOINT, 0), pg = t_slot();
	lm_u64 ba, bb, pa, pb, x = 0;
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK((b = mt_split(root, 1, &bb)));
	CHECK((ca = mt_grow(a, 0, &pa)));
	CHECK((cb = mt_grow(b, 0, &pb)));
	CHECK_ERR(lm_mem_return(a, pb, &x), LM_ENOENT);  /* its sibling's */
	CHECK_ERR(lm_mem_return(root, pa, &x), LM_ENOENT); /* its child's */
	CHECK_ERR(lm_mem_return(a, pa + LM_PAGE_SIZE, &x), LM_ENOENT);
	CHECK_ERR(lm_mem_return(a, 0, &x), LM_ENOENT);
	CHECK_ERR(lm_mem_return(a, ~0ull, &x), LM_ENOENT);
	CHECK_EQ(t_type(cb), LM_OBJ_UNTYPED);
	CHECK_EQ(t_type(ca), LM_OBJ_UNTYPED);
	/* Requests and enforcement only from above. */
	CHECK_ERR(lm_mem_request(a, bb, 1, 0, &x), LM_ERIGHTS);
	CHECK_ERR(lm_mem_request(a, ba, 1, 0, &x), LM_ERIGHTS);
	CHECK_ERR(lm_mem_request(a, MEM_BADGE_ROOT, 1, 0, &x), LM_ERIGHTS);
	CHECK_ERR(lm_mem_enforce(b, ba, &x), LM_ERIGHTS);
	CHECK_ERR(lm_mem_request(root, ba, 0, 0, &x), LM_ERANGE);
	CHECK_ERR(lm_mem_request(root, 9999, 1, 0, &x), LM_ENOENT);
	CHECK_ERR(lm_mem_enforce(root, 0, &x), LM_ENOENT);
	CHECK_OK(lm_mem_request(root, ba, ~0ull, 0, &x));
	CHECK_EQ(x, 1); /* capped at what it holds */
	/* Registration wants a notification. */
	CHECK_ERR(lm_mem_register(a, mt_ib, ep, pg, MT_PAGE_VA), LM_ETYPE);
	CHECK_ERR(lm_mem_register(a, mt_ib, 0, pg, MT_PAGE_VA), LM_ETYPE);
	CHECK_EQ(t_type(pg), LM_OBJ_NULL);
	CHECK_EQ(t_type(ep), LM_OBJ_ENDPOINT); /* not taken */
	CHECK_ERR(lm_mem_ack(a, 5, &x), LM_ENOENT); /* no page yet */
	/* After all that, both still hold their chunk. */
	CHECK_EQ(mt_info(a, USE), 1);
	CHECK_EQ(mt_info(b, USE), 1);
	(void)ntf;
}

/* ---- choosing what to give back ------------------------------------------ */

static lm_u64 cache_chunk, hook_wanted;
static lm_u64 drop_cache(lm_u64 wanted, lm_u64 *paddrs, lm_u64 max)
{
	hook_wanted = wanted;
	if (!cache_chunk || max < 1)
		return 0;
	paddrs[0] = cache_chunk; /* the cache goes first */
	cache_chunk = 0;
	return 1;
}

TEST(mem_reclaim_hook_first_then_clean_cold_chunks_never_dirty_or_pinned)
{
	lm_cptr_t root, a, ntf, c[4];
	lm_u64 ba, pa[4], asked, got = 0;
	struct lm_proc p;
	static struct lm_mem_map map[4];

	CHECK_OK(mt_start(2, &root, &p));
	CHECK((a = mt_split(root, 4, &ba)));
	CHECK_OK(mt_register(a, &ntf, MT_PAGE_VA));
	for (int i = 0; i < 4; i++) {
		lm_u64 va = T_VA_FRESH(2 + i);

		CHECK((c[i] = mt_grow(a, 0, &pa[i])));
		CHECK(mt_frame_of(c[i], va));
		map[i] = (struct lm_mem_map){ .vaddr = va, .npages = 1, .chunk = pa[i] };
		lm_mem_track(&map[i]);
	}
	/* 0: the cache; 1: dirty; 2: pinned; 3: clean. */
	lm_u64 st, r;
	for (int i = 0; i < 4; i++) /* mapping may leave the bits set: start clean */
		lm_vspace_page_state(LM_SLOT_VSPACE, map[i].vaddr, LM_PG_ACCESSED | LM_PG_DIRTY,
				     &st, &r);
	*(volatile lm_u64 *)map[1].vaddr = 1;
	map[2].pinned = 1;
	CHECK_EQ(*(volatile lm_u64 *)map[3].vaddr, 0);
	cache_chunk = pa[0];
	lm_mem_set_reclaim(drop_cache);
	CHECK_OK(lm_mem_request(root, ba, 2, 0, &asked));
	CHECK_EQ(asked, 2);
	int err = lm_mem_reclaim(&got);
	lm_mem_set_reclaim(0);
	for (int i = 0; i < 4; i++)
		lm_mem_untrack(&map[i]);
	CHECK_OK(err);
	CHECK_EQ(hook_wanted, 2);
	CHECK_EQ(got, 2);
	CHECK_EQ(t_type(c[0]), LM_OBJ_NULL);
	CHECK_EQ(t_type(c[3]), LM_OBJ_NULL);
	CHECK_EQ(t_type(c[1]), LM_OBJ_UNTYPED);
	CHECK_EQ(t_type(c[2]), LM_OBJ_UNTYPED);
	CHECK(map[0].taken && map[3].taken && !map[1].taken && !map[2].taken);
	CHECK_EQ(lm_mem_wanted(), 0);
	/* More wanted than it will give: only what is clean and unpinned. */
	CHECK_OK(lm_mem_request(root, ba, 2, 0, &asked));
	CHECK_OK(lm_mem_reclaim(&got));
	CHECK_EQ(got, 0);
	CHECK_EQ(lm_mem_wanted(), 2);
}

TEST(mem_request_to_a_holder_that_is_gone_is_taken_at_the_deadline)
{
	lm_cptr_t root, a, c, f, ntf;
	lm_u64 ba, pa, asked, taken = 0;
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK_OK(mt_register(a, &ntf, MT_PAGE_VA));
	CHECK((c = mt_grow(a, 0, &pa)));
	CHECK((f = mt_frame_of(c, T_VA_FRESH(2))));
	/* The holder's notification is gone (its process ended): the signal
	 * goes nowhere, the request is still made, the manager never waits. */
	CHECK_OK(lm_cnode_revoke(CN, ntf));
	CHECK_OK(lm_obj_free(ntf));
	CHECK_OK(lm_mem_request(root, ba, 1, 0, &asked));
	CHECK_EQ(asked, 1);
	CHECK_OK(lm_mem_enforce(root, ba, &taken));
	CHECK_EQ(taken, 1);
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK_EQ(mt_info(root, FREE), 2);
	/* Its account closed: requests find no one. */
	CHECK_OK(lm_mem_close(root, ba, 0));
	CHECK_ERR(lm_mem_request(root, ba, 1, 0, &asked), LM_ENOENT);
	CHECK_ERR(lm_mem_enforce(root, ba, &taken), LM_ENOENT);
	/* The page went with the account: unmapped in the holder. */
	lm_u64 st, r;
	CHECK_ERR(lm_vspace_page_state(LM_SLOT_VSPACE, MT_PAGE_VA, 0, &st, &r), LM_ENOENT);
}

/* A deadline that has passed when the manager next runs is enforced on its
 * own path (servers/mem/clock.c): no MEM_ENFORCE. The order is IPC's: the
 * request is written and answered; the next message the manager receives
 * (anyone's; here our MEM_INFO) finds the deadline passed and takes the
 * chunk before it is served. A deadline still ahead takes nothing. */
TEST(mem_request_whose_deadline_passed_is_enforced_by_the_manager)
{
	lm_cptr_t root, a, c1, c2, ntf, f;
	lm_u64 ba, p1, p2, asked = 0, w = 0, x;
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = two_chunks(root, &ba, &ntf, &c1, &p1, &c2, &p2)));
	CHECK((f = mt_frame_of(c2, T_VA_FRESH(2))));
	const volatile struct mem_page *pg = (const volatile struct mem_page *)MT_PAGE_VA;
	/* Ahead: messages come and go, nothing is taken. */
	CHECK_OK(lm_mem_request(root, ba, 1, MT_NEVER, &asked));
	CHECK_EQ(mt_info(a, USE), 2);
	CHECK_EQ(pg->nrec, 0);
	CHECK_EQ(pg->req_chunks, 1);
	/* Passed (1 ns after the TSC was reset): taken at the next message. */
	CHECK_OK(lm_mem_request(root, ba, 1, 1, &asked));
	CHECK_EQ(asked, 1);
	CHECK_OK(lm_ntfn_poll(ntf, &w)); /* the request's signal */
	CHECK_EQ(mt_info(root, FREE), 1); /* the next message: the chunk taken first */
	CHECK_EQ(mt_info(a, USE), 1);
	CHECK_EQ(pg->nrec, 1);
	CHECK_EQ(pg->rec[0].paddr, p2); /* the newest */
	CHECK_EQ(pg->req_chunks, 0);
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK_EQ(t_type(c2), LM_OBJ_NULL);
	CHECK_EQ(t_type(c1), LM_OBJ_UNTYPED);
	CHECK_OK(lm_ntfn_poll(ntf, &w));
	CHECK_EQ(w, MT_NTF_BADGE); /* told of the take */
	/* Enforced once: later messages and MEM_ENFORCE take nothing more. */
	CHECK_OK(lm_mem_enforce(root, ba, &x));
	CHECK_EQ(x, 0);
	CHECK_EQ(t_type(c1), LM_OBJ_UNTYPED);
	CHECK_ERR(lm_mem_return(a, p2, &x), LM_ENOENT);
	/* A deadline of 0 is none: only MEM_ENFORCE takes. */
	CHECK_OK(lm_mem_request(root, ba, 1, 0, &asked));
	CHECK_EQ(mt_info(a, USE), 1);
	CHECK_EQ(mt_info(a, USE), 1);
	CHECK_EQ(t_type(c1), LM_OBJ_UNTYPED);
}

/* A timer server of the test's own (a thread of ktest's, receiving at
 * T_VA_PAGE(1)): it keeps the notification the manager's TIMER_HELLO gives
 * in ft_ntf and notes each TIMER_ARM; the test "fires" it by signalling
 * ft_ntf itself, so nothing depends on time. */
static lm_cptr_t ft_ntf;
static volatile lm_u64 ft_arms, ft_deadline;

static lm_word_t fake_timer(lm_word_t ep)
{
	struct lm_ipc_buffer *b = (struct lm_ipc_buffer *)T_VA_PAGE(1);
	struct lm_msg m;

	b->recv_slots[0] = ft_ntf;
	int err = lm_ep_recv(ep, &m);
	for (;;) {
		lm_u64 r = (lm_u64)-38; /* ENOSYS */

		if (err)
			return 0x100 + (lm_u64)err;
		if (LM_MSG_LABEL(m.info) == TIMER_HELLO && LM_MSG_NCAPS(m.info) == 1) {
			b->recv_slots[0] = 0; /* kept: no more capabilities */
			r = 0;
		} else if (LM_MSG_LABEL(m.info) == TIMER_ARM) {
			ft_deadline = m.w[1];
			ft_arms++;
			r = 0;
		}
		err = lm_ep_reply_recv(ep, LM_MSG_INFO(0, 2, 0), r, 0, 0, 0, &m);
	}
}

TEST(mem_deadline_passes_when_the_timer_server_signals_the_manager)
{
	lm_cptr_t tep = t_new(LM_OBJ_ENDPOINT, 0), tcopy = t_slot(), th = t_thread_new();
	lm_cptr_t buf = t_frame_at(T_VA_PAGE(1), RW), root, a, c1, c2, ntf, f;
	lm_u64 ba, p1, p2, asked = 0, w = 0;
	struct lm_proc p;
	int err;

	CHECK(tep && tcopy && th && buf && (ft_ntf = t_slot()));
	ft_arms = ft_deadline = 0;
	CHECK_OK(lm_cnode_mint(CN, tcopy, CN, tep, LM_R_WRITE | LM_R_GRANT, TIMER_BADGE_MEM));
	CHECK_OK(lm_thread_set_ipc_buffer(th, buf));
	CHECK_OK(lm_thread_start(th, fake_timer, tep, t_stack(), T_PRIO));
	mt_timer = tcopy;
	err = mt_start(1, &root, &p);
	mt_timer = 0;
	CHECK_OK(err);
	/* Answered: the manager's setup (the HELLO) is done. */
	CHECK((a = two_chunks(root, &ba, &ntf, &c1, &p1, &c2, &p2)));
	CHECK_EQ(t_type(ft_ntf), LM_OBJ_NOTIFY);
	CHECK((f = mt_frame_of(c2, T_VA_FRESH(2))));
	const volatile struct mem_page *pg = (const volatile struct mem_page *)MT_PAGE_VA;
	/* A deadline ahead: the server is armed for it; a signal before it
	 * takes nothing. */
	CHECK_OK(lm_mem_request(root, ba, 1, MT_NEVER, &asked));
	CHECK_EQ(ft_arms, 1);
	CHECK_EQ(ft_deadline, MT_NEVER);
	CHECK_OK(lm_ntfn_signal(ft_ntf));
	CHECK_EQ(mt_info(a, USE), 2);
	CHECK_EQ(pg->nrec, 0);
	/* One already passed: armed for it; no message comes, the server's
	 * signal alone has the manager take the chunk and tell the holder. */
	CHECK_OK(lm_mem_request(root, ba, 1, 1, &asked));
	CHECK_EQ(ft_deadline, 1);
	CHECK_OK(lm_ntfn_poll(ntf, &w)); /* the requests' signals */
	CHECK_EQ(pg->nrec, 0);
	CHECK_OK(lm_ntfn_signal(ft_ntf));
	CHECK_OK(lm_ntfn_wait(ntf, &w)); /* the take's */
	CHECK_EQ(pg->nrec, 1);
	CHECK_EQ(pg->rec[0].paddr, p2);
	CHECK_EQ(t_type(f), LM_OBJ_NULL);
	CHECK_EQ(t_type(c1), LM_OBJ_UNTYPED);
	CHECK_EQ(mt_info(a, USE), 1);
	/* A stray signal with nothing owed takes nothing more. */
	CHECK_OK(lm_ntfn_signal(ft_ntf));
	CHECK_EQ(mt_info(a, USE), 1);
	CHECK_OK(lm_thread_suspend(th));
}

/* ---- a flood from one client ----------------------------------------------- */

static volatile int flood_stop;
static volatile lm_u64 flood_calls;
static lm_cptr_t flood_acct;
static lm_u64 flood_badge;

static lm_word_t flooder(lm_word_t root)
{
	lm_u64 x;

	while (!flood_stop) {
		lm_mem_request((lm_cptr_t)root, flood_badge, ~0ull, 0, &x);
		lm_mem_enforce((lm_cptr_t)root, flood_badge, &x);
		lm_mem_return(flood_acct, 0, &x);
		flood_calls++;
	}
	return 0;
}

TEST(mem_flood_of_requests_from_one_client_cannot_starve_another)
{
	lm_cptr_t root, a, b, tcb, c = t_slot();
	lm_u64 ba, bb;
	struct lm_proc p;
	struct lm_thread_info ti;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK((b = mt_split(root, 1, &bb)));
	/* The flooder holds the root account too (a parent's requests are the
	 * costliest: each walks a's list and its chain of ancestors). */
	flood_stop = 0;
	flood_calls = 0;
	flood_acct = a;
	flood_badge = ba;
	CHECK((tcb = t_thread(flooder, root, T_PRIO)));
	t_yield(2);
	/* Served between the flood's calls: the endpoint's queue is FIFO and
	 * each call is bounded work. A starved call would hang here. */
	int e1 = lm_mem_grow(b, mt_ib, c);
	lm_u64 q = mt_info(b, USE);
	flood_stop = 1;
	CHECK_OK(t_wait(tcb, &ti));
	CHECK_OK(e1);
	CHECK_EQ(q, 1);
	CHECK(flood_calls > 0);
}

static lm_u64 bogus_chunk;
static lm_u64 name_bogus(lm_u64 wanted, lm_u64 *paddrs, lm_u64 max)
{
	paddrs[0] = bogus_chunk; /* not ours: the manager refuses it */
	return 1;
}

TEST(mem_reclaim_hook_naming_a_chunk_not_held_is_refused_the_rest_still_given)
{
	lm_cptr_t root, a, b, ntf, ca, cb;
	lm_u64 ba, bb, pa, pb, asked, got = 9;
	struct lm_proc p;
	static struct lm_mem_map map;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 1, &ba)));
	CHECK((b = mt_split(root, 1, &bb)));
	CHECK_OK(mt_register(a, &ntf, MT_PAGE_VA));
	CHECK((ca = mt_grow(a, 0, &pa)));
	CHECK((cb = mt_grow(b, 0, &pb)));
	map = (struct lm_mem_map){ .vaddr = T_VA_FRESH(2), .npages = 1, .chunk = pa };
	lm_mem_track(&map);
	bogus_chunk = pb; /* b's */
	lm_mem_set_reclaim(name_bogus);
	CHECK_OK(lm_mem_request(root, ba, 1, 0, &asked));
	int err = lm_mem_reclaim(&got);
	lm_mem_set_reclaim(0);
	lm_mem_untrack(&map);
	CHECK_ERR(err, LM_ENOENT);
	CHECK_EQ(got, 0);                       /* the hook's pick filled the request */
	CHECK_EQ(t_type(cb), LM_OBJ_UNTYPED);   /* b keeps its chunk */
	CHECK_EQ(t_type(ca), LM_OBJ_UNTYPED);
	CHECK(!map.taken);
	CHECK_EQ(lm_mem_wanted(), 1);
}
