/*
 * The IPC harness's (eva_ipc.c's) models of what is not the kernel's C:
 * the hardware (port reads, CR0, the FPU, CR3, idling, the console),
 * the compiler's builtin count of leading zeros, user memory (eva_vs.c
 * runs the real copies), and stubs for what no state of that harness
 * reaches, each asserting so. Included once, by eva_ipc.c, after its
 * globals.
 */
#ifndef EVA_IPC_STUBS_H
#define EVA_IPC_STUBS_H

/* The compiler's count of leading zeros (rq_top), which Frama-C knows
 * only by a contract too weak to find a queue by: the same function,
 * written out (x is never 0 here: rq_top tests first). */
int __builtin_clzll(unsigned long long x)
{
	int n = 0;
	//@ loop unroll 64;
	for (unsigned long long b = 1ull << 63; b && !(x & b); b >>= 1)
		n++;
	return n;
}


/* The I/O-port reads (eva/asm.h): a device gives any value. */
u8 inb(u16 port) { return Frama_C_interval(0, 0xff); }
u16 inw(u16 port) { return Frama_C_interval(0, 0xffff); }
u32 inl(u16 port) { return Frama_C_unsigned_int_interval(0, 0xffffffffu); }

/* Hardware. */
void fpu_init_state(void *fxarea) { }
u64 read_cr0(void) { return cpu0.cr0; } /* as the kernel last wrote it */
void vspace_load_dead(void) { cpu0.cr3_pml4 = 0; }
u64 kernel_pml4_phys(void) { return 0; }
void arch_idle(void) { }
void kprintf(const char *fmt, ...) /* in the log: the format and its first two arguments */
{
	va_list ap;
	va_start(ap, fmt);
	void *a = va_arg(ap, void *);
	u64 b = va_arg(ap, u64);
	int c = va_arg(ap, int);
	Frama_C_show_each_kprintf(fmt, a, b, c);
	va_end(ap);
}
/* A reachable panic (a failed KASSERT among them) is a defect: the
 * assertion is then not proved, and eva.sh fails. */
void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *what = va_arg(ap, const char *), *file = va_arg(ap, const char *);
	int line = va_arg(ap, int);
	Frama_C_show_each_panic(what, file, line); /* the KASSERT, in the log */
	va_end(ap);
	//@ assert no_panic: \false;
	while (1)
		;
}

#ifndef EVA_USER_MODEL /* eva_bpfsys.c has its own */
/*
 * User memory (vspace.c's user_copy_in, user_copy_out, user_writable):
 * eva_vs.c runs the real ones over real page tables, with every kind of
 * address; here they are what they do for any address: fail (unmapped,
 * read-only, out of range) and change nothing, or copy n bytes (what is
 * read is anything the user wrote), or give a page the kernel may write
 * (one user page of the exception stacks, user_page). The assertions are
 * the kernel's side of the contract: it reads and writes only its own n
 * bytes.
 */
static u8 user_page[1 << LM_PAGE_BITS];
bool user_copy_in(void *dst, u64 uaddr, size_t n)
{
	//@ assert copy_in_dst: \valid((char *)dst + (0 .. n - 1));
	if (Frama_C_interval(0, 1))
		return false;
	Frama_C_make_unknown(dst, n);
	return true;
}
bool user_copy_out(u64 uaddr, const void *src, size_t n)
{
	//@ assert copy_out_src: \valid_read((char *)src + (0 .. n - 1));
	return Frama_C_interval(0, 1);
}
void *user_writable(u64 ua, size_t n)
{
	if ((ua & 0xfff) + n > 4096 || Frama_C_interval(0, 1))
		return NULL;
	return &user_page[ua & 0xfff];
}
#endif

/* Not reached from any state here (no eBPF program or filter exists, no
 * interrupt line is claimed, no frame is mapped): the asserts say so, EVA
 * checks it. */
static void unreached(void)
{
	//@ assert unreached: \false;
}
#ifndef EVA_BPF_REAL /* eva_bpfsys.c runs the real ones */
void pred_signal(struct notify *n) { unreached(); }
void pred_detach(struct tcb *t) { unreached(); }
bool filter_syscall(struct frame *f) { unreached(); return false; }
u64 filter_may_control(const struct tcb *t, int argno) { return LM_OK; }
u64 filter_inherit_check(const struct tcb *t, int argno) { return LM_OK; }
void filter_inherit(struct tcb *t) { }
#endif
void irq_release(u64 line) { unreached(); }
void irq_notify_gone(struct notify *n) { }
void asids_release(const struct slot *range) { unreached(); }
/* DEBUG_CHECK's parts over what is not here (page tables and ID ranges:
 * vscheck.c, asid.c; eBPF), and the console (hardware). */
void vscheck_begin(void) { }
void vscheck_slot(const struct cap *c) { }
int vscheck_end(void) { return 0; }
void asid_check_begin(void) { }
void asid_check_slot(const struct slot *s) { }
int asid_check_end(void) { return 0; }
#ifndef EVA_BPF_REAL
int pred_check(void) { return 0; }
int bpf_jit_check(void) { return 0; }
#endif
void serial_putc(char c) { }
void vspace_ref(const struct cap *vs) { }
void vspace_unref(const struct cap *vs) { }
void vspace_unmap_frame_cap(struct cap *c) { unreached(); }
void vspace_unmap_table_cap(struct cap *c) { unreached(); }
#ifndef EVA_FASTPATH
/* The fast paths (fastpath.c) are off in these runs (fastpath_enabled
 * false): fault_ipc_send never tries one, and syscall_gate's is for a
 * filtered thread (none in eva_ipc.c; eva_bpfsys.c has its own, EVA_BPF_REAL).
 * Run ipcfp (EVA_FASTPATH) analyses them. */
#ifndef EVA_BPF_REAL
struct frame *fastpath_try(struct frame *f) { unreached(); return NULL; }
#endif
bool fastpath_fault(struct tcb *t, struct endpoint *ep, u64 badge) { unreached(); return false; }
#endif

#endif
