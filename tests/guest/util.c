/* Helpers shared by the tests (harness.h). */
#include "harness.h"

#define T_NSTACKS 16
#define T_STACK_SIZE 16384

static lm_u8 t_stacks[T_NSTACKS][T_STACK_SIZE] __attribute__((aligned(4096)));
static lm_u32 t_stack_next;

void t_reset_stacks(void)
{
	t_stack_next = 0;
}

void *t_stack(void)
{
	if (t_stack_next == T_NSTACKS) {
		t_fail(__FILE__, __LINE__, "out of test stacks");
		return 0;
	}
	return t_stacks[t_stack_next++] + T_STACK_SIZE;
}

lm_cptr_t t_slot(void)
{
	lm_cptr_t s = lm_slot_alloc();

	if (!s)
		t_fail(__FILE__, __LINE__, "out of slots");
	return s;
}

lm_cptr_t t_new(lm_u32 type, lm_u32 bits)
{
	lm_cptr_t s = 0;
	int err = lm_obj_alloc(type, bits, &s);

	if (err) {
		t_fail(__FILE__, __LINE__, "making object type %u bits %u: %s", type,
		       bits, lm_err_str(err));
		return 0;
	}
	return s;
}

lm_cptr_t t_vspace(void)
{
	lm_cptr_t s = 0;
	int err = lm_vspace_alloc(0, 0, &s);

	if (err)
		t_fail(__FILE__, __LINE__, "making an address space: %s", lm_err_str(err));
	return err ? 0 : s;
}

lm_cptr_t t_copy(lm_cptr_t src, lm_u32 rights)
{
	lm_cptr_t s = t_slot();
	int err;

	if (!s)
		return 0;
	err = lm_cnode_copy(LM_SLOT_CNODE, s, LM_SLOT_CNODE, src, rights);
	if (err) {
		t_fail(__FILE__, __LINE__, "copying slot %lu: %s", src, lm_err_str(err));
		return 0;
	}
	return s;
}

int t_map(lm_cptr_t frame, lm_u64 va, lm_u32 rights)
{
	int err = lm_map_page(LM_SLOT_VSPACE, frame, va, rights);

	if (err)
		t_fail(__FILE__, __LINE__, "mapping slot %lu at %#lx: %s", frame, va,
		       lm_err_str(err));
	return err;
}

lm_cptr_t t_frame_at(lm_u64 va, lm_u32 rights)
{
	lm_cptr_t f = t_new(LM_OBJ_FRAME, LM_PAGE_BITS);

	if (f && t_map(f, va, rights))
		return 0;
	return f;
}

struct t_id t_id_in(lm_cptr_t cn, lm_cptr_t slot)
{
	struct t_id r;

	r.err = lm_cnode_identify(cn, slot, &r.desc, &r.addr, &r.extra);
	return r;
}

struct t_id t_id(lm_cptr_t slot)
{
	return t_id_in(LM_SLOT_CNODE, slot);
}

lm_u32 t_type(lm_cptr_t slot)
{
	struct t_id r = t_id(slot);

	return r.err ? 0xff : LM_ID_TYPE(r.desc);
}

lm_u32 t_rights(lm_cptr_t slot)
{
	return LM_ID_RIGHTS(t_id(slot).desc);
}

int t_id_same(struct t_id a, struct t_id b)
{
	return a.err == b.err && a.desc == b.desc && a.addr == b.addr &&
	       a.extra == b.extra;
}

lm_u64 t_ut_free(lm_cptr_t ut)
{
	return t_id(ut).extra;
}

lm_cptr_t t_thread_new(void)
{
	lm_cptr_t tcb = t_new(LM_OBJ_TCB, 0);
	int err;

	if (!tcb)
		return 0;
	err = lm_thread_configure(tcb, LM_SLOT_CNODE, LM_SLOT_VSPACE);
	if (err) {
		t_fail(__FILE__, __LINE__, "configuring a thread: %s", lm_err_str(err));
		return 0;
	}
	return tcb;
}

lm_cptr_t t_thread(lm_thread_fn fn, lm_word_t arg, lm_u32 prio)
{
	lm_cptr_t tcb = t_thread_new();
	void *stack = t_stack();
	int err;

	if (!tcb || !stack)
		return 0;
	err = lm_thread_start(tcb, fn, arg, stack, prio);
	if (err) {
		t_fail(__FILE__, __LINE__, "starting a thread: %s", lm_err_str(err));
		return 0;
	}
	return tcb;
}

lm_u64 t_rdtsc(void)
{
	lm_u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (lm_u64)hi << 32 | lo;
}

lm_u64 t_ms_to_tsc(lm_u64 ms)
{
	/* Without a measured frequency assume 1 GHz: bounds stay bounds. */
	return ms * (t_bi->tsc_khz ? t_bi->tsc_khz : 1000000);
}

/* The deadline only ends a wait that has also had T_WAIT_TURNS yields (each
 * a turn for the thread, if it is at our priority): on a loaded host a
 * stall of QEMU can pass the deadline in one turn, and a thread that has
 * had its turns has had its chance, however long they took. */
#define T_WAIT_TURNS 1000

int t_wait_ms(lm_cptr_t tcb, lm_u64 ms, struct lm_thread_info *ti)
{
	lm_u64 end = t_rdtsc() + t_ms_to_tsc(ms);
	int err;

	for (lm_u32 turns = 0;; turns++) {
		err = lm_wait_thread(tcb, 0, ti);
		if (err != LM_EAGAIN)
			return err;
		if (turns >= T_WAIT_TURNS && t_rdtsc() >= end)
			return LM_EAGAIN;
		lm_thread_yield();
	}
}

