/*
 * Capability deletion, revocation and object lifetime.
 *
 * Deleting a capability may drop the last reference to a TCB or CNode,
 * whose finalisation deletes further capabilities (a CNode's slots, a
 * thread's cspace/vspace). To keep the kernel stack bounded those objects
 * go on a worklist (`cap_zombies`) instead of recursing, and to keep the
 * time between interrupts bounded the list is worked off in batches of
 * DRAIN_BATCH: a system call that leaves work on it is restarted as
 * FINISH_DELETE until the list is empty (syscall.c), and retype, the one
 * call that reuses memory, empties it first, so no object's memory is
 * reused while it is still being finalised.
 *
 * kernel/models/revoke.pml models this file's worklist, batches and
 * restarts for SPIN (tests/assurance/spin.sh, docs/ASSURANCE.md): keep
 * the two in step.
 */
#include "cap.h"
#include "cnode.h"
#include "ipc.h"
#include "thread.h"
#include "vspace.h"
#include "bpf/prog.h"

struct objhdr *all_objects[LM_OBJ_NTYPES];
struct objhdr *cap_zombies;
u64 cap_epoch = 1; /* 1: a new TCB's zeroed fpc entries never match */
u64 cap_drain_batches; /* batches that ran out of budget (DEBUG_CHECK reports it) */
static bool draining;

void obj_link(struct objhdr *h, u8 type)
{
	h->type = type;
	h->all_prev = NULL;
	h->all_next = all_objects[type];
	if (h->all_next)
		h->all_next->all_prev = h;
	all_objects[type] = h;
}

static void obj_unlink(struct objhdr *h)
{
	if (h->all_prev)
		h->all_prev->all_next = h->all_next;
	else
		all_objects[h->type] = h->all_next;
	if (h->all_next)
		h->all_next->all_prev = h->all_prev;
	h->all_next = h->all_prev = NULL;
}

static struct objhdr *obj_hdr(const struct cap *c)
{
	switch (c->type) {
	case LM_OBJ_TCB:
		return &((struct tcb *)c->obj)->hdr;
	case LM_OBJ_CNODE:
		return cnode_hdr(c);
	case LM_OBJ_ENDPOINT:
	case LM_OBJ_NOTIFY:
	case LM_OBJ_BPF:
		return (struct objhdr *)c->obj;
	default:
		return NULL;
	}
}

/* A new capability names c's object: count it. */
void obj_ref(const struct cap *c)
{
	struct objhdr *h = obj_hdr(c);
	if (h)
		h->refs++;
	else if (c->type == LM_OBJ_VSPACE)
		vspace_ref(c);
}

static void obj_unref(const struct cap *c)
{
	struct objhdr *h = obj_hdr(c);
	if (h) {
		KASSERT(h->refs > 0);
		if (--h->refs == 0) {
			h->zombie = cap_zombies;
			cap_zombies = h;
		}
	} else if (c->type == LM_OBJ_VSPACE) {
		vspace_unref(c);
	}
}

/* Put c into the empty slot dst as a child of parent (NULL: a root). */
void cap_insert(struct slot *dst, const struct cap *c, struct slot *parent)
{
	KASSERT(dst->cap.type == LM_OBJ_NULL);
	cap_epoch++;
	dst->cap = *c;
	mdb_add_child(parent ? &parent->mdb : NULL, &dst->mdb);
	obj_ref(c);
}

void cap_move(struct slot *dst, struct slot *src)
{
	KASSERT(dst->cap.type == LM_OBJ_NULL);
	cap_epoch++;
	dst->cap = src->cap;
	dst->cap.flags &= ~CAP_F_TCBSLOT;
	mdb_move(&dst->mdb, &src->mdb);
	memset(&src->cap, 0, sizeof(src->cap));
}

/* Delete one capability; objects it kept alive wait on the worklist. */
void cap_delete_one(struct slot *s)
{
	struct cap c = s->cap;

	if (c.type == LM_OBJ_NULL)
		return;
	cap_epoch++;
	if (c.flags & CAP_F_MAPPED) {
		if (c.type == LM_OBJ_FRAME)
			vspace_unmap_frame_cap(&s->cap);
		else
			vspace_unmap_table_cap(&s->cap);
	}
	if (c.type == LM_OBJ_IRQ)
		irq_release(c.obj);
	if (c.type == LM_OBJ_ASIDS)
		asids_release(s); /* before unlinking: its parent takes its IDs */
	mdb_remove(&s->mdb);
	memset(&s->cap, 0, sizeof(s->cap));
	if (c.flags & CAP_F_TCBSLOT)
		tcb_lost_slot(tcb_of_slot(s), s);
	obj_unref(&c);
}

/*
 * Finalise what is on the worklist, one batch at most. True when the list
 * is empty. A CNode that outlasts the batch goes back on the list with its
 * cursor; objects its slots released are on the list before it.
 */
bool cap_drain(void)
{
	if (draining)
		return true; /* called from inside a finalisation: the outer loop carries on */
	draining = true;
	u32 budget = DRAIN_BATCH;
	while (cap_zombies && budget >= DRAIN_DELETE) {
		struct objhdr *h = cap_zombies;
		cap_zombies = h->zombie;
		h->zombie = NULL;
		if (h->type == LM_OBJ_CNODE) {
			if (!h->fin)
				obj_unlink(h);
			if (!cnode_finalise(h, &budget)) {
				h->zombie = cap_zombies;
				cap_zombies = h;
				cap_drain_batches++;
				break;
			}
			continue;
		}
		budget -= DRAIN_DELETE;
		/* A program: every thread that used it held a capability, so
		 * nothing refers to it or runs its code any more (bpf/prog.h). */
		if (h->type == LM_OBJ_BPF) {
			obj_unlink(h);
			bpf_prog_finalise((struct bpf_prog *)h);
			continue;
		}
		if (h->type == LM_OBJ_TCB) {
			obj_unlink(h);
			tcb_finalise((struct tcb *)((char *)h - __builtin_offsetof(struct tcb, hdr)));
			continue;
		}
		/* An endpoint or notification wakes its waiters, which a process
		 * may have queued by the thousand: in batches too (fin marks one
		 * begun). */
		if (!h->fin) {
			obj_unlink(h);
			h->fin = 1;
		}
		if (!(h->type == LM_OBJ_ENDPOINT ? endpoint_finalise(h, &budget)
						 : notify_finalise(h, &budget))) {
			h->zombie = cap_zombies;
			cap_zombies = h;
			cap_drain_batches++;
			break;
		}
	}
	draining = false;
	return cap_zombies == NULL;
}

void cap_delete(struct slot *s)
{
	cap_delete_one(s);
	cap_drained();
}

/*
 * Delete the descendants of s, each time the one just inside s's opening
 * end (its first child, whose children then become s's): O(1) a deletion,
 * and nothing to find again when the call resumes. After REVOKE_BATCH
 * deletions, or when finalisation work is left (a batch of it ran out),
 * it returns 1 and the system call is restarted: an interrupt can be taken
 * in between, and the next round finishes that work first, then continues
 * with whatever descendants remain (more, if some were made meanwhile).
 */
int cap_revoke(struct slot *s)
{
	if (!cap_drained())
		return 1;
	for (int n = 0; mdb_has_children(&s->mdb); n++) {
		if (n == REVOKE_BATCH || cap_zombies)
			return 1;
		cap_delete(slot_of(mdb_first_child(&s->mdb)));
		if (s->cap.type == LM_OBJ_NULL)
			break; /* s itself lived in an object that just died */
	}
	return 0;
}
