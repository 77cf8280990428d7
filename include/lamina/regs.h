/* The register set of a thread, as read and written by thread_read_regs and
 * thread_write_regs. Layout is ABI: fixed order, 8-byte fields. */
#ifndef LAMINA_REGS_H
#define LAMINA_REGS_H

#include <lamina/types.h>

struct lm_regs {
	lm_u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	lm_u64 r8, r9, r10, r11, r12, r13, r14, r15;
	lm_u64 rip, rsp, rflags;
	lm_u64 fs_base, gs_base;
};
LM_STATIC_ASSERT(sizeof(struct lm_regs) == 20 * 8, "lm_regs layout");

/* rflags bits user code may set; the kernel forces IF on and IOPL 0. */
#define LM_RFLAGS_USER_MASK 0x0cd5ull /* CF PF AF ZF SF TF DF OF */
#define LM_RFLAGS_AC        0x40000ull

/* Summary of a thread returned by thread_info. */
struct lm_thread_info {
	lm_u32 state;       /* enum lm_thread_state */
	lm_u32 priority;
	lm_u64 fault_kind;  /* LM_FAULT_* when state is LM_TS_FAULTED */
	lm_u64 fault_addr;  /* cr2 for a page fault */
	lm_u64 fault_error; /* hardware error code */
	lm_u64 fault_rip;
	lm_u64 exit_code;   /* when state is LM_TS_EXITED */
};

#endif
