/*
 * Frama-C EVA harness for the kernel's boot code (tests/assurance/eva.sh,
 * docs/ASSURANCE.md, "Issue 15: the boot code"): multiboot.c, bootmem.c,
 * elf.c, root.c and main.c's kmain, over the rest of the kernel they call
 * (cap.c, mdb.c, cnode.c, vspace.c, asid.c, thread.c, sched.c, irq.c,
 * bpf/prog.c). Two kinds of boot, kept apart:
 *
 *   LOADER  boot_memory (multiboot_parse, then the reservations kmain
 *           makes) and the eBPF workspace's allocation, on loader input
 *           that is anything the format allows: magic MB1, MB2 or any
 *           other; every field of the info block nondeterministic except
 *           what the format promises (multiboot 1: its buffers readable,
 *           its strings terminated; multiboot 2: total bytes readable).
 *   KERNEL  kmain itself to its end (root_create, the scheduler's first
 *           choice) on a multiboot 1 boot whose memory map is fixed (so
 *           that boot allocations land at known addresses: the model
 *           below) and whose modules and root ELF image are one of a set
 *           of hostile cases (elf_case, mods_case), some with fields left
 *           nondeterministic.
 *
 * Physical memory is typed (eva/arch.h: phys_to_virt is this file's): the
 * loader's buffers, the module images, the kernel image, then each boot
 * allocation at the address first fit gives it (an address outside the
 * model is an out-of-bounds alarm where the kernel uses it, so a change
 * in root.c's order shows, not as silent imprecision): the
 * verifier's workspace, root's CNode (slots), its top-level table and the
 * 64 tables of the pool (pt_mem), its TCB, the bootinfo page, and every
 * other frame (frame_mem, bytes). Hardware is stubbed: serial, CPU setup,
 * the APIC and timer, CR3/CR4 (eva/asm.h), the IOAPIC (two registers),
 * return_to_user. panic ends a path: at boot it is a refusal (which inputs
 * reach it: the log's Frama_C_show_each_panic lines, docs/ASSURANCE.md).
 * No harness assertion but cases_fit: eva.sh fails on any unproved one.
 * EVA_BOOT_SET=1 (eva.sh's run boot): the root images whose page loops
 * have fixed bounds; unset (bootall): every case.
 */
#include "__fc_builtin.h"
#include <string.h> /* Frama-C's specifications of memset and memcpy */
#include "arch.h"
#include "multiboot.h"
#include "thread.h"
#include "vspace.h"
#include "bpf/verify.h"
#include <lamina/bootinfo.h>
#include <lamina/elf.h>

#define MB1_MAGIC 0x2badb002u
#define MB2_MAGIC 0x36d76289u

/* The loader's buffers, below 1 MiB as QEMU's and GRUB's are. */
#define INFO_PA  0x9000ull
#define INFO_SZ  256
#define MODS_PA  0xa000ull
#define MODS_K   4                        /* where the list may start: 16 * 0 .. MODS_K */
#define MODS_N   (LM_BI_MAX_MODULES + 1 + MODS_K)
#define STR_PA   0xb000ull
#define STR_SZ   4096 /* multiboot.c reads a string up to 4 KiB */
#define MMAP_PA  0xc000ull
#define MMAP_SZ  256
/* The kernel image, the modules' images, the end of RAM. */
#define KERN_PA  0x100000ull
#define KERN_SZ  0x100000ull
#define MOD_PA   (RAM_END - MOD_SZ) /* the top of RAM: frames may follow the images */
#define MOD_SZ   0x10000ull
#define RAM_END  0x1000000ull
/* Boot allocations, first fit from the end of the kernel image. */
#define WS_PA    0x200000ull
#define WS_SZ    ALIGN_UP(sizeof(struct bpf_verify_ws) + 1, 4096)
#define CN_PA    (WS_PA + WS_SZ)
#define CN_SZ    (1ull << (12 + LM_SLOT_BITS))
#define PML4_PA  (CN_PA + CN_SZ)
#define TCB_PA   (PML4_PA + 4096)
#define POOL_PA  (TCB_PA + 4096) /* the TCB's 2 KiB, the rest of its page unused */
#define NPOOL    64
#define BI_PA    (POOL_PA + NPOOL * 4096ull)
#define FR_PA    (BI_PA + 4096)
#define FR_SZ    (MOD_PA - FR_PA)

struct percpu cpu0;
struct tss tss;
u32 cpu_features;
u64 tsc_khz;
u64 boot_pml4[512];

