/*
 * kbench: eBPF in the kernel (docs/API.md, "eBPF programs"). Lamina only.
 *   bpf_verify_200      BPF_LOAD of a 200-instruction system-call filter
 *                       into a fresh object (the retype is not timed)
 *   bpf_run_interp      BPF_RUN of a UDP-port packet filter over a 64-byte
 *                       header: the whole call, copies and interpreter
 *                       (loaded with LM_BPF_LOAD_NOJIT)
 *   bpf_run_jit         the same, JIT'ed (the kernel's default)
 *   bpf_prog_interp, bpf_prog_jit  one run of that filter apart from the
 *                       call: a BPF_RUN making 16 runs minus one making 1,
 *                       divided by 15
 *   bpf_filter_syscall  null_syscall's unassigned number, from a thread
 *                       with a 7-instruction filter attached (decided by
 *                       the number alone: the decision cache answers)
 *   bpf_filter_syscall_run  the same with a filter that reads an argument,
 *                       so it runs (JIT'ed) on every call
 *   bpf_predicate_wake  a notification signal until the thread it wakes
 *                       (its predicate now true) runs: one way
 */
#include "kbench.h"
#include <lm/elf.h>
#include <lamina/bpf.h>

#define PRIO 100
#define I_(op, dst, src, off, imm) \
	{ (lm_u8)(op), (lm_u8)((dst) | (src) << 4), (short)(off), (int)(imm) }
#define MOV_K(d, k)      I_(LM_BPF_ALU64 | LM_BPF_MOV | LM_BPF_K, d, 0, 0, k)
#define LDXB(d, s, off)  I_(LM_BPF_LDX | LM_BPF_MEM | LM_BPF_B, d, s, off, 0)
#define LDXH(d, s, off)  I_(LM_BPF_LDX | LM_BPF_MEM | LM_BPF_H, d, s, off, 0)
#define LDXDW(d, s, off) I_(LM_BPF_LDX | LM_BPF_MEM | LM_BPF_DW, d, s, off, 0)
#define JEQ_K(d, k, off) I_(LM_BPF_JMP | LM_BPF_JEQ | LM_BPF_K, d, 0, off, k)
#define JNE_K(d, k, off) I_(LM_BPF_JMP | LM_BPF_JNE | LM_BPF_K, d, 0, off, k)
#define EXIT()           I_(LM_BPF_JMP | LM_BPF_EXIT, 0, 0, 0, 0)
#define DENY(e)          (LM_BPF_SYS_DENY | (lm_u32)(e) << 16)

static lm_u8 stack_a[16384] __attribute__((aligned(16)));
static lm_u8 stack_b[16384] __attribute__((aligned(16)));
static lm_u8 page[4096] __attribute__((aligned(4096)));
static int failed;

/* An 8 KiB object: a page for the JIT's code (flags: LM_BPF_LOAD_*). */
static lm_cptr_t load_flags(lm_u32 type, const struct lm_bpf_insn *p, lm_u64 n, lm_u64 ctx,
			    lm_u64 flags)
{
	lm_cptr_t o = new_obj(LM_OBJ_BPF, LM_BPF_MIN_BITS + 1);
	if (!o || lm_bpf_load_flags(o, type, p, n, ctx, flags, 0)) {
		lm_printf("kbench: loading a program failed\n");
		return 0;
	}
	return o;
}

static lm_cptr_t load(lm_u32 type, const struct lm_bpf_insn *p, lm_u64 n, lm_u64 ctx)
{
	return load_flags(type, p, n, ctx, 0);
}

/* ---- bpf_verify_200 ------------------------------------------------------ */

/* r2 = nr; 195 numbers are denied, the rest allowed. */
static struct lm_bpf_insn filter200[200];

static void make_filter200(void)
{
	filter200[0] = (struct lm_bpf_insn)LDXDW(2, 1, 0);
	filter200[1] = (struct lm_bpf_insn)MOV_K(0, LM_BPF_SYS_ALLOW);
	for (int i = 2; i < 197; i++)
		filter200[i] = (struct lm_bpf_insn)JEQ_K(2, 1000 + i, 198 - (i + 1));
	filter200[197] = (struct lm_bpf_insn)EXIT();
	filter200[198] = (struct lm_bpf_insn)MOV_K(0, DENY(LM_ERIGHTS));
	filter200[199] = (struct lm_bpf_insn)EXIT();
}

