/* Starting and waiting for threads (lm/thread.h). */
#include <lm/thread.h>
#include <lm/untyped.h>
#include <lm/sys.h>

/* crt0.S spells these numbers out; keep them honest. */
LM_STATIC_ASSERT(LM_SYS_THREAD_EXIT == 0x1015, "crt0.S SYS_THREAD_EXIT");

#define RFLAGS_IF 0x200ull
#define RFLAGS_RESERVED 0x2ull /* bit 1 always reads as 1 */

int lm_thread_new(lm_cptr_t cn, lm_cptr_t vs, lm_cptr_t *tcb)
{
	lm_cptr_t t;
	int err = lm_obj_alloc(LM_OBJ_TCB, 0, &t);

	if (err)
		return err;
	err = lm_thread_configure(t, cn, vs);
	if (err) {
		lm_obj_free(t);
		return err;
	}
	*tcb = t;
	return LM_OK;
}

void lm_thread_regs(struct lm_regs *r, lm_thread_fn fn, lm_word_t arg,
		    void *stack_top)
{
	/* At a function's first instruction rsp + 8 is 16-byte aligned and
	 * [rsp] is the return address. */
	lm_u64 *sp = (lm_u64 *)(((lm_u64)stack_top & ~15ull) - 8);

	*sp = (lm_u64)lm_thread_return;
	*r = (struct lm_regs){ 0 };
	r->rip = (lm_u64)fn;
	r->rsp = (lm_u64)sp;
	r->rdi = arg;
	r->rflags = RFLAGS_IF | RFLAGS_RESERVED;
}

int lm_thread_start(lm_cptr_t tcb, lm_thread_fn fn, lm_word_t arg,
		    void *stack_top, lm_u32 prio)
{
	struct lm_regs r;
	int err;

	lm_thread_regs(&r, fn, arg, stack_top);
	err = lm_thread_write_regs(tcb, &r);
	if (!err)
		err = lm_thread_set_priority(tcb, prio);
	if (!err)
		err = lm_thread_resume(tcb);
	return err;
}

static int still_going(lm_u32 state)
{
	return state == LM_TS_RUNNABLE || state == LM_TS_BLOCKED;
}

int lm_wait_thread(lm_cptr_t tcb, lm_u64 max_polls, struct lm_thread_info *info)
{
	struct lm_thread_info ti;

	for (lm_u64 i = 0;; i++) {
		int err = lm_thread_info(tcb, &ti);

		if (err)
			return err;
		if (info)
			*info = ti;
		if (!still_going(ti.state))
			return LM_OK;
		if (i >= max_polls)
			return LM_EAGAIN;
		lm_thread_yield();
	}
}

int lm_thread_join(lm_cptr_t tcb, lm_cptr_t ntfn, struct lm_thread_info *info)
{
	struct lm_thread_info ti;
	int err = lm_thread_set_stop_notify(tcb, ntfn);

	if (err)
		return err;
	for (;;) {
		/* Checked after the notification is set: a stop in between
		 * has signalled it, so the wait below returns at once. */
		if ((err = lm_thread_info(tcb, &ti)))
			return err;
		if (info)
			*info = ti;
		if (!still_going(ti.state))
			return LM_OK;
		if ((err = lm_ntfn_wait(ntfn, 0)))
			return err;
	}
}
