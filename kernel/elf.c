/* Validation of the root task's ELF image: every offset and address it
 * gives must lie inside the file and inside user space. */
#include <lamina/object.h>
#include "elf.h"

bool elf_check(const u8 *img, u64 size, const struct elf_phdr **php, int *nph)
{
	const struct elf_ehdr *eh = (const void *)img;
	if (size < sizeof(*eh) || memcmp(eh->e_ident, "\x7f" "ELF", 4) || eh->e_ident[4] != 2 ||
	    eh->e_machine != 62 || eh->e_type != 2 || eh->e_phentsize != sizeof(struct elf_phdr))
		return false;
	if (eh->e_phoff > size || (size - eh->e_phoff) / sizeof(struct elf_phdr) < eh->e_phnum)
		return false;
	const struct elf_phdr *ph = (const void *)(img + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset > size ||
		    size - ph[i].p_offset < ph[i].p_filesz || ph[i].p_vaddr < LM_USER_MIN ||
		    ph[i].p_vaddr >= LM_USER_MAX || LM_USER_MAX - ph[i].p_vaddr < ph[i].p_memsz)
			return false;
	}
	*php = ph;
	*nph = eh->e_phnum;
	return eh->e_entry >= LM_USER_MIN && eh->e_entry < LM_USER_MAX;
}
