/*
 * kbench's shared parts: every apps/kbench*.c file adds benchmarks for one
 * area, run from main() in apps/kbench.c.
 */
#ifndef KBENCH_H
#define KBENCH_H

#include <lm/lamina.h>

extern const struct lm_bootinfo *bi;

static inline lm_u64 tsc(void)
{
	lm_u32 lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((lm_u64)hi << 32) | lo;
}

/* The counting kernel (make bench-count) answers DEBUG_COUNTS: then each
 * benchmark also prints its switches, CR3 writes and TLB flushes per
 * operation (a COUNT line). Under any other kernel kbench makes no
 * counting call at all, and none of this runs inside a timed window. */
extern int counting;
void span_mark(int keep);
/* A self-timed op's timed part: t0 = span_begin(); ...; c += span_end(t0).
 * The counting build adds the part's events to the benchmark's counts;
 * the test of `counting` lies outside the timed window either way. */
static inline lm_u64 span_begin(void)
{
	if (counting)
		span_mark(1);
	return tsc();
}
static inline lm_u64 span_end(lm_u64 t0)
{
	lm_u64 d = tsc() - t0; /* before the test: t0 need not live across a call */
	if (counting)
		span_mark(0);
	return d;
}

/* Whether bench.only= on the command line (absent: everything) names it. */
int selected(const char *name);

/* Run op(iters) for a warm-up and 11 timed batches; print the median batch
 * divided by iters * per (operations per iteration) as a BENCH line. */
void bench(const char *name, lm_u64 iters, lm_u64 per, void (*op)(lm_u64));
/* The same where op times itself and returns the cycles of its batch (for
 * operations whose set-up must not be counted). */
void bench_self(const char *name, lm_u64 iters, lm_u64 per, lm_u64 (*op)(lm_u64));

/* A new object from the default pool, or 0. */
lm_cptr_t new_obj(lm_u32 type, lm_u32 bits);

/* Partners: a copy of kbench in another address space, in one of these
 * modes, with our TCB and up to two objects (copied with all rights; a
 * frame in obj2 is also mapped at its IPC-buffer address). */
enum partner_mode { P_YIELD = 1, P_SERVER, P_NOTIFY, P_PAGER, P_YIELD_SCHED };
extern struct lm_proc partner;
int partner_start(lm_u64 mode, lm_cptr_t obj1, lm_cptr_t obj2, int obj2_frame);
void partner_stop(void);

/* The areas. */
void kb_pager(void);  /* kbench_pager.c: fault IPC */
__attribute__((noreturn)) void kb_pager_serve(lm_cptr_t ep); /* its partner */
void kb_vm(void);     /* kbench_vm.c: page-level primitives, Appel-Li, faults */
void kb_linux(void);  /* kbench_linux.c: reflected Linux system calls */
void kb_proc(void);   /* kbench_proc.c: processes */
void kb_cap(void);    /* kbench_cap.c: revoke and delete in the derivation tree */
void kb_bpf(void);    /* kbench_bpf.c: eBPF loading, runs, filters, predicates */
void kb_bpf_load(void); /* kbench_bpfload.c: the verifier's scaling, its worst case */
void kb_uth(void);    /* kbench_uth.c: user-level threads, the preemption upcall */
void kb_mem(void);    /* kbench_mem.c: memory revocation (servers/mem); last: it sets
		       * an IPC buffer of its own */

#endif
