/* Host tests of the eBPF verifier (kernel/bpf/verify*.c): programs it must
 * accept (each then run on random contexts by the interpreter, which must
 * never fault), and programs it must refuse, with the error and the
 * instruction. The random, scaling and hostile-input tests are in
 * test_bpf_verify_random.c. */
#include "bpf_verify_harness.h"

/* --- accepted ------------------------------------------------------------ */

static void straight_line_and_context_loads_accepted(void)
{
	struct lm_bpf_insn p[] = {
		LDXB(0, 1, 0), LDXW(3, 1, 4), ADDR(0, 3), LDXDW(3, 1, 8), ADDR(0, 3),
		I(0x91, 3, 1, 15, 0) /* ldxsb */, ADDR(0, 3), EXIT,
	};
	ACCEPT(p, 16, 0);
	REFUSE(p, 15, 0, OUT_OF_BOUNDS, 3);
}

static void no_context_means_r1_is_zero_and_r2_the_size(void)
{
	struct lm_bpf_insn p[] = { MOVR(0, 1), ADDR(0, 2), EXIT };
	struct lm_bpf_insn q[] = { LDXB(0, 1, 0), EXIT };
	struct lm_bpf_insn r[] = { MOVR(0, 2), EXIT };
	struct bpf_verify_cfg c = cfg_of(0, 0);

	ACCEPT(p, 0, 0);
	REFUSE(q, 0, 0, BAD_ACCESS, 0);
	c.r2_is_size = 0;
	CHECK(verify_cfg(r, N(r), c) == LM_BPF_V_UNINIT_REG && res.pc == 0);
}

static void stack_spill_and_fill_keeps_pointers(void)
{
	struct lm_bpf_insn p[] = {
		STXDW(10, 1, -8),               /* spill the context pointer */
		MOV(1, 0),
		LDXDW(2, 10, -8),               /* fill it */
		LDXB(0, 2, 3), EXIT,
	};
	ACCEPT(p, 4, 0);
}

static void spilled_pointer_partly_read_or_overwritten_is_refused(void)
{
	struct lm_bpf_insn p[] = { STXDW(10, 1, -8), LDXW(0, 10, -8), EXIT };
	struct lm_bpf_insn q[] = {
		STXDW(10, 1, -8), MOV(3, 0), STXB(10, 3, -8), /* one byte overwritten */
		LDXB(0, 10, -8), LDXB(3, 10, -7), EXIT,
	};
	struct lm_bpf_insn s[] = {
		STXDW(10, 1, -8), MOV(3, 0), STXB(10, 3, -8), LDXDW(2, 10, -8), EXIT,
	};
	REFUSE(p, 4, 0, PTR_LEAK, 1);
	REFUSE(q, 4, 0, UNINIT_STACK, 4);
	REFUSE(s, 4, 0, UNINIT_STACK, 3);
}

static void diamonds_join_values(void)
{
	struct lm_bpf_insn p[] = {
		LDXB(2, 1, 0),
		JGT(2, 10, 2), MOV(3, 4), JA(1), MOV(3, 8),     /* r3 in {4, 8} */
		ADDR(1, 3), LDXW(0, 1, 0), EXIT,                /* ctx[r3..r3+4) */
	};
	ACCEPT(p, 12, 0);
	REFUSE(p, 11, 0, OUT_OF_BOUNDS, 6);
}

static void comparisons_bound_an_index_64_and_32(void)
{
	struct lm_bpf_insn p[] = {
		LDXB(2, 1, 0), JGT(2, 12, 3), ADDR(1, 2), LDXW(0, 1, 0), EXIT,
		MOV(0, 0), EXIT,
	};
	struct lm_bpf_insn q[] = {          /* w2 = ctx word; if w2 < 13 (u32) ... */
		LDXW(2, 1, 0), I(0xa6, 2, 0, 2, 13), MOV(0, 0), EXIT,
		ADDR(1, 2), LDXW(0, 1, 0), EXIT,
	};
	struct lm_bpf_insn s[] = {          /* signed: both ends needed */
		LDXW(2, 1, 0), I(0xbf, 2, 2, 16, 0) /* r2 = (s16)r2 */,
		I(0xc5, 2, 0, 4, 0) /* if r2 s< 0 */, I(0x65, 2, 0, 3, 12) /* if r2 s> 12 */,
		ADDR(1, 2), LDXW(0, 1, 0), EXIT, MOV(0, 0), EXIT,
	};
	ACCEPT(p, 16, 0);
	REFUSE(p, 15, 0, OUT_OF_BOUNDS, 3);
	ACCEPT(q, 16, 0);
	ACCEPT(s, 16, 0);
}

