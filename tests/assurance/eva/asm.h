/*
 * EVA only (tests/assurance/eva.sh puts this directory first on the
 * include path): the kernel's asm.h, except for instructions whose asm
 * output EVA cannot see written, which the harnesses model instead:
 * CR0 (read_cr0 is the harness's model: CR0 as the kernel last wrote it,
 * cpu0.cr0), CR3 and CR4 as kmain reads them (eva_boot.c) and the I/O-port reads (a
 * device's port gives any value of its width: eva_ipc.c). The writes (an
 * asm with inputs only) change nothing EVA sees, as the hardware's.
 */
#ifndef EVA_ASM_H
#define EVA_ASM_H
#define read_cr0 asm_read_cr0
#define read_cr3 asm_read_cr3
#define read_cr4 asm_read_cr4
#define inb asm_inb
#define inw asm_inw
#define inl asm_inl
#include_next "asm.h"
#undef read_cr0
#undef read_cr3
#undef read_cr4
#undef inb
#undef inw
#undef inl
u64 read_cr0(void);
u64 read_cr3(void); /* kmain's (eva_boot.c) */
u64 read_cr4(void);
u8 inb(u16 port);
u16 inw(u16 port);
u32 inl(u16 port);
#endif
