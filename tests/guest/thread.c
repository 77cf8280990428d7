/* THREAD_* calls: creating, configuring, registers, suspend/resume, exit,
 * FS/GS base, and what each needs. */
#include "harness.h"

#define CN LM_SLOT_CNODE
#define VS LM_SLOT_VSPACE
#define FLAGS_IF 0x200ull
#define FLAGS_IOPL 0x3000ull

/* Every general register as the thread sees it on its first instruction,
 * stored in t_dump (rax..r15 in struct lm_regs order, then rsp, rflags). */
lm_u64 t_dump[18];
__asm__(".text\n"
	".globl t_dump_regs\n"
	"t_dump_regs:\n"
	"	mov %rax, t_dump+0(%rip)\n"
	"	mov %rbx, t_dump+8(%rip)\n"
	"	mov %rcx, t_dump+16(%rip)\n"
	"	mov %rdx, t_dump+24(%rip)\n"
	"	mov %rsi, t_dump+32(%rip)\n"
	"	mov %rdi, t_dump+40(%rip)\n"
	"	mov %rbp, t_dump+48(%rip)\n"
	"	mov %r8, t_dump+56(%rip)\n"
	"	mov %r9, t_dump+64(%rip)\n"
	"	mov %r10, t_dump+72(%rip)\n"
	"	mov %r11, t_dump+80(%rip)\n"
	"	mov %r12, t_dump+88(%rip)\n"
	"	mov %r13, t_dump+96(%rip)\n"
	"	mov %r14, t_dump+104(%rip)\n"
	"	mov %r15, t_dump+112(%rip)\n"
	"	mov %rsp, t_dump+120(%rip)\n"
	"	pushfq\n"
	"	popq t_dump+128(%rip)\n"
	"	xor %edi, %edi\n"
	"	mov $0x1015, %eax\n" /* THREAD_EXIT */
	"	syscall\n"
	"	ud2\n"
	".globl t_spin_here\n"
	"t_spin_here:\n"
	"	jmp t_spin_here\n");
extern char t_dump_regs[], t_spin_here[];

static volatile lm_u64 counter;

static lm_word_t count_forever(lm_word_t arg)
{
	for (;;)
		counter++;
	return 0;
}

static lm_word_t ret_arg(lm_word_t arg)
{
	return arg;
}

static lm_word_t exit_big(lm_word_t arg)
{
	lm_thread_exit(0xdeadbeefcafef00dull);
}

static lm_word_t read_fs0(lm_word_t arg)
{
	lm_u64 v;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	return v;
}

static lm_word_t read_gs0(lm_word_t arg)
{
	lm_u64 v;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(v));
	return v;
}

static lm_word_t identify_own_cnode(lm_word_t arg)
{
	lm_u64 desc;
	int err = lm_cnode_identify(LM_SLOT_CNODE, LM_SLOT_CNODE, &desc, 0, 0);

	return err ? 0x100 + (lm_u64)err : LM_ID_TYPE(desc);
}

static lm_word_t identify_until_error(lm_word_t arg)
{
	lm_u64 desc;
	int err;

	while ((err = lm_cnode_identify(LM_SLOT_CNODE, LM_SLOT_CNODE, &desc, 0, 0)) == LM_OK)
		lm_thread_yield();
	return (lm_u64)err;
}

/* A stack and regs for fn(arg) on a fresh stack. */
static void regs_for(struct lm_regs *r, lm_thread_fn fn, lm_word_t arg)
{
	lm_thread_regs(r, fn, arg, t_stack());
}

TEST(thread_new_tcb_is_inactive)
{
	lm_cptr_t t = t_new(LM_OBJ_TCB, 0);
	struct lm_thread_info ti;

	CHECK(t);
	CHECK_EQ(t_type(t), LM_OBJ_TCB);
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_INACTIVE);
}

TEST(thread_resume_without_spaces_returns_ESTATE)
{
	lm_cptr_t t = t_new(LM_OBJ_TCB, 0);
	struct lm_thread_info ti;

	CHECK(t);
	CHECK_ERR(lm_thread_resume(t), LM_ESTATE);
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_INACTIVE);
}

