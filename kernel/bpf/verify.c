/*
 * The eBPF verifier's entry point and its abstract interpreter's main loop:
 * take the waiting state with the smallest position, run one instruction
 * on it, queue what follows (verify.h explains positions and joins).
 *
 * Bounds: memory is the caller's struct bpf_verify_ws (no allocation, no
 * recursion); time is res->work, one unit per instruction run on a state
 * and V_WORK_STATE per fork, join, loop-head hash or return, against
 * cfg->max_work. A loop-free function is run once per position, so its
 * work is linear in its length (per call path into it); a loop costs its
 * iterations times its body.
 */
#include "verify.h"

const lm_u64 bpf_verify_ws_size = sizeof(struct bpf_verify_ws);

LM_STATIC_ASSERT(sizeof(struct bpf_verify_ws) <= (1u << 20), "the verifier's memory is 1 MiB at most");
LM_STATIC_ASSERT(V_NSTATES < 65536 && V_NSPILL <= 64 && V_MAX_LOOPS < 255, "index widths");

/* --- positions ------------------------------------------------------------ */

/* Move the innermost frame to pc. back: the loop whose back edge is taken
 * (its iteration goes up, the loops inside it start over), or 0xff. */
static enum lm_bpf_verr set_pc(struct bpf_verify_ws *ws, struct vstate *S, u32 pc, u32 back,
			       u32 from)
{
	struct vpos *p = &S->pos[S->depth - 1];
	u8 chain[V_MAX_NEST];
	u32 nl = 0, l, fresh = 0;

	for (l = ws->loop_of[pc] ? ws->loop_of[pc] - 1u : 0xff; l != 0xff; l = ws->loops[l].parent)
		nl++;
	l = ws->loop_of[pc] ? ws->loop_of[pc] - 1u : 0xff;
	for (u32 k = nl; k-- > 0; l = ws->loops[l].parent)
		chain[k] = (u8)l;
	for (u32 k = 0; k < nl; k++) {
		if (!fresh && k < p->nl && p->loop[k] == chain[k]) {
			if (chain[k] != back)
				continue;
			ws->last_back = ws->loops[chain[k]].back + 1;
			if (++p->it[k] >= V_MAX_ITER) {
				ws->err_pc = from;
				return LM_BPF_V_LOOP;
			}
			fresh = 1;
			continue;
		}
		p->loop[k] = chain[k];
		p->it[k] = 0;
		p->hash[k] = 0;
		fresh = 1;
	}
	for (u32 k = nl; k < V_MAX_NEST; k++) {
		p->loop[k] = 0;
		p->it[k] = 0;
		p->hash[k] = 0;
	}
	p->nl = (u8)nl;
	p->pc = pc;
	return LM_BPF_V_OK;
}

static enum lm_bpf_verr jump(struct bpf_verify_ws *ws, struct vstate *S, u32 from, u32 to)
{
	return set_pc(ws, S, to, to <= from ? vfy_loop_head_of_edge(ws, from, to) : 0xff, from);
}

/* At a clean loop's head (verify_cfg.c), the same state as one iteration
 * ago means the next iteration repeats this one: the loop may not end. */
static enum lm_bpf_verr loop_check(struct bpf_verify_ws *ws, struct vstate *S)
{
	struct vpos *p = &S->pos[S->depth - 1];
	const struct vloop *l;
	u64 h;

	if (!p->nl)
		return LM_BPF_V_OK;
	l = &ws->loops[p->loop[p->nl - 1]];
	if (l->head != p->pc || !l->clean)
		return LM_BPF_V_OK;
	h = vfy_hash(S);
	ws->res->work += V_WORK_STATE;
	if (p->it[p->nl - 1] > 0 && p->hash[p->nl - 1] == h) {
		ws->err_pc = l->back;
		return LM_BPF_V_LOOP;
	}
	p->hash[p->nl - 1] = h;
	return LM_BPF_V_OK;
}

/* --- calls and exits -------------------------------------------------------- */

