/*
 * Regressions for attacks that hostile programs made on the kernel (the
 * isolation issue's defects 1 to 4). Each test does what the attacker did
 * and checks that it is refused or confined to the attacker; without its
 * fix each one fails (or brings the kernel down, which the runner reports
 * under the test's name).
 */
#include "harness.h"

#define CN   LM_SLOT_CNODE
#define RW   (LM_R_READ | LM_R_WRITE)
#define INFO LM_MSG_INFO

/* ---- 1. one page table installed twice through a copy of its capability */

TEST(ptable_capability_cannot_be_copied_or_minted)
{
	lm_cptr_t pt = t_new(LM_OBJ_PTABLE, 0), d = t_slot();

	CHECK(pt && d);
	CHECK_ERR(lm_cnode_copy(CN, d, CN, pt, LM_R_ALL), LM_ETYPE);
	CHECK_ERR(lm_cnode_mint(CN, d, CN, pt, LM_R_ALL, 1), LM_ETYPE);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
	/* Installed, it still has no copy: the installed record is its only one. */
	CHECK_OK(lm_vspace_map_table(LM_SLOT_VSPACE, pt, T_VA_FRESH(3), 0));
	CHECK_ERR(lm_cnode_copy(CN, d, CN, pt, LM_R_READ), LM_ETYPE);
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
}

TEST(ptable_capability_is_skipped_by_a_range_copy_request)
{
	lm_cptr_t pt = t_new(LM_OBJ_PTABLE, 0);
	lm_cptr_t dst = lm_slot_alloc_n(2), src = lm_slot_alloc_n(2);
	lm_u64 out[6];

	CHECK(pt && dst && src);
	CHECK_OK(lm_cnode_move(CN, src + 1, CN, pt));
	CHECK_ERR(t_raw(LM_SYS_CNODE_COPY, CN, dst, CN, src, LM_R_ALL, 2, out), LM_ETYPE);
	CHECK_EQ(out[0], 4); /* the source argument */
	CHECK_EQ(t_type(dst + 1), LM_OBJ_NULL);
}

/* Receive one message carrying a capability into slot `arg`; exit with the
 * number of capabilities that arrived. Our IPC buffer is at T_VA_PAGE(1). */
static lm_word_t recv_one_cap(lm_word_t slot)
{
	struct lm_ipc_buffer *b = (struct lm_ipc_buffer *)T_VA_PAGE(1);
	struct lm_msg m;

	b->recv_slots[0] = slot;
	int err = lm_ep_recv(b->msg[0], &m);
	return err ? 0x100 + (lm_u64)err : LM_MSG_NCAPS(m.info);
}

/* Send pt (with info flags) to a thread receiving it into d, whose IPC
 * buffer is the frame buf. */
static lm_u64 send_table(lm_cptr_t ep, lm_cptr_t pt, lm_cptr_t d, lm_u64 flags, lm_cptr_t buf)
{
	struct lm_ipc_buffer *mine = (struct lm_ipc_buffer *)T_VA_PAGE(0);
	struct lm_ipc_buffer *theirs = (struct lm_ipc_buffer *)T_VA_PAGE(1);
	lm_cptr_t r = t_thread_new();
	struct lm_thread_info ti;

	theirs->msg[0] = ep;
	if (!r || lm_thread_set_ipc_buffer(r, buf) ||
	    lm_thread_start(r, recv_one_cap, d, t_stack(), T_PRIO) || !t_blocked(r))
		return ~0ull;
	mine->send_caps[0] = pt;
	lm_ep_send(ep, INFO(1, 0, 1) | flags, 0, 0, 0, 0);
	if (t_wait(r, &ti) || ti.state != LM_TS_EXITED)
		return ~0ull;
	return ti.exit_code;
}

