/*
 * Frama-C EVA harness for eBPF's system calls (tests/assurance/eva.sh, run
 * bpfsys; docs/ASSURANCE.md, "Issue 15: eBPF's system calls"): program
 * objects (kernel/bpf/prog.c: BPF_LOAD, BPF_RUN, finalisation), system-call
 * filters (filter.c: THREAD_SET_FILTER, the filtered thread's calls through
 * syscall_dispatch, inheritance at THREAD_CONFIGURE), wake-up predicates
 * (predicate.c: BPF_WAIT, the notification's and the timer tick's
 * re-evaluation), with the kernel under them as eva_ipc.c runs it
 * (capabilities, threads, notifications, the scheduler, DEBUG_CHECK), the
 * real verifier (verify*.c), interpreter (interp.c, helpers.c) and JIT
 * compiler (jit*.c but jit_run.c: the code it makes is machine code).
 *
 * The state: root's thread with a CSpace and an address space, as in
 * eva_ipc.c; a setup made by real system calls retypes two threads, a
 * notification and five program objects, and loads four fixed programs,
 * one of each type and a second filter (progs[] below), through
 * BPF_LOAD; the MEM program JIT'ed or not (its own split). Then one of
 * four start states made by fixed calls (start()), then one
 * nondeterministic event of the current thread (a call with arguments
 * from a set of good and bad values, each kept apart) or a timer tick.
 *
 * Models: user memory (the instructions BPF_LOAD copies in are the fixed
 * programs at their addresses, anything elsewhere; the predicate's page
 * is one page, mapped or not, whose bytes are anything once the setup is
 * done), the code window (kmap.c: one run of pages), running JIT'ed code
 * (machine code: any r0, any bytes written to a MEM program's buffer),
 * and the hardware, as eva/ipc_stubs.h.
 */
#include "__fc_builtin.h"
#include <string.h>
#include <stdarg.h>
#include "cap.h"
#include "cnode.h"
#include "syscall.h"
#include "thread.h"
#include "vspace.h"
#include "ipc.h"
#include "bpf/prog.h"
#include "jit.h"
#include <lamina/syscall.h>
#include <lamina/bootinfo.h>

#define ROOT_BITS 5
#define UT_PA     0x200000ull
#define UT_BITS   16
#define UT_SIZE   (1ull << UT_BITS)
#define PML4_PA   0x1000ull
#define ASID      1

struct percpu cpu0;
u32 cpu_features;
struct asid_entry asid_tab[ASID_COUNT];
struct tss tss;
bool fastpath_enabled;

static struct tcb root __attribute__((aligned(1 << LM_TCB_BITS)));
static struct slot root_cnode[1 << ROOT_BITS] __attribute__((aligned(1 << (ROOT_BITS + LM_SLOT_BITS))));

/* Typed object memory (eva_ipc.c's model): what retype makes of each type
 * lies at its offset in the untyped, in that type's array, program
 * objects of 2^12 and 2^13 bytes each in their own (eva_bpf_bits says
 * which retype makes), so that a write EVA cannot place exactly (the
 * JIT's code, into the pages after the MEM program's instructions) stays
 * in its object. The JIT reaches its object by physical address too
 * (codewin_map): virt_to_phys is phys_to_virt's inverse over those of
 * 2^13 bytes, the only ones with room for code here. */
static u8 eva_placing, eva_bpf_bits;
static struct tcb tcb_mem[UT_SIZE >> LM_TCB_BITS] __attribute__((aligned(1 << LM_TCB_BITS)));
static u8 ntfn_mem[UT_SIZE >> LM_NOTIFY_BITS][1 << LM_NOTIFY_BITS] __attribute__((aligned(1 << LM_NOTIFY_BITS)));
static u8 bpf_small[UT_SIZE >> 12][1 << 12] __attribute__((aligned(1 << 12)));
static u8 bpf_big[UT_SIZE >> 13][1 << 13] __attribute__((aligned(1 << 13)));

