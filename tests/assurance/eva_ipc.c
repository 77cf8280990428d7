/*
 * Frama-C EVA harness for IPC, threads and the scheduler, precise
 * (tests/assurance/eva.sh, docs/ASSURANCE.md): endpoints (endpoint.c),
 * notifications (notify.c), wait queues and blocking (waitq.c), thread
 * objects and their calls (thread.c) and the scheduler (sched.c), with
 * the capability layer under them (mdb.c, cap.c, cnode.c, untyped.c,
 * syscall.c's dispatch and lookup), every one the kernel's own code.
 *
 * The state: root's thread (priority 20) with a CSpace of 2^ROOT_BITS
 * slots and an address space, as root.c makes them, and an untyped. A
 * setup made by real system calls retypes three threads, two endpoints
 * and a notification, configures the threads (root's CNode, its address
 * space), gives them priorities 10, 5 and 5 and resumes them; root lowers
 * itself to 1 and the scheduler runs the server (thread 1), which receives
 * on endpoint 0 and blocks; client 2 runs next. From there, or from one
 * of five more states made by fixed events (start()), one
 * nondeterministic event: the current thread makes one system
 * call (every IPC, notification and thread call, deletion of an endpoint,
 * notification or thread capability, FINISH_DELETE) with nondeterministic
 * arguments, through syscall_dispatch as entry.S calls it (which runs the
 * scheduler after it); or the timer ticks (sched_tick, then schedule); or
 * the current thread faults (trap.c's path: fault IPC to its fault
 * endpoint, else it stops). The calls include THREAD_INFO,
 * THREAD_SET_FSBASE (the MSR writes are asm with inputs only: nothing EVA
 * sees), THREAD_SET_FOREIGN and another OS's numbers (reflected), the
 * I/O-port calls (ioport.c; port reads modelled, eva/asm.h) and the debug
 * calls of a release build (debug.c, count.c, kcov.c), DEBUG_CHECK's
 * result asserted clean: the kernel's own self-check finds nothing wrong
 * in any state reached.
 *
 * With EVA_IPC_STEPS 2 (run ipc2), a second event follows the first, from
 * the states it left kept apart by eva_sig (eva/ipc_sig.h).
 *
 * With EVA_FASTPATH (run ipcfp), kernel/fastpath.c is analysed with the
 * fast paths on: every call enters as entry.S's (eva/ipc_fast.h), the
 * fast path first, and what it leaves is asserted against the general
 * path's rules; EVA_IPC_FAST narrows the event to the fast paths' own.
 *
 * Stubs (eva/ipc_stubs.h) are only for hardware (FPU, CR3, port reads,
 * idling, the console), user memory (eva_vs.c's) and what no state here
 * reaches (eBPF predicates and filters: none loaded; interrupt lines:
 * none claimed; page tables): those that must stay unreached assert so.
 */
#include "__fc_builtin.h"
#include <string.h> /* Frama-C's specifications of memset and memcpy */
#include <stdarg.h>
#include "cap.h"
#include "cnode.h"
#include "syscall.h"
#include "thread.h"
#include "vspace.h"
#include "ipc.h"
#include "bpf/prog.h"
#include <lamina/syscall.h>
#include <lamina/exception.h>
#include <lamina/bootinfo.h>
#include "entry.h" /* the fast paths' numbers (SYS_FAST_FIRST) */

#define ROOT_BITS 5
#define UT_PA     0x200000ull
#define UT_BITS   15
#define UT_SIZE   (1ull << UT_BITS)
#define PML4_PA   0x1000ull /* root's address space: never dereferenced */
#define ASID      1
#ifndef EVA_IPC_STEPS
#define EVA_IPC_STEPS 1 /* events after the start state; eva.sh --long: 2 */
#endif

struct percpu cpu0;
u32 cpu_features;
struct asid_entry asid_tab[ASID_COUNT];
struct tss tss;
#ifndef EVA_FASTPATH
bool fastpath_enabled; /* false: every call takes the general path */
#endif /* else fastpath.c's, true (run ipcfp) */

static struct tcb root __attribute__((aligned(1 << LM_TCB_BITS)));
static struct slot root_cnode[1 << ROOT_BITS] __attribute__((aligned(1 << (ROOT_BITS + LM_SLOT_BITS))));

/* Typed object memory, as eva_main.c: what retype makes of each type lies
 * at its offset in the untyped, in that type's own array (eva/arch.h's
 * phys_to_virt). Only the setup retypes here, and every object one retype
 * makes is of the type asked for. TCBs are aligned to their size as the
 * kernel's are, so tcb_of_slot's mask finds them. After the setup the
 * only objects reached by physical address are frames (IPC buffers):
 * eva_placing stays LM_OBJ_FRAME. */
