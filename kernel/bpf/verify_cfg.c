/*
 * The verifier's structural pass, before any value is tracked: every
 * instruction decoded exactly as the interpreter decodes it (and reserved
 * fields zero), jump and call targets, functions, reachability, loops.
 *
 * Functions: the entry (pc 0) and every local-call target start one; a
 * function runs to the next one's start. Jumps stay inside their function,
 * and no reachable instruction falls through past its function's end.
 * Every instruction must be reachable by some edge (clang never emits dead
 * code; refusing it keeps the analysis simple and the errors early).
 *
 * Loops: each back edge (a jump to an instruction at or before itself)
 * spans an interval [target, source]; intervals that overlap without one
 * containing the other, or that start at the same instruction, are merged,
 * so the loops nest and each has its own head. (clang also jumps back to a
 * shared exit block placed before the code: that makes a loop too, whose
 * "iterations" end at the exit.) The abstract
 * interpreter unrolls each loop, counting its iterations.
 */
#include "verify.h"

static enum lm_bpf_verr decode_alu(const struct lm_bpf_insn *i)
{
	u8 oper = LM_BPF_OPER(i->op);
	int is64 = LM_BPF_CLASS(i->op) == LM_BPF_ALU64, x = (i->op & LM_BPF_X) != 0;

	if (oper == LM_BPF_END) {
		if ((i->imm != 16 && i->imm != 32 && i->imm != 64) || i->off ||
		    LM_BPF_SRC(i) || (is64 && x))
			return LM_BPF_V_OPCODE;
	} else if (oper > LM_BPF_END || (oper == LM_BPF_NEG && (x || i->imm || LM_BPF_SRC(i)))) {
		return LM_BPF_V_OPCODE;
	} else if (oper == LM_BPF_DIV || oper == LM_BPF_MOD) {
		if (i->off != 0 && i->off != 1)
			return LM_BPF_V_OPCODE;
	} else if (oper == LM_BPF_MOV) {
		if (i->off && !(x && (i->off == 8 || i->off == 16 || (is64 && i->off == 32))))
			return LM_BPF_V_OPCODE;
	} else if (i->off) {
		return LM_BPF_V_OPCODE;
	}
	if (oper != LM_BPF_END && oper != LM_BPF_NEG && (x ? i->imm != 0 : LM_BPF_SRC(i) != 0))
		return LM_BPF_V_OPCODE;
	return LM_BPF_DST(i) == 10 ? LM_BPF_V_WRITE_R10 : LM_BPF_V_OK;
}

static enum lm_bpf_verr decode_jmp(const struct lm_bpf_insn *i)
{
	u8 oper = LM_BPF_OPER(i->op);
	int is32 = LM_BPF_CLASS(i->op) == LM_BPF_JMP32, x = (i->op & LM_BPF_X) != 0;

	switch (oper) {
	case LM_BPF_JA:
		return x || i->regs || (is32 ? i->off : i->imm) ? LM_BPF_V_OPCODE : LM_BPF_V_OK;
	case LM_BPF_CALL:
		return is32 || x || LM_BPF_DST(i) || i->off || LM_BPF_SRC(i) > LM_BPF_CALL_LOCAL ?
		       LM_BPF_V_OPCODE : LM_BPF_V_OK;
	case LM_BPF_EXIT:
		return is32 || x || i->regs || i->off || i->imm ? LM_BPF_V_OPCODE : LM_BPF_V_OK;
	case 0xe0:
	case 0xf0:
		return LM_BPF_V_OPCODE;
	}
	return (x ? i->imm != 0 : LM_BPF_SRC(i) != 0) ? LM_BPF_V_OPCODE : LM_BPF_V_OK;
}

static enum lm_bpf_verr decode_mem(const struct bpf_verify_ws *ws, u32 pc)
{
	const struct lm_bpf_insn *i = &ws->prog[pc];
	u8 mode = LM_BPF_MODE(i->op), size = LM_BPF_SIZE(i->op);

