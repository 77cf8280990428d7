/*
 * Frama-C EVA harness for address spaces, address-space IDs and device
 * interrupts (tests/assurance/eva.sh, docs/ASSURANCE.md): vspace.c
 * (VSPACE_MAP in both forms, MAP_RUN, UNMAP, MAP_TABLE, UNMAP_TABLE, PROTECT,
 * PAGE_STATE, the unmapping a deletion does, user memory copies), asid.c
 * (ASIDS_ISSUE, VSPACE_ASSIGN, the IDs a deleted range takes back, an
 * address space's references) and irq.c (IRQ_CLAIM, SET_NOTIFY, ACK, a
 * line firing, a line released), over the capability layer (mdb.c,
 * cap.c, cnode.c, untyped.c, syscall.c's lookup), all the kernel's own
 * code.
 *
 * Page-table memory is typed object memory: physical pages are modelled
 * through phys_to_virt (eva/arch.h), each page-table and top-level page
 * an array of 512 entries of its own (pt_mem), each frame bytes of
 * frame_mem, the IOAPIC's two registers an array. The walk through the
 * direct map is the one hardware stub: the kernel's arithmetic (pa +
 * DIRECT_MAP) is replaced by this function, whose result is the page the
 * physical address names; everything the kernel writes into the entries
 * and reads back is its own code. Tables and top-level tables come from
 * one untyped (UT_PT), frames from another (UT_FR), so the physical
 * address says which kind of memory a page is: retype places objects at
 * its untyped's free mark, inside it (asserted).
 *
 * The state: root's thread with a CNode of 2^ROOT_BITS slots, its address
 * space (ID 1, its top-level table the first page of pt_mem), the
 * IRQ-control capability, the range of every address-space ID, and the two
 * untyped. A setup made by real system calls (each asserted to succeed)
 * retypes tables and frames, maps a PDPT, a PD and a PT into root's
 * address space, three frames (read-write, read-only, one 2 MiB) and two
 * pages of a run of four (frame C), issues a
 * sub-range of two IDs, retypes two address spaces and gives one an ID
 * from the sub-range, maps a table into that one, claims interrupt line 3
 * and binds it to a notification. From there or three more start states
 * (the PT unmapped: the frames' records stale; the sub-range deleted: the
 * address space lost its ID; frames protected), one event with
 * nondeterministic arguments.
 *
 * Stubs: the IOAPIC and CR3/INVLPG (hardware; asm.h's inline asm, which
 * EVA reads as doing nothing to memory), and for what eva_main.c and
 * eva_ipc.c cover: the notification's signal (eva_ipc.c runs the real
 * one; here it asserts that it is given a live notification), the
 * finalisation of CNodes' neighbours (no thread, endpoint here).
 */
#include "__fc_builtin.h"
#include <string.h> /* Frama-C's specifications of memset and memcpy */
#include "cap.h"
#include "cnode.h"
#include "syscall.h"
#include "thread.h"
#include "vspace.h"
#include "ipc.h"
#include <lamina/syscall.h>
#include <lamina/bootinfo.h>

#define ROOT_BITS    5
#define BOOT_PML4_PA 0x100000ull  /* the kernel's own top-level table */
#define PT_BASE      0x1ff000ull  /* root's top-level table, then UT_PT */
#define UT_PT        0x200000ull
#define UT_PT_BITS   15           /* eight tables */
#define UT_FR        0x400000ull
#define UT_FR_BITS   22           /* 4 MiB: small frames, a 2 MiB one */
#define IOAPIC_PA    0xfec00000ull
#define ROOT_ASID    1

struct percpu cpu0;
u32 cpu_features = LM_CPU_PCID | LM_CPU_NX;
u64 boot_pml4[512];
static struct tcb root __attribute__((aligned(1 << LM_TCB_BITS)));
static struct slot root_cnode[1 << ROOT_BITS] __attribute__((aligned(1 << (ROOT_BITS + LM_SLOT_BITS))));
static struct notify ntfn; /* made at boot here: retype of it is eva_main.c's */