static u8 eva_placing;
static u8 frame_mem[UT_SIZE >> LM_PAGE_BITS][1 << LM_PAGE_BITS] __attribute__((aligned(1 << LM_PAGE_BITS)));
static struct tcb tcb_mem[UT_SIZE >> LM_TCB_BITS] __attribute__((aligned(1 << LM_TCB_BITS)));
static u8 ep_mem[UT_SIZE >> LM_ENDPOINT_BITS][1 << LM_ENDPOINT_BITS] __attribute__((aligned(1 << LM_ENDPOINT_BITS)));
static u8 ntfn_mem[UT_SIZE >> LM_NOTIFY_BITS][1 << LM_NOTIFY_BITS] __attribute__((aligned(1 << LM_NOTIFY_BITS)));

void *phys_to_virt(u64 pa)
{
	u64 off = pa - UT_PA;

	//@ assert in_untyped: off < UT_SIZE;
	switch (eva_placing) {
	case LM_OBJ_TCB:
		return &tcb_mem[off >> LM_TCB_BITS];
	case LM_OBJ_ENDPOINT:
		return ep_mem[off >> LM_ENDPOINT_BITS];
	case LM_OBJ_NOTIFY:
		return ntfn_mem[off >> LM_NOTIFY_BITS];
	default:
		//@ assert placing_frame: eva_placing == LM_OBJ_FRAME;
		return frame_mem[off >> LM_PAGE_BITS];
	}
}

#include "ipc_stubs.h" /* hardware, user memory, what is unreached */

/* tcb_of_slot, is_close and node_of (EVA_MDB_ENDS): models over root and
 * the setup's three threads (no other TCB is made). */
#define EVA_NTCBS 3
#include "slot_model.h"

/* Slots of root's CNode, by role (a nondeterministic argument takes the
 * slots of the role the call asks for, 0 and 2^ROOT_BITS, which fail the
 * range check, and the untyped's, the wrong type: see eva_main.c for why a
 * role's slots hold one type). */
enum {
	S_CNODE = LM_SLOT_CNODE, S_VSPACE = LM_SLOT_VSPACE, S_ROOT = LM_SLOT_TCB,
	S_EP0 = 4, S_EP1 = 5, S_NTFN = 6, S_NTFN_B = 7, S_UT = LM_SLOT_FIRST_BOOT,
	S_T1 = 9, S_T2 = 10, S_T3 = 11, S_EP0_B = 12, S_FR1 = 13, S_FR2 = 14, S_FR3 = 15,
	S_RECV = 16, /* 16 .. 19: empty, where capabilities are received */
	S_IO = LM_SLOT_FIRST_BOOT + 12, S_IO_B = S_IO + 1, /* all ports; 0x3f8 .. 0x3ff */
	S_DEBUG = S_IO + 2, S_FREE = S_IO + 3, /* the debug capability; an empty slot */
};
struct role { u8 n; u8 slot[4]; };
static const struct role r_tcb = { 4, { S_ROOT, S_T1, S_T2, S_T3 } };
static const struct role r_ep = { 3, { S_EP0, S_EP1, S_EP0_B } };
static const struct role r_ntfn = { 2, { S_NTFN, S_NTFN_B } };
static const struct role r_frame = { 3, { S_FR1, S_FR2, S_FR3 } };
static const struct role r_io = { 2, { S_IO, S_IO_B } };
static const struct role r_debug = { 1, { S_DEBUG } };


/* One of r's slots, 0 or 2^ROOT_BITS (out of range), or the untyped's
 * (the wrong type for every call here). */
static u64 slot_in(const struct role *r)
{
	int i = Frama_C_interval(0, r->n + 2);
	return i < r->n ? r->slot[i] : i == r->n ? 0 : i == r->n + 1 ? 1 << ROOT_BITS : S_UT;
}

#define EVA_ROOT_IO /* the I/O-port capabilities too */
#include "boot_root.h" /* boot_root: the root task as root.c leaves it */

#define EVA_ENTRY_FAST /* entry_fast: eva/ipc_fast.h */
#include "sys.h" /* sys, sys_ok */

static void retype_ok(u8 type, u64 slot, u64 count)
{
	eva_placing = type;
	sys_ok(LM_SYS_UNTYPED_RETYPE, S_UT, type, 0, S_CNODE, slot, count);
}

static struct tcb *const t1 = &tcb_mem[0], *const t2 = &tcb_mem[1], *const t3 = &tcb_mem[2];

/* Root makes the objects and starts the threads, then lowers itself: the
 * server (t1) runs, receives on endpoint 0 and blocks; client t2 runs. */