TEST(ptable_capability_travels_by_ipc_only_when_moved)
{
	/* A copy through IPC would be a second record just the same. */
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), pt = t_new(LM_OBJ_PTABLE, 0), d = t_slot();
	lm_cptr_t mine = t_frame_at(T_VA_PAGE(0), RW), theirs = t_frame_at(T_VA_PAGE(1), RW);

	CHECK(ep && pt && d && mine && theirs);
	CHECK_OK(lm_thread_set_ipc_buffer(LM_SLOT_TCB, mine));
	CHECK_EQ(send_table(ep, pt, d, 0, theirs), 0); /* a copy: not sent */
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
	CHECK_EQ(send_table(ep, pt, d, LM_MSG_MOVE, theirs), 1);
	lm_thread_set_ipc_buffer(LM_SLOT_TCB, 0);
	CHECK_EQ(t_type(d), LM_OBJ_PTABLE);
	CHECK_EQ(t_type(pt), LM_OBJ_NULL);
}

/* ---- 2. the direction flag left set by user mode on exception entry --- */

/* Set DF, fault; the handler skips to _after, which returns 0x600d. */
__asm__(".text\n"
	".globl h_std_ud, h_std_ud_at, h_std_ud_after\n"
	"h_std_ud: std\n"
	"h_std_ud_at: ud2\n"
	"h_std_ud_after: cld\n"
	"	mov $0x600d, %eax\n"
	"	ret\n");
extern char h_std_ud[], h_std_ud_at[], h_std_ud_after[];

static lm_u64 df_seen_vector, df_seen_rip;

static void df_handler(struct lm_exc_frame *f)
{
	df_seen_vector = f->vector;
	df_seen_rip = f->regs.rip;
	if (f->regs.rip == (lm_u64)h_std_ud_at)
		f->regs.rip = (lm_u64)h_std_ud_after;
	else
		lm_thread_exit(0xbad); /* a frame that was not written as it should */
}

TEST(exception_entry_with_direction_flag_set_copies_the_frame_forwards)
{
	/*
	 * p0 and p1 are physically adjacent. The exception stack's top is 64
	 * bytes into p1, mapped right after another page: the frame crosses
	 * from that page into p1, and its second part is copied to p1's start.
	 * Copied backwards (DF set), it would land in p0's tail instead, a
	 * page this thread has not mapped there.
	 */
	lm_cptr_t ut = t_new(LM_OBJ_UNTYPED, 13), p0 = t_slot(), p1 = t_slot();
	lm_cptr_t a = t_frame_at(T_VA_PAGE(0), RW), t = t_thread_new();
	volatile lm_u64 *tail = (volatile lm_u64 *)(T_VA_PAGE(4) + 4096 - 64);
	struct lm_thread_info ti;
	struct lm_regs r = { 0 };

	CHECK(ut && p0 && p1 && a && t);
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_FRAME, 12, CN, p0, 1));
	CHECK_OK(lm_untyped_retype(ut, LM_OBJ_FRAME, 12, CN, p1, 1));
	CHECK_EQ(t_id(p1).addr, t_id(p0).addr + 4096);
	CHECK_OK(t_map(p1, T_VA_PAGE(1), RW));
	CHECK_OK(t_map(p0, T_VA_PAGE(4), RW)); /* only to look at its tail */
	for (int i = 0; i < 8; i++)
		tail[i] = 0x7a11;

	lm_u64 top = T_VA_PAGE(1) + 64;
	CHECK_OK(lm_exc_install(t, df_handler, (void *)top, top - T_VA_PAGE(0)));
	lm_thread_regs(&r, (lm_thread_fn)(void *)h_std_ud, 0, t_stack());
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, &ti));
	for (int i = 0; i < 8; i++)
		CHECK_EQ(tail[i], 0x7a11);
	CHECK_EQ(df_seen_vector, LM_FAULT_UD);
	CHECK_EQ(df_seen_rip, (lm_u64)h_std_ud_at);
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x600d);
	lm_exc_install(LM_SLOT_TCB, 0, 0, 0);
}