TEST(thread_runs_function_in_same_address_space_and_exits_with_its_result)
{
	lm_cptr_t t = t_thread(ret_arg, 0x5eed, T_PRIO);
	struct lm_thread_info ti;

	CHECK(t);
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x5eed);
}

TEST(thread_exit_code_keeps_all_64_bits)
{
	lm_cptr_t t = t_thread(exit_big, 0, T_PRIO);
	struct lm_thread_info ti;

	CHECK(t);
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0xdeadbeefcafef00dull);
}

static void fill_regs(struct lm_regs *r)
{
	lm_u64 *w = (lm_u64 *)r;

	for (lm_u32 i = 0; i < 15; i++) /* rax .. r15 */
		w[i] = 0x1111111111111111ull * (i + 1) ^ (lm_u64)i << 56;
	r->rip = (lm_u64)t_dump_regs;
	r->rsp = ((lm_u64)t_stack() & ~15ull) - 64;
	r->rflags = FLAGS_IF | 0x2 | 0x8c5; /* CF PF ZF SF OF */
	r->fs_base = 0x7000;
	r->gs_base = 0x8000;
}

TEST(thread_write_regs_sets_every_register_the_thread_sees)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r;
	struct lm_thread_info ti;
	const lm_u64 *w = (const lm_u64 *)&r;

	CHECK(t);
	fill_regs(&r);
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	for (lm_u32 i = 0; i < 15; i++)
		CHECK_EQ(t_dump[i], w[i]);
	CHECK_EQ(t_dump[15], r.rsp);
	CHECK_EQ(t_dump[16] & LM_RFLAGS_USER_MASK, r.rflags & LM_RFLAGS_USER_MASK);
	CHECK(t_dump[16] & FLAGS_IF);
}

TEST(thread_read_regs_returns_what_was_written)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs w, r;

	CHECK(t);
	fill_regs(&w);
	CHECK_OK(lm_thread_write_regs(t, &w));
	CHECK_OK(lm_thread_read_regs(t, &r));
	CHECK_EQ(r.rax, w.rax);
	CHECK_EQ(r.rcx, w.rcx);
	CHECK_EQ(r.r11, w.r11);
	CHECK_EQ(r.r15, w.r15);
	CHECK_EQ(r.rip, w.rip);
	CHECK_EQ(r.rsp, w.rsp);
	CHECK_EQ(r.fs_base, w.fs_base);
	CHECK_EQ(r.gs_base, w.gs_base);
	CHECK_EQ(r.rflags & LM_RFLAGS_USER_MASK, w.rflags & LM_RFLAGS_USER_MASK);
}

TEST(thread_write_regs_forces_interrupts_on_and_iopl_0)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs w, r;

	CHECK(t);
	fill_regs(&w);
	w.rflags = 0xffffffffull & ~0x100ull; /* everything but TF */
	CHECK_OK(lm_thread_write_regs(t, &w));
	CHECK_OK(lm_thread_read_regs(t, &r));
	CHECK(r.rflags & FLAGS_IF);
	CHECK_EQ(r.rflags & FLAGS_IOPL, 0);
	CHECK_EQ(r.rflags & ~(LM_RFLAGS_USER_MASK | LM_RFLAGS_AC | FLAGS_IF | 0x2ull), 0);
	w.rflags = 0;
	CHECK_OK(lm_thread_write_regs(t, &w));
	CHECK_OK(lm_thread_read_regs(t, &r));
	CHECK(r.rflags & FLAGS_IF);
}

