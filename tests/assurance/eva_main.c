/*
 * Frama-C EVA harness for the capability layer, the precise one
 * (tests/assurance/eva.sh, docs/ASSURANCE.md): the derivation tree
 * (mdb.c), capabilities and the worklist (cap.c), CNodes (cnode.c),
 * untyped memory and retype (untyped.c) and capability lookup
 * (syscall.c), run on a state built by real system calls from root's
 * boot state, then one more system call whose every argument is
 * nondeterministic. With EVA_STEPS 2 (run precise2) two such calls in a
 * row, the states the first leaves kept apart by eva_sig (eva/cap_sig.h).
 * (eva_seq.c is the broad one: four calls in a row from the boot state,
 * at the price of precision; its alarms' causes in seq_causes.txt.)
 *
 * The boot state: root's TCB with a CSpace of 2^ROOT_BITS slots, built as
 * root.c builds it (boot()), with an untyped capability to UT_BITS of
 * physical memory at UT_PA, as root.c hands out the free memory. The
 * setup (setup()) then retypes and copies through the system calls
 * themselves, to a state with a child untyped, a CNode holding
 * capabilities (one to itself), an endpoint and a notification each with
 * a copy, and a frame; or that and then a revoke of the child untyped.
 *
 * Retype here makes untyped, CNodes, endpoints and notifications, and
 * frames (never mapped): threads and address spaces need the scheduler
 * and page tables, which this harness leaves out, so the functions
 * of thread.c, endpoint.c, notify.c, irq.c and vspace.c that the code
 * reaches are stubbed below with what they do when no thread waits, no
 * frame is mapped and no interrupt line is held.
 */
#include "__fc_builtin.h"
#include "cap.h"
#include "cnode.h"
#include "syscall.h"
#include "thread.h"
#include "vspace.h"
#include "ipc.h"
#include <lamina/bootinfo.h>

#define ROOT_BITS 4
#define UT_PA     0x200000ull
#define UT_BITS   13

struct percpu cpu0;
static struct tcb root;
static struct slot root_cnode[1 << ROOT_BITS] __attribute__((aligned(1 << (ROOT_BITS + LM_SLOT_BITS))));

/*
 * Object memory, typed: what retype makes of each type lies in that type's
 * own array, which EVA sees as a separate base, instead of all in one
 * byte range (the direct map). The model of the kernel's object placement
 * is phys_to_virt (eva/arch.h replaces the direct map's arithmetic with
 * this function): the object at physical address pa of the untyped's
 * memory is at the same offset of the array of the type being made. That
 * type is the one the harness asks retype for (eva_placing): every object
 * one UNTYPED_RETYPE makes is of the type asked for (untyped.c), and
 * retype is the only caller of phys_to_virt the harness reaches. CNodes
 * are made with 2^ROOT_BITS slots here, the size of a cn_mem cell, so a
 * slot index past a CNode's end is past its cell.
 *
 * Memory reused for another type lands in another array: sound because
 * retype reuses memory only when no object made from it is left (the
 * untyped has no children, everything it made finalised first: the SPIN
 * model kernel/models/revoke.pml checks that), so nothing can still reach
 * the old object.
 */
#define UT_SIZE (1ull << UT_BITS)
static u8 eva_placing;
static struct slot cn_mem[UT_SIZE >> (ROOT_BITS + LM_SLOT_BITS)][1 << ROOT_BITS];
static u8 ep_mem[UT_SIZE >> LM_ENDPOINT_BITS][1 << LM_ENDPOINT_BITS] __attribute__((aligned(1 << LM_ENDPOINT_BITS)));
static u8 ntfn_mem[UT_SIZE >> LM_NOTIFY_BITS][1 << LM_NOTIFY_BITS] __attribute__((aligned(1 << LM_NOTIFY_BITS)));
static u8 frame_mem[UT_SIZE] __attribute__((aligned(1 << LM_PAGE_BITS)));

void *phys_to_virt(u64 pa)
{
	u64 off = pa - UT_PA;

	//@ assert in_untyped: off < UT_SIZE;
	switch (eva_placing) {
	case LM_OBJ_CNODE:
		return cn_mem[off >> (ROOT_BITS + LM_SLOT_BITS)];
	case LM_OBJ_ENDPOINT:
		return ep_mem[off >> LM_ENDPOINT_BITS];
	case LM_OBJ_NOTIFY:
		return ntfn_mem[off >> LM_NOTIFY_BITS];
	default:
		return &frame_mem[off];
	}
}

/* Stubs: no thread waits on any object, no frame or table is mapped, no
 * interrupt line or ID range is held (the retype types below make none). */
