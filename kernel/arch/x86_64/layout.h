/* Virtual memory layout of the kernel; shared by C and assembly. */
#ifndef LAYOUT_H
#define LAYOUT_H

#define KERNEL_VMA  0xffffffff80000000
#define DIRECT_MAP  0xffff800000000000
/* The direct map covers physical memory below this bound; RAM above it is
 * not used (documented limit of this version). */
#define DIRECT_MAP_LIMIT 0x100000000
#define KSTACK_SIZE 16384
/* The code window (kmap.c): JIT'ed eBPF, read-only and executable, in the
 * top GiB of the kernel half; one page table, so 512 pages (2 MiB). */
#define CODEWIN_BASE  0xffffffffc0000000
#define CODEWIN_PAGES 512

/* Segment selectors (cpu.c builds the GDT in this order; SYSRET needs
 * user data right below user code). */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23
#define SEL_TSS   0x28

#endif
