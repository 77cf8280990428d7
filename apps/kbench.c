/*
 * kbench: Lamina's side of `make bench` (docs/BENCHMARKS.md). Started by
 * root on the `bench` command line with memory and the boot modules; it
 * spawns copies of itself as partners in other address spaces.
 *
 * Each benchmark: one warm-up batch, then 11 batches timed with rdtsc
 * (fenced), and one line with the median batch's cost per operation:
 *   BENCH <name> cycles=<per op> ns=<per op> iters=<ops per batch>
 * Under QEMU with -icount shift=0 rdtsc counts guest instructions, so
 * cycles= is instructions per operation.
 */
#include "kbench.h"

#define BATCHES    11
#define PRIO       100
#define P_TCB      8  /* partner slots: our TCB, then its objects */
#define P_OBJ1     9
#define P_OBJ2     10
#define IPCBUF_VA  0x600000000ull


const struct lm_bootinfo *bi;
static lm_u8 local_stack[16384] __attribute__((aligned(16)));

/* BENCH_ONLY (bench.only=a,b on the command line) selects benchmarks. */
int selected(const char *name)
{
	const char *p = bi->cmdline, *key = "bench.only=";
	lm_u64 n = strlen(name), k = strlen(key);

	for (; *p; p++)
		if (!strncmp(p, key, k))
			break;
	if (!*p)
		return 1;
	for (p += k; *p && *p != ' ';) {
		const char *e = p;
		while (*e && *e != ',' && *e != ' ')
			e++;
		if ((lm_u64)(e - p) == n && !strncmp(p, name, n))
			return 1;
		p = *e == ',' ? e + 1 : e;
	}
	return 0;
}

/* ---- the counting build's events (docs/BENCHMARKS.md) ------------------ */

#define NCOUNTS (sizeof(struct lm_counts) / sizeof(lm_u64))
int counting;
static struct lm_counts span_at, span_sum; /* the last reading; the kept spans' sum */
static int span_keep;                      /* the span since span_at is kept */
static lm_u64 spans;                       /* spans kept */
/* Where the kernel's time goes, per system call (only for the benchmarks
 * named in detailed(): fork_exit and spawn and their series). */
static int detail;
static struct lm_kernel_time kt_at[LM_KT_N], kt_sum[LM_KT_N];
static const char *const sys_names[LM_NSYSCALLS] = {
#define KB_SYS_NAME(name, n) [n] = #name,
	LM_SYSCALLS(KB_SYS_NAME)
#undef KB_SYS_NAME
};

/* A reading of the counters ends the span since the last one (added to
 * the sum if kept) and starts the next. A span's events include the exit
 * of the reading that opened it and the entry of the one that closed it:
 * taken off. */
void span_mark(int keep)
{
	struct lm_counts now;
	struct lm_kernel_time kt[LM_KT_N];
	lm_u64 *a = (lm_u64 *)&span_at, *b = (lm_u64 *)&now, *sum = (lm_u64 *)&span_sum;

	if (lm_sys(LM_SYS_DEBUG_COUNTS, lm_debug_cap, (lm_u64)&now, detail ? (lm_u64)kt : 0,
		   0, 0, 0, 0)) {
		counting = 0;
		return;
	}
	if (span_keep) {
		for (unsigned i = 0; i < NCOUNTS; i++)
			sum[i] += b[i] - a[i];
		span_sum.syscalls--;
		span_sum.exits--;
		spans++;
		for (unsigned i = 0; detail && i < LM_KT_N; i++) {
			kt_sum[i].calls += kt[i].calls - kt_at[i].calls;
			kt_sum[i].ticks += kt[i].ticks - kt_at[i].ticks;
		}
	}
	span_at = now;
	span_keep = keep;
	if (detail)
		memcpy(kt_at, kt, sizeof kt);
}

static void span_reset(const char *name)
{
	span_sum = (struct lm_counts){ 0 };
	spans = 0;
	span_keep = 0;
	detail = !strncmp(name, "fork_exit", 9) || !strncmp(name, "spawn", 5);
	memset(kt_sum, 0, sizeof kt_sum);
}


