/*
 * The eBPF verifier's private types (verify*.c). docs/DESIGN.md, "The eBPF
 * verifier", explains the design; this header fixes its limits.
 *
 * The verifier is an abstract interpreter. A state (struct vstate) gives
 * every register and stack byte an abstract value (struct vreg); states
 * wait in a pool ordered by their position (struct vpos), and two states at
 * the same position are joined. A position is the instruction plus, for
 * every frame and every loop around it, which iteration the path is in:
 * joins happen within one iteration (diamonds cost nothing extra), never
 * across iterations (so loops are unrolled with precise values until their
 * exit condition is decided). Every successor of a state has a larger
 * position than the state, so taking the smallest waiting state each time
 * visits each position once, after everything that flows into it. Only
 * join points (VI_JOIN) need that order: a state where a single edge leads
 * runs at once (ws->eager).
 */
#ifndef BPF_VERIFY_H
#define BPF_VERIFY_H

#include "kernel.h"
#include "bpf.h"

#define V_DEFAULT_WORK  1000000u  /* cfg->max_work when 0 */
#define V_NSTATES       150       /* states alive at once (waiting or current) */
#define V_NSPILL        32        /* spilled registers held by one state */
#define V_MAX_LOOPS     64        /* loops (merged back-edge intervals) */
#define V_MAX_NEST      4         /* loops nested in one function */
#define V_MAX_FUNCS     64        /* the entry function and local-call targets */
#define V_MAX_ITER      65536u    /* iterations of one loop per entry */
#define V_STACK_TOTAL   LM_BPF_STACK_TOTAL  /* within the 8 x 512 bytes bpf_vm provides */
#define V_SLOTS         (LM_BPF_STACK / 8)

/* Work units charged besides one per instruction: a fork or a join copies
 * or merges a whole state, a few kilobytes. */
#define V_WORK_STATE    16

const char *bpf_verify_name(enum lm_bpf_verr err);   /* "OUT_OF_BOUNDS" */

/* --- abstract values ------------------------------------------------------ */

/* Known bits: bit i is unknown if m has it, else it equals v's (v & m == 0). */
struct tnum {
	u64 v, m;
};

enum vtype {
	V_UNINIT,       /* never written on some path: may not be read */
	V_SCALAR,       /* a number: bounds and t describe it */
	V_PTR_CTX,      /* the context plus an offset (bounds and t describe it) */
	V_PTR_STACK,    /* the top of frame `frame` plus an offset (negative) */
};

/* One register's value. For a pointer the numeric fields describe the
 * offset from its base. Invariant after scal_sync: the value lies in
 * [smin, smax] as signed, [umin, umax] as unsigned, and matches t.
 *
 * Linked values: registers with the same nonzero id hold (modulo 2^64)
 * one hidden number, fixed when the id was issued, plus their delta. A
 * copy (mov) links its source and destination, adding a constant keeps
 * the link, anything else breaks it; so a comparison that bounds one of
 * them bounds the others (the `if (p + 4 > end)` idiom: the check is on a
 * copy, the access through the original). Ids are issued by a counter in
 * the state and never reused along a path. */
struct vreg {
	u8 type;
	u8 frame;       /* V_PTR_STACK: index of the frame pointed into */
	u8 pad[2];
	u32 id;
	i64 smin, smax;
	u64 umin, umax;
	struct tnum t;
	u64 delta;
};

/* One call frame's abstract memory and what its caller keeps. */
struct vframe {
	struct vreg saved[4];   /* the caller's r6-r9 (frames above 0) */
	u8 init[V_SLOTS];       /* bit b of slot s: byte s*8+b of the frame written */
	u8 spill[V_SLOTS];      /* 0, or 1 + index in vstate.sp: the slot holds that
	                           register, all 8 bytes, written by an aligned store */
	u16 func;               /* index in ws->funcs */
	u8 pad[6];
};

/* Where a frame is: its instruction (for callers, the call) and the loops
 * around it, outermost first, each with its iteration. */
struct vpos {
	u32 pc;
	u8 nl;
	u8 loop[V_MAX_NEST];
	u8 pad[3];
	u32 it[V_MAX_NEST];
	u64 hash[V_MAX_NEST];   /* the state at the loop's head last iteration */
};

struct vstate {
	u8 depth;               /* frames in use, >= 1 */
	u8 pad[3];
	u32 next_id;            /* the last link id issued (struct vreg) */
	struct vpos pos[LM_BPF_MAX_FRAMES];
	/* The abstract part (hashed for loop detection): everything below. */
	struct vreg r[LM_BPF_NREGS];
	struct vframe f[LM_BPF_MAX_FRAMES];
	struct vreg sp[V_NSPILL];
	u64 sp_used;            /* bit k: sp[k] is in use */
};

/* --- structure (verify_cfg.c) ----------------------------------------------- */

/* A loop: the union of back-edge intervals [target, source] that overlap,
 * nested in parent (0xff: none). */
struct vloop {
	u32 head, end;
	u32 back;               /* the last back edge's source, for LOOP errors */
	u8 parent, depth;
	u8 clean;               /* entered only at head, every back edge to head */
	u8 pad;
};

#define VI_LDDW2   0x01     /* second slot of an lddw */
#define VI_SEEN    0x02     /* reached in the structural walk */
#define VI_ENTRY   0x04     /* a function starts here */
#define VI_PRED    0x08     /* some reachable instruction leads here */
#define VI_JOIN    0x10     /* paths may meet here: two edges lead here, or
                               it is where a local call returns */

