/*
 * The deep fuzzer's programs: what a call may take (one argument spec per
 * system call), how arguments are chosen from the pool of objects the
 * sandbox holds, the fixed prologue that fills a fresh sandbox, and the
 * mutations that turn one program into the next.
 *
 * Arguments that name capabilities are not slot numbers but picks ("the
 * k-th endpoint in the pool"), resolved when the call runs (fz_pick), so a
 * mutated or spliced program still names objects of the right kind.
 */
#include "fuzz.h"

lm_u8 fz_pool[FZ_SLOTS];

static lm_u64 fz_x;

void fz_srand(lm_u64 seed)
{
	fz_x = seed ? seed : 0x5eed;
}

lm_u64 fz_rnd(void)
{
	fz_x ^= fz_x >> 12;
	fz_x ^= fz_x << 25;
	fz_x ^= fz_x >> 27;
	return fz_x * 0x2545f4914f6cdd1dull;
}

#define R(n) (fz_rnd() % (n))
#define ONE_OF(a) ((a)[R(sizeof(a) / sizeof((a)[0]))])

/*
 * Argument specs, one letter an argument:
 *   c CNode  f empty slot  a any capability  u untyped  F frame  P table
 *   V address space  A ID range  T thread  E endpoint  N notification  e/n/r the same
 *   or 0 (endpoint, notification, frame)  R rights  b badge  k copy count
 *   K delete count  t object type  B size bits  C retype count  v address
 *   p priority  g register set  s buffer  i message info  w word
 *   x code address  X exception-stack top  Z its size  z pages
 *   l bits to clear  o on/off  0 zero
 */
static const struct { lm_u16 nr; lm_u8 weight; const char *spec; } fz_specs[] = {
#define S(name, w, spec) { LM_SYS_##name - LM_SYS_BASE, w, spec }
	S(CNODE_COPY, 6, "cfcaRk"), S(CNODE_MINT, 3, "cfcaRb"), S(CNODE_MOVE, 4, "cfca"),
	S(CNODE_DELETE, 4, "caK"), S(CNODE_REVOKE, 3, "ca"), S(CNODE_IDENTIFY, 1, "ca"),
	S(UNTYPED_RETYPE, 6, "utBcfC"), S(VSPACE_MAP, 6, "VFvR"), S(VSPACE_UNMAP, 3, "F"),
	S(VSPACE_MAP_TABLE, 6, "VPv"), S(VSPACE_UNMAP_TABLE, 3, "P"),
	S(THREAD_CONFIGURE, 3, "TcV"), S(THREAD_SET_PRIORITY, 2, "Tp"),
	S(THREAD_READ_REGS, 1, "Ts"), S(THREAD_WRITE_REGS, 6, "Tg"), S(THREAD_RESUME, 5, "T"),
	S(THREAD_SUSPEND, 3, "T"), S(THREAD_INFO, 1, "Ts"), S(THREAD_SET_FSBASE, 1, "Tv"),
	S(THREAD_YIELD, 4, ""), S(EP_SEND, 4, "Eiwwww"), S(EP_NBSEND, 3, "Eiwwww"),
	S(EP_RECV, 5, "E"), S(EP_CALL, 5, "Eiwwww"), S(EP_REPLY, 4, "0iwwww"),
	S(EP_REPLY_RECV, 5, "Eiwwww"), S(NTFN_SIGNAL, 3, "N"), S(NTFN_WAIT, 2, "N"),
	S(NTFN_POLL, 1, "N"), S(THREAD_BIND_NOTIFY, 2, "Tn"), S(THREAD_SET_IPC_BUFFER, 3, "Tr"),
	S(THREAD_YIELD_TO, 2, "T"), S(DEBUG_FASTPATH, 1, "o"), S(THREAD_SET_EXCEPTION, 4, "TxXZ"),
	S(THREAD_SET_FAULT_EP, 3, "Te"), S(VSPACE_PROTECT, 4, "VvzR"),
	S(VSPACE_PAGE_STATE, 2, "Vvl"), S(THREAD_SET_FOREIGN, 1, "Tx"),
	S(THREAD_SET_STOP_NOTIFY, 2, "Tn"), S(FINISH_DELETE, 1, ""),
	S(VSPACE_ASSIGN, 3, "VA"), S(ASIDS_ISSUE, 2, "Akcf"),
	S(BPF_LOAD, 3, "LqyYQ"), S(BPF_RUN, 3, "LsQ"), S(BPF_WAIT, 2, "LWn"),
	S(THREAD_SET_FILTER, 2, "TL"), S(VSPACE_MAP_RUN, 3, "VFvRkk"),
#undef S
};
#define FZ_NSPECS (sizeof fz_specs / sizeof fz_specs[0])

