/* LM_BPF_HELPER_TICKS on the host (bpf-run, bpf-bench, the fuzz target and
 * the JIT's tests): there is no kernel clock, so time stands still at 0 and
 * every engine sees the same value. */
#include "bpf/helpers.h"

lm_u64 bpf_ticks(void) { return 0; }
