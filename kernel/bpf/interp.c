/*
 * The eBPF interpreter: RFC 9669, the whole base ISA, checked as it runs
 * (see bpf.h for why). One function per instruction class; each computes
 * the next pc into r->next, or returns an error and leaves r->pc on the
 * failing instruction.
 *
 * Registers hold plain 64-bit values; a pointer is just an address, and a
 * load or store is allowed only if all of its bytes fall in the memory
 * region or in the stack frames live at that moment (a callee may use a
 * pointer into its caller's frame, never into a frame that has returned).
 * Memory is little-endian whatever the host: loads and stores go byte by
 * byte, so `le` is a truncation and `be` a swap.
 */
#include "kernel.h" /* its types only: this file calls nothing outside itself
                      * but memset, for its block clears */
#include "bpf.h"

struct frame {
	u64 saved[4];   /* the caller's r6-r9 */
	u32 ret;        /* the caller's next instruction */
};

struct run {
	struct bpf_vm *vm;
	const struct lm_bpf_insn *prog;
	u32 n, pc, next, depth;
	int done;
	u64 reg[LM_BPF_NREGS];
	struct frame frames[BPF_MAX_FRAMES];
	uptr mem;
	u64 len;
	const struct bpf_helpers *helpers;
};

static const u8 size_bytes[4] = { 4, 2, 1, 8 };    /* by LM_BPF_SIZE >> 3 */

/* --- memory ----------------------------------------------------------- */

static int in_range(uptr addr, u32 size, uptr base, u64 len)
{
	return addr >= base && size <= len && addr - base <= len - size;
}

/* The address a size-byte access at addr may use, or NULL. */
static u8 *access_ok(const struct run *r, u64 addr, u32 size)
{
	uptr a = (uptr)addr;
	uptr top = (uptr)(r->vm->stack + sizeof(r->vm->stack));
	u64 live = (u64)(r->depth + 1) * LM_BPF_STACK;

	if (r->mem && in_range(a, size, r->mem, r->len))
		return (u8 *)a;
	if (in_range(a, size, top - live, live))
		return (u8 *)a;
	return 0;
}

