/*
 * A request straight to the process manager's endpoint (slot 11 of a
 * Linux process under Lamina), for the C tests that send what the
 * personality never would (tests/linux/procs.c, jobs.c): the reply's w0,
 * or -1000 - the Lamina error of the call itself; *r1 = the reply's w1.
 * pm_call_len sends `len` message words (words 4.. from the IPC buffer).
 * lx_ep_call is the same call to any slot, with any message info (label
 * << 16 | capabilities << 8 | length) and four words (hostile_srv.c).
 */
#ifndef LX_TEST_PM_CALL_H
#define LX_TEST_PM_CALL_H

static inline long lx_ep_call(long slot, long info, long w0, long w1, long w2, long w3, long *r1)
{
	register long rax __asm__("rax") = 0x1000 + 29; /* EP_CALL */
	register long rdi __asm__("rdi") = slot;
	register long rsi __asm__("rsi") = info;
	register long rdx __asm__("rdx") = w0;
	register long r10 __asm__("r10") = w1;
	register long r8 __asm__("r8") = w2;
	register long r9 __asm__("r9") = w3;

	__asm__ volatile("syscall" : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			 "+r"(r9) : : "rcx", "r11", "memory");
	if (r1)
		*r1 = r10;
	return rax ? -1000 - rax : rdx;
}

static inline long pm_call_len(long label, long len, long w0, long w1, long w2, long *r1)
{
	return lx_ep_call(11, (label << 16) | len, w0, w1, w2, 0, r1);
}

/* The usual four words. */
static inline long pm_call(long label, long w0, long w1, long w2, long *r1)
{
	return pm_call_len(label, 4, w0, w1, w2, r1);
}

#endif
