/*
 * What the two halves of the eBPF ELF loader share: bpf_elf.c checks an
 * object and reads its parts, bpf_elf_link.c builds a program from them.
 *
 * Invariant after bpf_obj_open succeeds: every section header index below
 * shnum is readable, every section but NOBITS lies inside the image, every
 * section name is a NUL-terminated string inside the name table, and the
 * symbol table and each REL section that applies to an executable section
 * have the right entry size and a whole number of entries. Symbols and
 * relocation entries are still checked one by one when they are read.
 */
#ifndef BPF_ELF_INT_H
#define BPF_ELF_INT_H

#include <lamina/elf.h>
#include <lm/bpf_elf.h>

struct bpf_obj {
	const lm_u8 *img;
	lm_u64 size;
	lm_u32 shnum;
	lm_u32 symtab;          /* section index; 0: no symbol table */
	lm_u32 nsyms;
	lm_u32 text;            /* index of .text; 0: none */
	struct lm_bpf_elf_error *err;
};

int bpf_obj_open(struct bpf_obj *o, const void *img, lm_u64 size,
		 struct lm_bpf_elf_error *err);
void bpf_obj_shdr(const struct bpf_obj *o, lm_u32 i, struct lm_elf_shdr *sh);
const char *bpf_obj_secname(const struct bpf_obj *o, lm_u32 i);
int bpf_obj_is_prog(const struct bpf_obj *o, lm_u32 i);

/* Symbol idx, checked (its section index below shnum or special). */
int bpf_obj_sym(const struct bpf_obj *o, lm_u64 idx, struct lm_elf_sym *sym);
/* A symbol's name for messages: its own, its section's, or "?". */
const char *bpf_obj_symname(const struct bpf_obj *o, const struct lm_elf_sym *sym);
/* The function symbol starting at byte off of section sec: 1 found (with
 * its range checked inside the section), 0 none, or -LM_EINVAL. */
int bpf_obj_func_at(const struct bpf_obj *o, lm_u32 sec, lm_u64 off, lm_u64 *size);
/* The relocation of section sec at byte off: 1 found, 0 none. */
int bpf_obj_rel_at(const struct bpf_obj *o, lm_u32 sec, lm_u64 off, struct lm_elf_rel *rel);

/* Record why the load failed ("%s" and "%u" for an lm_u64 only); returns code. */
int bpf_elf_fail(struct lm_bpf_elf_error *err, int code, const char *fmt, ...);

#endif