static void setup(void)
{
	retype_ok(LM_OBJ_TCB, S_T1, 3);
	retype_ok(LM_OBJ_ENDPOINT, S_EP0, 2);
	retype_ok(LM_OBJ_NOTIFY, S_NTFN, 1);
	eva_placing = LM_OBJ_FRAME;
	sys_ok(LM_SYS_UNTYPED_RETYPE, S_UT, LM_OBJ_FRAME, LM_PAGE_BITS, S_CNODE, S_FR1, 3);
	/* IPC buffers: t1's and t2's; t3 has none (a long message or a
	 * capability to or from it goes without: registers only). */
	sys_ok(LM_SYS_THREAD_SET_IPC_BUFFER, S_T1, S_FR1, 0, 0, 0, 0);
	sys_ok(LM_SYS_THREAD_SET_IPC_BUFFER, S_T2, S_FR2, 0, 0, 0, 0);
	sys_ok(LM_SYS_CNODE_MINT, S_CNODE, S_EP0_B, S_CNODE, S_EP0, LM_R_ALL, 0x11);
	sys_ok(LM_SYS_CNODE_MINT, S_CNODE, S_NTFN_B, S_CNODE, S_NTFN, LM_R_ALL, 0x55);
	sys_ok(LM_SYS_IOPORT_ISSUE, S_IO, 0x3f8, 8, S_CNODE, S_IO_B, 0); /* COM1's */
	for (u64 s = S_T1; s <= S_T3; s++)
		sys_ok(LM_SYS_THREAD_CONFIGURE, s, S_CNODE, S_VSPACE, 0, 0, 0);
	sys_ok(LM_SYS_THREAD_SET_PRIORITY, S_T1, 10, 0, 0, 0, 0);
	sys_ok(LM_SYS_THREAD_SET_PRIORITY, S_T2, 5, 0, 0, 0, 0);
	sys_ok(LM_SYS_THREAD_SET_PRIORITY, S_T3, 5, 0, 0, 0, 0);
	for (u64 s = S_T1; s <= S_T3; s++)
		sys_ok(LM_SYS_THREAD_RESUME, s, 0, 0, 0, 0, 0);
	sys_ok(LM_SYS_THREAD_SET_PRIORITY, S_ROOT, 1, 0, 0, 0, 0);
	//@ assert setup_server_runs: cpu0.cur == t1;
	sys_ok(LM_SYS_EP_RECV, S_EP0, 0, 0, 0, 0, 0);
	//@ assert setup_client_runs: cpu0.cur == t2;
}

/* Which thread runs, as a number to keep the states apart by. */
static int current(void)
{
	struct tcb *c = cpu0.cur;
	return c == &root ? 0 : c == t1 ? 1 : c == t2 ? 2 : 3;
}

enum {
	C_SEND, C_NBSEND, C_CALL, C_RECV, C_REPLY, C_REPLY_RECV, C_SIGNAL, C_WAIT, C_POLL,
	C_BIND, C_RESUME, C_SUSPEND, C_PRIO, C_YIELD, C_YIELD_TO, C_FAULT_EP, C_STOP_NTFN,
	C_EXIT, C_CONFIGURE, C_DELETE, C_FINISH, C_TICK, C_FAULT,
	C_READ_REGS, C_WRITE_REGS, C_SET_IPCBUF, C_SET_EXC, C_SET_UPCALLS,
	C_INFO, C_FSBASE, C_FOREIGN, C_OTHER_NR, C_IO_IN, C_IO_OUT, C_IO_ISSUE,
	C_PUTC, C_WRITE, C_CHECK, C_COUNTS,
#ifdef EVA_FASTPATH
	C_FP_SWITCH, /* DEBUG_FASTPATH: fastpath.c's, in run ipcfp only */
#endif
	NEVENTS
};

/* A message info with label l: valid (0 to 4 words in registers, up to
 * the maximum: the rest in the IPC buffer), with one to three
 * capabilities copied or moved, too long, or with reserved bits. l is
 * one value in each of the caller's states (step splits on it): the
 * infos of every case and label together are too many values for EVA
 * to keep as a set, and then to split on (ipcfpall). */
static u64 info(u64 l)
{
	switch (Frama_C_interval(0, 5)) {
	case 0: return LM_MSG_INFO(l, Frama_C_interval(0, LM_MSG_REG_WORDS), 0);
	case 1: return LM_MSG_INFO(l, LM_MSG_MAX_WORDS, 0);
	case 2: return LM_MSG_INFO(l, 5, Frama_C_interval(1, LM_MSG_MAX_CAPS));
	case 3: return LM_MSG_INFO(l, 1, Frama_C_interval(1, LM_MSG_MAX_CAPS)) | LM_MSG_MOVE;
	case 4: return LM_MSG_INFO(l, LM_MSG_MAX_WORDS + 1, 0);
	default: return LM_MSG_NOTIFY;
	}
}

