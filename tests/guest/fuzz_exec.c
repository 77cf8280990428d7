/*
 * Running the deep fuzzer's programs. The controller (ktest's test thread)
 * empties the sandbox, refills its CNode's first slots, and starts the
 * executors: threads in ktest's address space whose capability space is
 * the sandbox CNode, so every capability they can name was made inside the
 * sandbox. Executors take the program's calls in order, whichever is free
 * (as syzkaller's executor does): when one blocks in IPC, the next takes
 * the following call, which may be the one that wakes it. When all are
 * blocked the controller cancels one wait (suspend + resume: LM_EINTR).
 *
 * Threads made in the sandbox run code copied into a sandbox frame: the
 * snippets below (flags, segment selectors, odd stacks, then a fault or a
 * system call) and an exception handler that checks the frame the kernel
 * wrote: every general register in it must equal the register the handler
 * finds live (the kernel enters the handler with them untouched, rcx, r11,
 * rdi and rsp apart). A frame written backwards, half or out of place
 * fails that and is counted in the verdict page; a whole frame of another
 * thread that shares the exception stack is told apart (fz_fill_regs
 * gives each register set its own rbp, and r15 = rbp + 0x1111).
 */
#include "fuzz.h"

LM_STATIC_ASSERT(LM_SYS_THREAD_EXIT == 0x1015, "fz_handler exits by number");
LM_STATIC_ASSERT(LM_SYS_EP_RECV == 0x101c && LM_SYS_EP_CALL == 0x101d &&
		 LM_SYS_EP_REPLY_RECV == 0x101f, "fz_handler knows the receiving calls");
LM_STATIC_ASSERT(FZ_FS_BASE == 8, "fz_handler's FS base bit");
LM_STATIC_ASSERT(FZ_CODE_VA == 0x500000000000 && FZ_VERDICT_VA == 0x5000007ff000,
		 "fz_handler's addresses");

/* Position-independent: copied into the code frame, FZ_CODE_VA. rbx holds
 * the flags to load, r12 an address, r13 a selector, r14 a call number;
 * rbp tells the register set apart and says what FS base it was given
 * (bits 3-5) and whether its code may load a segment register (bit 0). */
