/*
 * Capability deletion, revocation and object lifetime.
 *
 * Deleting a capability may drop the last reference to a TCB or CNode,
 * whose finalisation deletes further capabilities (a CNode's slots, a
 * thread's cspace/vspace). To keep the kernel stack bounded those objects
 * go on a worklist (`zombies`) that the outermost delete drains, instead
 * of recursing.
 */
#include "cap.h"
#include "cnode.h"
#include "ipc.h"
#include "thread.h"
#include "vspace.h"

struct objhdr *all_objects[LM_OBJ_NTYPES];
static struct objhdr *zombies;
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
		vspace_ref(c->w2);
}

static void obj_unref(const struct cap *c)
{
	struct objhdr *h = obj_hdr(c);
	if (h) {
		KASSERT(h->refs > 0);
		if (--h->refs == 0) {
			h->zombie = zombies;
			zombies = h;
		}
	} else if (c->type == LM_OBJ_VSPACE) {
		vspace_unref(c->w2);
	}
}

/* Put c into the empty slot dst as a child of parent (NULL: a root). */
void cap_insert(struct slot *dst, const struct cap *c, struct slot *parent)
{
	KASSERT(dst->cap.type == LM_OBJ_NULL);
	dst->cap = *c;
	mdb_add_child(parent ? &parent->mdb : NULL, &dst->mdb);
	obj_ref(c);
}

void cap_move(struct slot *dst, struct slot *src)
{
	KASSERT(dst->cap.type == LM_OBJ_NULL);
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
	if (c.flags & CAP_F_MAPPED) {
		if (c.type == LM_OBJ_FRAME)
			vspace_unmap_frame_cap(&s->cap);
		else
			vspace_unmap_table_cap(&s->cap);
	}
	if (c.type == LM_OBJ_IRQ)
		irq_release(c.obj);
	mdb_remove(&s->mdb);
	memset(&s->cap, 0, sizeof(s->cap));
	if (c.flags & CAP_F_TCBSLOT)
		tcb_lost_slot(tcb_of_slot(s), s);
	obj_unref(&c);
}

static void drain(void)
{
	if (draining)
		return;
	draining = true;
	while (zombies) {
		struct objhdr *h = zombies;
		zombies = h->zombie;
		h->zombie = NULL;
		obj_unlink(h);
		if (h->type == LM_OBJ_TCB)
			tcb_finalise((struct tcb *)((char *)h - __builtin_offsetof(struct tcb, hdr)));
		else if (h->type == LM_OBJ_CNODE)
			cnode_finalise(h);
		else if (h->type == LM_OBJ_ENDPOINT)
			endpoint_finalise(h);
		else
			notify_finalise(h);
	}
	draining = false;
}

void cap_delete(struct slot *s)
{
	cap_delete_one(s);
	drain();
}

/*
 * Delete the descendants of s, leaves first, so every step is one O(1)
 * unlink. After REVOKE_BATCH deletions it returns 1 and the system call is
 * restarted: an interrupt can be taken in between, and the next round
 * continues with whatever descendants remain.
 */
int cap_revoke(struct slot *s)
{
	for (int n = 0; s->mdb.child; n++) {
		if (n == REVOKE_BATCH)
			return 1;
		cap_delete(slot_of(mdb_first_leaf(s->mdb.child)));
		if (s->cap.type == LM_OBJ_NULL)
			break; /* s itself lived in an object that just died */
	}
	return 0;
}