static void masks_shifts_and_multiplication_bound_an_index(void)
{
	struct lm_bpf_insn p[] = {
		LDXDW(2, 1, 0), AND(2, 0xf), I(0x67, 2, 0, 0, 2) /* <<= 2 */, ADDR(1, 2),
		LDXW(0, 1, 0), EXIT,
	};
	struct lm_bpf_insn q[] = {
		LDXDW(2, 1, 0), I(0x77, 2, 0, 0, 60) /* >>= 60 */, I(0x27, 2, 0, 0, 4) /* *= 4 */,
		ADDR(1, 2), LDXW(0, 1, 0), EXIT,
	};
	ACCEPT(p, 64, 0);
	REFUSE(p, 63, 0, OUT_OF_BOUNDS, 4);
	ACCEPT(q, 64, 0);
}

/* x % 0 = x (RFC 9669): a divisor that may be 0 bounds nothing. */
static void modulo_by_a_maybe_zero_divisor_bounds_nothing(void)
{
	struct lm_bpf_insn p[] = {
		LDXB(2, 1, 0), AND(2, 15), LDXDW(3, 1, 8), I(0x9f, 3, 2, 0, 0) /* r3 %= r2 */,
		ADDR(1, 3), LDXB(0, 1, 0), EXIT,
	};
	struct lm_bpf_insn q[] = {
		LDXB(2, 1, 0), AND(2, 15), I(0x47, 2, 0, 0, 1) /* |= 1 */, LDXDW(3, 1, 8),
		I(0x9f, 3, 2, 0, 0), ADDR(1, 3), LDXB(0, 1, 0), EXIT,
	};
	struct lm_bpf_insn d[] = {          /* x / 0 = 0: a division by zero is exact */
		LDXDW(3, 1, 8), I(0x37, 3, 0, 0, 0), ADDR(1, 3), LDXB(0, 1, 0), EXIT,
	};
	REFUSE(p, 16, 0, OUT_OF_BOUNDS, 5);
	ACCEPT(q, 16, 0);
	ACCEPT(d, 16, 0);
}

static void alu32_results_are_zero_extended(void)
{
	struct lm_bpf_insn p[] = {
		LDXDW(2, 1, 0), I(0xb4, 2, 0, 0, 0) /* w2 = 0 */, I(0x04, 2, 0, 0, 7) /* w2 += 7 */,
		ADDR(1, 2), LDXB(0, 1, 0), EXIT,
	};
	struct lm_bpf_insn q[] = {      /* w2 = -1 is 0xffffffff, not -1 */
		I(0xb4, 2, 0, 0, -1), ADDR(1, 2), LDXB(0, 1, 0), EXIT,
	};
	ACCEPT(p, 8, 0);
	REFUSE(q, 8, 0, OUT_OF_BOUNDS, 2);
}

static void movsx_and_byte_swaps_are_tracked(void)
{
	struct lm_bpf_insn p[] = {      /* (s8)0x80 = -128; + 130 = 2 */
		MOV(2, 0x80), I(0xbf, 2, 2, 8, 0), ADD(2, 130), ADDR(1, 2), LDXB(0, 1, 0), EXIT,
	};
	struct lm_bpf_insn q[] = {      /* be16 of 0x0300 is 3 */
		MOV(2, 0x300), I(0xdc, 2, 0, 0, 16), ADDR(1, 2), LDXB(0, 1, 0), EXIT,
	};
	ACCEPT(p, 3, 0);
	REFUSE(p, 2, 0, OUT_OF_BOUNDS, 4);
	ACCEPT(q, 4, 0);
	REFUSE(q, 3, 0, OUT_OF_BOUNDS, 3);
}

