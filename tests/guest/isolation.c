/* Isolation between processes: `probe` (apps/probe.c), started in its own
 * CSpace and address space, tries things it must not be able to do. */
#include "harness.h"
#include "../../apps/probe.h"

#define PF_PRESENT 0x1
#define PF_WRITE   0x2
#define PF_FETCH   0x10

static lm_u64 secret = 0x5ec2e7;

/* Run probe in `mode` and wait for it to stop. */
static int probe(lm_u64 mode, lm_u64 param, const struct lm_spawn_cap *caps,
		 lm_u32 ncaps, struct lm_thread_info *ti)
{
	struct lm_proc p;
	int err = t_spawn_probe(PROBE_ARG(mode, param), caps, ncaps, &p);

	return err ? err : t_wait(p.tcb, ti);
}

static int probe_exit(lm_u64 mode, lm_u64 param, lm_u64 *code)
{
	struct lm_thread_info ti;
	int err = probe(mode, param, 0, 0, &ti);

	if (!err && ti.state != LM_TS_EXITED)
		err = LM_ESTATE;
	*code = ti.exit_code;
	return err;
}

/* A frame holding `secret`, for giving to probe read-only at slot 8. */
static lm_cptr_t secret_frame(struct lm_spawn_cap *cap)
{
	lm_cptr_t f = t_frame_at(T_VA, LM_R_READ | LM_R_WRITE);

	if (f) {
		*(volatile lm_u64 *)T_VA = secret;
		*cap = (struct lm_spawn_cap){ f, PROBE_FRAME_SLOT, LM_R_READ, 0, 0 };
	}
	return f;
}

TEST(isolation_probe_gets_its_argument_and_reports_exit_code)
{
	lm_u64 code;

	CHECK_OK(probe_exit(PROBE_EXIT, 0x123456, &code));
	CHECK_EQ(code, 0x123456);
}

TEST(isolation_probe_sees_its_own_cspace_layout)
{
	lm_u64 code;

	CHECK_OK(probe_exit(PROBE_LAYOUT, 0, &code));
	CHECK_EQ(code, 0);
}

