/* Descriptor tables, SYSCALL setup, CPU features and the FPU. */
#include <lamina/bootinfo.h>
#include "arch.h"
#include "asm.h"
#include "thread.h"

struct idt_gate {
	u16 off_lo, sel;
	u8 ist, type;
	u16 off_mid;
	u32 off_hi, zero;
} __attribute__((packed));

struct percpu cpu0;
u32 cpu_features;

static u64 gdt[7];
struct tss tss;
static struct idt_gate idt[256];
static u8 kstack[KSTACK_SIZE] __attribute__((aligned(16)));
static u8 df_stack[4096] __attribute__((aligned(16)));

extern const u64 isr_table[64];
extern const u64 isr_spurious;
extern char syscall_entry[];

static void gdt_init(void)
{
	u64 base = (u64)&tss, limit = sizeof(tss) - 1;

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffff; /* kernel code */
	gdt[2] = 0x00cf92000000ffff; /* kernel data */
	gdt[3] = 0x00cff2000000ffff; /* user data (DPL 3) */
	gdt[4] = 0x00affa000000ffff; /* user code 64 (DPL 3) */
	gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[6] = base >> 32;
	tss.iomap_base = sizeof(tss); /* no I/O bitmap: user space has no ports */
	tss.ist[0] = (u64)df_stack + sizeof(df_stack);

	struct { u16 len; u64 base; } __attribute__((packed)) p = { sizeof(gdt) - 1, (u64)gdt };
	__asm__ volatile("lgdt %0" :: "m"(p));
	__asm__ volatile("ltr %w0" :: "r"(SEL_TSS));
}

static void idt_set(int v, u64 handler, u8 ist)
{
	/* int3 and into may be used from user mode (DPL 3); other vectors
	 * raised by `int n` from user mode give #GP. */
	u8 dpl = (v == 3 || v == 4) ? 0x60 : 0;
	idt[v] = (struct idt_gate){
		.off_lo = handler & 0xffff, .sel = SEL_KCODE, .ist = ist,
		.type = (u8)(0x8e | dpl), /* present interrupt gate: IF cleared */
		.off_mid = (handler >> 16) & 0xffff, .off_hi = handler >> 32,
	};
}

static void idt_init(void)
{
	for (int v = 0; v < 64; v++)
		idt_set(v, isr_table[v], v == 8 ? 1 : 0);
	idt_set(255, isr_spurious, 0);
	struct { u16 len; u64 base; } __attribute__((packed)) p = { sizeof(idt) - 1, (u64)idt };
	__asm__ volatile("lidt %0" :: "m"(p));
}

static void features_init(void)
{
	u32 r[4];

	cpuid(1, 0, r);
	if (r[2] & BIT(17))
		cpu_features |= LM_CPU_PCID;
	if (r[2] & BIT(21))
		cpu_features |= LM_CPU_X2APIC;
	if (r[2] & BIT(24))
		cpu_features |= LM_CPU_TSCDL;
	cpuid(7, 0, r);
	if (r[1] & BIT(0))
		cpu_features |= LM_CPU_FSGSBASE;
	if (r[1] & BIT(7))
		cpu_features |= LM_CPU_SMEP;
	if (r[1] & BIT(20))
		cpu_features |= LM_CPU_SMAP;
	cpuid(0x80000001, 0, r);
	if (r[3] & BIT(20))
		cpu_features |= LM_CPU_NX;
	if (r[3] & BIT(26))
		cpu_features |= LM_CPU_1G_PAGES;
}

/* entry.S: the 3-byte NOPs that become CLAC or STAC with SMAP */
extern u8 isr_clac[], isr_exc_clac[], isr_exc_fault_clac[], isr_exc_stac[];

