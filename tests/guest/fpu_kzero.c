/* The kernel zeroes new objects with SSE stores through xmm0 (zero.S):
 * every thread's xmm registers come back as it left them, whether it owns
 * the FPU registers when some thread's retype zeroes memory or not, and a
 * thread that is not the owner still gets its own state at its next SSE
 * use (CR0.TS set again after the zeroing). A retype cannot be preempted
 * while it zeroes (interrupts are off in the kernel; its one restart,
 * while a deletion is being finished, comes before any zeroing). */
#include "harness.h"

#define CN LM_SLOT_CNODE

/* Word indices into the lm_u64 arrays the asm statements share with C
 * (rbx points at the array: no system call changes it). */
#define X_IN   0  /* xmm0-15 to load, two words each */
#define X_OUT  32 /* xmm0-15 as found afterwards */
#define X_ARG  64 /* a call's six arguments, then its result */
#define X_ERR  70
#define X_WORDS 72

/* The retype's arguments from X_ARG, its result to X_ERR. */
#define RETYPE_ASM                                 \
	"	mov %[rt], %%eax\n"                \
	"	mov 8*64(%%rbx), %%rdi\n"          \
	"	mov 8*65(%%rbx), %%rsi\n"          \
	"	mov 8*66(%%rbx), %%rdx\n"          \
	"	mov 8*67(%%rbx), %%r10\n"          \
	"	mov 8*68(%%rbx), %%r8\n"           \
	"	mov 8*69(%%rbx), %%r9\n"           \
	"	syscall\n"                         \
	"	mov %%rax, 8*70(%%rbx)\n"

#define XMM_LOAD(i) "movdqu " #i "*16(%%rbx), %%xmm" #i "\n"
#define XMM_STORE(i) "movdqu %%xmm" #i ", 256+" #i "*16(%%rbx)\n"
#define XMM_LOAD_ALL                                                        \
	XMM_LOAD(0) XMM_LOAD(1) XMM_LOAD(2) XMM_LOAD(3) XMM_LOAD(4)         \
	XMM_LOAD(5) XMM_LOAD(6) XMM_LOAD(7) XMM_LOAD(8) XMM_LOAD(9)         \
	XMM_LOAD(10) XMM_LOAD(11) XMM_LOAD(12) XMM_LOAD(13) XMM_LOAD(14)    \
	XMM_LOAD(15)
#define XMM_STORE_ALL                                                       \
	XMM_STORE(0) XMM_STORE(1) XMM_STORE(2) XMM_STORE(3) XMM_STORE(4)    \
	XMM_STORE(5) XMM_STORE(6) XMM_STORE(7) XMM_STORE(8) XMM_STORE(9)    \
	XMM_STORE(10) XMM_STORE(11) XMM_STORE(12) XMM_STORE(13)             \
	XMM_STORE(14) XMM_STORE(15)
#define SYS_CLOBBERS                                                        \
	"rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", \
	"cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",  \
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

static void xmm_seed(lm_u64 *w, lm_u64 seed)
{
	for (int i = 0; i < 32; i++)
		w[X_IN + i] = seed * 0x9e3779b97f4a7c15ull + (lm_u64)i * 0x0101010101010101ull;
}

/* 0 if xmm0-15 came back as loaded, else 1 + the first bad word. */
static lm_u64 xmm_diff(const lm_u64 *w)
{
	for (int i = 0; i < 32; i++)
		if (w[X_IN + i] != w[X_OUT + i])
			return 1 + (lm_u64)i;
	return 0;
}

static void set_retype(lm_u64 *w, lm_cptr_t u, lm_u64 type, lm_u64 bits, lm_cptr_t d, lm_u64 n)
{
	w[X_ARG] = u;
	w[X_ARG + 1] = type;
	w[X_ARG + 2] = bits;
	w[X_ARG + 3] = CN;
	w[X_ARG + 4] = d;
	w[X_ARG + 5] = n;
	w[X_ERR] = ~0ull;
}

/* Load xmm0-15, retype, store them: the caller owns the FPU registers
 * (its load made it the owner) while the kernel zeroes. */
static void xmm_retype(lm_u64 *w)
{
	__asm__ volatile(XMM_LOAD_ALL RETYPE_ASM XMM_STORE_ALL
			 :
			 : "b"(w), [rt] "i"(LM_SYS_UNTYPED_RETYPE)
			 : SYS_CLOBBERS);
}

