/* In-process exception upcalls: the kernel saves the registers on the
 * thread's exception stack and runs the library OS's handler in the same
 * address space; the handler resumes with no system call. */
#include "harness.h"

/* Fault sites; *_after is where a handler that skips the fault resumes. */
__asm__(".text\n"
	".globl u_ud, u_ud_after, u_de, u_de_at, u_de_after, u_bp, u_bp_after\n"
	".globl u_st, u_st_after, u_regs\n"
	"u_ud: ud2\n"
	"u_ud_after: ret\n"
	"u_de: xor %ecx, %ecx\n"
	"	mov $1, %eax\n"
	"	xor %edx, %edx\n"
	"u_de_at: div %ecx\n"
	"u_de_after: ret\n"
	"u_bp: int3\n"
	"u_bp_after: ret\n"
	"u_st: movq $0x42, (%rdi)\n"
	"u_st_after: ret\n"
	".globl u_gp, u_gp_after, u_ac, u_ac_at, u_ac_after, u_mf, u_mf_at, u_mf_after\n"
	"u_gp: hlt\n"                 /* privileged: #GP(0) at CPL 3 */
	"u_gp_after: ret\n"
	"u_ac: pushfq\n"
	"	orq $0x40000, (%rsp)\n"   /* RFLAGS.AC */
	"	popfq\n"
	"u_ac_at: movl 1(%rdi), %eax\n" /* unaligned: #AC(0) */
	"u_ac_after: pushfq\n"
	"	andq $~0x40000, (%rsp)\n"
	"	popfq\n"
	"	ret\n"
	"u_mf: sub $8, %rsp\n"
	"	fninit\n"
	"	movw $0x37b, (%rsp)\n"    /* unmask divide by zero */
	"	fldcw (%rsp)\n"
	"	fld1\n"
	"	fldz\n"
	"	fdivrp\n"                  /* 1/0: pending */
	"u_mf_at: fwait\n"              /* reported here: #MF */
	"u_mf_after: fninit\n"
	"	add $8, %rsp\n"
	"	ret\n"
	/* Callee-saved registers survive a fault and its handler. */
	"u_regs: push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	mov $0x1111, %rbx\n mov $0x2222, %rbp\n mov $0x3333, %r12\n"
	"	mov $0x4444, %r13\n mov $0x5555, %r14\n mov $0x6666, %r15\n"
	"	ud2\n"
	"	xor %eax, %eax\n"
	"	cmp $0x1111, %rbx\n setne %al\n cmp $0x2222, %rbp\n setne %cl\n or %cl, %al\n"
	"	cmp $0x3333, %r12\n setne %cl\n or %cl, %al\n cmp $0x4444, %r13\n setne %cl\n or %cl, %al\n"
	"	cmp $0x5555, %r14\n setne %cl\n or %cl, %al\n cmp $0x6666, %r15\n setne %cl\n or %cl, %al\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n");
/* A raw handler entry that counts the registers it finds live that differ
 * from the frame (all but rcx, r11, rdi and rsp must match), then skips the
 * ud2 and resumes; and a fault site with every register distinct. */
__asm__(".text\n"
	".globl u_chk_entry, u_all_regs\n"
	"u_chk_entry: xor %ecx, %ecx\n"
	"	cmp %rax, 32+0*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	cmp %rbx, 32+1*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	cmp %rdx, 32+3*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	cmp %rsi, 32+4*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	cmp %rbp, 32+6*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	cmp %r8, 32+7*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	cmp %r9, 32+8*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	cmp %r10, 32+9*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	cmp %r12, 32+11*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	cmp %r13, 32+12*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	cmp %r14, 32+13*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	cmp %r15, 32+14*8(%rdi)\n setne %cl\n add %rcx, u_chk_bad(%rip)\n"
	"	incq u_chk_calls(%rip)\n"
	"	addq $2, 32+15*8(%rdi)\n"    /* past the ud2 */
	"	jmp lm_exc_resume\n"
	"u_all_regs: push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	mov $0xa1, %eax\n mov $0xa2, %ebx\n mov $0xa3, %edx\n mov $0xa4, %esi\n"
	"	mov $0xa5, %ebp\n mov $0xa6, %r8d\n mov $0xa7, %r9d\n mov $0xa8, %r10d\n"
	"	mov $0xa9, %r12d\n mov $0xaa, %r13d\n mov $0xab, %r14d\n mov $0xac, %r15d\n"
	"	ud2\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n");
