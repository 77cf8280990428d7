/* System-call reflection: a SYSCALL numbered below LM_SYS_BASE from a
 * thread with a foreign entry goes to that entry with every register as
 * the caller left it; liblamina's lm_reflect_entry turns it into a C call
 * and returns as Linux would (lm/reflect.h). */
#include "harness.h"

#define FLAG_CF 0x1ull
#define FLAG_DF 0x400ull

/* r_regs(out, nr): load every general register with a pattern (the six
 * arguments 0x11..0x66), fill the red zone, set CF and DF, make a system
 * call with rax = nr, and store what came back:
 *   out[0] rax, [1..6] rbx rbp r12 r13 r14 r15, [7..12] rdi rsi rdx r10
 *   r8 r9, [13] rcx, [14] r11, [15] rflags before, [16] rflags after,
 *   [17] red-zone words changed (xor-or), [18] xmm0, [19] xmm15.
 * Flags are read with the stack pointer moved below the red zone (lea
 * does not touch the flags). */
__asm__(".text\n"
	".globl r_regs, r_ret\n"
	"r_regs:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	push %rdi\n"
	"	mov %rsi, %rax\n"
	"	mov $0x1001, %rbx\n mov $0x1002, %rbp\n mov $0x1003, %r12\n"
	"	mov $0x1004, %r13\n mov $0x1005, %r14\n mov $0x1006, %r15\n"
	"	movq %rbx, %xmm0\n movq %r15, %xmm15\n"
	"	mov $" "0x5aa5c33c96695aa5" ", %rcx\n"
	"	.irp off, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128\n"
	"	mov %rcx, -\\off(%rsp)\n"
	"	.endr\n"
	"	stc\n std\n"
	"	lea -136(%rsp), %rsp\n pushfq\n pop %rcx\n lea 136(%rsp), %rsp\n"
	"	mov %rcx, 15*8(%rdi)\n"
	"	mov $0x11, %rdi\n mov $0x22, %rsi\n mov $0x33, %rdx\n"
	"	mov $0x44, %r10\n mov $0x55, %r8\n mov $0x66, %r9\n"
	"	mov $-1, %rcx\n mov $-1, %r11\n"
	"	syscall\n"
	"r_ret:\n"
	"	xchg %rax, (%rsp)\n" /* rax = out; the result on the stack */
	"	mov %rbx, 1*8(%rax)\n mov %rbp, 2*8(%rax)\n mov %r12, 3*8(%rax)\n"
	"	mov %r13, 4*8(%rax)\n mov %r14, 5*8(%rax)\n mov %r15, 6*8(%rax)\n"
	"	mov %rdi, 7*8(%rax)\n mov %rsi, 8*8(%rax)\n mov %rdx, 9*8(%rax)\n"
	"	mov %r10, 10*8(%rax)\n mov %r8, 11*8(%rax)\n mov %r9, 12*8(%rax)\n"
	"	mov %rcx, 13*8(%rax)\n mov %r11, 14*8(%rax)\n"
	"	lea -136(%rsp), %rsp\n pushfq\n pop %rcx\n lea 136(%rsp), %rsp\n"
	"	mov %rcx, 16*8(%rax)\n"
	"	cld\n"
	"	mov $" "0x5aa5c33c96695aa5" ", %rcx\n xor %r11, %r11\n"
	"	.irp off, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128\n"
	"	mov -\\off(%rsp), %rdx\n xor %rcx, %rdx\n or %rdx, %r11\n"
	"	.endr\n"
	"	mov %r11, 17*8(%rax)\n"
	"	movq %xmm0, 18*8(%rax)\n movq %xmm15, 19*8(%rax)\n"
	"	pop %rcx\n mov %rcx, 0(%rax)\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n");
void r_regs(lm_u64 out[20], lm_u64 nr);
extern char r_ret[];

/* What the handler saw of the last reflected call. */
static struct lm_sysargs seen;
static lm_u64 seen_flags, seen_rsp, seen_caller_rsp;
static int ncalls;