__asm__(".text\n"
	".globl fz_code_start, fz_code_end, fz_snip\n"
	"fz_code_start:\n"
	/* the handler, at offset 0: rdi = rsp = the frame. r11 collects
	 * what is wrong: bits 0-12 the frame, 13 the message, 14 FS. */
	"	xor %r11d, %r11d\n"
#define FZ_CMP(reg, off, bit) \
	"	cmp %" reg ", " #off "(%rdi)\n	je 1f\n	or $" #bit ", %r11d\n1:\n"
	FZ_CMP("rax", 32, 1) FZ_CMP("rbx", 40, 2) FZ_CMP("rdx", 56, 4) FZ_CMP("rsi", 64, 8)
	FZ_CMP("rbp", 80, 16) FZ_CMP("r8", 88, 32) FZ_CMP("r9", 96, 64) FZ_CMP("r10", 104, 128)
	FZ_CMP("r12", 120, 256) FZ_CMP("r13", 128, 512) FZ_CMP("r14", 136, 1024)
	FZ_CMP("r15", 144, 2048)
#undef FZ_CMP
	"	testq $0x200, 168(%rdi)\n	jnz 1f\n	or $4096, %r11d\n1:\n"
	/* A message a receiving call of fz_s6 or fz_s12 returned (r13 is
	 * their mark, set after the call) is at most LM_MSG_MAX_WORDS long.
	 * Live registers only: the frame may not be ours to trust. */
	"	cmp $0x5ca11, %r13\n	jne 6f\n"
	"	test %rax, %rax\n	jnz 6f\n"
	"	cmp $0x101c, %r14\n	je 7f\n"
	"	cmp $0x101d, %r14\n	je 7f\n"
	"	cmp $0x101f, %r14\n	jne 6f\n"
	"7:	test $0x2000, %esi\n	jnz 6f\n"
	"	mov %esi, %ecx\n	and $0x7f, %ecx\n	cmp $64, %ecx\n	jbe 6f\n"
	"	or $8192, %r11d\n"
	/* The FS base is the one the register set was given (rbp bit 3),
	 * unless its code may have loaded FS itself (rbp bit 0), or the base
	 * the kernel keeps is not a small one (set some other way): read
	 * through FS and straight, both in the code page. */
	"6:	test $1, %bpl\n	jnz 8f\n"
	"	cmpq $64, 176(%rdi)\n	jae 8f\n"
	"	mov %rbp, %rcx\n	and $8, %ecx\n"
	"	movabs $0x500000000000, %rdx\n"
	"	mov %fs:(%rdx), %rax\n"
	"	cmp (%rdx,%rcx), %rax\n	je 8f\n"
	"	or $16384, %r11d\n"
	"8:	movabs $0x5000007ff000, %rax\n"           /* FZ_VERDICT_VA */
	"	mov 0(%rdi), %rdx\n"
	"	and $31, %edx\n"
	"	lock incq 64(%rax,%rdx,8)\n"
	"	test $8192, %r11d\n	jz 1f\n	lock incq 32(%rax)\n1:\n"
	"	test $16384, %r11d\n	jz 1f\n	lock incq 40(%rax)\n1:\n"
	"	test $4095+4096, %r11d\n"
	"	jnz 2f\n"
	"	lock incq 0(%rax)\n"
	"	jmp 3f\n"
	"2:	lock incq 8(%rax)\n"
	"	mov %rdi, 16(%rax)\n"
	"	mov %r11, 24(%rax)\n"
	/* poison what was checked, so a stale frame never passes */
	"3:	mov $32, %ecx\n"
	"4:	notq (%rdi,%rcx)\n"
	"	add $8, %ecx\n"
	"	cmp $176, %ecx\n"
	"	jb 4b\n"
	"	mov $0x1015, %eax\n"
	"	mov $0x600d, %edi\n"
	"	syscall\n"
	"	ud2\n"
	/* the snippets: fz_snip[i] is the offset of the i-th */
	"fz_s0:	push %rbx\n	popfq\n	ud2\n"
	"fz_s1:	push %rbx\n	popfq\n	int3\n	ud2\n"
	"fz_s2:	push %rbx\n	popfq\n	xor %ecx, %ecx\n	div %ecx\n	ud2\n"
	"fz_s3:	push %rbx\n	popfq\n	mov %rax, (%r12)\n	ud2\n"
	"fz_s4:	push %rbx\n	popfq\n	mov (%r12), %rax\n	ud2\n"
	"fz_s5:	push %rbx\n	popfq\n	mov %r13w, %ds\n	mov %r13w, %es\n"
	"	mov %r13w, %fs\n	mov %r13w, %gs\n	mov %r14, %rax\n	syscall\n	ud2\n"
	"fz_s6:	push %rbx\n	popfq\n	mov %r14, %rax\n	syscall\n	mov $0x5ca11, %r13d\n	ud2\n"
	"fz_s7:	std\n	ud2\n"
	"fz_s8:	std\n	mov %rax, (%r12)\n	ud2\n"
	"fz_s9:	push %rbx\n	popfq\n	jmp *%r12\n"
	"fz_s10: mov %r13w, %ss\n	ud2\n"
	"fz_s11: push %rbx\n	popfq\n	nop\n	nop\n	ud2\n"
	"fz_s12: std\n	mov %r14, %rax\n	syscall\n	mov $0x5ca11, %r13d\n	ud2\n"
	"fz_s13: hlt\n"
	"fz_code_end:\n"
	".section .rodata\n"
	".balign 8\n"
	"fz_snip: .quad fz_s0 - fz_code_start, fz_s1 - fz_code_start, fz_s2 - fz_code_start\n"
	"	.quad fz_s3 - fz_code_start, fz_s4 - fz_code_start, fz_s5 - fz_code_start\n"
	"	.quad fz_s6 - fz_code_start, fz_s7 - fz_code_start, fz_s8 - fz_code_start\n"
	"	.quad fz_s9 - fz_code_start, fz_s10 - fz_code_start, fz_s11 - fz_code_start\n"
	"	.quad fz_s12 - fz_code_start, fz_s13 - fz_code_start\n"
	".text\n");
extern const char fz_code_start[], fz_code_end[];
extern const lm_u64 fz_snip[];
#define FZ_NSNIPS 14

