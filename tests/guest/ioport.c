/* IOPORT_IN / IOPORT_OUT: widths, range checks and rights. The only port
 * written is the COM1 scratch register, which nothing else uses. */
#include "harness.h"

#define IO LM_SLOT_IOPORT
#define UART_SCR 0x3ff  /* 16550 scratch register: holds what is written */
#define UART_MCR 0x3fc  /* MCR, LSR, MSR, SCR: harmless to read */

TEST(ioport_identify_shows_the_whole_port_range)
{
	struct t_id id = t_id(IO);

	CHECK_OK(id.err);
	CHECK_EQ(LM_ID_TYPE(id.desc), LM_OBJ_IOPORT);
	CHECK_EQ(id.addr, 0);
	CHECK_EQ(id.extra, 0x10000);
}

TEST(ioport_out_then_in_round_trips_through_uart_scratch)
{
	lm_u64 v = 0;

	CHECK_OK(lm_ioport_out(IO, UART_SCR, 1, 0x5a));
	CHECK_OK(lm_ioport_in(IO, UART_SCR, 1, &v));
	CHECK_EQ(v, 0x5a);
	CHECK_OK(lm_ioport_out(IO, UART_SCR, 1, 0xa5));
	CHECK_OK(lm_ioport_in(IO, UART_SCR, 1, &v));
	CHECK_EQ(v, 0xa5);
}

TEST(ioport_widths_1_2_and_4_are_accepted)
{
	lm_u64 v;

	CHECK_OK(lm_ioport_out(IO, UART_SCR, 1, 0x3c));
	CHECK_OK(lm_ioport_in(IO, UART_MCR, 1, &v));
	CHECK_OK(lm_ioport_in(IO, UART_MCR + 2, 2, &v));
	CHECK_EQ(v >> 8, 0x3c); /* the high byte is the scratch register */
	CHECK_OK(lm_ioport_in(IO, UART_MCR, 4, &v));
	CHECK_EQ(v >> 24, 0x3c);
	CHECK_EQ(v >> 32, 0);
}

TEST(ioport_bad_width_returns_EINVAL_and_does_nothing)
{
	static const lm_u64 widths[] = { 0, 3, 5, 8, ~0ull };
	lm_u64 v = 0;

	CHECK_OK(lm_ioport_out(IO, UART_SCR, 1, 0x11));
	for (lm_u32 i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		CHECK_ERR(lm_ioport_in(IO, UART_SCR, widths[i], &v), LM_EINVAL);
		CHECK_ERR(lm_ioport_out(IO, UART_SCR, widths[i], 0x22), LM_EINVAL);
	}
	CHECK_OK(lm_ioport_in(IO, UART_SCR, 1, &v));
	CHECK_EQ(v, 0x11);
}

TEST(ioport_range_past_the_last_port_returns_ERANGE)
{
	lm_u64 v;

	CHECK_OK(lm_ioport_in(IO, 0xffff, 1, &v));
	CHECK_ERR(lm_ioport_in(IO, 0xffff, 2, &v), LM_ERANGE);
	CHECK_ERR(lm_ioport_in(IO, 0xfffd, 4, &v), LM_ERANGE);
	CHECK_ERR(lm_ioport_in(IO, 0x10000, 1, &v), LM_ERANGE);
	CHECK_ERR(lm_ioport_in(IO, ~0ull, 1, &v), LM_ERANGE);
	CHECK_ERR(lm_ioport_out(IO, 0x10000, 1, 0), LM_ERANGE);
	CHECK_ERR(lm_ioport_out(IO, ~0ull - 1, 4, 0), LM_ERANGE);
}

TEST(ioport_in_needs_read_and_out_needs_write)
{
	lm_cptr_t ro = t_copy(IO, LM_R_READ), wo = t_copy(IO, LM_R_WRITE);
	lm_u64 v = 0;

	CHECK(ro && wo);
	CHECK_EQ(t_id(ro).extra, 0x10000); /* a copy keeps the range */
	CHECK_OK(lm_ioport_out(IO, UART_SCR, 1, 0x66));
	CHECK_ERR(lm_ioport_out(ro, UART_SCR, 1, 0x77), LM_ERIGHTS);
	CHECK_OK(lm_ioport_in(ro, UART_SCR, 1, &v));
	CHECK_EQ(v, 0x66);
	CHECK_ERR(lm_ioport_in(wo, UART_SCR, 1, &v), LM_ERIGHTS);
	CHECK_OK(lm_ioport_out(wo, UART_SCR, 1, 0x88));
	CHECK_OK(lm_ioport_in(IO, UART_SCR, 1, &v));
	CHECK_EQ(v, 0x88);
}

TEST(ioport_wrong_or_missing_cap_returns_ETYPE_or_ECAP)
{
	lm_cptr_t f = t_new(LM_OBJ_FRAME, 12), e = t_slot();
	lm_u64 v;

	CHECK(f && e);
	CHECK_ERR(lm_ioport_in(f, UART_SCR, 1, &v), LM_ETYPE);
	CHECK_ERR(lm_ioport_out(f, UART_SCR, 1, 0), LM_ETYPE);
	CHECK_ERR(lm_ioport_in(e, UART_SCR, 1, &v), LM_ECAP);
	CHECK_ERR(lm_ioport_out(e, UART_SCR, 1, 0), LM_ECAP);
	CHECK_ERR(lm_ioport_in(LM_SLOT_CNODE, UART_SCR, 1, &v), LM_ETYPE);
}

