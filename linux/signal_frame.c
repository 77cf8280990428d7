/*
 * The signal frame, as Linux x86-64 builds it (arch/x86/kernel/signal.c
 * describes the layout; abi.h has the structures), and rt_sigreturn.
 *
 * Going down from the interrupted rsp, past its 128-byte red zone (or from
 * the top of the alternate stack): the FPU state, a 512-byte FXSAVE image
 * on a 64-byte boundary; then struct rt_sigframe with rsp = its address
 * and rsp + 8 16-byte aligned, as after a call. The handler's `ret` pops
 * pretcode, sa_restorer, which calls rt_sigreturn with rsp = &uc.
 *
 * The frame is built in a static buffer and copied onto the stack by
 * lm_resume (lm/reflect.h): the personality's own stack may be the very
 * memory the frame goes to.
 */
#include "signal.h"
#include "thread.h"

#define FX_SIZE   512
/* What is copied: the frame, alignment (< 16 + 8), the FPU image. */
#define MAX_FRAME (sizeof(struct lx_rt_sigframe) + 24 + FX_SIZE)
/* The rflags bits a frame may set (Linux's FIX_EFLAGS): AC OF DF TF SF
 * ZF AF PF CF and RF. */
#define FIX_FLAGS 0x50dd5ull
#define RFLAGS_IF 0x200ull
#define USER_CS   0x33
#define USER_SS   0x2b

/* The frame is built in the thread's slot: lm_resume copies it after the
 * lock is released. */
LM_STATIC_ASSERT(MAX_FRAME <= LX_SIGFRAME_MAX, "thread.h's sigframe");
#define frame_buf (lx_self()->mem->sigframe)

/* The FPU state a handler starts with: what Linux gives, x87 and SSE at
 * their defaults and every register empty. */
static void fpu_init_state(struct lm_fpu_state *fx)
{
	memset(fx, 0, sizeof *fx);
	fx->b[0] = (lm_u8)LM_FPU_CW_DEFAULT;
	fx->b[1] = (lm_u8)(LM_FPU_CW_DEFAULT >> 8);
	lm_u32 mxcsr = LM_MXCSR_DEFAULT;
	memcpy(fx->b + 24, &mxcsr, 4);
}

static void save_regs(struct lx_sigcontext *mc, const struct lm_regs *r)
{
	mc->r8 = r->r8; mc->r9 = r->r9; mc->r10 = r->r10; mc->r11 = r->r11;
	mc->r12 = r->r12; mc->r13 = r->r13; mc->r14 = r->r14; mc->r15 = r->r15;
	mc->rdi = r->rdi; mc->rsi = r->rsi; mc->rbp = r->rbp; mc->rbx = r->rbx;
	mc->rdx = r->rdx; mc->rax = r->rax; mc->rcx = r->rcx; mc->rsp = r->rsp;
	mc->rip = r->rip; mc->rflags = r->rflags;
	mc->cs = USER_CS;
	mc->ss = USER_SS;
}

static void load_regs(struct lm_regs *r, const struct lx_sigcontext *mc)
{
	r->r8 = mc->r8; r->r9 = mc->r9; r->r10 = mc->r10; r->r11 = mc->r11;
	r->r12 = mc->r12; r->r13 = mc->r13; r->r14 = mc->r14; r->r15 = mc->r15;
	r->rdi = mc->rdi; r->rsi = mc->rsi; r->rbp = mc->rbp; r->rbx = mc->rbx;
	r->rdx = mc->rdx; r->rax = mc->rax; r->rcx = mc->rcx; r->rsp = mc->rsp;
	r->rip = mc->rip;
	r->rflags = (r->rflags & ~FIX_FLAGS) | (mc->rflags & FIX_FLAGS) | RFLAGS_IF;
}

