/* eBPF program objects: retype, BPF_LOAD, BPF_RUN, the helpers, rights. */
#include "bpf_util.h"

#define CN LM_SLOT_CNODE

/* r0 = *(u32 *)(r1 + 0) + r2; *(u32 *)(r1 + 4) = 7 */
static const struct lm_bpf_insn add_len[] = {
	LDXW(0, 1, 0), ADD_X(0, 2), STW(1, 4, 7), EXIT(),
};

static const struct lm_bpf_insn ret_1[] = { MOV_K(0, 1), EXIT() };

TEST(bpf_retype_takes_size_bits_12_to_18)
{
	lm_cptr_t s = t_slot();
	CHECK(s);
	CHECK_ERR(lm_untyped_retype(t_ut, LM_OBJ_BPF, LM_BPF_MIN_BITS - 1, CN, s, 1), LM_ERANGE);
	CHECK_ERR(lm_untyped_retype(t_ut, LM_OBJ_BPF, LM_BPF_MAX_BITS + 1, CN, s, 1), LM_ERANGE);
	lm_cptr_t p = t_new(LM_OBJ_BPF, 13);
	CHECK(p);
	struct t_id id = t_id(p);
	CHECK_OK(id.err);
	CHECK_EQ(LM_ID_TYPE(id.desc), LM_OBJ_BPF);
	CHECK_EQ(LM_ID_BITS(id.desc), 13);
	CHECK_EQ(id.extra, 0); /* not loaded */
}

TEST(bpf_run_returns_r0_and_writes_the_buffer_back)
{
	lm_cptr_t p = t_bpf(LM_BPF_PROG_MEM, add_len, NINSNS(add_len), 8);
	lm_u32 buf[2] = { 35, 0 };
	lm_u64 r0 = 0;
	CHECK(p);
	CHECK_EQ(t_id(p).extra, LM_BPF_PROG_MEM);
	CHECK_OK(lm_bpf_run(p, buf, sizeof(buf), &r0));
	CHECK_EQ(r0, 35 + 8);
	CHECK_EQ(buf[1], 7);
}

TEST(bpf_load_twice_is_ESTATE)
{
	lm_cptr_t p = t_bpf(LM_BPF_PROG_MEM, ret_1, NINSNS(ret_1), 0);
	CHECK(p);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_MEM, ret_1, NINSNS(ret_1), 0, 0, 0), LM_ESTATE);
	lm_u64 r0;
	CHECK_OK(lm_bpf_run(p, 0, 0, &r0));
	CHECK_EQ(r0, 1);
}

TEST(bpf_load_refuses_bad_arguments)
{
	lm_cptr_t p = t_new(LM_OBJ_BPF, LM_BPF_MIN_BITS), n = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(p && n);
	lm_cptr_t ro = t_copy(p, LM_R_READ | LM_R_ATTACH);
	CHECK(ro);
	CHECK_ERR(lm_bpf_load(0, LM_BPF_PROG_MEM, ret_1, 2, 0, 0, 0), LM_ECAP);
	CHECK_ERR(lm_bpf_load(t_slot(), LM_BPF_PROG_MEM, ret_1, 2, 0, 0, 0), LM_ECAP);
	CHECK_ERR(lm_bpf_load(n, LM_BPF_PROG_MEM, ret_1, 2, 0, 0, 0), LM_ETYPE);
	CHECK_ERR(lm_bpf_load(ro, LM_BPF_PROG_MEM, ret_1, 2, 0, 0, 0), LM_ERIGHTS);
	CHECK_ERR(lm_bpf_load(p, 0, ret_1, 2, 0, 0, 0), LM_EINVAL);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_NTYPES, ret_1, 2, 0, 0, 0), LM_EINVAL);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_MEM, ret_1, 0, 0, 0, 0), LM_ERANGE);
	/* 4 KiB holds (4096 - 64) / 8 = 504 instructions */
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_MEM, ret_1, LM_BPF_INSNS_FIT(12) + 1, 0, 0, 0),
		  LM_ERANGE);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_MEM, ret_1, LM_BPF_MAX_INSNS + 1, 0, 0, 0), LM_ERANGE);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_MEM, ret_1, 2, LM_BPF_MAX_CTX + 1, 0, 0), LM_ERANGE);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_PREDICATE, ret_1, 2, 100, 0, 0), LM_ERANGE);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_SYSCALL, ret_1, 2, 8, 0, 0), LM_ERANGE);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_MEM, (void *)T_VA_FRESH(3), 2, 0, 0, 0), LM_EFAULT);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_MEM, (void *)T_KERNEL_ADDR, 2, 0, 0, 0), LM_EFAULT);
	CHECK_EQ(t_id(p).extra, 0); /* none of that loaded it */
	CHECK_OK(lm_bpf_load(p, LM_BPF_PROG_MEM, ret_1, 2, 0, 0, 0));
}