/* Typed page memory (see the head comment). */
#define NTABLES (1 + (1 << UT_PT_BITS >> LM_PAGE_BITS))
static u64 pt_mem[NTABLES][512];
static u8 frame_mem[1 << UT_FR_BITS];
static u32 ioapic_regs[8];

void *phys_to_virt(u64 pa)
{
	//@ assert page_aligned: pa % 4096 == 0;
	if (pa == BOOT_PML4_PA)
		return boot_pml4;
	if (pa == IOAPIC_PA)
		return ioapic_regs;
	if (pa >= PT_BASE && pa < PT_BASE + NTABLES * 4096ull)
		return pt_mem[(pa - PT_BASE) >> LM_PAGE_BITS];
	//@ assert frame_memory: UT_FR <= pa < UT_FR + (1ull << UT_FR_BITS);
	return &frame_mem[pa - UT_FR];
}

u64 virt_to_phys(const void *va)
{
	//@ assert kernel_pml4: va == boot_pml4;
	return BOOT_PML4_PA;
}

/* Not hardware, and covered by the other harnesses: what the functions do
 * in this state, where no thread waits and the only notification is ntfn. */
void notify_signal(struct notify *n, u64 bits)
{
	//@ assert signal_live: n == &ntfn && ntfn.hdr.refs > 0;
	n->word |= bits;
}
bool endpoint_finalise(struct objhdr *h, u32 *budget) { return true; }
bool notify_finalise(struct objhdr *h, u32 *budget)
{
	irq_notify_gone((struct notify *)h); /* as notify.c does */
	return true;
}
void tcb_finalise(struct tcb *t) { }
void tcb_lost_slot(struct tcb *t, struct slot *s) { }
void tcb_init(struct tcb *t) { }
void kprintf(const char *fmt, ...) { }
void panic(const char *fmt, ...)
{
	//@ assert no_panic: \false;
	while (1)
		;
}
/* Root's are the only TCB slots. */
struct tcb *tcb_of_slot(struct slot *s)
{
	//@ assert tcb_slot: s == &root.cspace || s == &root.vspace;
	return &root;
}

#include "mdb_ends.h"

/* The ends of the derivation tree (EVA_MDB_ENDS: eva/mdb_ends.h) are
 * those of root's CNode's slots and its TCB's. */
static struct mdb *eva_ends(const struct mdb_end *e)
{
	struct mdb *m = NULL;
	for (int i = 0; !m && i < 1 << ROOT_BITS; i++)
		m = end_in(&root_cnode[i], e);
	if (!m)
		m = end_in(&root.cspace, e);
	if (!m)
		m = end_in(&root.vspace, e);
	return m;
}

/* Root's slots by role. */
enum {
	S_CNODE = LM_SLOT_CNODE, S_VS = LM_SLOT_VSPACE, S_VS_B = 3, S_VS_C = 4,
	S_IRQCTL = LM_SLOT_IRQCTL, S_ASIDS = 7, S_UT_PT = LM_SLOT_FIRST_BOOT, S_UT_FR = 9,
	S_PDPT = 10, S_PD = 11, S_PT = 12, S_PT_B = 13, S_PT_FREE = 14,
	S_FR_A = 15, S_FR_B = 16, S_FR_C = 17, S_FR_A2 = 18, S_FR_L = 19,
	S_SUB = 20, S_IRQ = 21, S_NTFN = 22, S_FREE = 24, /* 24 .. 31 empty */
};
struct role { u8 n; u8 slot[5]; };
static const struct role r_vs = { 3, { S_VS, S_VS_B, S_VS_C } };
static const struct role r_pt = { 5, { S_PDPT, S_PD, S_PT, S_PT_B, S_PT_FREE } };
static const struct role r_fr = { 5, { S_FR_A, S_FR_B, S_FR_C, S_FR_A2, S_FR_L } };
static const struct role r_asids = { 2, { S_ASIDS, S_SUB } };
static const struct role r_irq = { 2, { S_IRQ, S_IRQCTL } };
static const struct role r_ntfn = { 1, { S_NTFN } };
static const struct role r_dst = { 2, { S_FREE, S_FREE + 1 } };

