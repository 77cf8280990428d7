/*
 * Frama-C EVA harness for eBPF (tests/assurance/eva.sh --bpf,
 * docs/ASSURANCE.md, section 3, eBPF): the verifier (verify*.c) called as
 * SYS(bpf_load) calls it (prog.c: the same configuration per program
 * type), on a program of NINSNS instructions at most whose fields are
 * nondeterministic (below); then, for a program it accepts, the
 * interpreter (interp.c) as BPF_RUN calls it, with the type's helpers
 * (helpers.c), over a context of nondeterministic bytes. Downloaded
 * programs are hostile input: the verifier's soundness is what keeps the
 * interpreter's accesses in bounds, so an alarm in interp.c for an
 * accepted program is the one that matters most.
 *
 * Stubs: bpf_ticks (a nondeterministic number); compiler builtins
 * Frama-C does not know, in eva_bpf/builtins.h.
 */
#include "__fc_builtin.h"
#include "verify.h"
#include "helpers.h"

#ifndef NINSNS
#define NINSNS 2
#endif

static struct bpf_verify_ws ws;
static struct lm_bpf_insn prog[NINSNS];
static struct bpf_vm vm;
static u8 ctx[LM_BPF_MAX_CTX];

lm_u64 bpf_ticks(void)
{
	return Frama_C_unsigned_long_long_interval(0, ~0ull);
}

/*
 * The program: n instructions, each of a class kept apart from the others
 * (eva_cls[k], a partition of eva.sh's run), and of a form (eva_form[k],
 * kept apart too) whose fields are nondeterministic within what
 * pass_decode (verify_cfg.c) lets through to the later passes. Those read
 * an instruction again without checking again what decoding checked; EVA
 * cannot relate the second read to the first test when a field is an
 * interval, so a field that decoding checks against a set is drawn from
 * that set (or from outside it, in a form decoding refuses whole):
 *   - registers r0..r10 (a number above 10 is refused by decode's first
 *     test, before anything else reads the instruction, and by the
 *     interpreter's);
 *   - jumps (JMP, JMP32): a target eva_t[k] in (k, n) (kept apart) in off
 *     and in imm, any operation and source bit (form 0); a conditional
 *     jump to eva_t[k] comparing with any imm (form 1); a helper call,
 *     imm (the helper's number) in [-1, 4] (form 2); any operation with
 *     both fields pointing at -1 or n, outside the program (form 3: every
 *     instruction whose target they are is refused by pass_decode's one
 *     test, and most others by a reserved field set; at the last
 *     instruction, target n is off 0, imm 0: EXIT, or a call of helper 0,
 *     there). The last instruction's forms 0 and 1 are form 3 (nothing
 *     after it to jump to). Forward jumps only:
 *     with a back edge the verifier unrolls the loop until its exit is
 *     decided, which over nondeterministic values EVA cannot bound, and
 *     its main loop's states merge (docs/ASSURANCE.md);
 *   - ALU, ALU64: any operation but END and MOV, off 0 or 1 (form 0);
 *     END, imm 16, 32 or 64 (form 1); MOV, off 0, 8, 16 or 32 (form 2);
 *     imm any in forms 0 and 2, the source bit any;
 *   - lddw: its second slot (op, regs and off 0) follows it, the
 *     immediate any;
 *   - LDX, ST, STX: mode and size any, off and imm any.
 */
static u8 eva_cls0, eva_cls1, eva_cls2, eva_cls3;
static u8 eva_form0, eva_form1, eva_form2, eva_form3;
static u8 eva_t0, eva_t1, eva_t2, eva_t3;

#define ANY_I32() Frama_C_int_interval(-2147483647 - 1, 2147483647)
#define ANY_BIT() Frama_C_unsigned_char_interval(0, 1)

static u8 any_reg(void)
{
	return (u8)(Frama_C_unsigned_char_interval(0, 10) | Frama_C_unsigned_char_interval(0, 10) << 4);
}

/* How many forms a class has (above). */
static u8 forms_of(u8 cls)
{
	switch (cls) {
	case LM_BPF_JMP:
	case LM_BPF_JMP32:
		return 4;
	case LM_BPF_ALU:
	case LM_BPF_ALU64:
		return 3;
	default:
		return 1;
	}
}

