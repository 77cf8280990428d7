/* A system-call filter (LM_BPF_PROG_SYSCALL) over struct
 * lm_bpf_syscall_ctx: a sandbox that may print, wait, signal, call its
 * server and exit. Those native calls run; every other native call is
 * denied with LM_ERIGHTS; Linux numbers (below LM_SYS_BASE) go to the
 * thread's library OS. */
#include <lamina/bpf.h>
#include <lamina/error.h>
#include <lamina/syscall.h>

#define SEC(name) __attribute__((section(name), used))

SEC("syscall") lm_u64 sandbox(const struct lm_bpf_syscall_ctx *c)
{
	if (c->nr < LM_SYS_BASE)
		return LM_BPF_SYS_REFLECT;
	switch (c->nr) {
	case LM_SYS_DEBUG_PUTC:
	case LM_SYS_DEBUG_WRITE:
	case LM_SYS_NTFN_WAIT:
	case LM_SYS_NTFN_SIGNAL:
	case LM_SYS_NTFN_POLL:
	case LM_SYS_EP_CALL:
	case LM_SYS_THREAD_YIELD:
	case LM_SYS_THREAD_EXIT:
		return LM_BPF_SYS_ALLOW;
	default:
		return LM_BPF_SYS_DENY | (lm_u64)LM_ERIGHTS << 16;
	}
}
