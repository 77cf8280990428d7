/*
 * What `probe` does, chosen by its argument word: the low 8 bits are the
 * mode, the rest (arg >> 8) a parameter. The isolation tests
 * (tests/guest/isolation.c) spawn it and read the outcome: an exit code
 * (THREAD_EXIT) or a fault (THREAD_INFO).
 */
#ifndef PROBE_H
#define PROBE_H

#define PROBE_ARG(mode, param) ((lm_u64)(mode) | ((lm_u64)(param) << 8))
#define PROBE_MODE(arg)        ((arg) & 0xff)
/* Arithmetic shift: a canonical kernel address (top bits all ones) comes
 * back whole. */
#define PROBE_PARAM(arg)       ((lm_u64)((long)(arg) >> 8))

/* Slot where tests give probe a frame, and where probe maps it: the last
 * page of the 2 MiB region of its image, whose page table exists already
 * (probe holds no untyped memory to make tables from). */
#define PROBE_FRAME_SLOT 8
#define PROBE_MAP_VADDR  0x5ff000ull
#define PROBE_ASID_SLOT  9
#define PROBE_EP_SLOT    10 /* PROBE_SANDBOXED's console endpoint */
#define PROBE_SANDBOXED_ALL 0x3f

enum probe_mode {
	PROBE_EXIT = 0,        /* exit(param) */
	PROBE_READ,            /* read the word at address param (expect a fault) */
	PROBE_WRITE,           /* write the word at address param */
	PROBE_WRITE_TEXT,      /* write its own entry point (read-only text) */
	PROBE_EXEC_DATA,       /* call into its own data segment (NX) */
	PROBE_EMPTY_SLOT,      /* resume an empty slot: exit(error) */
	PROBE_SLOT_RANGE,      /* resume a slot past its CNode: exit(error) */
	PROBE_WRONG_TYPE,      /* resume its address space: exit(error) */
	PROBE_BAD_SYSCALL,     /* system call number param: exit(error) */
	PROBE_IOPORT,          /* IOPORT_OUT through slot 4: exit(error) */
	PROBE_LAYOUT,          /* exit(0) if slots 1-3 are its CNode, vspace, TCB */
	PROBE_RAISE_PRIO,      /* set own priority to param: exit(error) */
	PROBE_KERNEL_PTR,      /* THREAD_INFO into address param: exit(error) */
	PROBE_MAP_FRAME,       /* map PROBE_FRAME_SLOT with rights param: exit(error) */
	PROBE_MAP_READ,        /* map it read-only, exit(first word) */
	PROBE_MAP_WRITE,       /* map it read-only, then write it (expect a fault) */
	PROBE_COPY_RIGHTS,     /* copy it asking for all rights: exit(rights << 8 | error) */
	PROBE_SPIN,            /* loop forever */
	PROBE_WRITE_OWN_REGS,  /* THREAD_WRITE_REGS on itself: exit(error) */
	PROBE_REVOKE_SELF,     /* revoke and delete slots 4..63: exit(0) */
	PROBE_ASIDS,           /* make address spaces from the untyped in
				* PROBE_FRAME_SLOT with IDs from the range in
				* PROBE_ASID_SLOT until a call fails:
				* exit(made << 8 | error) */
	PROBE_SANDBOXED,       /* under a reference monitor (bpf_filter.c): try
				* what it must refuse, then call the endpoint in
				* PROBE_EP_SLOT: exit(a bit per expected outcome) */
	PROBE_NMODES
};

#endif