int lx_sig_setup_frame(struct lm_resume *rec, int sig, const struct lx_siginfo *si,
		       lm_u64 oldmask, lm_u64 trapno, lm_u64 err, lm_u64 cr2)
{
	struct lx_sigaction *ka = &lx_sigact[sig];
	lm_u64 sp = rec->regs.rsp, fx, top;
	struct lx_rt_sigframe *f;

	if (!(ka->flags & SA_RESTORER))
		return -EFAULT; /* x86-64 Linux requires a restorer */
	if ((ka->flags & SA_ONSTACK) && lx_altstack.size && !lx_on_altstack(sp))
		sp = lx_altstack.sp + lx_altstack.size;
	else
		sp -= 128;
	top = sp;
	fx = (sp - FX_SIZE) & ~63ull;
	sp = ((fx - sizeof *f) & ~15ull) - 8;
	/* lm_resume also writes 16 bytes at the new rsp - 144. */
	if (fx + FX_SIZE - sp > MAX_FRAME || !lx_writable(sp - 144, top - (sp - 144)))
		return -EFAULT;

	f = (struct lx_rt_sigframe *)frame_buf;
	memset(f, 0, sizeof *f);
	f->pretcode = ka->restorer;
	f->uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f->uc.stack.sp = lx_altstack.sp;
	f->uc.stack.size = lx_altstack.size;
	f->uc.stack.flags = lx_altstack_flags(rec->regs.rsp) |
			    (int)((lm_u32)lx_altstack.flags & SS_AUTODISARM);
	save_regs(&f->uc.mc, &rec->regs);
	f->uc.mc.err = err;
	f->uc.mc.trapno = trapno;
	f->uc.mc.cr2 = cr2;
	f->uc.mc.oldmask = oldmask;
	f->uc.mc.fpstate = fx;
	f->uc.sigmask = oldmask;
	f->info = *si;
	memcpy(frame_buf + (fx - sp), &rec->fx, FX_SIZE);
	if (lx_altstack.flags & SS_AUTODISARM)
		lx_altstack = (struct lx_stack){ 0, SS_DISABLE, 0, 0 };

	rec->copy_dst = sp;
	rec->copy_src = (lm_u64)frame_buf;
	rec->copy_len = fx + FX_SIZE - sp;
	rec->regs.rdi = (lm_u64)sig;
	rec->regs.rsi = sp + __builtin_offsetof(struct lx_rt_sigframe, info);
	rec->regs.rdx = sp + __builtin_offsetof(struct lx_rt_sigframe, uc);
	rec->regs.rax = 0;
	rec->regs.rsp = sp;
	rec->regs.rip = ka->handler;
	rec->regs.rflags &= ~(0x400ull | 0x100ull | 0x10000ull); /* DF TF RF */
	fpu_init_state(&rec->fx);

	lx_sig_blocked |= ka->mask;
	if (!(ka->flags & SA_NODEFER))
		lx_sig_blocked |= LX_SIGBIT(sig);
	lx_sig_blocked &= ~LX_UNBLOCKABLE;
	if (ka->flags & SA_RESETHAND)
		ka->handler = SIG_DFL;
	return 0;
}

/* The bits of MXCSR this CPU accepts (FXRSTOR faults on the others). */
static lm_u32 mxcsr_mask(void)
{
	static lm_u32 mask;
	struct lm_fpu_state s;

	if (!mask) {
		lm_fpu_save(&s);
		memcpy(&mask, s.b + 28, 4);
		if (!mask)
			mask = 0xffbf;
	}
	return mask;
}

int lx_sig_restore_frame(struct lm_resume *rec, lm_u64 sp)
{
	struct lx_ucontext uc;
	struct lx_stack ss;
	lm_u32 mxcsr;

	if (lx_copy_in(&uc, sp, sizeof uc))
		return -EFAULT;
	if (uc.mc.fpstate) {
		if (lx_copy_in(&rec->fx, uc.mc.fpstate, FX_SIZE))
			return -EFAULT;
		memcpy(&mxcsr, rec->fx.b + 24, 4);
		mxcsr &= mxcsr_mask();
		memcpy(rec->fx.b + 24, &mxcsr, 4);
	} else {
		fpu_init_state(&rec->fx);
	}
	/* lm_resume writes 16 bytes at rsp - 144: an rsp the program cannot
	 * write there is a bad frame (else the personality would fault). */
	if (!lx_writable(uc.mc.rsp - 144, 16))
		return -EFAULT;
	load_regs(&rec->regs, &uc.mc);
	lx_sig_blocked = uc.sigmask & ~LX_UNBLOCKABLE;
	/* The alternate stack as it was when the signal came: an error here
	 * is ignored, as Linux's restore_altstack does (it only reports it). */
	ss = uc.stack;
	lx_altstack_set(&ss, rec->regs.rsp);
	return 0;
}
