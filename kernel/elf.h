/* The part of ELF64 the kernel needs to start the root task. */
#ifndef ELF_H
#define ELF_H

#include "kernel.h"

struct elf_ehdr {
	u8 e_ident[16];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf_phdr {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

#define PT_LOAD 1
#define PF_X 1
#define PF_W 2

bool elf_check(const u8 *img, u64 size, const struct elf_phdr **ph, int *nph);

#endif