TEST(thread_write_regs_non_canonical_addresses_return_ERANGE)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs w, bad, r;

	CHECK(t);
	fill_regs(&w);
	CHECK_OK(lm_thread_write_regs(t, &w));
	bad = w;
	bad.rip = T_NONCANON;
	CHECK_ERR(lm_thread_write_regs(t, &bad), LM_ERANGE);
	bad.rip = T_KERNEL_ADDR;
	CHECK_ERR(lm_thread_write_regs(t, &bad), LM_ERANGE);
	bad.rip = LM_USER_MIN - 1; /* the first page is never user memory */
	CHECK_ERR(lm_thread_write_regs(t, &bad), LM_ERANGE);
	bad.rip = 0;
	CHECK_ERR(lm_thread_write_regs(t, &bad), LM_ERANGE);
	bad = w;
	bad.rsp = 0xffffffff80001000ull;
	CHECK_ERR(lm_thread_write_regs(t, &bad), LM_ERANGE);
	bad = w;
	bad.fs_base = T_KERNEL_ADDR;
	CHECK_ERR(lm_thread_write_regs(t, &bad), LM_ERANGE);
	bad = w;
	bad.gs_base = T_NONCANON;
	CHECK_ERR(lm_thread_write_regs(t, &bad), LM_ERANGE);
	CHECK_OK(lm_thread_read_regs(t, &r));
	CHECK_EQ(r.rip, w.rip);
	CHECK_EQ(r.rsp, w.rsp);
	CHECK_EQ(r.fs_base, w.fs_base);
	CHECK_EQ(r.gs_base, w.gs_base);
	CHECK_EQ(r.rax, w.rax);
}

static const struct lm_regs ro_regs; /* in .rodata: mapped read-only */

TEST(thread_regs_bad_buffers_return_EFAULT)
{
	lm_cptr_t t = t_thread_new(), f = t_frame_at(T_VA, LM_R_READ | LM_R_WRITE);
	struct lm_regs *edge = (struct lm_regs *)(T_VA + LM_PAGE_SIZE - 80);

	CHECK(t && f);
	CHECK_ERR(lm_thread_read_regs(t, 0), LM_EFAULT);
	CHECK_ERR(lm_thread_read_regs(t, (struct lm_regs *)T_VA_PAGE(1)), LM_EFAULT);
	CHECK_ERR(lm_thread_read_regs(t, (struct lm_regs *)T_KERNEL_ADDR), LM_EFAULT);
	CHECK_ERR(lm_thread_read_regs(t, (struct lm_regs *)&ro_regs), LM_EFAULT);
	CHECK_ERR(lm_thread_read_regs(t, edge), LM_EFAULT); /* runs off the page */
	CHECK_ERR(lm_thread_write_regs(t, 0), LM_EFAULT);
	CHECK_ERR(lm_thread_write_regs(t, (struct lm_regs *)T_VA_PAGE(1)), LM_EFAULT);
	CHECK_ERR(lm_thread_write_regs(t, (struct lm_regs *)T_KERNEL_ADDR), LM_EFAULT);
	CHECK_ERR(lm_thread_write_regs(t, edge), LM_EFAULT);
	CHECK_OK(lm_thread_read_regs(t, (struct lm_regs *)T_VA));
}

TEST(thread_write_own_regs_returns_ESTATE)
{
	struct lm_regs r;

	CHECK_OK(lm_thread_read_regs(LM_SLOT_TCB, &r));
	CHECK_ERR(lm_thread_write_regs(LM_SLOT_TCB, &r), LM_ESTATE);
}

TEST(thread_calls_check_rights)
{
	lm_cptr_t t = t_thread_new(), ro, wo;
	struct lm_regs r;
	struct lm_thread_info ti;

	CHECK(t);
	ro = t_copy(t, LM_R_READ);
	wo = t_copy(t, LM_R_WRITE);
	CHECK(ro && wo);
	regs_for(&r, ret_arg, 0);
	CHECK_ERR(lm_thread_write_regs(ro, &r), LM_ERIGHTS);
	CHECK_ERR(lm_thread_configure(ro, CN, VS), LM_ERIGHTS);
	CHECK_ERR(lm_thread_set_priority(ro, 1), LM_ERIGHTS);
	CHECK_ERR(lm_thread_resume(ro), LM_ERIGHTS);
	CHECK_ERR(lm_thread_suspend(ro), LM_ERIGHTS);
	CHECK_ERR(lm_thread_set_fsbase(ro, 0x1000), LM_ERIGHTS);
	CHECK_ERR(lm_thread_read_regs(wo, &r), LM_ERIGHTS);
	CHECK_ERR(lm_thread_info(wo, &ti), LM_ERIGHTS);
	CHECK_OK(lm_thread_read_regs(ro, &r));
	CHECK_OK(lm_thread_info(ro, &ti));
	CHECK_EQ(ti.state, LM_TS_INACTIVE);
}