#define FZ_HOST_VA (T_VA_FRESH(5)) /* ktest's views of the shared frames */

struct fz_exe {
	lm_cptr_t tcb;
	void *stack;
	struct lm_ipc_buffer *ipc;   /* its IPC buffer, mapped in ktest */
	struct lm_regs regs;
	lm_u8 buf[512] __attribute__((aligned(16)));
};

static struct fz_exe fz_exe[FZ_EXECS];
static struct fz_prog *volatile fz_cur;
static lm_cptr_t fz_sb, fz_ut, fz_code, fz_vframe, fz_vmap, fz_vs;
static lm_u64 fz_token;

struct fz_stats fz_st;
lm_u64 dbg_nr, dbg_ret, dbg_arg, dbg_a0, dbg_a1, dbg_id;

const volatile struct fz_verdict *fz_verdict(void)
{
	return (const volatile struct fz_verdict *)(FZ_HOST_VA + LM_PAGE_SIZE);
}

static lm_u64 fz_sys(lm_u16 name) { return LM_SYS_BASE + name; }

/* What the model says is in slot s, asked of the kernel. */
static void fz_learn(lm_u64 s)
{
	lm_u64 desc, addr, extra;

	if (s == 0 || s >= FZ_SLOTS)
		return;
	if (lm_cnode_identify(SB_SELF, s, &desc, &addr, &extra) == LM_OK)
		fz_pool[s] = (lm_u8)LM_ID_TYPE(desc);
	else
		fz_pool[s] = 0xff;
}

static void fz_set(lm_u64 s, lm_u8 type)
{
	if (s && s < FZ_SLOTS)
		fz_pool[s] = type;
}

/* Keep the model in step with a call that succeeded. */
static void fz_model(lm_u64 nr, const lm_u64 a[6])
{
	lm_u64 n;

	switch (nr) {
	case LM_SYS_UNTYPED_RETYPE:
		for (n = 0; a[3] == SB_SELF && n < a[5] && n < FZ_SLOTS; n++)
			fz_set(a[4] + n, (lm_u8)a[1]);
		break;
	case LM_SYS_CNODE_COPY:
	case LM_SYS_CNODE_MINT:
		n = nr == LM_SYS_CNODE_COPY && a[5] > 1 ? a[5] : 1;
		for (lm_u64 k = 0; a[0] == SB_SELF && a[2] == SB_SELF && k < n; k++)
			if (a[3] + k < FZ_SLOTS && fz_pool[a[3] + k])
				fz_set(a[1] + k, fz_pool[a[3] + k]);
		break;
	case LM_SYS_CNODE_MOVE:
		if (a[0] == SB_SELF && a[2] == SB_SELF && a[3] < FZ_SLOTS) {
			fz_set(a[1], fz_pool[a[3]]);
			fz_set(a[3], LM_OBJ_NULL);
		}
		break;
	case LM_SYS_ASIDS_ISSUE:
		if (a[2] == SB_SELF)
			fz_set(a[3], LM_OBJ_ASIDS);
		break;
	case LM_SYS_CNODE_DELETE:
		n = a[2] > 1 ? a[2] : 1;
		for (lm_u64 k = 0; a[0] == SB_SELF && k < n; k++)
			fz_set(a[1] + k, LM_OBJ_NULL);
		break;
	}
}

struct fz_taint fz_taint;
static lm_u64 fz_exc_phys[2];    /* the exception-stack frames of the prologue */

static int fz_near_exc(lm_u64 a, lm_u64 len)
{
	return a < FZ_EXC_VA + 2 * LM_PAGE_SIZE + 256 && a + len > FZ_EXC_VA - 256;
}

/* Whether frame slot s (in the sandbox) is, or may be, an exception-stack
 * frame; its address in *pa, its mapping, if mapped, in *va and *size. */
static int fz_exc_frame(lm_u64 s, lm_u64 *pa, lm_u64 *va, lm_u64 *size)
{
	lm_u64 desc;

	*pa = *va = *size = 0;
	if (lm_cnode_identify(SB_SELF, s, &desc, pa, va) != LM_OK ||
	    LM_ID_TYPE(desc) != LM_OBJ_FRAME)
		return 1;
	*size = 1ull << LM_ID_BITS(desc);
	return *pa == fz_exc_phys[0] || *pa == fz_exc_phys[1];
}