/* Per operation, to two decimals: x / ops. */
static void count_fmt(char *buf, lm_u64 x, lm_u64 ops)
{
	lm_u64 h = (x * 100 + ops / 2) / ops;
	lm_snprintf(buf, 24, "%lu.%02lu", h / 100, h % 100);
}

/* KTIME lines: the kernel's time per operation by system call, largest
 * first (the closing readings' own DEBUG_COUNTS calls are left out). */
static void ktime_report(const char *name, lm_u64 ops)
{
	char calls[24], ticks[24];
	lm_u64 total = 0;

	kt_sum[LM_SYS_DEBUG_COUNTS - LM_SYS_BASE] = (struct lm_kernel_time){ 0 };
	for (unsigned i = 0; i < LM_KT_N; i++)
		total += kt_sum[i].ticks;
	count_fmt(ticks, total, ops);
	lm_printf("KTIME %s kernel ticks=%s\n", name, ticks);
	for (;;) {
		unsigned m = 0;
		for (unsigned i = 1; i < LM_KT_N; i++)
			if (kt_sum[i].ticks > kt_sum[m].ticks)
				m = i;
		if (!kt_sum[m].ticks)
			break;
		count_fmt(calls, kt_sum[m].calls, ops);
		count_fmt(ticks, kt_sum[m].ticks, ops);
		lm_printf("KTIME %s %s calls=%s ticks=%s\n", name,
			  m < LM_NSYSCALLS ? sys_names[m] : m == LM_KT_OTHER ? "other" :
			  m == LM_KT_EXCEPTIONS ? "exceptions" : "interrupts", calls, ticks);
		kt_sum[m].ticks = 0;
	}
}

/* COUNT <name> switches= cr3= flush= flush_full= invlpg= entries= interrupts=
 * per operation, from the spans kept over `ops` operations. */
static void count_report(const char *name, lm_u64 ops)
{
	const struct lm_counts *c = &span_sum;
	char sw[24], cr3[24], fl[24], full[24], pg[24], irq[24];

	if (!spans)
		return;
	count_fmt(sw, LM_COUNT_SWITCHES(c), ops);
	count_fmt(cr3, c->cr3_writes, ops);
	count_fmt(fl, c->flush_full + c->flush_page, ops);
	count_fmt(full, c->flush_full, ops);
	count_fmt(pg, c->flush_page, ops);
	count_fmt(irq, c->interrupts + c->kernel_irqs, ops);
	lm_printf("COUNT %s switches=%s cr3=%s flush=%s flush_full=%s invlpg=%s irqs=%s ops=%lu\n",
		  name, sw, cr3, fl, full, pg, irq, ops);
	if (detail)
		ktime_report(name, ops);
}

static void report(const char *name, lm_u64 c[BATCHES], lm_u64 iters, lm_u64 per)
{
	for (int i = 1; i < BATCHES; i++) /* insertion sort: 11 values */
		for (int j = i; j > 0 && c[j - 1] > c[j]; j--) {
			lm_u64 t = c[j];
			c[j] = c[j - 1];
			c[j - 1] = t;
		}
	lm_u64 ops = iters * per, cyc = (c[BATCHES / 2] + ops / 2) / ops;
	lm_u64 ns = bi->tsc_khz ? cyc * 1000000 / bi->tsc_khz : 0;
	lm_printf("BENCH %s cycles=%lu ns=%lu iters=%lu\n", name, cyc, ns, ops);
}

void bench(const char *name, lm_u64 iters, lm_u64 per, void (*op)(lm_u64))
{
	lm_u64 c[BATCHES];

	op(iters);
	if (counting) {
		span_reset(name);
		span_mark(1);
	}
	for (int i = 0; i < BATCHES; i++) {
		lm_u64 t0 = tsc();
		op(iters);
		c[i] = tsc() - t0;
	}
	if (counting)
		span_mark(0);
	report(name, c, iters, per);
	if (counting)
		count_report(name, BATCHES * iters * per);
}