TEST(isolation_probe_cannot_read_parent_memory)
{
	struct lm_thread_info ti;

	CHECK(t_frame_at(T_VA, LM_R_READ | LM_R_WRITE));
	*(volatile lm_u64 *)T_VA = secret;
	CHECK_OK(probe(PROBE_READ, T_VA, 0, 0, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_addr, T_VA);
}

TEST(isolation_probe_writes_at_parent_addresses_reach_only_itself)
{
	struct lm_thread_info ti;

	secret = 0x5ec2e7;
	CHECK_OK(probe(PROBE_WRITE, (lm_u64)&secret, 0, 0, &ti));
	CHECK(ti.state == LM_TS_EXITED || ti.state == LM_TS_FAULTED);
	CHECK_EQ(secret, 0x5ec2e7);
}

TEST(isolation_probe_cannot_write_its_own_text)
{
	struct lm_thread_info ti;
	lm_u64 size, entry;
	const void *img = t_module("probe", &size);

	CHECK(img);
	CHECK_OK(lm_elf_check(img, size, &entry, 0));
	CHECK_OK(probe(PROBE_WRITE_TEXT, 0, 0, 0, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_addr, entry);
	CHECK_EQ(ti.fault_error & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
}

TEST(isolation_probe_cannot_execute_its_data)
{
	struct lm_thread_info ti;

	if (!(t_bi->cpu_features & LM_CPU_NX)) {
		t_note("no NX on this CPU: not checked");
		return;
	}
	CHECK_OK(probe(PROBE_EXEC_DATA, 0, 0, 0, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_addr, ti.fault_rip);
	CHECK(ti.fault_error & PF_FETCH);
}

TEST(isolation_probe_cannot_read_kernel_memory)
{
	struct lm_thread_info ti;

	CHECK_OK(probe(PROBE_READ, T_KERNEL_ADDR + 0x200000, 0, 0, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_kind, LM_FAULT_PF);
	CHECK_EQ(ti.fault_addr, T_KERNEL_ADDR + 0x200000);
}

TEST(isolation_probe_empty_and_out_of_range_slots_return_ECAP)
{
	lm_u64 code;

	CHECK_OK(probe_exit(PROBE_EMPTY_SLOT, 0, &code));
	CHECK_EQ(code, LM_ECAP);
	CHECK_OK(probe_exit(PROBE_SLOT_RANGE, 0, &code));
	CHECK_EQ(code, LM_ECAP);
}

TEST(isolation_probe_wrong_type_returns_ETYPE)
{
	lm_u64 code;

	CHECK_OK(probe_exit(PROBE_WRONG_TYPE, 0, &code));
	CHECK_EQ(code, LM_ETYPE);
}

TEST(isolation_probe_bogus_syscall_returns_ENOSYS)
{
	lm_u64 code;

	CHECK_OK(probe_exit(PROBE_BAD_SYSCALL, 0x1fff, &code));
	CHECK_EQ(code, LM_ENOSYS);
	CHECK_OK(probe_exit(PROBE_BAD_SYSCALL, 39 /* Linux getpid */, &code));
	CHECK_EQ(code, LM_ENOSYS);
}

TEST(isolation_probe_cannot_use_io_ports_it_was_not_given)
{
	lm_u64 code;

	CHECK_OK(probe_exit(PROBE_IOPORT, 0, &code));
	CHECK_EQ(code, LM_ECAP);
}

TEST(isolation_probe_cannot_raise_its_priority)
{
	lm_u64 code;

	CHECK_OK(probe_exit(PROBE_RAISE_PRIO, T_PRIO + 1, &code));
	CHECK_EQ(code, LM_ERIGHTS);
	CHECK_OK(probe_exit(PROBE_RAISE_PRIO, 256, &code));
	CHECK_EQ(code, LM_ERANGE);
}

TEST(isolation_probe_kernel_pointer_to_syscall_returns_EFAULT)
{
	lm_u64 code;

	CHECK_OK(probe_exit(PROBE_KERNEL_PTR, T_KERNEL_ADDR, &code));
	CHECK_EQ(code, LM_EFAULT);
	CHECK_OK(probe_exit(PROBE_KERNEL_PTR, 0xffffffff80000000ull, &code));
	CHECK_EQ(code, LM_EFAULT);
}

TEST(isolation_probe_cannot_write_own_registers)
{
	lm_u64 code;

	CHECK_OK(probe_exit(PROBE_WRITE_OWN_REGS, 0, &code));
	CHECK_EQ(code, LM_ESTATE);
}

TEST(isolation_probe_reads_a_frame_it_was_given)
{
	struct lm_spawn_cap cap;
	struct lm_thread_info ti;

	CHECK(secret_frame(&cap));
	CHECK_OK(probe(PROBE_MAP_READ, 0, &cap, 1, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, secret);
}

TEST(isolation_probe_cannot_map_a_read_only_frame_writable)
{
	struct lm_spawn_cap cap;
	struct lm_thread_info ti;

	CHECK(secret_frame(&cap));
	CHECK_OK(probe(PROBE_MAP_FRAME, LM_R_READ | LM_R_WRITE, &cap, 1, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, LM_ERIGHTS);
}

TEST(isolation_probe_cannot_write_through_a_read_only_mapping)
{
	struct lm_spawn_cap cap;
	struct lm_thread_info ti;

	CHECK(secret_frame(&cap));
	CHECK_OK(probe(PROBE_MAP_WRITE, 0, &cap, 1, &ti));
	CHECK_EQ(ti.state, LM_TS_FAULTED);
	CHECK_EQ(ti.fault_addr, PROBE_MAP_VADDR);
	CHECK_EQ(ti.fault_error & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
	CHECK_EQ(*(volatile lm_u64 *)T_VA, secret);
}

TEST(isolation_probe_copy_cannot_add_rights)
{
	struct lm_spawn_cap cap;
	struct lm_thread_info ti;

	CHECK(secret_frame(&cap));
	CHECK_OK(probe(PROBE_COPY_RIGHTS, 0, &cap, 1, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, (lm_u64)LM_R_READ << 8 | LM_ERIGHTS);
}

TEST(isolation_probe_deleting_its_caps_leaves_the_parents_alone)
{
	struct lm_spawn_cap cap;
	struct lm_thread_info ti;
	lm_cptr_t f;

	f = secret_frame(&cap);
	CHECK(f);
	CHECK_OK(probe(PROBE_REVOKE_SELF, 0, &cap, 1, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(t_type(f), LM_OBJ_FRAME);
	CHECK(t_id(f).desc & LM_ID_MAPPED);
	CHECK_EQ(*(volatile lm_u64 *)T_VA, secret);
	CHECK_EQ(t_type(LM_SLOT_IOPORT), LM_OBJ_IOPORT);
}

TEST(isolation_parent_can_stop_and_destroy_a_spinning_probe)
{
	struct lm_proc p;
	struct lm_thread_info ti;
	lm_cptr_t tcb;

	CHECK_OK(t_spawn_probe(PROBE_ARG(PROBE_SPIN, 0), 0, 0, &p));
	tcb = p.tcb;
	t_yield(5);
	CHECK_OK(lm_thread_info(p.tcb, &ti));
	CHECK_EQ(ti.state, LM_TS_RUNNABLE);
	CHECK_OK(lm_thread_suspend(p.tcb));
	CHECK_OK(lm_thread_info(p.tcb, &ti));
	CHECK_EQ(ti.state, LM_TS_INACTIVE);
	CHECK_OK(lm_thread_resume(p.tcb));
	CHECK_OK(lm_proc_destroy(&p)); /* while it runs */
	CHECK_EQ(t_type(tcb), LM_OBJ_NULL);
}