static u64 load_le(const u8 *p, u32 size)
{
	u64 v = 0;
	for (u32 i = size; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void store_le(u8 *p, u32 size, u64 v)
{
	for (u32 i = 0; i < size; i++)
		p[i] = (u8)(v >> (8 * i));
}

static u64 sign_extend(u64 v, u32 bytes)
{
	u32 shift = 64 - 8 * bytes;
	return (u64)((i64)(v << shift) >> shift);
}

/* --- arithmetic --------------------------------------------------------- */

static u64 bswap(u64 v, u32 bits)
{
	u64 out = 0;
	for (u32 i = 0; i < bits / 8; i++)
		out = out << 8 | ((v >> (8 * i)) & 0xff);
	return out;
}

static u64 truncate(u64 v, u32 bits)
{
	return bits == 64 ? v : v & ((1ull << bits) - 1);
}

/* Byte swaps: ALU K to little endian, ALU X to big, ALU64 K always. */
static enum bpf_err alu_end(struct run *r, const struct lm_bpf_insn *i, u64 *d)
{
	u8 cls = LM_BPF_CLASS(i->op);
	u32 bits = (u32)i->imm;

	if ((bits != 16 && bits != 32 && bits != 64) || i->off != 0 ||
	    (cls == LM_BPF_ALU64 && (i->op & LM_BPF_X)))
		return BPF_EOPCODE;
	if (cls == LM_BPF_ALU && !(i->op & LM_BPF_X))
		*d = truncate(*d, bits);
	else
		*d = bswap(*d, bits);
	return BPF_OK;
}

/* Division and modulo as RFC 9669 defines them: x / 0 = 0, x % 0 = x, and
 * the signed overflow INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0. */
static u64 div64(u64 a, u64 b, int sgn, int mod)
{
	if (b == 0)
		return mod ? a : 0;
	if (!sgn)
		return mod ? a % b : a / b;
	if ((i64)b == -1)
		return mod ? 0 : 0 - a;
	return mod ? (u64)((i64)a % (i64)b) : (u64)((i64)a / (i64)b);
}

static u32 div32(u32 a, u32 b, int sgn, int mod)
{
	if (b == 0)
		return mod ? a : 0;
	if (!sgn)
		return mod ? a % b : a / b;
	if ((int)b == -1)
		return mod ? 0 : 0 - a;
	return mod ? (u32)((int)a % (int)b) : (u32)((int)a / (int)b);
}

/* Is off valid for this operation? DIV/MOD take 0 or 1 (signed), MOV from
 * a register 0 or a sign-extension width, everything else 0. */
static int alu_off_ok(u8 oper, int is64, int x, short off)
{
	if (oper == LM_BPF_DIV || oper == LM_BPF_MOD)
		return off == 0 || off == 1;
	if (oper == LM_BPF_MOV)
		return off == 0 || (x && (off == 8 || off == 16 || (is64 && off == 32)));
	return off == 0;
}

static u64 alu_op64(u8 oper, u64 d, u64 s, short off)
{
	switch (oper) {
	case LM_BPF_ADD: return d + s;
	case LM_BPF_SUB: return d - s;
	case LM_BPF_MUL: return d * s;
	case LM_BPF_DIV: return div64(d, s, off, 0);
	case LM_BPF_MOD: return div64(d, s, off, 1);
	case LM_BPF_OR: return d | s;
	case LM_BPF_AND: return d & s;
	case LM_BPF_XOR: return d ^ s;
	case LM_BPF_LSH: return d << (s & 63);
	case LM_BPF_RSH: return d >> (s & 63);
	case LM_BPF_ARSH: return (u64)((i64)d >> (s & 63));
	case LM_BPF_NEG: return 0 - d;
	default: return off ? sign_extend(s, (u32)off / 8) : s;  /* MOV */
	}
}

static u32 alu_op32(u8 oper, u32 d, u32 s, short off)
{
	switch (oper) {
	case LM_BPF_ADD: return d + s;
	case LM_BPF_SUB: return d - s;
	case LM_BPF_MUL: return d * s;
	case LM_BPF_DIV: return div32(d, s, off, 0);
	case LM_BPF_MOD: return div32(d, s, off, 1);
	case LM_BPF_OR: return d | s;
	case LM_BPF_AND: return d & s;
	case LM_BPF_XOR: return d ^ s;
	case LM_BPF_LSH: return d << (s & 31);
	case LM_BPF_RSH: return d >> (s & 31);
	case LM_BPF_ARSH: return (u32)((int)d >> (s & 31));
	case LM_BPF_NEG: return 0 - d;
	default: return off ? (u32)sign_extend(s, (u32)off / 8) : s;  /* MOV */
	}
}

static enum bpf_err step_alu(struct run *r, const struct lm_bpf_insn *i)
{
	u8 oper = LM_BPF_OPER(i->op);
	int is64 = LM_BPF_CLASS(i->op) == LM_BPF_ALU64;
	int x = (i->op & LM_BPF_X) != 0;
	u64 *d = &r->reg[LM_BPF_DST(i)];
	u64 s = x ? r->reg[LM_BPF_SRC(i)] : (u64)(i64)i->imm;

	if (LM_BPF_DST(i) == 10)
		return BPF_EREG;
	if (oper == LM_BPF_END)
		return alu_end(r, i, d);
	if (oper > LM_BPF_END || (oper == LM_BPF_NEG && x) || !alu_off_ok(oper, is64, x, i->off))
		return BPF_EOPCODE;
	if (is64)
		*d = alu_op64(oper, *d, s, i->off);
	else
		*d = alu_op32(oper, (u32)*d, (u32)s, i->off);
	return BPF_OK;
}

/* --- jumps, calls, exit ------------------------------------------------- */

static int jump_taken(u8 oper, u64 a, u64 b, int is32)
{
	i64 sa = (i64)a, sb = (i64)b;

	if (is32) {
		a = (u32)a, b = (u32)b;
		sa = (int)a, sb = (int)b;
	}
	switch (oper) {
	case LM_BPF_JEQ: return a == b;
	case LM_BPF_JGT: return a > b;
	case LM_BPF_JGE: return a >= b;
	case LM_BPF_JSET: return (a & b) != 0;
	case LM_BPF_JNE: return a != b;
	case LM_BPF_JSGT: return sa > sb;
	case LM_BPF_JSGE: return sa >= sb;
	case LM_BPF_JLT: return a < b;
	case LM_BPF_JLE: return a <= b;
	case LM_BPF_JSLT: return sa < sb;
	default: return sa <= sb;    /* JSLE */
	}
}

static enum bpf_err jump_to(struct run *r, i64 rel)
{
	i64 t = (i64)r->pc + 1 + rel;

	if (t < 0 || t >= (i64)r->n)
		return BPF_EJUMP;
	r->next = (u32)t;
	return BPF_OK;
}

static enum bpf_err call_local(struct run *r, const struct lm_bpf_insn *i)
{
	struct frame *f;
	u8 *stack;
	enum bpf_err err = jump_to(r, i->imm);

	if (err)
		return err;
	if (r->depth + 1 >= BPF_MAX_FRAMES)
		return BPF_EDEPTH;
	f = &r->frames[r->depth++];
	for (int k = 0; k < 4; k++)
		f->saved[k] = r->reg[6 + k];
	f->ret = r->pc + 1;
	r->reg[10] -= LM_BPF_STACK;
	/* A new frame reads as zeros, never as an earlier callee's data. */
	stack = (u8 *)(uptr)r->reg[10] - LM_BPF_STACK;
	__builtin_memset(stack, 0, LM_BPF_STACK);
	return BPF_OK;
}

/* A helper call: its MEM arguments are checked like a load of their SIZE
 * bytes; r1-r5 read as zero afterwards (the verifier treats them as
 * clobbered, so no verified program can tell). */
static enum bpf_err call_helper(struct run *r, const struct lm_bpf_insn *i)
{
	const struct bpf_helper *h;
	u64 *a = &r->reg[1];

	if (!r->helpers || (u32)i->imm >= r->helpers->count)
		return BPF_EHELPER;
	h = &r->helpers->table[(u32)i->imm];
	if (!h->fn)
		return BPF_EHELPER;
	for (int k = 0; k < 5; k++) {
		if (h->args[k] != BPF_ARG_MEM)
			continue;
		if (k == 4 || a[k + 1] > LM_BPF_STACK * BPF_MAX_FRAMES + r->len ||
		    (a[k + 1] && !access_ok(r, a[k], (u32)a[k + 1])))
			return BPF_EMEM;
	}
	r->reg[0] = h->fn(a[0], a[1], a[2], a[3], a[4]);
	for (int k = 0; k < 5; k++)
		a[k] = 0;
	return BPF_OK;
}

static enum bpf_err do_exit(struct run *r)
{
	struct frame *f;

	if (r->depth == 0) {
		r->done = 1;
		return BPF_OK;
	}
	f = &r->frames[--r->depth];
	for (int k = 0; k < 4; k++)
		r->reg[6 + k] = f->saved[k];
	r->reg[10] += LM_BPF_STACK;
	r->next = f->ret;
	return BPF_OK;
}

static enum bpf_err step_jmp(struct run *r, const struct lm_bpf_insn *i)
{
	u8 oper = LM_BPF_OPER(i->op);
	int is32 = LM_BPF_CLASS(i->op) == LM_BPF_JMP32;
	int x = (i->op & LM_BPF_X) != 0;
	u64 b = x ? r->reg[LM_BPF_SRC(i)] : (u64)(i64)i->imm;

	switch (oper) {
	case LM_BPF_JA:
		if (x)
			return BPF_EOPCODE;
		return jump_to(r, is32 ? i->imm : i->off);
	case LM_BPF_CALL:
		if (is32 || x)
			return BPF_EOPCODE;
		if (LM_BPF_SRC(i) == LM_BPF_CALL_LOCAL)
			return call_local(r, i);
		return LM_BPF_SRC(i) == LM_BPF_CALL_HELPER ? call_helper(r, i) : BPF_EOPCODE;
	case LM_BPF_EXIT:
		return is32 || x ? BPF_EOPCODE : do_exit(r);
	case 0xe0:
	case 0xf0:
		return BPF_EOPCODE;
	}
	if (jump_taken(oper, r->reg[LM_BPF_DST(i)], b, is32))
		return jump_to(r, i->off);
	return BPF_OK;
}

/* --- loads and stores --------------------------------------------------- */

static enum bpf_err step_lddw(struct run *r, const struct lm_bpf_insn *i)
{
	const struct lm_bpf_insn *hi = i + 1;

	if (LM_BPF_SRC(i) != 0 || i->off != 0)
		return BPF_EOPCODE;     /* map and BTF pseudo-loads: not yet */
	if (LM_BPF_DST(i) == 10)
		return BPF_EREG;
	if (r->pc + 1 >= r->n || hi->op != 0 || hi->regs != 0 || hi->off != 0)
		return BPF_ELDDW;
	r->reg[LM_BPF_DST(i)] = (u64)(u32)i->imm | (u64)(u32)hi->imm << 32;
	r->next = r->pc + 2;
	return BPF_OK;
}

static enum bpf_err step_ldx(struct run *r, const struct lm_bpf_insn *i)
{
	u32 size = size_bytes[LM_BPF_SIZE(i->op) >> 3];
	u8 mode = LM_BPF_MODE(i->op);
	u8 *p;

	if (mode != LM_BPF_MEM && !(mode == LM_BPF_MEMSX && size != 8))
		return BPF_EOPCODE;
	if (LM_BPF_DST(i) == 10)
		return BPF_EREG;
	p = access_ok(r, r->reg[LM_BPF_SRC(i)] + (u64)(i64)i->off, size);
	if (!p)
		return BPF_EMEM;
	r->reg[LM_BPF_DST(i)] = load_le(p, size);
	if (mode == LM_BPF_MEMSX)
		r->reg[LM_BPF_DST(i)] = sign_extend(r->reg[LM_BPF_DST(i)], size);
	return BPF_OK;
}

static enum bpf_err atomic64(u64 *p, int op, u64 *src, u64 *r0)
{
	u64 old, want = *r0;

	switch (op & ~LM_BPF_FETCH) {
	case LM_BPF_ADD: old = __atomic_fetch_add(p, *src, __ATOMIC_SEQ_CST); break;
	case LM_BPF_OR: old = __atomic_fetch_or(p, *src, __ATOMIC_SEQ_CST); break;
	case LM_BPF_AND: old = __atomic_fetch_and(p, *src, __ATOMIC_SEQ_CST); break;
	case LM_BPF_XOR: old = __atomic_fetch_xor(p, *src, __ATOMIC_SEQ_CST); break;
	case LM_BPF_XCHG & ~LM_BPF_FETCH:
		old = __atomic_exchange_n(p, *src, __ATOMIC_SEQ_CST);
		break;
	default:        /* CMPXCHG */
		__atomic_compare_exchange_n(p, &want, *src, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		*r0 = want;
		return BPF_OK;
	}
	if (op & LM_BPF_FETCH)
		*src = old;
	return BPF_OK;
}

static enum bpf_err atomic32(lm_u32 *p, int op, u64 *src, u64 *r0)
{
	u32 old, want = (u32)*r0, s = (u32)*src;

	switch (op & ~LM_BPF_FETCH) {
	case LM_BPF_ADD: old = __atomic_fetch_add(p, s, __ATOMIC_SEQ_CST); break;
	case LM_BPF_OR: old = __atomic_fetch_or(p, s, __ATOMIC_SEQ_CST); break;
	case LM_BPF_AND: old = __atomic_fetch_and(p, s, __ATOMIC_SEQ_CST); break;
	case LM_BPF_XOR: old = __atomic_fetch_xor(p, s, __ATOMIC_SEQ_CST); break;
	case LM_BPF_XCHG & ~LM_BPF_FETCH:
		old = __atomic_exchange_n(p, s, __ATOMIC_SEQ_CST);
		break;
	default:        /* CMPXCHG */
		__atomic_compare_exchange_n(p, &want, s, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		*r0 = want;
		return BPF_OK;
	}
	if (op & LM_BPF_FETCH)
		*src = old;
	return BPF_OK;
}

static enum bpf_err step_atomic(struct run *r, const struct lm_bpf_insn *i, u32 size)
{
	int op = i->imm;
	u8 *p;

	if ((size != 4 && size != 8) || !bpf_atomic_op_ok(op))
		return BPF_EOPCODE;
	if ((op & LM_BPF_FETCH) && op != LM_BPF_CMPXCHG && LM_BPF_SRC(i) == 10)
		return BPF_EREG;
	p = access_ok(r, r->reg[LM_BPF_DST(i)] + (u64)(i64)i->off, size);
	if (!p)
		return BPF_EMEM;
	if ((uptr)p % size)
		return BPF_EALIGN;
	if (size == 8)
		return atomic64((u64 *)p, op, &r->reg[LM_BPF_SRC(i)], &r->reg[0]);
	return atomic32((u32 *)p, op, &r->reg[LM_BPF_SRC(i)], &r->reg[0]);
}

static enum bpf_err step_st(struct run *r, const struct lm_bpf_insn *i)
{
	u32 size = size_bytes[LM_BPF_SIZE(i->op) >> 3];
	int x = LM_BPF_CLASS(i->op) == LM_BPF_STX;
	u64 v = x ? r->reg[LM_BPF_SRC(i)] : (u64)(i64)i->imm;
	u8 *p;

	if (x && LM_BPF_MODE(i->op) == LM_BPF_ATOMIC)
		return step_atomic(r, i, size);
	if (LM_BPF_MODE(i->op) != LM_BPF_MEM)
		return BPF_EOPCODE;
	p = access_ok(r, r->reg[LM_BPF_DST(i)] + (u64)(i64)i->off, size);
	if (!p)
		return BPF_EMEM;
	store_le(p, size, v);
	return BPF_OK;
}

/* --- the loop ----------------------------------------------------------- */

static enum bpf_err step(struct run *r, const struct lm_bpf_insn *i)
{
	if (LM_BPF_DST(i) > 10 || LM_BPF_SRC(i) > 10)
		return BPF_EREG;
	if (!bpf_fields_ok(i))
		return BPF_EOPCODE;
	switch (LM_BPF_CLASS(i->op)) {
	case LM_BPF_LD:
		return i->op == LM_BPF_LDDW ? step_lddw(r, i) : BPF_EOPCODE;
	case LM_BPF_LDX:
		return step_ldx(r, i);
	case LM_BPF_ST:
	case LM_BPF_STX:
		return step_st(r, i);
	case LM_BPF_ALU:
	case LM_BPF_ALU64:
		return step_alu(r, i);
	default:
		return step_jmp(r, i);
	}
}

enum bpf_err bpf_run(struct bpf_vm *vm, const struct lm_bpf_insn *prog, lm_u32 n,
		     void *mem, lm_u64 len, const struct bpf_helpers *helpers,
		     lm_u64 budget, struct bpf_result *res)
{
	struct run r = { .vm = vm, .prog = prog, .n = n, .mem = (uptr)mem,
			 .len = mem ? len : 0, .helpers = helpers };
	enum bpf_err err = BPF_OK;
	u8 *frame0 = vm->stack + sizeof(vm->stack) - LM_BPF_STACK;

	/* A block clear, not a byte loop: this is most of a short program's
	 * run (2,048 of 2,350 instructions of fixed cost under icount). */
	__builtin_memset(frame0, 0, LM_BPF_STACK);
	r.reg[1] = (u64)(uptr)mem;
	r.reg[2] = r.len;
	r.reg[10] = (u64)(uptr)(vm->stack + sizeof(vm->stack));
	res->steps = 0;
	while (!r.done) {
		if (r.pc >= r.n) {
			err = BPF_EFALL;
			break;
		}
		if (res->steps >= budget) {
			err = BPF_EBUDGET;
			break;
		}
		res->steps++;
		r.next = r.pc + 1;
		err = step(&r, &prog[r.pc]);
		if (err)
			break;
		if (!r.done)
			r.pc = r.next;
	}
	res->err = err;
	res->pc = r.pc;
	res->r0 = err ? 0 : r.reg[0];
	return err;
}

const char *bpf_strerror(enum bpf_err err)
{
	static const char *const names[BPF_NERR] = {
		[BPF_OK] = "ok",
		[BPF_EOPCODE] = "invalid instruction",
		[BPF_EREG] = "invalid register (above r10, or a write to r10)",
		[BPF_EJUMP] = "jump or call target outside the program",
		[BPF_EFALL] = "ran off the end of the program",
		[BPF_ELDDW] = "lddw cut off or its second slot malformed",
		[BPF_EMEM] = "load or store outside the memory and the stack",
		[BPF_EALIGN] = "unaligned atomic operation",
		[BPF_EHELPER] = "unknown helper",
		[BPF_EDEPTH] = "local calls nested too deep",
		[BPF_EBUDGET] = "instruction budget exhausted",
	};
	return (unsigned)err < BPF_NERR ? names[err] : "unknown error";
}
