/*
 * The ELF64 executable format, as far as Lamina uses it: boot modules are
 * ELF64 x86-64 executables (the kernel starts the root task from one, and
 * liblamina loads the others).
 */
#ifndef LAMINA_ELF_H
#define LAMINA_ELF_H

#include <lamina/types.h>

struct lm_elf_ehdr {
	lm_u8 ident[16];
	lm_u16 type, machine;
	lm_u32 version;
	lm_u64 entry, phoff, shoff;
	lm_u32 flags;
	lm_u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
LM_STATIC_ASSERT(sizeof(struct lm_elf_ehdr) == 64, "ELF64 header");

struct lm_elf_phdr {
	lm_u32 type, flags;
	lm_u64 offset, vaddr, paddr, filesz, memsz, align;
};
LM_STATIC_ASSERT(sizeof(struct lm_elf_phdr) == 56, "ELF64 program header");

#define LM_ELF_CLASS64  2    /* ident[4] */
#define LM_ELF_EXEC     2    /* type */
#define LM_ELF_X86_64   62   /* machine */
#define LM_PT_LOAD      1
#define LM_PF_X         1
#define LM_PF_W         2
#define LM_PF_R         4

#endif