/* One of r's slots, 0 or 2^ROOT_BITS (out of range), or root's CNode's
 * (the wrong type for every call here). */
static u64 slot_in(const struct role *r)
{
	int i = Frama_C_interval(0, r->n + 2);
	return i < r->n ? r->slot[i] : i == r->n ? 0 : i == r->n + 1 ? 1 << ROOT_BITS : S_CNODE;
}

static void boot(void)
{
	struct objhdr *cnh = (struct objhdr *)root_cnode;
	struct cap cn = { .type = LM_OBJ_CNODE, .rights = LM_R_ALL, .bits = ROOT_BITS, .obj = (u64)cnh };
	struct cap vs = { .type = LM_OBJ_VSPACE, .rights = LM_R_ALL, .obj = PT_BASE, .w2 = ROOT_ASID };
	struct cap ctl = { .type = LM_OBJ_IRQCTL, .rights = LM_R_ALL };
	struct cap ids = { .type = LM_OBJ_ASIDS, .rights = LM_R_ALL, .obj = 1, .w2 = ASID_COUNT - 1,
			   .w3 = ASIDS_ROOT_DEPTH };
	struct cap pt = { .type = LM_OBJ_UNTYPED, .rights = LM_R_ALL, .bits = UT_PT_BITS, .obj = UT_PT };
	struct cap fr = { .type = LM_OBJ_UNTYPED, .rights = LM_R_ALL, .bits = UT_FR_BITS, .obj = UT_FR };
	struct cap nc = { .type = LM_OBJ_NOTIFY, .rights = LM_R_ALL, .obj = (u64)&ntfn };

	irq_init();
	vspace_init_pml4(PT_BASE);
	asid_boot(ROOT_ASID, PT_BASE);
	cnh->bits = ROOT_BITS;
	((struct cnode_hdr *)cnh)->occ = ~0ull; /* as root.c: filled without cnode_mark */
	obj_link(cnh, LM_OBJ_CNODE);
	obj_link(&ntfn.hdr, LM_OBJ_NOTIFY);
	cap_insert(&root_cnode[S_CNODE], &cn, NULL);
	cap_insert(&root_cnode[S_VS], &vs, NULL);
	cap_insert(&root_cnode[S_IRQCTL], &ctl, NULL);
	cap_insert(&root_cnode[S_ASIDS], &ids, NULL);
	cap_insert(&root_cnode[S_UT_PT], &pt, NULL);
	cap_insert(&root_cnode[S_UT_FR], &fr, NULL);
	cap_insert(&root_cnode[S_NTFN], &nc, NULL);
	cn.flags = vs.flags = CAP_F_TCBSLOT;
	cap_insert(&root.cspace, &cn, &root_cnode[S_CNODE]);
	cap_insert(&root.vspace, &vs, &root_cnode[S_VS]);
	cpu0.cur = &root;
	cpu0.cr3_pml4 = PT_BASE;
}

static u64 call(u64 (*sys)(struct frame *), u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6)
{
	struct frame f = { .rdi = a1, .rsi = a2, .rdx = a3, .r10 = a4, .r8 = a5, .r9 = a6 };
	return sys(&f);
}

static void call_ok(u64 (*sys)(struct frame *), u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6)
{
	u64 r = call(sys, a1, a2, a3, a4, a5, a6);
	//@ assert setup_call_ok: r == LM_OK;
}

#define VA_PT 0x400000ull  /* the PT's 2 MiB: frames A at +0, B at +4 KiB */
#define VA_L  0x600000ull  /* the 2 MiB frame, in the same PD */
#define VA_RUN (VA_PT + 0x3000) /* run C's pages 1 and 2 */
#define RUN_BITS 14         /* run C: four pages */
#define VA_B  0x40000000ull /* address space B's table */