/* The exit hooks (lm/reflect.h): what they saw, and the record one loads. */
static struct lm_regs hook_regs;
static lm_u64 hook_xmm0, hook_xmm15;
static struct lm_resume hook_rec;
static lm_u64 copy_src[4] = { 1, 2, 3, 4 }, copy_dst[4];

static const struct lm_resume *hook_zero(struct lm_regs *r, struct lm_fpu_state *fx)
{
	hook_regs = *r;
	memcpy(&hook_xmm0, fx->b + 160, 8);       /* xmm0 in the FXSAVE image */
	memcpy(&hook_xmm15, fx->b + 160 + 15 * 16, 8);
	r->rax = 0xdead; /* ignored: 0 returns as usual */
	return 0;
}

static const struct lm_resume *hook_resume(struct lm_regs *r, struct lm_fpu_state *fx)
{
	lm_u64 x = 0x3001;

	hook_regs = *r;
	hook_rec.regs = *r;
	hook_rec.regs.rax = 0x99;
	hook_rec.regs.rbx = 0x2001;
	hook_rec.regs.r12 = 0x2003;
	hook_rec.regs.rdi = 0xd1;
	hook_rec.fx = *fx;
	memcpy(hook_rec.fx.b + 160, &x, 8);
	hook_rec.copy_dst = (lm_u64)copy_dst;
	hook_rec.copy_src = (lm_u64)copy_src;
	hook_rec.copy_len = sizeof copy_src;
	return &hook_rec;
}

static long handler(struct lm_sysargs *a)
{
	lm_u64 fl;

	__asm__ volatile("pushfq; pop %0" : "=r"(fl));
	seen = *a;
	seen_caller_rsp = lm_sysargs_rsp(a);
	seen_flags = fl;
	seen_rsp = (lm_u64)__builtin_frame_address(0);
	ncalls++;
	/* an ordinary C handler may use the vector registers */
	__asm__ volatile("pxor %%xmm0, %%xmm0; pcmpeqb %%xmm15, %%xmm15" ::: "xmm0", "xmm15");
	if (a->nr == 39) /* getpid */
		return 1234;
	if (a->nr == 110) { /* getppid: a native call from inside the handler */
		struct lm_thread_info ti;
		return lm_thread_info(LM_SLOT_TCB, &ti) == LM_OK ? 4321 : -1;
	}
	if (a->nr == 500) { /* the exit hook, which returns as usual */
		lm_reflect_exit = hook_zero;
		return 77;
	}
	if (a->nr == 501) { /* the exit hook, which loads a record */
		lm_reflect_exit = hook_resume;
		return 78;
	}
	if (a->nr == 502) { /* this call's own exit hook (a->exit) */
		a->exit = hook_zero;
		return 79;
	}
	if (a->nr == 7) { /* a call that hands back a register (the test's own) */
		a->a[1] = 0xbeef;
		return 0;
	}
	return -38; /* -ENOSYS */
}

static int on(void)
{
	ncalls = 0;
	seen = (struct lm_sysargs){ 0 };
	return lm_reflect_install(LM_SLOT_TCB, handler);
}

static void off(void)
{
	lm_reflect_install(LM_SLOT_TCB, 0);
}

TEST(reflect_delivers_the_number_and_six_arguments)
{
	lm_u64 out[LM_SYS_NOUT];

	CHECK_OK(on());
	lm_u64 r = lm_syscall6(39, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, out);
	off();
	CHECK_EQ(r, 1234);
	CHECK_EQ(ncalls, 1);
	CHECK_EQ(seen.nr, 39);
	for (int i = 0; i < 6; i++) {
		CHECK_EQ(seen.a[i], 0xa1 + i);
		CHECK_EQ(out[i], 0xa1 + i); /* the arguments come back unchanged */
	}
}