	switch (LM_BPF_CLASS(i->op)) {
	case LM_BPF_LD:
		if (i->op != LM_BPF_LDDW)
			return LM_BPF_V_OPCODE;
		if (LM_BPF_SRC(i))
			return LM_BPF_V_LDDW;
		if (i->off)
			return LM_BPF_V_OPCODE;
		if (LM_BPF_DST(i) == 10)
			return LM_BPF_V_WRITE_R10;
		if (pc + 1 >= ws->n || i[1].op || i[1].regs || i[1].off)
			return LM_BPF_V_LDDW;
		return LM_BPF_V_OK;
	case LM_BPF_LDX:
		if ((mode != LM_BPF_MEM && !(mode == LM_BPF_MEMSX && size != LM_BPF_DW)) || i->imm)
			return LM_BPF_V_OPCODE;
		return LM_BPF_DST(i) == 10 ? LM_BPF_V_WRITE_R10 : LM_BPF_V_OK;
	case LM_BPF_ST:
		return mode != LM_BPF_MEM || LM_BPF_SRC(i) ? LM_BPF_V_OPCODE : LM_BPF_V_OK;
	default:        /* STX */
		if (mode == LM_BPF_MEM)
			return i->imm ? LM_BPF_V_OPCODE : LM_BPF_V_OK;
		if (mode != LM_BPF_ATOMIC || (size != LM_BPF_W && size != LM_BPF_DW) ||
		    !bpf_atomic_op_ok(i->imm))
			return LM_BPF_V_OPCODE;
		if ((i->imm & LM_BPF_FETCH) && i->imm != LM_BPF_CMPXCHG && LM_BPF_SRC(i) == 10)
			return LM_BPF_V_WRITE_R10;
		return LM_BPF_V_OK;
	}
}

static enum lm_bpf_verr decode(const struct bpf_verify_ws *ws, u32 pc)
{
	const struct lm_bpf_insn *i = &ws->prog[pc];

	if (LM_BPF_DST(i) > 10 || LM_BPF_SRC(i) > 10)
		return LM_BPF_V_REG;
	switch (LM_BPF_CLASS(i->op)) {
	case LM_BPF_ALU:
	case LM_BPF_ALU64:
		return decode_alu(i);
	case LM_BPF_JMP:
	case LM_BPF_JMP32:
		return decode_jmp(i);
	default:
		return decode_mem(ws, pc);
	}
}

/* The instruction's jump or call target, or NO_TARGET if it has none. A
 * target may be negative until pass_decode has refused those; after it, any
 * negative value means none. */
#define NO_TARGET (-((i64)1 << 62))
static i64 target(const struct lm_bpf_insn *i, u32 pc)
{
	u8 cls = LM_BPF_CLASS(i->op), oper = LM_BPF_OPER(i->op);

	if (cls != LM_BPF_JMP && cls != LM_BPF_JMP32)
		return NO_TARGET;
	if (oper == LM_BPF_EXIT || (oper == LM_BPF_CALL && LM_BPF_SRC(i) != LM_BPF_CALL_LOCAL))
		return NO_TARGET;
	if (oper == LM_BPF_CALL || (oper == LM_BPF_JA && cls == LM_BPF_JMP32))
		return (i64)pc + 1 + i->imm;
	return (i64)pc + 1 + i->off;
}

static int is_call_local(const struct lm_bpf_insn *i)
{
	return i->op == (LM_BPF_JMP | LM_BPF_CALL) && LM_BPF_SRC(i) == LM_BPF_CALL_LOCAL;
}

/* Does control go on to the next instruction? */
static int falls_through(const struct lm_bpf_insn *i)
{
	u8 cls = LM_BPF_CLASS(i->op), oper = LM_BPF_OPER(i->op);

	if (cls != LM_BPF_JMP && cls != LM_BPF_JMP32)
		return 1;
	return oper != LM_BPF_JA && oper != LM_BPF_EXIT;
}

static enum lm_bpf_verr fail(struct bpf_verify_ws *ws, enum lm_bpf_verr e, u32 pc)
{
	ws->err_pc = pc;
	return e;
}

/* Decode everything; mark lddw second slots and function entries. */
static enum lm_bpf_verr pass_decode(struct bpf_verify_ws *ws)
{
	enum lm_bpf_verr e;