static void setup(void)
{
	call_ok(sys_untyped_retype, S_UT_PT, LM_OBJ_PTABLE, 0, S_CNODE, S_PDPT, 5);
	call_ok(sys_untyped_retype, S_UT_PT, LM_OBJ_VSPACE, 0, S_CNODE, S_VS_B, 2);
	call_ok(sys_untyped_retype, S_UT_FR, LM_OBJ_FRAME, LM_PAGE_BITS, S_CNODE, S_FR_A, 2);
	call_ok(sys_untyped_retype, S_UT_FR, LM_OBJ_FRAME, RUN_BITS, S_CNODE, S_FR_C, 1);
	call_ok(sys_untyped_retype, S_UT_FR, LM_OBJ_FRAME, LM_LARGE_PAGE_BITS, S_CNODE, S_FR_L, 1);
	call_ok(sys_vspace_map_table, S_VS, S_PDPT, VA_PT, 0, 0, 0);
	call_ok(sys_vspace_map_table, S_VS, S_PD, VA_PT, 0, 0, 0);
	call_ok(sys_vspace_map_table, S_VS, S_PT, VA_PT, 0, 0, 0);
	call_ok(sys_vspace_map, S_VS, S_FR_A, VA_PT, LM_R_READ | LM_R_WRITE, 0, 0);
	call_ok(sys_cnode_copy, S_CNODE, S_FR_A2, S_CNODE, S_FR_A, LM_R_READ, 0);
	call_ok(sys_vspace_map, S_VS, S_FR_B, VA_PT + 4096, LM_R_READ, 0, 0);
	call_ok(sys_vspace_map, S_VS, S_FR_L, VA_L, LM_R_READ | LM_R_WRITE, 0, 0);
	call_ok(sys_vspace_map_run, S_VS, S_FR_C, VA_RUN, LM_R_READ | LM_R_WRITE, 1, 2);
	call_ok(sys_asids_issue, S_ASIDS, 2, S_CNODE, S_SUB, 0, 0);
	call_ok(sys_vspace_assign, S_VS_B, S_SUB, 0, 0, 0, 0);
	call_ok(sys_vspace_map_table, S_VS_B, S_PT_B, VA_B, 0, 0, 0);
	call_ok(sys_irq_claim, S_IRQCTL, 3, S_CNODE, S_IRQ, 0, 0);
	call_ok(sys_irq_set_notify, S_IRQ, S_NTFN, 0, 0, 0, 0);
}

/*
 * The states the nondeterministic event starts from, made from the
 * setup's by fixed calls:
 *   START_BASE     the setup's;
 *   START_NO_PT    the PT unmapped (zeroed): frames A and B keep records
 *                  naming entries that no longer point at them;
 *   START_NO_SUB   the sub-range deleted: address space B lost its ID
 *                  (its capability is refused from then on, its table's
 *                  record names a dead ID);
 *   START_PROT     frame A protected to no access, the 2 MiB frame to
 *                  read-only, and their accessed/dirty bits cleared.
 */
enum { START_BASE, START_NO_PT, START_NO_SUB, START_PROT, NSTARTS };

static void start(int which)
{
	switch (which) {
	case START_NO_PT:
		call_ok(sys_vspace_unmap_table, S_PT, 0, 0, 0, 0, 0);
		break;
	case START_NO_SUB:
		call_ok(sys_cnode_delete, S_CNODE, S_SUB, 1, 0, 0, 0);
		//@ assert start_dead: asid_tab[root_cnode[S_VS_B].cap.w2].pml4 == 0;
		break;
	case START_PROT:
		call_ok(sys_vspace_protect, S_VS, VA_PT, 1, 0, 0, 0);
		call_ok(sys_vspace_protect, S_VS, VA_L, 512, LM_R_READ, 0, 0);
		call_ok(sys_vspace_page_state, S_VS, VA_L, LM_PG_ACCESSED | LM_PG_DIRTY, 0, 0, 0);
		break;
	default:
		break;
	}
}