TEST(reflect_preserves_every_register_but_rax_rcx_r11)
{
	lm_u64 o[20];

	CHECK_OK(on());
	r_regs(o, 0); /* Linux's read: -ENOSYS from the handler */
	off();
	CHECK_EQ(ncalls, 1);
	CHECK_EQ(o[0], (lm_u64)-38);
	for (int i = 1; i <= 6; i++)
		CHECK_EQ(o[i], 0x1000 + i);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(o[7 + i], 0x11 * (i + 1));
	CHECK_EQ(o[13], (lm_u64)r_ret);  /* rcx: the return address, as Linux */
	CHECK_EQ(o[14], o[15]);          /* r11: the caller's rflags, as Linux */
	CHECK(o[15] & FLAG_CF);
	CHECK(o[15] & FLAG_DF);
	CHECK_EQ(o[16], o[15]);          /* the flags themselves, DF included */
	CHECK_EQ(o[17], 0);              /* the red zone is untouched */
	CHECK_EQ(o[18], 0x1001);         /* vector registers survive the handler */
	CHECK_EQ(o[19], 0x1006);
	/* the handler saw the registers and a clean direction flag */
	CHECK_EQ(seen.rip, (lm_u64)r_ret);
	CHECK_EQ(seen.rflags, o[15]);
	CHECK_EQ(seen.rbx, 0x1001);
	CHECK_EQ(seen_flags & FLAG_DF, 0);
	CHECK_EQ(seen.a[3], 0x44);       /* the fourth argument is r10 */
	CHECK_EQ(seen_rsp & 15, 0);      /* its frame is aligned */
}

TEST(reflect_exit_hook_sees_the_whole_state_and_0_returns_as_usual)
{
	lm_u64 o[20];

	CHECK_OK(on());
	r_regs(o, 500);
	off();
	CHECK_EQ(lm_reflect_exit, 0); /* one call only */
	CHECK_EQ(o[0], 77);
	for (int i = 1; i <= 6; i++)
		CHECK_EQ(o[i], 0x1000 + i);
	CHECK_EQ(o[17], 0);
	CHECK_EQ(o[18], 0x1001);
	CHECK_EQ(hook_regs.rax, 77);
	CHECK_EQ(hook_regs.rbx, 0x1001);
	CHECK_EQ(hook_regs.rbp, 0x1002);
	CHECK_EQ(hook_regs.r12, 0x1003);
	CHECK_EQ(hook_regs.r15, 0x1006);
	CHECK_EQ(hook_regs.rdi, 0x11);
	CHECK_EQ(hook_regs.r10, 0x44);
	CHECK_EQ(hook_regs.r9, 0x66);
	CHECK_EQ(hook_regs.rip, (lm_u64)r_ret);
	CHECK_EQ(hook_regs.rcx, (lm_u64)r_ret);
	CHECK_EQ(hook_regs.rflags, o[15]);
	CHECK_EQ(hook_regs.r11, o[15]);
	CHECK_EQ(hook_regs.rsp, seen_caller_rsp); /* as lm_sysargs_rsp says */
	CHECK_EQ(hook_xmm0, 0x1001);  /* the caller's, not the handler's */
	CHECK_EQ(hook_xmm15, 0x1006);
}

TEST(reflect_call_exit_hook_runs_for_that_call_only)
{
	lm_u64 o[20];

	CHECK_OK(on());
	hook_regs = (struct lm_regs){ 0 };
	r_regs(o, 502);
	CHECK_EQ(o[0], 79);
	CHECK_EQ(hook_regs.rax, 79);
	CHECK_EQ(hook_regs.rsp, seen_caller_rsp);
	CHECK_EQ(hook_regs.r12, 0x1003);
	CHECK_EQ(o[17], 0);     /* the red zone is untouched */
	CHECK_EQ(o[18], 0x1001);
	CHECK_EQ(seen.exit, 0); /* 0 at entry */
	hook_regs.rax = 0;
	r_regs(o, 0);           /* the next call has none */
	off();
	CHECK_EQ(o[0], (lm_u64)-38);
	CHECK_EQ(hook_regs.rax, 0);
	CHECK_EQ(lm_reflect_exit, 0);
}

