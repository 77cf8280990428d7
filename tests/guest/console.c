/* Programs print through the user-level console server, not the kernel's
 * debug console: root (or the shell) gives each child the console endpoint
 * at LM_SLOT_CONSOLE and names it in bootinfo's console_slot. */
#include "harness.h"

TEST(console_endpoint_is_given_and_named_in_bootinfo)
{
	CHECK_EQ(t_bi->console_slot, LM_SLOT_CONSOLE);
	CHECK_EQ(t_type(LM_SLOT_CONSOLE), LM_OBJ_ENDPOINT);
	CHECK_EQ(t_rights(LM_SLOT_CONSOLE), LM_R_WRITE); /* it may call, not serve */
}

TEST(console_write_reaches_the_server)
{
	static const char line[] = "console: a line written through the console server\n";
	CHECK_OK(lm_con_write(LM_SLOT_CONSOLE, line, sizeof line - 1));
	CHECK_OK(lm_con_write(LM_SLOT_CONSOLE, "", 0)); /* nothing to send */
}

TEST(console_write_through_a_non_endpoint_fails_cleanly)
{
	CHECK_ERR(lm_con_write(LM_SLOT_VSPACE, "x", 1), LM_ETYPE);
	CHECK_ERR(lm_con_write((lm_u64)1 << t_bi->cnode_bits, "x", 1), LM_ECAP);
}

/* Input belongs to whoever holds the console's input endpoint (the shell,
 * and the program it runs in the foreground): READ through the output
 * endpoint is refused at once, with no bytes. */
TEST(console_read_on_the_output_endpoint_is_refused_as_not_the_owner)
{
	lm_u8 b[4];
	lm_u32 n = 99;

	CHECK_ERR(lm_con_read(LM_SLOT_CONSOLE, b, sizeof b, &n), LM_ERIGHTS);
	CHECK_EQ(n, 0);
}