/* A call that succeeded may let user code explain a wrong exception frame
 * or FS base (fuzz.h): note it. Sandbox threads make the calls their
 * register sets name (x[5]) themselves. */
static void fz_note_taint(const struct fz_call *c, lm_u64 nr, const lm_u64 a[6])
{
	lm_u64 pa, va, size, sys = c->x[5];

	switch (nr) {
	case LM_SYS_THREAD_SET_EXCEPTION:
		fz_taint.frames |= !c->setup && a[1];
		break;
	case LM_SYS_VSPACE_MAP:
		if (a[4]) { /* a range from any CNode: assume the worst */
			fz_taint.frames |= !c->setup;
			break;
		}
		if (fz_exc_frame(a[1], &pa, &va, &size) || fz_near_exc(va, size))
			fz_taint.frames |= !c->setup;
		if (c->setup && (a[2] == FZ_EXC_VA || a[2] == FZ_EXC_VA + LM_PAGE_SIZE))
			fz_exc_phys[a[2] != FZ_EXC_VA] = pa;
		break;
	case LM_SYS_THREAD_SET_IPC_BUFFER:
		fz_taint.frames |= !c->setup && a[1] && fz_exc_frame(a[1], &pa, &va, &size);
		break;
	case LM_SYS_THREAD_SET_FSBASE:
		fz_taint.fs = 1;
		break;
	case LM_SYS_THREAD_WRITE_REGS:
		if (c->raw || c->kind[1] != K_REGS) {
			fz_taint.frames = fz_taint.fs = 1;
			break;
		}
		fz_taint.frames |= fz_near_exc(c->x[2], 8) || fz_near_exc(c->x[3] - 64, 128) ||
				   sys == LM_SYS_THREAD_SET_EXCEPTION || sys == LM_SYS_VSPACE_MAP ||
				   sys == LM_SYS_THREAD_SET_IPC_BUFFER || sys == LM_SYS_THREAD_WRITE_REGS;
		fz_taint.fs |= sys == LM_SYS_THREAD_SET_FSBASE || sys == LM_SYS_THREAD_WRITE_REGS;
		break;
	}
}

static int fz_is_ipc(lm_u64 nr)
{
	return nr >= LM_SYS_EP_SEND && nr <= LM_SYS_EP_REPLY_RECV;
}

/* The IPC buffer as the call's descriptors say. */
static void fz_fill_ipc(struct fz_exe *e, const struct fz_call *c, lm_u64 ep)
{
	for (int j = 0; j < 3; j++) {
		lm_u64 mode = c->x[j] >> 56, pick = c->x[j] & ((1ull << 56) - 1);
		e->ipc->send_caps[j] = mode == FZ_CAP_ARG1 ? ep : mode == FZ_CAP_NONE ? 0
				       : fz_pick(K_SLOT, 0, pick);
		e->ipc->recv_slots[j] = fz_pick(K_FREE, 0, c->x[3 + j]);
	}
	for (int j = 4; j < 12; j++)
		e->ipc->msg[j] = c->x[6] + (lm_u64)j;
}

/* The type of capability a sandbox thread's call takes first (0: any). */
static lm_u8 fz_call_type(lm_u64 nr, lm_u64 r)
{
	if (nr >= LM_SYS_EP_SEND && nr <= LM_SYS_EP_REPLY_RECV && nr != LM_SYS_EP_REPLY)
		return LM_OBJ_ENDPOINT;
	if (nr >= LM_SYS_NTFN_SIGNAL && nr <= LM_SYS_NTFN_POLL)
		return LM_OBJ_NOTIFY;
	if (nr == LM_SYS_THREAD_YIELD_TO)
		return LM_OBJ_TCB;
	return r % 2 ? LM_OBJ_ENDPOINT : 0;
}

