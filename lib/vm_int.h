/* Between lib/vm.c and lib/fork.c: not part of the library's interface. */
#ifndef LM_VM_INT_H
#define LM_VM_INT_H

#include <lm/vm.h>

/* The on-demand region after prev (NULL: the first), or NULL. */
struct lm_vm_anon *lm_vm_anon_next(struct lm_vm_anon *prev);
/* Where lm_vm_anon_release sends a page's frame, still mapped:
 * lm_vm_frame_put unless set (lm_fork keeps frames its children may still
 * ask for, and reuses its own). */
extern void (*lm_vm_release)(lm_cptr_t f);
/* Whether frame f came from lm_vm_frame_get. */
int lm_vm_frame_is_ours(lm_cptr_t f);
/* Whether f is lm_vm_frame_get's while the supplies are two (lm/vm.h):
 * memory a take may reach, never the home of the library's own state. */
int lm_vm_frame_is_prog(lm_cptr_t f);
/* Make a forked child's copy of vm.c's private state (at its address plus
 * delta) right for the child: no frame chunks, one thread `tcb` with its
 * exception stack [lo, hi). */
void lm_vm_fork_patch(lm_u64 delta, lm_cptr_t tcb, lm_u64 lo, lm_u64 hi);

#endif