TEST(thread_calls_on_wrong_or_missing_caps_return_ETYPE_or_ECAP)
{
	lm_cptr_t f = t_new(LM_OBJ_FRAME, 12), e = t_slot();
	lm_cptr_t bad[2] = { f, e };
	int want[2] = { LM_ETYPE, LM_ECAP };
	struct lm_regs r = { 0 };
	struct lm_thread_info ti;

	CHECK(f && e);
	for (int i = 0; i < 2; i++) {
		CHECK_ERR(lm_thread_configure(bad[i], CN, VS), want[i]);
		CHECK_ERR(lm_thread_set_priority(bad[i], 1), want[i]);
		CHECK_ERR(lm_thread_read_regs(bad[i], &r), want[i]);
		CHECK_ERR(lm_thread_write_regs(bad[i], &r), want[i]);
		CHECK_ERR(lm_thread_resume(bad[i]), want[i]);
		CHECK_ERR(lm_thread_suspend(bad[i]), want[i]);
		CHECK_ERR(lm_thread_info(bad[i], &ti), want[i]);
		CHECK_ERR(lm_thread_set_fsbase(bad[i], 0x1000), want[i]);
	}
	CHECK_ERR(lm_thread_resume((lm_u64)1 << 40), LM_ECAP);
}

TEST(thread_configure_checks_its_arguments)
{
	lm_cptr_t t = t_new(LM_OBJ_TCB, 0), f = t_new(LM_OBJ_FRAME, 12), r;

	CHECK(t && f);
	CHECK_ERR(lm_thread_configure(t, f, VS), LM_ETYPE);
	CHECK_ERR(lm_thread_configure(t, CN, f), LM_ETYPE);
	CHECK_ERR(lm_thread_configure(t, VS, CN), LM_ETYPE);
	CHECK_ERR(lm_thread_configure(t, t_slot(), VS), LM_ECAP);
	CHECK_ERR(lm_thread_resume(t), LM_ESTATE); /* nothing was set */
	r = t_thread(count_forever, 0, T_PRIO);
	CHECK(r);
	CHECK_ERR(lm_thread_configure(r, CN, VS), LM_ESTATE); /* runnable */
	CHECK_OK(lm_thread_suspend(r));
	CHECK_OK(lm_thread_configure(r, CN, VS));
}

TEST(thread_suspend_stops_it_and_resume_continues)
{
	lm_cptr_t t;
	struct lm_thread_info ti;
	lm_u64 c;

	counter = 0;
	t = t_thread(count_forever, 0, T_PRIO);
	CHECK(t);
	for (lm_u32 i = 0; i < 1000 && counter == 0; i++)
		lm_thread_yield();
	CHECK(counter != 0);
	CHECK_OK(lm_thread_suspend(t));
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_INACTIVE);
	c = counter;
	t_yield(20);
	CHECK_EQ(counter, c);
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(lm_thread_resume(t)); /* resuming a runnable thread: no effect */
	for (lm_u32 i = 0; i < 1000 && counter == c; i++)
		lm_thread_yield();
	CHECK(counter != c);
}

TEST(thread_suspended_thread_regs_show_where_it_stopped)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r;
	lm_u64 sp;

	CHECK(t);
	regs_for(&r, (lm_thread_fn)(void *)t_spin_here, 0);
	sp = r.rsp;
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	CHECK_OK(lm_thread_resume(t));
	t_yield(3);
	CHECK_OK(lm_thread_suspend(t));
	CHECK_OK(lm_thread_read_regs(t, &r));
	CHECK_EQ(r.rip, (lm_u64)t_spin_here);
	CHECK_EQ(r.rsp, sp);
}

TEST(thread_exited_thread_runs_again_after_new_regs)
{
	lm_cptr_t t = t_thread(ret_arg, 1, T_PRIO);
	struct lm_thread_info ti;
	struct lm_regs r;

	CHECK(t);
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.exit_code, 1);
	regs_for(&r, ret_arg, 2);
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 2);
}