void *phys_to_virt(u64 pa)
{
	u64 off = pa - UT_PA;

	//@ assert in_untyped: off < UT_SIZE;
	switch (eva_placing) {
	case LM_OBJ_TCB:
		return &tcb_mem[off >> LM_TCB_BITS];
	case LM_OBJ_NOTIFY:
		return ntfn_mem[off >> LM_NOTIFY_BITS];
	default:
		//@ assert placing_bpf: eva_placing == LM_OBJ_BPF && (eva_bpf_bits == 12 || eva_bpf_bits == 13);
		return eva_bpf_bits == 12 ? bpf_small[off >> 12] : bpf_big[off >> 13];
	}
}

u64 virt_to_phys(const void *va)
{
	const u8 *p = va;
	//@ assert bpf_object: \base_addr(p) == \base_addr(&bpf_big[0][0]);
	return UT_PA + (u64)(p - &bpf_big[0][0]);
}

#define EVA_BPF_REAL /* ipc_stubs.h: eBPF is the kernel's own here */
#define EVA_USER_MODEL /* ... and so is user memory: below */
#include "ipc_stubs.h"

/* tcb_of_slot, is_close and node_of: eva_ipc.c's models, over this
 * harness's threads (root and two). */
#define EVA_NTCBS 2
#include "slot_model.h"

/* --- User memory ------------------------------------------------------ */

#include "bpfsys_progs.h" /* the fixed programs, what the verifier makes of them */

enum lm_bpf_verr bpf_verify(struct bpf_verify_ws *ws, const struct lm_bpf_insn *prog, u32 n,
			    const struct bpf_verify_cfg *cfg, struct bpf_verify_result *res)
{
	//@ assert verify_insns: \valid_read(prog + (0 .. n - 1));
	res->work = Frama_C_unsigned_int_interval(1, cfg->max_work);
	for (int k = 0; k < NPROGS; k++)
		if (verified(prog, n, cfg, k))
			return LM_BPF_V_OK;
	res->err = Frama_C_interval(LM_BPF_V_OK + 1, LM_BPF_V_NERR - 1);
	res->pc = Frama_C_unsigned_int_interval(0, n - 1);
	return res->err;
}

#define UA_PROG(k) (0x10000000ull + ((u64)(k) << LM_PAGE_BITS)) /* program k */
#define UA_BUF     0x20000000ull /* writable user memory: anything */
#define UA_PAGE    0x30000000ull /* the predicate's page */
#define UA_BAD     0x40000000ull /* nothing mapped */

static u8 upage[LM_PAGE_SIZE] __attribute__((aligned(LM_PAGE_SIZE)));

/* Copies of user memory: program k at UA_PROG(k), followed by anything;
 * UA_BUF anything; UA_BAD unmapped; other addresses fail or give
 * anything. The kernel reads and writes only its own n bytes. */
bool user_copy_in(void *dst, u64 uaddr, size_t n)
{
	//@ assert copy_in_dst: \valid((char *)dst + (0 .. n - 1));
	for (int k = 0; k < NPROGS; k++) {
		if (uaddr != UA_PROG(k))
			continue;
		size_t have = prog_len[k] * sizeof(struct lm_bpf_insn);
		if (n <= have) {
			memcpy(dst, progs[k], n);
		} else {
			memcpy(dst, progs[k], have);
			Frama_C_make_unknown((char *)dst + have, n - have);
		}
		return true;
	}
	if (uaddr == UA_BAD || (uaddr != UA_BUF && Frama_C_interval(0, 1)))
		return false;
	Frama_C_make_unknown(dst, n);
	return true;
}

bool user_copy_out(u64 uaddr, const void *src, size_t n)
{
	//@ assert copy_out_src: \valid_read((char *)src + (0 .. n - 1));
	return uaddr == UA_BUF || (uaddr != UA_BAD && Frama_C_interval(0, 1));
}

static u8 user_page[1 << LM_PAGE_BITS];
void *user_writable(u64 ua, size_t n)
{
	if ((ua & 0xfff) + n > 4096 || Frama_C_interval(0, 1))
		return NULL;
	return &user_page[ua & 0xfff];
}

/* vspace.c's walk of the thread's page tables: UA_PAGE is mapped; once
 * the setup is done, mapped or not and holding anything (main() chooses
 * before the event, the choices kept apart: user code does not run
 * during one event, so every look at the page in it sees the same). */
