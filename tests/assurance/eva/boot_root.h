/*
 * The root task as root.c leaves it, for the harnesses that drive system
 * calls (eva_ipc.c, eva_bpfsys.c): its CNode of 2^ROOT_BITS slots, filled
 * as root.c fills it (without cnode_mark), holding capabilities to itself,
 * its CNode, its address space (ID ASID, whose table entry names PML4_PA,
 * so that vspace_live holds; the tables are never walked), an untyped of
 * 2^UT_BITS at UT_PA, the debug capability and, with EVA_ROOT_IO, every
 * I/O port; root runs, at priority 20. The includer defines root,
 * root_cnode and those constants and slots (S_CNODE, S_VSPACE, S_ROOT,
 * S_UT, S_DEBUG, S_IO).
 */
#ifndef EVA_BOOT_ROOT_H
#define EVA_BOOT_ROOT_H

static void boot_root(void)
{
	struct objhdr *cnh = (struct objhdr *)root_cnode;
	struct cap cn = { .type = LM_OBJ_CNODE, .rights = LM_R_ALL, .bits = ROOT_BITS, .obj = (u64)cnh };
	struct cap vs = { .type = LM_OBJ_VSPACE, .rights = LM_R_ALL, .obj = PML4_PA, .w2 = ASID };
	struct cap tc = { .type = LM_OBJ_TCB, .rights = LM_R_ALL, .obj = (u64)&root };
	struct cap ut = { .type = LM_OBJ_UNTYPED, .rights = LM_R_ALL, .bits = UT_BITS, .obj = UT_PA };
	struct cap debug = { .type = LM_OBJ_DEBUG, .rights = LM_R_ALL };

	asid_tab[ASID].pml4 = PML4_PA;
	cnh->bits = ROOT_BITS;
	((struct cnode_hdr *)cnh)->occ = ~0ull; /* as root.c: filled without cnode_mark */
	obj_link(cnh, LM_OBJ_CNODE);
	tcb_init(&root);
	/* as root.c, by tcb_set_prio: the run queues use the masks it caches
	 * (a bare prio = 20 left prio_bit that of priority 0, and a yield of
	 * root then queued it at 20 but set the bit of 0: run bpfsys's
	 * alarm at runq.h:104, rq_pop of the empty queue 0) */
	tcb_set_prio(&root, 20);
	cap_insert(&root_cnode[S_CNODE], &cn, NULL);
	cap_insert(&root_cnode[S_VSPACE], &vs, NULL);
	cap_insert(&root_cnode[S_ROOT], &tc, NULL);
	cap_insert(&root_cnode[S_UT], &ut, NULL);
#ifdef EVA_ROOT_IO
	struct cap io = { .type = LM_OBJ_IOPORT, .rights = LM_R_ALL, .obj = 0, .w2 = 0x10000 };
	cap_insert(&root_cnode[S_IO], &io, NULL);
#endif
	cap_insert(&root_cnode[S_DEBUG], &debug, NULL);
	cn.flags = vs.flags = CAP_F_TCBSLOT;
	cap_insert(&root.cspace, &cn, &root_cnode[S_CNODE]);
	cap_insert(&root.vspace, &vs, &root_cnode[S_VSPACE]);
	root_tcb = &root;
	cpu0.cur = &root;
	root.state = LM_TS_RUNNABLE;
	cpu0.cr3_pml4 = PML4_PA;
}

#endif