TEST(thread_faulted_thread_runs_again_after_new_regs)
{
	lm_cptr_t t = t_thread_new();
	struct lm_thread_info ti;
	struct lm_regs r;

	CHECK(t);
	regs_for(&r, (lm_thread_fn)0x1000, 0); /* nothing mapped at 0x1000 */
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_rip, 0x1000);
	regs_for(&r, ret_arg, 7);
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 7);
}

static lm_u64 tls_block[2] __attribute__((aligned(16))) = { 0x7115f00d, 0 };
static lm_u64 gs_block[2] __attribute__((aligned(16))) = { 0x65b10c, 0 };

TEST(thread_fs_base_is_visible_to_the_thread)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r;
	struct lm_thread_info ti;

	CHECK(t);
	regs_for(&r, read_fs0, 0);
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_set_fsbase(t, (lm_u64)tls_block));
	CHECK_OK(lm_thread_read_regs(t, &r));
	CHECK_EQ(r.fs_base, (lm_u64)tls_block);
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x7115f00d);
}

TEST(thread_fs_and_gs_base_set_through_write_regs)
{
	lm_cptr_t a = t_thread_new(), b = t_thread_new();
	struct lm_regs r;
	struct lm_thread_info ti;

	CHECK(a && b);
	regs_for(&r, read_fs0, 0);
	r.fs_base = (lm_u64)&tls_block[0];
	CHECK_OK(lm_thread_write_regs(a, &r));
	regs_for(&r, read_gs0, 0);
	r.gs_base = (lm_u64)&gs_block[0];
	CHECK_OK(lm_thread_write_regs(b, &r));
	CHECK_OK(lm_thread_set_priority(a, T_PRIO));
	CHECK_OK(lm_thread_set_priority(b, T_PRIO));
	CHECK_OK(lm_thread_resume(a));
	CHECK_OK(lm_thread_resume(b));
	CHECK_OK(t_wait(a, &ti));
	CHECK_EQ(ti.exit_code, 0x7115f00d);
	CHECK_OK(t_wait(b, &ti));
	CHECK_EQ(ti.exit_code, 0x65b10c);
}

static lm_u64 gs_self[2] __attribute__((aligned(16))) = { 0x65b5e1f, 0 };

static lm_word_t gs0_now(void)
{
	lm_word_t v;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(v));
	return v;
}

TEST(thread_set_gsbase_on_itself_takes_effect_at_once)
{
	CHECK_OK(lm_thread_set_gsbase(LM_SLOT_TCB, (lm_u64)gs_self));
	CHECK_EQ(gs0_now(), 0x65b5e1f);
	lm_thread_yield(); /* kept across a switch */
	CHECK_EQ(gs0_now(), 0x65b5e1f);
	CHECK_OK(lm_thread_set_gsbase(LM_SLOT_TCB, 0));
}

TEST(thread_set_gsbase_bad_which_or_address_returns_ERANGE)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r;

	CHECK(t);
	CHECK_OK(lm_thread_set_gsbase(t, 0x4000));
	CHECK_ERR(lm_thread_set_gsbase(t, T_KERNEL_ADDR), LM_ERANGE);
	CHECK_ERR(lm_sys(LM_SYS_THREAD_SET_FSBASE, t, 0x5000, 2, 0, 0, 0, 0), LM_ERANGE);
	CHECK_ERR(lm_thread_set_gsbase(LM_SLOT_CNODE, 0x4000), LM_ETYPE);
	CHECK_OK(lm_thread_read_regs(t, &r));
	CHECK_EQ(r.gs_base, 0x4000);
	CHECK_EQ(r.fs_base, 0);
}

TEST(thread_set_fsbase_non_canonical_returns_ERANGE)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r;

	CHECK(t);
	CHECK_OK(lm_thread_set_fsbase(t, 0x4000));
	CHECK_ERR(lm_thread_set_fsbase(t, T_KERNEL_ADDR), LM_ERANGE);
	CHECK_ERR(lm_thread_set_fsbase(t, T_NONCANON), LM_ERANGE);
	CHECK_ERR(lm_thread_set_fsbase(t, ~0ull), LM_ERANGE);
	CHECK_OK(lm_thread_read_regs(t, &r));
	CHECK_EQ(r.fs_base, 0x4000);
}