static u8 info_mem[INFO_SZ] __attribute__((aligned(8)));
static u32 mods_mem[MODS_N][4];
static char str_mem[STR_SZ];
static u8 mmap_mem[MMAP_SZ] __attribute__((aligned(8)));
static u8 kern_mem[KERN_SZ];
static u8 mod_mem[MOD_SZ] __attribute__((aligned(8)));
static u8 ws_mem[64];
static struct slot cn_mem[1 << 12] __attribute__((aligned(1 << 12)));
static u64 pt_mem[1 + NPOOL][512];
/* A TCB object: 2^LM_TCB_BITS bytes (boot_alloc zeroes them all), a
 * struct tcb at its start. */
static union { struct tcb t; u8 bytes[1 << LM_TCB_BITS]; } tcb_obj __attribute__((aligned(1 << LM_TCB_BITS)));
#define tcb_mem tcb_obj.t
static u64 bi_page[512];
static u8 frame_mem[FR_SZ];
static u32 ioapic_regs[8];

void *phys_to_virt(u64 pa)
{
	if (pa >= INFO_PA && pa < INFO_PA + INFO_SZ)
		return &info_mem[pa - INFO_PA];
	if (pa >= MODS_PA && pa < MODS_PA + sizeof(mods_mem))
		return (u8 *)mods_mem + (pa - MODS_PA);
	if (pa >= STR_PA && pa < STR_PA + STR_SZ)
		return &str_mem[pa - STR_PA];
	if (pa >= MMAP_PA && pa < MMAP_PA + MMAP_SZ)
		return &mmap_mem[pa - MMAP_PA];
	if (pa >= KERN_PA && pa < KERN_PA + KERN_SZ)
		return &kern_mem[pa - KERN_PA];
	if (pa >= MOD_PA && pa < MOD_PA + MOD_SZ)
		return &mod_mem[pa - MOD_PA];
	if (pa == 0xfec00000ull)
		return ioapic_regs;
	/* Boot allocations (no assertion here: eva.sh fails on an unproved
	 * one; an address outside the model is an out-of-bounds alarm at
	 * its use in the kernel instead, counted in the baseline). */
	if (pa == WS_PA)
		return ws_mem;
	if (pa == CN_PA)
		return cn_mem;
	if (pa == TCB_PA)
		return &tcb_obj;
	if (pa == PML4_PA)
		return pt_mem[0];
	if (pa >= POOL_PA && pa < POOL_PA + NPOOL * 4096ull)
		return pt_mem[1 + ((pa - POOL_PA) >> 12)];
	if (pa == BI_PA)
		return bi_page;
	return &frame_mem[pa - FR_PA]; /* out of bounds unless FR_PA <= pa < FR_PA + FR_SZ */
}

u64 virt_to_phys(const void *va)
{
	return 0x1000; /* boot_pml4's, the only address asked (schedule's idle) */
}
u64 kernel_image_start(void) { return KERN_PA; }
u64 kernel_image_end(void) { return KERN_PA + KERN_SZ; }

/* Hardware. */
void serial_init(void) { }
void cpu_init(void) { cpu_features = Frama_C_unsigned_int_interval(0, 0xffffffffu); }
void kmap_init(void) { }
void apic_init(void) { tsc_khz = Frama_C_unsigned_long_interval(0, 10000000); }
void timer_start(void) { }
void arch_idle(void) { }
u64 read_cr0(void) { return cpu0.cr0; }
u64 read_cr3(void) { return 0x1000; } /* boot.S's tables (virt_to_phys(boot_pml4)) */
u64 read_cr4(void) { return Frama_C_unsigned_long_interval(0, 0xffffffffull); }
void return_to_user(void)
{
	Frama_C_show_each_booted(cpu0.cur, root_tcb, tcb_mem.frame.rip); /* root runs */
	while (1)
		;
}

int __builtin_ctzll(unsigned long long x)
{
	int n = 0;
	//@ loop unroll 64;
	for (unsigned long long b = 1; b && !(x & b); b <<= 1)
		n++;
	return n;
}

void kmain(u32 magic, u64 info);
void kprintf(const char *fmt, ...) { }
void panic(const char *fmt, ...)
{
	/* KASSERT's "assertion failed: %s at %s:%d" (no other panic's text
	 * starts "ass"): its condition's text, file, line */
	if (fmt[0] == 'a' && fmt[1] == 's' && fmt[2] == 's') {
		va_list ap;
		va_start(ap, fmt);
		void *a = va_arg(ap, void *), *file = va_arg(ap, void *);
		int line = va_arg(ap, int);
		va_end(ap);
		Frama_C_show_each_kassert(a, file, line);
	}
	Frama_C_show_each_panic(fmt);
	while (1)
		;
}