/* ---- 3. a blocked sender's message info rewritten -------------------- */

static lm_word_t send_four(lm_word_t ep)
{
	return (lm_u64)lm_ep_send(ep, INFO(5, 4, 0), 1, 2, 3, 4);
}

TEST(rewritten_message_length_of_a_blocked_sender_is_bounded_again)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), s = t_thread_new();
	lm_cptr_t sf = t_frame_at(T_VA_PAGE(0), RW), rf = t_frame_at(T_VA_PAGE(1), RW);
	struct lm_ipc_buffer *sb = (struct lm_ipc_buffer *)T_VA_PAGE(0);
	struct lm_ipc_buffer *rb = (struct lm_ipc_buffer *)T_VA_PAGE(1);
	lm_u64 *past = (lm_u64 *)T_VA_PAGE(1);
	struct lm_regs r;
	struct lm_msg m;

	CHECK(ep && s && sf && rf);
	for (int i = 0; i < 512; i++) {
		((lm_u64 *)sb)[i] = 0xbad;
		past[i] = 0x5afe;
	}
	CHECK_OK(lm_thread_set_ipc_buffer(s, sf));
	CHECK_OK(lm_thread_start(s, send_four, ep, t_stack(), T_PRIO));
	CHECK(t_blocked(s));
	CHECK_OK(lm_thread_read_regs(s, &r));
	r.rsi = INFO(5, 127, 0); /* the saved info of its EP_SEND */
	CHECK_OK(lm_thread_write_regs(s, &r));
	CHECK_OK(lm_thread_set_ipc_buffer(LM_SLOT_TCB, rf));
	CHECK_OK(lm_ep_recv(ep, &m));
	lm_thread_set_ipc_buffer(LM_SLOT_TCB, 0);
	CHECK_EQ(LM_MSG_LEN(m.info), LM_MSG_MAX_WORDS);
	for (lm_u64 i = LM_MSG_MAX_WORDS; i < 512; i++)
		CHECK_EQ(past[i], 0x5afe); /* nothing past msg[] was written */
	CHECK_EQ(rb->msg[LM_MSG_MAX_WORDS - 1], 0xbad);
}

/* ---- 4. a reply that moves away the endpoint its receive half uses --- */

struct rr {
	lm_cptr_t ep;
	struct lm_ipc_buffer *buf;
};

/* Take one call, then reply moving the endpoint's own capability to the
 * caller and receive on that same slot. Exits with REPLY_RECV's result. */
static lm_word_t reply_moving_own_endpoint(lm_word_t arg)
{
	struct rr *x = (struct rr *)arg;
	struct lm_msg m;
	int err = lm_ep_recv(x->ep, &m);

	if (err)
		return 0x100 + (lm_u64)err;
	x->buf->send_caps[0] = x->ep;
	return (lm_u64)lm_ep_reply_recv(x->ep, INFO(0, 0, 1) | LM_MSG_MOVE, 0, 0, 0, 0, &m);
}