static const char *fz_spec(lm_u16 nr)
{
	for (lm_u32 i = 0; i < FZ_NSPECS; i++)
		if (fz_specs[i].nr == nr)
			return fz_specs[i].spec;
	return 0;
}

/* Programs for BPF_LOAD: each loads as any type (filters: ALLOW, DENY
 * with error 0 = fail closed, the number as a decision), with a few that
 * the verifier refuses or that never end. */
#define I_(op, d, s_, off, imm) { (lm_u8)(op), (lm_u8)((d) | (s_) << 4), (short)(off), (int)(imm) }
const struct lm_bpf_insn fz_ret0[2] = { I_(0xb7, 0, 0, 0, 0), I_(0x95, 0, 0, 0, 0) };
const struct lm_bpf_insn fz_ret1[2] = { I_(0xb7, 0, 0, 0, 1), I_(0x95, 0, 0, 0, 0) };
const struct lm_bpf_insn fz_word[2] = { I_(0x79, 0, 1, 0, 0), I_(0x95, 0, 0, 0, 0) };
static const struct lm_bpf_insn fz_spin[3] = {
	I_(0xb7, 0, 0, 0, 0), I_(0x15, 0, 0, -1, 0), I_(0x95, 0, 0, 0, 0) };
static const struct lm_bpf_insn fz_bad[3] = {
	I_(0xb7, 11, 0, 0, 0), I_(0x05, 0, 0, 7, 0), I_(0x95, 0, 0, 0, 0) };
static const struct lm_bpf_insn fz_csum[5] = {
	I_(0xb7, 2, 0, 0, 8), I_(0xb7, 3, 0, 0, 0), I_(0x85, 0, 0, 0, LM_BPF_HELPER_CSUM),
	I_(0x85, 0, 0, 0, LM_BPF_HELPER_TICKS), I_(0x95, 0, 0, 0, 0) };
static const struct { const struct lm_bpf_insn *p; lm_u64 n; } fz_progs[] = {
	{ fz_ret0, 2 }, { fz_ret1, 2 }, { fz_word, 2 }, { fz_spin, 3 }, { fz_bad, 3 },
	{ fz_csum, 5 },
};
/* A page of ktest's for predicates to read (BPF_WAIT's address). */
static lm_u8 fz_pred_page[4096] __attribute__((aligned(4096)));

static const lm_u64 fz_boundary[] = {
	0, 1, ~0ull, 1ull << 63, LM_USER_MAX, LM_USER_MAX - 1, LM_USER_MAX - 4096,
	T_KERNEL_ADDR, 0xffffffff80000000ull, 0x1000, 0xfff, 255, 256, 4096, 4097,
	1ull << 22, 1ull << 32, 1ull << 47, 0x7fffffff, 0x80000000, LM_RETYPE_MAX_COUNT,
	LM_RETYPE_MAX_COUNT + 1, 0xffff, 0x10000, 64, 65, 127, 128,
};

/* The sandbox's model: what fresh prologue leaves before its retypes. */
void fz_pool_reset(void)
{
	for (lm_u32 i = 0; i < FZ_SLOTS; i++)
		fz_pool[i] = LM_OBJ_NULL;
	fz_pool[SB_SELF] = LM_OBJ_CNODE;
	fz_pool[SB_UT] = LM_OBJ_UNTYPED;
	fz_pool[SB_CODE] = LM_OBJ_FRAME;
	fz_pool[SB_ASIDS] = LM_OBJ_ASIDS;
}