static void set_frame_ptr(struct vreg *r, u32 frame)
{
	scal_const(r, 0);
	r->type = V_PTR_STACK;
	r->frame = (u8)frame;
}

static enum lm_bpf_verr call_local(struct bpf_verify_ws *ws, struct vstate *S, u32 pc)
{
	u32 to = pc + 1 + (u32)ws->prog[pc].imm, g = ws->func_of[to], d = S->depth;

	if (d == LM_BPF_MAX_FRAMES)
		return LM_BPF_V_CALL_DEPTH;
	for (u32 f = 0; f < d; f++)
		if (S->f[f].func == g)
			return LM_BPF_V_CALL_DEPTH;     /* recursion */
	ws->calls[S->f[d - 1].func] |= 1ull << g;
	__builtin_memset(&S->f[d], 0, sizeof(S->f[d]));
	__builtin_memset(&S->pos[d], 0, sizeof(S->pos[d]));
	S->f[d].func = (u16)g;
	for (u32 k = 0; k < 4; k++) {
		S->f[d].saved[k] = S->r[6 + k];
		vfy_reg_uninit(&S->r[6 + k]);
	}
	vfy_reg_uninit(&S->r[0]);
	set_frame_ptr(&S->r[10], d);
	S->depth++;
	return set_pc(ws, S, to, 0xff, pc);
}

/* A pointer into a frame that is returning dies with it, wherever it is. */
static void kill_frame_ptrs(struct vstate *S, u32 dead)
{
	if (S->r[0].type == V_PTR_STACK && S->r[0].frame >= dead)
		vfy_reg_uninit(&S->r[0]);
	for (u32 f = 0; f < dead; f++)
		for (u32 s = 0; s < V_SLOTS; s++) {
			u8 k = S->f[f].spill[s];
			if (k && S->sp[k - 1].type == V_PTR_STACK && S->sp[k - 1].frame >= dead) {
				vfy_spill_drop(S, f, s);
				S->f[f].init[s] = 0;
			}
		}
	for (u32 s = 0; s < V_SLOTS; s++)
		if (S->f[dead].spill[s])
			vfy_spill_drop(S, dead, s);
}

/* *ended: the path ended (an exit from the entry function). A callee may
 * return with r0 unwritten (clang's void functions): r0 stays uninitialised
 * in the caller, where reading it is refused. */
static enum lm_bpf_verr do_exit(struct bpf_verify_ws *ws, struct vstate *S, int *ended)
{
	u32 d = S->depth - 1;

	if (d == 0) {
		if (S->r[0].type == V_UNINIT)
			return LM_BPF_V_UNINIT_REG;
		if (S->r[0].type != V_SCALAR)
			return LM_BPF_V_PTR_LEAK;       /* a kernel address */
		*ended = 1;
		return LM_BPF_V_OK;
	}
	kill_frame_ptrs(S, d);
	ws->res->work += V_WORK_STATE;  /* the frame's slots are all visited */
	for (u32 k = 0; k < 4; k++)
		S->r[6 + k] = S->f[d].saved[k];
	for (u32 k = 1; k <= 5; k++)
		vfy_reg_uninit(&S->r[k]);
	set_frame_ptr(&S->r[10], d - 1);
	__builtin_memset(&S->f[d], 0, sizeof(S->f[d]));
	__builtin_memset(&S->pos[d], 0, sizeof(S->pos[d]));
	S->depth--;
	return set_pc(ws, S, S->pos[d - 1].pc + 1, 0xff, S->pos[d - 1].pc);
}

/* Out of work or of states: inside a loop that is the loop's fault (its
 * unrolling is what used them up). */