TEST(ioport_cap_revoked_from_a_copy_stops_working)
{
	lm_cptr_t mid = t_copy(IO, LM_R_ALL), leaf;
	lm_u64 v;

	CHECK(mid);
	leaf = t_copy(mid, LM_R_ALL);
	CHECK(leaf);
	CHECK_OK(lm_ioport_in(leaf, UART_SCR, 1, &v));
	CHECK_OK(lm_cnode_revoke(LM_SLOT_CNODE, mid));
	CHECK_ERR(lm_ioport_in(leaf, UART_SCR, 1, &v), LM_ECAP);
	CHECK_OK(lm_ioport_in(IO, UART_SCR, 1, &v));
}

/* IOPORT_ISSUE: a capability for part of the range, as a child. */
TEST(ioport_issue_gives_a_narrower_capability_that_works_only_inside)
{
	lm_cptr_t c = t_slot(), d = t_slot();
	lm_u64 v = 0;

	CHECK(c && d);
	CHECK_OK(lm_ioport_issue(IO, 0x3f8, 8, LM_SLOT_CNODE, c));
	struct t_id id = t_id(c);
	CHECK_EQ(LM_ID_TYPE(id.desc), LM_OBJ_IOPORT);
	CHECK_EQ(id.addr, 0x3f8);
	CHECK_EQ(id.extra, 8);
	CHECK_OK(lm_ioport_out(c, UART_SCR, 1, 0x77));
	CHECK_OK(lm_ioport_in(c, UART_SCR, 1, &v));
	CHECK_EQ(v, 0x77);
	CHECK_ERR(lm_ioport_in(c, 0x3f7, 1, &v), LM_ERANGE);  /* below */
	CHECK_ERR(lm_ioport_in(c, 0x400, 1, &v), LM_ERANGE);  /* above */
	CHECK_ERR(lm_ioport_in(c, 0x3fe, 4, &v), LM_ERANGE);  /* runs past the end */
	/* narrower again, and never wider than the parent */
	CHECK_OK(lm_ioport_issue(c, UART_SCR, 1, LM_SLOT_CNODE, d));
	CHECK_ERR(lm_ioport_in(d, UART_MCR, 1, &v), LM_ERANGE);
	CHECK_OK(lm_cnode_delete(LM_SLOT_CNODE, d));
	CHECK_ERR(lm_ioport_issue(c, 0x3f0, 4, LM_SLOT_CNODE, d), LM_ERANGE);
	CHECK_ERR(lm_ioport_issue(c, 0x3fc, 8, LM_SLOT_CNODE, d), LM_ERANGE);
	/* revoking the parent takes the child back */
	CHECK_OK(lm_ioport_issue(c, UART_SCR, 1, LM_SLOT_CNODE, d));
	CHECK_OK(lm_cnode_revoke(LM_SLOT_CNODE, c));
	CHECK_EQ(t_type(d), LM_OBJ_NULL);
}

TEST(ioport_issue_bad_arguments_return_errors)
{
	lm_cptr_t c = t_slot(), f = t_new(LM_OBJ_FRAME, LM_PAGE_BITS);
	lm_cptr_t ro = t_copy(IO, LM_R_READ);
	lm_u64 v;

	CHECK(c && f && ro);
	CHECK_ERR(lm_ioport_issue(t_slot(), 0x3f8, 8, LM_SLOT_CNODE, c), LM_ECAP);
	CHECK_ERR(lm_ioport_issue(f, 0x3f8, 8, LM_SLOT_CNODE, c), LM_ETYPE);
	CHECK_ERR(lm_ioport_issue(IO, 0x10000, 1, LM_SLOT_CNODE, c), LM_ERANGE);
	CHECK_ERR(lm_ioport_issue(IO, 0x3f8, 0, LM_SLOT_CNODE, c), LM_ERANGE);
	CHECK_ERR(lm_ioport_issue(IO, 0xfff0, 0x20, LM_SLOT_CNODE, c), LM_ERANGE);
	CHECK_ERR(lm_ioport_issue(IO, 0x3f8, 8, f, c), LM_ETYPE);
	CHECK_ERR(lm_ioport_issue(IO, 0x3f8, 8, LM_SLOT_CNODE, 1ull << 20), LM_ERANGE);
	CHECK_ERR(lm_ioport_issue(IO, 0x3f8, 8, LM_SLOT_CNODE, f), LM_EEXIST);
	CHECK_EQ(t_type(c), LM_OBJ_NULL);
	/* a read-only parent gives a read-only child */
	CHECK_OK(lm_ioport_issue(ro, 0x3f8, 8, LM_SLOT_CNODE, c));
	CHECK_OK(lm_ioport_in(c, UART_SCR, 1, &v));
	CHECK_ERR(lm_ioport_out(c, UART_SCR, 1, 1), LM_ERIGHTS);
}
