/*
 * The FPU and SSE control state of the calling thread. The kernel keeps
 * each thread's whole FPU/SSE state (saved lazily on a switch); these are
 * for a library OS that must carry the state across something the kernel
 * knows nothing of (a fork, a signal) and for tests.
 */
#ifndef LM_FPU_H
#define LM_FPU_H

#include <lamina/types.h>

/* An FXSAVE image: x87, MMX, XMM0-15 and MXCSR. */
struct lm_fpu_state {
	lm_u8 b[512];
} __attribute__((aligned(16)));

#define LM_MXCSR_DEFAULT 0x1f80u  /* all exceptions masked, round to nearest */
#define LM_FPU_CW_DEFAULT 0x037fu /* the same for x87, 64-bit precision */

static inline void lm_fpu_save(struct lm_fpu_state *s)
{
	__asm__ volatile("fxsave64 %0" : "=m"(*s));
}

/* A state lm_fpu_save wrote (reserved MXCSR bits set fault with #GP). */
static inline void lm_fpu_restore(const struct lm_fpu_state *s)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(*s));
}

static inline lm_u32 lm_mxcsr(void)
{
	lm_u32 v;

	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static inline void lm_set_mxcsr(lm_u32 v)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(v));
}

static inline lm_u16 lm_fpu_cw(void)
{
	lm_u16 v;

	__asm__ volatile("fnstcw %0" : "=m"(v));
	return v;
}

static inline void lm_set_fpu_cw(lm_u16 v)
{
	__asm__ volatile("fldcw %0" : : "m"(v));
}

#endif
