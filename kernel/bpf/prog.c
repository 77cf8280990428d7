/*
 * eBPF program objects: BPF_LOAD verifies a program into an object made by
 * retype, BPF_RUN test-runs a MEM program (Linux's BPF_PROG_TEST_RUN).
 * Loading happens once; a loaded program never changes, so whoever holds
 * it (a sleeping thread, a filtered thread) sees the program it checked.
 */
#include <lamina/syscall.h>
#include "syscall.h"
#include "thread.h"
#include "vspace.h"
#include "prog.h"
#include "jit.h"

/* One CPU, and no run ever nests inside another (helpers neither block nor
 * run programs): one stack area and one buffer serve every run. */
struct bpf_vm bpf_vm0;
static u8 run_buf[LM_BPF_MAX_CTX];
static struct bpf_verify_ws *verify_ws; /* bpf_verify_ws_size bytes, from boot */
static u32 jit_offs[LM_BPF_MAX_INSNS + 1]; /* the JIT's scratch (jit.h) */

lm_u64 bpf_ticks(void) { return sched_ticks; }

void bpf_boot(void *workspace) { verify_ws = workspace; }

void bpf_prog_init(struct bpf_prog *p, u8 size_bits)
{
	p->hdr.bits = size_bits;
	obj_link(&p->hdr, LM_OBJ_BPF);
}

static u64 jit_code(const struct bpf_prog *p)
{
	return CODEWIN_BASE + ((u64)p->jit_slot << LM_PAGE_BITS);
}

/* The instructions one run may take, by the hook a type runs at: BPF_RUN
 * (MEM), BPF_WAIT (PREDICATE), a system-call filter (SYSCALL). Both engines
 * take it from here: the interpreter at each run, the JIT compiled into the
 * code, so they stop the same runs (jit.c, "the instruction budget"). A
 * JIT'ed program without loops or local calls is not counted: it runs at
 * most n instructions, and no budget is below that. */
LM_STATIC_ASSERT(LM_BPF_MAX_INSNS <= LM_BPF_EVAL_BUDGET && LM_BPF_EVAL_BUDGET <= LM_BPF_RUN_BUDGET,
		 "every loaded program may run each of its instructions once");

static u64 budget_of(u8 type)
{
	return type == LM_BPF_PROG_MEM ? LM_BPF_RUN_BUDGET : LM_BPF_EVAL_BUDGET;
}

/* JIT'ed code when there is some, the interpreter otherwise. */
enum bpf_err bpf_prog_run(struct bpf_prog *p, void *ctx, u64 len, struct bpf_result *res)
{
	if (p->jit_pages)
		return bpf_jit_run_verified((const void *)jit_code(p), &bpf_vm0, ctx, len, res);
	return bpf_run(&bpf_vm0, bpf_insns(p), p->n, ctx, len, bpf_helpers_for(p->type),
		       budget_of(p->type), res);
}

/*
 * Translate verified program p into its own pages after the instructions
 * and map them in the code window. Returns the code's bytes, or 0 when it
 * runs in the interpreter: the CPU has no NX (the direct map alias would
 * be executable too), the object has no page after the instructions, the
 * code does not fit in those (bpf_jit_compile refuses, never overruns), or
 * the window has no run of free pages long enough. Nothing here can fail
 * the call.
 */
static u64 jit_load(struct bpf_prog *p)
{
	u64 off = bpf_jit_off(p->n), size = 1ull << p->hdr.bits;
	if (!(cpu_features & LM_CPU_NX) || off >= size)
		return 0;
	u64 len = bpf_jit_compile(bpf_insns(p), p->n, BPF_JIT_VERIFIED, budget_of(p->type),
				  bpf_helpers_for(p->type), jit_offs, (char *)p + off, size - off);
	if (!len)
		return 0;
	u32 pages = (u32)(ALIGN_UP(len, LM_PAGE_SIZE) >> LM_PAGE_BITS);
	u64 va = codewin_map(virt_to_phys(p) + off, pages);
	if (!va)
		return 0;
	p->jit_slot = (u16)((va - CODEWIN_BASE) >> LM_PAGE_BITS);
	p->jit_pages = (u16)pages;
	return len;
}

/* The last capability is gone (cap_drain): every thread that ran it held
 * one, so no thread runs or sleeps on the code now. */
void bpf_prog_finalise(struct bpf_prog *p)
{
	if (p->jit_pages)
		codewin_unmap(jit_code(p), p->jit_pages);
	p->jit_pages = 0;
}

/* DEBUG_CHECK: the code window holds exactly the code of live programs,
 * each at its own pages, and W^X holds (codewin_check). */
int bpf_jit_check(void)
{
	u32 used, mine = 0;
	int bad = codewin_check(&used);
	for (struct objhdr *h = all_objects[LM_OBJ_BPF]; h; h = h->all_next) {
		struct bpf_prog *p = (struct bpf_prog *)h;
		for (u32 k = 0; k < p->jit_pages; k++, mine++)
			if (codewin_phys(jit_code(p) + ((u64)k << LM_PAGE_BITS)) !=
			    virt_to_phys(p) + bpf_jit_off(p->n) + ((u64)k << LM_PAGE_BITS)) {
				kprintf("check: program %p: code page %u not in the window\n", (void *)p, k);
				bad++;
			}
	}
	if (used != mine) {
		kprintf("check: %u code window pages, %u of live programs\n", used, mine);
		bad++;
	}
	return bad;
}

