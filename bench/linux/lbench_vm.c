/*
 * lbench's exceptions and memory benchmarks (lbench.c runs them): signals
 * for faults and traps, mprotect, and Appel and Li's primitives (trap,
 * appel1, appel2) and the page fault, each as BENCHMARKS.md defines it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "lbench.h"

/* ---------------------------------------------------------------- exceptions */

/* Each handler resumes after the faulting instruction, whose length is fixed
 * by pinning its operands to registers in the asm below. */
static void skip_insn(void *uc, int len) { ((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP] += len; }
static void h_skip3(int sig, siginfo_t *si, void *uc) { (void)sig, (void)si, skip_insn(uc, 3); }
static void h_skip2(int sig, siginfo_t *si, void *uc) { (void)sig, (void)si, skip_insn(uc, 2); }
static void h_none(int sig, siginfo_t *si, void *uc) { (void)sig, (void)si, (void)uc; }

static void handle(int sig, void (*h)(int, siginfo_t *, void *))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL))
		die("sigaction");
}

static void b_exc_prot(long n, uint64_t *cyc, void *ctx)
{
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++)
		__asm__ volatile("movb $1, (%%rdi)" /* c6 07 01: 3 bytes */ ::"D"(ctx) : "memory");
	cyc[0] += tsc() - t0;
}

static void b_exc_div(long n, uint64_t *cyc, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		unsigned a = 1, d = 0;
		__asm__ volatile("divl %%ecx" /* f7 f1: 2 bytes */ : "+a"(a), "+d"(d) : "c"(0));
	}
	cyc[0] += tsc() - t0;
}

static void b_exc_ud(long n, uint64_t *cyc, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++)
		__asm__ volatile("ud2" ::: "memory");
	cyc[0] += tsc() - t0;
}

/* int3 is a trap: the saved RIP is already past it. */
static void b_exc_bp(long n, uint64_t *cyc, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++)
		__asm__ volatile("int3" ::: "memory");
	cyc[0] += tsc() - t0;
}

void bench_exc_prot(void)
{
	char *p = touched_pages(1);
	if (mprotect(p, PAGE, PROT_READ))
		die("mprotect");
	handle(SIGSEGV, h_skip3);
	measure1("exc_prot", 200, b_exc_prot, p);
}

void bench_exc_div(void) { handle(SIGFPE, h_skip2); measure1("exc_div", 200, b_exc_div, NULL); }
void bench_exc_ud(void) { handle(SIGILL, h_skip2); measure1("exc_ud", 200, b_exc_ud, NULL); }
void bench_exc_bp(void) { handle(SIGTRAP, h_none); measure1("exc_bp", 200, b_exc_bp, NULL); }

/* ---------------------------------------------------------------- mprotect */

struct region { char *p; long npages; };

/* Alternate RO/RW so every call changes the page tables; each direction is
 * timed on its own.  prot<N> is "make read-only", unprot<N> its inverse. */
static void b_protect(long n, uint64_t *cyc, void *ctx)
{
	struct region *r = ctx;
	size_t len = r->npages * PAGE;
	for (long i = 0; i < n; i++) {
		count_mark(0);
		uint64_t t0 = tsc();
		mprotect(r->p, len, PROT_READ);
		uint64_t t1 = tsc();
		count_mark(1); /* lbench.count only: its cycles are not figures */
		mprotect(r->p, len, PROT_READ | PROT_WRITE);
		uint64_t t2 = tsc();
		count_mark(-1);
		cyc[0] += t1 - t0;
		cyc[1] += t2 - t1;
	}
}

void bench_prot1(void)
{
	struct region r = {touched_pages(1), 1};
	const char *names[2] = {"prot1", "unprot1"};
	measure(2, names, 200, b_protect, &r);
}

void bench_prot100(void)
{
	struct region r = {touched_pages(100), 100};
	const char *names[2] = {"prot100", "unprot100"};
	measure(2, names, 32, b_protect, &r);
}

/* ---------------------------------------------------------------- trap / appel */

static char *appel_base;  /* region the SIGSEGV handlers work on */
static long appel_prev;   /* appel1: page the handler unprotected last, or -1 */
static long fault_count;

