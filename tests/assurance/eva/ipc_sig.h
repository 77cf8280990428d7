/*
 * The IPC harness's (eva_ipc.c's) signature of the kernel's state
 * (eva_sig, state_sig): what keeps apart the states a first event leaves
 * (run ipc2), and what a call the fast path declines must leave as it was
 * (run ipcfp, ipc_fast.h). Included once, by eva_ipc.c, after its
 * threads and roles.
 */
#ifndef EVA_IPC_SIG_H
#define EVA_IPC_SIG_H

/*
 * Two events in sequence (EVA_IPC_STEPS 2): the states the first event
 * leaves must stay apart where they differ, or the second event reads a
 * merged state (a thread blocked in one and runnable in the other, a slot
 * full in one and empty in the other) and EVA's answers are "either"
 * (docs/ASSURANCE.md). Splitting by the first event's arguments keeps
 * apart states that are the same (most arguments fail a check and change
 * nothing); eva_sig is instead a number made of what the kernel's state
 * is, computed at the end of the first event while its splits still hold,
 * and eva.sh keeps states apart by its value (-eva-partition-value): two
 * states merge only where they agree on everything below. Objects and
 * threads are named by small numbers (pointers do not mix into a number
 * EVA can keep exact).
 */
#include "sig.h" /* eva_sig, mix, slot_sig */

static struct endpoint *ep0, *ep1;
static struct notify *ntfn;

static void objects(void)
{
	ep0 = (struct endpoint *)root_cnode[S_EP0].cap.obj;
	ep1 = (struct endpoint *)root_cnode[S_EP1].cap.obj;
	ntfn = (struct notify *)root_cnode[S_NTFN].cap.obj;
}

static u64 tid(const struct tcb *t)
{
	return !t ? 0 : t == &root ? 1 : t == t1 ? 2 : t == t2 ? 3 : t == t3 ? 4 : 5;
}

static u64 oid(const void *o)
{
	return !o ? 0 : o == ep0 ? 1 : o == ep1 ? 2 : o == ntfn ? 3 : o == &ep0->q ? 4 :
		o == &ep1->q ? 5 : o == &ntfn->q ? 6 : 7 + tid((const struct tcb *)o);
}

static u64 tcb_sig(u64 h, const struct tcb *t)
{
	h = mix(mix(mix(mix(h, t->state), t->prio), t->queued), t->slice);
	h = mix(mix(mix(mix(h, t->borrowed), tid(t->rq_next)), tid(t->rq_prev)), t->blocked);
	h = mix(mix(mix(mix(h, t->ipc_call), t->ipc_grant), t->fault_ipc), oid(t->waitq));
	h = mix(mix(mix(mix(h, oid(t->wait_obj)), t->ipc_badge), tid(t->reply_to)), tid(t->replier));
	h = mix(mix(mix(mix(h, oid(t->bound)), t->exc_entry), t->upcalls), t->sysgate);
	h = mix(mix(mix(h, t->foreign_entry), t->finish_owed), t->hdr.refs);
	h = mix(slot_sig(h, &t->cspace), t->ipcbuf.cap.obj);
	h = slot_sig(slot_sig(slot_sig(slot_sig(h, &t->vspace), &t->ipcbuf), &t->faultep), &t->stopntfn);
	return h;
}

static u64 state_sig(void)
{
	u64 h = mix(mix(mix(0, tid(cpu0.cur)), need_resched), cap_zombies != NULL);
	h = tcb_sig(tcb_sig(tcb_sig(tcb_sig(h, &root), t1), t2), t3);
	h = mix(mix(mix(mix(h, ep0->hdr.refs), tid(ep0->q.head)), tid(ep0->q.tail)), ep0->q_blocked);
	h = mix(mix(mix(mix(h, ep1->hdr.refs), tid(ep1->q.head)), tid(ep1->q.tail)), ep1->q_blocked);
	h = mix(mix(mix(mix(h, ntfn->hdr.refs), tid(ntfn->q.head)), tid(ntfn->q.tail)), ntfn->word);
	h = mix(h, tid(ntfn->bound));
	for (int i = 1; i < 1 << ROOT_BITS; i++)
		h = slot_sig(h, &root_cnode[i]);
	return h;
}

#endif