	__builtin_memset(ws->flags, 0, ws->n);
	ws->flags[0] = VI_ENTRY;
	for (u32 pc = 0; pc < ws->n; pc++) {
		if ((e = decode(ws, pc)))
			return fail(ws, e, pc);
		if (ws->prog[pc].op == LM_BPF_LDDW)
			ws->flags[++pc] |= VI_LDDW2;
	}
	for (u32 pc = 0; pc < ws->n; pc++) {
		i64 t = target(&ws->prog[pc], pc);
		if ((ws->flags[pc] & VI_LDDW2) || t == NO_TARGET)
			continue;
		if (t < 0 || t >= ws->n)
			return fail(ws, LM_BPF_V_JUMP_RANGE, pc);
		if (ws->flags[t] & VI_LDDW2)
			return fail(ws, LM_BPF_V_JUMP_LDDW, pc);
		if (is_call_local(&ws->prog[pc]))
			ws->flags[t] |= VI_ENTRY;
	}
	return LM_BPF_V_OK;
}

/* Functions, and every jump inside its own. */
static enum lm_bpf_verr pass_funcs(struct bpf_verify_ws *ws)
{
	ws->nfuncs = 0;
	for (u32 pc = 0; pc < ws->n; pc++) {
		if (ws->flags[pc] & VI_ENTRY) {
			if (ws->nfuncs == V_MAX_FUNCS)
				return fail(ws, LM_BPF_V_COMPLEX, pc);
			ws->funcs[ws->nfuncs++] = pc;
		}
		ws->func_of[pc] = (u16)(ws->nfuncs - 1);
	}
	ws->funcs[ws->nfuncs] = ws->n;
	for (u32 pc = 0; pc < ws->n; pc++) {
		i64 t = target(&ws->prog[pc], pc);
		if (t >= 0 && !(ws->flags[pc] & VI_LDDW2) && !is_call_local(&ws->prog[pc]) &&
		    ws->func_of[t] != ws->func_of[pc])
			return fail(ws, LM_BPF_V_JUMP_RANGE, pc);
	}
	return LM_BPF_V_OK;
}

/* Walk every edge from pc 0: what falls off its function, what is never
 * reached, where paths meet. The work list holds each instruction at most
 * once. */
static enum lm_bpf_verr pass_reach(struct bpf_verify_ws *ws)
{
	u32 top = 0;

	ws->flags[0] |= VI_SEEN;
	ws->todo[top++] = 0;
	while (top) {
		u32 pc = ws->todo[--top], len = ws->prog[pc].op == LM_BPF_LDDW ? 2 : 1;
		const struct lm_bpf_insn *i = &ws->prog[pc];
		i64 next[2] = { -1, target(i, pc) };

		if (falls_through(i)) {
			if (pc + len >= ws->funcs[ws->func_of[pc] + 1])
				return fail(ws, LM_BPF_V_FALL_OFF, pc);
			next[0] = pc + len;
		}
		if (is_call_local(i))
			ws->flags[pc + 1] |= VI_JOIN;   /* every exit of the callee returns here */
		for (int k = 0; k < 2; k++) {
			if (next[k] < 0)
				continue;
			ws->flags[next[k]] |= ws->flags[next[k]] & VI_PRED ? VI_JOIN : VI_PRED;
			if (ws->flags[next[k]] & VI_SEEN)
				continue;
			ws->flags[next[k]] |= VI_SEEN;
			ws->todo[top++] = (u16)next[k];
		}
	}
	for (u32 pc = 0; pc < ws->n; pc++)
		if (!(ws->flags[pc] & (VI_SEEN | VI_LDDW2)))
			return fail(ws, LM_BPF_V_UNREACHABLE, pc);
	return LM_BPF_V_OK;
}

/* --- loops ---------------------------------------------------------------- */

static int contains(const struct vloop *l, u32 lo, u32 hi)
{
	return l->head <= lo && hi <= l->end;
}

/* Add the interval [lo, hi], merging every loop it partly overlaps (and
 * any with the same head: a position names a loop by its head) until the
 * family nests again. */
static int add_interval(struct bpf_verify_ws *ws, u32 lo, u32 hi, u32 src)
{
	int merged = 1;

	while (merged) {
		merged = 0;
		for (u32 k = 0; k < ws->nloops; k++) {
			struct vloop *l = &ws->loops[k];
			int overlap = l->head <= hi && lo <= l->end;
			int nested = contains(l, lo, hi) || (lo <= l->head && l->end <= hi);
			int same = l->head == lo;       /* one loop per head */
			if (!same && (!overlap || nested))
				continue;
			lo = lo < l->head ? lo : l->head;
			hi = hi > l->end ? hi : l->end;
			src = src > l->back ? src : l->back;
			*l = ws->loops[--ws->nloops];
			merged = 1;
			break;
		}
	}
	if (ws->nloops == V_MAX_LOOPS)
		return 0;
	ws->loops[ws->nloops++] = (struct vloop){ .head = lo, .end = hi, .back = src, .clean = 1 };
	return 1;
}

