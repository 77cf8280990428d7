/*
 * Checking and reading an ELF64 x86-64 executable held in memory. The image
 * is untrusted: lm_elf_check validates everything the loader later relies
 * on and answers LM_EINVAL (malformed) or LM_ERANGE (an address outside user
 * space) instead of reading out of bounds. After a successful check,
 * lm_elf_segment cannot fail for i < the count it returned.
 */
#ifndef LM_ELF_H
#define LM_ELF_H

#include <lamina/types.h>

#define LM_ELF_MAX_PHDRS 64

struct lm_elf_seg {
	lm_u64 vaddr;  /* where it goes */
	lm_u64 memsz;  /* bytes in memory (the tail past filesz is zero) */
	lm_u64 filesz; /* bytes taken from the file */
	lm_u64 offset; /* where they are in the file */
	lm_u32 rights; /* LM_R_READ, plus LM_R_WRITE / LM_R_EXEC from p_flags */
};

/* Validate the image; store the entry point and the number of loadable
 * segments (PT_LOAD with memsz > 0). Rules: ELF64, little-endian, x86-64,
 * ET_EXEC; header and program headers inside the image; each loadable
 * segment inside the file, filesz <= memsz, inside
 * [LM_USER_MIN, LM_USER_MAX) with no overflow; no two segments touching the
 * same page; the entry inside an executable segment. */
int lm_elf_check(const void *img, lm_u64 size, lm_u64 *entry, lm_u32 *nsegs);

/* The i-th loadable segment of a checked image. */
int lm_elf_segment(const void *img, lm_u64 size, lm_u32 i, struct lm_elf_seg *seg);

#endif
