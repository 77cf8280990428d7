/*
 * Running JIT'ed code: the state it reads (jit_int.h) and the C side of a
 * checked helper call.
 */
#include "jit_int.h"

static int in_range(u64 addr, u64 size, u64 base, u64 len)
{
	return addr >= base && size <= len && addr - base <= len - size;
}

/* The interpreter's access_ok, with the live frames those below st->fp. */
static int access_ok(const struct bpf_jit_state *st, u64 addr, u32 size)
{
	u64 live = st->top - st->fp + LM_BPF_STACK;

	if (st->mem && in_range(addr, size, st->mem, st->len))
		return 1;
	return in_range(addr, size, st->top - live, live);
}

/* Called from checked code with st->helper and st->fp set: the
 * interpreter's call_helper checks, then the helper. A refusal sets
 * st->fault (the code then exits with BPF_EMEM). */
u64 bpf_jit_checked_helper(u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, struct bpf_jit_state *st)
{
	const struct bpf_helper *h = st->helper;
	u64 a[5] = { a1, a2, a3, a4, a5 };

	for (int k = 0; k < 5; k++) {
		if (h->args[k] != BPF_ARG_MEM)
			continue;
		if (k == 4 || a[k + 1] > LM_BPF_STACK * BPF_MAX_FRAMES + st->len ||
		    (a[k + 1] && !access_ok(st, a[k], (u32)a[k + 1]))) {
			st->fault = 1;
			return 0;
		}
	}
	return h->fn(a1, a2, a3, a4, a5);
}

enum bpf_err bpf_jit_run(const void *code, struct bpf_vm *vm, void *mem, lm_u64 len,
			 lm_u64 budget, struct bpf_result *res)
{
	u64 top = (u64)(uptr)(vm->stack + sizeof(vm->stack));
	struct bpf_jit_state st = {
		.mem = (u64)(uptr)mem, .len = mem ? len : 0, .top = top,
		.call_min = top - (BPF_MAX_FRAMES - 2) * LM_BPF_STACK, .budget = budget,
	};
	u64 (*entry)(struct bpf_jit_state *) = (u64 (*)(struct bpf_jit_state *))(uptr)code;
	u64 r0;

	for (u32 k = 0; k < 4; k++) {
		u64 size = 1ull << k;
		st.mem_lim[k] = mem && st.len >= size ? st.len - size + 1 : 0;
		st.stack_lim[k] = top - size;
	}
	r0 = entry(&st);
	res->err = (enum bpf_err)(st.fault & 0xff);
	res->pc = st.fault >> 8;
	res->r0 = res->err ? 0 : r0;
	res->steps = res->err == BPF_EBUDGET ? budget : budget - st.budget;
	return res->err;
}

/* Verified code compiled with its budget reads only mem, len and top, and
 * writes saved_rsp, budget (a counted program) and (on an error exit, which
 * a verified program reaches only for its budget) fault: the limits the
 * checked mode compares against are left out, a quarter of a short
 * filter's run in the kernel. */
enum bpf_err bpf_jit_run_verified(const void *code, struct bpf_vm *vm, void *mem, lm_u64 len,
				  struct bpf_result *res)
{
	struct bpf_jit_state st;
	u64 (*entry)(struct bpf_jit_state *) = (u64 (*)(struct bpf_jit_state *))(uptr)code;

	st.mem = (u64)(uptr)mem;
	st.len = mem ? len : 0;
	st.top = (u64)(uptr)(vm->stack + sizeof(vm->stack));
	st.fault = 0;
	res->r0 = entry(&st);
	res->err = (enum bpf_err)(st.fault & 0xff);
	res->pc = st.fault >> 8;
	res->steps = 0;
	if (res->err)
		res->r0 = 0;
	return res->err;
}