static void fz_fill_regs(struct fz_exe *e, const struct fz_call *c)
{
	struct lm_regs *r = &e->regs;
	lm_u64 s = c->x[0];

	*r = (struct lm_regs){ 0 };
	r->rip = s < FZ_NSNIPS ? FZ_CODE_VA + fz_snip[s] : s < 15 ? FZ_CODE_VA : c->x[6] % 4
		 ? FZ_CODE_VA + c->x[6] % 640 : FZ_VA + (c->x[6] & 0x3fffff);
	r->rflags = 0x202 | (c->x[1] & (LM_RFLAGS_USER_MASK | LM_RFLAGS_AC));
	r->rbx = 0x202 | c->x[1];
	r->r12 = c->x[2];
	r->rsp = c->x[3];
	r->r13 = c->x[4];
	r->r14 = r->rax = c->x[5];
	r->rdi = c->x[6] % 8 ? fz_pick(K_SLOT, fz_call_type(c->x[5], c->x[6]), c->x[6] >> 8)
			     : c->x[6] % 300;
	r->rsi = c->x[7];
	r->rdx = c->x[6] ^ c->x[7];
	r->r10 = c->x[2] ^ 1;
	r->r8 = 0x8888;
	r->r9 = 0x9999;
	/* rbp tells this set from others, gives its FS base (bit 3: two
	 * values, so that threads often share one, which is what a lost
	 * base write needs) and says (bit 0) whether its code may load FS
	 * itself: fz_s5 (which then yields or calls), a jump anywhere, a rip
	 * anywhere. The handler checks the base by it. */
	r->rbp = (++fz_token << 8 ^ c->x[6] << 20) | (c->x[6] >> 8 & 8) |
		 (s == 5 || s == 9 || s >= FZ_NSNIPS);
	r->fs_base = r->rbp & 8;
	r->r15 = r->rbp + 0x1111;
}

/* A call that would end the executor becomes a harmless one. (The debug
 * calls need the debug capability, which the sandbox never holds: they
 * are all refused, whatever their arguments.) */
static lm_u64 fz_tame(lm_u64 nr, lm_u64 a[6], struct fz_exe *e)
{
	return nr == LM_SYS_THREAD_EXIT ? LM_SYS_THREAD_YIELD : nr;
}

void fz_exec_call(struct fz_call *c, lm_u32 id)
{
	struct fz_exe *e = &fz_exe[id];
	lm_u64 a[6], out[LM_SYS_NOUT], nr = c->raw ? c->nr : fz_sys(c->nr), ret;

	for (int i = 0; i < 6; i++)
		a[i] = c->kind[i] == K_REGS ? (lm_u64)&e->regs : c->kind[i] == K_BUF
		       ? (lm_u64)e->buf : fz_pick(c->kind[i], c->ty[i], c->v[i]);
	nr = fz_tame(nr, a, e);
	if (fz_is_ipc(nr) && !c->raw)
		fz_fill_ipc(e, c, a[0]);
	if (nr == LM_SYS_THREAD_WRITE_REGS && c->kind[1] == K_REGS)
		fz_fill_regs(e, c);
	ret = lm_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5], out);
	fz_st.calls++;
	if (ret >= LM_NERR) {
		fz_st.bad_rax++;
		fz_st.last_bad_nr = nr;
		fz_st.last_bad_ret = ret;
		return;
	}
	fz_st.errs[ret]++;
	if (nr - LM_SYS_BASE < LM_NSYSCALLS) {
		lm_u64 bit = (nr - LM_SYS_BASE) * LM_NERR + ret;
		if (!(fz_usig[bit / 8] & (1u << bit % 8))) {
			fz_usig[bit / 8] |= (lm_u8)(1u << bit % 8);
			fz_usig_new++;
		}
	} else if (ret != LM_ENOSYS) { /* executors have no foreign entry */
		fz_st.bad_abi++;
		fz_st.last_bad_nr = nr;
		fz_st.last_bad_ret = ret;
	}
	if (c->setup && ret != LM_OK) {
		dbg_nr = nr; dbg_ret = ret; dbg_arg = out[0]; dbg_a0 = a[0]; dbg_a1 = a[1]; dbg_id = id;
		fz_st.setup_fail++;
		fz_st.last_bad_nr = nr;
		fz_st.last_bad_ret = ret;
	}
	if (ret == LM_OK && (nr == LM_SYS_EP_RECV || nr == LM_SYS_EP_CALL ||
			     nr == LM_SYS_EP_REPLY_RECV) && !(out[1] & LM_MSG_NOTIFY)) {
		/* what arrived must be a message the ABI allows */
		if (LM_MSG_LEN(out[1]) > LM_MSG_MAX_WORDS) {
			fz_st.bad_abi++;
			fz_st.last_bad_nr = nr;
			fz_st.last_bad_ret = out[1];
		}
		for (lm_u64 j = 0; j < LM_MSG_NCAPS(out[1]); j++)
			fz_learn(e->ipc->recv_slots[j]);
	}
	if (ret == LM_OK) {
		fz_note_taint(c, nr, a);
		fz_model(nr, a);
		/* let a thread just started run up to its call or fault before
		 * the next call (which may rewrite what it is blocked in) */
		if (nr == LM_SYS_THREAD_RESUME)
			lm_thread_yield();
		if (fz_is_ipc(nr) && (c->x[0] >> 56) != FZ_CAP_NONE)
			fz_learn(e->ipc->send_caps[0]);
	} else if ((ret == LM_ECAP || ret == LM_ETYPE || ret == LM_EEXIST) && out[0] >= 1 &&
		   out[0] <= 6 && !c->raw && c->kind[out[0] - 1] != K_LIT) {
		fz_learn(a[out[0] - 1]); /* the model was wrong about it */
	}
}

