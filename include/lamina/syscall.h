/*
 * System-call numbers: the one list. The kernel's table (kernel/syscall.c)
 * is indexed by these numbers minus LM_SYS_BASE.
 *
 * Convention (x86-64 SYSCALL): rax = number; arguments in rdi, rsi, rdx,
 * r10, r8, r9. On return rax = enum lm_err; results come back in rdi, rsi,
 * rdx, r10 as each call documents; rcx and r11 are clobbered, every other
 * register is preserved. Capability arguments are slot numbers (cptrs) in
 * the caller's capability space.
 *
 * Native numbers start at LM_SYS_BASE so that they never collide with Linux
 * system-call numbers, which a later foreign-ABI entry reflects.
 */
#ifndef LAMINA_SYSCALL_H
#define LAMINA_SYSCALL_H

#define LM_SYS_BASE 0x1000

#define LM_SYSCALLS(X)                                                        \
	X(DEBUG_PUTC,          0)  /* (debug, char)                         */ \
	X(DEBUG_WRITE,         1)  /* (debug, buf, len)                     */ \
	X(CNODE_COPY,          2)  /* (dcn, di, scn, si, rights[, count])   */ \
	X(CNODE_MINT,          3)  /* (dcn, di, scn, si, rights, badge)     */ \
	X(CNODE_MOVE,          4)  /* (dcn, di, scn, si)                    */ \
	X(CNODE_DELETE,        5)  /* (cn, i[, count])                      */ \
	X(CNODE_REVOKE,        6)  /* (cn, i)                               */ \
	X(CNODE_IDENTIFY,      7)  /* (cn, i) -> desc, addr, size           */ \
	X(UNTYPED_RETYPE,      8)  /* (ut, type, bits, dcn, di, count)      */ \
	X(VSPACE_MAP,          9)  /* (vs, frame, vaddr, rights[, count, cn]) */ \
	X(VSPACE_UNMAP,        10) /* (frame)                               */ \
	X(VSPACE_MAP_TABLE,    11) /* (vs, ptable, vaddr) -> level          */ \
	X(VSPACE_UNMAP_TABLE,  12) /* (ptable)                              */ \
	X(THREAD_CONFIGURE,    13) /* (tcb, cnode, vspace)                  */ \
	X(THREAD_SET_PRIORITY, 14) /* (tcb, prio)                           */ \
	X(THREAD_READ_REGS,    15) /* (tcb, struct lm_regs *)               */ \
	X(THREAD_WRITE_REGS,   16) /* (tcb, const struct lm_regs *)         */ \
	X(THREAD_RESUME,       17) /* (tcb)                                 */ \
	X(THREAD_SUSPEND,      18) /* (tcb)                                 */ \
	X(THREAD_INFO,         19) /* (tcb, struct lm_thread_info *)        */ \
	X(THREAD_SET_FSBASE,   20) /* (tcb, base[, LM_BASE_GS])             */ \
	X(THREAD_EXIT,         21) /* (code)                                */ \
	X(THREAD_YIELD,        22) /* ()                                    */ \
	X(IOPORT_IN,           23) /* (cap, port, width) -> value           */ \
	X(IOPORT_OUT,          24) /* (cap, port, width, value)             */ \
	X(DEBUG_CHECK,         25) /* (debug) -> problems found             */ \
	X(EP_SEND,             26) /* (ep, info, w0, w1, w2, w3)            */ \
	X(EP_NBSEND,           27) /* (ep, info, w0, w1, w2, w3)            */ \
	X(EP_RECV,             28) /* (ep) -> badge, info, w0..w3           */ \
	X(EP_CALL,             29) /* (ep, info, w0..w3) -> reply           */ \
	X(EP_REPLY,            30) /* (0, info, w0..w3)                     */ \
	X(EP_REPLY_RECV,       31) /* (ep, info, w0..w3) -> as EP_RECV      */ \
	X(NTFN_SIGNAL,         32) /* (ntfn)                                */ \
	X(NTFN_WAIT,           33) /* (ntfn) -> word                        */ \
	X(NTFN_POLL,           34) /* (ntfn) -> word                        */ \
	X(THREAD_BIND_NOTIFY,  35) /* (tcb, ntfn or 0)                      */ \
	X(THREAD_SET_IPC_BUFFER, 36) /* (tcb, frame or 0)                   */ \
	X(IRQ_CLAIM,           37) /* (irqctl, line, dcn, di)               */ \
	X(IRQ_SET_NOTIFY,      38) /* (irq, ntfn or 0)                      */ \
	X(IRQ_ACK,             39) /* (irq)                                 */ \
	X(THREAD_YIELD_TO,     40) /* (tcb)                                 */ \
	X(DEBUG_FASTPATH,      41) /* (debug, on) -> was on, fast round trips */ \
	X(THREAD_SET_EXCEPTION, 42) /* (tcb, entry, stack_top, stack_size)  */ \
	X(THREAD_SET_FAULT_EP, 43) /* (tcb, ep or 0)                        */ \
	X(VSPACE_PROTECT,      44) /* (vs, vaddr, npages, rights) -> mapped */ \
	X(VSPACE_PAGE_STATE,   45) /* (vs, vaddr, clear) -> state, rights    */ \
	X(THREAD_SET_FOREIGN,  46) /* (tcb, entry or 0)                      */ \
	X(THREAD_SET_STOP_NOTIFY, 47) /* (tcb, ntfn or 0)                    */ \
	X(IOPORT_ISSUE,        48) /* (ioport, first, count, dcn, di)       */ \
	X(FINISH_DELETE,       49) /* () the kernel's, see API.md           */ \
	X(DEBUG_COVERAGE,      50) /* (debug) -> sites, size (fuzzing build) */ \
	X(ASIDS_ISSUE,         51) /* (asids, count, dcn, di)               */ \
	X(VSPACE_ASSIGN,       52) /* (vs, asids) -> asid                   */ \
	X(BPF_LOAD,            53) /* (prog, type, insns, n, ctx_size) -> work */ \
	X(BPF_RUN,             54) /* (prog, buf, len) -> r0, steps          */ \
	X(BPF_WAIT,            55) /* (prog, vaddr, ntfn or 0) -> r0         */ \
	X(THREAD_SET_FILTER,   56) /* (tcb, prog)                            */ \
	X(DEBUG_COUNTS,        57) /* (debug, struct lm_counts *) counting build */ \
	X(THREAD_SET_UPCALLS,  58) /* (tcb, LM_UPCALL_ON_*) -> previous flags  */ \
	X(VSPACE_MAP_RUN,      59) /* (vs, frame, vaddr, rights, first, count) */