bool endpoint_finalise(struct objhdr *h, u32 *budget) { return true; }
bool notify_finalise(struct objhdr *h, u32 *budget) { return true; }
void tcb_finalise(struct tcb *t) { }
/* Root's only TCB slot with a capability is its cspace: deleting it (a
 * revoke of root's CNode capability in slot 1) leaves root without a
 * CSpace. eva.sh keeps the states where that happened apart from the
 * others (-eva-partition-value), or EVA would read the CNode's address
 * from one and its size from the other. */
u8 eva_cspace_gone;
void tcb_lost_slot(struct tcb *t, struct slot *s) { eva_cspace_gone = 1; }
/* tcb_of_slot's model (thread.h): root's is the only TCB, and its cspace
 * slot the only TCB slot. */
struct tcb *tcb_of_slot(struct slot *s)
{
	//@ assert tcb_slot: s == &root.cspace;
	return &root;
}
void tcb_init(struct tcb *t) { }
void irq_release(u64 line) { }
void asids_release(const struct slot *range) { }
void vspace_ref(const struct cap *vs) { }
void vspace_unref(const struct cap *vs) { }
void vspace_init_pml4(u64 pml4) { Frama_C_show_each_unreachable_pml4(pml4); }
void vspace_unmap_frame_cap(struct cap *c) { }
void vspace_unmap_table_cap(struct cap *c) { }

#ifndef EVA_STEPS
#define EVA_STEPS 1 /* nondeterministic calls after the setup; precise2: 2 */
#endif
/* precise2's scope: the start states (0 the setup's, 1 after the revoke)
 * and the first call's kinds (do_call's cases). */
#ifndef EVA_START_LO
#define EVA_START_LO 0
#endif
#ifndef EVA_START_HI
#define EVA_START_HI 1
#endif
#ifndef EVA_FIRST
#define EVA_FIRST 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
#endif
#ifndef EVA_SECOND
#define EVA_SECOND 1 /* 0: the first call only (to count its states) */
#endif
#if EVA_STEPS > 1
#include "cap_sig.h" /* eva_sig: the state as a number */
static u8 eva_first; /* in the first call: retype() sets eva_sig */
#endif

static u64 any(void)
{
	return Frama_C_unsigned_long_interval(0, 1ull << 20);
}

/* As root.c: the CNode (its header in slot 0) named from its own slot 1
 * and, as a child of that, from the thread's cspace slot; the untyped in
 * the first free slot. */
static void boot(void)
{
	struct objhdr *cnh = (struct objhdr *)root_cnode;
	struct cap cn = { .type = LM_OBJ_CNODE, .rights = LM_R_ALL, .bits = ROOT_BITS,
			  .obj = (u64)cnh };
	struct cap ut = { .type = LM_OBJ_UNTYPED, .rights = LM_R_ALL, .bits = UT_BITS,
			  .obj = UT_PA };

	cnh->bits = ROOT_BITS;
	((struct cnode_hdr *)cnh)->occ = ~0ull; /* as root.c: filled without cnode_mark */
	obj_link(cnh, LM_OBJ_CNODE);
	cap_insert(&root_cnode[LM_SLOT_CNODE], &cn, NULL);
	cap_insert(&root_cnode[LM_SLOT_FIRST_BOOT], &ut, NULL);
	cn.flags = CAP_F_TCBSLOT;
	cap_insert(&root.cspace, &cn, &root_cnode[LM_SLOT_CNODE]);
	cpu0.cur = &root;
}

/*
 * Typed slots: the harness keeps each type of capability in its own pair
 * of slot indexes, in the root CNode and in the CNode retype makes (of
 * 2^ROOT_BITS slots, like root's), and gives each call arguments from the
 * pair of one type. A slot then holds that type or nothing, and what EVA
 * reads from it (the object's address, the size in bits) is that type's:
 * EVA's domains keep no relation between a slot's type and its other
 * words, so a read through a set of slots of several types would give a
 * type of one and the address of another. The kernel is no less checked
 * for it: whatever the arguments, EVA covers every execution they lead
 * to; a call given another type's slot fails its type check, and each
 * argument also takes indexes 0 and 2^ROOT_BITS, which fail their range
 * checks.
 */
struct role { u8 type; u64 lo, hi; };
static const struct role roles[] = {
	{ LM_OBJ_CNODE, 1, 2 },    /* root's own CNode in LM_SLOT_CNODE */
	{ LM_OBJ_ENDPOINT, 3, 4 },
	{ LM_OBJ_NOTIFY, 5, 6 },
	{ LM_OBJ_UNTYPED, 7, 8 },  /* the boot untyped in LM_SLOT_FIRST_BOOT */
	{ LM_OBJ_FRAME, 9, 10 },
};
enum { R_CNODE, R_EP, R_NTFN, R_UT, R_FRAME, NROLES };
_Static_assert(LM_SLOT_CNODE == 1 && LM_SLOT_FIRST_BOOT == 8, "root.c's slots in their roles");