lm_u64 u_chk_bad, u_chk_calls;
extern char u_chk_entry[];
void u_call_all_regs(void) __asm__("u_all_regs");

extern char u_gp[], u_gp_after[], u_ac_at[], u_ac_after[], u_mf_at[], u_mf_after[];
void u_call_gp(void) __asm__("u_gp");
void u_call_ac(lm_u64 addr) __asm__("u_ac");
void u_call_mf(void) __asm__("u_mf");
extern char u_ud[], u_ud_after[], u_de[], u_de_at[], u_de_after[], u_bp[], u_bp_after[],
	u_st[], u_st_after[];
void u_call_ud(void) __asm__("u_ud");
void u_call_de(void) __asm__("u_de");
void u_call_bp(void) __asm__("u_bp");
void u_call_st(lm_u64 addr) __asm__("u_st");
int u_call_regs(void) __asm__("u_regs");

#define NREC 8
static struct { lm_u64 vector, rip, addr, error, frame, rsp; } rec[NREC];
static int nrec, nest, forever, calls;
static lm_u8 exc_stack[16384] __attribute__((aligned(16)));

/* Skip a known fault site; #BP already points past its int3. */
static void handler(struct lm_exc_frame *f)
{
	calls++;
	if (nrec < NREC)
		rec[nrec++] = (typeof(rec[0])){ f->vector, f->regs.rip, f->addr, f->error,
						(lm_u64)f, f->regs.rsp };
	if (forever)
		u_call_ud(); /* never returns: nests until the stack is full */
	if (nest && nrec == 1)
		u_call_ud(); /* a fault inside the handler */
	if (f->regs.rip == (lm_u64)u_ud || (f->vector == LM_FAULT_UD && f->regs.rip != (lm_u64)u_de_at))
		f->regs.rip += 2; /* ud2 */
	else if (f->regs.rip == (lm_u64)u_de_at)
		f->regs.rip = (lm_u64)u_de_after;
	else if (f->regs.rip == (lm_u64)u_st)
		f->regs.rip = (lm_u64)u_st_after;
	else if (f->regs.rip == (lm_u64)u_gp)
		f->regs.rip = (lm_u64)u_gp_after;
	else if (f->regs.rip == (lm_u64)u_ac_at)
		f->regs.rip = (lm_u64)u_ac_after;
	else if (f->regs.rip == (lm_u64)u_mf_at || f->regs.rip == (lm_u64)u_mf_after)
		f->regs.rip = (lm_u64)u_mf_after + 2; /* past fwait, and the fninit */
}

static int install(void)
{
	nrec = nest = forever = 0;
	return lm_exc_install(LM_SLOT_TCB, handler, exc_stack + sizeof exc_stack, sizeof exc_stack);
}

static void uninstall(void)
{
	lm_exc_install(LM_SLOT_TCB, 0, 0, 0);
}

TEST(upcall_invalid_opcode_runs_handler_and_resumes)
{
	CHECK_OK(install());
	u_call_ud();
	uninstall();
	CHECK_EQ(nrec, 1);
	CHECK_EQ(rec[0].vector, LM_FAULT_UD);
	CHECK_EQ(rec[0].rip, (lm_u64)u_ud);
	/* the frame is on the exception stack, 16-byte aligned */
	CHECK(rec[0].frame >= (lm_u64)exc_stack && rec[0].frame < (lm_u64)exc_stack + sizeof exc_stack);
	CHECK_EQ(rec[0].frame & 15, 0);
}