/*
 * What the threads wrote in their IPC buffers (user memory: anything),
 * one of three patterns each: nothing (all 0: no capability, receive
 * refused); capabilities to send that exist (an endpoint, a badged
 * notification, a thread) and receive slots that are empty but one (full);
 * or a send list of root's CNode (whose capability in a TCB slot is
 * flagged, the one in root's CNode not), an index out of range and 0, and
 * receive slots 0, out of range, and empty.
 */
static void buffer_pattern(struct lm_ipc_buffer *b, int p)
{
	if (!b)
		return;
	if (p == 1) {
		b->send_caps[0] = S_EP1; b->send_caps[1] = S_NTFN_B; b->send_caps[2] = S_T3;
		b->recv_slots[0] = S_RECV; b->recv_slots[1] = S_EP0; b->recv_slots[2] = S_RECV + 1;
	} else if (p == 2) {
		b->send_caps[0] = S_CNODE; b->send_caps[1] = 1 << ROOT_BITS; b->send_caps[2] = 0;
		b->recv_slots[0] = 0; b->recv_slots[1] = 1 << ROOT_BITS; b->recv_slots[2] = S_RECV + 2;
	} else {
		b->send_caps[0] = b->send_caps[1] = b->send_caps[2] = 0;
		b->recv_slots[0] = b->recv_slots[1] = b->recv_slots[2] = 0;
	}
}

/* A port: COM1's first and last, the next, the last of all, past it. */
static u64 port(void)
{
	switch (Frama_C_interval(0, 4)) {
	case 0: return 0x3f8;
	case 1: return 0x3ff;
	case 2: return 0x400;
	case 3: return 0xffff;
	default: return 0x10000;
	}
}

/* Exception handler arguments (entry, top, size): good, entry 0 (none),
 * entry out of range, a stack too small, a top not aligned. */
static void exc_args(u64 *entry, u64 *top, u64 *size)
{
	*entry = 0x401000;
	*top = 0x800000;
	*size = 0x4000;
	switch (Frama_C_interval(0, 4)) {
	case 0: break;
	case 1: *entry = 0; break;
	case 2: *entry = LM_USER_MAX; break;
	case 3: *size = 16; break;
	default: *top = 0x800008; break;
	}
}

static void page_fault(struct tcb *t);


#include "ipc_sig.h" /* eva_sig: the state as a number */
#include "ipc_fast.h" /* entry.S's way in: entry_fast */

/* The next event's kind. A call restarted as FINISH_DELETE runs again
 * before anything else the thread does. */
static int pick(void)
{
#ifdef EVA_IPC_EVENT /* one kind of event only: to study it alone */
	return cpu0.cur->finish_owed ? C_FINISH : EVA_IPC_EVENT;
#endif
	return cpu0.cur->finish_owed ? C_FINISH : Frama_C_interval(0, NEVENTS - 1);
}

/* The first event's kind: EVA_IPC_FIRST, a list of kinds, narrows it
 * (to study a sequence alone: eva.sh's runs do not set it). */
static int pick_first(void)
{
#if defined EVA_IPC_FIRST || defined EVA_IPC_FAST
#ifdef EVA_IPC_FIRST
	static const int first[] = { EVA_IPC_FIRST };
#else /* the fast paths' events: their calls, a fault, DEBUG_FASTPATH */
	static const int first[] = { C_CALL, C_REPLY, C_REPLY_RECV, C_SIGNAL, C_WAIT, C_FAULT, C_FP_SWITCH };
#endif
	return first[Frama_C_interval(0, sizeof first / sizeof first[0] - 1)];
#else
	return pick();
#endif
}

/* Event ev (its kind chosen and split on by the caller: a partition made
 * inside a function ends with it, and the caller's lasts to the next
 * event), its arguments nondeterministic and split on here. */