TEST(reflect_exit_hook_record_loads_every_register_the_fpu_and_copies)
{
	lm_u64 o[20];

	CHECK_OK(on());
	r_regs(o, 501);
	off();
	CHECK_EQ(o[0], 0x99);
	CHECK_EQ(o[1], 0x2001);  /* rbx */
	CHECK_EQ(o[2], 0x1002);  /* rbp as it was */
	CHECK_EQ(o[3], 0x2003);  /* r12 */
	CHECK_EQ(o[7], 0xd1);    /* rdi */
	CHECK_EQ(o[8], 0x22);    /* rsi as it was */
	CHECK_EQ(o[16], o[15]);  /* the flags, DF included */
	CHECK_EQ(o[17], 0);      /* the red zone is untouched */
	CHECK_EQ(o[18], 0x3001); /* xmm0 from the record's FXSAVE image */
	CHECK_EQ(o[19], 0x1006);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(copy_dst[i], copy_src[i]);
}

TEST(reflect_handler_changes_to_the_arguments_reach_the_caller)
{
	lm_u64 out[LM_SYS_NOUT];

	CHECK_OK(on());
	lm_u64 r = lm_syscall6(7, 1, 2, 3, 4, 5, 6, out);
	off();
	CHECK_EQ(r, 0);
	CHECK_EQ(out[0], 1);
	CHECK_EQ(out[1], 0xbeef); /* rsi */
	CHECK_EQ(out[2], 3);
}

TEST(reflect_handler_may_make_native_calls)
{
	CHECK_OK(on());
	lm_u64 r = lm_syscall6(110, 0, 0, 0, 0, 0, 0, 0);
	off();
	CHECK_EQ(r, 4321);
}

TEST(reflect_native_calls_still_work_and_are_never_reflected)
{
	struct lm_thread_info ti = { 0 };
	static const lm_u64 high[] = { LM_SYS_END, LM_SYS_END + 1, 0x1fff, 0x10000,
				       1ull << 63, ~0ull };
	lm_u64 got[6], top;
	int info, before;

	CHECK_OK(on());
	info = lm_thread_info(LM_SLOT_TCB, &ti);
	for (lm_u32 i = 0; i < 6; i++)
		got[i] = t_raw(high[i], 0, 0, 0, 0, 0, 0, 0);
	before = ncalls;
	top = t_raw(LM_SYS_BASE - 1, 0, 0, 0, 0, 0, 0, 0); /* the highest foreign number */
	off();
	CHECK_OK(info);
	CHECK_EQ(ti.state, LM_TS_RUNNABLE);
	for (lm_u32 i = 0; i < 6; i++)
		CHECK_ERR(got[i], LM_ENOSYS);
	CHECK_EQ(before, 0);
	CHECK_EQ(top, (lm_u64)-38);
	CHECK_EQ(ncalls, 1);
	CHECK_EQ(seen.nr, LM_SYS_BASE - 1);
}

TEST(reflect_entry_zero_turns_it_off)
{
	CHECK_OK(on());
	lm_u64 r = t_raw(39, 0, 0, 0, 0, 0, 0, 0);
	CHECK_OK(lm_thread_set_foreign(LM_SLOT_TCB, 0));
	CHECK_EQ(r, 1234);
	CHECK_ERR(t_raw(39, 0, 0, 0, 0, 0, 0, 0), LM_ENOSYS);
	CHECK_ERR(t_raw(0, 0, 0, 0, 0, 0, 0, 0), LM_ENOSYS);
	CHECK_EQ(ncalls, 1);
}