/* The v-th slot (mod their number) that matches; a random slot if none. */
lm_u64 fz_pick(lm_u8 kind, lm_u8 ty, lm_u64 v)
{
	lm_u32 n = 0, k;

	if (kind == K_LIT)
		return v;
	for (lm_u32 pass = 0; pass < 2; pass++) {
		k = 0;
		for (lm_u32 i = 1; i < FZ_SLOTS; i++) {
			lm_u8 t = fz_pool[i];
			int ok = kind == K_FREE ? t == LM_OBJ_NULL
				 : ty ? t == ty || (t == 0xff && v % 4 == 0)
				 : t != LM_OBJ_NULL;
			if (!ok)
				continue;
			if (pass == 1 && k == v % n)
				return i;
			k++;
		}
		n = k;
		if (!n)
			break;
	}
	return 1 + v % (FZ_SLOTS - 1);
}

/* Message info; long: lengths past LM_MSG_MAX_WORDS as often as not (what
 * a register set writes over a blocked sender's info). */
static lm_u64 fz_info(int long_ok)
{
	static const lm_u64 lens[] = { 0, 1, 2, 4, 5, 8, 63, 64, 65, 127 };
	static const lm_u64 longs[] = { 65, 66, 100, 127 };
	lm_u64 len = long_ok && R(2) ? ONE_OF(longs) : ONE_OF(lens);
	lm_u64 i = LM_MSG_INFO(R(4) ? R(4) : fz_rnd() & 0xffff, len, R(2) ? R(4) : 0);

	if (R(5) < 2)
		i |= LM_MSG_MOVE;
	if (R(40) == 0)
		i |= (lm_u64)1 << (R(16));   /* a reserved or flag bit */
	return i;
}

static lm_u64 fz_vaddr(void)
{
	switch (R(8)) {
	case 0: case 1: return FZ_VA + R(6) * LM_PAGE_SIZE;       /* the set-up pages */
	case 2: return FZ_VA + R(512) * LM_PAGE_SIZE;
	case 3: return FZ_VA + R(4) * LM_LARGE_PAGE_SIZE;
	case 4: return FZ_VA + (R(4) << 30) + R(2) * LM_LARGE_PAGE_SIZE;
	case 5: return FZ_VA + ((1 + R(3)) << 39) + R(2) * LM_PAGE_SIZE;
	case 6: return ONE_OF(fz_boundary);
	default: return FZ_VA + R(1 << 22);                     /* unaligned */
	}
}

/* Addresses a snippet may load from, store to or jump to. */
static lm_u64 fz_target(void)
{
	static const lm_u64 t[] = { FZ_CODE_VA, FZ_CODE_VA + 512, FZ_STACK_VA + 8,
		FZ_EXC_VA + 4096 - 8, FZ_VA + 0x10000, T_KERNEL_ADDR, T_NONCANON, 0,
		FZ_VA + LM_LARGE_PAGE_SIZE };
	return R(8) ? ONE_OF(t) : fz_vaddr();
}

/* A register set for THREAD_WRITE_REGS, kept in x[] (fuzz_exec.c builds
 * it): snippet, flags, target, stack, selector, system call, rdi, rsi. */
