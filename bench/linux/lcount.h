/*
 * lbench's counting boot (lcount.c): the events each operation makes the
 * kernel do, from perf tracepoint counters. See lcount.c.
 */
#ifndef LCOUNT_H
#define LCOUNT_H

#define MAXMETRIC 2 /* metrics one batch can time (lbench.c's measure) */

extern int counting;   /* lbench.count on the command line */
void count_open(void); /* open the counters (counting = 0 if it cannot) */
void count_reset(void);
/* End the span since the last mark (its events go to the metric it was
 * opened for, to none if -1) and open one for metric `next` (-1: none).
 * Outside the counting boot it does nothing. */
void count_mark(int next);
/* COUNT <name> ... per operation of metric j over ops operations. */
void count_report(const char *name, int j, long ops);

/* The line printer, out: bench_time.h's. */
#include "bench_time.h"

#endif
