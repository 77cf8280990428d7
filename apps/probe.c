/*
 * A process that tries one thing it should or should not be able to do
 * (probe.h) and reports by exiting with a code or by faulting.
 */
#include <lm/lamina.h>
#include "probe.h"

extern char _start[]; /* crt0.S: the entry point, in read-only text */

/* In the data segment: writable, and not executable where NX exists. */
static lm_u8 data_code[16] = { 0xc3 }; /* ret */

static lm_u64 mode_read(lm_u64 addr)
{
	return *(volatile lm_u64 *)addr;
}

static lm_u64 mode_write(lm_u64 addr)
{
	*(volatile lm_u64 *)addr = 0x5a5a5a5a5a5a5a5aull;
	return 0;
}

static lm_u64 mode_layout(void)
{
	static const lm_u32 want[4] = { LM_OBJ_NULL, LM_OBJ_CNODE, LM_OBJ_VSPACE,
					LM_OBJ_TCB };
	lm_u64 bad = 0, desc;

	for (lm_u32 s = 1; s <= 3; s++)
		if (lm_cnode_identify(LM_SLOT_CNODE, s, &desc, 0, 0) ||
		    LM_ID_TYPE(desc) != want[s])
			bad |= 1u << s;
	return bad;
}

/* The last slot of its own CNode: past everything the spawner put there,
 * so always empty. */
static lm_cptr_t last_slot(void)
{
	lm_u64 desc = 0;
	lm_cnode_identify(LM_SLOT_CNODE, LM_SLOT_CNODE, &desc, 0, 0);
	return (1ull << LM_ID_BITS(desc)) - 1;
}

static lm_u64 mode_copy_rights(void)
{
	lm_u64 desc = 0;
	lm_cptr_t copy = last_slot();
	int err = lm_cnode_copy(LM_SLOT_CNODE, copy, LM_SLOT_CNODE, PROBE_FRAME_SLOT, LM_R_ALL);

	if (!err)
		err = lm_cnode_identify(LM_SLOT_CNODE, copy, &desc, 0, 0);
	if (!err)
		err = lm_vspace_map(LM_SLOT_VSPACE, copy, PROBE_MAP_VADDR, LM_R_READ | LM_R_WRITE);
	return LM_ID_RIGHTS(desc) << 8 | (lm_u64)err;
}

static lm_u64 mode_write_own_regs(void)
{
	struct lm_regs r;
	int err = lm_thread_read_regs(LM_SLOT_TCB, &r);

	return err ? (lm_u64)err : (lm_u64)lm_thread_write_regs(LM_SLOT_TCB, &r);
}

static lm_u64 mode_revoke_self(void)
{
	/* Only where tests give it capabilities: its own text and stack
	 * frames follow, and deleting those would only make it fault. */
	for (lm_cptr_t s = 4; s <= PROBE_FRAME_SLOT; s++) {
		lm_cnode_revoke(LM_SLOT_CNODE, s);
		lm_cnode_delete(LM_SLOT_CNODE, s);
	}
	return 0;
}

/* Take every address-space ID its range has (an attacker exhausting what
 * it was given): the slots from the top of its CNode down. */
static lm_u64 mode_asids(void)
{
	lm_cptr_t top = last_slot();
	lm_u64 n;
	int err = LM_OK;

	for (n = 0; n < top - PROBE_ASID_SLOT && !err; n++) {
		err = lm_untyped_retype(PROBE_FRAME_SLOT, LM_OBJ_VSPACE, 0, LM_SLOT_CNODE, top - n, 1);
		if (!err)
			err = lm_vspace_assign(top - n, PROBE_ASID_SLOT, 0);
	}
	return (n - 1) << 8 | (lm_u64)err;
}

/* Run under a monitor that allows only EP_CALL of PROBE_EP_SLOT and
 * THREAD_EXIT, each refused call denied with LM_ERIGHTS (-LM_ERIGHTS for a
 * Linux number). */
static lm_u64 mode_sandboxed(void)
{
	struct lm_msg m = { 0 };
	lm_u64 bits = 0;

	bits |= (lm_u64)(lm_thread_yield() == LM_ERIGHTS) << 0;
	bits |= (lm_u64)(lm_thread_set_priority(LM_SLOT_TCB, 1) == LM_ERIGHTS) << 1;
	bits |= (lm_u64)(lm_cnode_delete(LM_SLOT_CNODE, PROBE_EP_SLOT) == LM_ERIGHTS) << 2;
	bits |= (lm_u64)(lm_ep_call(PROBE_EP_SLOT + 1, LM_MSG_INFO(0, 1, 0), 1, 0, 0, 0, &m) ==
			 LM_ERIGHTS) << 3;
	bits |= (lm_u64)(lm_syscall6(39, 0, 0, 0, 0, 0, 0, 0) == (lm_u64)-(long)LM_ERIGHTS) << 4;
	bits |= (lm_u64)(lm_ep_call(PROBE_EP_SLOT, LM_MSG_INFO(0, 1, 0), 0x4869, 0, 0, 0, &m) ==
			 LM_OK && m.w[0] == 0x6f6b) << 5;
	return bits;
}

static lm_u64 run(lm_u64 mode, lm_u64 param)
{
	switch (mode) {
	case PROBE_EXIT:
		return param;
	case PROBE_READ:
		return mode_read(param);
	case PROBE_WRITE:
		return mode_write(param);
	case PROBE_WRITE_TEXT:
		return mode_write((lm_u64)_start);
	case PROBE_EXEC_DATA:
		((void (*)(void))(void *)data_code)();
		return 0;
	case PROBE_EMPTY_SLOT:
		return lm_thread_resume(last_slot());
	case PROBE_SLOT_RANGE:
		return lm_thread_resume(1ull << 20);
	case PROBE_WRONG_TYPE:
		return lm_thread_resume(LM_SLOT_VSPACE);
	case PROBE_BAD_SYSCALL:
		return lm_syscall6(param, 0, 0, 0, 0, 0, 0, 0);
	case PROBE_IOPORT:
		return lm_ioport_out(LM_SLOT_IOPORT, 0x80, 1, 0);
	case PROBE_LAYOUT:
		return mode_layout();
	case PROBE_RAISE_PRIO:
		return lm_thread_set_priority(LM_SLOT_TCB, param);
	case PROBE_KERNEL_PTR:
		return lm_thread_info(LM_SLOT_TCB, (struct lm_thread_info *)param);
	case PROBE_MAP_FRAME:
		return lm_vspace_map(LM_SLOT_VSPACE, PROBE_FRAME_SLOT, PROBE_MAP_VADDR, param);
	case PROBE_MAP_READ:
	case PROBE_MAP_WRITE:
		if (lm_vspace_map(LM_SLOT_VSPACE, PROBE_FRAME_SLOT, PROBE_MAP_VADDR, LM_R_READ))
			return ~0ull;
		return mode == PROBE_MAP_READ ? mode_read(PROBE_MAP_VADDR)
					      : mode_write(PROBE_MAP_VADDR);
	case PROBE_COPY_RIGHTS:
		return mode_copy_rights();
	case PROBE_SPIN:
		for (;;)
			__asm__ volatile("pause");
	case PROBE_WRITE_OWN_REGS:
		return mode_write_own_regs();
	case PROBE_REVOKE_SELF:
		return mode_revoke_self();
	case PROBE_ASIDS:
		return mode_asids();
	case PROBE_SANDBOXED:
		return mode_sandboxed();
	}
	return ~0ull;
}

int main(lm_word_t arg)
{
	lm_thread_exit(run(PROBE_MODE(arg), PROBE_PARAM(arg)));
}
