/*
 * Retype: the only way memory becomes kernel objects or frames. Objects
 * are carved at the untyped's free mark, each aligned to its own size.
 * The mark returns to zero only when the untyped has no children: every
 * object made from it is then gone (all its capabilities descend from the
 * untyped capability), so its memory can be handed out again.
 */
#include <lamina/syscall.h>
#include "arch.h"
#include "cnode.h"
#include "syscall.h"
#include "thread.h"
#include "vspace.h"
#include "bpf/prog.h"

/* Object size in bits, or -1 if type/bits are not a valid request. */
static int obj_size_bits(u64 type, u64 bits, u8 parent_bits)
{
	switch (type) {
	case LM_OBJ_UNTYPED:
		return bits >= LM_UNTYPED_MIN_BITS && bits <= parent_bits ? (int)bits : -1;
	case LM_OBJ_FRAME:
		return bits >= LM_PAGE_BITS && bits <= LM_LARGE_PAGE_BITS ? (int)bits : -1;
	case LM_OBJ_PTABLE:
		return LM_PTABLE_BITS;
	case LM_OBJ_VSPACE:
		return LM_VSPACE_BITS;
	case LM_OBJ_CNODE:
		return bits >= LM_CNODE_MIN_BITS && bits <= LM_CNODE_MAX_BITS ? (int)(bits + LM_SLOT_BITS) : -1;
	case LM_OBJ_TCB:
		return LM_TCB_BITS;
	case LM_OBJ_ENDPOINT:
		return LM_ENDPOINT_BITS;
	case LM_OBJ_NOTIFY:
		return LM_NOTIFY_BITS;
	case LM_OBJ_BPF:
		return bits >= LM_BPF_MIN_BITS && bits <= LM_BPF_MAX_BITS ? (int)bits : -1;
	}
	return -1;
}

static void init_object(u64 type, u64 pa, int size_bits, u64 bits, struct cap *c)
{
	*c = (struct cap){ .type = (u8)type, .rights = LM_R_ALL, .obj = pa };
	if (type != LM_OBJ_UNTYPED)
		kzero(phys_to_virt(pa), 1ull << size_bits);
	switch (type) {
	case LM_OBJ_UNTYPED:
	case LM_OBJ_FRAME:
		c->bits = (u8)bits;
		break;
	case LM_OBJ_PTABLE:
		c->bits = LM_PTABLE_BITS;
		break;
	case LM_OBJ_VSPACE:
		vspace_init_pml4(pa); /* no ID yet: VSPACE_ASSIGN */
		break;
	case LM_OBJ_CNODE: {
		struct objhdr *h = phys_to_virt(pa);
		c->obj = (u64)h;
		c->bits = (u8)bits;
		h->bits = (u8)bits;
		obj_link(h, LM_OBJ_CNODE);
		break;
	}
	case LM_OBJ_TCB: {
		struct tcb *t = phys_to_virt(pa);
		c->obj = (u64)t;
		tcb_init(t);
		break;
	}
	case LM_OBJ_ENDPOINT:
	case LM_OBJ_NOTIFY:
		c->obj = (u64)phys_to_virt(pa);
		obj_link(phys_to_virt(pa), (u8)type);
		break;
	case LM_OBJ_BPF:
		c->obj = (u64)phys_to_virt(pa);
		c->bits = (u8)bits;
		bpf_prog_init(phys_to_virt(pa), (u8)bits);
		break;
	}
}

SYS(untyped_retype)
{
	struct slot *ut, *dcn, *dst;
	u64 type = ARG2(f), bits = ARG3(f), di = ARG5(f), count = ARG6(f), e;

	if ((e = cap_lookup(ARG1(f), LM_OBJ_UNTYPED, LM_R_WRITE, 1, &ut)))
		return e;
	/* No memory is reused while an object in it is still being finalised:
	 * that work (left by some thread's deletion) is finished first. */
	if (!cap_drained())
		return SYS_RESTART;
	/* I/O ports, interrupts, the debug console and address-space IDs are
	 * given at boot, never made. */
	if (type == LM_OBJ_NULL || type == LM_OBJ_IOPORT || type == LM_OBJ_IRQCTL ||
	    type == LM_OBJ_IRQ || type == LM_OBJ_DEBUG || type == LM_OBJ_ASIDS ||
	    type >= LM_OBJ_NTYPES)
		return SYSERR(LM_EINVAL, 2);
	int sb = obj_size_bits(type, bits, ut->cap.bits);
	if (sb < 0)
		return SYSERR(LM_ERANGE, 3);
	if ((e = cap_lookup(ARG4(f), LM_OBJ_CNODE, LM_R_WRITE, 4, &dcn)))
		return e;
	if (count == 0 || count > LM_RETYPE_MAX_COUNT)
		return SYSERR(LM_ERANGE, 6);
	if (di == 0 || di >= (1ull << dcn->cap.bits) || count > (1ull << dcn->cap.bits) - di)
		return SYSERR(LM_ERANGE, 5);
	if (type != LM_OBJ_UNTYPED && (count << sb) > (1ull << LM_RETYPE_MAX_ZERO_BITS))
		return SYSERR(LM_ERANGE, 6);
	dst = (struct slot *)dcn->cap.obj + di;
	for (u64 i = 0; i < count; i++)
		if (dst[i].cap.type != LM_OBJ_NULL)
			return SYSERR_D(LM_EEXIST, 5, di + i);

	u64 mark = mdb_has_children(&ut->mdb) ? ut->cap.w2 : 0;
	u64 start = ALIGN_UP(mark, 1ull << sb);
	u64 size = 1ull << ut->cap.bits;
	if (start > size || count > (size - start) >> sb)
		return SYSERR(LM_ENOMEM, 1);

	/* Perform: nothing below can fail. */
	cnode_mark(&dcn->cap, di, count);
	for (u64 i = 0; i < count; i++) {
		struct cap c;
		init_object(type, ut->cap.obj + start + (i << sb), sb, bits, &c);
		cap_insert(&dst[i], &c, ut);
	}
	ut->cap.w2 = start + (count << sb);
	return LM_OK;
}
