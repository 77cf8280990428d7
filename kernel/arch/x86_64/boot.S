/*
 * Entry from a multiboot (QEMU -kernel) or multiboot2 (GRUB) loader: 32-bit
 * protected mode, paging off, eax = loader magic, ebx = info (physical).
 * Builds the boot page tables (identity map of the low 4 GiB, the same
 * memory at the direct map 0xffff800000000000, and the kernel image at
 * 0xffffffff80000000), enters long mode and jumps to kmain(magic, info)
 * in the higher half. The identity map is dropped by kmain.
 */
#include "layout.h"

#define PHYS(x) ((x) - KERNEL_VMA)
#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x3            /* page-align modules, give memory map */
#define MB2_MAGIC 0xe85250d6

	.section .multiboot, "a"
	.align 4
mb1_header:
	.long MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS)

	.align 8
mb2_header:
	.long MB2_MAGIC, 0, mb2_end - mb2_header
	.long -(MB2_MAGIC + (mb2_end - mb2_header))
	.align 8
	.short 6, 0               /* module alignment tag: page-align modules */
	.long 8
	.align 8
	.short 0, 0               /* end tag */
	.long 8
mb2_end:

	.section .boot.text, "ax"
	.code32
	.globl boot_entry32
boot_entry32:
	cli
	cld
	mov %eax, %edi                 /* kmain arg 1: loader magic */
	mov %ebx, %esi                 /* kmain arg 2: info pointer */
	mov $PHYS(boot_stack_top), %esp

	/* Zero the boot page tables (they live in .bss, which the loader
	 * may not have cleared yet). */
	mov $PHYS(boot_pml4), %ebx
	xor %eax, %eax
	mov %ebx, %ecx
1:	movl $0, (%ecx)
	add $4, %ecx
	cmp $PHYS(boot_pt_end), %ecx
	jb 1b

	/* PML4: [0] and [256] -> the low-4-GiB PDPT, [511] -> high PDPT. */
	mov $PHYS(boot_pdpt_low), %eax
	or $3, %eax
	mov %eax, PHYS(boot_pml4)
	mov %eax, PHYS(boot_pml4) + 256*8
	mov $PHYS(boot_pdpt_high), %eax
	or $3, %eax
	mov %eax, PHYS(boot_pml4) + 511*8

	/* Low PDPT: four page directories covering 0..4 GiB. The kernel
	 * image (2 GiB below the top) reuses the first one. */
	mov $PHYS(boot_pd), %eax
	or $3, %eax
	mov %eax, PHYS(boot_pdpt_low)
	mov %eax, PHYS(boot_pdpt_high) + 510*8
	add $4096, %eax
	mov %eax, PHYS(boot_pdpt_low) + 8
	add $4096, %eax
	mov %eax, PHYS(boot_pdpt_low) + 16
	add $4096, %eax
	mov %eax, PHYS(boot_pdpt_low) + 24

	/* 2048 2-MiB entries; the top GiB (MMIO: local APIC, IOAPIC) uncached. */
	mov $PHYS(boot_pd), %ecx
	xor %eax, %eax                 /* physical address */
2:	mov %eax, %edx
	or $0x183, %edx                /* present, writable, 2 MiB, global */
	cmp $0xc0000000, %eax
	jb 3f
	or $0x18, %edx                 /* PCD | PWT */
3:	mov %edx, (%ecx)
	movl $0, 4(%ecx)
	add $8, %ecx
	add $0x200000, %eax
	jnz 2b                         /* wraps to 0 after 4 GiB */

	mov %cr4, %eax
	or $0x20, %eax                 /* PAE */
	mov %eax, %cr4
	mov $PHYS(boot_pml4), %eax
	mov %eax, %cr3

	/* EFER: long mode, and no-execute if the CPU has it. */
	mov %edi, %ebp
	mov $0x80000001, %eax
	cpuid
	mov $0x100, %eax               /* LME */
	bt $20, %edx
	jnc 4f
	or $0x800, %eax                /* NXE */
4:	mov %eax, %ebx
	mov $0xc0000080, %ecx
	rdmsr
	or %ebx, %eax
	wrmsr
	mov %ebp, %edi

	mov %cr0, %eax
	or $0x80010001, %eax           /* PG, WP, PE */
	mov %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $boot_entry64

	.code64
boot_entry64:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	movabs $boot_high, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff       /* kernel code, 64-bit */
	.quad 0x00cf92000000ffff       /* kernel data */
boot_gdt_ptr:
	.short boot_gdt_ptr - boot_gdt - 1
	.long boot_gdt

	.text
boot_high:
	movabs $boot_stack_top, %rsp
	xor %ebp, %ebp
	mov %edi, %edi                 /* upper halves are undefined after */
	mov %esi, %esi                 /* the switch: zero-extend */
	call kmain
5:	cli
	hlt
	jmp 5b

	.bss
	.align 4096
	.globl boot_pml4, boot_pdpt_low, boot_pdpt_high, boot_pd
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4 * 4096
boot_pt_end:
	.align 16
	.globl boot_stack_top
boot_stack:     .skip KSTACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