void bench_self(const char *name, lm_u64 iters, lm_u64 per, lm_u64 (*op)(lm_u64))
{
	lm_u64 c[BATCHES];

	op(iters);
	span_reset(name);
	for (int i = 0; i < BATCHES; i++)
		c[i] = op(iters);
	report(name, c, iters, per);
	if (counting)
		count_report(name, BATCHES * iters * per);
}

/* ---- partners (a copy of this program in another address space) ------- */

/* Echo server: reply with the length received. */
static void __attribute__((noreturn)) serve(lm_cptr_t ep)
{
	struct lm_msg m;

	lm_ep_recv(ep, &m);
	for (;;)
		lm_ep_reply_recv(ep, LM_MSG_INFO(0, LM_MSG_LEN(m.info), 0), m.w[0], 0, 0, 0, &m);
}

static void partner_main(lm_u64 mode)
{
	switch (mode) {
	case P_YIELD:
		for (;;)
			lm_thread_yield_to(P_TCB);
	case P_YIELD_SCHED:
		for (;;)
			lm_thread_yield();
	case P_SERVER:
		/* Its IPC buffer frame was mapped for it at IPCBUF_VA. */
		lm_thread_set_ipc_buffer(LM_SLOT_TCB, P_OBJ2);
		serve(P_OBJ1);
	case P_NOTIFY:
		for (;;) {
			lm_ntfn_wait(P_OBJ1, 0);
			lm_ntfn_signal(P_OBJ2);
		}
	case P_PAGER:
		kb_pager_serve(P_OBJ1);
	}
}

struct lm_proc partner;

/* Start a partner with our TCB and up to two objects (copied with all
 * rights; a frame in obj2 is also mapped at IPCBUF_VA). */
int partner_start(lm_u64 mode, lm_cptr_t obj1, lm_cptr_t obj2, int obj2_frame)
{
	const struct lm_bi_module *m = 0;
	struct lm_spawn_cap caps[3] = {
		{ LM_SLOT_TCB, P_TCB, LM_R_ALL, 0, 0 },
		{ obj1, P_OBJ1, LM_R_ALL, 0, 0 },
		{ obj2, P_OBJ2, obj2_frame ? LM_R_READ | LM_R_WRITE : LM_R_ALL,
		  obj2_frame ? LM_SPAWN_MAP : 0, IPCBUF_VA },
	};
	struct lm_spawn a = { 0 };

	for (lm_u32 i = 0; i < bi->n_modules; i++)
		if (!strcmp(bi->modules[i].name, "kbench"))
			m = &bi->modules[i];
	if (!m)
		return LM_ENOENT;
	a.image = (const void *)m->vaddr;
	a.size = m->size;
	a.arg = mode;
	a.prio = PRIO;
	a.cnode_bits = 8;
	a.caps = caps;
	a.ncaps = obj2 ? 3 : obj1 ? 2 : 1;
	return lm_spawn(&a, &partner);
}

void partner_stop(void)
{
	lm_thread_suspend(partner.tcb);
	lm_proc_destroy(&partner);
}

/* ---- the benchmarks ----------------------------------------------------- */

/* An unassigned system-call number: entry, table bound check, LM_ENOSYS, exit. */
static void op_null(lm_u64 n)
{
	for (lm_u64 i = 0; i < n; i++) {
		lm_u64 rax = LM_SYS_END, rdi, rsi;
		/* A failed call reports the argument and detail in rdi, rsi. */
		__asm__ volatile("syscall" : "+a"(rax), "=D"(rdi), "=S"(rsi) :: "rcx", "r11", "memory");
	}
}

static lm_cptr_t target;

static void op_yield(lm_u64 n)
{
	for (lm_u64 i = 0; i < n; i++)
		lm_thread_yield_to(target);
}

/* THREAD_YIELD, no target: the scheduler picks the next ready thread of
 * the highest priority, here the partner (the two alone at PRIO). */
static void op_yield_sched(lm_u64 n)
{
	for (lm_u64 i = 0; i < n; i++)
		lm_thread_yield();
}