static bool eva_page_unmapped;

void *vspace_user_page(const struct cap *vs, u64 ua, bool write)
{
	//@ assert page_read_only: !write;
	if (ua != UA_PAGE || eva_page_unmapped)
		return NULL;
	return upage;
}

/* The fast paths (fastpath.c, another harness's): off, as
 * fastpath_enabled (false) has them until DEBUG_FASTPATH, which no call
 * here makes; a filtered thread's allowed calls take the general path. */
struct frame *fastpath_try(struct frame *f)
{
	return NULL;
}

/* --- The code window (arch kmap.c) and JIT'ed code --------------------- */

/* One run of pages at most: the MEM program's (the only object here with
 * room for code after its instructions), at the empty window's start, as
 * kmap.c's first fit places it. */
static u64 cw_va, cw_pa;
static u32 cw_pages;

u64 codewin_map(u64 pa, u32 npages)
{
	//@ assert one_run: cw_pages == 0 && npages >= 1 && npages <= 2;
	cw_va = CODEWIN_BASE; /* the first free run: the window is empty */
	cw_pa = pa;
	cw_pages = npages;
	return cw_va;
}

void codewin_unmap(u64 va, u32 npages)
{
	//@ assert unmap_mapped: va == cw_va && npages == cw_pages;
	cw_pages = 0;
}

u64 codewin_phys(u64 va)
{
	return cw_pages && va >= cw_va && va - cw_va < ((u64)cw_pages << LM_PAGE_BITS) ?
		cw_pa + (va - cw_va) : 0;
}

int codewin_check(u32 *used)
{
	*used = cw_pages;
	return 0;
}

/* The code is the mapped run; what it does is machine code: a verified
 * program's never faults (jit_run.c), its r0 is anything, and it writes
 * anything into the buffer it was given (a MEM program's). */
enum bpf_err bpf_jit_run_verified(const void *code, struct bpf_vm *vm, void *mem, lm_u64 len,
				  struct bpf_result *res)
{
	//@ assert code_mapped: cw_pages && (u64)code == cw_va;
	if (mem)
		Frama_C_make_unknown(mem, len);
	res->r0 = Frama_C_unsigned_long_long_interval(0, ~0ull);
	res->err = BPF_OK;
	res->pc = 0;
	res->steps = 0;
	return BPF_OK;
}

/* --- Setup --------------------------------------------------------------- */

enum {
	S_CNODE = LM_SLOT_CNODE, S_VSPACE = LM_SLOT_VSPACE, S_ROOT = LM_SLOT_TCB,
	S_NTFN = 4, S_DEBUG = 5, S_UT = LM_SLOT_FIRST_BOOT,
	S_T1 = 9, S_T2 = 10,
	S_PM = 11, S_PM_RO = 12,  /* MEM (2^13 bytes: room for code); a copy, READ only */
	S_PP = 13, S_PP_RO = 14,  /* PREDICATE; a copy without ATTACH */
	S_PS = 15, S_PS_RO = 16,  /* SYSCALL; a copy without ATTACH */
	S_PS2 = 17, S_PE = 18,    /* SYSCALL; never loaded */
	S_FREE = 19,
};

static u8 vws[8]; /* the verifier's workspace: the model (above) uses none */

#include "boot_root.h" /* boot_root: the root task as root.c leaves it */

static void boot(void)
{
	boot_root();
	cpu_features = LM_CPU_NX; /* the JIT runs (prog.c jit_load) */
	bpf_boot(vws);
}

#include "sys.h" /* sys, sys_ok */

static struct tcb *const t1 = &tcb_mem[0], *const t2 = &tcb_mem[1];

static void load_ok(u64 slot, u64 type, int k, u64 ctx, u64 flags)
{
	sys_ok(LM_SYS_BPF_LOAD, slot, type, UA_PROG(k), prog_len[k], ctx, flags);
}

/* Root makes the objects and loads the programs; t1 (priority 10) and t2
 * are configured, not started. mem_flags: the MEM program JIT'ed or not. */