/* --- loops --------------------------------------------------------------------- */

static void counted_loop_as_clang_emits_it_accepted(void)
{
	struct lm_bpf_insn p[] = {      /* for (i = 0; i < 16; i++) r0 += ctx[i] */
		MOV(0, 0), MOV(2, 0),
		MOVR(3, 1), ADDR(3, 2), LDXB(3, 3, 0), ADDR(0, 3),
		ADD(2, 1), JNE(2, 16, -6), EXIT,
	};
	struct lm_bpf_insn q[] = {      /* the same with a 32-bit counter and JMP32 */
		MOV(0, 0), I(0xb4, 2, 0, 0, 0),
		MOVR(3, 1), ADDR(3, 2), LDXB(3, 3, 0), ADDR(0, 3),
		I(0x04, 2, 0, 0, 1), I(0xa6, 2, 0, -6, 16), EXIT,
	};
	ACCEPT(p, 16, 0);
	REFUSE(p, 15, 0, OUT_OF_BOUNDS, 4);
	ACCEPT(q, 16, 0);
}

static void loop_over_a_pointer_range_accepted(void)
{
	struct lm_bpf_insn p[] = {      /* for (p = ctx; p < ctx + len; p++) r0 += *p */
		MOV(0, 0), MOVR(3, 1), ADDR(3, 2),
		I(0x3d, 1, 3, 4, 0) /* if r1 >= r3 goto out */,
		LDXB(4, 1, 0), ADDR(0, 4), ADD(1, 1), JA(-5), EXIT,
	};
	ACCEPT(p, 24, 0);
}

/* The check is on a copy (r3 = r4 + 4), the access through the original. */
static void bounds_check_on_a_linked_copy_accepted(void)
{
	struct lm_bpf_insn p[] = {
		MOVR(5, 1), ADDR(5, 2),                 /* end */
		LDXB(4, 1, 0), AND(4, 63), ADDR(4, 1),  /* r4 = ctx + (ctx[0] & 63) */
		MOVR(3, 4), ADD(3, 4),
		I(0x2d, 3, 5, 2, 0),                    /* if r3 > end goto out */
		LDXW(0, 4, 0), EXIT,
		MOV(0, 0), EXIT,
	};
	struct lm_bpf_insn q[] = {              /* one byte too far */
		MOVR(5, 1), ADDR(5, 2), LDXB(4, 1, 0), AND(4, 63), ADDR(4, 1),
		MOVR(3, 4), ADD(3, 4), I(0x2d, 3, 5, 2, 0), LDXW(0, 4, 1), EXIT, MOV(0, 0), EXIT,
	};
	ACCEPT(p, 40, 0);
	REFUSE(q, 40, 0, OUT_OF_BOUNDS, 8);
}

/* clang places a shared exit block before code that jumps back to it:
 * back edges, but every "iteration" ends at the exit. */
static void jumps_back_to_a_shared_exit_accepted(void)
{
	struct lm_bpf_insn p[] = {
		MOV(0, 0), LDXDW(2, 1, 0), JNE(2, 0, 1),
		EXIT,                                   /* the shared exit */
		MOV(0, 2), JGT(2, 499, -3), MOV(0, 3), LDXDW(3, 1, 8), JEQ(3, 7, -6),
		LDXDW(4, 1, 16), JEQ(4, 9, -8), LDXDW(5, 1, 24), JEQ(5, 1, -10),
		LDXDW(6, 1, 32), JEQ(6, 2, -12), LDXDW(7, 1, 40), JEQ(7, 3, -14),
		MOV(0, 1), JA(-16),
	};
	ACCEPT(p, 48, 0);
}

