/*
 * Helper functions for eBPF programs, and which program type may call
 * which (include/lamina/bpf.h numbers them; docs/API.md lists them).
 * Freestanding: built into the kernel and into bpf-run.
 */
#include "helpers.h"

static lm_u64 fold16(lm_u64 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

lm_u64 bpf_csum(const void *p, lm_u64 len, lm_u64 seed)
{
	const lm_u8 *b = p;
	lm_u64 s = fold16(seed), i;

	/* At most 2^48 words of 0xffff before the sum could overflow: the
	 * interpreter passes a few KiB at most. */
	for (i = 0; i + 1 < len; i += 2)
		s += (lm_u64)b[i] << 8 | b[i + 1];
	if (i < len)
		s += (lm_u64)b[i] << 8;
	return fold16(s);
}

static lm_u64 h_ticks(lm_u64 a, lm_u64 b, lm_u64 c, lm_u64 d, lm_u64 e)
{
	return bpf_ticks();
}

static lm_u64 h_csum(lm_u64 p, lm_u64 len, lm_u64 seed, lm_u64 d, lm_u64 e)
{
	return bpf_csum((const void *)(unsigned long)p, len, seed);
}

#define TICKS [LM_BPF_HELPER_TICKS] = { h_ticks, { BPF_ARG_NONE } }
#define CSUM  [LM_BPF_HELPER_CSUM] = { h_csum, { BPF_ARG_MEM, BPF_ARG_SIZE, BPF_ARG_SCALAR } }

/* MEM (BPF_RUN, packet filters later) and predicates: both helpers. A
 * system-call filter has nothing to sum, so only the clock. */
static const struct bpf_helper mem_table[] = { TICKS, CSUM };
static const struct bpf_helper syscall_table[] = { TICKS };

static const struct bpf_helpers tables[LM_BPF_NTYPES] = {
	[LM_BPF_PROG_MEM] = { mem_table, sizeof(mem_table) / sizeof(mem_table[0]) },
	[LM_BPF_PROG_PREDICATE] = { mem_table, sizeof(mem_table) / sizeof(mem_table[0]) },
	[LM_BPF_PROG_SYSCALL] = { syscall_table, sizeof(syscall_table) / sizeof(syscall_table[0]) },
};

const struct bpf_helpers *bpf_helpers_for(lm_u32 type)
{
	return type < LM_BPF_NTYPES && tables[type].table ? &tables[type] : 0;
}