/* What a program of each type is checked against; 0: no such type. */
static u32 ctx_size_of(u64 type, u64 asked)
{
	switch (type) {
	case LM_BPF_PROG_MEM:
		return asked <= LM_BPF_MAX_CTX ? (u32)asked : ~0u;
	case LM_BPF_PROG_PREDICATE:
		return asked == 0 || asked == LM_BPF_PAGE_CTX ? LM_BPF_PAGE_CTX : ~0u;
	case LM_BPF_PROG_SYSCALL:
		return asked == 0 || asked == sizeof(struct lm_bpf_syscall_ctx) ?
			       sizeof(struct lm_bpf_syscall_ctx) : ~0u;
	}
	return ~0u;
}

/* (prog, type, insns, n, ctx_size, flags) -> rdi = the verifier's work,
 * rsi = bytes of JIT'ed code (0: interpreted). Refused: LM_EVERIFY,
 * rsi = enum lm_bpf_verr, rdx = the instruction, r10 = the work done. */
SYS(bpf_load)
{
	struct slot *s;
	u64 type = ARG2(f), ua = ARG3(f), n = ARG4(f), flags = ARG6(f), e;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_BPF, LM_R_WRITE, 1, &s)))
		return e;
	struct bpf_prog *p = (struct bpf_prog *)s->cap.obj;
	if (p->type)
		return SYSERR(LM_ESTATE, 1);
	if (type == 0 || type >= LM_BPF_NTYPES)
		return SYSERR(LM_EINVAL, 2);
	if (n == 0 || n > LM_BPF_MAX_INSNS || n > LM_BPF_INSNS_FIT(p->hdr.bits))
		return SYSERR(LM_ERANGE, 4);
	u32 ctx = ctx_size_of(type, ARG5(f));
	if (ctx == ~0u)
		return SYSERR(LM_ERANGE, 5);
	if (flags & ~(u64)LM_BPF_LOAD_NOJIT)
		return SYSERR(LM_EINVAL, 6);
	/* Straight into the object: until it is loaded nothing reads them. */
	if (!user_copy_in(bpf_insns(p), ua, n * sizeof(struct lm_bpf_insn)))
		return SYSERR(LM_EFAULT, 3);
	struct bpf_verify_cfg cfg = {
		.ctx_size = ctx, .ctx_writable = type == LM_BPF_PROG_MEM, .r2_is_size = 1,
		.helpers = bpf_helpers_for((u32)type), .max_work = LM_BPF_MAX_WORK,
	};
	struct bpf_verify_result res;
	if (bpf_verify(verify_ws, bpf_insns(p), (u32)n, &cfg, &res) != LM_BPF_V_OK) {
		f->r10 = res.work;
		f->rdx = res.pc;
		return SYSERR_D(LM_EVERIFY, 3, res.err);
	}
	p->n = (u32)n;
	p->ctx_size = ctx;
	p->type = (u8)type;
	f->rdi = res.work;
	f->rsi = flags & LM_BPF_LOAD_NOJIT ? 0 : jit_load(p);
	return LM_OK;
}

/* A run that broke a rule: the interpreter stopped it at res->pc. */
static u64 run_error(const struct bpf_result *res)
{
	return SYSERR_D(res->err == BPF_EBUDGET ? LM_ELIMIT : LM_EINVAL, 1, res->pc);
}

/* (prog, buf, len, repeat) -> rdi = r0, rsi = instructions run (0 when
 * JIT'ed). The program runs on a copy of buf (len must be its ctx_size),
 * copied back afterwards; repeat times in a row (0: once) over the same
 * copy, for timing a run apart from the call; r0 is the last run's. */
SYS(bpf_run)
{
	struct slot *s;
	u64 ua = ARG2(f), len = ARG3(f), repeat = ARG4(f), e;
	if ((e = cap_lookup(ARG1(f), LM_OBJ_BPF, LM_R_WRITE, 1, &s)))
		return e;
	struct bpf_prog *p = (struct bpf_prog *)s->cap.obj;
	if (!p->type)
		return SYSERR(LM_ESTATE, 1);
	if (p->type != LM_BPF_PROG_MEM)
		return SYSERR(LM_ETYPE, 1);
	if (len != p->ctx_size)
		return SYSERR(LM_ERANGE, 3);
	if (repeat > LM_BPF_RUN_MAX_REPEAT)
		return SYSERR(LM_ERANGE, 4);
	/* Readable, and writable (the same bytes written back): checked
	 * before the run, so the copy-out afterwards cannot fail. */
	if (!user_copy_in(run_buf, ua, len) || !user_copy_out(ua, run_buf, len))
		return SYSERR(LM_EFAULT, 2);
	struct bpf_result res;
	u64 steps = 0;
	do {
		if (bpf_prog_run(p, len ? run_buf : NULL, len, &res))
			return run_error(&res);
		steps += res.steps;
	} while (repeat-- > 1);
	user_copy_out(ua, run_buf, len);
	f->rdi = res.r0;
	f->rsi = steps;
	return LM_OK;
}