enum lm_sysno {
#define LM_SYS_ENUM(name, n) LM_SYS_##name = LM_SYS_BASE + (n),
	LM_SYSCALLS(LM_SYS_ENUM)
#undef LM_SYS_ENUM
	LM_SYS_END
};
#define LM_NSYSCALLS (LM_SYS_END - LM_SYS_BASE)

/* cnode_identify packs type, rights and size into its first result. */
#define LM_ID_TYPE(d)   ((d) & 0xff)
#define LM_ID_RIGHTS(d) (((d) >> 8) & 0xff)
#define LM_ID_BITS(d)   (((d) >> 16) & 0xff)
#define LM_ID_MAPPED    (1ull << 24) /* frame or table is mapped */

/* CNODE_COPY with a count: at most this many slots per call. */
/* THREAD_SET_FSBASE's third argument: set the GS base instead of FS. */
#define LM_BASE_GS 1

#define LM_COPY_MAX 256

/* VSPACE_MAP with a count: at most this many pages per call, all in one
 * page table (a 2 MiB-aligned span). */
#define LM_MAP_MAX 512

/* VSPACE_PROTECT: at most this many pages per call (bounded work). */
#define LM_PROTECT_MAX_PAGES (1ull << 18)

/* VSPACE_PAGE_STATE: the hardware's accessed and dirty bits of a page,
 * returned in rdi and cleared where `clear` has them. */
#define LM_PG_ACCESSED 0x1u
#define LM_PG_DIRTY    0x2u

#endif