static void make_insn(struct lm_bpf_insn *i, u32 pc, u32 n, u8 cls, u8 form, u8 t)
{
	int rel = (int)t - (int)pc - 1, oper;

	i->regs = any_reg();
	i->off = Frama_C_short_interval(-32768, 32767);
	i->imm = ANY_I32();
	i->op = (u8)(cls | Frama_C_unsigned_char_interval(0, 31) << 3);
	switch (cls) {
	case LM_BPF_LD:
		i->op = LM_BPF_LDDW;
		i->off = 0;
		i->regs = (u8)(Frama_C_unsigned_char_interval(0, 10) | ANY_BIT() << 4);
		if (pc + 1 < n) {
			i[1].op = 0;
			i[1].regs = 0;
			i[1].off = 0;
			i[1].imm = ANY_I32();
		}
		return;
	case LM_BPF_JMP:
	case LM_BPF_JMP32:
		i->off = (short)rel;
		if (form == 0) {
			i->imm = rel;
		} else if (form == 1) {
			oper = Frama_C_interval(1, 11);        /* not JA, CALL, EXIT */
			i->op = (u8)(cls | (oper < 8 ? oper : oper + 2) << 4 | ANY_BIT() << 3);
		} else if (form == 2) {
			i->op = (u8)(cls | LM_BPF_CALL);
			i->regs = 0;
			i->off = 0;
			i->imm = Frama_C_int_interval(-1, 4);
		} else {
			i->off = (short)Frama_C_nondet(-2 - (int)pc, (int)n - (int)pc - 1);
			i->imm = Frama_C_nondet(-2 - (int)pc, (int)n - (int)pc - 1);
		}
		return;
	case LM_BPF_ALU:
	case LM_BPF_ALU64:
		if (form == 0) {
			oper = Frama_C_interval(0, 11);        /* not MOV, END */
			i->op = (u8)(cls | (oper < 11 ? oper : 12) << 4 | ANY_BIT() << 3);
			i->off = (short)ANY_BIT();
		} else if (form == 1) {
			i->op = (u8)(cls | LM_BPF_END | ANY_BIT() << 3);
			i->imm = Frama_C_nondet(16, Frama_C_nondet(32, 64));
		} else {
			i->op = (u8)(cls | LM_BPF_MOV | ANY_BIT() << 3);
			i->off = (short)Frama_C_nondet(Frama_C_nondet(0, 8), Frama_C_nondet(16, 32));
		}
		return;
	}
}

/* Instruction k: its class, form and target, unless it is the second slot
 * of an lddw before it (class 8). */
#define NEXT_INSN(k, prev, cls, form, t) \
	do { \
		if (n <= (k)) \
			break; \
		if ((prev) == LM_BPF_LD) { \
			(cls) = 8; \
			break; \
		} \
		(cls) = Frama_C_unsigned_char_interval(0, 7); \
		(form) = Frama_C_unsigned_char_interval(0, forms_of(cls) - 1); \
		if (((cls) == LM_BPF_JMP || (cls) == LM_BPF_JMP32) && (form) < 2 && (k) + 1 >= n) \
			(form) = 3;     /* no instruction after this one to jump to */ \
		(t) = ((cls) == LM_BPF_JMP || (cls) == LM_BPF_JMP32) && (form) < 2 ? \
			Frama_C_unsigned_char_interval((u8)((k) + 1), (u8)(n - 1)) : 0; \
		make_insn(&prog[k], (k), n, (cls), (form), (t)); \
	} while (0)

int main(void)
{
	int type;
	type = Frama_C_interval(LM_BPF_PROG_MEM, LM_BPF_PROG_SYSCALL);
	//@ split type;
	u32 n, ctx_size;
	n = (u32)Frama_C_interval(1, NINSNS);
	//@ split n;
	switch (type) {
	case LM_BPF_PROG_MEM:
		ctx_size = Frama_C_unsigned_int_interval(0, LM_BPF_MAX_CTX);
		break;
	case LM_BPF_PROG_PREDICATE:
		ctx_size = LM_BPF_PAGE_CTX;
		break;
	default:
		ctx_size = sizeof(struct lm_bpf_syscall_ctx);
		break;
	}
	NEXT_INSN(0, 8, eva_cls0, eva_form0, eva_t0);
	NEXT_INSN(1, eva_cls0, eva_cls1, eva_form1, eva_t1);
#if NINSNS > 2
	NEXT_INSN(2, eva_cls1, eva_cls2, eva_form2, eva_t2);
#endif
#if NINSNS > 3
	NEXT_INSN(3, eva_cls2, eva_cls3, eva_form3, eva_t3);
#endif
	struct bpf_verify_cfg cfg = {
		.ctx_size = ctx_size, .ctx_writable = type == LM_BPF_PROG_MEM, .r2_is_size = 1,
		.helpers = bpf_helpers_for((u32)type), .max_work = LM_BPF_MAX_WORK,
	};
	struct bpf_verify_result res;
	if (bpf_verify(&ws, prog, n, &cfg, &res) != LM_BPF_V_OK)
		return 1;
	Frama_C_make_unknown((char *)ctx, sizeof(ctx));
	struct bpf_result run;
	bpf_run(&vm, prog, n, ctx_size ? ctx : 0, ctx_size, bpf_helpers_for((u32)type),
		LM_BPF_RUN_BUDGET, &run);
	return 0;
}