/* The innermost loop holding both ends of an edge from..to, or 0xff. */
static u32 loop_around(const struct bpf_verify_ws *ws, u32 from, u32 to)
{
	u32 lo = from < to ? from : to, hi = from < to ? to : from;
	u32 l = ws->loop_of[from] ? ws->loop_of[from] - 1u : 0xff;

	while (l != 0xff && !contains(&ws->loops[l], lo, hi))
		l = ws->loops[l].parent;
	return l;
}

u32 vfy_loop_head_of_edge(struct bpf_verify_ws *ws, u32 from, u32 to)
{
	return loop_around(ws, from, to);
}

/* Sort loops outermost first (by head, then longest), link parents and
 * mark each instruction's innermost loop. */
static enum lm_bpf_verr nest_loops(struct bpf_verify_ws *ws)
{
	struct vloop *L = ws->loops;

	for (u32 a = 1; a < ws->nloops; a++)
		for (u32 b = a; b > 0 && (L[b].head < L[b - 1].head ||
					  (L[b].head == L[b - 1].head && L[b].end > L[b - 1].end)); b--) {
			struct vloop t = L[b];
			L[b] = L[b - 1];
			L[b - 1] = t;
		}
	__builtin_memset(ws->loop_of, 0, ws->n);
	for (u32 k = 0; k < ws->nloops; k++) {
		u32 p = ws->loop_of[L[k].head] ? ws->loop_of[L[k].head] - 1u : 0xff;
		L[k].parent = (u8)p;
		L[k].depth = p == 0xff ? 1 : L[p].depth + 1;
		if (L[k].depth > V_MAX_NEST)
			return fail(ws, LM_BPF_V_COMPLEX, L[k].back);
		for (u32 pc = L[k].head; pc <= L[k].end; pc++)
			ws->loop_of[pc] = (u8)(k + 1);
	}
	return LM_BPF_V_OK;
}

/* A loop is clean if every way in is its head and every back edge whose
 * innermost loop it is goes to its head: then the state at the head
 * decides everything the next iteration does. */
static void mark_clean(struct bpf_verify_ws *ws)
{
	for (u32 pc = 0; pc < ws->n; pc++) {
		i64 t = target(&ws->prog[pc], pc);
		u32 l;
		if (t < 0 || (ws->flags[pc] & VI_LDDW2) || is_call_local(&ws->prog[pc]))
			continue;
		if (t <= pc) {
			l = loop_around(ws, pc, (u32)t);
			if (l != 0xff && ws->loops[l].head != (u32)t)
				ws->loops[l].clean = 0;
			continue;
		}
		/* Forward: every loop around t but not pc is entered here. */
		for (l = ws->loop_of[t] ? ws->loop_of[t] - 1u : 0xff; l != 0xff;
		     l = ws->loops[l].parent) {
			if (contains(&ws->loops[l], pc, pc))
				break;
			if (ws->loops[l].head != (u32)t)
				ws->loops[l].clean = 0;
		}
	}
}

static enum lm_bpf_verr pass_loops(struct bpf_verify_ws *ws)
{
	ws->nloops = 0;
	for (u32 pc = 0; pc < ws->n; pc++) {
		i64 t = target(&ws->prog[pc], pc);
		if (t < 0 || t > pc || (ws->flags[pc] & VI_LDDW2) || is_call_local(&ws->prog[pc]))
			continue;
		if (!add_interval(ws, (u32)t, pc, pc))
			return fail(ws, LM_BPF_V_COMPLEX, pc);
	}
	if (nest_loops(ws))
		return LM_BPF_V_COMPLEX;
	mark_clean(ws);
	return LM_BPF_V_OK;
}

enum lm_bpf_verr vfy_structure(struct bpf_verify_ws *ws)
{
	enum lm_bpf_verr e;

	if ((e = pass_decode(ws)) || (e = pass_funcs(ws)) || (e = pass_reach(ws)) ||
	    (e = pass_loops(ws)))
		return e;
	return LM_BPF_V_OK;
}
