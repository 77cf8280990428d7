/*
 * The `test` boot: run the guest test suite (the ktest module) and report
 * its result to QEMU through the isa-debug-exit port. On hardware without
 * that device the write does nothing and root carries on booting.
 */
#include "root.h"

#define DEBUG_EXIT_PORT 0xf4
#define WAIT_POLLS (1ull << 40) /* root only polls when all else is idle */

static const struct root_child ktest = {
	.name = "ktest", .cnode_bits = 14, .memory = 1, .modules = 1, .devices = 1,
};

/* 0 if the suite ran to the end with no failure, else 1. */
static lm_u64 verdict(const struct lm_thread_info *ti, int err)
{
	if (err) {
		lm_printf("root: waiting for ktest failed: %s\n", lm_err_str(err));
		return 1;
	}
	switch (ti->state) {
	case LM_TS_EXITED:
		lm_printf("root: ktest exited with code %lu\n", ti->exit_code);
		return ti->exit_code != 0;
	case LM_TS_FAULTED:
		lm_printf("root: ktest FAULTED: vector %lu at rip %#lx, address %#lx\n",
			  ti->fault_kind, ti->fault_rip, ti->fault_addr);
		return 1;
	}
	lm_printf("root: ktest stopped in state %u\n", ti->state);
	return 1;
}

void root_run_tests(const struct lm_bootinfo *bi)
{
	struct lm_proc p;
	struct lm_thread_info ti;
	lm_u64 result;
	int err = root_launch(bi, &ktest, &p);

	if (err) {
		lm_printf("root: cannot start ktest: %s\n", lm_err_str(err));
		result = 1;
	} else {
		lm_proc_start(&p);
		lm_thread_set_priority(LM_SLOT_TCB, ROOT_WAIT_PRIO);
		err = lm_wait_thread(p.tcb, WAIT_POLLS, &ti);
		result = verdict(&ti, err);
	}
	lm_ioport_out(LM_SLOT_IOPORT, DEBUG_EXIT_PORT, 4, result);
	lm_printf("root: still running (no isa-debug-exit device): normal boot\n");
}
