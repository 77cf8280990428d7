/* Debug console calls and the kernel self-check used by the fuzzer. */
#include <lamina/syscall.h>
#include "cnode.h"
#include "syscall.h"
#include "thread.h"
#include "vspace.h"

SYS(debug_putc)
{
	serial_putc((char)ARG1(f));
	return LM_OK;
}

SYS(debug_write)
{
	char buf[256];
	u64 ua = ARG1(f), len = ARG2(f);
	if (len > 4096)
		return SYSERR(LM_ERANGE, 2);
	/* Check the whole buffer before printing any of it. */
	for (u64 off = 0; off < len; off += sizeof(buf))
		if (!user_copy_in(buf, ua + off, len - off < sizeof(buf) ? len - off : sizeof(buf)))
			return SYSERR(LM_EFAULT, 1);
	for (u64 off = 0; off < len; off += sizeof(buf)) {
		u64 n = len - off < sizeof(buf) ? len - off : sizeof(buf);
		user_copy_in(buf, ua + off, n);
		for (u64 i = 0; i < n; i++)
			serial_putc(buf[i]);
	}
	return LM_OK;
}

static struct objhdr *cap_hdr(const struct cap *c)
{
	if (c->type == LM_OBJ_CNODE)
		return cnode_hdr(c);
	if (c->type == LM_OBJ_TCB)
		return &((struct tcb *)c->obj)->hdr;
	return NULL;
}

/* Check one slot's tree links, and count its reference. */
static int check_slot(struct slot *s)
{
	if (s->cap.type == LM_OBJ_NULL)
		return s->mdb.parent || s->mdb.child || s->mdb.next || s->mdb.prev;
	if (s->cap.type >= LM_OBJ_NTYPES)
		return 1;
	struct objhdr *h = cap_hdr(&s->cap);
	if (h)
		h->seen++;
	return mdb_check(&s->mdb);
}

/* Walk every live CNode and TCB: tree links consistent, each object's
 * reference count equal to the capabilities found naming it, run queues
 * sane. Returns the number of problems (each printed). */
static int kernel_check(void)
{
	int bad = 0, b;
	for (int t = LM_OBJ_CNODE; t <= LM_OBJ_TCB; t++)
		for (struct objhdr *h = all_objects[t]; h; h = h->all_next)
			h->seen = 0;
	for (struct objhdr *h = all_objects[LM_OBJ_CNODE]; h; h = h->all_next) {
		struct slot *s = (struct slot *)h;
		for (u64 i = 1; i < (1ull << h->bits); i++)
			if ((b = check_slot(&s[i]))) {
				kprintf("check: cnode %p slot %lu: %d bad links\n", (void *)h, i, b);
				bad += b;
			}
	}
	for (struct objhdr *h = all_objects[LM_OBJ_TCB]; h; h = h->all_next) {
		struct tcb *t = (struct tcb *)((char *)h - __builtin_offsetof(struct tcb, hdr));
		bad += b = check_slot(&t->cspace) + check_slot(&t->vspace);
		if (b)
			kprintf("check: tcb %p: bad internal slot\n", (void *)t);
		if (t->state == LM_TS_RUNNABLE && !tcb_can_run(t)) {
			kprintf("check: tcb %p runnable without cspace/vspace\n", (void *)t);
			bad++;
		}
	}
	for (int t = LM_OBJ_CNODE; t <= LM_OBJ_TCB; t++)
		for (struct objhdr *h = all_objects[t]; h; h = h->all_next)
			if (h->seen != h->refs) {
				kprintf("check: object %p type %d: %u refs, %u caps\n", (void *)h, t,
					h->refs, h->seen);
				bad++;
			}
	if ((b = sched_check())) {
		kprintf("check: %d run-queue problems\n", b);
		bad += b;
	}
	if ((b = asid_check())) {
		kprintf("check: %d address-space ID problems\n", b);
		bad += b;
	}
	return bad;
}

SYS(debug_check)
{
	f->rdi = (u64)kernel_check();
	return LM_OK;
}