static void nested_loops_accepted(void)
{
	struct lm_bpf_insn p[] = {
		MOV(0, 0), MOV(2, 0),
		MOV(3, 0),                                  /* outer head */
		ADDR(0, 3), ADD(3, 1), JLT(3, 5, -3),       /* inner */
		ADD(2, 1), JLT(2, 7, -6), EXIT,
	};
	ACCEPT(p, 0, 0);
}

static void unbounded_loops_refused_at_the_back_edge(void)
{
	struct lm_bpf_insn p[] = { JA(-1), EXIT };
	struct lm_bpf_insn q[] = { MOV(0, 0), ADD(0, 1), JNE(0, 0, -2), EXIT };
	struct lm_bpf_insn r[] = {      /* bound from the context: unknown */
		MOV(0, 0), LDXW(2, 1, 0), ADD(0, 1), I(0xad, 0, 2, -2, 0) /* r0 < r2 */, EXIT,
	};
	struct lm_bpf_insn s[] = {      /* the same state every time round */
		MOV(0, 0), LDXW(2, 1, 0), AND(2, 1), JEQ(2, 0, -2), EXIT,
	};
	REFUSE(p, 0, 0, UNREACHABLE, 1);
	struct lm_bpf_insn p2[] = { MOV(0, 0), JA(-1) };
	REFUSE(p2, 0, 0, LOOP, 1);
	REFUSE(q, 0, 0, LOOP, 2);
	REFUSE(r, 8, 0, LOOP, 3);
	REFUSE(s, 8, 0, LOOP, 3);
}

/* --- stack, calls, helpers ---------------------------------------------------- */

static void local_call_may_use_the_callers_stack(void)
{
	struct lm_bpf_insn q[] = {
		STDW(10, -8, 5), MOVR(1, 10), ADD(1, -8), MOV(6, 3),
		CALLL(2), ADDR(0, 6), EXIT,
		LDXDW(0, 1, 0), STDW(10, -16, 1), LDXDW(2, 10, -16), ADDR(0, 2), EXIT,
	};
	ACCEPT(q, 0, 0);
	CHECK(verify_cfg(q, N(q), cfg_of(0, 0)) == 0 && res.stack == 24);
}

static void callee_frame_pointer_dies_on_return(void)
{
	struct lm_bpf_insn p[] = {
		CALLL(2), LDXDW(0, 0, 0), EXIT,
		STDW(10, -8, 1), MOVR(0, 10), ADD(0, -8), EXIT,
	};
	REFUSE(p, 0, 0, UNINIT_REG, 1);
}

static void recursion_and_deep_calls_refused(void)
{
	struct lm_bpf_insn p[] = { CALLL(1), EXIT, CALLL(-1), EXIT };
	struct lm_bpf_insn q[18];

	REFUSE(p, 0, 0, CALL_DEPTH, 2);
	for (int k = 0; k < 9; k++) {           /* nine functions, each calls the next */
		q[2 * k] = k < 8 ? CALLL(1) : MOV(0, 0);
		q[2 * k + 1] = EXIT;
	}
	REFUSE(q, 0, 0, CALL_DEPTH, 14);
	q[14] = MOV(0, 1);
	q[15] = EXIT;
	struct lm_bpf_insn r[16];
	__builtin_memcpy(r, q, sizeof(r));
	ACCEPT(r, 0, 0);
}

static void helpers_checked_by_number_and_arguments(void)
{
	struct lm_bpf_insn p[] = {
		STDW(10, -8, 0x01020304), MOVR(1, 10), ADD(1, -8), MOV(2, 8), MOV(3, 1),
		CALL(2), EXIT,
	};
	struct lm_bpf_insn q[] = {
		STDW(10, -8, 1), MOVR(1, 10), ADD(1, -8), MOV(2, 9), MOV(3, 1), CALL(2), EXIT,
	};
	struct lm_bpf_insn u[] = {      /* bytes -16..-9 never written */
		STDW(10, -8, 1), MOVR(1, 10), ADD(1, -16), MOV(2, 16), MOV(3, 1), CALL(2), EXIT,
	};
	struct lm_bpf_insn c[] = {      /* the context, its size in r2 */
		MOV(3, 0), CALL(2), EXIT,
	};
	struct lm_bpf_insn n[] = { CALL(1), CALL(3), EXIT };
	struct lm_bpf_insn z[] = { CALL(0), EXIT };
	struct lm_bpf_insn a[] = { CALL(1), MOVR(0, 1), EXIT };

	ACCEPT(p, 0, 0);
	REFUSE(q, 0, 0, HELPER_ARG, 5);
	REFUSE(u, 0, 0, HELPER_ARG, 5);
	ACCEPT(c, 40, 0);
	REFUSE(n, 0, 0, HELPER, 1);
	REFUSE(z, 0, 0, HELPER, 0);
	REFUSE(a, 0, 0, UNINIT_REG, 1);     /* r1-r5 are clobbered */
}