static void step(int ev)
{
	struct tcb *cur = cpu0.cur;
	struct frame *cf = &cur->frame;
	u64 a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0;
	int p1 = 0, p2 = 0, p3 = 0;

	/* What the threads wrote in their IPC buffers, read where a message
	 * passes (the send, call, reply and receive calls): user memory, so
	 * chosen again before each event. */
	if (ev <= C_REPLY_RECV) {
		p1 = Frama_C_interval(0, 2);
		p2 = Frama_C_interval(0, 2);
		p3 = ipc_buffer(t3) ? Frama_C_interval(0, 2) : 0;
	}
	//@ split p1;
	//@ split p2;
	//@ split p3;
	buffer_pattern(ipc_buffer(t1), p1);
	buffer_pattern(ipc_buffer(t2), p2);
	buffer_pattern(ipc_buffer(t3), p3);

	/* a reply's label (a pager's answers to a fault: ipcfpall), split on
	 * here, where the split lasts to the call */
	u64 label = ev == C_REPLY || ev == C_REPLY_RECV ? reply_label(cur) : 7;
	//@ split label;
	switch (ev) {
	case C_SEND: case C_NBSEND: case C_CALL: case C_REPLY_RECV:
		a1 = slot_in(&r_ep);
		a2 = info(label);
		break;
	case C_RECV: a1 = slot_in(&r_ep); break;
	case C_REPLY: a2 = info(label); break;
	case C_SIGNAL: case C_WAIT: case C_POLL: a1 = slot_in(&r_ntfn); break;
	case C_BIND: case C_STOP_NTFN:
		a1 = slot_in(&r_tcb);
		a2 = Frama_C_interval(0, 1) ? slot_in(&r_ntfn) : 0;
		break;
	case C_FAULT_EP:
		a1 = slot_in(&r_tcb);
		a2 = Frama_C_interval(0, 1) ? slot_in(&r_ep) : 0;
		break;
	case C_PRIO:
		a1 = slot_in(&r_tcb);
		a2 = Frama_C_interval(0, 1) ? Frama_C_interval(0, 1) ? 3 : 10 : Frama_C_interval(0, 1) ? 30 : LM_PRIO_MAX + 1;
		break;
	case C_DELETE: /* one capability; or both of the notification's, its
			* last: it is finalised (endpoint 1's and each
			* thread's only capability are their last too) */
		a1 = S_CNODE;
		a3 = 1;
		switch (Frama_C_interval(0, 3)) {
		case 0: a2 = slot_in(&r_ep); break;
		case 1: a2 = slot_in(&r_ntfn); break;
		case 2: a2 = slot_in(&r_tcb); break;
		default: a2 = S_NTFN; a3 = 2; break;
		}
		break;
	case C_CONFIGURE:
		a1 = slot_in(&r_tcb);
		a2 = S_CNODE;
		a3 = S_VSPACE;
		break;
	case C_EXIT: a1 = 42; break;
	case C_READ_REGS: case C_WRITE_REGS:
		a1 = slot_in(&r_tcb);
		a2 = 0x402000; /* fails or copies: the user_copy model above */
		break;
	case C_SET_IPCBUF:
		a1 = slot_in(&r_tcb);
		a2 = Frama_C_interval(0, 1) ? slot_in(&r_frame) : 0;
		break;
	case C_SET_UPCALLS:
		a1 = slot_in(&r_tcb);
		a2 = Frama_C_interval(0, LM_UPCALL_ALL + 1);
		break;
	case C_INFO:
		a1 = slot_in(&r_tcb);
		a2 = 0x402000; /* fails or copies: the user_copy model above */
		break;
	case C_FSBASE: /* canonical or not; FS, GS, neither */
		a1 = slot_in(&r_tcb);
		a2 = Frama_C_interval(0, 1) ? 0x7000 : 1ull << 47;
		a3 = Frama_C_interval(0, LM_BASE_GS + 1);
		break;
	case C_FOREIGN: /* none, an entry, out of range above and below */
		a1 = slot_in(&r_tcb);
		a2 = Frama_C_interval(0, 1) ? Frama_C_interval(0, 1) ? 0 : 0x401000 :
			Frama_C_interval(0, 1) ? LM_USER_MAX : LM_USER_MIN - 1;
		break;
	case C_OTHER_NR: /* another OS's numbers (reflected to the foreign
			  * entry, else ENOSYS), past the table's end */
		a1 = Frama_C_interval(0, 1) ? Frama_C_interval(0, 1) ? 0 : LM_SYS_BASE - 1 :
			Frama_C_interval(0, 1) ? LM_SYS_BASE + LM_NSYSCALLS : ~0ull;
		break;
	case C_IO_IN: case C_IO_OUT:
		a1 = slot_in(&r_io);
		a2 = port();
		a3 = Frama_C_interval(1, 4); /* 3: no such width */
		break;
	case C_IO_ISSUE: /* a sub-range into an empty slot, a full one, out of
			  * range; into a CNode or not */
		a1 = slot_in(&r_io);
		a2 = port();
		a3 = Frama_C_interval(0, 1) ? Frama_C_interval(0, 1) ? 0 : 1 : Frama_C_interval(0, 1) ? 8 : 0x10000;
		a4 = Frama_C_interval(0, 1) ? S_CNODE : S_EP0;
		a5 = Frama_C_interval(0, 1) ? Frama_C_interval(0, 1) ? S_FREE : S_IO_B :
			Frama_C_interval(0, 1) ? 0 : 1 << ROOT_BITS;
		break;
	case C_PUTC: case C_CHECK: a1 = slot_in(&r_debug); break;
	case C_WRITE: /* 0 bytes, 1, across the kernel's 256-byte chunks, the
		       * most, too many */
		a1 = slot_in(&r_debug);
		a2 = 0x402000;
		a3 = Frama_C_interval(0, 1) ? Frama_C_interval(0, 1) ? 0 : 1 :
			Frama_C_interval(0, 2) == 0 ? 300 : Frama_C_interval(0, 1) ? 4096 : 4097;
		break;
#ifdef EVA_FASTPATH
	case C_FP_SWITCH: /* off, on, a value out of range */
		a1 = slot_in(&r_debug);
		a2 = Frama_C_interval(0, 2);
		break;
#endif
	case C_COUNTS: /* a counting or fuzzing build's call: ENOSYS here */
		a1 = slot_in(&r_debug);
		a2 = 0x402000;
		a3 = Frama_C_interval(0, 1) ? LM_SYS_DEBUG_COUNTS : LM_SYS_DEBUG_COVERAGE;
		break;
	default: a1 = slot_in(&r_tcb); break;
	}
#ifdef EVA_FP_MORE
	if (ev == C_REPLY || ev == C_REPLY_RECV)
		a3 = reply_word(cur);
#endif
	//@ split a1;
	//@ split a2;
	//@ split a3;
	//@ split a4;
	//@ split a5;
	switch (ev) {
	case C_SEND: sys(LM_SYS_EP_SEND, a1, a2, 1, 2, 3, 4); break;
	case C_NBSEND: sys(LM_SYS_EP_NBSEND, a1, a2, 1, 2, 3, 4); break;
	case C_CALL: sys(LM_SYS_EP_CALL, a1, a2, 1, 2, 3, 4); break;
	case C_RECV: sys(LM_SYS_EP_RECV, a1, 0, 0, 0, 0, 0); break;
	case C_REPLY: sys(LM_SYS_EP_REPLY, 0, a2, W0, 6, 7, 8); break;
	case C_REPLY_RECV: sys(LM_SYS_EP_REPLY_RECV, a1, a2, W0, 6, 7, 8); break;
	case C_SIGNAL: sys(LM_SYS_NTFN_SIGNAL, a1, 0, 0, 0, 0, 0); break;
	case C_WAIT: sys(LM_SYS_NTFN_WAIT, a1, 0, 0, 0, 0, 0); break;
	case C_POLL: sys(LM_SYS_NTFN_POLL, a1, 0, 0, 0, 0, 0); break;
	case C_BIND: sys(LM_SYS_THREAD_BIND_NOTIFY, a1, a2, 0, 0, 0, 0); break;
	case C_RESUME: sys(LM_SYS_THREAD_RESUME, a1, 0, 0, 0, 0, 0); break;
	case C_SUSPEND: sys(LM_SYS_THREAD_SUSPEND, a1, 0, 0, 0, 0, 0); break;
	case C_PRIO: sys(LM_SYS_THREAD_SET_PRIORITY, a1, a2, 0, 0, 0, 0); break;
	case C_YIELD: sys(LM_SYS_THREAD_YIELD, 0, 0, 0, 0, 0, 0); break;
	case C_YIELD_TO: sys(LM_SYS_THREAD_YIELD_TO, a1, 0, 0, 0, 0, 0); break;
	case C_FAULT_EP: sys(LM_SYS_THREAD_SET_FAULT_EP, a1, a2, 0, 0, 0, 0); break;
	case C_STOP_NTFN: sys(LM_SYS_THREAD_SET_STOP_NOTIFY, a1, a2, 0, 0, 0, 0); break;
	case C_EXIT: sys(LM_SYS_THREAD_EXIT, a1, 0, 0, 0, 0, 0); break;
	case C_CONFIGURE: sys(LM_SYS_THREAD_CONFIGURE, a1, a2, a3, 0, 0, 0); break;
	case C_DELETE: sys(LM_SYS_CNODE_DELETE, a1, a2, a3, 0, 0, 0); break;
	case C_FINISH: sys(LM_SYS_FINISH_DELETE, 0, 0, 0, 0, 0, 0); break;
	case C_READ_REGS: sys(LM_SYS_THREAD_READ_REGS, a1, a2, 0, 0, 0, 0); break;
	case C_WRITE_REGS: sys(LM_SYS_THREAD_WRITE_REGS, a1, a2, 0, 0, 0, 0); break;
	case C_SET_IPCBUF: sys(LM_SYS_THREAD_SET_IPC_BUFFER, a1, a2, 0, 0, 0, 0); break;
	case C_SET_EXC: {
		u64 entry, top, size;
		exc_args(&entry, &top, &size);
		sys(LM_SYS_THREAD_SET_EXCEPTION, a1, entry, top, size, 0, 0);
		break;
	}
	case C_SET_UPCALLS: sys(LM_SYS_THREAD_SET_UPCALLS, a1, a2, 0, 0, 0, 0); break;
	case C_INFO: sys(LM_SYS_THREAD_INFO, a1, a2, 0, 0, 0, 0); break;
	case C_FSBASE: sys(LM_SYS_THREAD_SET_FSBASE, a1, a2, a3, 0, 0, 0); break;
	case C_FOREIGN: sys(LM_SYS_THREAD_SET_FOREIGN, a1, a2, 0, 0, 0, 0); break;
	case C_OTHER_NR: sys(a1, 1, 2, 3, 4, 5, 6); break;
	case C_IO_IN: sys(LM_SYS_IOPORT_IN, a1, a2, a3, 0, 0, 0); break;
	case C_IO_OUT: sys(LM_SYS_IOPORT_OUT, a1, a2, a3, 0x41, 0, 0); break;
	case C_IO_ISSUE: sys(LM_SYS_IOPORT_ISSUE, a1, a2, a3, a4, a5, 0); break;
	case C_PUTC: sys(LM_SYS_DEBUG_PUTC, a1, 'x', 0, 0, 0, 0); break;
	case C_WRITE: sys(LM_SYS_DEBUG_WRITE, a1, a2, a3, 0, 0, 0); break;
	case C_CHECK:
		sys(LM_SYS_DEBUG_CHECK, a1, 0, 0, 0, 0, 0);
		/* the kernel's own self-check finds nothing wrong */
		//@ assert self_check_clean: cf->rax != LM_OK || cf->rdi == 0;
		break;
	case C_COUNTS: sys(a3, a1, a2, 0, 0, 0, 0); break;
#ifdef EVA_FASTPATH
	case C_FP_SWITCH:
		sys(LM_SYS_DEBUG_FASTPATH, a1, a2, 0, 0, 0, 0);
		//@ assert fp_switch: cf->rax != LM_OK || (a2 <= 1 && fastpath_enabled == a2);
		break;
#endif
	case C_TICK: /* the timer interrupt (trap.c: irq, then schedule) */
		sched_tick();
		if (need_resched)
			schedule();
		break;
	default: /* a page fault (trap.c's path); root's would be a panic */
		if (cur != &root)
			page_fault(cur);
		break;
	}
#if EVA_IPC_STEPS > 1
	if (!eva_sig) /* the first event's end */
		eva_sig = state_sig();
#endif
}