TEST(bpf_load_refused_by_the_verifier_says_why_and_where)
{
	static const struct lm_bpf_insn bad_reg[] = {
		MOV_K(0, 0), MOV_K(1, 0), I_(LM_BPF_ALU64 | LM_BPF_MOV | LM_BPF_K, 11, 0, 0, 1), EXIT(),
	};
	static const struct lm_bpf_insn bad_jump[] = { MOV_K(0, 0), JA(5), EXIT() };
	static const struct lm_bpf_insn bad_helper[] = { CALL(99), EXIT() };
	static const struct lm_bpf_insn falls_off[] = { MOV_K(0, 0) };
	lm_cptr_t p = t_new(LM_OBJ_BPF, LM_BPF_MIN_BITS);
	lm_u64 why, pc;
	CHECK(p);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_MEM, bad_reg, NINSNS(bad_reg), 0, &why, &pc), LM_EVERIFY);
	CHECK_EQ(why, LM_BPF_V_REG);
	CHECK_EQ(pc, 2);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_MEM, bad_jump, NINSNS(bad_jump), 0, &why, &pc), LM_EVERIFY);
	CHECK_EQ(why, LM_BPF_V_JUMP_RANGE);
	CHECK_EQ(pc, 1);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_SYSCALL, bad_helper, NINSNS(bad_helper), 0, &why, &pc),
		  LM_EVERIFY);
	CHECK_EQ(why, LM_BPF_V_HELPER);
	CHECK_EQ(pc, 0);
	/* CSUM is not a filter's helper */
	static const struct lm_bpf_insn csum_in_filter[] = {
		MOV_X(2, 1), MOV_K(2, 8), MOV_K(3, 0), CALL(LM_BPF_HELPER_CSUM), MOV_K(0, 0), EXIT(),
	};
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_SYSCALL, csum_in_filter, NINSNS(csum_in_filter), 0,
			      &why, &pc), LM_EVERIFY);
	CHECK_EQ(why, LM_BPF_V_HELPER);
	CHECK_EQ(pc, 3);
	CHECK_ERR(lm_bpf_load(p, LM_BPF_PROG_MEM, falls_off, NINSNS(falls_off), 0, &why, &pc),
		  LM_EVERIFY);
	CHECK_EQ(why, LM_BPF_V_FALL_OFF);
	CHECK_EQ(t_id(p).extra, 0);
	/* Refusals leave it unloaded: a good program still goes in. */
	CHECK_OK(lm_bpf_load(p, LM_BPF_PROG_MEM, ret_1, NINSNS(ret_1), 0, 0, 0));
}

TEST(bpf_run_refuses_bad_arguments)
{
	lm_cptr_t m = t_bpf(LM_BPF_PROG_MEM, add_len, NINSNS(add_len), 8);
	lm_cptr_t pr = t_bpf(LM_BPF_PROG_PREDICATE, ret_1, NINSNS(ret_1), 0);
	lm_cptr_t un = t_new(LM_OBJ_BPF, LM_BPF_MIN_BITS);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	lm_u32 buf[2] = { 0 };
	CHECK(m && pr && un && n);
	lm_cptr_t ro = t_copy(m, LM_R_READ);
	CHECK(ro);
	CHECK(t_frame_at(T_VA_PAGE(0), LM_R_READ));
	CHECK_ERR(lm_bpf_run(0, buf, 8, 0), LM_ECAP);
	CHECK_ERR(lm_bpf_run(n, buf, 8, 0), LM_ETYPE);
	CHECK_ERR(lm_bpf_run(ro, buf, 8, 0), LM_ERIGHTS);
	CHECK_ERR(lm_bpf_run(un, buf, 8, 0), LM_ESTATE);
	CHECK_ERR(lm_bpf_run(pr, buf, 8, 0), LM_ETYPE);   /* a predicate: not test-run */
	CHECK_ERR(lm_bpf_run(m, buf, 4, 0), LM_ERANGE);   /* not its ctx_size */
	CHECK_ERR(lm_bpf_run(m, buf, 4096, 0), LM_ERANGE);
	CHECK_ERR(lm_bpf_run(m, (void *)T_VA_FRESH(3), 8, 0), LM_EFAULT);
	CHECK_ERR(lm_bpf_run(m, (void *)T_KERNEL_ADDR, 8, 0), LM_EFAULT);
	CHECK_ERR(lm_bpf_run(m, (void *)T_VA_PAGE(0), 8, 0), LM_EFAULT); /* read-only */
	CHECK_ERR(lm_bpf_run(m, (void *)(T_VA_PAGE(1) - 4), 8, 0), LM_EFAULT); /* half mapped */
	CHECK_EQ(buf[1], 0);
}

/* A program that never ends: refused by a verifier that proves
 * termination, or stopped by the instruction budget (LM_ELIMIT). */