TEST(reflect_set_foreign_bad_arguments_return_errors)
{
	lm_cptr_t ro = t_copy(LM_SLOT_TCB, LM_R_READ);
	lm_u64 e = (lm_u64)lm_reflect_entry;

	CHECK(ro);
	CHECK_ERR(lm_thread_set_foreign(LM_SLOT_TCB, T_KERNEL_ADDR), LM_ERANGE);
	CHECK_ERR(lm_thread_set_foreign(LM_SLOT_TCB, T_NONCANON), LM_ERANGE);
	CHECK_ERR(lm_thread_set_foreign(LM_SLOT_TCB, LM_USER_MAX), LM_ERANGE);
	CHECK_ERR(lm_thread_set_foreign(LM_SLOT_TCB, LM_USER_MIN - 1), LM_ERANGE);
	CHECK_ERR(lm_thread_set_foreign(LM_SLOT_TCB, ~0ull), LM_ERANGE);
	CHECK_ERR(lm_thread_set_foreign(t_slot(), e), LM_ECAP);
	CHECK_ERR(lm_thread_set_foreign(LM_SLOT_VSPACE, e), LM_ETYPE);
	CHECK_ERR(lm_thread_set_foreign(ro, e), LM_ERIGHTS);
	/* the rejected argument is named: arg 2 for the range */
	lm_u64 out[LM_SYS_NOUT];
	CHECK_ERR(t_raw(LM_SYS_THREAD_SET_FOREIGN, LM_SLOT_TCB, T_KERNEL_ADDR, 0, 0, 0, 0, out),
		  LM_ERANGE);
	CHECK_EQ(out[0], 2);
	/* nothing was set: foreign calls still fail */
	CHECK_ERR(t_raw(39, 0, 0, 0, 0, 0, 0, 0), LM_ENOSYS);
	/* the edges of the range are accepted */
	CHECK_OK(lm_thread_set_foreign(LM_SLOT_TCB, LM_USER_MIN));
	CHECK_OK(lm_thread_set_foreign(LM_SLOT_TCB, LM_USER_MAX - 1));
	CHECK_OK(lm_thread_set_foreign(LM_SLOT_TCB, 0));
}

/* A second thread makes a foreign call to an entry that cannot run. */
static lm_word_t foreign_call(lm_word_t arg)
{
	return lm_syscall6(39, 0, 0, 0, 0, 0, 0, 0);
}

static void run_bad_entry(lm_u64 entry, struct lm_thread_info *ti)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r;

	CHECK(t);
	CHECK_OK(lm_thread_set_foreign(t, entry));
	lm_thread_regs(&r, foreign_call, 0, t_stack());
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, ti));
}

TEST(reflect_unmapped_entry_faults_the_thread_at_the_entry)
{
	struct lm_thread_info ti = { 0 };
	lm_u64 entry = T_VA_FRESH(3) + 0x123;

	run_bad_entry(entry, &ti);
	if (t_failed())
		return;
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_rip, entry);
	CHECK_EQ(ti.fault_addr, entry);
	CHECK_EQ(ti.fault_error & 5, 4); /* not present, user */
	/* ktest's own thread has no entry: foreign calls still fail here */
	CHECK_ERR(t_raw(39, 0, 0, 0, 0, 0, 0, 0), LM_ENOSYS);
}

TEST(reflect_non_executable_entry_faults_the_thread)
{
	struct lm_thread_info ti = { 0 };

	if (!(t_bi->cpu_features & LM_CPU_NX)) {
		t_note("no NX: data pages are executable");
		return;
	}
	CHECK(t_frame_at(T_VA_PAGE(7), LM_R_READ | LM_R_WRITE));
	run_bad_entry(T_VA_PAGE(7), &ti);
	if (t_failed())
		return;
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_rip, T_VA_PAGE(7));
	CHECK_EQ(ti.fault_error & 0x15, 0x15); /* present, user, fetch */
}

/* ---- a Linux program under the Linux personality (linux/) ---------------- */

/* The console the personality is given: an endpoint served here, so the test
 * sees exactly what the Linux program wrote. */
static char lx_out[2048];
static lm_u32 lx_len;

static lm_word_t lx_console(lm_word_t ep)
{
	struct lm_msg m;
	int err = lm_ep_recv(ep, &m);

	while (!err) {
		lm_u32 n = CON_LABEL_N(LM_MSG_LABEL(m.info));

		for (lm_u32 i = 0; i < n && i < CON_MAX_BYTES && lx_len < sizeof lx_out - 1; i++)
			lx_out[lx_len++] = (char)(m.w[i / 8] >> (8 * (i % 8)));
		err = lm_ep_reply_recv(ep, LM_MSG_INFO(CON_LABEL(CON_OK, n), 0, 0), 0, 0, 0, 0, &m);
	}
	return err;
}