static void atomics_checked(void)
{
	struct lm_bpf_insn p[] = {
		STDW(10, -8, 1), MOV(2, 5), I(0xdb, 10, 2, -8, 0x01) /* fetch add */,
		I(0xc3, 1, 2, 4, 0x40) /* lock or w */, MOVR(0, 2), MOV(0, 0),
		I(0xdb, 10, 0, -8, 0xf1) /* cmpxchg */, EXIT,
	};
	struct lm_bpf_insn u[] = { STDW(10, -8, 1), MOV(2, 5), I(0xdb, 10, 2, -12, 0x00), MOV(0, 0), EXIT };
	struct lm_bpf_insn s[] = { MOV(2, 5), I(0xdb, 10, 2, -8, 0x00), MOV(0, 0), EXIT };

	ACCEPT(p, 8, 1);
	REFUSE(p, 8, 0, BAD_ACCESS, 3);
	REFUSE(u, 8, 1, BAD_ACCESS, 2);
	REFUSE(s, 0, 0, UNINIT_STACK, 1);
}

static void stack_written_on_one_path_only_is_uninitialised(void)
{
	struct lm_bpf_insn p[] = {
		LDXB(2, 1, 0), JEQ(2, 0, 1), STDW(10, -8, 1), LDXDW(0, 10, -8), EXIT,
	};
	struct lm_bpf_insn q[] = {
		LDXB(2, 1, 0), STDW(10, -8, 2), JEQ(2, 0, 1), STDW(10, -8, 1), LDXDW(0, 10, -8), EXIT,
	};
	REFUSE(p, 8, 0, UNINIT_STACK, 3);
	ACCEPT(q, 8, 0);
}

/* A variable offset into the stack: every byte it may reach is read. */
static void variable_stack_offsets_checked_over_their_range(void)
{
	struct lm_bpf_insn p[] = {
		STDW(10, -16, 1), STDW(10, -8, 2), LDXB(2, 1, 0), AND(2, 8),
		MOVR(3, 10), ADDR(3, 2), LDXDW(0, 3, -16), EXIT,
	};
	struct lm_bpf_insn q[] = {      /* -24 may be read and was never written */
		STDW(10, -16, 1), STDW(10, -8, 2), LDXB(2, 1, 0), AND(2, 8),
		MOVR(3, 10), I(0x1f, 3, 2, 0, 0) /* r3 -= r2 */, LDXDW(0, 3, -16), EXIT,
	};
	struct lm_bpf_insn w[] = {      /* a store at an unknown place: then read back */
		STDW(10, -16, 1), STDW(10, -8, 2), LDXB(2, 1, 0), AND(2, 8), MOVR(3, 10),
		ADDR(3, 2), STXB(3, 2, -16), LDXDW(0, 10, -16), LDXDW(4, 10, -8), ADDR(0, 4), EXIT,
	};
	ACCEPT(p, 8, 0);
	REFUSE(q, 8, 0, UNINIT_STACK, 6);
	ACCEPT(w, 8, 0);
}

