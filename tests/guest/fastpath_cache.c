/* The fast paths keep each thread's last capability lookup of each kind
 * (tcb.fpc, kernel/fastpath.c) while no slot changed (cap_epoch). A slot
 * emptied, refilled with another badge, another type or fewer rights, or
 * moved must be seen at once: the same sequence gives the same results with
 * the fast path on and off, and the results the rules say. */
#include "harness.h"

#define NCALL 9
#define NNTFN 6
#define STOP 99 /* the label that ends the server */

static lm_cptr_t srv_ep; /* the server's receive capability */
static lm_u64 srv_last_err;

/* Replies to each call with the badge it came with; a failed
 * EP_REPLY_RECV (its capability gone: the general path then does not
 * reply) is recorded, and a last reply of 0x77 ends it. */
static lm_word_t badge_server(lm_word_t arg)
{
	lm_u64 o[LM_SYS_NOUT];
	lm_u64 r = lm_syscall6(LM_SYS_EP_RECV, srv_ep, 0, 0, 0, 0, 0, o);
	while (r == LM_OK && LM_MSG_LABEL(o[1]) != STOP)
		r = lm_syscall6(LM_SYS_EP_REPLY_RECV, srv_ep, LM_MSG_INFO(1, 1, 0), o[0], 0, 0, 0, o);
	srv_last_err = r;
	lm_syscall6(LM_SYS_EP_REPLY, 0, LM_MSG_INFO(2, 1, 0), 0x77, 0, 0, 0, o);
	return 0;
}

/* A call through x: its result, and the word the server answered with (the
 * badge it saw) when it succeeded. */
static lm_u64 call_badge(lm_cptr_t x, lm_u64 label)
{
	lm_u64 o[LM_SYS_NOUT];
	lm_u64 r = lm_syscall6(LM_SYS_EP_CALL, x, LM_MSG_INFO(label, 0, 0), 0, 0, 0, 0, o);
	return r == LM_OK ? o[2] << 8 : r;
}

static void call_run(lm_u64 res[NCALL], lm_cptr_t ep, lm_cptr_t nt)
{
	lm_cptr_t x = t_slot(), y = t_slot();
	struct lm_thread_info ti;

	CHECK(x && y);
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, srv_ep, LM_SLOT_CNODE, ep, LM_R_ALL, 0));
	lm_cptr_t t = t_thread(badge_server, 0, T_PRIO);
	CHECK(t && t_blocked(t));
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, x, LM_SLOT_CNODE, ep, LM_R_ALL, 0x11));
	res[0] = call_badge(x, 1);
	res[1] = call_badge(x, 1); /* the same capability again */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, x));
	res[2] = call_badge(x, 1); /* emptied */
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, x, LM_SLOT_CNODE, ep, LM_R_ALL, 0x22));
	res[3] = call_badge(x, 1); /* refilled: the new badge */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, x));
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, x, LM_SLOT_CNODE, nt, LM_R_ALL, 0));
	res[4] = call_badge(x, 1); /* a notification now */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, x));
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, x, LM_SLOT_CNODE, ep, LM_R_READ, 0x44));
	res[5] = call_badge(x, 1); /* no WRITE */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, x));
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, y, LM_SLOT_CNODE, ep, LM_R_ALL, 0x55));
	CHECK_OK(lm_cnode_move(LM_SLOT_CNODE, x, LM_SLOT_CNODE, y));
	res[6] = call_badge(x, 1); /* moved in */
	res[7] = call_badge(y, 1); /* moved out */
	/* The server's own capability goes while it waits: its next
	 * EP_REPLY_RECV must fail, not receive through the cached lookup. */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, srv_ep));
	res[8] = call_badge(x, 1);
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	res[8] |= srv_last_err << 32;
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, x));
}

/* Signal through x, then take the word through w (pending, so at once). */
static lm_u64 signal_word(lm_cptr_t x, lm_cptr_t w)
{
	lm_u64 o[LM_SYS_NOUT], word = 0;
	lm_u64 r = lm_syscall6(LM_SYS_NTFN_SIGNAL, x, 0, 0, 0, 0, 0, o);
	if (r != LM_OK)
		return r;
	r = lm_syscall6(LM_SYS_NTFN_POLL, w, 0, 0, 0, 0, 0, o);
	word = o[0];
	return r == LM_OK ? word << 8 : r;
}