static void setup(u64 mem_flags)
{
	eva_placing = LM_OBJ_TCB;
	sys_ok(LM_SYS_UNTYPED_RETYPE, S_UT, LM_OBJ_TCB, 0, S_CNODE, S_T1, 2);
	eva_placing = LM_OBJ_NOTIFY;
	sys_ok(LM_SYS_UNTYPED_RETYPE, S_UT, LM_OBJ_NOTIFY, 0, S_CNODE, S_NTFN, 1);
	eva_placing = LM_OBJ_BPF;
	eva_bpf_bits = 13;
	sys_ok(LM_SYS_UNTYPED_RETYPE, S_UT, LM_OBJ_BPF, 13, S_CNODE, S_PM, 1);
	eva_bpf_bits = 12;
	sys_ok(LM_SYS_UNTYPED_RETYPE, S_UT, LM_OBJ_BPF, 12, S_CNODE, S_PP, 1);
	sys_ok(LM_SYS_UNTYPED_RETYPE, S_UT, LM_OBJ_BPF, 12, S_CNODE, S_PS, 1);
	sys_ok(LM_SYS_UNTYPED_RETYPE, S_UT, LM_OBJ_BPF, 12, S_CNODE, S_PS2, 2);
	load_ok(S_PM, LM_BPF_PROG_MEM, P_MEM, 16, mem_flags);
	load_ok(S_PP, LM_BPF_PROG_PREDICATE, P_PRED, 0, 0);
	load_ok(S_PS, LM_BPF_PROG_SYSCALL, P_SYS, 0, 0);
	load_ok(S_PS2, LM_BPF_PROG_SYSCALL, P_SYS2, sizeof(struct lm_bpf_syscall_ctx), 0);
	sys_ok(LM_SYS_CNODE_COPY, S_CNODE, S_PM_RO, S_CNODE, S_PM, LM_R_READ, 0);
	sys_ok(LM_SYS_CNODE_COPY, S_CNODE, S_PP_RO, S_CNODE, S_PP, LM_R_READ | LM_R_WRITE, 0);
	sys_ok(LM_SYS_CNODE_COPY, S_CNODE, S_PS_RO, S_CNODE, S_PS, LM_R_READ | LM_R_WRITE, 0);
	for (u64 s = S_T1; s <= S_T2; s++)
		sys_ok(LM_SYS_THREAD_CONFIGURE, s, S_CNODE, S_VSPACE, 0, 0, 0);
	sys_ok(LM_SYS_THREAD_SET_PRIORITY, S_T1, 10, 0, 0, 0, 0);
	sys_ok(LM_SYS_THREAD_SET_PRIORITY, S_T2, 5, 0, 0, 0, 0);
}

/*
 * The start states, from the setup's by fixed calls:
 *   ST_BASE    root runs; t1 and t2 inactive; no filter, no sleeper;
 *   ST_FILT    root gave t1 a foreign-ABI entry and four filters (the
 *              most: SYS, SYS2, SYS, SYS2), resumed it and lowered
 *              itself: t1 runs, filtered;
 *   ST_WAIT    t1 (unfiltered) waits on the predicate (the page's word
 *              is 0) and the notification; root runs;
 *   ST_ORPHAN  t1 filtered by SYS waits on the predicate without a
 *              notification, and root deleted its own capabilities to
 *              both programs: t1's are the last (deleting t1, or its
 *              wait ending, finalises them).
 */
enum { ST_BASE, ST_FILT, ST_WAIT, ST_ORPHAN, NSTARTS };

