/* FPU/SSE state belongs to each thread: it survives yields, preemption
 * and system calls, and a new thread starts from the reset state. */
#include "harness.h"

#define MXCSR_RZ      0x7f80u /* round toward zero */

struct xmm_set {
	lm_u64 w[32]; /* xmm0..xmm15, two words each */
};

static void xmm_fill(struct xmm_set *s, lm_u64 seed)
{
	for (int i = 0; i < 32; i++)
		s->w[i] = seed * 0x9e3779b97f4a7c15ull + (lm_u64)i * 0x0101010101010101ull;
}

/*
 * Load xmm0-15 from *in, then either yield `n` times (yield != 0) or spin
 * until the TSC reaches `end`, then store xmm0-15 to *out. All in one asm
 * statement so the compiler cannot touch the registers in between.
 */
static void xmm_hold(const struct xmm_set *in, struct xmm_set *out, lm_u64 n,
		     lm_u64 end, lm_u64 yield)
{
#define XMM_LOAD(i) "movdqu " #i "*16(%[in]), %%xmm" #i "\n"
#define XMM_STORE(i) "movdqu %%xmm" #i ", " #i "*16(%[out])\n"
	__asm__ volatile(
		XMM_LOAD(0) XMM_LOAD(1) XMM_LOAD(2) XMM_LOAD(3)
		XMM_LOAD(4) XMM_LOAD(5) XMM_LOAD(6) XMM_LOAD(7)
		XMM_LOAD(8) XMM_LOAD(9) XMM_LOAD(10) XMM_LOAD(11)
		XMM_LOAD(12) XMM_LOAD(13) XMM_LOAD(14) XMM_LOAD(15)
		"	test %[yield], %[yield]\n"
		"	jz 2f\n"
		"1:	mov %[nr], %%eax\n"
		"	syscall\n"
		"	dec %[n]\n"
		"	jnz 1b\n"
		"	jmp 3f\n"
		"2:	rdtsc\n"
		"	shl $32, %%rdx\n"
		"	or %%rdx, %%rax\n"
		"	cmp %[end], %%rax\n"
		"	jb 2b\n"
		"3:\n"
		XMM_STORE(0) XMM_STORE(1) XMM_STORE(2) XMM_STORE(3)
		XMM_STORE(4) XMM_STORE(5) XMM_STORE(6) XMM_STORE(7)
		XMM_STORE(8) XMM_STORE(9) XMM_STORE(10) XMM_STORE(11)
		XMM_STORE(12) XMM_STORE(13) XMM_STORE(14) XMM_STORE(15)
		: [n] "+r"(n)
		: [in] "r"(in), [out] "r"(out), [end] "r"(end), [yield] "r"(yield),
		  [nr] "i"(LM_SYS_THREAD_YIELD)
		: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		  "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
		  "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
		  "xmm13", "xmm14", "xmm15");
#undef XMM_LOAD
#undef XMM_STORE
}

/* 0 if the registers came back as loaded, else 1 + the first bad word. */
static lm_u64 xmm_check(lm_u64 seed, lm_u64 n, lm_u64 end, lm_u64 yield)
{
	struct xmm_set in, out;

	xmm_fill(&in, seed);
	xmm_hold(&in, &out, n, end, yield);
	for (int i = 0; i < 32; i++)
		if (in.w[i] != out.w[i])
			return 1 + (lm_u64)i;
	return 0;
}

static lm_word_t xmm_yielder(lm_word_t seed)
{
	return xmm_check(seed, 200, 0, 1);
}

static volatile lm_u64 spin_end;

static lm_word_t xmm_spinner(lm_word_t seed)
{
	return xmm_check(seed, 1, spin_end, 0);
}

