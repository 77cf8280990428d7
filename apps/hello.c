/*
 * The second process root starts on a normal boot: says hello, checks that
 * its capability space has the layout lm_spawn promises (lm/spawn.h), and
 * exits with 0 if it does.
 */
#include <lm/lamina.h>

static int expect(lm_cptr_t slot, lm_u32 type, const char *what)
{
	lm_u64 desc;
	int err = lm_cnode_identify(LM_SLOT_CNODE, slot, &desc, 0, 0);

	if (err || LM_ID_TYPE(desc) != type) {
		lm_printf("hello: slot %lu should hold %s: %s, type %lu\n",
			  slot, what, lm_err_str(err), LM_ID_TYPE(desc));
		return 1;
	}
	return 0;
}

static int expect_either(lm_cptr_t slot, lm_u32 a, lm_u32 b, const char *what)
{
	lm_u64 desc;

	if (lm_cnode_identify(LM_SLOT_CNODE, slot, &desc, 0, 0) == LM_OK &&
	    LM_ID_TYPE(desc) == b)
		return 0;
	return expect(slot, a, what);
}

int main(lm_word_t arg)
{
	const struct lm_bootinfo *bi = (const struct lm_bootinfo *)arg;
	int bad = 0;

	lm_printf("hello from a second process\n");
	bad += expect(LM_SLOT_CNODE, LM_OBJ_CNODE, "its CNode");
	bad += expect(LM_SLOT_VSPACE, LM_OBJ_VSPACE, "its address space");
	bad += expect(LM_SLOT_TCB, LM_OBJ_TCB, "its thread");
	if (arg == LM_BOOTINFO_VADDR && bi->magic == LM_BOOTINFO_MAGIC) {
		bad += expect(LM_SLOT_BOOTINFO, LM_OBJ_FRAME, "the bootinfo frame");
		bad += expect_either(bi->boot_first, LM_OBJ_FRAME, LM_OBJ_PTABLE,
				     "a frame or table of its image");
		bad += expect(bi->first_free, LM_OBJ_NULL, "nothing (first free)");
	} else {
		lm_printf("hello: no bootinfo page\n");
		bad++;
	}
	if (bad)
		lm_printf("hello: capability layout check FAILED (%d problems)\n", bad);
	else
		lm_printf("hello: capability layout ok: CNode 2^%u slots, "
			  "image in slots %u..%u, first free %u\n", bi->cnode_bits,
			  bi->boot_first, bi->boot_end - 1, bi->first_free);
	return bad ? 1 : 0;
}