static const struct lm_bi_module *t_module_info(const char *name)
{
	for (lm_u32 i = 0; i < t_bi->n_modules && i < LM_BI_MAX_MODULES; i++)
		if (!strncmp(t_bi->modules[i].name, name, LM_BI_NAME_LEN))
			return &t_bi->modules[i];
	return 0;
}

static int has(const char *s)
{
	lm_u64 n = strlen(s);

	for (lm_u32 i = 0; i + n <= lx_len; i++)
		if (!memcmp(lx_out + i, s, n))
			return 1;
	return 0;
}

/* The personality gets: the console endpoint (7), the linux-hello module
 * mapped where root would put it, 2 MiB of untyped memory, and the command
 * line "hello" (run linux-hello, argv = {"hello"}). */
TEST(reflect_linux_personality_runs_an_unmodified_musl_program)
{
	static struct lm_bootinfo tmpl;
	static struct lm_spawn_cap caps[64];
	const struct lm_bi_module *lx = t_module_info("linux-hello");
	struct lm_spawn a = { 0 };
	struct lm_proc p;
	struct lm_thread_info ti;
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), ut = t_new(LM_OBJ_UNTYPED, 21);
	lm_u32 n = 0, dst = LM_SLOT_FIRST_BOOT;

	a.image = t_module("linux", &a.size);
	if (!a.image || !lx) { /* a boot with another module list */
		t_note("no linux or linux-hello module: not run");
		return;
	}
	CHECK(ep && ut);
	CHECK(lx->nframes + 2 <= sizeof caps / sizeof caps[0]);
	tmpl = (struct lm_bootinfo){ 0 };
	tmpl.console_slot = LM_SLOT_CONSOLE;
	memcpy(tmpl.cmdline, "hello", 6);
	caps[n++] = (struct lm_spawn_cap){ ep, LM_SLOT_CONSOLE, LM_R_WRITE, 0, 0 };
	tmpl.modules[0] = *lx;
	tmpl.modules[0].vaddr = LM_CHILD_MODULE_VADDR;
	tmpl.modules[0].slot = dst;
	tmpl.n_modules = 1;
	for (lm_u32 f = 0; f < lx->nframes; f++)
		caps[n++] = (struct lm_spawn_cap){ lx->slot + f, dst++, LM_R_READ, LM_SPAWN_MAP,
						   LM_CHILD_MODULE_VADDR + f * LM_PAGE_SIZE };
	CHECK_OK(lm_cnode_identify(LM_SLOT_CNODE, ut, 0, &tmpl.untyped[0].paddr, 0));
	tmpl.untyped[0].size_bits = 21;
	tmpl.untyped[0].slot = dst;
	tmpl.n_untyped = 1;
	caps[n++] = (struct lm_spawn_cap){ ut, dst++, 0, LM_SPAWN_MOVE, 0 };

	lx_len = 0;
	CHECK(t_thread(lx_console, ep, T_PRIO));
	a.arg = LM_BOOTINFO_VADDR;
	a.prio = T_PRIO;
	a.cnode_bits = 12; /* the personality's image is a few hundred frames */
	a.caps = caps;
	a.ncaps = n;
	a.bi = &tmpl;
	CHECK_OK(lm_spawn(&a, &p));
	CHECK_OK(t_wait(p.tcb, &ti));
	lx_out[lx_len] = 0;
	for (lm_u32 i = 0, b = 0; i < lx_len; i++)
		if (lx_out[i] == '\n') {
			lx_out[i] = 0; /* lm_printf has no %.*s */
			t_note("%s", lx_out + b);
			lx_out[i] = '\n';
			b = i + 1;
		}
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 42); /* every check in tests/linux/hello.c held */
	CHECK(has("linux-hello: write(2) works\n"));
	CHECK(has("hello from musl, argc=1 argv[0]=hello pid=1 ppid=0\n"));
	CHECK(has("syscall(999) = -1, errno 38 (ENOSYS)\n"));
}