TEST(fpu_sse_registers_survive_yields_between_threads)
{
	lm_cptr_t a = t_thread(xmm_yielder, 0x1111, T_PRIO);
	lm_cptr_t b = t_thread(xmm_yielder, 0x2222, T_PRIO);
	struct lm_thread_info ti;

	CHECK(a && b);
	CHECK_EQ(xmm_check(0x3333, 200, 0, 1), 0); /* ours, meanwhile */
	CHECK_OK(t_wait(a, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0);
	CHECK_OK(t_wait(b, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0);
}

TEST(fpu_sse_registers_survive_preemption)
{
	lm_cptr_t a, b;
	struct lm_thread_info ti;

	/* Two threads spin with their own xmm values for 100 ms, switched by
	 * the timer (10 ms slices) and by our yields. */
	spin_end = t_rdtsc() + t_ms_to_tsc(100);
	a = t_thread(xmm_spinner, 0xaaaa, T_PRIO);
	b = t_thread(xmm_spinner, 0xbbbb, T_PRIO);
	CHECK(a && b);
	CHECK_EQ(xmm_check(0xcccc, 50, 0, 1), 0);
	CHECK_OK(t_wait(a, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0);
	CHECK_OK(t_wait(b, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0);
}

TEST(fpu_sse_registers_survive_system_calls)
{
	struct xmm_set in, out;

	xmm_fill(&in, 0x5555);
	/* no other thread: every yield returns straight to us */
	xmm_hold(&in, &out, 100, 0, 1);
	CHECK(memcmp(&in, &out, sizeof in) == 0);
}

static lm_word_t mxcsr_keeper(lm_word_t mode)
{
	lm_set_mxcsr((lm_u32)mode);
	for (int i = 0; i < 50; i++)
		lm_thread_yield();
	return lm_mxcsr();
}

TEST(fpu_mxcsr_is_per_thread)
{
	lm_cptr_t a = t_thread(mxcsr_keeper, MXCSR_RZ, T_PRIO);
	lm_cptr_t b = t_thread(mxcsr_keeper, LM_MXCSR_DEFAULT | 0x2000 /* round up */, T_PRIO);
	lm_u32 mine = lm_mxcsr();
	struct lm_thread_info ti;

	CHECK(a && b);
	t_yield(60);
	CHECK_EQ(lm_mxcsr(), mine);
	CHECK_OK(t_wait(a, &ti));
	CHECK_EQ(ti.exit_code & 0xffff, MXCSR_RZ);
	CHECK_OK(t_wait(b, &ti));
	CHECK_EQ(ti.exit_code & 0xffff, LM_MXCSR_DEFAULT | 0x2000);
}

/* Two integers pushed on the x87 stack survive yields (one asm statement:
 * the stack is empty again at its end, as the compiler expects). */
static lm_word_t x87_keeper(lm_word_t seed)
{
	lm_i64 in[2] = { (lm_i64)seed, -(lm_i64)seed * 3 }, out[2] = { 0, 0 };
	lm_u64 n = 50;

	__asm__ volatile("	fildq %[in0]\n"
			 "	fildq %[in1]\n"
			 "1:	mov %[nr], %%eax\n"
			 "	syscall\n"
			 "	dec %[n]\n"
			 "	jnz 1b\n"
			 "	fistpq %[out1]\n"
			 "	fistpq %[out0]\n"
			 : [n] "+r"(n), [out0] "=m"(out[0]), [out1] "=m"(out[1])
			 : [in0] "m"(in[0]), [in1] "m"(in[1]), [nr] "i"(LM_SYS_THREAD_YIELD)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
			   "memory", "cc");
	return out[0] == in[0] && out[1] == in[1] ? 0 : 1;
}

TEST(fpu_x87_state_survives_switches)
{
	lm_cptr_t a = t_thread(x87_keeper, 12345, T_PRIO);
	lm_cptr_t b = t_thread(x87_keeper, 67890, T_PRIO);
	struct lm_thread_info ti;

	CHECK(a && b);
	CHECK_OK(t_wait(a, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0);
	CHECK_OK(t_wait(b, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0);
}

static lm_word_t fpu_state_word(lm_word_t arg)
{
	return lm_mxcsr() | (lm_u64)lm_fpu_cw() << 32;
}

TEST(fpu_new_thread_starts_from_reset_state)
{
	lm_cptr_t t;
	struct lm_thread_info ti;

	lm_set_mxcsr(MXCSR_RZ); /* our odd state must not leak into it */
	t = t_thread(fpu_state_word, 0, T_PRIO);
	if (!t) {
		lm_set_mxcsr(LM_MXCSR_DEFAULT);
		CHECK(t);
	}
	CHECK_OK(t_wait(t, &ti));
	lm_set_mxcsr(LM_MXCSR_DEFAULT);
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code & 0xffffffff, LM_MXCSR_DEFAULT);
	CHECK_EQ(ti.exit_code >> 32, LM_FPU_CW_DEFAULT);
}