/* Not reached at boot (no thread but root, which nothing preempts). */
void upcall_preempted(struct tcb *t, u64 why)
{
	Frama_C_show_each_unreached(t, why);
}
void switch_bases(const struct tcb *t) { }
void fpu_init_state(void *fxarea) { }

/* ---- LOADER: anything the format allows ---------------------------- */

/* Strings: anything (of any length up to the 4 KiB multiboot.c reads,
 * terminated or not). */
static u32 str_pa(void) { return STR_PA; }

static void mb1_any(void)
{
	u32 *mi = (u32 *)info_mem;
	Frama_C_make_unknown((char *)info_mem, INFO_SZ); /* flags, counts, mem_upper */
	Frama_C_make_unknown(str_mem, STR_SZ);
	mi[4] = str_pa();
	Frama_C_make_unknown((char *)mods_mem, sizeof(mods_mem)); /* starts, ends */
	for (int i = 0; i < MODS_N; i++)
		mods_mem[i][2] = str_pa();
	mi[6] = MODS_PA + 16 * Frama_C_interval(0, MODS_K);
	Frama_C_make_unknown((char *)mmap_mem, MMAP_SZ); /* sizes, bases, lengths, types */
	mi[11] = Frama_C_interval(0, MMAP_SZ / 2);
	mi[12] = MMAP_PA + Frama_C_interval(0, MMAP_SZ / 2);
}

static void mb2_any(void)
{
	Frama_C_make_unknown((char *)info_mem, INFO_SZ); /* tags: types, sizes, fields */
	*(u32 *)info_mem = Frama_C_interval(0, INFO_SZ);
}

static void boot_loader(void)
{
	static struct bootparams b;
	u32 magic;
	switch (Frama_C_interval(0, 2)) {
	case 0: magic = MB1_MAGIC; mb1_any(); break;
	case 1: magic = MB2_MAGIC; mb2_any(); break;
	default: magic = Frama_C_unsigned_int_interval(0, 0xffffffffu); break;
	}
	boot_memory(magic, INFO_PA, &b);
	Frama_C_show_each_ram(b.ram.n, b.loader_ram.n);
	/* (b.nmods <= LM_BI_MAX_MODULES is not provable here: the parsers'
	 * loops widen it; its users bound their loops by the constant too.) */
	u64 ws = bootmem_alloc(&b.ram, ALIGN_UP(bpf_verify_ws_size + 1, 4096), 4096);
	Frama_C_show_each_ws(ws);
}

/* ---- KERNEL: kmain on hostile modules and root images -------------- */

/* The root ELF image, at MOD_PA: a header, program headers at phoff, the
 * segments' bytes (anything) after. E_GOOD is a valid image of two
 * segments (text, data with bss); each other case breaks one thing. */
enum {
	E_GOOD, E_NO_PHDR, E_SHORT, E_MAGIC, E_CLASS, E_MACHINE, E_TYPE, E_PHENTSIZE,
	E_PHOFF_PAST, E_PHNUM_PAST, E_PHOFF_ODD, E_ENTRY_LOW, E_ENTRY_HIGH, E_FILESZ, E_OFFSET_PAST,
	E_FILE_PAST, E_VADDR_LOW, E_VADDR_HIGH, E_MEM_PAST, E_OVERLAP, E_BOOTINFO, E_STACK,
	E_MODULES, E_NOT_LOAD, E_MEMSZ0, E_MANY_TABLES, E_BIG, E_ANY_SEG, E_ANY, E_ANY_ODD, E_ANY_END, NELF
};
enum { M_ROOT_ONLY, M_NO_ROOT, M_NONE, M_EMPTY_AND_BACKWARDS, M_OVERLAPS, M_ANY_SIZE, M_TOO_MANY, NMODS };
static int elf_case, mod_case;

#define IMG_SZ 0x3000ull
#define NPH_MAX 30

