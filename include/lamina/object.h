/* Kernel object types, sizes and capability rights. */
#ifndef LAMINA_OBJECT_H
#define LAMINA_OBJECT_H

#include <lamina/types.h>

/* Object types, as passed to untyped_retype and returned by cnode_identify. */
enum lm_obj {
	LM_OBJ_NULL    = 0, /* empty slot */
	LM_OBJ_UNTYPED = 1, /* 2^size_bits bytes of free physical memory */
	LM_OBJ_FRAME   = 2, /* size_bits 12 (4 KiB page), 21 (2 MiB page) or
	                     * 13..20: a run of 4 KiB pages (VSPACE_MAP_RUN) */
	LM_OBJ_PTABLE  = 3, /* one 4 KiB paging structure (PDPT, PD or PT) */
	LM_OBJ_VSPACE  = 4, /* an address space: its top-level table (PML4) */
	LM_OBJ_CNODE   = 5, /* capability space of 2^size_bits slots */
	LM_OBJ_TCB     = 6, /* a thread */
	LM_OBJ_IOPORT  = 7, /* a range of x86 I/O ports (given at boot only) */
	LM_OBJ_ENDPOINT = 8, /* synchronous IPC rendezvous point */
	LM_OBJ_NOTIFY  = 9, /* asynchronous signal word */
	LM_OBJ_IRQCTL  = 10, /* the right to claim interrupt lines (boot only) */
	LM_OBJ_IRQ     = 11, /* one claimed interrupt line */
	LM_OBJ_DEBUG   = 12, /* the kernel's debug calls: its console, self-check (boot only) */
	LM_OBJ_ASIDS   = 13, /* a range of address-space IDs (boot only; ASIDS_ISSUE) */
	LM_OBJ_BPF     = 14, /* an eBPF program: 2^size_bits bytes (BPF_LOAD) */
	LM_OBJ_NTYPES
};

/* Sizes (log2 bytes) of objects made by retype. */
#define LM_TCB_BITS        11
#define LM_PTABLE_BITS     12
#define LM_VSPACE_BITS     12
#define LM_SLOT_BITS       6   /* a CNode slot is 64 bytes */
#define LM_ENDPOINT_BITS   7
#define LM_NOTIFY_BITS     7
#define LM_PAGE_BITS       12
#define LM_LARGE_PAGE_BITS 21
#define LM_PAGE_SIZE       (1ull << LM_PAGE_BITS)
#define LM_LARGE_PAGE_SIZE (1ull << LM_LARGE_PAGE_BITS)

/* An eBPF program object: a header, the instructions, then pages the JIT
 * will fill (include/lamina/bpf.h, "program objects"). */
#define LM_BPF_MIN_BITS    12
#define LM_BPF_MAX_BITS    18

#define LM_UNTYPED_MIN_BITS 12
#define LM_UNTYPED_MAX_BITS 47
#define LM_CNODE_MIN_BITS   2
#define LM_CNODE_MAX_BITS   16
#define LM_RETYPE_MAX_COUNT 256
/* At most this many bytes are zeroed by one retype call (bounded work). */
#define LM_RETYPE_MAX_ZERO_BITS 22

/* Rights carried by a capability. A derived copy has a subset. */
#define LM_R_READ   0x1u  /* frames: readable; objects: inspect */
#define LM_R_WRITE  0x2u  /* frames: writable; objects: modify / invoke */
#define LM_R_EXEC   0x4u  /* frames: executable */
#define LM_R_GRANT  0x8u  /* may pass capabilities on (IPC, later) */
#define LM_R_ALL    0xfu
/* eBPF programs: EXEC's bit, named for what it allows there: attaching the
 * program to a thread (THREAD_SET_FILTER) or sleeping on it (BPF_WAIT).
 * CNODE_MINT or CNODE_COPY without it gives a capability that can only
 * load, run and inspect the program. */
#define LM_R_ATTACH LM_R_EXEC

/* User virtual addresses usable for mappings: [LM_USER_MIN, LM_USER_MAX).
 * The top page below 2^47 is excluded: a SYSCALL in it would return to the
 * non-canonical 2^47, and SYSRET to a non-canonical address faults in ring 0
 * on Intel CPUs (with the user's stack). */
#define LM_USER_MIN 0x1000ull
#define LM_USER_MAX 0x00007ffffffff000ull

/* Interrupt lines (IOAPIC inputs) that IRQ_CLAIM accepts: 0 .. LM_IRQ_COUNT-1.
 * ISA IRQ n is line n, except the PIT (ISA 0) which QEMU wires to line 2. */
#define LM_IRQ_COUNT 24

/* Thread scheduling priorities: 0 (lowest) .. LM_PRIO_MAX. */
#define LM_PRIO_MAX 255

/* Thread states reported by thread_info. */
enum lm_thread_state {
	LM_TS_INACTIVE = 0, /* created or suspended */
	LM_TS_RUNNABLE = 1, /* running or ready */
	LM_TS_FAULTED  = 2, /* stopped by a fault it had no handler for */
	LM_TS_EXITED   = 3, /* called thread_exit */
	LM_TS_BLOCKED  = 4, /* waiting in IPC: send, receive, reply or notification */
};

/* Fault kinds recorded for a faulted thread (x86 vector numbers). */
#define LM_FAULT_DE 0   /* divide error */
#define LM_FAULT_BP 3
#define LM_FAULT_UD 6
#define LM_FAULT_GP 13
#define LM_FAULT_PF 14
#define LM_FAULT_MF 16
#define LM_FAULT_AC 17
#define LM_FAULT_XM 19

#endif