enum {
	C_MAP, C_MAP_RANGE, C_MAP_RUN, C_UNMAP, C_MAP_TABLE, C_UNMAP_TABLE, C_PROTECT, C_PAGE_STATE,
	C_ISSUE, C_ASSIGN, C_CLAIM, C_SET_NOTIFY, C_ACK, C_FIRE, C_DELETE, C_REVOKE,
	C_COPY_IN, C_COPY_OUT, C_USER_PAGE, NEVENTS
};

/* A user address: in the PT (frames A and B, a hole), the 2 MiB frame,
 * where a PD, a PDPT or a PML4 entry is missing, unaligned, the lowest
 * and the highest, and out of range. */
static u64 vaddr(void)
{
	switch (Frama_C_interval(0, 10)) {
	case 0: return VA_PT;
	case 1: return VA_PT + 0x1000;
	case 2: return VA_PT + 0x2000;
	case 3: return VA_L;
	case 4: return VA_L + 0x200000;
	case 5: return VA_B;
	case 6: return 0x8000000000ull;
	case 7: return VA_PT + 0x800;
	case 8: return LM_USER_MIN - 0x1000;
	case 9: return LM_USER_MAX - 0x1000;
	default: return LM_USER_MAX;
	}
}

/* Rights: each valid combination, or an undefined bit. */
static u64 rights(void)
{
	return Frama_C_interval(0, 1) ? Frama_C_interval(0, 7) : 8;
}

static u8 buf[64];