static void fz_gen_regs(lm_u64 x[8])
{
	static const lm_u64 flags[] = { 0x400, 0x40000, 0x100, 0x40400, 0x500, 0x8d5 };
	static const lm_u64 sels[] = { 0, 3, 0x1b, 0x23, 0x2b, 0x33, 0x8, 0x10, 0x4, 0xffff };
	static const lm_u64 sp[] = { FZ_STACK_VA + 4096, FZ_STACK_VA + 4096 - 3,
		FZ_STACK_VA + 8, FZ_STACK_VA, FZ_EXC_VA + 4096 + 32, FZ_EXC_VA + 8192 - 128,
		FZ_VA + 0x10000, 0 };
	static const lm_u16 calls[] = { LM_SYS_EP_SEND, LM_SYS_EP_CALL, LM_SYS_EP_RECV,
		LM_SYS_NTFN_WAIT, LM_SYS_THREAD_YIELD, LM_SYS_EP_REPLY_RECV,
		LM_SYS_THREAD_YIELD_TO };

	static const lm_u64 callers[] = { 5, 6, 6, 12 };   /* snippets that make a call */

	x[0] = R(3) ? R(16) : ONE_OF(callers);          /* snippet (>= count: random rip) */
	x[1] = R(4) ? ONE_OF(flags) : fz_rnd() & 0x40dd5;
	x[2] = fz_target();
	x[3] = R(6) ? ONE_OF(sp) : fz_vaddr();
	x[4] = R(8) ? ONE_OF(sels) : fz_rnd() & 0xffff;
	x[5] = R(4) ? ONE_OF(calls) : R(8) ? LM_SYS_BASE + R(LM_NSYSCALLS) : R(512);
	x[6] = fz_rnd();
	x[7] = fz_info(1);
}

static void fz_gen_arg(struct fz_call *c, int i, char k, lm_u64 type)
{
	static const lm_u8 slot_ty[128] = { ['c'] = LM_OBJ_CNODE, ['u'] = LM_OBJ_UNTYPED,
		['F'] = LM_OBJ_FRAME, ['P'] = LM_OBJ_PTABLE, ['V'] = LM_OBJ_VSPACE,
		['A'] = LM_OBJ_ASIDS,
		['T'] = LM_OBJ_TCB, ['E'] = LM_OBJ_ENDPOINT, ['N'] = LM_OBJ_NOTIFY,
		['e'] = LM_OBJ_ENDPOINT, ['n'] = LM_OBJ_NOTIFY, ['r'] = LM_OBJ_FRAME,
		['L'] = LM_OBJ_BPF };
	static const lm_u64 ctxs[] = { 0, 8, 64, 4096, 4097, 512 };
	static const lm_u64 prios[] = { 0, 1, 50, 99, 100, 101, 255, 256 };
	static const lm_u64 tops[] = { 0, 16, 32, 48, 64, 128, 176, 192, 208, 4096 };

	c->kind[i] = K_LIT;
	c->ty[i] = 0;
	c->v[i] = fz_rnd();
	if (R(32) == 0) { /* now and then anything at all */
		c->v[i] = R(2) ? ONE_OF(fz_boundary) : R(300);
		return;
	}
	if (slot_ty[(lm_u8)k] || k == 'a' || k == 'f') {
		if ((k == 'e' || k == 'n' || k == 'r') && R(5) == 0) {
			c->v[i] = 0;
			return;
		}
		c->kind[i] = k == 'f' ? K_FREE : K_SLOT;
		c->ty[i] = slot_ty[(lm_u8)k];
		return;
	}
	switch (k) {
	case 'R': c->v[i] = R(4) ? R(16) : R(8) | LM_R_READ; break;
	case 'b': c->v[i] = R(0x200); break;
	case 'k': c->v[i] = R(4) ? R(3) : R(300); break;
	case 'K': c->v[i] = R(4) ? R(3) : R(300); break;
	case 't': c->v[i] = R(8) ? (R(10) ? 1 + R(9) : LM_OBJ_BPF) : R(16); break;
	case 'B': /* fits the type where it can */
		c->v[i] = type == LM_OBJ_FRAME ? (R(4) ? 12 : 21) : type == LM_OBJ_CNODE ? 2 + R(7)
			: type == LM_OBJ_UNTYPED ? 12 + R(6) : type == LM_OBJ_BPF ? 11 + R(9)
			: R(4) ? 0 : R(64);
		break;
	case 'q': c->v[i] = R(8) ? 1 + R(3) : R(6); break;
	case 'y': /* a program (x[0] says which), now and then any address */
		c->x[0] = R(sizeof fz_progs / sizeof fz_progs[0]);
		c->v[i] = R(10) ? (lm_u64)fz_progs[c->x[0]].p : fz_vaddr();
		break;
	case 'Y': c->v[i] = R(8) ? fz_progs[c->x[0]].n : R(2) ? R(5000) : ONE_OF(fz_boundary); break;
	case 'Q': c->v[i] = R(6) ? ONE_OF(ctxs) : fz_rnd(); break;
	case 'W': c->v[i] = R(4) ? (lm_u64)fz_pred_page : fz_vaddr(); break;
	case 'C': c->v[i] = R(4) ? 1 + R(4) : R(300); break;
	case 'v': c->v[i] = fz_vaddr(); break;
	case 'p': c->v[i] = ONE_OF(prios); break;
	case 'g': c->kind[i] = K_REGS; fz_gen_regs(c->x); break;
	case 's': c->kind[i] = R(8) ? K_BUF : K_LIT; break;
	case 'i': c->v[i] = fz_info(0); break;
	case 'w': c->v[i] = R(2) ? R(16) : fz_rnd(); break;
	case 'x': c->v[i] = R(4) ? FZ_CODE_VA : R(2) ? FZ_CODE_VA + R(96) : fz_vaddr(); break;
	case 'X': c->v[i] = R(8) ? FZ_EXC_VA + 4096 + ONE_OF(tops) : fz_vaddr(); break;
	case 'Z': c->v[i] = R(4) ? 4096 + R(2) * 4096 : R(2) ? 208 + R(64) : fz_rnd(); break;
	case 'z': c->v[i] = R(4) ? 1 + R(8) : ONE_OF(fz_boundary); break;
	case 'l': c->v[i] = R(5); break;
	case 'o': c->v[i] = R(4) ? 1 : R(3); break;
	default: c->v[i] = 0; break;
	}
}