static void start(int which)
{
	switch (which) {
	case ST_FILT:
		sys_ok(LM_SYS_THREAD_SET_FOREIGN, S_T1, 0x402000, 0, 0, 0, 0);
		for (int k = 0; k < LM_BPF_MAX_FILTERS; k++)
			sys_ok(LM_SYS_THREAD_SET_FILTER, S_T1, k & 1 ? S_PS2 : S_PS, 0, 0, 0, 0);
		sys_ok(LM_SYS_THREAD_RESUME, S_T1, 0, 0, 0, 0, 0);
		sys_ok(LM_SYS_THREAD_SET_PRIORITY, S_ROOT, 1, 0, 0, 0, 0);
		//@ assert st_filt: cpu0.cur == t1 && t1->nfilters == LM_BPF_MAX_FILTERS;
		break;
	case ST_WAIT:
	case ST_ORPHAN:
		if (which == ST_ORPHAN)
			sys_ok(LM_SYS_THREAD_SET_FILTER, S_T1, S_PS, 0, 0, 0, 0);
		sys_ok(LM_SYS_THREAD_RESUME, S_T1, 0, 0, 0, 0, 0);
		sys_ok(LM_SYS_THREAD_SET_PRIORITY, S_ROOT, 1, 0, 0, 0, 0);
		//@ assert st_wait_t1: cpu0.cur == t1;
		sys_ok(LM_SYS_BPF_WAIT, S_PP, UA_PAGE, which == ST_WAIT ? S_NTFN : 0, 0, 0, 0);
		//@ assert st_wait: cpu0.cur == &root && t1->blocked == BLK_PRED;
		if (which == ST_ORPHAN) {
			sys_ok(LM_SYS_CNODE_DELETE, S_CNODE, S_PP, 4, 0, 0, 0); /* PP, PP_RO, PS, PS_RO */
			//@ assert st_orphan: t1->predprog.cap.type == LM_OBJ_BPF && t1->filters[0].cap.type == LM_OBJ_BPF;
		}
		break;
	default:
		break;
	}
}

/* --- The event ------------------------------------------------------------ */

enum {
	E_LOAD, E_RUN, E_WAIT, E_SETF, E_DELETE, E_REVOKE, E_SIGNAL, E_TICK, E_SUSPEND,
	E_CONFIGURE, E_POLL, E_YIELD, E_OTHER_NR, E_CHECK, NEVENTS
};

/* One of a few values. */
#define PICK(...) ({ \
	static const u64 v_[] = { __VA_ARGS__ }; \
	v_[Frama_C_interval(0, (int)(sizeof(v_) / sizeof(v_[0])) - 1)]; \
})

/* BPF_LOAD's cases: each good load into the empty object, then one bad
 * argument at a time (slot, type, count, context size, flags, address),
 * and programs the verifier refuses. */
static const u64 load_cases[][6] = {
	{ S_PE, LM_BPF_PROG_MEM, UA_PROG(P_MEM), 9, 16, 0 },
	{ S_PE, LM_BPF_PROG_MEM, UA_PROG(P_MEM), 9, LM_BPF_MAX_CTX, LM_BPF_LOAD_NOJIT },
	{ S_PE, LM_BPF_PROG_PREDICATE, UA_PROG(P_PRED), 2, LM_BPF_PAGE_CTX, 0 },
	{ S_PE, LM_BPF_PROG_SYSCALL, UA_PROG(P_SYS), 9, 0, 0 },
	{ S_PE, LM_BPF_PROG_SYSCALL, UA_PROG(P_SYS2), 6, 0, LM_BPF_LOAD_NOJIT },
	{ S_PM, LM_BPF_PROG_MEM, UA_PROG(P_MEM), 9, 16, 0 },          /* loaded already */
	{ S_PM_RO, LM_BPF_PROG_MEM, UA_PROG(P_MEM), 9, 16, 0 },       /* no WRITE */
	{ S_NTFN, LM_BPF_PROG_MEM, UA_PROG(P_MEM), 9, 16, 0 },        /* not a program */
	{ S_FREE, LM_BPF_PROG_MEM, UA_PROG(P_MEM), 9, 16, 0 },        /* empty */
	{ 1 << ROOT_BITS, LM_BPF_PROG_MEM, UA_PROG(P_MEM), 9, 16, 0 }, /* out of range */
	{ S_PE, 0, UA_PROG(P_MEM), 9, 16, 0 },
	{ S_PE, LM_BPF_NTYPES, UA_PROG(P_MEM), 9, 16, 0 },
	{ S_PE, LM_BPF_PROG_MEM, UA_PROG(P_MEM), 0, 16, 0 },
	{ S_PE, LM_BPF_PROG_MEM, UA_PROG(P_MEM), LM_BPF_MAX_INSNS + 1, 16, 0 },
	{ S_PE, LM_BPF_PROG_MEM, UA_PROG(P_MEM), LM_BPF_INSNS_FIT(12) + 1, 16, 0 },
	{ S_PE, LM_BPF_PROG_MEM, UA_PROG(P_MEM), 9, LM_BPF_MAX_CTX + 1, 0 },
	{ S_PE, LM_BPF_PROG_PREDICATE, UA_PROG(P_PRED), 2, 8, 0 },
	{ S_PE, LM_BPF_PROG_SYSCALL, UA_PROG(P_SYS), 9, 8, 0 },
	{ S_PE, LM_BPF_PROG_MEM, UA_PROG(P_MEM), 9, 16, 2 },
	{ S_PE, LM_BPF_PROG_MEM, UA_BAD, 9, 16, 0 },
	{ S_PE, LM_BPF_PROG_MEM, UA_PROG(P_MEM), 9, 8, 0 },  /* refused: writes past 8 bytes */
	{ S_PE, LM_BPF_PROG_SYSCALL, UA_PROG(P_SYS), 2, 0, 0 }, /* refused: jumps past the end */
	{ S_PE, LM_BPF_PROG_SYSCALL, UA_PROG(P_MEM), 9, 0, 0 }, /* refused: a helper it lacks */
};
#define NLOAD (int)(sizeof(load_cases) / sizeof(load_cases[0]))

