/*
 * eBPF program objects (LM_OBJ_BPF): the kernel side of BPF_LOAD, BPF_RUN,
 * BPF_WAIT and THREAD_SET_FILTER. The object is memory user space retyped;
 * its layout, from the start of the object (aligned to its size):
 *
 *   0                 struct bpf_prog (LM_BPF_HDR_BYTES)
 *   LM_BPF_HDR_BYTES  n instructions, as loaded (8 bytes each)
 *   bpf_jit_off(n)    the JIT's code: the pages from the first page
 *                     boundary after the instructions to the object's end
 *
 * BPF_LOAD, once the verifier accepts, translates into those pages through
 * the direct map (non-executable), then maps the pages the code uses a
 * second time in the kernel's code window (arch kmap.c), read-only and
 * executable, and records where (jit_slot, jit_pages): no page is ever
 * writable and executable at once. Nothing else in the kernel points into
 * the object: threads hold capabilities to it (in their TCB, like their
 * fault endpoint), so it lives exactly as long as some capability names
 * it, its memory cannot be retyped before, and when the last capability
 * goes no thread can be running or sleeping on its code:
 * bpf_prog_finalise unmaps the window then.
 */
#ifndef BPF_PROG_H
#define BPF_PROG_H

#include "cap.h"
#include "bpf.h"
#include "helpers.h"

struct bpf_prog {
	struct objhdr hdr;      /* hdr.bits: the object's size (log2 bytes) */
	u8 type;                /* enum lm_bpf_type once loaded, 0 before */
	bool allow_known;       /* SYSCALL: allow is computed (first attach) */
	u32 n;                  /* instructions */
	u32 ctx_size;           /* bytes r1 points to when it runs */
	u16 jit_slot;           /* its code's first page in the code window */
	u16 jit_pages;          /* pages of code mapped there; 0: interpreted */
	u64 allow;              /* SYSCALL: native calls it allows whatever their
	                           arguments, bit i for LM_SYS_BASE + i (filter.c) */
};
_Static_assert(sizeof(struct bpf_prog) <= LM_BPF_HDR_BYTES, "program header");

static inline struct lm_bpf_insn *bpf_insns(struct bpf_prog *p)
{
	return (struct lm_bpf_insn *)((char *)p + LM_BPF_HDR_BYTES);
}

/* The loaded program of type `type` that capability c names, or NULL. */
static inline struct bpf_prog *bpf_prog_of(const struct cap *c, u32 type)
{
	struct bpf_prog *p = (struct bpf_prog *)c->obj;
	return c->type == LM_OBJ_BPF && p->type == type ? p : NULL;
}

/* Where the JIT's code starts in an object holding n instructions. */
static inline u64 bpf_jit_off(u32 n)
{
	return ALIGN_UP(LM_BPF_HDR_BYTES + (u64)n * sizeof(struct lm_bpf_insn), LM_PAGE_SIZE);
}

extern struct bpf_vm bpf_vm0; /* the one run's stacks (prog.c) */
void bpf_prog_init(struct bpf_prog *p, u8 size_bits);
void bpf_boot(void *workspace);
void bpf_prog_finalise(struct bpf_prog *p);
int bpf_jit_check(void);
/* Run a loaded program over [ctx, ctx + len) with its type's helpers and
 * its hook's budget (BPF_EBUDGET: it would run more instructions). */
enum bpf_err bpf_prog_run(struct bpf_prog *p, void *ctx, u64 len, struct bpf_result *res);

/* predicate.c */
struct tcb;
struct notify;
void pred_signal(struct notify *n);
void pred_tick(void);
void pred_detach(struct tcb *t);
int pred_check(void);

/* filter.c */
struct frame;
bool filter_syscall(struct frame *f);
u64 filter_may_control(const struct tcb *t, int argno);
u64 filter_inherit_check(const struct tcb *t, int argno);
void filter_inherit(struct tcb *t);

#endif