static u64 root_image(void)
{
	struct lm_elf_ehdr *eh = (struct lm_elf_ehdr *)mod_mem;
	struct lm_elf_phdr ph[NPH_MAX];
	u64 size = IMG_SZ, phoff = sizeof(*eh);
	int nph = 2;
	Frama_C_make_unknown((char *)mod_mem, MOD_SZ);
	memset(eh, 0, sizeof(*eh));
	memcpy(eh->ident, "\x7f" "ELF", 4);
	eh->ident[4] = LM_ELF_CLASS64;
	eh->type = LM_ELF_EXEC;
	eh->machine = LM_ELF_X86_64;
	eh->phentsize = sizeof(struct lm_elf_phdr);
	eh->entry = 0x400000;
	memset(ph, 0, sizeof(ph));
	ph[0] = (struct lm_elf_phdr){ .type = LM_PT_LOAD, .flags = LM_PF_X, .offset = 0x1000,
				      .vaddr = 0x400000, .filesz = 0x1000, .memsz = 0x1000 };
	ph[1] = (struct lm_elf_phdr){ .type = LM_PT_LOAD, .flags = LM_PF_W, .offset = 0x2010,
				      .vaddr = 0x401010, .filesz = 0x100, .memsz = 0x2000 };
	switch (elf_case) {
	case E_NO_PHDR: nph = 0; break;
	case E_SHORT: size = 10; break;
	case E_MAGIC: eh->ident[1] = 'e'; break;
	case E_CLASS: eh->ident[4] = 1; break;
	case E_MACHINE: eh->machine = 3; break;
	case E_TYPE: eh->type = 3; break;
	case E_PHENTSIZE: eh->phentsize = 32; break;
	case E_PHOFF_PAST: phoff = size + 1; break;
	case E_PHNUM_PAST: nph = 0xffff; break;
	case E_PHOFF_ODD: phoff = 0x41; break;
	case E_ENTRY_LOW: eh->entry = 0; break;
	case E_ENTRY_HIGH: eh->entry = LM_USER_MAX; break;
	case E_FILESZ: ph[0].filesz = 0x1001; break;
	case E_OFFSET_PAST: ph[1].offset = size + 0x10; ph[1].filesz = 0; break;
	case E_FILE_PAST: ph[1].filesz = size - 0x2010 + 1; break;
	case E_VADDR_LOW: ph[1].vaddr = 0x800; break;
	case E_VADDR_HIGH: ph[1].vaddr = LM_USER_MAX; ph[1].memsz = 0; ph[1].filesz = 0; break;
	case E_MEM_PAST: ph[1].vaddr = LM_USER_MAX - 0x1000; break;
	case E_OVERLAP: ph[1].vaddr = 0x400800; break;
	case E_BOOTINFO: ph[1].vaddr = LM_BOOTINFO_VADDR; break;
	case E_STACK: ph[1].vaddr = LM_ROOT_STACK_TOP - 0x1000; break;
	case E_MODULES: ph[1].vaddr = 0x10000000000ull; break; /* root.c's MODULE_VBASE */
	case E_NOT_LOAD: Frama_C_make_unknown((char *)&ph[1], sizeof(ph[1])); ph[1].type = 2; break;
	case E_MEMSZ0: ph[1].memsz = ph[1].filesz = 0; break;
	case E_MANY_TABLES: /* a PD and a PT each: the pool runs out */
		nph = NPH_MAX;
		for (int i = 1; i < NPH_MAX; i++)
			ph[i] = (struct lm_elf_phdr){ .type = LM_PT_LOAD, .vaddr = (u64)i << 30, .memsz = 1 };
		break;
	case E_BIG: ph[1].memsz = 0x40000000; break; /* a GiB: tables or RAM run out */
	case E_ANY_SEG: /* the data segment's every field */
		Frama_C_make_unknown((char *)&ph[1], sizeof(ph[1]));
		break;
	case E_ANY: case E_ANY_ODD: case E_ANY_END:
		/* every field of the header (but phoff: one of three, the
		 * first program header where E_GOOD's is, at an odd offset,
		 * the last in the image) and of both segments */
		Frama_C_make_unknown((char *)eh, sizeof(*eh));
		Frama_C_make_unknown((char *)ph, 2 * sizeof(ph[0]));
		phoff = elf_case == E_ANY ? sizeof(*eh) : elf_case == E_ANY_ODD ? 0x41 : IMG_SZ - 2 * sizeof(ph[0]);
		eh->phoff = phoff;
		break;
	default: break;
	}
	if (elf_case < E_ANY) {
		eh->phoff = phoff;
		eh->phnum = nph;
	}
	if (phoff + 2 * sizeof(ph[0]) <= IMG_SZ)
		memcpy(mod_mem + phoff, ph, (nph > 2 && nph <= NPH_MAX ? nph : 2) * sizeof(ph[0]));
	return size;
}

