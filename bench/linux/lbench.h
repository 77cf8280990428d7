/*
 * What lbench's files share (lbench.c: timing, output and the driver;
 * lbench_vm.c: exceptions and the Appel-Li memory benchmarks).
 */
#ifndef LBENCH_H
#define LBENCH_H

#include <stdint.h>
#include "bench_time.h"
#include "lcount.h"

#define PAGE 4096UL

/* A batch performs n operations of each of its k metrics and adds the cycles
 * spent on metric j to cyc[j] (lbench.c's measure). */
typedef void batch_fn(long n, uint64_t *cyc, void *ctx);
void measure(int k, const char *const names[], long n, batch_fn *batch, void *ctx);
void measure1(const char *name, long n, batch_fn *batch, void *ctx);
/* Print the error and end this benchmark's run. */
void die(const char *what) __attribute__((noreturn));
/* npages fresh pages, each written once. */
char *touched_pages(long npages);

/* lbench_vm.c */
void bench_exc_prot(void);
void bench_exc_div(void);
void bench_exc_ud(void);
void bench_exc_bp(void);
void bench_prot1(void);
void bench_prot100(void);
void bench_trap(void);
void bench_appel1(void);
void bench_appel2(void);
void bench_pagefault(void);

#endif