static lm_word_t fz_executor(lm_word_t id)
{
	for (;;) {
		struct fz_prog *p = fz_cur;
		/* atomic: a tick between reading and bumping it would let two
		 * executors take the same call */
		lm_u32 i = __atomic_fetch_add(&p->next, 1, __ATOMIC_SEQ_CST);

		if (i >= p->n)
			return 0;
		/* A timer tick between taking a call and making it lets the
		 * next executor overtake: the prologue runs in order, and every
		 * fuzzed call waits until all of it is done (not only the call
		 * before it: a fuzzed call could delete a thread the last
		 * prologue calls set up, and they would fail). */
		while (p->done < (i < p->nsetup ? i : p->nsetup))
			lm_thread_yield();
		fz_exec_call(&p->c[i], (lm_u32)id);
		p->done = i + 1;
	}
}

/* The objects that outlive programs: the sandbox CNode and untyped, the
 * shared code and verdict frames, the executors. All from the test arena. */
int fz_sandbox_init(void)
{
	lm_u8 *code = (lm_u8 *)FZ_HOST_VA;
	int err = 0;

	fz_sb = t_new(LM_OBJ_CNODE, FZ_SB_BITS);
	fz_ut = t_new(LM_OBJ_UNTYPED, 22);
	fz_code = t_frame_at(FZ_HOST_VA, LM_R_READ | LM_R_WRITE);
	fz_vframe = t_frame_at(FZ_HOST_VA + LM_PAGE_SIZE, LM_R_READ | LM_R_WRITE);
	fz_vmap = t_copy(fz_vframe, LM_R_READ | LM_R_WRITE); /* its mapping in the sandbox */
	fz_vs = t_slot();
	if (!fz_sb || !fz_ut || !fz_code || !fz_vframe || !fz_vmap || !fz_vs)
		return LM_ENOMEM;
	for (lm_u64 i = 0; i < (lm_u64)(fz_code_end - fz_code_start); i++)
		code[i] = (lm_u8)fz_code_start[i];
	for (lm_u32 i = 0; i < FZ_EXECS && !err; i++) {
		struct fz_exe *e = &fz_exe[i];
		lm_u64 va = FZ_HOST_VA + (2 + i) * LM_PAGE_SIZE;
		lm_cptr_t f = t_frame_at(va, LM_R_READ | LM_R_WRITE);

		e->tcb = t_new(LM_OBJ_TCB, 0);
		e->stack = t_stack();
		e->ipc = (struct lm_ipc_buffer *)va;
		if (!f || !e->tcb || !e->stack)
			return LM_ENOMEM;
		err = lm_thread_configure(e->tcb, fz_sb, LM_SLOT_VSPACE);
		if (!err)
			err = lm_thread_set_ipc_buffer(e->tcb, f);
	}
	return err;
}

/* Empty the sandbox: everything made in it goes with the untyped. */
static int fz_sandbox_empty(void)
{
	int err = lm_cnode_revoke(LM_SLOT_CNODE, fz_ut);

	if (!err)
		err = lm_cnode_delete_range(fz_sb, 1, FZ_SLOTS - 1);
	return err == LM_ECAP ? LM_OK : err;
}