/* One of r's slots, or one of the two indexes no CNode here has. */
static u64 slot_in(const struct role *r)
{
	switch (Frama_C_interval(0, 3)) {
	case 0: return r->lo;
	case 1: return r->hi;
	case 2: return 0;
	default: return 1 << ROOT_BITS;
	}
}

static void call_ok(u64 (*sys)(struct frame *), u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6)
{
	struct frame f = { .rdi = a1, .rsi = a2, .rdx = a3, .r10 = a4, .r8 = a5, .r9 = a6 };
	u64 r = sys(&f);
	//@ assert setup_call_ok: r == LM_OK;
}

static void retype_ok(u64 ut, u8 type, u64 bits, u64 cn, u64 di, u64 count)
{
	eva_placing = type;
	call_ok(sys_untyped_retype, ut, type, bits, cn, di, count);
}

/* The state the nondeterministic call starts from, made by system calls
 * with fixed arguments (each asserted to succeed): a child untyped (slot
 * 7, the first half of the boot untyped) from which a CNode (2), an
 * endpoint (3) and a notification (5) are made, a frame (9) from the boot
 * untyped's second half, a copy of the endpoint (4) and a badged copy of
 * the notification (6), and in the new CNode a copy of the endpoint, of
 * the frame, of root's CNode and of itself (slots as their roles). */
static void setup(void)
{
	retype_ok(8, LM_OBJ_UNTYPED, UT_BITS - 1, 1, 7, 1);
	retype_ok(7, LM_OBJ_CNODE, ROOT_BITS, 1, 2, 1);
	retype_ok(7, LM_OBJ_ENDPOINT, 0, 1, 3, 1);
	retype_ok(7, LM_OBJ_NOTIFY, 0, 1, 5, 1);
	retype_ok(8, LM_OBJ_FRAME, LM_PAGE_BITS, 1, 9, 1);
	call_ok(sys_cnode_copy, 1, 4, 1, 3, LM_R_ALL, 0);
	call_ok(sys_cnode_mint, 1, 6, 1, 5, LM_R_ALL, 0x55);
	call_ok(sys_cnode_copy, 2, 3, 1, 3, LM_R_ALL, 0);
	call_ok(sys_cnode_copy, 2, 9, 1, 9, LM_R_ALL, 0);
	call_ok(sys_cnode_copy, 2, 1, 1, 1, LM_R_ALL, 0);
	call_ok(sys_cnode_copy, 2, 2, 1, 2, LM_R_ALL, 0);
}

static void retype(struct frame *f, const struct role *r)
{
	f->rdi = slot_in(&roles[R_UT]);
	f->rsi = r->type;
	f->r10 = slot_in(&roles[R_CNODE]);
	f->r9 = Frama_C_interval(0, 1) ? 1 : Frama_C_interval(0, 1) ? 2 : 0;
	//@ split f->r9;
	f->r8 = slot_in(r);
#if EVA_STEPS > 1
	/* The first of two calls makes two objects only from the first slot
	 * of r's pair: from the second, the other would land in the next
	 * role's first slot, and a second call reading that slot and its
	 * twin in the other CNode through one merged state (copy's source
	 * CNode is not split) would take one's type with the other's
	 * address (an untyped's physical address as a notification's header:
	 * the out-of-bounds write at obj_ref this gave). The kernel's path is
	 * the same from either slot. */
	if (eva_first && f->r9 == 2)
		f->r8 = r->lo;
#endif
	switch (r->type) {
	case LM_OBJ_UNTYPED: f->rdx = Frama_C_unsigned_long_interval(LM_UNTYPED_MIN_BITS - 1, UT_BITS + 1); break;
	case LM_OBJ_FRAME: f->rdx = Frama_C_interval(0, 1) ? LM_PAGE_BITS : LM_LARGE_PAGE_BITS; break;
	case LM_OBJ_CNODE: f->rdx = Frama_C_interval(0, 1) ? ROOT_BITS : LM_CNODE_MIN_BITS - 1; break;
	default: f->rdx = any(); break;
	}
	eva_placing = r->type;
	//@ split f->rdi;
	//@ split f->r10;
	//@ split f->r8;
	sys_untyped_retype(f);
#if EVA_STEPS > 1
	if (eva_first) /* its splits end with this function */
		eva_sig = state_sig();
#endif
}