static lm_u64 op_verify(lm_u64 n)
{
	lm_u64 cycles = 0;
	for (lm_u64 i = 0; i < n; i++) {
		lm_cptr_t o = new_obj(LM_OBJ_BPF, LM_BPF_MIN_BITS);
		if (!o) {
			failed = 1;
			return 0;
		}
		lm_u64 t0 = span_begin();
		failed |= lm_bpf_load(o, LM_BPF_PROG_SYSCALL, filter200, 200, 0, 0, 0);
		cycles += span_end(t0);
		failed |= lm_cnode_delete(LM_SLOT_CNODE, o);
	}
	return cycles;
}

/* ---- bpf_run_interp ------------------------------------------------------ */

/* Ethernet, IPv4 (no options), UDP to port 53: 1; anything else 0.
 * The loads are little-endian, so the constants are byte-swapped. */
static const struct lm_bpf_insn udp53[] = {
	MOV_K(0, 0),
	LDXH(2, 1, 12), JNE_K(2, 0x0008, 6),   /* ethertype 0x0800 */
	LDXB(2, 1, 14), JNE_K(2, 0x45, 4),     /* version 4, 20-byte header */
	LDXB(2, 1, 23), JNE_K(2, 17, 2),       /* UDP */
	LDXH(2, 1, 36), JEQ_K(2, 0x3500, 1),   /* destination port 53 */
	EXIT(),
	MOV_K(0, 1), EXIT(),
};
static lm_cptr_t run_prog;
static lm_u8 packet[64] = {
	[12] = 0x08, [13] = 0x00, [14] = 0x45, [23] = 17, [36] = 0x00, [37] = 53,
};

static void op_run(lm_u64 n)
{
	lm_u64 r0;
	for (lm_u64 i = 0; i < n; i++)
		failed |= lm_bpf_run(run_prog, packet, sizeof(packet), &r0) || r0 != 1;
}

/* 15 runs of the program without the call around them. */
static lm_u64 op_prog(lm_u64 n)
{
	lm_u64 r0, cycles = 0;
	for (lm_u64 i = 0; i < n; i++) {
		lm_u64 t0 = tsc();
		failed |= lm_bpf_run_repeat(run_prog, packet, sizeof(packet), 1, &r0, 0);
		lm_u64 t1 = tsc();
		failed |= lm_bpf_run_repeat(run_prog, packet, sizeof(packet), 16, &r0, 0);
		cycles += (tsc() - t1) - (t1 - t0);
	}
	return cycles;
}

static void run_pair(const char *call, const char *prog, lm_u64 flags)
{
	if (!selected(call) && !selected(prog))
		return;
	if (!(run_prog = load_flags(LM_BPF_PROG_MEM, udp53, sizeof(udp53) / 8, 64, flags)))
		return;
	if (selected(call))
		bench(call, 2000, 1, op_run);
	if (selected(prog))
		bench_self(prog, 500, 15, op_prog);
}

/* ---- bpf_filter_syscall -------------------------------------------------- */

static const struct lm_bpf_insn small_filter[] = {
	LDXDW(2, 1, 0), MOV_K(0, LM_BPF_SYS_ALLOW),
	JEQ_K(2, 59, 2), JEQ_K(2, 57, 1),   /* Linux execve, fork: denied */
	EXIT(),
	MOV_K(0, DENY(LM_ERIGHTS)), EXIT(),
};

/* The same, but a call of null_syscall's number with argument 1 is denied:
 * the filter reads the argument, so no call can skip it. */
static const struct lm_bpf_insn arg_filter[] = {
	LDXDW(2, 1, 0), MOV_K(0, LM_BPF_SYS_ALLOW),
	JNE_K(2, LM_SYS_END, 3), LDXDW(3, 1, 8), JNE_K(3, 1, 1),
	MOV_K(0, DENY(LM_ERIGHTS)), EXIT(),
};

static void op_null(lm_u64 n)
{
	for (lm_u64 i = 0; i < n; i++) {
		lm_u64 rax = LM_SYS_END, rdi, rsi;
		__asm__ volatile("syscall" : "+a"(rax), "=D"(rdi), "=S"(rsi) :: "rcx", "r11", "memory");
	}
}

static const char *filtered_name;

static lm_word_t filtered_bench(lm_word_t done)
{
	bench(filtered_name, 10000, 1, op_null);
	lm_ntfn_signal(done);
	return 0;
}

/* ---- bpf_predicate_wake -------------------------------------------------- */

static lm_cptr_t pred, pred_ntfn;
static volatile lm_u64 woke_at, sum;

