/* Threads (TCBs). */
#ifndef THREAD_H
#define THREAD_H

#include <lamina/object.h>
#include <lamina/bpf.h>
#include "arch.h"
#include "cap.h"

/*
 * A TCB is a 2 KiB object made by retype, aligned to its size, so a slot
 * inside it can find its TCB by masking. The frame must stay first:
 * TSS.rsp0 points just past it and entry.S fills it in place.
 */
struct tcb {
	struct frame frame;
	struct objhdr hdr;
	struct slot cspace;      /* the thread's CNode (a child capability) */
	struct slot vspace;      /* the thread's address space */
	struct slot ipcbuf;      /* frame holding its IPC buffer, if any */
	struct slot faultep;     /* endpoint its faults are sent to, if any */
	struct slot stopntfn;    /* signalled when it exits or stops on a fault */
	u32 state;               /* enum lm_thread_state */
	u8 prio;
	bool queued;             /* on a run queue */
	u16 slice;               /* timer ticks left in this time slice */
	u16 borrowed;            /* server: ticks spent on the call it serves,
	                          * its own and its callees', charged to the
	                          * caller's slice at the reply (sched_charge) */
	struct tcb *rq_next, *rq_prev; /* run queue, or the IPC wait queue */
	/* IPC: while BLOCKED, what for and on what. */
	u8 blocked;              /* BLK_* */
	bool ipc_call;           /* blocked sending a call */
	bool ipc_grant;          /* its endpoint capability may pass capabilities */
	bool fault_ipc;          /* its send/call is a fault message (fault_*) */
	struct waitq *waitq;     /* the queue it is on */
	void *wait_obj;          /* endpoint or notification */
	u64 ipc_badge;           /* badge of the capability it sends through */
	struct tcb *reply_to;    /* server: the caller it owes a reply */
	struct tcb *replier;     /* client in BLK_REPLY: the server that owes it */
	struct notify *bound;    /* notification bound to this thread */
	u64 fs_base, gs_base;
	u64 exc_entry;           /* in-process exception handler, 0: none */
	u64 exc_top, exc_size;   /* its stack: [exc_top - exc_size, exc_top) */
	u8 upcalls;              /* LM_UPCALL_ON_*: only with exc_entry set */
	u8 sysgate;              /* GATE_*: its calls need more than the usual
	                          * path; 0 for nearly every thread */
	u64 foreign_entry;       /* where non-native system calls go, 0: none */
	u64 fault_kind, fault_addr, fault_error, fault_rip, exit_code;
	bool finish_owed;        /* restarted as FINISH_DELETE (syscall.c) ... */
	u64 finish_result;       /* ... and this is what its call returned */
	/* BPF_WAIT (bpf/predicate.c): while blocked in BLK_PRED, the program
	 * (the thread's own copy of the capability, so it outlives the
	 * caller's), the page it reads and the notification whose signals
	 * make it look again (on that notification's preds list). */
	struct slot predprog;
	u64 pred_vaddr;
	struct notify *pred_ntfn;
	struct tcb *pred_next, *pred_prev;
	/* System-call filters (bpf/filter.c): nfilters only grows; a slot whose
	 * capability was revoked stays counted and denies every call. */
	u8 nfilters;
	u64 filter_allow;        /* native calls every filter allows outright */
	struct slot filters[LM_BPF_MAX_FILTERS];
	/* prio's masks for the run queues' bitmap (runq.h), which only
	 * tcb_set_prio writes: its bit in rq_bits[prio >> 6] and the bits
	 * above it there, its word's bit in rq_words and the words above,
	 * and that word's index, prio >> 6; and the complements of the two
	 * bits, which clear them when the queue empties. */
	u64 prio_bit, prio_above, prio_wbit, prio_wabove, prio_nbit, prio_nwbit;
	u8 prio_word;
	/* The IPC fast paths' last lookup of each kind (fastpath.c, FPC_*):
	 * capability pointer cptr named obj, with badge, and passed that
	 * path's type and rights checks, while epoch == cap_epoch (cap.h). */
	struct { u64 epoch, cptr, obj, badge; } fpc[4];
	u64 cr0;                 /* CR0 it runs with: TS set unless it is
	                          * cpu0.fpu_owner (switch.h, fpu_switch) */
	u8 fx[512] __attribute__((aligned(16))); /* FXSAVE area */
};
_Static_assert(sizeof(struct tcb) <= 1 << LM_TCB_BITS, "tcb size");
/* entry.S takes cpu0.cur for the current thread's frame. */
_Static_assert(__builtin_offsetof(struct tcb, frame) == 0, "the frame starts the TCB");