/* IPC descriptors: which capabilities go (often the endpoint itself, to
 * be moved away from under a reply-and-receive), where received ones land. */
static void fz_gen_ipc(struct fz_call *c)
{
	for (int i = 0; i < 3; i++) {
		lm_u64 mode = R(10) < 3 ? FZ_CAP_ARG1 : R(10) ? FZ_CAP_ANY : FZ_CAP_NONE;
		c->x[i] = mode << 56 | (fz_rnd() >> 8);
		c->x[3 + i] = fz_rnd();
	}
	c->x[6] = fz_rnd();
}

/* A call of the sort the old fuzzer made: any number, any arguments. */
static void fz_gen_noise(struct fz_call *c)
{
	lm_u64 r = fz_rnd();

	c->raw = 1;
	c->nr = r % 4 ? LM_SYS_BASE + R(LM_NSYSCALLS) : R(2) ? R(512) : LM_SYS_END + R(16);
	for (int i = 0; i < 6; i++) {
		c->kind[i] = R(3) ? K_LIT : K_SLOT;
		c->ty[i] = 0;
		c->v[i] = R(2) ? R(300) : R(2) ? fz_vaddr() : ONE_OF(fz_boundary);
	}
}

void fz_gen_call(struct fz_call *c)
{
	lm_u32 total = 0, w;
	const char *spec;

	*c = (struct fz_call){ 0 };
	if (R(25) == 0) {
		fz_gen_noise(c);
		return;
	}
	for (lm_u32 i = 0; i < FZ_NSPECS; i++)
		total += fz_specs[i].weight;
	w = R(total);
	for (lm_u32 i = 0; i < FZ_NSPECS; i++) {
		if (w < fz_specs[i].weight) {
			c->nr = fz_specs[i].nr;
			break;
		}
		w -= fz_specs[i].weight;
	}
	spec = fz_spec(c->nr);
	for (int i = 0; spec[i]; i++)
		fz_gen_arg(c, i, spec[i], i ? c->v[1] : 0);
	if (c->nr >= LM_SYS_EP_SEND - LM_SYS_BASE && c->nr <= LM_SYS_EP_REPLY_RECV - LM_SYS_BASE)
		fz_gen_ipc(c);
}

void fz_gen_prog(struct fz_prog *p, lm_u32 first)
{
	lm_u32 n = 4 + R(FZ_FUZZCALLS - 4);

	p->n = first;
	while (p->n < first + n)
		fz_gen_call(&p->c[p->n++]);
}

