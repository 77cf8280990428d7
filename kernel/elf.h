/* The part of ELF64 the kernel needs to start the root task. */
#ifndef ELF_H
#define ELF_H

#include "kernel.h"

#include <lamina/elf.h>

bool elf_check(const u8 *img, u64 size, const struct lm_elf_phdr **ph, int *nph);

#endif