enum { BLK_NONE, BLK_SEND, BLK_RECV, BLK_REPLY, BLK_NTFN, BLK_PRED };

/* tcb.sysgate (syscall.c): what a call must go through first. */
#define GATE_FILTER 0x1 /* system-call filters (nfilters > 0) */
#define GATE_SLOW   0x2 /* no IPC fast path: blocking calls upcall instead */
/* Any gate makes the entry save every register (a thread with no gate has
 * rbx, rbp and r12-r15 saved only when it stops being current: entry.S).
 * GATE_FULL: preemption upcalls, which schedule() may deliver in any
 * call, writing all its registers to its exception stack (upcall.c);
 * GATE_ONCE: a call that needed them restarts itself to come in gated
 * (syscall.c, frame_complete). */
#define GATE_FULL   0x4
#define GATE_ONCE   0x8

#ifndef __FRAMAC__
static inline struct tcb *tcb_of_slot(struct slot *s)
{
	return (struct tcb *)((uptr)s & ~((1ul << LM_TCB_BITS) - 1));
}
#else
/* Frama-C's EVA cannot follow the mask (integer arithmetic on a pointer):
 * each harness (tests/assurance/eva_*.c) gives its model, the same
 * function over the TCBs it has. */
struct tcb *tcb_of_slot(struct slot *s);
#endif

extern struct tcb *root_tcb;
void tcb_init(struct tcb *t);
/* The only way a thread's priority changes: prio and its masks together. */
static inline void tcb_set_prio(struct tcb *t, u8 p)
{
	t->prio = p;
	t->prio_bit = BIT(p & 63);
	t->prio_above = ~1ull << (p & 63);
	t->prio_wbit = BIT(p >> 6);
	t->prio_wabove = ~1ull << (p >> 6);
	t->prio_nbit = ~t->prio_bit;
	t->prio_nwbit = ~t->prio_wbit;
	t->prio_word = p >> 6;
}
void tcb_finalise(struct tcb *t);
void tcb_lost_slot(struct tcb *t, struct slot *s);
void tcb_set_slot(struct tcb *t, struct slot *dst, struct slot *src);
void thread_fault(struct tcb *t, struct frame *f, u64 addr);
void thread_stop_fault(struct tcb *t, u64 kind);
bool upcall_deliver(struct tcb *t, struct frame *f, u64 addr);
void upcall_preempted(struct tcb *t, u64 why);
u64 upcall_blocked(struct tcb *t, u64 nr);
bool fault_ipc_send(struct tcb *t, struct frame *f, u64 addr);
bool tcb_can_run(const struct tcb *t);

/* IPC (endpoint.c, notify.c) */
void ipc_cancel(struct tcb *t, u64 err);
void ipc_thread_gone(struct tcb *t);
bool endpoint_finalise(struct objhdr *h, u32 *budget);
bool notify_finalise(struct objhdr *h, u32 *budget);
void notify_unbind(struct tcb *t);

/* sched.c */
void sched_switch_to(struct tcb *t);
struct tcb *sched_take_next(void);

#define SLICE_TICKS 1
void sched_make_runnable(struct tcb *t);
extern u64 sched_ticks;
bool sched_charge_ticks(struct tcb *server, struct tcb *c);
/* c gets server's reply: true if the ticks server spent on it use up c's
 * slice (sched.c). Usually none fell. */
static inline bool sched_charge(struct tcb *server, struct tcb *c)
{
	return server->borrowed && sched_charge_ticks(server, c);
}
void sched_stop(struct tcb *t, u32 state);
void sched_yield(void);
void sched_tick(void);
void schedule(void);
int sched_check(void);
extern bool need_resched;

#endif