TEST(upcall_divide_error_and_breakpoint_reach_the_handler)
{
	CHECK_OK(install());
	u_call_de();
	u_call_bp();
	uninstall();
	CHECK_EQ(nrec, 2);
	CHECK_EQ(rec[0].vector, LM_FAULT_DE);
	CHECK_EQ(rec[0].rip, (lm_u64)u_de_at);
	CHECK_EQ(rec[1].vector, LM_FAULT_BP);
	CHECK_EQ(rec[1].rip, (lm_u64)u_bp_after); /* a trap: rip is past int3 */
}

TEST(upcall_general_protection_and_alignment_check_reach_the_handler)
{
	static lm_u64 words[2];

	CHECK_OK(install());
	u_call_gp();
	u_call_ac((lm_u64)words);
	uninstall();
	CHECK(nrec >= 1);
	CHECK_EQ(rec[0].vector, LM_FAULT_GP);
	CHECK_EQ(rec[0].rip, (lm_u64)u_gp);
	if (nrec == 1) {
		/* CR0.AM and RFLAGS.AC are set; QEMU's TCG does not check
		 * alignment at all, hardware does. */
		t_note("this CPU raised no #AC for an unaligned access with AC set (QEMU TCG)");
		return;
	}
	CHECK_EQ(nrec, 2);
	CHECK_EQ(rec[1].vector, LM_FAULT_AC);
	CHECK_EQ(rec[1].rip, (lm_u64)u_ac_at);
}

TEST(upcall_x87_error_reaches_the_handler)
{
	CHECK_OK(install());
	u_call_mf();
	uninstall();
	if (nrec == 0) {
		t_note("this CPU raised no #MF for an unmasked x87 error (QEMU TCG): nothing to check");
		return;
	}
	CHECK_EQ(nrec, 1);
	CHECK_EQ(rec[0].vector, LM_FAULT_MF);
}

TEST(upcall_page_fault_gives_address_and_error_code)
{
	lm_cptr_t f = t_frame_at(T_VA_PAGE(3), LM_R_READ);

	CHECK(f);
	CHECK_OK(install());
	u_call_st(T_VA_PAGE(3) + 8);
	uninstall();
	CHECK_EQ(nrec, 1);
	CHECK_EQ(rec[0].vector, LM_FAULT_PF);
	CHECK_EQ(rec[0].addr, T_VA_PAGE(3) + 8);
	CHECK_EQ(rec[0].error & 7, 7); /* present, write, user */
	CHECK_EQ(*(volatile lm_u64 *)(T_VA_PAGE(3) + 8), 0); /* the store was skipped */
}

TEST(upcall_resume_restores_every_register)
{
	CHECK_OK(install());
	int bad = u_call_regs();
	uninstall();
	CHECK_EQ(nrec, 1);
	CHECK_EQ(bad, 0);
}

/* The handler starts with the registers of the frame still live (the
 * kernel's fast path uses some as scratch and must put them back). */
TEST(upcall_handler_starts_with_the_interrupted_registers)
{
	u_chk_bad = u_chk_calls = 0;
	CHECK_OK(lm_thread_set_exception(LM_SLOT_TCB, (lm_u64)u_chk_entry,
					 (lm_u64)exc_stack + sizeof exc_stack, sizeof exc_stack));
	u_call_all_regs();
	uninstall();
	CHECK_EQ(u_chk_calls, 1);
	CHECK_EQ(u_chk_bad, 0);
}

TEST(upcall_fault_in_the_handler_nests_below_its_frame)
{
	CHECK_OK(install());
	nest = 1;
	u_call_ud();
	uninstall();
	CHECK_EQ(nrec, 2);
	CHECK_EQ(rec[1].vector, LM_FAULT_UD);
	CHECK(rec[1].frame < rec[0].frame);      /* below the first frame */
	CHECK(rec[1].rsp < rec[0].frame);        /* taken while on the exception stack */
	CHECK(rec[1].frame >= (lm_u64)exc_stack);
}