static lm_u64 wait_word(lm_cptr_t w)
{
	lm_u64 o[LM_SYS_NOUT];
	lm_u64 r = lm_syscall6(LM_SYS_NTFN_WAIT, w, 0, 0, 0, 0, 0, o);
	return r == LM_OK ? o[0] << 8 : r;
}

static void ntfn_run(lm_u64 res[NNTFN], lm_cptr_t nt, lm_cptr_t ep)
{
	lm_cptr_t x = t_slot(), w = t_slot();
	lm_u64 o[LM_SYS_NOUT];

	CHECK(x && w);
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, x, LM_SLOT_CNODE, nt, LM_R_ALL, 0x1));
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, w, LM_SLOT_CNODE, nt, LM_R_ALL, 0));
	CHECK_EQ(lm_syscall6(LM_SYS_NTFN_SIGNAL, x, 0, 0, 0, 0, 0, o), LM_OK);
	res[0] = wait_word(w); /* pending: the wait returns at once */
	CHECK_EQ(lm_syscall6(LM_SYS_NTFN_SIGNAL, x, 0, 0, 0, 0, 0, o), LM_OK);
	res[1] = wait_word(w); /* both lookups again */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, x));
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, x, LM_SLOT_CNODE, nt, LM_R_ALL, 0x2));
	res[2] = signal_word(x, w); /* the new badge */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, x));
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, x, LM_SLOT_CNODE, nt, LM_R_READ, 0x4));
	res[3] = signal_word(x, w); /* no WRITE */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, x));
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, x, LM_SLOT_CNODE, ep, LM_R_ALL, 0x8));
	res[4] = signal_word(x, w); /* an endpoint now */
	/* The wait's capability gone with a signal pending on its old
	 * notification: the wait must fail, not take the word. */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, x));
	CHECK_OK(lm_cnode_mint(LM_SLOT_CNODE, x, LM_SLOT_CNODE, nt, LM_R_ALL, 0x10));
	CHECK_EQ(lm_syscall6(LM_SYS_NTFN_SIGNAL, x, 0, 0, 0, 0, 0, o), LM_OK);
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, w));
	res[5] = wait_word(w);
	CHECK_OK(lm_ntfn_poll(x, &o[0])); /* leave it clean */
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, x));
}

TEST(fastpath_cached_lookups_see_every_slot_change)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), nt = t_new(LM_OBJ_NOTIFY, 0);
	lm_u64 o[LM_SYS_NOUT], calls[2][NCALL], ntfns[2][NNTFN], hits0, hits1, hits2;
	static const lm_u64 want_calls[NCALL] = {
		0x11 << 8, 0x11 << 8, LM_ECAP, 0x22 << 8, LM_ETYPE, LM_ERIGHTS, 0x55 << 8, LM_ECAP,
		0x77 << 8 | (lm_u64)LM_ECAP << 32};
	static const lm_u64 want_ntfns[NNTFN] = {0x1 << 8, 0x1 << 8, 0x2 << 8, LM_ERIGHTS, LM_ETYPE,
						 LM_ECAP};

	srv_ep = t_slot();
	CHECK(ep && nt && srv_ep);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, o), LM_OK);
	hits0 = o[1];
	call_run(calls[0], ep, nt);
	ntfn_run(ntfns[0], nt, ep);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 0, 0, 0, 0, 0, o), LM_OK);
	hits1 = o[1];
	call_run(calls[1], ep, nt);
	ntfn_run(ntfns[1], nt, ep);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, o), LM_OK);
	hits2 = o[1];
	CHECK(hits1 > hits0);
	CHECK_EQ(hits2, hits1);
	for (int i = 0; i < NCALL; i++) {
		CHECK_EQ(calls[0][i], want_calls[i]);
		CHECK_EQ(calls[1][i], want_calls[i]);
	}
	for (int i = 0; i < NNTFN; i++) {
		CHECK_EQ(ntfns[0][i], want_ntfns[i]);
		CHECK_EQ(ntfns[1][i], want_ntfns[i]);
	}
}