static void signed_division_and_sign_extending_loads_bound_values(void)
{
	struct lm_bpf_insn p[] = {      /* (s8)ctx[0] / -16 is in [-7, 8] */
		I(0x91, 2, 1, 0, 0) /* ldxsb */, I(0x37, 2, 0, 1, -16) /* sdiv */, ADD(2, 7),
		ADDR(1, 2), LDXB(0, 1, 0), EXIT,
	};
	struct lm_bpf_insn q[] = {      /* (s8)ctx[0] smod 5 is in [-4, 4] */
		I(0x91, 2, 1, 0, 0), I(0x97, 2, 0, 1, 5), ADD(2, 4), ADDR(1, 2), LDXB(0, 1, 0), EXIT,
	};
	ACCEPT(p, 16, 0);
	REFUSE(p, 15, 0, OUT_OF_BOUNDS, 4);
	ACCEPT(q, 9, 0);
	REFUSE(q, 8, 0, OUT_OF_BOUNDS, 4);
}

static void helper_memory_in_the_context_with_a_checked_size(void)
{
	struct lm_bpf_insn p[] = {      /* sum(ctx + 4, ctx[0] & 15): needs 19 bytes */
		LDXB(2, 1, 0), AND(2, 15), ADD(1, 4), MOV(3, 0), CALL(2), EXIT,
	};
	ACCEPT(p, 19, 0);
	REFUSE(p, 18, 0, HELPER_ARG, 4);
}

/* --- refused, one per reason --------------------------------------------------- */

static void structure_errors_name_the_instruction(void)
{
	struct lm_bpf_insn op[] = { MOV(0, 0), I(0xff, 0, 0, 0, 0), EXIT };
	struct lm_bpf_insn off[] = { MOV(0, 0), I(0x07, 0, 0, 1, 0), EXIT };
	struct lm_bpf_insn reg[] = { MOV(0, 0), MOVR(0, 11), EXIT };
	struct lm_bpf_insn r10[] = { MOV(0, 0), MOV(10, 0), EXIT };
	struct lm_bpf_insn range[] = { MOV(0, 0), JA(5), EXIT };
	struct lm_bpf_insn mid[] = { MOV(0, 0), JA(1), LDDW(0, 1), EXIT };
	struct lm_bpf_insn map[] = { I(0x18, 0, 1, 0, 0), I(0, 0, 0, 0, 0), EXIT };
	struct lm_bpf_insn cut[] = { MOV(0, 0), I(0x18, 0, 0, 0, 0) };
	struct lm_bpf_insn fall[] = { MOV(0, 0), JEQ(0, 1, -2) };
	struct lm_bpf_insn dead[] = { MOV(0, 0), EXIT, MOV(0, 1), EXIT };
	struct lm_bpf_insn out[] = { MOV(0, 0), CALLL(1), EXIT, MOV(0, 1), JA(-4), EXIT };

	REFUSE(op, 0, 0, OPCODE, 1);
	REFUSE(off, 0, 0, OPCODE, 1);
	REFUSE(reg, 0, 0, REG, 1);
	REFUSE(r10, 0, 0, WRITE_R10, 1);
	REFUSE(range, 0, 0, JUMP_RANGE, 1);
	REFUSE(mid, 0, 0, JUMP_LDDW, 1);
	REFUSE(map, 0, 0, LDDW, 0);
	REFUSE(cut, 0, 0, LDDW, 1);
	REFUSE(fall, 0, 0, FALL_OFF, 1);
	REFUSE(dead, 0, 0, UNREACHABLE, 2);
	REFUSE(out, 0, 0, JUMP_RANGE, 4);
	CHECK(verify_cfg(op, 0, cfg_of(0, 0)) == LM_BPF_V_TOO_LONG);
	CHECK(verify_cfg(op, LM_BPF_MAX_INSNS + 1, cfg_of(0, 0)) == LM_BPF_V_TOO_LONG);
}