/* A thread with a handler but a bad exception stack stops, with the
 * reason, and nothing else is harmed. */
static lm_word_t run_ud(lm_word_t arg)
{
	u_call_ud();
	return 0;
}

static lm_word_t run_st(lm_word_t arg)
{
	u_call_st(arg);
	return 0;
}

/* A thread that starts at fn(arg) with rsp (or a fresh stack) and this
 * exception stack must stop with LM_FAULT_EXC_STACK, the vector it was
 * delivering in fault_error and the frame's place in fault_addr. */
static void bad_stack_run(lm_u64 top, lm_u64 size, int recurse, lm_u64 want_error,
			  lm_thread_fn fn, lm_word_t arg, lm_u64 rsp)
{
	lm_cptr_t t = t_thread_new();
	struct lm_regs r;
	struct lm_thread_info ti;

	CHECK(t);
	lm_exc_handler = handler;
	forever = recurse;
	calls = 0;
	CHECK_OK(lm_thread_set_exception(t, (lm_u64)lm_exc_entry, top, size));
	lm_thread_regs(&r, fn, arg, t_stack());
	if (rsp)
		r.rsp = rsp;
	CHECK_OK(lm_thread_write_regs(t, &r));
	CHECK_OK(lm_thread_set_priority(t, T_PRIO));
	CHECK_OK(lm_thread_resume(t));
	CHECK_OK(t_wait(t, &ti));
	forever = 0;
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_EXC_STACK);
	CHECK_EQ(ti.fault_error, want_error);
	if (!rsp && !recurse) /* where the frame would have gone */
		CHECK(ti.fault_addr >= top - size && ti.fault_addr < top);
}

static void bad_stack(lm_u64 top, lm_u64 size, int recurse, lm_u64 want_error)
{
	bad_stack_run(top, size, recurse, want_error, run_ud, 0, 0);
}

TEST(upcall_unmapped_exception_stack_stops_only_that_thread)
{
	bad_stack(T_VA_FRESH(2) + 0x10000, 0x4000, 0, LM_FAULT_UD);
}

TEST(upcall_read_only_exception_stack_stops_only_that_thread)
{
	CHECK(t_frame_at(T_VA_PAGE(5), LM_R_READ));
	bad_stack(T_VA_PAGE(6), 4096, 0, LM_FAULT_UD);
}

TEST(upcall_overflowing_exception_stack_stops_only_that_thread)
{
	/* the handler faults again and again: frames nest until it is full */
	bad_stack((lm_u64)exc_stack + sizeof exc_stack, sizeof exc_stack, 1, LM_FAULT_UD);
	CHECK(calls > 10); /* many nested frames before it was full */
}

/* The kernel writes the frame by its user address (entry.S's fast path):
 * a frame that straddles two pages is written whole across them... */
TEST(upcall_frame_straddling_two_pages_is_delivered_whole)
{
	CHECK(t_frame_at(T_VA_PAGE(10), LM_R_READ | LM_R_WRITE));
	CHECK(t_frame_at(T_VA_PAGE(11), LM_R_READ | LM_R_WRITE));
	nrec = nest = forever = 0;
	CHECK_OK(lm_exc_install(LM_SLOT_TCB, handler, (void *)(T_VA_PAGE(11) + 96), 4096 + 96));
	u_call_ud();
	int bad = u_call_regs();
	uninstall();
	CHECK_EQ(nrec, 2);
	CHECK_EQ(rec[0].frame, T_VA_PAGE(11) + 96 - sizeof(struct lm_exc_frame));
	CHECK_EQ(rec[0].vector, LM_FAULT_UD);
	CHECK_EQ(rec[0].rip, (lm_u64)u_ud);
	CHECK_EQ(bad, 0);
}

/* ...and one whose upper page is missing, or whose lower page is
 * read-only, faults part way: the thread stops, the kernel does not. */