int t_wait(lm_cptr_t tcb, struct lm_thread_info *ti)
{
	return t_wait_ms(tcb, 10000, ti);
}

void t_yield(lm_u32 n)
{
	while (n--)
		lm_thread_yield();
}

static lm_word_t waker(lm_word_t main_tcb)
{
	return lm_thread_resume(main_tcb);
}

void t_sleep_until_idle(void)
{
	/* The waker sits below every test thread and above root's waiting
	 * loop: it runs, and resumes us, only once nothing else can run. */
	lm_cptr_t w = t_thread_new();
	void *stack = t_stack();
	int err;

	if (!w || !stack)
		return;
	err = lm_thread_start(w, waker, LM_SLOT_TCB, stack, T_WAKER_PRIO);
	if (!err)
		err = lm_thread_suspend(LM_SLOT_TCB);
	if (err)
		t_fail(__FILE__, __LINE__, "sleeping: %s", lm_err_str(err));
}

const void *t_module(const char *name, lm_u64 *size)
{
	for (lm_u32 i = 0; i < t_bi->n_modules && i < LM_BI_MAX_MODULES; i++) {
		const struct lm_bi_module *m = &t_bi->modules[i];

		if (strncmp(m->name, name, LM_BI_NAME_LEN) == 0) {
			*size = m->size;
			return (const void *)m->vaddr;
		}
	}
	return 0;
}

int t_spawn_probe(lm_u64 arg, const struct lm_spawn_cap *caps, lm_u32 ncaps,
		  struct lm_proc *p)
{
	return t_spawn_probe_with(arg, 0, caps, ncaps, p);
}

int t_spawn_probe_with(lm_u64 arg, lm_cptr_t asids, const struct lm_spawn_cap *caps,
		       lm_u32 ncaps, struct lm_proc *p)
{
	struct lm_spawn a = { 0 };

	a.image = t_module("probe", &a.size);
	if (!a.image)
		return LM_ENOENT;
	a.arg = arg;
	a.prio = T_PRIO;
	a.cnode_bits = 6;
	a.caps = caps;
	a.ncaps = ncaps;
	a.asids = asids;
	return lm_spawn(&a, p);
}

lm_u64 t_raw(lm_u64 nr, lm_u64 a1, lm_u64 a2, lm_u64 a3, lm_u64 a4, lm_u64 a5,
	     lm_u64 a6, lm_u64 *out)
{
	lm_u64 o[LM_SYS_NOUT];
	lm_u64 r = lm_syscall6(nr, a1, a2, a3, a4, a5, a6, o);

	if (out)
		for (int i = 0; i < LM_SYS_NOUT; i++)
			out[i] = o[i];
	return r;
}

/* Yield until tcb is blocked in IPC (at most T_WAIT_TURNS times: a tick
 * may take the CPU from it before it gets there); 1 if it is. */
int t_blocked(lm_cptr_t tcb)
{
	struct lm_thread_info ti;

	for (int i = 0; i < T_WAIT_TURNS; i++) {
		if (lm_thread_info(tcb, &ti) == LM_OK && ti.state == LM_TS_BLOCKED)
			return 1;
		lm_thread_yield();
	}
	return 0;
}

lm_u64 t_first_id(lm_cptr_t range) { return t_id(range).addr; }

lm_cptr_t t_asid_range(lm_u64 n)
{
	lm_cptr_t s = t_slot();

	if (s && lm_asids_issue(lm_asid_cap, n, LM_SLOT_CNODE, s)) {
		t_fail(__FILE__, __LINE__, "issuing %lu IDs", n);
		return 0;
	}
	return s;
}

#define PIT_CH0 0x40
#define PIT_CMD 0x43

int t_pit_run(int on)
{
	lm_u64 count = on ? 1193 : 0;
	int err = lm_ioport_out(LM_SLOT_IOPORT, PIT_CMD, 1, on ? 0x34 : 0x30);

	if (!err)
		err = lm_ioport_out(LM_SLOT_IOPORT, PIT_CH0, 1, count & 0xff);
	if (!err)
		err = lm_ioport_out(LM_SLOT_IOPORT, PIT_CH0, 1, count >> 8);
	return err;
}

int t_pit_free(void)
{
	lm_cptr_t s = t_slot();
	int err = s ? lm_irq_claim(LM_SLOT_IRQCTL, 2, LM_SLOT_CNODE, s) : LM_ELIMIT;

	if (err == LM_OK) {
		lm_cnode_delete(LM_SLOT_CNODE, s);
		return 1;
	}
	lm_printf("(the PIT's line is taken: the timer server's on a normal boot; skipped) ");
	return 0;
}

lm_u64 t_poll_for(lm_cptr_t n, lm_u64 ms)
{
	lm_u64 end = t_rdtsc() + t_ms_to_tsc(ms), w = 0;

	while (w == 0 && t_rdtsc() < end)
		lm_ntfn_poll(n, &w);
	if (w == 0)
		lm_ntfn_poll(n, &w);
	return w;
}

lm_cptr_t t_bpf(lm_u32 type, const struct lm_bpf_insn *insns, lm_u64 n, lm_u64 ctx_size)
{
	lm_cptr_t p = t_new(LM_OBJ_BPF, LM_BPF_MIN_BITS + 1); /* a page for the JIT */
	lm_u64 why, pc;
	int err;

	if (!p)
		return 0;
	err = lm_bpf_load(p, type, insns, n, ctx_size, &why, &pc);
	if (err) {
		t_fail(__FILE__, __LINE__, "loading a program: %s (reason %lu at %lu)",
		       lm_err_str(err), why, pc);
		return 0;
	}
	return p;
}