TEST(reply_recv_whose_reply_moves_its_endpoint_returns_ECAP)
{
	static struct rr x;
	lm_cptr_t srv = t_thread_new(), d = t_slot();
	lm_cptr_t sf = t_frame_at(T_VA_PAGE(0), RW), cf = t_frame_at(T_VA_PAGE(1), RW);
	struct lm_ipc_buffer *cb = (struct lm_ipc_buffer *)T_VA_PAGE(1);
	struct lm_thread_info ti;
	struct lm_msg m;

	x.ep = t_new(LM_OBJ_ENDPOINT, 0);
	x.buf = (struct lm_ipc_buffer *)T_VA_PAGE(0);
	CHECK(x.ep && srv && d && sf && cf);
	lm_u64 ep_addr = t_id(x.ep).addr;
	CHECK_OK(lm_thread_set_ipc_buffer(srv, sf));
	CHECK_OK(lm_thread_start(srv, reply_moving_own_endpoint, (lm_word_t)&x, t_stack(), T_PRIO));
	CHECK(t_blocked(srv));
	CHECK_OK(lm_thread_set_ipc_buffer(LM_SLOT_TCB, cf));
	cb->recv_slots[0] = d;
	CHECK_OK(lm_ep_call(x.ep, INFO(1, 0, 0), 0, 0, 0, 0, &m));
	lm_thread_set_ipc_buffer(LM_SLOT_TCB, 0);
	CHECK_EQ(LM_MSG_NCAPS(m.info), 1);
	CHECK_EQ(t_type(d), LM_OBJ_ENDPOINT); /* the reply was given */
	CHECK_EQ(t_id(d).addr, ep_addr);
	CHECK_OK(t_wait(srv, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, LM_ECAP); /* its slot was empty by the receive */
}

/* ---- 4b. a long chain of faulted pagers owing replies stops ---------- */

#define CHAIN 1024

/*
 * Link i of the chain: receive the fault of link i-1 on rdi (0 for the
 * first link), so owing it a reply, then fault itself (its fault endpoint
 * is served by link i+1). The last link, given r12 != 0, waits on that
 * notification instead. No stack is used: every link shares one.
 */
__attribute__((naked)) static void chain_link(void)
{
	__asm__ volatile("test %%rdi, %%rdi\n"
			 "	jz 1f\n"
			 "	mov %0, %%eax\n"
			 "	syscall\n"
			 "1:	test %%r12, %%r12\n"
			 "	jnz 2f\n"
			 "	ud2\n"
			 "2:	mov %%r12, %%rdi\n"
			 "	mov %1, %%eax\n"
			 "	syscall\n"
			 "	jmp 2b\n"
			 :: "i"(LM_SYS_EP_RECV), "i"(LM_SYS_NTFN_WAIT));
}

TEST(stopping_a_long_chain_of_pagers_owing_replies_stops_every_link)
{
	static lm_cptr_t tcb[CHAIN], ep[CHAIN];
	lm_cptr_t never = t_new(LM_OBJ_NOTIFY, 0);
	void *stack = t_stack();
	struct lm_thread_info ti;

	CHECK(never && stack);
	for (int i = 0; i < CHAIN; i++) {
		struct lm_regs r = { 0 };
		tcb[i] = t_thread_new();
		ep[i] = t_new(LM_OBJ_ENDPOINT, 0);
		CHECK(tcb[i] && ep[i]);
		CHECK_OK(lm_thread_set_fault_ep(tcb[i], ep[i]));
		lm_thread_regs(&r, (lm_thread_fn)(void *)chain_link, i ? ep[i - 1] : 0, stack);
		r.r12 = i == CHAIN - 1 ? never : 0;
		CHECK_OK(lm_thread_write_regs(tcb[i], &r));
		CHECK_OK(lm_thread_set_priority(tcb[i], T_PRIO - 1));
	}
	/* Receivers first, so each fault finds its pager waiting. */
	for (int i = CHAIN - 1; i >= 0; i--)
		CHECK_OK(lm_thread_resume(tcb[i]));
	t_sleep_until_idle();
	for (int i = 0; i < CHAIN; i++) {
		CHECK_OK(lm_thread_info(tcb[i], &ti));
		CHECK_EQ(ti.state, LM_TS_BLOCKED);
	}
	/* The last pager goes: every link's fault is unserved for good. */
	CHECK_OK(lm_cnode_delete(CN, tcb[CHAIN - 1]));
	for (int i = 0; i < CHAIN - 1; i++) {
		CHECK_OK(lm_thread_info(tcb[i], &ti));
		CHECK_EQ(ti.state, LM_TS_FAULTED);
		CHECK_EQ(ti.fault_kind, LM_FAULT_PAGER_GONE);
		CHECK_EQ(ti.fault_error, LM_FAULT_UD);
	}
}
