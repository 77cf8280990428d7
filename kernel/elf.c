/* Validation of the root task's ELF image: every offset and address it
 * gives must lie inside the file and inside user space. */
#include <lamina/object.h>
#include "elf.h"

bool elf_check(const u8 *img, u64 size, const struct lm_elf_phdr **php, int *nph)
{
	const struct lm_elf_ehdr *eh = (const void *)img;
	if (size < sizeof(*eh) || memcmp(eh->ident, "\x7f" "ELF", 4) || eh->ident[4] != 2 ||
	    eh->machine != 62 || eh->type != 2 || eh->phentsize != sizeof(struct lm_elf_phdr))
		return false;
	if (eh->phoff > size || (size - eh->phoff) / sizeof(struct lm_elf_phdr) < eh->phnum)
		return false;
	const struct lm_elf_phdr *ph = (const void *)(img + eh->phoff);
	for (int i = 0; i < eh->phnum; i++) {
		if (ph[i].type != LM_PT_LOAD)
			continue;
		if (ph[i].filesz > ph[i].memsz || ph[i].offset > size ||
		    size - ph[i].offset < ph[i].filesz || ph[i].vaddr < LM_USER_MIN ||
		    ph[i].vaddr >= LM_USER_MAX || LM_USER_MAX - ph[i].vaddr < ph[i].memsz)
			return false;
	}
	*php = ph;
	*nph = eh->phnum;
	return eh->entry >= LM_USER_MIN && eh->entry < LM_USER_MAX;
}