/*
 * The states the nondeterministic event starts from, each made from the
 * setup's by fixed events (every call asserted to succeed, and who runs
 * after it):
 *   START_BASE   the setup's: server t1 receiving on endpoint 0, t2 running,
 *            t3 and root ready;
 *   START_REPLY  t2 called endpoint 0: t1 runs and owes t2 the reply;
 *   START_TICK   as START_REPLY, and a timer tick fell while the server
 *                served the call (its slice ends; the tick is charged to
 *                t2 at the reply, sched_charge);
 *   START_SENDQ  t2 called and t3 sent on endpoint 1, which nobody receives
 *            on: both queued there, root runs;
 *   START_NTFN   t2 waits on the notification, which t3 bound to the server
 *            (receiving on endpoint 0): t3 runs;
 *   START_FAULT  t2 made endpoint 0 (badged) t3's fault endpoint and yielded;
 *            t3 faulted: the server runs and owes t3 the fault's reply;
 *   START_EXC    t2 gave itself and t3 an exception handler with both
 *            upcalls (on preemption, on blocking): t2 runs; a fault
 *            enters its handler (upcall_deliver), a receive that would
 *            block or a tick that ends its slice pushes an upcall frame.
 */
enum {
	START_BASE, START_REPLY, START_TICK, START_SENDQ, START_NTFN, START_FAULT, START_EXC,
#ifdef EVA_FP_MORE
	START_NTFN_HI, /* EVA_FP_MORE: t2 called the server, which waits on the
			* notification: t3 runs (a signal wakes a thread above it) */
#endif
	NSTARTS
};

