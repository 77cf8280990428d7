/* Installing the library OS's system-call reflection handler (lm/reflect.h). */
#include <lm/reflect.h>
#include <lm/sys.h>
#include <lamina/exception.h>

lm_reflect_fn lm_reflect_handler;
lm_reflect_exit_fn lm_reflect_exit;

LM_STATIC_ASSERT(sizeof(struct lm_sysargs) == 11 * 8, "lm_sysargs matches lib/reflect.S");
/* lib/reflect.S's lm_resume: regs where lm_exc_resume expects a frame's,
 * fx at 192, the scratch stack's end at 960. */
LM_STATIC_ASSERT(__builtin_offsetof(struct lm_resume, regs) == LM_EXC_REGS, "lm_resume regs");
LM_STATIC_ASSERT(__builtin_offsetof(struct lm_resume, fx) == 192, "lm_resume fx");
LM_STATIC_ASSERT(sizeof(struct lm_resume) == 960, "lm_resume size");

int lm_reflect_install(lm_cptr_t tcb, lm_reflect_fn fn)
{
	if (fn)
		lm_reflect_handler = fn;
	return lm_thread_set_foreign(tcb, fn ? (lm_u64)lm_reflect_entry : 0);
}