/* trap, appel2: make the faulting page writable; the store then completes. */
static void h_unprot(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	fault_count++;
	mprotect((void *)((uintptr_t)si->si_addr & ~(PAGE - 1)), PAGE, PROT_READ | PROT_WRITE);
}

/* appel1: unprotect the faulting page and protect another (the previous one),
 * so exactly one of the 100 pages is writable at a time. */
static void h_appel1(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	fault_count++;
	char *page = (char *)((uintptr_t)si->si_addr & ~(PAGE - 1));
	mprotect(page, PAGE, PROT_READ | PROT_WRITE);
	if (appel_prev >= 0)
		mprotect(appel_base + appel_prev * PAGE, PAGE, PROT_READ);
	appel_prev = (page - appel_base) / PAGE;
}

/* Only the store is timed: fault, handler's mprotect, sigreturn, completion.
 * Re-protecting for the next round is not part of the operation. */
static void b_trap(long n, uint64_t *cyc, void *ctx)
{
	volatile char *p = ctx;
	for (long i = 0; i < n; i++) {
		uint64_t t0 = tsc();
		*p = 1;
		cyc[0] += tsc() - t0;
		count_mark(-1); /* lbench.count only: not the re-protect */
		mprotect((void *)p, PAGE, PROT_READ);
		count_mark(0);
	}
}

void bench_trap(void)
{
	char *p = touched_pages(1);
	mprotect(p, PAGE, PROT_READ);
	handle(SIGSEGV, h_unprot);
	measure1("trap", 100, b_trap, p);
}

static void b_appel1(long n, uint64_t *cyc, void *ctx)
{
	static long next;
	(void)ctx;
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++) {
		((volatile char *)appel_base)[next * PAGE] = 1;
		next = (next + 1) % 100;
	}
	cyc[0] += tsc() - t0;
}

static void check_faults(const char *name, long want)
{
	if (fault_count != want)
		out("# %s: %ld faults for %ld accesses", name, fault_count, want);
}

void bench_appel1(void)
{
	appel_base = touched_pages(100);
	mprotect(appel_base, 100 * PAGE, PROT_READ);
	appel_prev = -1;
	handle(SIGSEGV, h_appel1);
	measure1("appel1", 50, b_appel1, NULL);
	check_faults("appel1", 12 * 50);
}

/* Per page: one mprotect of all 100 pages, then 100 traps. */
static void b_appel2(long n, uint64_t *cyc, void *ctx)
{
	(void)ctx;
	uint64_t t0 = tsc();
	for (long r = 0; r < n / 100; r++) {
		mprotect(appel_base, 100 * PAGE, PROT_READ);
		for (long i = 0; i < 100; i++)
			((volatile char *)appel_base)[i * PAGE] = 1;
	}
	cyc[0] += tsc() - t0;
}

void bench_appel2(void)
{
	appel_base = touched_pages(100);
	handle(SIGSEGV, h_unprot);
	measure1("appel2", 100, b_appel2, NULL);
	check_faults("appel2", 12 * 100);
}

/* ---------------------------------------------------------------- pagefault */

/* One fault per 4 KiB page, as on the Lamina side.  The 1 MiB region is too
 * small for a transparent huge page anyway, and with -m 512M the kernel
 * turns THP off at boot (it does below 512 MiB of RAM); MADV_NOHUGEPAGE only
 * keeps that true if the mapping merges with a neighbour under a larger -m. */
static void b_pagefault(long n, uint64_t *cyc, void *ctx)
{
	(void)ctx;
	size_t len = n * PAGE;
	count_mark(-1);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	madvise(p, len, MADV_NOHUGEPAGE);
	count_mark(0); /* lbench.count only: not the mmap and munmap */
	uint64_t t0 = tsc();
	for (long i = 0; i < n; i++)
		((volatile char *)p)[i * PAGE] = 1;
	cyc[0] += tsc() - t0;
	count_mark(-1);
	munmap(p, len);
}

void bench_pagefault(void) { measure1("pagefault", 256, b_pagefault, NULL); }
