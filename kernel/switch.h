/* Thread switch and the ready-priority test, inline so that the scheduler
 * and the IPC fast path share one definition without a call. */
#ifndef SWITCH_H
#define SWITCH_H

#include "asm.h"
#include "thread.h"
#include "vspace.h"

extern u64 rq_bits[4]; /* sched.c: bit p set when priority p has ready threads */
extern u64 rq_words;   /* sched.c: bit i set when rq_bits[i] is not 0 */

/*
 * CR0.TS is set exactly when the current thread does not own the FPU
 * registers: the FPU state moves at the first FPU use (#NM, fpu_trap), so
 * threads that never use the FPU cost nothing. Each thread keeps the CR0
 * it runs with (tcb.cr0: TS clear only for cpu0.fpu_owner, which only
 * fpu_trap and tcb_finalise change, and they update both threads' copies),
 * so the switch is one compare, and a write when it differs: a switch
 * between the FPU's owner and a thread that is not one (every IPC round
 * trip between a client that uses the FPU and a server that does not)
 * writes CR0 each time, without reading it first.
 */
static always_inline void fpu_switch(const struct tcb *next)
{
	if (next->cr0 != cpu0.cr0) {
		cpu0.cr0 = next->cr0;
		write_cr0(next->cr0);
	}
}

void switch_bases(const struct tcb *t); /* thread.c */

/* Make t current: its frame receives the next entry, its address space,
 * FS/GS bases and FPU ownership take effect. */
static inline void switch_to(struct tcb *t)
{
	cpu0.cur = t;
	cpu_set_frame(&t->frame);
	/*
	 * fs_loaded/gs_loaded are what the kernel last wrote, not what the
	 * bases are now: user mode can load FS or GS with a selector, which
	 * sets that base to its descriptor's, 0 for every descriptor user mode
	 * may load (and a null selector leaves it or clears it). So a base may
	 * have become 0 behind the kernel's back, and a write may be skipped
	 * only when the base wanted and the base last written are both 0.
	 */
	if (unlikely(cpu0.fs_loaded | t->fs_base | cpu0.gs_loaded | t->gs_base))
		switch_bases(t); /* out of line: the usual case is one test */
	/* cpu0.cur is t: read again after the rare calls (switch_bases, and
	 * vspace_load_dead inside vspace_activate, last so that nothing of t
	 * is needed after it) rather than kept in a register saved across
	 * them, a push and a pop on every switch. */
	t = cpu0.cur;
	fpu_switch(t);
	vspace_activate(&t->vspace.cap);
}

/* Something ready has a higher priority than t: above t's priority in its
 * word of the bitmap, or any ready word above that one (t's masks, from
 * tcb_set_prio). */
static inline bool sched_outranked(const struct tcb *t)
{
	return (rq_bits[t->prio_word] & t->prio_above) | (rq_words & t->prio_wabove);
}

#endif