TEST(fpu_sse_registers_survive_retype_by_their_owner)
{
	/* 16 frames (the page fault's refill), a 2 MiB frame, a TCB (2 KiB)
	 * and a 1 KiB CNode: each zeroed by whole KiB. */
	static const lm_u32 objs[][3] = {
		{ LM_OBJ_FRAME, 12, 16 }, { LM_OBJ_FRAME, 21, 1 },
		{ LM_OBJ_TCB, 0, 1 },     { LM_OBJ_CNODE, 4, 1 },
	};
	lm_u64 w[X_WORDS];
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 22), d = lm_slot_alloc_n(16);

	CHECK(u && d);
	for (lm_u32 i = 0; i < sizeof objs / sizeof objs[0]; i++) {
		xmm_seed(w, 0x4000 + i);
		set_retype(w, u, objs[i][0], objs[i][1], d, objs[i][2]);
		xmm_retype(w);
		CHECK_OK((int)w[X_ERR]);
		CHECK_EQ(xmm_diff(w), 0);
		CHECK_EQ(t_type(d), objs[i][0]);
		CHECK_OK(lm_cnode_revoke(CN, u));
	}
}

/* The owner loads its registers (after the retyper loaded its own), wakes
 * the retyper and sleeps in the kernel until the retype is done. */
static lm_cptr_t go_owner, go_retyper, done;
#define O_GO 64 /* the owner's array: its two notifications */

static lm_word_t xmm_owner(lm_word_t seed)
{
	lm_u64 w[X_WORDS];

	xmm_seed(w, seed);
	w[O_GO] = go_retyper;
	w[O_GO + 1] = done;
	if (lm_ntfn_wait(go_owner, NULL))
		return 100;
	__asm__ volatile(XMM_LOAD_ALL
			 "	mov %[sig], %%eax\n"
			 "	mov 8*64(%%rbx), %%rdi\n"
			 "	syscall\n"
			 "	mov %[wait], %%eax\n"
			 "	mov 8*65(%%rbx), %%rdi\n"
			 "	syscall\n" XMM_STORE_ALL
			 :
			 : "b"(w), [sig] "i"(LM_SYS_NTFN_SIGNAL), [wait] "i"(LM_SYS_NTFN_WAIT)
			 : SYS_CLOBBERS);
	return xmm_diff(w);
}

TEST(fpu_sse_registers_survive_retype_by_another_thread)
{
	lm_u64 w[X_WORDS];
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 16), d = lm_slot_alloc_n(16), a;
	struct lm_thread_info ti;

	go_owner = t_new(LM_OBJ_NOTIFY, 0);
	go_retyper = t_new(LM_OBJ_NOTIFY, 0);
	done = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(u && d && go_owner && go_retyper && done);
	a = t_thread(xmm_owner, 0x7777, T_PRIO);
	CHECK(a);
	xmm_seed(w, 0x8888);
	set_retype(w, u, LM_OBJ_FRAME, 12, d, 16);
	/* Ours loaded first (we own the registers), then the owner's: the
	 * retype runs while we do not own them (CR0.TS set). Our first SSE
	 * use after it must fault in our own values, not the owner's. */
	__asm__ volatile(XMM_LOAD_ALL
			 "	mov %[sig], %%eax\n"
			 "	mov %[go_owner], %%rdi\n"
			 "	syscall\n"
			 "	mov %[wait], %%eax\n"
			 "	mov %[go_retyper], %%rdi\n"
			 "	syscall\n" RETYPE_ASM XMM_STORE_ALL
			 "	mov %[sig], %%eax\n"
			 "	mov %[done], %%rdi\n"
			 "	syscall\n"
			 :
			 : "b"(w), [rt] "i"(LM_SYS_UNTYPED_RETYPE), [sig] "i"(LM_SYS_NTFN_SIGNAL),
			   [wait] "i"(LM_SYS_NTFN_WAIT), [go_owner] "m"(go_owner),
			   [go_retyper] "m"(go_retyper), [done] "m"(done)
			 : SYS_CLOBBERS);
	CHECK_OK((int)w[X_ERR]);
	CHECK_EQ(xmm_diff(w), 0);
	CHECK_EQ(t_type(d + 15), LM_OBJ_FRAME);
	CHECK_OK(t_wait(a, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0);
}

/* Memory used as a frame and then retyped as a CNode (zeroed by zero.S
 * in whole KiB) holds only empty slots. */
TEST(fpu_kzero_cnode_from_reused_memory_is_empty)
{
	lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 12), f = t_slot(), x = t_slot();
	volatile lm_u64 *p = (volatile lm_u64 *)T_VA;

	CHECK(u && f && x);
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, 12, CN, f, 1));
	CHECK_OK(t_map(f, T_VA, LM_R_READ | LM_R_WRITE));
	for (lm_u32 i = 0; i < 512; i++)
		p[i] = ~0ull - i;
	CHECK_OK(lm_vspace_unmap(f));
	CHECK_OK(lm_cnode_revoke(CN, u));
	CHECK_OK(lm_untyped_retype(u, LM_OBJ_CNODE, 6, CN, x, 1)); /* 4 KiB */
	for (lm_u32 i = 1; i < 64; i++) {
		struct t_id id = t_id_in(x, i);

		CHECK_OK(id.err);
		CHECK_EQ(LM_ID_TYPE(id.desc), LM_OBJ_NULL);
	}
}
