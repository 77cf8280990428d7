/* The fast path's exit takes a received message's register words from the
 * sender's frame (kernel/fastpath.c, FP_MSG). A receiver whose frame was
 * rewritten while it waited (THREAD_WRITE_REGS: every register live, it
 * leaves by IRETQ) must get the words too, and its own written registers
 * for the rest, the same with the fast path on and off. */
#include "harness.h"

/* What the receiver finds at the rip it was given, in order: rax, rdi,
 * rsi, rdx, r10, r8, r9 (the call's results), then rbx, rcx, r11, r12 and
 * r15 (written by THREAD_WRITE_REGS, untouched by the receive). */
#define NSEEN 12
static volatile lm_u64 landed_regs[NSEEN];
void fp_landed(void);

__asm__(".text\n"
	"fp_landing:\n"
	"	mov %rax, landed_regs+0(%rip)\n"
	"	mov %rdi, landed_regs+8(%rip)\n"
	"	mov %rsi, landed_regs+16(%rip)\n"
	"	mov %rdx, landed_regs+24(%rip)\n"
	"	mov %r10, landed_regs+32(%rip)\n"
	"	mov %r8, landed_regs+40(%rip)\n"
	"	mov %r9, landed_regs+48(%rip)\n"
	"	mov %rbx, landed_regs+56(%rip)\n"
	"	mov %rcx, landed_regs+64(%rip)\n"
	"	mov %r11, landed_regs+72(%rip)\n"
	"	mov %r12, landed_regs+80(%rip)\n"
	"	mov %r15, landed_regs+88(%rip)\n"
	"	and $-16, %rsp\n"
	"	call fp_landed\n"
	"	ud2\n");
void fp_landing(void);

static lm_cptr_t land_ep;

/* Reply to the call it received, so that the caller goes on, and end. */
void fp_landed(void)
{
	lm_u64 out[LM_SYS_NOUT];
	lm_syscall6(LM_SYS_EP_REPLY, land_ep, LM_MSG_INFO(0, 0, 0), 0, 0, 0, 0, out);
	lm_thread_exit(0);
}

static lm_word_t wait_for_call(lm_word_t ep)
{
	lm_u64 out[LM_SYS_NOUT];
	lm_syscall6(LM_SYS_EP_RECV, ep, 0, 0, 0, 0, 0, out);
	return 1; /* not reached: its registers are rewritten while it waits */
}

/* One call to a receiver whose registers were rewritten while it waited;
 * what it saw into seen. */
static void one_landing(lm_cptr_t ep, lm_u64 seen[NSEEN])
{
	struct lm_regs r = {0};
	struct lm_thread_info ti;
	lm_u64 out[LM_SYS_NOUT];

	land_ep = ep;
	lm_cptr_t t = t_thread(wait_for_call, ep, T_PRIO);
	CHECK(t && t_blocked(t));
	r.rip = (lm_u64)fp_landing;
	r.rsp = (lm_u64)t_stack();
	r.rbx = 0x1111;
	r.rcx = 0x2222;
	r.r11 = 0x3333;
	r.r12 = 0x4444;
	r.r15 = 0x5555;
	r.rdx = r.r10 = r.r8 = r.r9 = 0xdead; /* the message replaces these */
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK(t_blocked(t)); /* still waiting for the call */
	CHECK_EQ(lm_syscall6(LM_SYS_EP_CALL, ep, LM_MSG_INFO(9, 4, 0), 0xa1, 0xa2, 0xa3, 0xa4, out),
		 LM_OK);
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	for (int i = 0; i < NSEEN; i++)
		seen[i] = landed_regs[i];
}

TEST(fastpath_message_reaches_a_receiver_whose_registers_were_rewritten)
{
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0);
	lm_u64 out[LM_SYS_NOUT], seen[2][NSEEN], hits0, hits1, hits2;
	/* rcx and r11 as written: IRETQ, not SYSRET, left the registers as
	 * THREAD_WRITE_REGS gave them, but for the call's results. */
	static const lm_u64 want[NSEEN] = {LM_OK, 0, LM_MSG_INFO(9, 4, 0), 0xa1, 0xa2, 0xa3, 0xa4,
					   0x1111, 0x2222, 0x3333, 0x4444, 0x5555};

	CHECK(ep);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	hits0 = out[1];
	one_landing(ep, seen[0]);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 0, 0, 0, 0, 0, out), LM_OK);
	hits1 = out[1];
	one_landing(ep, seen[1]);
	CHECK_EQ(lm_syscall6(LM_SYS_DEBUG_FASTPATH, lm_debug_cap, 1, 0, 0, 0, 0, out), LM_OK);
	hits2 = out[1];
	CHECK(hits1 > hits0);   /* the first call took the fast path */
	CHECK_EQ(hits2, hits1); /* the second did not */
	for (int i = 0; i < NSEEN; i++) {
		CHECK_EQ(seen[0][i], want[i]);
		CHECK_EQ(seen[1][i], want[i]);
	}
}