static lm_u64 msg_len;

static void op_call(lm_u64 n)
{
	struct lm_msg r;
	for (lm_u64 i = 0; i < n; i++)
		lm_ep_call(target, LM_MSG_INFO(0, msg_len, 0), i, 0, 0, 0, &r);
}

static lm_cptr_t ntfn_a, ntfn_b;

static void op_notify(lm_u64 n)
{
	for (lm_u64 i = 0; i < n; i++) {
		lm_ntfn_signal(ntfn_a);
		lm_ntfn_wait(ntfn_b, 0);
	}
}

static lm_word_t local_server(lm_word_t ep)
{
	serve(ep);
	return 0;
}

/* ---- exceptions: an upcall into our own handler, which skips the fault
 * and resumes without a system call ---------------------------------------- */

__asm__(".text\n"
	".globl kb_ud, kb_ud_end, kb_de, kb_de_at, kb_de_end, kb_bp, kb_st, kb_st_end\n"
	"kb_ud: ud2\n"
	"kb_ud_end: ret\n"
	"kb_de: xor %ecx, %ecx\n mov $1, %eax\n xor %edx, %edx\n"
	"kb_de_at: div %ecx\n"
	"kb_de_end: ret\n"
	"kb_bp: int3\n ret\n"
	"kb_st: movq $1, (%rdi)\n"
	"kb_st_end: ret\n");
extern char kb_ud[], kb_ud_end[], kb_de_at[], kb_de_end[], kb_st[], kb_st_end[];
void kb_call_ud(void) __asm__("kb_ud");
void kb_call_de(void) __asm__("kb_de");
void kb_call_bp(void) __asm__("kb_bp");
void kb_call_st(lm_u64 addr) __asm__("kb_st");

#define RO_PAGE 0x640000000ull
static lm_u8 exc_stack[8192] __attribute__((aligned(16)));

/* Skip whichever fault site faulted (int3 already points past itself). */
static void skip_fault(struct lm_exc_frame *f)
{
	if (f->regs.rip == (lm_u64)kb_ud)
		f->regs.rip = (lm_u64)kb_ud_end;
	else if (f->regs.rip == (lm_u64)kb_de_at)
		f->regs.rip = (lm_u64)kb_de_end;
	else if (f->regs.rip == (lm_u64)kb_st)
		f->regs.rip = (lm_u64)kb_st_end;
}

static void op_exc_ud(lm_u64 n) { for (lm_u64 i = 0; i < n; i++) kb_call_ud(); }
static void op_exc_div(lm_u64 n) { for (lm_u64 i = 0; i < n; i++) kb_call_de(); }
static void op_exc_bp(lm_u64 n) { for (lm_u64 i = 0; i < n; i++) kb_call_bp(); }
static void op_exc_prot(lm_u64 n) { for (lm_u64 i = 0; i < n; i++) kb_call_st(RO_PAGE); }


static void run_exceptions(void)
{
	lm_cptr_t ro = new_obj(LM_OBJ_FRAME, 12);
	if (!ro || lm_map_page(LM_SLOT_VSPACE, ro, RO_PAGE, LM_R_READ) ||
	    lm_exc_install(LM_SLOT_TCB, skip_fault, exc_stack + sizeof exc_stack, sizeof exc_stack)) {
		lm_printf("kbench: cannot set up the exception handler\n");
		return;
	}
	if (selected("exc_prot"))
		bench("exc_prot", 1000, 1, op_exc_prot);
	if (selected("exc_div"))
		bench("exc_div", 1000, 1, op_exc_div);
	if (selected("exc_ud"))
		bench("exc_ud", 1000, 1, op_exc_ud);
	if (selected("exc_bp"))
		bench("exc_bp", 1000, 1, op_exc_bp);
	lm_exc_install(LM_SLOT_TCB, 0, 0, 0);
}

lm_cptr_t new_obj(lm_u32 type, lm_u32 bits)
{
	lm_cptr_t s = 0;
	return lm_obj_alloc(type, bits, &s) ? 0 : s;
}

