/* Installing the library OS's system-call reflection handler (lm/reflect.h). */
#include <lm/reflect.h>
#include <lm/sys.h>

lm_reflect_fn lm_reflect_handler;

LM_STATIC_ASSERT(sizeof(struct lm_sysargs) == 10 * 8, "lm_sysargs matches lib/reflect.S");

int lm_reflect_install(lm_cptr_t tcb, lm_reflect_fn fn)
{
	if (fn)
		lm_reflect_handler = fn;
	return lm_thread_set_foreign(tcb, fn ? (lm_u64)lm_reflect_entry : 0);
}
