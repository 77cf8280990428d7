/*
 * eBPF program objects (LM_OBJ_BPF): the kernel side of BPF_LOAD, BPF_RUN,
 * BPF_WAIT and THREAD_SET_FILTER. The object is memory user space retyped;
 * its layout, from the start of the object (aligned to its size):
 *
 *   0                 struct bpf_prog (LM_BPF_HDR_BYTES)
 *   LM_BPF_HDR_BYTES  n instructions, as loaded (8 bytes each)
 *   jit_off           (later) the JIT's code: the pages from the first page
 *                     boundary after the instructions to the object's end
 *
 * The JIT step will translate into those pages through the direct map
 * while the object is not yet loaded, then map the same physical pages a
 * second time in a kernel window, read-only and executable, and set
 * jit_entry; the direct map stays non-executable. Nothing else in the
 * kernel points into the object: threads hold capabilities to it (in
 * their TCB, like their fault endpoint), so it lives exactly as long as
 * some capability names it, and its memory cannot be retyped before.
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
	u32 jit_off;            /* reserved for the JIT: offset of its code, 0: none */
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

extern struct bpf_vm bpf_vm0; /* the one run's stacks (prog.c) */
void bpf_prog_init(struct bpf_prog *p, u8 size_bits);
void bpf_boot(void *workspace);
/* Run a loaded program over [ctx, ctx + len) with its type's helpers. */
enum bpf_err bpf_prog_run(struct bpf_prog *p, void *ctx, u64 len, u64 budget,
			  struct bpf_result *res);

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
