/* Kernel side of IPC: endpoints, notifications and their wait queues. */
#ifndef IPC_H
#define IPC_H

#include <lamina/ipc.h>
#include "thread.h"

/* Threads waiting on an object, highest priority first, FIFO within a
 * priority. Linked through the TCBs' rq_next/rq_prev (a blocked thread is
 * never on a run queue). */
struct waitq {
	struct tcb *head, *tail;
};

/* t's IPC buffer (THREAD_SET_IPC_BUFFER) through the direct map, or NULL. */
static inline struct lm_ipc_buffer *ipc_buffer(struct tcb *t)
{
	return t->ipcbuf.cap.type == LM_OBJ_FRAME ? phys_to_virt(t->ipcbuf.cap.obj) : NULL;
}

void waitq_add(struct waitq *q, struct tcb *t);
void waitq_remove(struct waitq *q, struct tcb *t);
struct tcb *waitq_pop(struct waitq *q);
int waitq_check(const struct waitq *q, u8 blocked, const void *obj);

struct endpoint {
	struct objhdr hdr;
	struct waitq q;   /* all senders or all receivers, never both */
	u8 q_blocked;     /* BLK_SEND or BLK_RECV: which kind is queued */
};
_Static_assert(sizeof(struct endpoint) <= 1 << LM_ENDPOINT_BITS, "endpoint size");

struct notify {
	struct objhdr hdr;
	u64 word;         /* signalled badges, ORed, until someone takes them */
	struct waitq q;   /* threads in NTFN_WAIT */
	struct tcb *bound;
	/* Threads in BPF_WAIT whose predicate its signals look at again, in
	 * the order they were last looked at (pred_next links; bpf/predicate.c). */
	struct tcb *preds, *preds_tail;
};
_Static_assert(sizeof(struct notify) <= 1 << LM_NOTIFY_BITS, "notify size");

void reply_drop(struct tcb *server);
struct tcb *reply_detach(struct tcb *server);

/* fastpath.c */
extern bool fastpath_enabled;
struct frame *fastpath_try(struct frame *f);
struct endpoint;
bool fastpath_fault(struct tcb *t, struct endpoint *ep, u64 badge);
void block_on(struct tcb *t, struct waitq *q, u8 kind, void *obj);
bool notify_deliver_bound(struct tcb *t);
void notify_signal(struct notify *n, u64 bits);

/* irq.c */
void irq_init(void);
void irq_device(u64 vector);
void irq_release(u64 line);
void irq_notify_gone(struct notify *n);

#endif
