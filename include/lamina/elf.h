/*
 * The ELF64 format, as far as Lamina uses it: boot modules are ELF64 x86-64
 * executables (the kernel starts the root task from one, and liblamina
 * loads the others); eBPF programs come as relocatable objects from
 * `clang -target bpf -c`, which liblamina links (lm/bpf_elf.h) into the raw
 * instructions the kernel takes.
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

/* Sections, symbols and relocations: what a relocatable object is made of. */
struct lm_elf_shdr {
	lm_u32 name, type;
	lm_u64 flags, addr, offset, size;
	lm_u32 link, info;
	lm_u64 addralign, entsize;
};
LM_STATIC_ASSERT(sizeof(struct lm_elf_shdr) == 64, "ELF64 section header");

struct lm_elf_sym {
	lm_u32 name;
	lm_u8 info, other;
	lm_u16 shndx;
	lm_u64 value, size;
};
LM_STATIC_ASSERT(sizeof(struct lm_elf_sym) == 24, "ELF64 symbol");

struct lm_elf_rel {
	lm_u64 offset;
	lm_u64 info;         /* symbol index << 32 | type */
};
LM_STATIC_ASSERT(sizeof(struct lm_elf_rel) == 16, "ELF64 relocation");

#define LM_ELF_CLASS64  2    /* ident[4] */
#define LM_ELF_EXEC     2    /* type */
#define LM_ELF_X86_64   62   /* machine */
#define LM_ELF_REL      1    /* type: a relocatable object */
#define LM_ELF_BPF      247  /* machine */
#define LM_PT_LOAD      1

#define LM_SHT_PROGBITS 1
#define LM_SHT_SYMTAB   2
#define LM_SHT_STRTAB   3
#define LM_SHT_RELA     4
#define LM_SHT_NOBITS   8
#define LM_SHT_REL      9
#define LM_SHF_EXECINSTR 0x4
#define LM_STT_FUNC     2    /* symbol type: info & 0xf */
#define LM_STT_SECTION  3

/* eBPF relocation types (the low 32 bits of lm_elf_rel.info). */
#define LM_R_BPF_NONE   0
#define LM_R_BPF_64_64  1    /* lddw: the address of a symbol (maps, data) */
#define LM_R_BPF_64_32  10   /* call: a function, target = value / 8 + imm + 1 */
#define LM_PF_X         1
#define LM_PF_W         2
#define LM_PF_R         4

#endif