/* A call's arguments, every one nondeterministic: its CNode and slot
 * arguments from role r's slots, rights all or any, a count or badge
 * any (the calls below narrow some). */
static void choose_args(struct frame *f, const struct role *r)
{
	f->rdi = slot_in(&roles[R_CNODE]);
	f->rsi = slot_in(r);
	f->rdx = slot_in(&roles[R_CNODE]);
	f->r10 = slot_in(r);
	f->r8 = Frama_C_interval(0, 1) ? LM_R_ALL : any();
	f->r9 = any();
}

/* Call number call (one of the ten below) of role r, with f's
 * arguments. */
static void do_call(struct frame *f, int call, const struct role *r)
{
	switch (call) {
	case 0: retype(f, r); break;
	case 1:
		f->r9 = Frama_C_interval(0, 1);
		sys_cnode_copy(f);
		break;
	case 2: /* a range of two: r's pair, from and to a CNode's */
		f->rsi = f->r10 = r->lo;
		f->r9 = 2;
		sys_cnode_copy(f);
		break;
	case 3: sys_cnode_mint(f); break;
	case 4: sys_cnode_move(f); break;
	case 5:
		f->rdx = Frama_C_interval(0, 1);
		sys_cnode_delete(f);
		break;
	case 6: /* a range of two: r's pair */
		f->rsi = r->lo;
		f->rdx = 2;
		sys_cnode_delete(f);
		break;
	case 7: sys_cnode_revoke(f); break;
	case 8: sys_cnode_identify(f); break;
	default: sys_finish_delete(f); break;
	}
}

/*
 * One call with every argument nondeterministic (the last of a run): the
 * role, the call and the first CNode and slot argument split, so that
 * each state reads one CNode and one slot (a lookup or a revoke through a
 * set of slots would read the checked type of one and the address or
 * links of another). (Splitting the source CNode and slot of copy and
 * move as well takes five times as long and removes no alarm. A split
 * inside a block, reached by some calls only, is lost at its end; one
 * made here is lost when this returns.)
 */
static void last_call(void)
{
	struct frame f = { 0 };
	int k = Frama_C_interval(0, NROLES - 1);
	//@ split k;
	const struct role *r = &roles[k];
	int call = Frama_C_interval(0, 9);
	//@ split call;
	choose_args(&f, r);
	//@ split f.rdi;
	//@ split f.rsi;
	do_call(&f, call, r);
}

#if EVA_STEPS > 1
/*
 * The first of two calls (run precise2): the same, of the kinds in the
 * list EVA_FIRST, its destination CNode and slot split as well, so that
 * each state it leaves is one state (a write through a set of slots
 * would leave each slot holding "either"); then the state it left as a
 * number (eva_sig, eva/cap_sig.h), by which eva.sh keeps the states
 * apart once the splits end with this function.
 */
static void first_call(void)
{
	struct frame f = { 0 };
	int k = Frama_C_interval(0, NROLES - 1);
	//@ split k;
	const struct role *r = &roles[k];
	static const u8 firsts[] = { EVA_FIRST };
	int call = firsts[Frama_C_interval(0, sizeof firsts - 1)];
	//@ split call;
	if (call == 0) { /* retype: its arguments split, and eva_sig set, by retype() */
		eva_first = 1;
		retype(&f, r);
		eva_first = 0;
	} else { /* splits last to the end of their block: the signature in it */
		choose_args(&f, r);
		//@ split f.rdi;
		//@ split f.rsi;
		//@ split f.rdx;
		//@ split f.r10;
		do_call(&f, call, r);
		eva_sig = state_sig();
	}
}
#endif

int main(void)
{
	boot();
	setup();
	/* Or from the state after a revoke of the child untyped: everything
	 * made from it deleted (the CNode finalised with what it holds), its
	 * memory free for reuse; what is left is the frame, root's CNode and
	 * the boot untyped. */
	int after_revoke = Frama_C_interval(EVA_START_LO, EVA_START_HI);
	//@ split after_revoke;
	if (after_revoke)
		call_ok(sys_cnode_revoke, 1, 7, 0, 0, 0, 0);
#if EVA_STEPS > 1
	/* Two calls in sequence (run precise2): the states the first leaves
	 * kept apart by what they are (eva_sig, eva/cap_sig.h), not by its
	 * arguments, then any call on each. */
	first_call();
	//@ merge after_revoke;
	Frama_C_show_each_sig(eva_sig); /* in the log: one line per state kept apart */
#endif
	if (EVA_SECOND)
		last_call();
	return 0;
}