static void step(void)
{
	int ev = Frama_C_interval(0, NEVENTS - 1);
	u64 a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0;
	//@ split ev;
	switch (ev) {
	case C_MAP: case C_MAP_RANGE:
		a1 = slot_in(&r_vs);
		a2 = slot_in(&r_fr);
		a3 = vaddr();
		a4 = rights();
		if (ev == C_MAP_RANGE) { /* frames from a2 on, in root's CNode */
			a5 = Frama_C_interval(0, 1) ? Frama_C_interval(1, 3) : LM_MAP_MAX + 1;
			a6 = Frama_C_interval(0, 1) ? S_CNODE : S_UT_PT;
		}
		break;
	case C_MAP_RUN: /* a part: in the run, past its end, none */
		a1 = slot_in(&r_vs);
		a2 = slot_in(&r_fr);
		a3 = vaddr();
		a4 = rights();
		a5 = Frama_C_interval(0, 4);
		a6 = Frama_C_interval(0, 5);
		break;
	case C_UNMAP: a1 = slot_in(&r_fr); break;
	case C_MAP_TABLE:
		a1 = slot_in(&r_vs);
		a2 = slot_in(&r_pt);
		a3 = vaddr();
		break;
	case C_UNMAP_TABLE: a1 = slot_in(&r_pt); break;
	case C_PROTECT:
		a1 = slot_in(&r_vs);
		a2 = vaddr();
		switch (Frama_C_interval(0, 4)) {
		case 0: a3 = 1; break;
		case 1: a3 = 3; break;
		case 2: a3 = 1024; break; /* across the PT into the 2 MiB page */
		case 3: a3 = 0; break;
		default: a3 = LM_PROTECT_MAX_PAGES + 1; break;
		}
		a4 = rights();
		break;
	case C_PAGE_STATE:
		a1 = slot_in(&r_vs);
		a2 = vaddr();
		a3 = Frama_C_interval(0, 4);
		break;
	case C_ISSUE:
		a1 = slot_in(&r_asids);
		a2 = Frama_C_interval(0, 1) ? Frama_C_interval(0, 3) : ASID_COUNT;
		a3 = S_CNODE;
		a4 = slot_in(&r_dst);
		break;
	case C_ASSIGN:
		a1 = slot_in(&r_vs);
		a2 = slot_in(&r_asids);
		break;
	case C_CLAIM:
		a1 = slot_in(&r_irq);
		a2 = Frama_C_interval(0, 1) ? Frama_C_interval(2, 4) : LM_IRQ_COUNT;
		a3 = S_CNODE;
		a4 = slot_in(&r_dst);
		break;
	case C_SET_NOTIFY:
		a1 = slot_in(&r_irq);
		a2 = Frama_C_interval(0, 1) ? slot_in(&r_ntfn) : 0;
		break;
	case C_ACK: a1 = slot_in(&r_irq); break;
	case C_FIRE: a1 = Frama_C_interval(0, 60); break; /* any vector */
	case C_DELETE: case C_REVOKE: /* a capability of any kind here */
		a1 = S_CNODE;
		switch (Frama_C_interval(0, 5)) {
		case 0: a2 = slot_in(&r_vs); break;
		case 1: a2 = slot_in(&r_pt); break;
		case 2: a2 = slot_in(&r_fr); break;
		case 3: a2 = slot_in(&r_asids); break;
		case 4: a2 = slot_in(&r_irq); break;
		default: a2 = Frama_C_interval(0, 1) ? S_NTFN : Frama_C_interval(0, 1) ? S_UT_PT : S_UT_FR; break;
		}
		a3 = 1;
		break;
	default: /* user memory: an address and a length (0, a word, across
		  * a page, more than a page) */
		a1 = vaddr() + (Frama_C_interval(0, 1) ? 0 : 0xffc);
		a2 = Frama_C_interval(0, 1) ? Frama_C_interval(0, 8) : sizeof(buf);
		a3 = Frama_C_interval(0, 1);
		break;
	}
	//@ split a1;
	//@ split a2;
	//@ split a3;
	switch (ev) {
	case C_MAP: case C_MAP_RANGE: call(sys_vspace_map, a1, a2, a3, a4, a5, a6); break;
	case C_MAP_RUN: call(sys_vspace_map_run, a1, a2, a3, a4, a5, a6); break;
	case C_UNMAP: call(sys_vspace_unmap, a1, 0, 0, 0, 0, 0); break;
	case C_MAP_TABLE: call(sys_vspace_map_table, a1, a2, a3, 0, 0, 0); break;
	case C_UNMAP_TABLE: call(sys_vspace_unmap_table, a1, 0, 0, 0, 0, 0); break;
	case C_PROTECT: call(sys_vspace_protect, a1, a2, a3, a4, 0, 0); break;
	case C_PAGE_STATE: call(sys_vspace_page_state, a1, a2, a3, 0, 0, 0); break;
	case C_ISSUE: call(sys_asids_issue, a1, a2, a3, a4, 0, 0); break;
	case C_ASSIGN: call(sys_vspace_assign, a1, a2, 0, 0, 0, 0); break;
	case C_CLAIM: call(sys_irq_claim, a1, a2, a3, a4, 0, 0); break;
	case C_SET_NOTIFY: call(sys_irq_set_notify, a1, a2, 0, 0, 0, 0); break;
	case C_ACK: call(sys_irq_ack, a1, 0, 0, 0, 0, 0); break;
	case C_FIRE: irq_device(a1); break;
	case C_DELETE: call(sys_cnode_delete, a1, a2, a3, 0, 0, 0); break;
	case C_REVOKE: call(sys_cnode_revoke, a1, a2, 0, 0, 0, 0); break;
	case C_COPY_IN: user_copy_in(buf, a1, a2); break;
	case C_COPY_OUT: user_copy_out(a1, buf, a2); break;
	default: /* another thread's address space (THREAD_READ_REGS's path) */
		vspace_user_page(&root_cnode[a3 ? S_VS_B : S_VS].cap, a1, a2 & 1);
		break;
	}
}

int main(void)
{
	boot();
	setup();
	int which = Frama_C_interval(0, NSTARTS - 1);
	//@ split which;
	start(which);
	step();
	return 0;
}