/* One to three changes: an argument, a new call, a dropped call, a run of
 * calls from another program, a call replaced. */
void fz_mutate(struct fz_prog *p, lm_u32 first, const struct fz_prog *other)
{
	for (lm_u32 m = 1 + R(3); m; m--) {
		lm_u32 len = p->n - first, at = first + (len ? R(len) : 0);
		struct fz_call *c = &p->c[at];
		const char *spec;
		lm_u32 op = R(20);

		if (op < 8 && len && !c->raw && (spec = fz_spec(c->nr)) && spec[0]) {
			lm_u32 i = R(6);
			while (!spec[i % 6] && i)
				i--;
			if (R(3))
				c->v[i] = fz_rnd() ^ (c->kind[i] == K_LIT ? 0 : c->v[i]);
			fz_gen_arg(c, i, spec[i] ? spec[i] : 'w', c->v[1]);
		} else if (op < 12 && p->n < first + FZ_FUZZCALLS) {
			for (lm_u32 j = p->n; j > at; j--)
				p->c[j] = p->c[j - 1];
			fz_gen_call(&p->c[at]);
			p->n++;
		} else if (op < 15 && len > 1) {
			for (lm_u32 j = at; j + 1 < p->n; j++)
				p->c[j] = p->c[j + 1];
			p->n--;
		} else if (op < 18 && other && other->n > first) {
			lm_u32 from = first + R(other->n - first), k = 1 + R(8);
			for (; k && from < other->n && p->n < first + FZ_FUZZCALLS; k--)
				p->c[p->n++] = other->c[from++];
		} else if (len) {
			fz_gen_call(c);
		}
	}
}

/* The fixed start of every program: fill the fresh sandbox (the controller
 * has put its untyped at SB_UT, itself at SB_SELF, the code and verdict
 * frame at SB_CODE, an ID range at SB_ASIDS; ktest maps the verdict page
 * itself), map the set-up pages, configure two
 * threads. Every call must succeed. */