static void value_errors_name_the_instruction(void)
{
	struct lm_bpf_insn ureg[] = { MOVR(0, 3), EXIT };
	struct lm_bpf_insn ur0[] = { MOV(1, 0), EXIT };
	struct lm_bpf_insn ustk[] = { LDXDW(0, 10, -8), EXIT };
	struct lm_bpf_insn half[] = { STXW(10, 1, -8), MOV(0, 0), EXIT };
	struct lm_bpf_insn oob[] = { LDXDW(0, 10, 0), EXIT };
	struct lm_bpf_insn deep[] = { STDW(10, -513, 0), MOV(0, 0), EXIT };
	struct lm_bpf_insn mul[] = { I(0x27, 1, 0, 0, 2), MOV(0, 0), EXIT };
	struct lm_bpf_insn alu32[] = { I(0x04, 1, 0, 0, 2), MOV(0, 0), EXIT };
	struct lm_bpf_insn pp[] = { ADDR(1, 10), MOV(0, 0), EXIT };
	struct lm_bpf_insn diff[] = { MOVR(0, 10), I(0x1f, 0, 1, 0, 0), EXIT };
	struct lm_bpf_insn sdiff[] = { MOVR(0, 10), ADD(0, -8), I(0x1f, 0, 10, 0, 0), EXIT };
	struct lm_bpf_insn scal[] = { MOV(2, 64), LDXB(0, 2, 0), EXIT };
	struct lm_bpf_insn ro[] = { STDW(1, 0, 0), MOV(0, 0), EXIT };
	struct lm_bpf_insn leak[] = { MOVR(0, 1), EXIT };
	struct lm_bpf_insn leakc[] = { STXDW(1, 10, 0), MOV(0, 0), EXIT };
	struct lm_bpf_insn cmp[] = { MOV(0, 0), JGT(1, 5, 0), EXIT };

	REFUSE(ureg, 0, 0, UNINIT_REG, 0);
	REFUSE(ur0, 0, 0, UNINIT_REG, 1);
	REFUSE(ustk, 0, 0, UNINIT_STACK, 0);
	REFUSE(half, 8, 0, PTR_LEAK, 0);
	REFUSE(oob, 0, 0, OUT_OF_BOUNDS, 0);
	REFUSE(deep, 0, 0, OUT_OF_BOUNDS, 0);
	REFUSE(mul, 8, 0, PTR_ARITH, 0);
	REFUSE(alu32, 8, 0, PTR_ARITH, 0);
	REFUSE(pp, 8, 0, PTR_ARITH, 0);
	REFUSE(diff, 8, 0, PTR_ARITH, 1);
	ACCEPT(sdiff, 0, 0);
	REFUSE(scal, 0, 0, BAD_ACCESS, 1);
	REFUSE(ro, 8, 0, BAD_ACCESS, 0);
	ACCEPT(ro, 8, 1);
	REFUSE(leak, 8, 0, PTR_LEAK, 1);
	REFUSE(leakc, 8, 1, PTR_LEAK, 0);
	REFUSE(cmp, 8, 0, PTR_LEAK, 1);
}

static void work_bound_is_complex(void)
{
	struct lm_bpf_insn p[] = { MOV(0, 0), ADD(0, 1), ADD(0, 1), ADD(0, 1), EXIT };
	struct bpf_verify_cfg c = cfg_of(0, 0);

	c.max_work = 3;
	CHECK(verify_cfg(p, N(p), c) == LM_BPF_V_COMPLEX && res.pc == 3);
	c.max_work = 5;
	CHECK(verify_cfg(p, N(p), c) == LM_BPF_V_OK && res.work == 5);
}

