/*
 * What the kernel tells the root task at boot. The page is mapped read-only
 * at LM_BOOTINFO_VADDR in the root task, whose rdi holds that address.
 */
#ifndef LAMINA_BOOTINFO_H
#define LAMINA_BOOTINFO_H

#include <lamina/types.h>

#define LM_BOOTINFO_MAGIC 0x4c414d494e41424full /* "LAMINABO" */
#define LM_BOOTINFO_VADDR 0x7fffffe00000ull
#define LM_ROOT_STACK_TOP 0x7ffffff00000ull /* grows down, 64 KiB mapped */
#define LM_ROOT_STACK_PAGES 16

/* Fixed slots in the root task's capability space. */
#define LM_SLOT_NULL     0 /* never holds a capability */
#define LM_SLOT_CNODE    1 /* the root's own CNode */
#define LM_SLOT_VSPACE   2 /* the root's address space */
#define LM_SLOT_TCB      3 /* the root's thread */
#define LM_SLOT_IOPORT   4 /* all I/O ports */
#define LM_SLOT_BOOTINFO 5 /* the frame holding this page */
#define LM_SLOT_IRQCTL   6 /* claims interrupt lines */
#define LM_SLOT_DEBUG    7 /* the kernel's debug calls (DEBUG_*): root's only */
#define LM_SLOT_FIRST_BOOT 8 /* boot-made frames/tables, untyped, modules follow */

#define LM_BI_MAX_UNTYPED 128
#define LM_BI_MAX_MODULES 24 /* 16 were all used once the Linux programs came */
#define LM_BI_NAME_LEN    32
#define LM_BI_CMDLINE_LEN 256

struct lm_bi_untyped {
	lm_u64 paddr;
	lm_u32 slot;
	lm_u8  size_bits;
	lm_u8  pad[3];
};

/* A boot module: its bytes lie in `nframes` consecutive 4 KiB frame
 * capabilities starting at `slot`, and are also mapped read-only in the root
 * task at `vaddr` for convenience. */
struct lm_bi_module {
	char   name[LM_BI_NAME_LEN];
	lm_u64 size;
	lm_u64 vaddr;
	lm_u32 slot;
	lm_u32 nframes;
};

struct lm_bootinfo {
	lm_u64 magic;
	lm_u32 cnode_bits;     /* root CNode has 2^cnode_bits slots */
	lm_u32 first_free;     /* first empty slot; all later ones are empty */
	lm_u32 boot_first;     /* slots [boot_first, boot_end): frames and */
	lm_u32 boot_end;       /*   tables the kernel made for the root image */
	lm_u32 n_untyped;
	lm_u32 n_modules;
	lm_u64 tsc_khz;        /* measured TSC frequency */
	lm_u64 ram_bytes;      /* usable RAM found in the firmware map */
	lm_u32 cpu_features;   /* LM_CPU_* bits the kernel found and uses */
	lm_u32 console_slot;   /* slot of a console endpoint, 0 if none (the
				* kernel gives the root task none; parents set it) */
	lm_u32 debug_slot;     /* slot of the debug capability, 0 if none (the
				* kernel gives root LM_SLOT_DEBUG; parents set it) */
	lm_u32 asid_slot;      /* slot of an address-space ID range (LM_OBJ_ASIDS),
				* 0 if none (the kernel gives root one covering
				* every usable ID; parents set it) */
	char   cmdline[LM_BI_CMDLINE_LEN];
	struct lm_bi_untyped untyped[LM_BI_MAX_UNTYPED];
	struct lm_bi_module  modules[LM_BI_MAX_MODULES];
};
LM_STATIC_ASSERT(sizeof(struct lm_bootinfo) <= 4096, "bootinfo fits a page");

#define LM_CPU_PCID     0x1u
#define LM_CPU_X2APIC   0x2u
#define LM_CPU_TSCDL    0x4u
#define LM_CPU_NX       0x8u
#define LM_CPU_1G_PAGES 0x10u
#define LM_CPU_FSGSBASE 0x20u
#define LM_CPU_SMEP     0x40u
#define LM_CPU_SMAP     0x80u

#endif