static void put_module(int i, u64 start, u64 end, int name)
{
	mods_mem[i][0] = (u32)start;
	mods_mem[i][1] = (u32)end;
	mods_mem[i][2] = STR_PA + name;
}

/* Strings: "/boot/root" at 0 (its last word at 6), "x y" at 11, "" at 15. */
#define N_ROOT  0
#define N_ROOT2 6
#define N_XY    11
#define N_EMPTY 15

static void boot_kernel(void)
{
	u32 *mi = (u32 *)info_mem;
	memcpy(str_mem, "/boot/root\0x y\0", 16);
	mi[0] = BIT(3) | BIT(6);
	/* RAM: 0 .. 640 KiB and 1 MiB .. RAM_END; a reserved hole between. */
	u32 *e = (u32 *)mmap_mem;
	e[0] = 20; *(u64 *)&e[1] = 0;        *(u64 *)&e[3] = 0x9f000;            e[5] = 1;
	e[6] = 20; *(u64 *)&e[7] = 0x9f000;  *(u64 *)&e[9] = 0x61000;            e[11] = 2;
	e[12] = 20; *(u64 *)&e[13] = KERN_PA; *(u64 *)&e[15] = RAM_END - KERN_PA; e[17] = 1;
	mi[11] = 72;
	mi[12] = MMAP_PA;
	mi[6] = MODS_PA;
	Frama_C_make_unknown((char *)kern_mem, KERN_SZ);
	/* One broken thing at a time: a root image with a good module list,
	 * or a module list with a good image. */
#if EVA_BOOT_SET == 1 /* the cases without a nondeterministic segment */
	int c = Frama_C_interval(0, NELF + NMODS - 2);
	if (c >= E_MANY_TABLES && c < NELF)
		c = E_GOOD;
#elif EVA_BOOT_SET == 2 /* only those */
	int c = Frama_C_interval(E_MANY_TABLES, NELF - 1);
#else
	int c = Frama_C_interval(0, NELF + NMODS - 2);
#endif
	//@ split c;
	elf_case = c < NELF ? c : E_GOOD;
	mod_case = c < NELF ? M_ROOT_ONLY : c - NELF + 1;
	u64 size = root_image(); /* the root module at MOD_PA */
	int n = 1;
	put_module(0, MOD_PA, MOD_PA + size, N_ROOT);
	switch (mod_case) {
	case M_NO_ROOT: put_module(0, MOD_PA, MOD_PA + size, N_XY); break;
	case M_NONE: n = 0; break;
	case M_EMPTY_AND_BACKWARDS:
		put_module(n++, MOD_PA + 0x8000, MOD_PA + 0x8000, N_EMPTY);
		put_module(n++, MOD_PA + 0x9000, MOD_PA + 0x8000, N_XY);
		break;
	case M_OVERLAPS: /* the kernel, the info block, root itself (named root too: the last wins) */
		put_module(n++, KERN_PA + 0x800, KERN_PA + 0x2800, N_XY);
		put_module(n++, INFO_PA, INFO_PA + INFO_SZ, N_XY);
		put_module(n++, MOD_PA, MOD_PA + size, N_ROOT2);
		break;
	case M_ANY_SIZE: /* 0 .. 3 pages and a bit */
		put_module(n++, MOD_PA + 0x8000, MOD_PA + 0x8000 + Frama_C_interval(0, 0x3010), N_XY);
		break;
	case M_TOO_MANY:
		for (; n < LM_BI_MAX_MODULES + 1; n++)
			put_module(n, MOD_PA + 0x8000 + 0x100 * n, MOD_PA + 0x8000 + 0x100 * n + 0x40, N_XY);
		break;
	default:
		break;
	}
	mi[5] = n;
	/* One call site a case: EVA joins the states a call site is reached
	 * with, so each case's kmain is analysed on its own. */
#define K(i) case i: kmain(MB1_MAGIC, INFO_PA); break;
#define K8(i) K(i) K(i + 1) K(i + 2) K(i + 3) K(i + 4) K(i + 5) K(i + 6) K(i + 7)
	switch (c) {
	K8(0) K8(8) K8(16) K8(24) K8(32)
	default: break;
	}
	//@ assert cases_fit: c < 40;
}

int main(void)
{
#ifdef EVA_BOOT_KIND /* one kind only (to study its alarms) */
	int kind = EVA_BOOT_KIND;
#else
	int kind = Frama_C_interval(0, 1);
#endif
	//@ split kind;
	if (kind)
		boot_kernel();
	else
		boot_loader();
	return 0;
}
