/*
 * lm_mem_service (lib/mem_reclaim.c), a library OS's safe point: a new
 * request is answered once (the hook and liblamina's default choice), the
 * same request seen again is not answered again, and records of a forced
 * take are read (and acknowledged: the page empties) at the next call.
 * lm_mem_taken_ever says a forced take happened from the moment it did
 * (before its record is read), never for a chunk given back by choice.
 */
#include "harness.h"
#include "../../servers/mem/mem_proto.h"
#include "mem_test.h"

static lm_u64 give, hook_calls;

/* The application's choice: the chunk at `give`, once asked. */
static lm_u64 give_one(lm_u64 wanted, lm_u64 *paddrs, lm_u64 max)
{
	hook_calls++;
	if (!give || !max)
		return 0;
	paddrs[0] = give;
	give = 0;
	return 1;
}

TEST(mem_service_answers_each_request_once_and_reads_what_was_taken)
{
	lm_cptr_t root, a, ntf, c1, c2;
	lm_u64 ba, p1, p2, asked, ret = 9, taken = 9, n = 0;
	struct lm_proc p;

	CHECK_OK(mt_start(1, &root, &p));
	CHECK((a = mt_split(root, 2, &ba)));
	CHECK_OK(mt_register(a, &ntf, MT_PAGE_VA));
	CHECK_EQ(lm_mem_taken_ever(), 0);
	CHECK((c1 = mt_grow(a, 0, &p1)));
	CHECK((c2 = mt_grow(a, 0, &p2)));
	lm_mem_reclaim_fn was = lm_mem_set_reclaim(give_one);
	/* Nothing new: nothing done. */
	hook_calls = 0;
	CHECK_OK(lm_mem_service(&ret, &taken));
	CHECK_EQ(ret, 0);
	CHECK_EQ(taken, 0);
	CHECK_EQ(hook_calls, 0);
	/* A request: the hook gives c2. */
	give = p2;
	CHECK_OK(lm_mem_request(root, ba, 1, 0, &asked));
	CHECK_OK(lm_mem_service(&ret, &taken));
	CHECK_EQ(ret, 1);
	CHECK_EQ(taken, 0);
	CHECK_EQ(t_type(c2), LM_OBJ_NULL);
	CHECK_EQ(mt_info(a, USE), 1);
	CHECK_EQ(lm_mem_taken_ever(), 0); /* given back, not taken */
	/* A second request the hook cannot answer: asked once, not again
	 * at the next safe point; its deadline passes: c1 is taken, and the
	 * next call reads the record and empties the page. */
	CHECK_OK(lm_mem_request(root, ba, 1, 0, &asked));
	CHECK_OK(lm_mem_service(&ret, &taken));
	CHECK_EQ(ret, 0);
	CHECK_EQ(hook_calls, 2);
	CHECK_OK(lm_mem_service(&ret, &taken));
	CHECK_EQ(hook_calls, 2);
	CHECK_OK(lm_mem_enforce(root, ba, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(lm_mem_taken_ever(), 1); /* its record not read yet */
	CHECK_OK(lm_mem_service(&ret, &taken));
	CHECK_EQ(lm_mem_taken_ever(), 1);
	lm_mem_set_reclaim(was);
	CHECK_EQ(ret, 0);
	CHECK_EQ(taken, 1);
	CHECK_EQ(t_type(c1), LM_OBJ_NULL);
	const volatile struct mem_page *pg = (const volatile struct mem_page *)MT_PAGE_VA;
	CHECK_EQ(pg->nrec, 0);
	CHECK_OK(lm_mem_service(&ret, &taken));
	CHECK_EQ(taken, 0);
}