/* The verifier's tables are bounded: beyond them a program is COMPLEX. */
static void too_many_loops_or_functions_is_complex(void)
{
	static struct lm_bpf_insn p[400];
	lm_u32 k = 0, calls;

	p[k++] = MOV(0, 0);
	for (int l = 0; l < V_MAX_LOOPS + 1; l++) {
		p[k++] = MOV(1, 0);
		p[k++] = ADD(1, 1);
		p[k++] = JLT(1, 2, -2);
	}
	p[k++] = EXIT;
	CHECK(verify_cfg(p, k, cfg_of(0, 0)) == LM_BPF_V_COMPLEX);
	CHECK(verify_cfg(p, k - 4, cfg_of(0, 0)) == LM_BPF_V_FALL_OFF);
	p[k - 4] = EXIT;
	CHECK(verify_cfg(p, k - 3, cfg_of(0, 0)) == LM_BPF_V_OK);

	k = 0;                  /* the entry and 64 more functions */
	calls = V_MAX_FUNCS;
	for (lm_u32 c = 0; c < calls; c++, k++)
		p[k] = CALLL((int)(calls + 1 - k - 1 + 2 * c));
	p[k++] = EXIT;
	for (lm_u32 c = 0; c < calls; c++) {
		p[k++] = MOV(0, (int)c);
		p[k++] = EXIT;
	}
	CHECK(verify_cfg(p, k, cfg_of(0, 0)) == LM_BPF_V_COMPLEX);
	CHECK(verify_cfg(p, k - 2, cfg_of(0, 0)) == LM_BPF_V_JUMP_RANGE);

	k = 0;                  /* loops nested deeper than V_MAX_NEST */
	p[k++] = MOV(0, 0);
	for (int d = 0; d <= V_MAX_NEST; d++)
		p[k++] = ADD(0, 1);             /* the head of loop d */
	for (int d = V_MAX_NEST; d >= 0; d--, k++)
		p[k] = JLT(0, 2, (short)(1 + d - (int)k - 1));
	p[k++] = EXIT;
	CHECK(verify_cfg(p, k, cfg_of(0, 0)) == LM_BPF_V_COMPLEX);
	p[1] = MOV(1, 0);               /* one level less: fine */
	p[k - 2] = JLT(0, 2, 0);
	CHECK(verify_cfg(p, k, cfg_of(0, 0)) == LM_BPF_V_OK);
}

static void every_error_has_a_name_and_a_reason(void)
{
	for (int e = 0; e < LM_BPF_V_NERR; e++)
		CHECK(bpf_verify_name(e) && bpf_verify_strerror(e) &&
		      strcmp(bpf_verify_name(e), "UNKNOWN") != 0);
	CHECK(strcmp(bpf_verify_name(LM_BPF_V_OUT_OF_BOUNDS), "OUT_OF_BOUNDS") == 0);
}

int main(void)
{
	ws = malloc(bpf_verify_ws_size);
	if (!ws)
		return 1;
	RUN(straight_line_and_context_loads_accepted);
	RUN(no_context_means_r1_is_zero_and_r2_the_size);
	RUN(stack_spill_and_fill_keeps_pointers);
	RUN(spilled_pointer_partly_read_or_overwritten_is_refused);
	RUN(diamonds_join_values);
	RUN(comparisons_bound_an_index_64_and_32);
	RUN(masks_shifts_and_multiplication_bound_an_index);
	RUN(modulo_by_a_maybe_zero_divisor_bounds_nothing);
	RUN(alu32_results_are_zero_extended);
	RUN(movsx_and_byte_swaps_are_tracked);
	RUN(counted_loop_as_clang_emits_it_accepted);
	RUN(loop_over_a_pointer_range_accepted);
	RUN(bounds_check_on_a_linked_copy_accepted);
	RUN(jumps_back_to_a_shared_exit_accepted);
	RUN(nested_loops_accepted);
	RUN(unbounded_loops_refused_at_the_back_edge);
	RUN(local_call_may_use_the_callers_stack);
	RUN(callee_frame_pointer_dies_on_return);
	RUN(recursion_and_deep_calls_refused);
	RUN(helpers_checked_by_number_and_arguments);
	RUN(atomics_checked);
	RUN(stack_written_on_one_path_only_is_uninitialised);
	RUN(variable_stack_offsets_checked_over_their_range);
	RUN(signed_division_and_sign_extending_loads_bound_values);
	RUN(helper_memory_in_the_context_with_a_checked_size);
	RUN(structure_errors_name_the_instruction);
	RUN(value_errors_name_the_instruction);
	RUN(work_bound_is_complex);
	RUN(too_many_loops_or_functions_is_complex);
	RUN(every_error_has_a_name_and_a_reason);
	free(ws);
	return CHECK_DONE();
}
