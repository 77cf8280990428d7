/*
 * The helpers eBPF programs may call, per program type (helpers.c). The
 * same tables serve the kernel and bpf-run on the host: helpers.c is
 * freestanding, and each side provides bpf_ticks().
 */
#ifndef BPF_HELPERS_H
#define BPF_HELPERS_H

#include "bpf.h"

/* The helpers of program type `type` (enum lm_bpf_type); none for others. */
const struct bpf_helpers *bpf_helpers_for(lm_u32 type);

/* LM_BPF_HELPER_TICKS: timer ticks since boot (the kernel's sched_ticks). */
lm_u64 bpf_ticks(void);

/* LM_BPF_HELPER_CSUM: p[0..len) as big-endian 16-bit words (an odd last
 * byte is the high byte of a word), summed in ones' complement onto seed
 * (folded first), folded to 16 bits, not inverted. */
lm_u64 bpf_csum(const void *p, lm_u64 len, lm_u64 seed);

#endif
