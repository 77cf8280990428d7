// what: a system-call filter over struct lm_bpf_syscall_ctx: nr 5 is in
// what: the allow list; r0 = LM_BPF_SYS_ALLOW
// mem: 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
// mem: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
// result: 0x0
#include "corpus.h"
#include <lamina/bpf.h>

SEC("syscall") u64 allow(struct lm_bpf_syscall_ctx *c)
{
	switch (c->nr) {
	case 1: case 5: case 9:
		return LM_BPF_SYS_ALLOW;
	default:
		return LM_BPF_SYS_DENY | 4u << 16;    /* LM_ERIGHTS */
	}
}
