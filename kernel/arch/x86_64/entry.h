/* What entry.S and the C code agree on beyond struct frame (arch.h):
 * shared by both, and checked by static asserts on the C side
 * (syscall.c), since entry.S cannot see C's layouts. */
#ifndef ENTRY_H
#define ENTRY_H

/* struct percpu (arch.h), byte offsets. */
#define PCPU_USER_RSP  0
#define PCPU_SYS_TOP   8
#define PCPU_KSTACK    16
#define PCPU_CUR       24 /* the current TCB, whose frame starts it */

/* The IPC fast paths' system calls, LM_SYS_EP_CALL to LM_SYS_NTFN_WAIT,
 * which entry.S sends straight to fastpath_table (fastpath.c) for a
 * thread whose tcb.sysgate is 0. */
#define SYS_FAST_FIRST 0x101d
#define SYS_FAST_COUNT 5
#define TCB_SYSGATE    0x2a1

/* The system-call table (syscall.c, sys_table) as entry.S indexes it:
 * numbers LM_SYS_BASE to LM_SYS_BASE + SYS_COUNT - 1; LM_ENOSYS for any
 * other number at or above LM_SYS_BASE. */
#define SYS_BASE       0x1000
#define SYS_COUNT      60
#define SYS_ENOSYS     13

#endif