/* The sleeper: each time its predicate (the page's first word) holds, it
 * notes the time, clears the word and sleeps again; 2 ends it. */
static lm_word_t sleeper(lm_word_t arg)
{
	volatile lm_u64 *w = (volatile lm_u64 *)page;
	lm_u64 r0;
	for (;;) {
		if (lm_bpf_wait(pred, (lm_u64)page, pred_ntfn, &r0))
			return 1;
		woke_at = tsc();
		if (r0 == 2)
			return 0;
		*w = 0;
	}
}

static lm_u64 op_wake(lm_u64 n)
{
	volatile lm_u64 *w = (volatile lm_u64 *)page;
	lm_u64 cycles = 0;
	for (lm_u64 i = 0; i < n; i++) {
		*w = 1;
		lm_u64 t0 = tsc();
		lm_ntfn_signal(pred_ntfn); /* the sleeper outranks us: runs now */
		cycles += woke_at - t0;
	}
	return cycles;
}

static lm_word_t signaller(lm_word_t done)
{
	bench_self("bpf_predicate_wake", 1000, 1, op_wake);
	*(volatile lm_u64 *)page = 2;
	lm_ntfn_signal(pred_ntfn);
	lm_ntfn_signal(done);
	return 0;
}

/* A thread of ours at prio, or 0. */
static lm_cptr_t thread(lm_thread_fn fn, lm_word_t arg, lm_u8 *stack, lm_u32 prio, lm_cptr_t filter)
{
	lm_cptr_t t;
	if (lm_thread_new(LM_SLOT_CNODE, LM_SLOT_VSPACE, &t))
		return 0;
	if ((filter && lm_thread_set_filter(t, filter)) ||
	    lm_thread_start(t, fn, arg, stack + 16384, prio))
		return 0;
	return t;
}

/* Write every page of kbench's writable segment (data, bss) from this
 * thread. After a fork those pages are read-only until first written
 * (copy on write), and only this thread has the library's fault handler:
 * a thread started here that wrote one first would fault and die. */
static void own_writable_pages(void)
{
	struct lm_elf_seg seg;

	for (lm_u32 m = 0; m < bi->n_modules; m++) {
		const struct lm_bi_module *k = &bi->modules[m];
		if (strcmp(k->name, "kbench"))
			continue;
		for (lm_u32 i = 0; !lm_elf_segment((const void *)k->vaddr, k->size, i, &seg); i++) {
			if (!(seg.rights & LM_R_WRITE))
				continue;
			volatile lm_u8 *p = (volatile lm_u8 *)(seg.vaddr & ~4095ull);
			for (; (lm_u64)p < seg.vaddr + seg.memsz; p += 4096)
				*p = *p;
		}
	}
}

void kb_bpf(void)
{
	lm_cptr_t done = new_obj(LM_OBJ_NOTIFY, 0);
	if (!done)
		return;
	own_writable_pages();
	if (selected("bpf_verify_200")) {
		make_filter200();
		bench_self("bpf_verify_200", 20, 1, op_verify);
	}
	run_pair("bpf_run_interp", "bpf_prog_interp", LM_BPF_LOAD_NOJIT);
	run_pair("bpf_run_jit", "bpf_prog_jit", 0);
	kb_bpf_load();
	lm_cptr_t f;
	filtered_name = "bpf_filter_syscall";
	if (selected(filtered_name) &&
	    (f = load(LM_BPF_PROG_SYSCALL, small_filter, sizeof(small_filter) / 8, 0)) &&
	    thread(filtered_bench, done, stack_a, PRIO, f))
		lm_ntfn_wait(done, 0);
	filtered_name = "bpf_filter_syscall_run";
	if (selected(filtered_name) &&
	    (f = load(LM_BPF_PROG_SYSCALL, arg_filter, sizeof(arg_filter) / 8, 0)) &&
	    thread(filtered_bench, done, stack_a, PRIO, f))
		lm_ntfn_wait(done, 0);
	static const struct lm_bpf_insn first_word[] = { LDXDW(0, 1, 0), EXIT() };
	if (selected("bpf_predicate_wake") &&
	    (pred = load(LM_BPF_PROG_PREDICATE, first_word, 2, 0)) &&
	    (pred_ntfn = new_obj(LM_OBJ_NOTIFY, 0)) &&
	    thread(sleeper, 0, stack_a, PRIO, 0) && thread(signaller, done, stack_b, PRIO - 1, 0))
		lm_ntfn_wait(done, 0);
	if (failed)
		lm_printf("kbench: an eBPF benchmark's call failed\n");
}
