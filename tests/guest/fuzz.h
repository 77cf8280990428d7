/*
 * The deep fuzzer (docs/FUZZING.md): programs of chained system calls on a
 * pool of objects in a sandbox, run by executor threads, guided by kernel
 * coverage where the kernel offers it (DEBUG_COVERAGE, `make fuzz`).
 *
 *   fuzz_gen.c   the pool model, call generation and mutation
 *   fuzz_exec.c  the sandbox, the executors, the code sandbox threads run
 *   fuzz.c       sessions: corpus, coverage, oracles, the tests
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <lamina/bpf.h>
#include "harness.h"

#define FZ_SB_BITS   8             /* the sandbox CNode: 256 slots */
#define FZ_SLOTS     (1u << FZ_SB_BITS)
#define FZ_UT_BITS   20            /* the sandbox untyped: 1 MiB */
#define FZ_MAXCALLS  96            /* setup prologue + fuzzed calls */
#define FZ_FUZZCALLS 48            /* fuzzed calls in one program, at most */
#define FZ_EXECS     3             /* executor threads */
#define FZ_ASIDS     4             /* the sandbox's range of address-space IDs */
/* The FS base of the controller and the executors (whose code never uses
 * FS) and of half the sandbox register sets: a thread that zeroes its own
 * base by a segment load and switches to any of them must not pass the
 * zero on (the handler checks sandbox threads' bases). */
#define FZ_FS_BASE   8

/* The sandbox's address space (its own VSPACE object). */
#define FZ_VA         0x500000000000ull
#define FZ_CODE_VA    FZ_VA                   /* the snippets, R+X */
/* The handler's counters, in a page no generated address reaches (the
 * generator's addresses stay below FZ_VA + 4 MiB but for 2 MiB-aligned
 * ones): sandbox code stores anywhere it is told to. */
#define FZ_VERDICT_VA (FZ_VA + 0x7ff000)
#define FZ_STACK_VA   (FZ_VA + 0x2000)        /* a stack page */
#define FZ_EXC_VA     (FZ_VA + 0x3000)        /* two exception-stack pages */

/* Slots the setup prologue fills (the rest start empty). */
enum {
	SB_SELF = 1, SB_VSPACE = 2, SB_TCB = 3, SB_TCB2 = 4, SB_CNODE = 5,
	SB_FRAME = 6, SB_PTABLE = 10, SB_EP = 14, SB_EP_BADGED = 16, SB_NTFN = 17,
	SB_NTFN_BADGED = 19, SB_UT_CHILD = 20, SB_FRAME_RO = 21, SB_UT = 22,
	SB_CODE = 23, SB_DATA = 25 /* 3 frames */, SB_TABLES = 28,
	SB_FRAME2M = 31, SB_ASIDS = 32 /* FZ_ASIDS address-space IDs */,
	SB_BPF = 33 /* MEM, PREDICATE and SYSCALL programs, one not loaded */,
	SB_FIRST_FREE = 37,
};

/* How an argument is chosen when the call runs. */
enum fz_kind {
	K_LIT,   /* v as it is */
	K_SLOT,  /* a slot of type ty (0: any non-empty) in the pool, v picks */
	K_FREE,  /* an empty slot, v picks */
	K_REGS,  /* the executor's register set, built from x[] */
	K_BUF,   /* the executor's scratch buffer */
};

struct fz_call {
	lm_u16 nr;           /* offset from LM_SYS_BASE, or a raw number */
	lm_u8 raw;           /* nr is the whole number (noise calls) */
	lm_u8 setup;         /* part of the prologue: must succeed */
	lm_u8 kind[6], ty[6];
	lm_u64 v[6];
	lm_u64 x[8];         /* IPC descriptors, or a register set */
};

struct fz_prog {
	lm_u32 n, next;      /* calls, and the next one an executor takes */
	lm_u32 nsetup;       /* the prologue: c[0 .. nsetup) */
	lm_u32 done;         /* the calls before it have all been made */
	struct fz_call c[FZ_MAXCALLS];
};

/* x[] of IPC calls: send_caps picks (mode << 56 | pick), recv slot picks. */
#define FZ_CAP_ANY  0ull
#define FZ_CAP_ARG1 1ull     /* the endpoint named by argument 1 */
#define FZ_CAP_NONE 2ull

/* The exception handler's counters, at FZ_VERDICT_VA (fuzz_exec.c). */
struct fz_verdict {
	lm_u64 good, bad, bad_at, bad_mask;  /* frames: as the thread's, or not */
	lm_u64 long_msg, fs_wrong;           /* a received message, the FS base */
	lm_u64 pad[2];
	lm_u64 vectors[32];
};

/* What a program did that lets user code, not the kernel, explain a
 * verdict (fz_exec_call sets them; the controller excuses such verdicts):
 * frames, when exception stacks may be shared, remapped or written by
 * other code; FS, when a base was set other than with a register set. */
struct fz_taint {
	lm_u8 frames, fs;
};
extern struct fz_taint fz_taint;

/* Findings and counts of a session. */
struct fz_stats {
	lm_u64 calls, programs, unblocks, hangs, problems, checks;
	lm_u64 bad_rax, bad_abi, setup_fail, leaks;
	lm_u64 bad_frames, long_msgs, fs_wrong;   /* the handler's, in untainted programs */
	lm_u64 excused;                           /* its verdicts in tainted ones */
	lm_u64 errs[LM_NERR];
	lm_u64 last_bad_nr, last_bad_ret;
};

extern struct fz_stats fz_st;
extern lm_u8 fz_pool[FZ_SLOTS];      /* the model: type per slot, 0xff unknown */
extern lm_u8 fz_usig[LM_NSYSCALLS * LM_NERR / 8 + 64]; /* user-side signal */
extern lm_u64 fz_usig_new;

lm_u64 fz_rnd(void);
void fz_srand(lm_u64 seed);

/* fuzz_gen.c */
void fz_pool_reset(void);
lm_u64 fz_pick(lm_u8 kind, lm_u8 ty, lm_u64 v);
void fz_gen_call(struct fz_call *c);
void fz_gen_prog(struct fz_prog *p, lm_u32 first);
void fz_mutate(struct fz_prog *p, lm_u32 first, const struct fz_prog *other);
void fz_prologue(struct fz_prog *p);
void fz_print_call(const struct fz_call *c, lm_u32 i);
/* eBPF programs the generator hands BPF_LOAD (fuzz_gen.c). */
extern const struct lm_bpf_insn fz_ret0[2], fz_ret1[2], fz_word[2];

/* fuzz_exec.c */
int fz_sandbox_init(void);
int fz_run_prog(struct fz_prog *p);
int fz_sandbox_leaked(void);
void fz_sandbox_fini(void);
const volatile struct fz_verdict *fz_verdict(void);
void fz_exec_call(struct fz_call *c, lm_u32 exec);

#endif
