/*
 * The `test` and `bench` boots: run the guest test suite (ktest) or the
 * benchmarks (kbench) and report the result to QEMU through the
 * isa-debug-exit port. On hardware without that device the write does
 * nothing and root carries on booting.
 */
#include "root.h"

#define DEBUG_EXIT_PORT 0xf4

const struct root_child root_ktest = {
	.name = "ktest", .cnode_bits = 14, .memory = 1, .modules = 1, .devices = 1,
	.asids = ROOT_BIG_ASIDS,
};

const struct root_child root_kbench = {
	.name = "kbench", .cnode_bits = 13, .memory = 1, .modules = 1, .with_self = 1, .counts = 1,
	.asids = ROOT_BIG_ASIDS,
};

/* 0 if the suite ran to the end with no failure, else 1. */
static lm_u64 verdict(const char *name, const struct lm_thread_info *ti, int err)
{
	if (err) {
		lm_printf("root: waiting for %s failed: %s\n", name, lm_err_str(err));
		return 1;
	}
	switch (ti->state) {
	case LM_TS_EXITED:
		lm_printf("root: %s exited with code %lu\n", name, ti->exit_code);
		return ti->exit_code != 0;
	case LM_TS_FAULTED:
		lm_printf("root: %s FAULTED: vector %lu at rip %#lx, address %#lx\n", name,
			  ti->fault_kind, ti->fault_rip, ti->fault_addr);
		return 1;
	}
	lm_printf("root: %s stopped in state %u\n", name, ti->state);
	return 1;
}

void root_run_and_exit(const struct lm_bootinfo *bi, const struct root_child *c)
{
	struct lm_proc p;
	struct lm_thread_info ti;
	lm_u64 result;
	int err = root_launch(bi, c, &p);

	if (err) {
		lm_printf("root: cannot start %s: %s\n", c->name, lm_err_str(err));
		result = 1;
	} else {
		lm_proc_start(&p);
		lm_thread_set_priority(LM_SLOT_TCB, ROOT_WAIT_PRIO);
		err = root_join(p.tcb, &ti);
		result = verdict(c->name, &ti, err);
	}
	lm_ioport_out(LM_SLOT_IOPORT, DEBUG_EXIT_PORT, 4, result);
	lm_printf("root: still running (no isa-debug-exit device): normal boot\n");
}