static void run_ipc(void)
{
	static const struct { const char *name; lm_u64 len; } lens[] = {
		{ "ipc_rtt_len_0", 0 }, { "ipc_rtt_len_1", 1 }, { "ipc_rtt_len_2", 2 },
		{ "ipc_rtt_len_4", 4 }, { "ipc_rtt_len_8", 8 }, { "ipc_rtt_len_16", 16 },
		{ "ipc_rtt_len_32", 32 }, { "ipc_rtt_len_64", 64 },
	};
	lm_cptr_t ep = new_obj(LM_OBJ_ENDPOINT, 0), buf = new_obj(LM_OBJ_FRAME, 12);
	lm_cptr_t mybuf = new_obj(LM_OBJ_FRAME, 12);

	int err = !ep || !buf || !mybuf ? LM_ENOMEM : lm_thread_set_ipc_buffer(LM_SLOT_TCB, mybuf);
	if (!err)
		err = partner_start(P_SERVER, ep, buf, 1);
	if (err) {
		lm_printf("kbench: cannot set up the IPC server: %s\n", lm_err_str(err));
		return;
	}
	target = ep;
	msg_len = 1;
	if (selected("ipc_rtt"))
		bench("ipc_rtt", 2000, 1, op_call);
	for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		msg_len = lens[i].len;
		if (selected(lens[i].name))
			bench(lens[i].name, 1000, 1, op_call);
	}
	partner_stop();

	/* The same round trip with the server in our own address space. */
	lm_cptr_t tcb;
	if (selected("ipc_rtt_local") && !lm_thread_new(LM_SLOT_CNODE, LM_SLOT_VSPACE, &tcb) &&
	    !lm_thread_start(tcb, local_server, ep, local_stack + sizeof(local_stack), PRIO)) {
		msg_len = 1;
		bench("ipc_rtt_local", 2000, 1, op_call);
		lm_thread_suspend(tcb);
	}
}

int main(lm_word_t arg)
{
	if (arg != LM_BOOTINFO_VADDR) {
		partner_main(arg);
		return 1;
	}
	bi = (const struct lm_bootinfo *)arg;
	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
	static struct lm_pool pool;
	lm_pool_init(&pool, 22);
	for (lm_u32 i = 0; i < bi->n_untyped; i++)
		lm_pool_add(&pool, bi->untyped[i].slot);
	lm_pool_use(&pool);
	lm_printf("kbench: tsc %lu kHz\n", bi->tsc_khz);
	/* Only the counting kernel's root gives kbench the debug capability. */
	counting = bi->debug_slot && !lm_debug_counts(&span_at);
	if (counting)
		lm_printf("# kbench: counting switches, CR3 writes and TLB flushes\n");

	if (selected("null_syscall"))
		bench("null_syscall", 10000, 1, op_null);

	if (selected("yield_ctxsw") && !partner_start(P_YIELD, 0, 0, 0)) {
		target = partner.tcb;
		bench("yield_ctxsw", 2000, 2, op_yield); /* there and back: 2 switches */
		partner_stop();
	}
	if (selected("yield_sched") && !partner_start(P_YIELD_SCHED, 0, 0, 0)) {
		bench("yield_sched", 2000, 2, op_yield_sched); /* ours and the partner's */
		partner_stop();
	}

	run_ipc();

	ntfn_a = new_obj(LM_OBJ_NOTIFY, 0);
	ntfn_b = new_obj(LM_OBJ_NOTIFY, 0);
	if (selected("notify_rtt") && ntfn_a && ntfn_b && !partner_start(P_NOTIFY, ntfn_a, ntfn_b, 0)) {
		bench("notify_rtt", 2000, 1, op_notify);
		partner_stop();
	}
	run_exceptions();
	kb_pager();
	kb_vm();
	kb_linux();
	kb_proc();
	kb_cap();
	kb_bpf();
	kb_uth();
	kb_mem();
	lm_printf("kbench: done\n");
	return 0;
}