static enum lm_bpf_verr out_of_work(struct bpf_verify_ws *ws, const struct vstate *S)
{
	for (u32 f = S->depth; f-- > 0;)
		for (u32 k = S->pos[f].nl; k-- > 0;)
			if (S->pos[f].it[k] > 0) {
				ws->err_pc = ws->loops[S->pos[f].loop[k]].back;
				return LM_BPF_V_LOOP;
			}
	/* Outside every loop now (e.g. at an exit after one), but a loop has
	 * been unrolled: it is what used up the work. */
	if (ws->last_back) {
		ws->err_pc = ws->last_back - 1;
		return LM_BPF_V_LOOP;
	}
	return LM_BPF_V_COMPLEX;
}

/* --- one instruction -------------------------------------------------------- */

/* Does the path from pc reach a join point or an exit within a few
 * instructions, without forking? */
static int ends_soon(const struct bpf_verify_ws *ws, u32 pc)
{
	for (int k = 0; k < 16; k++) {
		const struct lm_bpf_insn *i = &ws->prog[pc];
		u8 cls = LM_BPF_CLASS(i->op), oper = LM_BPF_OPER(i->op);
		if (ws->flags[pc] & VI_JOIN)
			return 1;
		if (cls != LM_BPF_JMP && cls != LM_BPF_JMP32) {
			pc += i->op == LM_BPF_LDDW ? 2 : 1;
			continue;
		}
		if (oper == LM_BPF_EXIT)
			return 1;
		if (oper != LM_BPF_JA)
			return 0;       /* a branch or a call */
		pc = pc + 1 + (cls == LM_BPF_JMP32 ? i->imm : i->off);
	}
	return 0;
}

/* A conditional jump: each way that some value takes gets the refined
 * operands. When both do, one goes on in S and the other is queued: S
 * takes the way that soon ends (a case's body rather than the chain of
 * compares), so queued states do not pile up along a chain. */
static enum lm_bpf_verr branch(struct bpf_verify_ws *ws, struct vstate *S, u32 pc, int *gone)
{
	const struct lm_bpf_insn *i = &ws->prog[pc];
	struct vcond c;
	struct vstate *W[2] = { S, S };
	enum lm_bpf_verr e = vfy_cond(S, i, &c);
	int x = (i->op & LM_BPF_X) != 0;
	u32 to[2] = { pc + 1, pc + 1 + i->off };

	if (e)
		return e;
	if (!c.ok[0] && !c.ok[1]) {
		*gone = 1;              /* no value reaches here: the path is dead */
		return LM_BPF_V_OK;
	}
	if (c.ok[1] && c.ok[0]) {
		int stay = ends_soon(ws, to[1]) && !ends_soon(ws, to[0]);
		if (!(W[!stay] = vfy_clone(ws, S)))
			return out_of_work(ws, S);
		ws->res->work += V_WORK_STATE;
	}
	for (int way = 0; way < 2; way++) {
		if (!c.ok[way])
			continue;
		W[way]->r[LM_BPF_DST(i)] = c.d[way];
		if (x)
			W[way]->r[LM_BPF_SRC(i)] = c.s[way];
		vfy_link_refine(W[way], LM_BPF_DST(i));
		if (x)
			vfy_link_refine(W[way], LM_BPF_SRC(i));
		e = way ? jump(ws, W[way], pc, to[1]) : set_pc(ws, W[way], to[0], 0xff, pc);
		if (e)
			return e;
		if (W[way] != S)
			vfy_queue(ws, W[way]);
	}
	return LM_BPF_V_OK;
}

/* Run the instruction at S's position. *gone: S's path ended (the caller
 * frees it). */
static enum lm_bpf_verr step(struct bpf_verify_ws *ws, struct vstate *S, int *gone)
{
	u32 pc = S->pos[S->depth - 1].pc;
	const struct lm_bpf_insn *i = &ws->prog[pc];
	u8 oper = LM_BPF_OPER(i->op);
	enum lm_bpf_verr e;

