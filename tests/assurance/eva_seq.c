/*
 * Frama-C EVA harness for the capability layer, the broad one
 * (tests/assurance/eva.sh, docs/ASSURANCE.md): the derivation tree
 * (mdb.c), capabilities and the worklist (cap.c), CNodes (cnode.c),
 * untyped memory and retype (untyped.c) and capability lookup (syscall.c),
 * run on a boot state like the one root.c builds, by a sequence of STEPS
 * system calls whose every argument is nondeterministic. It reaches
 * orders of calls the precise harness (eva_main.c: one call after a fixed
 * setup) does not, at the price of precision: object memory is one byte
 * range here, and states are merged after each call, so most of its
 * alarms are imprecision (docs/ASSURANCE.md says which).
 *
 * The boot state: root's TCB with a CSpace of 2^ROOT_BITS slots, built as
 * root.c builds it (boot()), with an untyped capability to UT_BITS of
 * physical memory at UT_PA, as root.c hands out the free memory. Physical memory is reached through
 * the direct map (arch.h phys_to_virt): eva.sh declares that range valid
 * (-absolute-valid-range), which is the one piece of hardware modelled.
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
#define UT_BITS   16
#ifndef STEPS
#define STEPS     4
#endif

struct percpu cpu0;
static struct tcb root;
static struct slot root_cnode[1 << ROOT_BITS] __attribute__((aligned(1 << (ROOT_BITS + LM_SLOT_BITS))));

/* Stubs: no thread waits on any object, no frame or table is mapped, no
 * interrupt line or ID range is held (the retype types below make none). */
bool endpoint_finalise(struct objhdr *h, u32 *budget) { return true; }
bool notify_finalise(struct objhdr *h, u32 *budget) { return true; }
void tcb_finalise(struct tcb *t) { }
void tcb_lost_slot(struct tcb *t, struct slot *s) { }
/* tcb_of_slot's model (thread.h): root's is the only TCB, and its cspace
 * slot the only TCB slot (this harness's imprecise slot pointers cannot
 * show it; tcb_lost_slot above ignores both arguments anyway). */
struct tcb *tcb_of_slot(struct slot *s)
{
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

static const u8 retype_types[] = { LM_OBJ_UNTYPED, LM_OBJ_FRAME, LM_OBJ_CNODE,
				   LM_OBJ_ENDPOINT, LM_OBJ_NOTIFY };

int main(void)
{
	struct frame f = { 0 };

	boot();
	for (int i = 0; i < STEPS; i++) {
		f.rdi = Frama_C_unsigned_long_interval(0, (1 << ROOT_BITS) + 1);
		f.rsi = Frama_C_unsigned_long_interval(0, (1 << ROOT_BITS) + 1);
		f.rdx = any();
		f.r10 = Frama_C_unsigned_long_interval(0, (1 << ROOT_BITS) + 1);
		f.r8 = any();
		f.r9 = any();
		switch (Frama_C_interval(0, 7)) {
		case 0:
			f.rsi = retype_types[Frama_C_interval(0, 4)];
			f.rdx = Frama_C_unsigned_long_interval(0, 14);
			f.r9 = Frama_C_unsigned_long_interval(0, 3);
			sys_untyped_retype(&f);
			break;
		case 1: sys_cnode_copy(&f); break;
		case 2: sys_cnode_mint(&f); break;
		case 3: sys_cnode_move(&f); break;
		case 4: sys_cnode_delete(&f); break;
		case 5: sys_cnode_revoke(&f); break;
		case 6: sys_cnode_identify(&f); break;
		default: sys_finish_delete(&f); break;
		}
	}
	return 0;
}
