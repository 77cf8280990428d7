/*
 * block: makes a notification nobody else holds and waits on it forever.
 * Only Ctrl-C in the shell ends it (tests/tools/test_shell.py).
 */
#include <lm/lamina.h>

int main(lm_word_t arg)
{
	const struct lm_bootinfo *bi = (const struct lm_bootinfo *)arg;
	lm_cptr_t n;
	int err;

	if (arg != LM_BOOTINFO_VADDR || bi->magic != LM_BOOTINFO_MAGIC || !bi->n_untyped) {
		lm_printf("block: no bootinfo or no memory\n");
		return 1;
	}
	n = bi->first_free;
	err = lm_untyped_retype(bi->untyped[0].slot, LM_OBJ_NOTIFY, 0, LM_SLOT_CNODE, n, 1);
	if (err) {
		lm_printf("block: cannot make a notification: %s\n", lm_err_str(err));
		return 1;
	}
	lm_printf("block: waiting for a signal that never comes\n");
	err = lm_ntfn_wait(n, 0);
	lm_printf("block: the wait ended: %s\n", lm_err_str(err));
	return 2;
}
