/* What runs before main: a program started with a bootinfo page (argument
 * LM_BOOTINFO_VADDR) prints through the console it names, if any. */
#include <lamina/bootinfo.h>
#include <lm/console.h>
#include <lm/sys.h>
#include <lm/vspace.h>

/* Here, not in vspace.c: a program that makes no address spaces does not
 * link the code that does. */
lm_cptr_t lm_asid_cap;

int main(lm_word_t arg);
int lm_start(lm_word_t arg);

int lm_start(lm_word_t arg)
{
	const struct lm_bootinfo *bi = (const struct lm_bootinfo *)arg;

	if (arg == LM_BOOTINFO_VADDR && bi->magic == LM_BOOTINFO_MAGIC) {
		if (bi->console_slot)
			lm_stdout_use(bi->console_slot);
		lm_debug_cap = bi->debug_slot;
		lm_asid_cap = bi->asid_slot;
	}
	return main(arg);
}
