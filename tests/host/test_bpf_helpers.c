/* Host tests of the eBPF helpers (kernel/bpf/helpers.c): the checksum's
 * arithmetic, and which program type may call which helper, through the
 * interpreter as the kernel calls them. */
#include <stdint.h>
#include "check.h"
#include "bpf/bpf.h"
#include "bpf/helpers.h"

lm_u64 bpf_ticks(void) { return 1234; }

static void csum_matches_rfc1071_example(void)
{
	const lm_u8 b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	CHECK(bpf_csum(b, 8, 0) == 0xddf2);
	CHECK(bpf_csum(b, 0, 0) == 0);
}

static void csum_odd_length_pads_the_last_byte_low(void)
{
	const lm_u8 b[3] = { 0x12, 0x34, 0x56 };
	CHECK(bpf_csum(b, 3, 0) == 0x1234 + 0x5600);
}

static void csum_folds_seed_and_carries(void)
{
	const lm_u8 ff[4] = { 0xff, 0xff, 0xff, 0xff };
	CHECK(bpf_csum(ff, 4, 0) == 0xffff);
	CHECK(bpf_csum(ff, 0, 0x1ffffull) == 1);
	CHECK(bpf_csum(ff, 0, ~0ull) == 0xffff);
	CHECK(bpf_csum(ff, 2, 1) == 1); /* 0xffff + 1 folds to 1 */
}

static void helper_tables_per_type(void)
{
	const struct bpf_helpers *m = bpf_helpers_for(LM_BPF_PROG_MEM);
	const struct bpf_helpers *p = bpf_helpers_for(LM_BPF_PROG_PREDICATE);
	const struct bpf_helpers *s = bpf_helpers_for(LM_BPF_PROG_SYSCALL);
	CHECK(m && p && s);
	CHECK(m->count > LM_BPF_HELPER_CSUM && m->table[LM_BPF_HELPER_CSUM].fn);
	CHECK(m->table[LM_BPF_HELPER_TICKS].fn && !m->table[0].fn);
	CHECK(p->table[LM_BPF_HELPER_CSUM].fn);
	CHECK(s->count <= LM_BPF_HELPER_CSUM && s->table[LM_BPF_HELPER_TICKS].fn);
	CHECK(!bpf_helpers_for(0) && !bpf_helpers_for(LM_BPF_NTYPES));
}

#define I(o, d, s, of, im) \
	((struct lm_bpf_insn){ .op = (o), .regs = (d) | (s) << 4, .off = (of), .imm = (im) })

static void interpreter_calls_them_with_checked_memory(void)
{
	static struct bpf_vm vm;
	struct bpf_result res;
	lm_u8 mem[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	struct lm_bpf_insn csum[] = { I(0xb7, 2, 0, 0, 8), I(0xb7, 3, 0, 0, 0), I(0x85, 0, 0, 0, 2),
				      I(0x95, 0, 0, 0, 0) };
	struct lm_bpf_insn over[] = { I(0xb7, 2, 0, 0, 9), I(0xb7, 3, 0, 0, 0), I(0x85, 0, 0, 0, 2),
				      I(0x95, 0, 0, 0, 0) };
	struct lm_bpf_insn ticks[] = { I(0x85, 0, 0, 0, 1), I(0x95, 0, 0, 0, 0) };
	const struct bpf_helpers *m = bpf_helpers_for(LM_BPF_PROG_MEM);
	CHECK(bpf_run(&vm, csum, 4, mem, 8, m, 100, &res) == BPF_OK && res.r0 == 0xddf2);
	CHECK(bpf_run(&vm, over, 4, mem, 8, m, 100, &res) == BPF_EMEM); /* 9 bytes of 8 */
	CHECK(bpf_run(&vm, ticks, 2, 0, 0, m, 100, &res) == BPF_OK && res.r0 == 1234);
	CHECK(bpf_run(&vm, csum, 4, mem, 8, bpf_helpers_for(LM_BPF_PROG_SYSCALL), 100, &res) ==
	      BPF_EHELPER);
}

int main(void)
{
	RUN(csum_matches_rfc1071_example);
	RUN(csum_odd_length_pads_the_last_byte_low);
	RUN(csum_folds_seed_and_carries);
	RUN(helper_tables_per_type);
	RUN(interpreter_calls_them_with_checked_memory);
	return CHECK_DONE();
}