	switch (LM_BPF_CLASS(i->op)) {
	case LM_BPF_LD:
		scal_const(&S->r[LM_BPF_DST(i)], (u64)(u32)i->imm | (u64)(u32)i[1].imm << 32);
		return set_pc(ws, S, pc + 2, 0xff, pc);
	case LM_BPF_LDX:
		e = vfy_ldx(ws, S, i);
		break;
	case LM_BPF_ST:
	case LM_BPF_STX:
		e = vfy_store(ws, S, i);
		break;
	case LM_BPF_ALU:
	case LM_BPF_ALU64:
		e = vfy_alu(S, i);
		break;
	default:
		if (oper == LM_BPF_JA)
			return jump(ws, S, pc, pc + 1 + (LM_BPF_CLASS(i->op) == LM_BPF_JMP32 ? i->imm : i->off));
		if (oper == LM_BPF_EXIT)
			return do_exit(ws, S, gone);
		if (oper == LM_BPF_CALL && LM_BPF_SRC(i) == LM_BPF_CALL_LOCAL)
			return call_local(ws, S, pc);
		if (oper == LM_BPF_CALL) {
			e = vfy_helper(ws, S, i);
			break;
		}
		return branch(ws, S, pc, gone);
	}
	return e ? e : set_pc(ws, S, pc + 1, 0xff, pc);
}

/* --- the main loop ------------------------------------------------------------ */

static void init_state(struct bpf_verify_ws *ws, struct vstate *S)
{
	const struct bpf_verify_cfg *cfg = ws->cfg;

	__builtin_memset(S, 0, sizeof(*S));
	S->depth = 1;
	scal_const(&S->r[1], 0);
	if (cfg->ctx_size)
		S->r[1].type = V_PTR_CTX;
	if (cfg->r2_is_size)
		scal_const(&S->r[2], cfg->ctx_size);
	set_frame_ptr(&S->r[10], 0);
	set_pc(ws, S, 0, 0xff, 0);
}

static enum lm_bpf_verr run(struct bpf_verify_ws *ws)
{
	struct vstate *S = vfy_alloc(ws), *next;
	enum lm_bpf_verr e;

	init_state(ws, S);
	while (S) {
		int gone = 0;
		ws->err_pc = S->pos[S->depth - 1].pc;
		if (++ws->res->work > ws->max_work)
			return out_of_work(ws, S);
		if ((e = loop_check(ws, S)))
			return e;
		ws->err_pc = S->pos[S->depth - 1].pc;
		if ((e = step(ws, S, &gone)))
			return e;
		if (gone) {
			vfy_free(ws, S);
			S = vfy_pop(ws);
			continue;
		}
		/* Go on with S where nothing can join it: where only one edge
		 * leads, or where it comes before everything queued. */
		if (!(ws->flags[S->pos[S->depth - 1].pc] & VI_JOIN))
			continue;
		next = vfy_peek(ws);
		if (next && (ws->neager || vfy_poscmp(ws, S, next) >= 0)) {
			vfy_insert(ws, S);
			S = vfy_pop(ws);
		}
	}
	return LM_BPF_V_OK;
}

/* The deepest chain's stack: each function's use plus its deepest callee's
 * chain (the call graph has no cycles: recursion was refused). */
static u32 chain_stack(struct bpf_verify_ws *ws)
{
	u32 chain[V_MAX_FUNCS] = { 0 };

	for (u32 round = 0; round < LM_BPF_MAX_FRAMES; round++)
		for (u32 f = 0; f < ws->nfuncs; f++) {
			u32 deepest = 0;
			for (u32 g = 0; g < ws->nfuncs; g++)
				if ((ws->calls[f] >> g & 1) && chain[g] > deepest)
					deepest = chain[g];
			chain[f] = ((ws->func_stack[f] + 7u) & ~7u) + deepest;
		}
	return chain[0];
}

enum lm_bpf_verr bpf_verify(struct bpf_verify_ws *ws, const struct lm_bpf_insn *prog,
			    lm_u32 n, const struct bpf_verify_cfg *cfg,
			    struct bpf_verify_result *res)
{
	enum lm_bpf_verr e;