static void step(int ev)
{
	u64 a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0;
	int lc = 0;

	switch (ev) {
	case E_LOAD:
		lc = Frama_C_interval(0, NLOAD - 1);
		break;
	case E_RUN: /* (prog, buf, len, repeat) */
		a1 = PICK(S_PM, S_PM_RO, S_PP, S_PE, S_NTFN, S_FREE, 0);
		a2 = PICK(UA_BUF, UA_BAD, 0x50000000);
		a3 = PICK(16, 0, 15, LM_BPF_MAX_CTX + 1);
		a4 = PICK(0, 3, LM_BPF_RUN_MAX_REPEAT, LM_BPF_RUN_MAX_REPEAT + 1);
		break;
	case E_WAIT: /* (prog, vaddr, ntfn or 0) */
		a1 = PICK(S_PP, S_PP_RO, S_PM, S_PE, S_NTFN, S_FREE);
		a2 = PICK(UA_PAGE, UA_PAGE + 8, UA_BAD, 0, LM_USER_MAX);
		a3 = PICK(0, S_NTFN, S_PP, 1 << ROOT_BITS);
		break;
	case E_SETF: /* (tcb, prog) */
		a1 = PICK(S_T1, S_T2, S_ROOT, S_NTFN, S_FREE);
		a2 = PICK(S_PS, S_PS2, S_PS_RO, S_PM, S_PE, S_NTFN, 0);
		break;
	case E_DELETE: /* a program's capabilities: one, or every one root
			* holds of it (its last, unless a thread holds one) */
		a1 = S_CNODE;
		switch (Frama_C_interval(0, 4)) {
		case 0: a2 = S_PM; a3 = 2; break;
		case 1: a2 = S_PP; a3 = Frama_C_interval(1, 2); break;
		case 2: a2 = S_PS; a3 = Frama_C_interval(1, 2); break;
		case 3: a2 = S_PS2; a3 = 1; break;
		default: a2 = PICK(S_T1, S_NTFN); a3 = 1; break; /* a sleeper's thread, notification */
		}
		break;
	case E_REVOKE: /* the copies a thread holds (its filters, predicate) */
		a1 = S_CNODE;
		a2 = PICK(S_PM, S_PP, S_PS, S_PS2);
		break;
	case E_SIGNAL: case E_POLL:
		a1 = PICK(S_NTFN, S_PP);
		break;
	case E_SUSPEND:
		a1 = PICK(S_T1, S_T2);
		break;
	case E_CONFIGURE:
		a1 = PICK(S_T1, S_T2);
		a2 = S_CNODE;
		a3 = S_VSPACE;
		break;
	case E_YIELD: /* the filter SYS returns its first argument: each of
		       * decide()'s cases (filter.c) */
		a1 = PICK(LM_BPF_SYS_ALLOW, LM_BPF_SYS_DENY, DENY_EINVAL, LM_BPF_SYS_DENY | (u64)LM_NERR << 16,
			  LM_BPF_SYS_REFLECT, LM_BPF_SYS_REFLECT | 1 << 16, 3, 1ull << 32);
		break;
	case E_OTHER_NR: /* another OS's numbers (reflected or not), past the table */
		a1 = PICK(0, 60, LM_SYS_BASE - 1, LM_SYS_BASE + LM_NSYSCALLS, LM_SYS_FINISH_DELETE);
		break;
	case E_CHECK:
		a1 = S_DEBUG;
		break;
	default:
		break;
	}
	//@ split lc;
	//@ split a1;
	//@ split a2;
	//@ split a3;
	//@ split a4;
	switch (ev) {
	case E_LOAD:
		sys(LM_SYS_BPF_LOAD, load_cases[lc][0], load_cases[lc][1], load_cases[lc][2],
		    load_cases[lc][3], load_cases[lc][4], load_cases[lc][5]);
		break;
	case E_RUN: sys(LM_SYS_BPF_RUN, a1, a2, a3, a4, 0, 0); break;
	case E_WAIT: sys(LM_SYS_BPF_WAIT, a1, a2, a3, 0, 0, 0); break;
	case E_SETF: sys(LM_SYS_THREAD_SET_FILTER, a1, a2, 0, 0, 0, 0); break;
	case E_DELETE: sys(LM_SYS_CNODE_DELETE, a1, a2, a3, 0, 0, 0); break;
	case E_REVOKE: sys(LM_SYS_CNODE_REVOKE, a1, a2, 0, 0, 0, 0); break;
	case E_SIGNAL: sys(LM_SYS_NTFN_SIGNAL, a1, 0, 0, 0, 0, 0); break;
	case E_POLL: sys(LM_SYS_NTFN_POLL, a1, 0, 0, 0, 0, 0); break;
	case E_SUSPEND: sys(LM_SYS_THREAD_SUSPEND, a1, 0, 0, 0, 0, 0); break;
	case E_CONFIGURE: sys(LM_SYS_THREAD_CONFIGURE, a1, a2, a3, 0, 0, 0); break;
	case E_YIELD: sys(LM_SYS_THREAD_YIELD, a1, 0, 0, 0, 0, 0); break;
	case E_OTHER_NR: sys(a1, 1, 2, 3, 4, 5, 6); break;
	case E_CHECK: {
		struct frame *f = &cpu0.cur->frame;
		sys(LM_SYS_DEBUG_CHECK, a1, 0, 0, 0, 0, 0);
		/* the kernel's own self-check (pred_check, bpf_jit_check among
		 * its parts) finds nothing wrong */
		//@ assert self_check_clean: f->rax != LM_OK || f->rdi == 0;
		break;
	}
	default: /* the timer interrupt (trap.c's irq: the tick, the
		  * predicates, then schedule) */
		sched_tick();
		pred_tick();
		if (need_resched)
			schedule();
		break;
	}
	(void)a5;
	(void)a6;
}

int main(void)
{
	u64 mem_flags = Frama_C_interval(0, 1) ? LM_BPF_LOAD_NOJIT : 0;
	//@ split mem_flags;
	boot();
	setup(mem_flags);
	int which, ev, page;
	which = Frama_C_interval(0, NSTARTS - 1);
	//@ split which;
	start(which);
	ev = Frama_C_interval(0, NEVENTS - 1);
	//@ split ev;
	/* The predicate's page, for the events that look at it: unmapped, or
	 * the word it reads 0 or not, the rest anything (vspace_user_page). */
	page = ev == E_WAIT || ev == E_SIGNAL || ev == E_TICK ? Frama_C_interval(0, 2) : 1;
	//@ split page;
	eva_page_unmapped = page == 0;
	Frama_C_make_unknown((char *)upage, sizeof(upage));
	*(u64 *)(upage + 8) = page == 1 ? 0 : Frama_C_unsigned_long_long_interval(1, ~0ull);
	step(ev);
	return 0;
}