/* Empty and refill the sandbox's fixed slots for the next program. */
static int fz_sandbox_reset(void)
{
	int err = fz_sandbox_empty();

	if (!err && t_ut_free(fz_ut) != 1ull << 22)
		fz_st.leaks++;
	if (!err)
		err = lm_untyped_retype(fz_ut, LM_OBJ_UNTYPED, 22, fz_sb, SB_UT, 1);
	if (!err)
		err = lm_cnode_copy(fz_sb, SB_SELF, LM_SLOT_CNODE, fz_sb, LM_R_ALL);
	if (!err)
		err = lm_cnode_copy(fz_sb, SB_CODE, LM_SLOT_CNODE, fz_code, LM_R_READ | LM_R_EXEC);
	if (!err)
		err = lm_asids_issue(lm_asid_cap, FZ_ASIDS, fz_sb, SB_ASIDS);
	fz_pool_reset();
	return err;
}

int fz_sandbox_leaked(void)
{
	return fz_sandbox_empty() || t_ut_free(fz_ut) != 1ull << 22;
}

/* Run p's calls from p->next to p->n: every call taken, the executors
 * stopped or blocked with nothing left to wake them. Hangs (3 s) are
 * counted and cut off. */
static int fz_run_calls(struct fz_prog *p, lm_u64 end)
{
	struct lm_thread_info ti;
	int err = 0;

	for (lm_u32 i = 0; i < FZ_EXECS && !err; i++) {
		err = lm_thread_start(fz_exe[i].tcb, fz_executor, i, fz_exe[i].stack, T_PRIO);
		if (!err)
			err = lm_thread_set_fsbase(fz_exe[i].tcb, FZ_FS_BASE);
	}
	while (!err) {
		lm_u32 running = 0, blocked = 0, last = 0;

		lm_thread_yield();
		for (lm_u32 i = 0; i < FZ_EXECS && !err; i++) {
			err = lm_thread_info(fz_exe[i].tcb, &ti);
			running += ti.state == LM_TS_RUNNABLE;
			if (ti.state == LM_TS_BLOCKED)
				blocked++, last = i;
		}
		if (running && t_rdtsc() > end) {
			fz_st.hangs++;
			break;
		}
		if (running)
			continue;
		if (!blocked || p->next >= p->n)
			break;
		lm_thread_suspend(fz_exe[last].tcb);   /* its call returns LM_EINTR */
		lm_thread_resume(fz_exe[last].tcb);
		fz_st.unblocks++;
	}
	for (lm_u32 i = 0; i < FZ_EXECS; i++)
		lm_thread_suspend(fz_exe[i].tcb);
	return err;
}

/* The verdict page goes into the sandbox's address space from ktest's own
 * capability: with none in the sandbox, nothing there can map, alias or
 * receive into it (its stores only reach it at FZ_VERDICT_VA, where no
 * generated address goes). */
static void fz_map_verdict(void)
{
	if (lm_cnode_copy(LM_SLOT_CNODE, fz_vs, fz_sb, SB_VSPACE, LM_R_ALL) == LM_OK)
		lm_vspace_map(fz_vs, fz_vmap, FZ_VERDICT_VA, LM_R_READ | LM_R_WRITE);
	lm_cnode_delete(LM_SLOT_CNODE, fz_vs);
}

/* Run p: the prologue, the verdict page mapped, then the fuzzed calls. */
int fz_run_prog(struct fz_prog *p)
{
	lm_u64 end = t_rdtsc() + t_ms_to_tsc(3000);
	lm_u32 n = p->n;
	int err = fz_sandbox_reset();

	p->next = p->done = 0;
	p->n = p->nsetup;
	fz_cur = p;
	fz_taint = (struct fz_taint){ 0 };
	fz_exc_phys[0] = fz_exc_phys[1] = ~0ull;
	if (!err)
		err = fz_run_calls(p, end);
	fz_map_verdict();
	p->n = n;
	p->next = p->nsetup;
	if (!err)
		err = fz_run_calls(p, end);
	lm_vspace_unmap(fz_vmap);
	fz_st.programs++;
	return err;
}