	res->err = LM_BPF_V_OK;
	res->pc = 0;
	res->work = 0;
	res->stack = 0;
	if (n == 0 || n > LM_BPF_MAX_INSNS) {
		res->err = LM_BPF_V_TOO_LONG;
		return res->err;
	}
	ws->prog = prog;
	ws->n = n;
	ws->cfg = cfg;
	ws->res = res;
	ws->max_work = cfg->max_work ? cfg->max_work : V_DEFAULT_WORK;
	ws->last_back = 0;
	ws->err_pc = 0;
	__builtin_memset(ws->func_stack, 0, sizeof(ws->func_stack));
	__builtin_memset(ws->calls, 0, sizeof(ws->calls));
	vfy_pool_init(ws);
	e = vfy_structure(ws);
	if (!e)
		e = run(ws);
	if (!e) {
		res->stack = chain_stack(ws);
		if (res->stack > V_STACK_TOTAL)
			e = LM_BPF_V_STACK_DEPTH;
	}
	res->err = e;
	res->pc = e ? ws->err_pc : 0;
	return e;
}

/* --- names ---------------------------------------------------------------- */

static const char *const verr_names[LM_BPF_V_NERR][2] = {
	[LM_BPF_V_OK] = { "OK", "ok" },
	[LM_BPF_V_TOO_LONG] = { "TOO_LONG", "no instructions, or more than the kernel loads" },
	[LM_BPF_V_OPCODE] = { "OPCODE", "not an RFC 9669 instruction, or a reserved field set" },
	[LM_BPF_V_REG] = { "REG", "register above r10" },
	[LM_BPF_V_WRITE_R10] = { "WRITE_R10", "write to r10, the read-only frame pointer" },
	[LM_BPF_V_JUMP_RANGE] = { "JUMP_RANGE", "jump or call target outside the program or function" },
	[LM_BPF_V_JUMP_LDDW] = { "JUMP_LDDW", "jump into the second slot of an lddw" },
	[LM_BPF_V_LDDW] = { "LDDW", "lddw cut off, malformed, or an unsupported form" },
	[LM_BPF_V_FALL_OFF] = { "FALL_OFF", "a path runs past the end of its function" },
	[LM_BPF_V_UNREACHABLE] = { "UNREACHABLE", "instruction that no path reaches" },
	[LM_BPF_V_LOOP] = { "LOOP", "loop not proven to terminate" },
	[LM_BPF_V_UNINIT_REG] = { "UNINIT_REG", "read of an uninitialised register" },
	[LM_BPF_V_UNINIT_STACK] = { "UNINIT_STACK", "read of stack bytes not written on every path" },
	[LM_BPF_V_OUT_OF_BOUNDS] = { "OUT_OF_BOUNDS", "access outside the context or the stack frame" },
	[LM_BPF_V_PTR_ARITH] = { "PTR_ARITH", "arithmetic a pointer may not take part in" },
	[LM_BPF_V_BAD_ACCESS] = { "BAD_ACCESS", "access through a scalar, store to a read-only "
						"context, or misaligned atomic" },
	[LM_BPF_V_PTR_LEAK] = { "PTR_LEAK", "pointer stored, compared or returned where it could leak" },
	[LM_BPF_V_HELPER] = { "HELPER", "helper that does not exist for this program" },
	[LM_BPF_V_HELPER_ARG] = { "HELPER_ARG", "helper argument of the wrong kind or size" },
	[LM_BPF_V_CALL_DEPTH] = { "CALL_DEPTH", "local calls nested too deep, or recursion" },
	[LM_BPF_V_STACK_DEPTH] = { "STACK_DEPTH", "local calls together use too much stack" },
	[LM_BPF_V_COMPLEX] = { "COMPLEX", "program too complex: the verifier's work or memory bound" },
};

const char *bpf_verify_name(enum lm_bpf_verr err)
{
	return (unsigned)err < LM_BPF_V_NERR ? verr_names[err][0] : "UNKNOWN";
}

const char *bpf_verify_strerror(enum lm_bpf_verr err)
{
	return (unsigned)err < LM_BPF_V_NERR ? verr_names[err][1] : "unknown verifier error";
}
