/*
 * Deadlines (mem.h, docs/DESIGN.md "Revocation"): a request's deadline is
 * in TSC nanoseconds, the timer server's time base (timer_proto.h), so the
 * requester, the holder and the manager agree on "now" without asking one
 * another. The manager checks every deadline when it next runs (before
 * each message it serves: revoke_sweep) and, so that a deadline passes
 * with no message coming, arms the timer server for the earliest one: the
 * server signals our notification, bound to our thread, which ends our
 * endpoint receive like a message (LM_MSG_NOTIFY).
 *
 * Without a timer server (MEM_SLOT_TIMER empty, as under the tests, or a
 * call that fails) deadlines pass at the next message only; MEM_ENFORCE
 * ("the deadline passes now") still works either way.
 */
#include "mem.h"
#include "../timer/timer_proto.h"

static lm_u64 khz;           /* the TSC rate root passed on; 0: unknown */
static int have_timer;
static lm_u64 armed_at;      /* the deadline the server holds, 0: none */

lm_u64 clock_now(void)
{
	lm_u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return timer_tsc_ns(((lm_u64)hi << 32) | lo, khz);
}

static long timer_call(lm_u64 label, lm_u64 ncaps, lm_u64 w0, lm_u64 w1)
{
	struct lm_msg m;

	if (lm_ep_call(MEM_SLOT_TIMER, LM_MSG_INFO(label, 2, ncaps), w0, w1, 0, 0, &m))
		return -1;
	return (long)m.w[0];
}

/* A notification bound to our thread, a copy of it given to the timer
 * server (TIMER_HELLO). ipcbuf: ours, for the capability sent. */
void clock_init(const struct lm_bootinfo *bi, struct lm_ipc_buffer *ipcbuf)
{
	lm_cptr_t n;
	lm_u64 desc;

	khz = bi->tsc_khz;
	if (lm_cnode_identify(LM_SLOT_CNODE, MEM_SLOT_TIMER, &desc, 0, 0) ||
	    LM_ID_TYPE(desc) != LM_OBJ_ENDPOINT)
		return;
	if (lm_obj_alloc(LM_OBJ_NOTIFY, 0, &n))
		return;
	if (lm_thread_bind_notify(LM_SLOT_TCB, n)) {
		lm_obj_free(n);
		return;
	}
	ipcbuf->send_caps[0] = n;
	have_timer = timer_call(TIMER_HELLO, 1, 0, 0) == 0;
	ipcbuf->send_caps[0] = 0;
}

/* The server fires at `at` (0: nothing to wait for). One timer: a later
 * deadline than the one armed waits for it (the sweep then re-arms). */
void clock_arm(lm_u64 at)
{
	if (!have_timer || !at || (armed_at && armed_at <= at && armed_at > clock_now()))
		return;
	if (timer_call(TIMER_ARM, 0, 0, at) == 0)
		armed_at = at;
	else
		have_timer = 0;
}

/* The server fired (or a sweep found nothing armed ahead of now). */
void clock_fired(void)
{
	armed_at = 0;
}
