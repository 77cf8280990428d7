/*
 * Host check of eva_bpfsys.c's model of the verifier (eva/bpfsys_progs.h):
 * for each fixed program, loaded as each type, with each context size
 * BPF_LOAD lets through (prog.c ctx_size_of) and as a whole or cut short,
 * the real verifier (kernel/bpf/verify*.c) accepts exactly when the model
 * does. eva.sh builds and runs it before the analysis; a difference fails
 * the bpfsys run.
 */
#include <stdio.h>
#include <string.h>
#include <lamina/syscall.h>
#include <lamina/error.h>
#include "bpf/verify.h"
#include "bpf/helpers.h"

#include "bpfsys_progs.h"

static struct bpf_verify_ws ws;

int main(void)
{
	static const u32 ctxs[] = { 0, 8, 16, 64, LM_BPF_MAX_CTX };
	int bad = 0, runs = 0;

	for (int k = 0; k < NPROGS; k++)
		for (u32 t = LM_BPF_PROG_MEM; t < LM_BPF_NTYPES; t++)
			for (u32 c = 0; c < sizeof(ctxs) / sizeof(ctxs[0]); c++)
				for (u32 n = 1; n <= prog_len[k]; n++) {
					struct bpf_verify_cfg cfg = {
						.ctx_size = ctxs[c], .ctx_writable = t == LM_BPF_PROG_MEM,
						.r2_is_size = 1, .helpers = bpf_helpers_for(t),
						.max_work = LM_BPF_MAX_WORK,
					};
					struct bpf_verify_result res;
					bool real = bpf_verify(&ws, progs[k], n, &cfg, &res) == LM_BPF_V_OK;
					bool model = false;
					for (int j = 0; j < NPROGS; j++)
						model |= verified(progs[k], n, &cfg, j);
					runs++;
					if (real != model) {
						printf("program %d, type %u, ctx %u, n %u: verifier %d, model %d\n",
						       k, t, ctxs[c], n, real, model);
						bad++;
					}
				}
	printf("eva_bpfsys_check: %d loads, %d differ\n", runs, bad);
	return bad != 0;
}