void fz_prologue(struct fz_prog *p)
{
	static const lm_u64 pro[][7] = {
#define C(name, a, b, c_, d, e, f) { LM_SYS_##name - LM_SYS_BASE, a, b, c_, d, e, f }
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_FRAME, 21, SB_SELF, SB_FRAME2M, 1),
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_VSPACE, 0, SB_SELF, SB_VSPACE, 1),
		C(VSPACE_ASSIGN, SB_VSPACE, SB_ASIDS, 0, 0, 0, 0),
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_TCB, 0, SB_SELF, SB_TCB, 2),
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_CNODE, 4, SB_SELF, SB_CNODE, 1),
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_FRAME, 12, SB_SELF, SB_FRAME, 4),
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_PTABLE, 0, SB_SELF, SB_PTABLE, 4),
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_ENDPOINT, 0, SB_SELF, SB_EP, 2),
		C(CNODE_MINT, SB_SELF, SB_EP_BADGED, SB_SELF, SB_EP, LM_R_ALL, 0x77),
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_NOTIFY, 0, SB_SELF, SB_NTFN, 2),
		C(CNODE_MINT, SB_SELF, SB_NTFN_BADGED, SB_SELF, SB_NTFN, LM_R_ALL, 0x100),
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_UNTYPED, 16, SB_SELF, SB_UT_CHILD, 1),
		C(CNODE_COPY, SB_SELF, SB_FRAME_RO, SB_SELF, SB_FRAME, LM_R_READ, 0),
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_FRAME, 12, SB_SELF, SB_DATA, 3),
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_PTABLE, 0, SB_SELF, SB_TABLES, 3),
		C(VSPACE_MAP_TABLE, SB_VSPACE, SB_TABLES, FZ_VA, 0, 0, 0),
		C(VSPACE_MAP_TABLE, SB_VSPACE, SB_TABLES + 1, FZ_VA, 0, 0, 0),
		C(VSPACE_MAP_TABLE, SB_VSPACE, SB_TABLES + 2, FZ_VA, 0, 0, 0),
		C(VSPACE_MAP_TABLE, SB_VSPACE, SB_PTABLE + 3, FZ_VERDICT_VA, 0, 0, 0),
		C(VSPACE_MAP, SB_VSPACE, SB_CODE, FZ_CODE_VA, LM_R_READ | LM_R_EXEC, 0, 0),
		C(VSPACE_MAP, SB_VSPACE, SB_DATA, FZ_STACK_VA, LM_R_READ | LM_R_WRITE, 0, 0),
		C(VSPACE_MAP, SB_VSPACE, SB_DATA + 1, FZ_EXC_VA, LM_R_READ | LM_R_WRITE, 0, 0),
		C(VSPACE_MAP, SB_VSPACE, SB_DATA + 2, FZ_EXC_VA + 4096, LM_R_READ | LM_R_WRITE, 0, 0),
		C(THREAD_CONFIGURE, SB_TCB, SB_SELF, SB_VSPACE, 0, 0, 0),
		C(THREAD_CONFIGURE, SB_TCB2, SB_SELF, SB_VSPACE, 0, 0, 0),
		C(THREAD_SET_PRIORITY, SB_TCB, T_PRIO, 0, 0, 0, 0),
		C(THREAD_SET_PRIORITY, SB_TCB2, T_PRIO, 0, 0, 0, 0),
		C(THREAD_SET_IPC_BUFFER, SB_TCB, SB_FRAME + 3, 0, 0, 0, 0),
		C(THREAD_SET_IPC_BUFFER, SB_TCB2, SB_FRAME + 2, 0, 0, 0, 0),
		/* one frame will cross the page boundary, one will not; the
		 * two stacks do not overlap, so a frame is only ever written
		 * by the kernel for its own thread (fuzz.h, struct fz_taint) */
		C(THREAD_SET_EXCEPTION, SB_TCB, FZ_CODE_VA, FZ_EXC_VA + 4096 + 64, 4096 + 64, 0, 0),
		C(THREAD_SET_EXCEPTION, SB_TCB2, FZ_CODE_VA, FZ_EXC_VA + 8192, 4096 - 64, 0, 0),
		C(UNTYPED_RETYPE, SB_UT, LM_OBJ_BPF, LM_BPF_MIN_BITS, SB_SELF, SB_BPF, 4),
		C(BPF_LOAD, SB_BPF, LM_BPF_PROG_MEM, (lm_u64)fz_word, 2, 8, 0),
		C(BPF_LOAD, SB_BPF + 1, LM_BPF_PROG_PREDICATE, (lm_u64)fz_word, 2, 0, 0),
		C(BPF_LOAD, SB_BPF + 2, LM_BPF_PROG_SYSCALL, (lm_u64)fz_ret0, 2, 0, 0),
#undef C
	};

	p->n = 0;
	for (lm_u32 i = 0; i < sizeof pro / sizeof pro[0]; i++) {
		struct fz_call *c = &p->c[p->n++];
		*c = (struct fz_call){ .nr = (lm_u16)pro[i][0], .setup = 1 };
		for (int j = 0; j < 6; j++)
			c->v[j] = pro[i][j + 1];
	}
	p->nsetup = p->n;
}

static const char *const fz_names[LM_NSYSCALLS] = {
#define NAME(name, n) [n] = #name,
	LM_SYSCALLS(NAME)
#undef NAME
};

/* One line a call, for replaying a finding by hand. */
void fz_print_call(const struct fz_call *c, lm_u32 i)
{
	static const char kinds[] = "=@_gb";
	lm_u64 nr = c->raw ? c->nr : c->nr + LM_SYS_BASE;

	lm_printf("  %2u %s", i, nr - LM_SYS_BASE < LM_NSYSCALLS ? fz_names[nr - LM_SYS_BASE] : "?");
	for (int j = 0; j < 6; j++)
		lm_printf(" %c%u:%#lx", kinds[c->kind[j]], c->ty[j], c->v[j]);
	lm_printf(" x=%#lx,%#lx,%#lx,%#lx\n", c->x[0], c->x[1], c->x[2], c->x[7]);
}