static void page_fault(struct tcb *t)
{
	t->frame.vector = 14;
	if (!upcall_deliver(t, &t->frame, 0x1000) && !fault_ipc_send(t, &t->frame, 0x1000))
		thread_fault(t, &t->frame, 0x1000);
	if (need_resched)
		schedule();
}

static void start(int which)
{
	switch (which) {
	case START_REPLY:
		sys_ok(LM_SYS_EP_CALL, S_EP0, LM_MSG_INFO(7, 2, 0), 1, 2, 0, 0);
		//@ assert start_reply: cpu0.cur == t1 && t1->reply_to == t2;
		break;
	case START_TICK:
		sys_ok(LM_SYS_EP_CALL, S_EP0, LM_MSG_INFO(7, 2, 0), 1, 2, 0, 0);
		sched_tick();
		if (need_resched)
			schedule();
		//@ assert start_tick: cpu0.cur == t1 && t1->reply_to == t2 && t1->borrowed == 1;
		break;
	case START_SENDQ:
		sys_ok(LM_SYS_EP_CALL, S_EP1, LM_MSG_INFO(7, 2, 0), 1, 2, 0, 0);
		//@ assert start_sendq_t3: cpu0.cur == t3;
		sys_ok(LM_SYS_EP_SEND, S_EP1, LM_MSG_INFO(8, 1, 0), 3, 0, 0, 0);
		//@ assert start_sendq: cpu0.cur == &root;
		break;
	case START_NTFN:
		sys_ok(LM_SYS_NTFN_WAIT, S_NTFN, 0, 0, 0, 0, 0);
		//@ assert start_ntfn_t3: cpu0.cur == t3;
		sys_ok(LM_SYS_THREAD_BIND_NOTIFY, S_T1, S_NTFN, 0, 0, 0, 0);
		//@ assert start_ntfn: cpu0.cur == t3;
		break;
	case START_FAULT:
		sys_ok(LM_SYS_THREAD_SET_FAULT_EP, S_T3, S_EP0_B, 0, 0, 0, 0);
		sys_ok(LM_SYS_THREAD_YIELD, 0, 0, 0, 0, 0, 0);
		//@ assert start_fault_t3: cpu0.cur == t3;
		page_fault(t3);
		//@ assert start_fault: cpu0.cur == t1 && t1->reply_to == t3 && t3->fault_ipc;
		break;
	case START_EXC:
		for (u64 s = S_T2; s <= S_T3; s++) {
			sys_ok(LM_SYS_THREAD_SET_EXCEPTION, s, 0x401000, 0x800000, 0x4000, 0, 0);
			sys_ok(LM_SYS_THREAD_SET_UPCALLS, s, LM_UPCALL_ALL, 0, 0, 0, 0);
		}
		/* and t2's another OS's calls go to its library OS */
		sys_ok(LM_SYS_THREAD_SET_FOREIGN, S_T2, 0x402000, 0, 0, 0, 0);
		//@ assert start_exc: cpu0.cur == t2;
		break;
#ifdef EVA_FP_MORE
	case START_NTFN_HI:
		sys_ok(LM_SYS_EP_CALL, S_EP0, LM_MSG_INFO(7, 2, 0), 1, 2, 0, 0);
		sys_ok(LM_SYS_NTFN_WAIT, S_NTFN, 0, 0, 0, 0, 0);
		//@ assert start_ntfn_hi: cpu0.cur == t3 && t1->state == LM_TS_BLOCKED && t1->reply_to == t2;
		break;
#endif
	default:
		break;
	}
}

int main(void)
{
	int which;

	boot_root();
	setup();
	objects();
#ifdef EVA_IPC_START
	which = EVA_IPC_START; /* one start state only */
#else
	which = Frama_C_interval(0, NSTARTS - 1);
#endif
	//@ split which;
	start(which);
	/* split here: a partition made inside a function ends with it */
	int who1 = current(), ev1 = pick_first();
	//@ split who1;
	//@ split ev1;
	step(ev1);
#if EVA_IPC_STEPS > 1
	/* A second event, from the states the first left, kept apart by what
	 * the first made of the kernel's state (eva_sig, set by step() while
	 * its arguments' splits still held, and kept by
	 * -eva-partition-value), then by who runs and this event's kind. */
	int who2, ev2;
	//@ merge which;
	//@ merge who1;
	//@ merge ev1;
	Frama_C_show_each_sig(eva_sig); /* in the log: one line per state kept apart */
#ifdef EVA_IPC_COUNT /* only count the states the first event leaves */
	return 0;
#endif
	who2 = current();
	ev2 = pick();
	//@ split who2;
	//@ split ev2;
	step(ev2);
#endif
	return 0;
}
