/*
 * The kernel's debug calls: its console (COM1, polled: the console driver
 * owns the port's interrupt), and the self-check the tests and the fuzzer
 * run. Each needs the debug capability (LM_OBJ_DEBUG, root's at boot): the
 * console is a device, polling it can hold the CPU with interrupts off for
 * as long as the UART takes, and the self-check's work grows with every
 * object in the system, not with what the caller holds.
 */
#include <lamina/syscall.h>
#include "cnode.h"
#include "ipc.h"
#include "syscall.h"
#include "thread.h"
#include "vspace.h"
#include "bpf/prog.h"

u64 debug_cap_check(u64 cptr)
{
	struct slot *s;
	return cap_lookup(cptr, LM_OBJ_DEBUG, LM_R_WRITE, 1, &s);
}

SYS(debug_putc)
{
	u64 e = debug_cap_check(ARG1(f));
	if (e)
		return e;
	serial_putc((char)ARG2(f));
	return LM_OK;
}

SYS(debug_write)
{
	char buf[256];
	u64 ua = ARG2(f), len = ARG3(f), e;
	if ((e = debug_cap_check(ARG1(f))))
		return e;
	if (len > 4096)
		return SYSERR(LM_ERANGE, 3);
	/* Check the whole buffer before printing any of it. */
	for (u64 off = 0; off < len; off += sizeof(buf))
		if (!user_copy_in(buf, ua + off, len - off < sizeof(buf) ? len - off : sizeof(buf)))
			return SYSERR(LM_EFAULT, 2);
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
	if (c->type == LM_OBJ_ENDPOINT || c->type == LM_OBJ_NOTIFY || c->type == LM_OBJ_BPF)
		return (struct objhdr *)c->obj;
	return NULL;
}

/* Check one slot's tree links, and count its reference. */
static int check_slot(struct slot *s)
{
	if (s->cap.type == LM_OBJ_NULL)
		return mdb_linked(&s->mdb);
	if (s->cap.type >= LM_OBJ_NTYPES)
		return 1;
	struct objhdr *h = cap_hdr(&s->cap);
	if (h)
		h->seen++;
	vscheck_slot(&s->cap);
	asid_check_slot(s);
	return mdb_check(&s->mdb);
}

/* A blocked thread is on the queue of what it waits for, or (waiting for a
 * reply) owed one by exactly one server; reply links are symmetric. */
static int check_ipc_links(const struct tcb *t)
{
	int bad = 0;
	if (t->state == LM_TS_BLOCKED && t->blocked == BLK_REPLY)
		bad += !t->replier || t->replier->reply_to != t || t->waitq;
	else if (t->state == LM_TS_BLOCKED)
		bad += !t->waitq || t->replier;
	else
		bad += t->waitq != NULL || t->replier != NULL;
	if (t->reply_to)
		bad += t->reply_to->replier != t;
	if (t->bound)
		bad += t->bound->bound != t;
	return bad;
}

/* Walk every live CNode and TCB: tree links consistent, each object's
 * reference count equal to the capabilities found naming it, run queues
 * sane. Returns the number of problems (each printed). */
static int kernel_check(void)
{
	int bad = 0, b;
	for (int t = 0; t < LM_OBJ_NTYPES; t++)
		for (struct objhdr *h = all_objects[t]; h; h = h->all_next)
			h->seen = 0;
	vscheck_begin();
	asid_check_begin();
	for (struct objhdr *h = all_objects[LM_OBJ_CNODE]; h; h = h->all_next) {
		struct slot *s = (struct slot *)h;
		u64 occ = ((struct cnode_hdr *)h)->occ;
		for (u64 i = 1; i < (1ull << h->bits); i++) {
			if ((b = check_slot(&s[i]))) {
				kprintf("check: cnode %p slot %lu: %d bad links\n", (void *)h, i, b);
				bad += b;
			}
			if (s[i].cap.type != LM_OBJ_NULL &&
			    !(occ >> (i >> cnode_group_shift(h->bits)) & 1)) {
				kprintf("check: cnode %p slot %lu: not in the occupancy summary\n",
					(void *)h, i);
				bad++;
			}
		}
	}
	for (struct objhdr *h = all_objects[LM_OBJ_TCB]; h; h = h->all_next) {
		struct tcb *t = (struct tcb *)((char *)h - __builtin_offsetof(struct tcb, hdr));
		b = check_slot(&t->cspace) + check_slot(&t->vspace) + check_slot(&t->ipcbuf) +
			check_slot(&t->faultep) + check_slot(&t->stopntfn) + check_slot(&t->predprog);
		for (int i = 0; i < LM_BPF_MAX_FILTERS; i++)
			b += check_slot(&t->filters[i]);
		bad += b;
		if (b)
			kprintf("check: tcb %p: bad internal slot\n", (void *)t);
		if (t->state == LM_TS_RUNNABLE && !tcb_can_run(t)) {
			kprintf("check: tcb %p runnable without cspace/vspace\n", (void *)t);
			bad++;
		}
		if ((b = check_ipc_links(t))) {
			kprintf("check: tcb %p: %d bad IPC links\n", (void *)t, b);
			bad += b;
		}
	}
	for (struct objhdr *h = all_objects[LM_OBJ_ENDPOINT]; h; h = h->all_next) {
		struct endpoint *ep = (struct endpoint *)h;
		if ((b = waitq_check(&ep->q, ep->q_blocked, ep))) {
			kprintf("check: endpoint %p: %d bad queue links\n", (void *)ep, b);
			bad += b;
		}
	}
	for (struct objhdr *h = all_objects[LM_OBJ_NOTIFY]; h; h = h->all_next) {
		struct notify *n = (struct notify *)h;
		b = waitq_check(&n->q, BLK_NTFN, n) + (n->bound && n->bound->bound != n);
		if (b) {
			kprintf("check: notification %p: %d bad links\n", (void *)n, b);
			bad += b;
		}
	}
	for (int t = 0; t < LM_OBJ_NTYPES; t++)
		for (struct objhdr *h = all_objects[t]; h; h = h->all_next)
			if (h->seen != h->refs) {
				kprintf("check: object %p type %d: %u refs, %u caps\n", (void *)h, t,
					h->refs, h->seen);
				bad++;
			}
	if ((b = pred_check())) {
		kprintf("check: %d predicate-sleeper problems\n", b);
		bad += b;
	}
	if ((b = sched_check())) {
		kprintf("check: %d run-queue problems\n", b);
		bad += b;
	}
	if ((b = asid_check_end())) {
		kprintf("check: %d address-space ID problems\n", b);
		bad += b;
	}
	bad += vscheck_end();
	bad += bpf_jit_check();
	return bad;
}

SYS(debug_check)
{
	u64 e = debug_cap_check(ARG1(f));
	if (e)
		return e;
	if (!cap_drained())
		return SYS_RESTART; /* half-finalised objects are not consistent yet */
	f->rdi = (u64)kernel_check();
	f->rsi = cap_drain_batches;
	return LM_OK;
}
