/* Installing the library OS's exception handler (lm/exception.h). */
#include <lm/exception.h>
#include <lm/sys.h>
#include <lm/fork.h>

lm_exc_fn lm_exc_handler LM_PRIVATE; /* read before a fault is fixed */

int lm_exc_install(lm_cptr_t tcb, lm_exc_fn fn, void *stack_top, lm_u64 size)
{
	if (fn)
		lm_exc_handler = fn;
	return lm_thread_set_exception(tcb, fn ? (lm_u64)lm_exc_entry : 0, (lm_u64)stack_top, size);
}
