/*
 * Kernel coverage for the fuzzer (docs/FUZZING.md). In the fuzzing build
 * (`make fuzz`, LAMINA_KCOV) the system-call and fault-path files are
 * compiled with -fsanitize-coverage=trace-pc: the compiler calls
 * __sanitizer_cov_trace_pc at the start of every basic block, and this file
 * remembers each call site reached in a bitmap over the kernel's text. The
 * storage is static (the kernel allocates nothing after boot) and the call
 * is cheap once a site has been seen: one load, one test.
 *
 * DEBUG_COVERAGE (debug capability) returns rdi = the number of distinct sites reached so far
 * and rsi = the text size the bitmap covers; in any other build it is
 * LM_ENOSYS, and nothing is instrumented.
 */
#include <lamina/syscall.h>
#include "syscall.h"

#ifdef LAMINA_KCOV
#define KCOV_TEXT_MAX (1u << 20) /* bytes of kernel text the bitmap covers */

extern char text_start[];

static u64 kcov_map[KCOV_TEXT_MAX / 64];
static u64 kcov_reached;

void __sanitizer_cov_trace_pc(void);

/* The return address is the site: each instrumented block calls once. */
void __sanitizer_cov_trace_pc(void)
{
	u64 pc = (u64)__builtin_return_address(0) - (u64)text_start;
	if (pc >= KCOV_TEXT_MAX)
		return;
	u64 *w = &kcov_map[pc / 64], bit = 1ull << (pc % 64);
	if (*w & bit)
		return;
	*w |= bit;
	kcov_reached++;
}

SYS(debug_coverage)
{
	u64 e = debug_cap_check(ARG1(f));
	if (e)
		return e;
	f->rdi = kcov_reached;
	f->rsi = KCOV_TEXT_MAX;
	return LM_OK;
}
#else
SYS(debug_coverage)
{
	return SYSERR(LM_ENOSYS, 0);
}
#endif
