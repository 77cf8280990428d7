/*
 * lbench.count on the command line (tools/bench-linux.sh, BENCH_COUNT): a
 * separate boot that counts, with perf tracepoint counters on CPU 0 (where
 * everything runs), what each operation makes the kernel do: system calls
 * (raw_syscalls:sys_enter), user page faults (exceptions:page_fault_user),
 * and TLB work (tlb:tlb_flush: on every switch of address space, pages 0 or
 * all; on a local flush, pages = how many INVLPGs or all). Enabling
 * tracepoints patches the kernel's code, so this boot's cycles are not
 * figures: only its COUNT lines are used. Counting is system-wide on CPU 0,
 * so partners in other processes count too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lcount.h"

#define PERF_TYPE_TRACEPOINT 2
#define PERF_FORMAT_GROUP 8
#define PERF_IOC_SET_FILTER 0x40082406UL
#define TLB_FLUSH_ALL_MIN "4294967296" /* pages above this: TLB_FLUSH_ALL (-1) */

struct perf_attr { /* perf_event_attr as of PERF_ATTR_SIZE_VER0 (64 bytes) */
	uint32_t type, size;
	uint64_t config, sample_period, sample_type, read_format, flags;
	uint32_t wakeup_events, bp_type;
	uint64_t bp_addr;
};

/* The counters, in group order. */
enum { C_SYSCALLS, C_FAULTS, C_SWITCH_MM, C_SWITCH_FLUSH, C_LOCAL_FULL, C_LOCAL_PAGES, C_IRQS, NC };
static const struct { const char *event, *filter; } cdef[NC] = {
	[C_SYSCALLS] = {"raw_syscalls/sys_enter", NULL},
	[C_FAULTS] = {"exceptions/page_fault_user", NULL},
	/* reason 0, TLB_FLUSH_ON_TASK_SWITCH: a switch of address space, a
	 * CR3 write, with pages all if it flushed (always without PCID) */
	[C_SWITCH_MM] = {"tlb/tlb_flush", "reason == 0"},
	[C_SWITCH_FLUSH] = {"tlb/tlb_flush", "reason == 0 && pages > " TLB_FLUSH_ALL_MIN},
	/* a local flush: all (CR3 rewritten, native_flush_tlb_local) or a
	 * range, one INVLPG per page (up to 33 pages) */
	[C_LOCAL_FULL] = {"tlb/tlb_flush", "reason != 0 && pages > " TLB_FLUSH_ALL_MIN},
	[C_LOCAL_PAGES] = {"tlb/tlb_flush", "reason != 0 && pages > 0 && pages < " TLB_FLUSH_ALL_MIN},
	[C_IRQS] = {"irq_vectors/local_timer_entry", NULL},
};
int counting;
static int group_fd = -1;
static int cmetric = -1;                 /* the metric the events since cat are for */
static uint64_t cat[NC], csum[MAXMETRIC][NC], cspans[MAXMETRIC];

static int tracepoint_id(const char *event)
{
	char path[160], buf[32];
	snprintf(path, sizeof path, "/sys/kernel/tracing/events/%s/id", event);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return atoi(buf);
}

void count_open(void)
{
	mkdir("/sys/kernel/tracing", 0555);
	mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	for (int i = 0; i < NC; i++) {
		struct perf_attr a = {0};
		int id = tracepoint_id(cdef[i].event);
		a.type = PERF_TYPE_TRACEPOINT;
		a.size = sizeof a;
		a.config = id;
		a.read_format = PERF_FORMAT_GROUP;
		a.sample_period = 0;
		int fd = id < 0 ? -1 : (int)syscall(SYS_perf_event_open, &a, -1, 0, group_fd, 0);
		if (fd < 0 || (cdef[i].filter && ioctl(fd, PERF_IOC_SET_FILTER, cdef[i].filter))) {
			out("# lbench: cannot count %s (%s): %s", cdef[i].event,
			    cdef[i].filter ? cdef[i].filter : "", strerror(errno));
			counting = 0;
			return;
		}
		if (group_fd < 0)
			group_fd = fd;
	}
}

void count_reset(void)
{
	memset(csum, 0, sizeof csum);
	memset(cspans, 0, sizeof cspans);
}

/* Events since the last mark go to metric cmetric (none if -1); the next
 * span's to `next`. The reading's own system call is taken off. */
void count_mark(int next)
{
	uint64_t buf[1 + NC];
	if (!counting)
		return;
	if (read(group_fd, buf, sizeof buf) != sizeof buf || buf[0] != NC) {
		counting = 0;
		return;
	}
	if (cmetric >= 0) {
		for (int i = 0; i < NC; i++)
			csum[cmetric][i] += buf[1 + i] - cat[i];
		csum[cmetric][C_SYSCALLS]--;
		cspans[cmetric]++;
	}
	memcpy(cat, buf + 1, sizeof cat);
	cmetric = next;
}

static void count_fmt(char *b, uint64_t x, long ops)
{
	uint64_t h = (x * 100 + ops / 2) / ops;
	snprintf(b, 24, "%llu.%02llu", (unsigned long long)(h / 100), (unsigned long long)(h % 100));
}

/* Privilege switches: every entry (system call, fault) and its return. The
 * other exceptions (#DE, #UD, #BP) have no tracepoint: exc_div, exc_ud and
 * exc_bp add them in docs/BENCHMARKS.md. */
void count_report(const char *name, int j, long ops)
{
	const uint64_t *c = csum[j];
	char sw[24], cr3[24], fl[24], full[24], pg[24], irq[24];
	if (!counting || !cspans[j])
		return;
	count_fmt(sw, 2 * (c[C_SYSCALLS] + c[C_FAULTS]), ops);
	/* A CR3 write on every switch of address space and every full local
	 * flush (native_flush_tlb_local rewrites CR3). invlpg= counts range
	 * flushes (each of 1 to 33 pages; 1 in these benchmarks). */
	count_fmt(cr3, c[C_SWITCH_MM] + c[C_LOCAL_FULL], ops);
	count_fmt(fl, c[C_SWITCH_FLUSH] + c[C_LOCAL_FULL] + c[C_LOCAL_PAGES], ops);
	count_fmt(full, c[C_SWITCH_FLUSH] + c[C_LOCAL_FULL], ops);
	count_fmt(pg, c[C_LOCAL_PAGES], ops);
	count_fmt(irq, c[C_IRQS], ops);
	out("COUNT %s switches=%s cr3=%s flush=%s flush_full=%s invlpg=%s irqs=%s ops=%ld", name, sw,
	    cr3, fl, full, pg, irq, ops);
}