TEST(upcall_frame_straddling_into_an_unmapped_page_stops_only_that_thread)
{
	CHECK(t_frame_at(T_VA_PAGE(10), LM_R_READ | LM_R_WRITE));
	bad_stack(T_VA_PAGE(11) + 96, 4096 + 96, 0, LM_FAULT_UD);
}

TEST(upcall_frame_straddling_from_a_read_only_page_stops_only_that_thread)
{
	CHECK(t_frame_at(T_VA_PAGE(10), LM_R_READ));
	CHECK(t_frame_at(T_VA_PAGE(11), LM_R_READ | LM_R_WRITE));
	bad_stack(T_VA_PAGE(11) + 96, 4096 + 96, 0, LM_FAULT_UD);
}

/* A page fault whose frame cannot be written reports the page fault's
 * vector (the kernel's own fault on the stack does not replace it). */
TEST(upcall_page_fault_with_unmapped_exception_stack_reports_the_page_fault)
{
	bad_stack_run(T_VA_FRESH(2) + 0x10000, 0x4000, 0, 14 /* #PF */, run_st, T_VA_FRESH(3), 0);
}

/* An rsp just above 0 counts as nested on a stack that starts at
 * LM_USER_MIN: the frame below it would wrap to the top of the address
 * range, and the thread stops instead. */
TEST(upcall_nested_frame_below_address_zero_stops_only_that_thread)
{
	CHECK(t_frame_at(LM_USER_MIN, LM_R_READ | LM_R_WRITE));
	bad_stack_run(LM_USER_MIN + 4096, 4096, 0, LM_FAULT_UD, (lm_thread_fn)(void *)u_ud, 0, 64);
}

TEST(upcall_set_exception_bad_arguments_return_errors)
{
	lm_u64 top = (lm_u64)exc_stack + sizeof exc_stack, e = (lm_u64)lm_exc_entry;
	lm_cptr_t ro = t_copy(LM_SLOT_TCB, LM_R_READ);

	CHECK(ro);
	CHECK_ERR(lm_thread_set_exception(LM_SLOT_TCB, T_KERNEL_ADDR, top, 4096), LM_ERANGE);
	CHECK_ERR(lm_thread_set_exception(LM_SLOT_TCB, e, top + 8, 4096), LM_EALIGN);
	CHECK_ERR(lm_thread_set_exception(LM_SLOT_TCB, e, top, 64), LM_ERANGE); /* too small */
	CHECK_ERR(lm_thread_set_exception(LM_SLOT_TCB, e, T_KERNEL_ADDR, 4096), LM_ERANGE);
	CHECK_ERR(lm_thread_set_exception(LM_SLOT_TCB, e, T_NONCANON, 4096), LM_ERANGE);
	CHECK_ERR(lm_thread_set_exception(LM_SLOT_TCB, e, T_NONCANON + 4096, 8192), LM_ERANGE);
	CHECK_ERR(lm_thread_set_exception(LM_SLOT_TCB, e, LM_USER_MAX + 16, 4096), LM_ERANGE);
	CHECK_ERR(lm_thread_set_exception(LM_SLOT_TCB, e, LM_USER_MIN + 256, 512), LM_ERANGE);
	CHECK_ERR(lm_thread_set_exception(LM_SLOT_TCB, T_NONCANON, top, 4096), LM_ERANGE);
	CHECK_ERR(lm_thread_set_exception(LM_SLOT_VSPACE, e, top, 4096), LM_ETYPE);
	CHECK_ERR(lm_thread_set_exception(ro, e, top, 4096), LM_ERIGHTS);
	CHECK_ERR(lm_thread_set_exception(t_slot(), e, top, 4096), LM_ECAP);
	/* and without a handler a fault still just stops the thread */
	struct lm_thread_info ti;
	lm_cptr_t t = t_thread(run_ud, 0, T_PRIO);
	CHECK(t);
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_UD);
}
