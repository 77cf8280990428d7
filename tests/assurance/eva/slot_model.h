/*
 * The harnesses' models of the kernel's address masks over slots, which
 * EVA cannot follow (included by eva_ipc.c and eva_bpfsys.c, after their
 * object memory): tcb_of_slot (thread.h), and mdb.c's is_close and
 * node_of (EVA_MDB_ENDS). The includer defines root, tcb_mem (the TCBs
 * retype makes), root_cnode (2^ROOT_BITS slots), UT_SIZE and EVA_NTCBS,
 * the threads its setup makes (tcb_mem[0 .. EVA_NTCBS - 1]).
 */
#ifndef EVA_SLOT_MODEL_H
#define EVA_SLOT_MODEL_H

/* tcb_of_slot (thread.h), whose mask EVA cannot follow: the TCB that
 * holds slot s, found by comparing s with every TCB's slots, as the mask
 * finds it (a TCB is aligned to its size, its slots lie inside it). Only
 * TCB slots are ever passed (cap.c: capabilities flagged CAP_F_TCBSLOT). */
static struct tcb *eva_owner(struct tcb *t, struct slot *s)
{
	if (s == &t->cspace || s == &t->vspace || s == &t->ipcbuf || s == &t->faultep ||
	    s == &t->stopntfn || s == &t->predprog)
		return t;
	for (int i = 0; i < LM_BPF_MAX_FILTERS; i++)
		if (s == &t->filters[i])
			return t;
	return NULL;
}

struct tcb *tcb_of_slot(struct slot *s)
{
	struct tcb *t = eva_owner(&root, s);
	for (int i = 0; !t && i < (int)(UT_SIZE >> LM_TCB_BITS); i++)
		t = eva_owner(&tcb_mem[i], s);
	//@ assert tcb_slot: t != \null;
	return t;
}

/* mdb.c's is_close and node_of (EVA_MDB_ENDS: eva/mdb_ends.h) over the
 * ends of every slot there is here, root's CNode's and the threads'
 * (root's and the setup's EVA_NTCBS: no other TCB is made). */
#include "mdb_ends.h"

static struct mdb *end_in_tcb(struct tcb *t, const struct mdb_end *e)
{
	struct mdb *m = end_in(&t->cspace, e);
	if (!m)
		m = end_in(&t->vspace, e);
	if (!m)
		m = end_in(&t->ipcbuf, e);
	if (!m)
		m = end_in(&t->faultep, e);
	if (!m)
		m = end_in(&t->stopntfn, e);
	if (!m)
		m = end_in(&t->predprog, e);
	for (int i = 0; !m && i < LM_BPF_MAX_FILTERS; i++)
		m = end_in(&t->filters[i], e);
	return m;
}

static struct mdb *eva_ends(const struct mdb_end *e)
{
	struct mdb *m = end_in_tcb(&root, e);
	for (int i = 0; !m && i < EVA_NTCBS; i++)
		m = end_in_tcb(&tcb_mem[i], e);
	for (int i = 0; !m && i < 1 << ROOT_BITS; i++)
		m = end_in(&root_cnode[i], e);
	return m;
}

#endif