TEST(thread_info_bad_buffers_return_EFAULT)
{
	static const struct lm_thread_info ro_info;

	CHECK_ERR(lm_thread_info(LM_SLOT_TCB, 0), LM_EFAULT);
	CHECK_ERR(lm_thread_info(LM_SLOT_TCB, (struct lm_thread_info *)T_VA), LM_EFAULT);
	CHECK_ERR(lm_thread_info(LM_SLOT_TCB, (struct lm_thread_info *)T_KERNEL_ADDR), LM_EFAULT);
	CHECK_ERR(lm_thread_info(LM_SLOT_TCB, (struct lm_thread_info *)&ro_info), LM_EFAULT);
}

TEST(thread_info_reports_own_state_and_priority)
{
	struct lm_thread_info ti;

	CHECK_OK(lm_thread_info(LM_SLOT_TCB, &ti));
	CHECK_EQ(ti.state, LM_TS_RUNNABLE);
	CHECK_EQ(ti.priority, T_PRIO);
}

TEST(thread_deleting_last_tcb_cap_stops_the_thread)
{
	lm_cptr_t t;
	lm_u64 c;

	counter = 0;
	t = t_thread(count_forever, 0, T_PRIO);
	CHECK(t);
	for (lm_u32 i = 0; i < 1000 && counter == 0; i++)
		lm_thread_yield();
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, t));
	c = counter;
	t_yield(20);
	CHECK_EQ(counter, c);
}

/* A thread whose own call deletes its last TCB capability: the call never
 * returns, and the kernel's exit stores the caller's callee-saved
 * registers into the dead TCB (entry.S, DESIGN.md "Kernel entry and
 * exit"). What must hold: the call does not come back, nothing crashes,
 * the memory is free for a retype at once, and what is made there next
 * starts clean (a TCB with exactly the registers written, a frame of
 * zeroes). rdi, rsi, rdx and rax are the call; the six callee-saved
 * registers carry a pattern that must not survive. */
__asm__(".text\n"
	".globl t_call_and_die\n"
	"t_call_and_die:\n"
	"	syscall\n"
	"	ud2\n");
extern char t_call_and_die[];

static void dying_call_regs(struct lm_regs *r, lm_u64 nr, lm_u64 a1, lm_u64 a2)
{
	memset(r, 0, sizeof(*r));
	r->rax = nr;
	r->rdi = a1;
	r->rsi = a2;
	r->rbx = 0x5b5b5b5b5b5b5b5bull;
	r->rbp = 0x5e5e5e5e5e5e5e5eull;
	r->r12 = 0xc12c12c12c12c12cull;
	r->r13 = 0xc13c13c13c13c13cull;
	r->r14 = 0xc14c14c14c14c14cull;
	r->r15 = 0xc15c15c15c15c15cull;
	r->rip = (lm_u64)t_call_and_die;
	r->rsp = ((lm_u64)t_stack() & ~15ull) - 64;
	r->rflags = FLAGS_IF | 0x2;
}

