// what: the same filter for nr 60: denied with the error in bits 16-31
// mem: 3c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
// mem: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
// result: 0x40001
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
