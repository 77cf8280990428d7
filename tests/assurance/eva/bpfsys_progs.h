/*
 * eva_bpfsys.c's fixed eBPF programs, and which loads of them the
 * verifier accepts (included by the harness and by eva_bpfsys_check.c,
 * which checks that against the real verifier on the host).
 */
#ifndef EVA_BPFSYS_PROGS_H
#define EVA_BPFSYS_PROGS_H

/* The fixed programs (setup loads them; BPF_LOAD's events load them again
 * into the empty object, or parts of them, or at a bad address). */
enum { P_MEM, P_PRED, P_SYS, P_SYS2, NPROGS };
#define I(op, dst, src, off, imm) { (op), (u8)((dst) | (src) << 4), (off), (imm) }
#define ALU64_MOV_X (LM_BPF_ALU64 | LM_BPF_MOV | LM_BPF_X)
#define ALU64_MOV_K (LM_BPF_ALU64 | LM_BPF_MOV | LM_BPF_K)
#define LDX_DW (LM_BPF_LDX | LM_BPF_MEM | LM_BPF_DW)
#define STX_DW (LM_BPF_STX | LM_BPF_MEM | LM_BPF_DW)
#define EXIT I(LM_BPF_JMP | LM_BPF_EXIT, 0, 0, 0, 0)
#define DENY_EINVAL (LM_BPF_SYS_DENY | LM_EINVAL << 16)
static const struct lm_bpf_insn progs[NPROGS][9] = {
	/* MEM, 16 bytes: buf[1] = buf[0] + csum(buf, 16, 0); r0 the same */
	[P_MEM] = { I(ALU64_MOV_X, 6, 1, 0, 0), I(ALU64_MOV_K, 2, 0, 0, 16),
		    I(ALU64_MOV_K, 3, 0, 0, 0), I(LM_BPF_JMP | LM_BPF_CALL, 0, 0, 0, LM_BPF_HELPER_CSUM),
		    I(LDX_DW, 3, 6, 0, 0), I(LM_BPF_ALU64 | LM_BPF_ADD | LM_BPF_X, 3, 0, 0, 0),
		    I(STX_DW, 6, 3, 8, 0), I(ALU64_MOV_X, 0, 3, 0, 0), EXIT },
	/* PREDICATE: the page's second word */
	[P_PRED] = { I(LDX_DW, 0, 1, 8, 0), EXIT },
	/* SYSCALL: NTFN_POLL denied (LM_EINVAL), THREAD_YIELD decided by its
	 * first argument (anything: most values fail closed), others allowed */
	[P_SYS] = { I(LDX_DW, 2, 1, 0, 0),
		    I(LM_BPF_JMP | LM_BPF_JEQ | LM_BPF_K, 2, 0, 3, LM_SYS_NTFN_POLL),
		    I(LM_BPF_JMP | LM_BPF_JEQ | LM_BPF_K, 2, 0, 4, LM_SYS_THREAD_YIELD),
		    I(ALU64_MOV_K, 0, 0, 0, LM_BPF_SYS_ALLOW), EXIT,
		    I(ALU64_MOV_K, 0, 0, 0, DENY_EINVAL), EXIT,
		    I(LDX_DW, 0, 1, 8, 0), EXIT },
	/* SYSCALL: another OS's calls reflected, native ones allowed */
	[P_SYS2] = { I(LDX_DW, 2, 1, 0, 0),
		     I(LM_BPF_JMP | LM_BPF_JGE | LM_BPF_K, 2, 0, 2, LM_SYS_BASE),
		     I(ALU64_MOV_K, 0, 0, 0, LM_BPF_SYS_REFLECT), EXIT,
		     I(ALU64_MOV_K, 0, 0, 0, LM_BPF_SYS_ALLOW), EXIT },
};
static const u32 prog_len[NPROGS] = { 9, 2, 9, 6 };

/*
 * The verifier (verify*.c), whose analysis is eva_bpf.c's (run bpf): here
 * the result it gives for what BPF_LOAD passes it. It accepts the fixed
 * programs above with the configuration of their type (what
 * eva_bpfsys_check.c checks on the host with the real verifier, eva.sh
 * running it first), and this model refuses anything
 * else with any error, instruction and work (more outcomes than the real
 * verifier has: sound for prog.c, which reads only these). Refusing a
 * program it would accept would be unsound for what runs a loaded
 * program: the interpreter then runs only programs the real verifier
 * accepts.
 */
/* What program k needs: the context bytes it reads or writes (its
 * loads, stores and the checksum helper's range), and for the MEM
 * program a writable context and the checksum helper (MEM's type alone).
 * Whole programs only: one cut short runs off its end. */
static const u32 prog_ctx[NPROGS] = { 16, 16, 16, 8 };

/* prog is program k (by its fields: Frama-C's memcmp is a contract that
 * gives any result). */
static bool same_prog(const struct lm_bpf_insn *prog, u32 n, int k)
{
	if (n != prog_len[k])
		return false;
	for (u32 i = 0; i < n; i++)
		if (prog[i].op != progs[k][i].op || prog[i].regs != progs[k][i].regs ||
		    prog[i].off != progs[k][i].off || prog[i].imm != progs[k][i].imm)
			return false;
	return true;
}

static bool verified(const struct lm_bpf_insn *prog, u32 n, const struct bpf_verify_cfg *cfg, int k)
{
	return same_prog(prog, n, k) && cfg->r2_is_size && cfg->ctx_size >= prog_ctx[k] &&
	       (k != P_MEM || (cfg->ctx_writable && cfg->helpers == bpf_helpers_for(LM_BPF_PROG_MEM)));
}

#endif