TEST(thread_whose_call_deletes_its_own_tcb_leaves_the_memory_clean_for_reuse)
{
	/* how 0: CNODE_DELETE of its own slot; 1: CNODE_REVOKE of the untyped
	 * its TCB was made from (deleted as a descendant, mid-revoke). */
	for (int how = 0; how < 2; how++) {
		lm_cptr_t u = t_new(LM_OBJ_UNTYPED, 12), s = t_slot(), f = t_slot();
		struct lm_regs r;
		struct lm_thread_info ti;
		const lm_u64 *w = (const lm_u64 *)&r;

		CHECK(u && s && f);
		CHECK_OK(lm_untyped_retype(u, LM_OBJ_TCB, 0, CN, s, 1));
		CHECK_OK(lm_thread_configure(s, CN, VS));
		if (how == 0)
			dying_call_regs(&r, LM_SYS_CNODE_DELETE, CN, s);
		else
			dying_call_regs(&r, LM_SYS_CNODE_REVOKE, CN, u);
		CHECK_OK(lm_thread_write_regs(s, &r));
		CHECK_OK(lm_thread_set_priority(s, T_PRIO));
		CHECK_OK(lm_thread_resume(s));
		/* Equal priority: it runs when we yield; its slot empties when
		 * its call has run (a fault at ud2 would leave it full). */
		for (lm_u32 i = 0; i < 1000 && t_type(s) == LM_OBJ_TCB; i++)
			lm_thread_yield();
		CHECK_EQ(t_type(s), LM_OBJ_NULL);
		CHECK_EQ(t_ut_free(u), 1ull << 12);

		/* A TCB in the same memory starts with the registers written. */
		CHECK_OK(lm_untyped_retype(u, LM_OBJ_TCB, 0, CN, s, 1));
		CHECK_OK(lm_thread_configure(s, CN, VS));
		fill_regs(&r);
		CHECK_OK(lm_thread_write_regs(s, &r));
		CHECK_OK(lm_thread_set_priority(s, T_PRIO));
		CHECK_OK(lm_thread_resume(s));
		CHECK_OK(t_wait(s, &ti));
		CHECK_EQ(ti.state, LM_TS_EXITED);
		for (lm_u32 i = 0; i < 15; i++)
			CHECK_EQ(t_dump[i], w[i]);
		CHECK_OK(lm_cnode_delete(CN, s));

		/* A frame over the whole of it reads as zeroes. */
		CHECK_OK(lm_untyped_retype(u, LM_OBJ_FRAME, 12, CN, f, 1));
		CHECK_OK(t_map(f, T_VA_PAGE(40), LM_R_READ));
		const volatile lm_u64 *p = (const volatile lm_u64 *)T_VA_PAGE(40);
		lm_u32 nonzero = 0;
		for (lm_u32 i = 0; i < 4096 / 8; i++)
			nonzero += p[i] != 0;
		CHECK_EQ(nonzero, 0);
		CHECK_OK(lm_vspace_unmap(f));
		CHECK_OK(lm_cnode_delete(CN, f));
		CHECK_OK(lm_cnode_delete(CN, u));
	}
}

TEST(thread_keeps_its_own_copies_of_its_spaces)
{
	lm_cptr_t t = t_new(LM_OBJ_TCB, 0), cn = t_copy(CN, LM_R_ALL), vs = t_copy(VS, LM_R_ALL);
	struct lm_thread_info ti;

	CHECK(t && cn && vs);
	CHECK_OK(lm_thread_configure(t, cn, vs));
	CHECK_OK(lm_cnode_delete(CN, cn)); /* deleting ours does not affect it */
	CHECK_OK(lm_cnode_delete(CN, vs));
	CHECK_OK(lm_thread_start(t, identify_own_cnode, 0, t_stack(), T_PRIO));
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, LM_OBJ_CNODE);
}

TEST(thread_revoking_its_cspace_cap_takes_the_cspace_away)
{
	lm_cptr_t t = t_new(LM_OBJ_TCB, 0), mid = t_copy(CN, LM_R_ALL), cn;
	struct lm_thread_info ti;

	CHECK(t && mid);
	cn = t_copy(mid, LM_R_ALL);
	CHECK(cn);
	CHECK_OK(lm_thread_configure(t, cn, VS));
	CHECK_OK(lm_thread_start(t, identify_until_error, 0, t_stack(), T_PRIO));
	t_yield(3);
	CHECK_OK(lm_thread_info(t, &ti));
	CHECK_EQ(ti.state, LM_TS_RUNNABLE); /* still finding its CNode */
	CHECK_OK(lm_cnode_revoke(CN, mid)); /* its copy descends from mid */
	CHECK_OK(t_wait(t, &ti));
	CHECK(ti.state != LM_TS_RUNNABLE);
	if (ti.state == LM_TS_EXITED)
		CHECK_EQ(ti.exit_code, LM_ECAP);
}

TEST(thread_yield_returns_ok)
{
	CHECK_OK(lm_thread_yield());
}