TEST(bpf_run_of_an_endless_loop_is_refused_or_stopped)
{
	/* spins while the context's first word is 0 */
	static const struct lm_bpf_insn spin[] = { LDXW(0, 1, 0), JEQ_K(0, 0, -1), EXIT() };
	lm_cptr_t p = t_new(LM_OBJ_BPF, LM_BPF_MIN_BITS);
	lm_u32 zero = 0;
	lm_u64 why;
	CHECK(p);
	int err = lm_bpf_load(p, LM_BPF_PROG_MEM, spin, NINSNS(spin), 4, &why, 0);
	if (err == LM_EVERIFY) {
		CHECK_EQ(why, LM_BPF_V_LOOP);
		return;
	}
	CHECK_OK(err);
	lm_u64 out[LM_SYS_NOUT];
	CHECK_ERR(t_raw(LM_SYS_BPF_RUN, p, (lm_u64)&zero, 4, 0, 0, 0, out), LM_ELIMIT);
	CHECK_EQ(out[1], 1); /* the instruction it was stopped at */
}

/* RFC 1071's example: 0001 f203 f4f5 f6f7 sums to ddf2. */
TEST(bpf_helper_csum_sums_ones_complement_and_ticks_counts)
{
	static const struct lm_bpf_insn csum[] = {
		MOV_K(2, 8), MOV_K(3, 0), CALL(LM_BPF_HELPER_CSUM), EXIT(),
	};
	static const struct lm_bpf_insn csum_odd[] = {
		MOV_K(2, 7), LDDW(3, 0x1ffffull), CALL(LM_BPF_HELPER_CSUM), EXIT(),
	};
	static const struct lm_bpf_insn ticks[] = { CALL(LM_BPF_HELPER_TICKS), EXIT() };
	lm_u8 b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	lm_cptr_t c = t_bpf(LM_BPF_PROG_MEM, csum, NINSNS(csum), 8);
	lm_cptr_t o = t_bpf(LM_BPF_PROG_MEM, csum_odd, NINSNS(csum_odd), 8);
	lm_cptr_t t = t_bpf(LM_BPF_PROG_MEM, ticks, NINSNS(ticks), 0);
	lm_u64 r0, t1, t2;
	CHECK(c && o && t);
	CHECK_OK(lm_bpf_run(c, b, 8, &r0));
	CHECK_EQ(r0, 0xddf2);
	/* 7 bytes (f7 dropped) on seed 0x1ffff (folds to 1): ddf2 - f7 + 1 */
	CHECK_OK(lm_bpf_run(o, b, 8, &r0));
	CHECK_EQ(r0, 0xddf2 - 0xf7 + 1);
	CHECK_OK(lm_bpf_run(t, 0, 0, &t1));
	CHECK_OK(lm_bpf_run(t, 0, 0, &t2));
	CHECK(t2 >= t1);
}

/* Without LM_R_ATTACH a program can be run but not attached or waited on. */
TEST(bpf_attach_needs_LM_R_ATTACH_which_mint_drops)
{
	static const struct lm_bpf_insn allow[] = { MOV_K(0, LM_BPF_SYS_ALLOW), EXIT() };
	lm_cptr_t fl = t_bpf(LM_BPF_PROG_SYSCALL, allow, NINSNS(allow), 0);
	lm_cptr_t pr = t_bpf(LM_BPF_PROG_PREDICATE, ret_1, NINSNS(ret_1), 0);
	lm_cptr_t tcb = t_thread_new(), s1 = t_slot(), s2 = t_slot();
	CHECK(fl && pr && tcb && s1 && s2);
	CHECK_OK(lm_cnode_mint(CN, s1, CN, fl, LM_R_ALL & ~LM_R_ATTACH, 0));
	CHECK_OK(lm_cnode_mint(CN, s2, CN, pr, LM_R_ALL & ~LM_R_ATTACH, 0));
	CHECK_EQ(t_rights(s1) & LM_R_ATTACH, 0);
	CHECK(t_frame_at(T_VA_PAGE(0), LM_R_READ | LM_R_WRITE));
	CHECK_ERR(lm_thread_set_filter(tcb, s1), LM_ERIGHTS);
	CHECK_ERR(lm_bpf_wait(s2, T_VA_PAGE(0), 0, 0), LM_ERIGHTS);
	lm_u64 r0 = 0;
	CHECK_OK(lm_bpf_wait(pr, T_VA_PAGE(0), 0, &r0)); /* true at once */
	CHECK_EQ(r0, 1);
	CHECK_OK(lm_thread_set_filter(tcb, fl));
}

/* Deleting the last capability of a loaded program frees it whole: the
 * harness checks the untyped is whole again and the kernel consistent. */
TEST(bpf_delete_program_then_retype_its_memory)
{
	lm_cptr_t p = t_bpf(LM_BPF_PROG_MEM, ret_1, NINSNS(ret_1), 0);
	CHECK(p);
	lm_cptr_t c = t_copy(p, LM_R_ALL);
	CHECK(c);
	CHECK_OK(lm_cnode_delete(CN, p));
	lm_u64 r0;
	CHECK_OK(lm_bpf_run(c, 0, 0, &r0)); /* the copy keeps it */
	CHECK_OK(lm_cnode_delete(CN, c));
	CHECK_ERR(lm_bpf_run(c, 0, 0, &r0), LM_ECAP);
}