void cpu_init(void)
{
	gdt_init();
	idt_init();
	features_init();

	/* FPU/SSE for user threads: fxsave/fxrstor, switched lazily through
	 * CR0.TS so a thread that never touches the FPU never pays for it. */
	/* -EM, +MP, +NE (x87 errors as #MF), +AM (a user thread that sets
	 * RFLAGS.AC gets #AC on unaligned accesses; the kernel is unaffected) */
	write_cr0((read_cr0() & ~BIT(2)) | BIT(1) | BIT(5) | BIT(18));
	u64 cr4 = read_cr4() | BIT(9) | BIT(10) | BIT(7); /* OSFXSR, OSXMMEXCPT, PGE */
	if (cpu_features & LM_CPU_PCID)
		cr4 |= BIT(17);
	/* The kernel never runs user code and touches user pages by their
	 * user addresses in one place only, the exception fast path's copy of
	 * the frame (entry.S, between its STAC and SYSRET); everywhere else
	 * user memory is reached through the direct map after a walk
	 * (vspace.c). So SMEP and SMAP cost nothing and turn a kernel bug that
	 * would do either into a fault. With SMAP, every entry clears AC
	 * (FMASK for SYSCALL; the clac patched in here for interrupts and
	 * exceptions, which keep user mode's AC). */
	if (cpu_features & LM_CPU_SMEP)
		cr4 |= BIT(20);
	if (cpu_features & LM_CPU_SMAP) {
		static const u8 clac[3] = { 0x0f, 0x01, 0xca }, stac[3] = { 0x0f, 0x01, 0xcb };
		memcpy(isr_clac, clac, sizeof(clac));
		memcpy(isr_exc_clac, clac, sizeof(clac));
		memcpy(isr_exc_fault_clac, clac, sizeof(clac));
		memcpy(isr_exc_stac, stac, sizeof(stac));
		cr4 |= BIT(21);
	}
	write_cr4(cr4); /* serialising: the patched entry is fetched afresh */

	/* SYSCALL: kernel CS/SS from STAR[47:32]; SYSRET user SS = +8, CS = +16. */
	wrmsr(MSR_STAR, ((u64)(SEL_UDATA - 8 - 3) << 48) | ((u64)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (u64)syscall_entry);
	wrmsr(MSR_FMASK, 0x47700); /* clear IF, TF, DF, AC, NT, IOPL on entry */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1); /* SCE */

	cpu0.kstack_top = (u64)kstack + sizeof(kstack);
	wrmsr(MSR_GS_BASE, (u64)&cpu0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	cpu0.cr0 = read_cr0();
}

void fpu_init_state(void *fxarea)
{
	u8 *fx = fxarea;
	memset(fx, 0, 512);
	*(u16 *)fx = 0x37f;          /* FCW: all exceptions masked */
	*(u32 *)(fx + 24) = 0x1f80;  /* MXCSR: all exceptions masked */
}

/* #NM: the current thread touched the FPU while another's state is loaded. */
void fpu_trap(void)
{
	struct tcb *cur = cpu0.cur, *old = cpu0.fpu_owner;
	clts();
	if (old) {
		__asm__ volatile("fxsave64 (%0)" :: "r"(old->fx) : "memory");
		old->cr0 |= CR0_TS;
	}
	__asm__ volatile("fxrstor64 (%0)" :: "r"(cur->fx) : "memory");
	cpu0.fpu_owner = cur;
	cur->cr0 &= ~CR0_TS;
	cpu0.cr0 = cur->cr0;
}

/* Clear n bytes at d (kernel memory: a new object or frame). Whole KiB
 * go through zero_sse (zero.S), which keeps xmm0 for whoever owns the FPU
 * registers; CR0.TS, set when the current thread is not that owner, is
 * cleared around it so the kernel's own use raises no #NM, and set again
 * so that the thread's first FPU use still does. */
void kzero(void *d, u64 n)
{
	if (n < 1024 || ((uptr)d | n) & 1023) {
		memset(d, 0, n);
		return;
	}
	/* cpu0.cr0 is CR0 as last written (switch.h): put back as it was */
	bool ts = cpu0.cr0 & CR0_TS;
	if (ts)
		clts();
	zero_sse(d, n);
	if (ts)
		write_cr0(cpu0.cr0);
}

void arch_idle(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

__attribute__((noreturn)) void qemu_exit(u8 code)
{
	outb(0xf4, code); /* isa-debug-exit, when QEMU has it */
	outw(0x604, 0x2000); /* ACPI power off on QEMU's PC machine */
	for (;;)
		__asm__ volatile("cli; hlt");
}