struct bpf_verify_ws {
	const struct lm_bpf_insn *prog;
	u32 n;
	const struct bpf_verify_cfg *cfg;
	struct bpf_verify_result *res;
	u64 max_work;
	u32 err_pc;
	u32 last_back;          /* the last back edge taken + 1 (0: none yet) */

	u8 flags[LM_BPF_MAX_INSNS];
	u8 loop_of[LM_BPF_MAX_INSNS];   /* innermost loop + 1, or 0 */
	u16 func_of[LM_BPF_MAX_INSNS];
	u16 todo[LM_BPF_MAX_INSNS];     /* the structural walk's work list */
	struct vloop loops[V_MAX_LOOPS];
	u32 nloops;
	u32 funcs[V_MAX_FUNCS + 1];     /* entry pcs, ascending; funcs[nfuncs] = n */
	u32 nfuncs;
	u16 func_stack[V_MAX_FUNCS];    /* deepest stack byte each function used */
	u64 calls[V_MAX_FUNCS];         /* bit g of calls[f]: f calls g */

	/* The pool: pending holds states waiting at join points sorted by
	 * position, largest first (the next to run is last); eager holds
	 * states at instructions only one edge leads to, which nothing can
	 * join (run first, in any order); free the unused slots. */
	u16 pending[V_NSTATES];
	u32 npending;
	u16 eager[V_NSTATES];
	u32 neager;
	u16 free[V_NSTATES];
	u32 nfree;
	struct vstate st[V_NSTATES];
};

/* verify_cfg.c: decode every instruction, functions, reachability, loops. */
enum lm_bpf_verr vfy_structure(struct bpf_verify_ws *ws);
u32 vfy_loop_head_of_edge(struct bpf_verify_ws *ws, u32 from, u32 to);

/* verify_tnum.c: known bits and the bounds that go with them. */
struct tnum tnum_const(u64 v);
struct tnum tnum_unknown(void);
struct tnum tnum_range(u64 min, u64 max);
struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_mul(struct tnum a, struct tnum b);
struct tnum tnum_lsh(struct tnum a, u32 k);
struct tnum tnum_rsh(struct tnum a, u32 k);
struct tnum tnum_arsh(struct tnum a, u32 k);
struct tnum tnum_trunc(struct tnum a, u32 bytes);
struct tnum tnum_sext(struct tnum a, u32 bits);
struct tnum tnum_bswap(struct tnum a, u32 bits);
struct tnum tnum_join(struct tnum a, struct tnum b);
int scal_sync(struct vreg *r);                  /* 0: no value fits */
void scal_const(struct vreg *r, u64 v);
void scal_unknown(struct vreg *r);
void scal_trunc32(struct vreg *r);
void scal_sext(struct vreg *r, u32 bits);       /* from the low bits */
int scal_meet(struct vreg *a, const struct vreg *b);   /* 0: empty */
void scal_join(struct vreg *a, const struct vreg *b);
int scal_is_const(const struct vreg *r);
void scal_add_const(struct vreg *r, u64 c);

/* verify_alu.c: arithmetic. */
void scal_alu(struct vreg *d, const struct vreg *s, u8 oper, int is64, int sgn);
enum lm_bpf_verr vfy_alu(struct vstate *S, const struct lm_bpf_insn *i);

/* verify_jmp.c: conditional jumps. ok[0]: fall through possible, ok[1]:
 * jump possible; fall/taken get the refined state's r[] values of dst and
 * src. */
struct vcond {
	int ok[2];
	struct vreg d[2], s[2];
};
enum lm_bpf_verr vfy_cond(const struct vstate *S, const struct lm_bpf_insn *i, struct vcond *c);
void vfy_link_refine(struct vstate *S, u32 k);

/* verify_mem.c: loads, stores, atomics, helper arguments. */
enum lm_bpf_verr vfy_ldx(struct bpf_verify_ws *ws, struct vstate *S, const struct lm_bpf_insn *i);
enum lm_bpf_verr vfy_store(struct bpf_verify_ws *ws, struct vstate *S, const struct lm_bpf_insn *i);
enum lm_bpf_verr vfy_helper(struct bpf_verify_ws *ws, struct vstate *S, const struct lm_bpf_insn *i);

/* verify_state.c: the pool, positions, joins. */
void vfy_pool_init(struct bpf_verify_ws *ws);
struct vstate *vfy_alloc(struct bpf_verify_ws *ws);
void vfy_free(struct bpf_verify_ws *ws, struct vstate *S);
struct vstate *vfy_clone(struct bpf_verify_ws *ws, const struct vstate *S);
int vfy_poscmp(const struct bpf_verify_ws *ws, const struct vstate *a, const struct vstate *b);
int vfy_insert(struct bpf_verify_ws *ws, struct vstate *S);  /* 0: the pool is full */
struct vstate *vfy_pop(struct bpf_verify_ws *ws);
void vfy_queue(struct bpf_verify_ws *ws, struct vstate *S);
struct vstate *vfy_peek(struct bpf_verify_ws *ws);
u64 vfy_hash(const struct vstate *S);
void vfy_reg_uninit(struct vreg *r);
int vfy_spill_alloc(struct vstate *S);          /* index, or -1 */
void vfy_spill_drop(struct vstate *S, u32 frame, u32 slot);

#endif
