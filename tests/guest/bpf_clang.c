/* C programs compiled by clang (the files in tests/bpf/guest, `make bpf`), embedded
 * in ktest, linked by liblamina's ELF loader, verified by BPF_LOAD (and
 * JIT'ed) and run: a packet filter by BPF_RUN, a wake-up predicate by
 * BPF_WAIT, a system-call filter by THREAD_SET_FILTER. */
#include <lm/bpf_elf.h>
#include <lm/string.h>
#include "bpf_util.h"

#define CN   LM_SLOT_CNODE
#define PAGE T_VA_PAGE(0)

/* The objects, as clang wrote them (the Makefile makes this file depend on
 * them and names their directory). */
#define EMBED(name)                                                         \
	__asm__(".section .rodata\n.balign 8\n"                             \
		".globl obj_" #name "\nobj_" #name ":\n"                    \
		".incbin \"" BPF_GUEST_DIR "/" #name ".o\"\n"               \
		".globl obj_" #name "_end\nobj_" #name "_end:\n.previous"); \
	extern const char obj_##name[], obj_##name##_end[]
EMBED(packet_filter);
EMBED(wake_ready);
EMBED(syscall_allow);

static struct lm_bpf_insn linked[256];

/* Link section `sec` of the object [img, end) and load it as `type` with
 * flags; 0 on failure (recorded). *jit: bytes of JIT'ed code. */
static lm_cptr_t load_c(const char *img, const char *end, const char *sec, lm_u32 type,
			lm_u64 ctx, lm_u64 flags, lm_u64 *jit)
{
	struct lm_bpf_elf_error e;
	struct lm_bpf_load_info info;
	lm_u32 n = 0;
	int err = lm_bpf_elf_load(img, (lm_u64)(end - img), sec, linked, NINSNS(linked), &n, &e);
	if (err) {
		t_fail(__FILE__, __LINE__, "linking %s: %s: %s", sec, lm_err_str(err), e.msg);
		return 0;
	}
	lm_cptr_t p = t_new(LM_OBJ_BPF, LM_BPF_MIN_BITS + 1);
	if (!p)
		return 0;
	err = lm_bpf_load_flags(p, type, linked, n, ctx, flags, &info);
	if (err) {
		t_fail(__FILE__, __LINE__, "loading %s: %s (reason %lu at %lu)", sec, lm_err_str(err),
		       info.why, info.pc);
		return 0;
	}
	if (jit)
		*jit = info.jit_bytes;
	return p;
}

/* A 64-byte Ethernet + IPv4 + UDP frame to port `port`, protocol `proto`. */
static void frame(lm_u8 *f, lm_u16 type, lm_u8 vihl, lm_u8 proto, lm_u16 port)
{
	memset(f, 0, 64);
	f[12] = (lm_u8)(type >> 8), f[13] = (lm_u8)type;
	f[14] = vihl;
	f[23] = proto;
	f[36] = (lm_u8)(port >> 8), f[37] = (lm_u8)port;
}

TEST(clang_packet_filter_keeps_only_dns_jit_and_interpreted)
{
	static const struct { lm_u16 type; lm_u8 vihl, proto; lm_u16 port; lm_u64 verdict; } c[] = {
		{ 0x0800, 0x45, 17, 53, 1 },    /* IPv4 UDP to 53: kept */
		{ 0x0800, 0x45, 17, 54, 0 },    /* another port */
		{ 0x0800, 0x45, 6, 53, 0 },     /* TCP */
		{ 0x0800, 0x46, 17, 53, 0 },    /* IPv4 options */
		{ 0x86dd, 0x45, 17, 53, 0 },    /* IPv6 ethertype */
		{ 0x0800, 0x45, 17, 0x3500, 0 },/* port byte-swapped */
	};
	lm_u64 jb = 0, ib = 1;
	lm_cptr_t j = load_c(obj_packet_filter, obj_packet_filter_end, "packet", LM_BPF_PROG_MEM,
			     64, 0, &jb);
	lm_cptr_t i = load_c(obj_packet_filter, obj_packet_filter_end, "packet", LM_BPF_PROG_MEM,
			     64, LM_BPF_LOAD_NOJIT, &ib);
	CHECK(j && i);
	CHECK(jb > 0);
	CHECK_EQ(ib, 0);
	for (lm_u32 k = 0; k < NINSNS(c); k++) {
		lm_u8 f[64];
		lm_u64 rj = 9, ri = 9;
		frame(f, c[k].type, c[k].vihl, c[k].proto, c[k].port);
		CHECK_OK(lm_bpf_run(j, f, sizeof(f), &rj));
		CHECK_OK(lm_bpf_run(i, f, sizeof(f), &ri));
		if (rj != c[k].verdict || ri != c[k].verdict)
			t_fail(__FILE__, __LINE__, "frame %u: jit %lu, interpreter %lu, want %lu", k,
			       rj, ri, c[k].verdict);
	}
	/* A context shorter than the frame header: dropped without a read. */
	lm_cptr_t s = load_c(obj_packet_filter, obj_packet_filter_end, "packet", LM_BPF_PROG_MEM,
			     16, 0, 0);
	lm_u8 f[16] = { 0 };
	lm_u64 r0 = 9;
	CHECK(s);
	CHECK_OK(lm_bpf_run(s, f, sizeof(f), &r0));
	CHECK_EQ(r0, 0);
}

struct waiter {
	lm_cptr_t prog, ntfn;
	volatile lm_u64 r0;
};

static lm_word_t consumer(lm_word_t a)
{
	struct waiter *w = (struct waiter *)a;
	lm_u64 r0 = 0;
	int err = lm_bpf_wait(w->prog, PAGE, w->ntfn, &r0);
	w->r0 = r0;
	return 0x100 + (lm_u64)err;
}

TEST(clang_predicate_wakes_the_consumer_when_the_producer_sets_ready)
{
	lm_u64 jb = 0;
	lm_cptr_t p = load_c(obj_wake_ready, obj_wake_ready_end, "predicate",
			     LM_BPF_PROG_PREDICATE, 0, 0, &jb);
	lm_cptr_t n = t_new(LM_OBJ_NOTIFY, 0);
	CHECK(p && n && jb);
	CHECK(t_frame_at(PAGE, LM_R_READ | LM_R_WRITE));
	volatile lm_u64 *pg = (volatile lm_u64 *)PAGE;
	pg[0] = 0;
	pg[1] = 5; /* not the ready word */
	struct waiter w = { p, n, 0 };
	lm_cptr_t c = t_thread(consumer, (lm_word_t)&w, T_PRIO);
	CHECK(c);
	CHECK(t_blocked(c));
	CHECK_OK(lm_ntfn_signal(n)); /* not ready yet: it sleeps on */
	t_yield(10);
	CHECK(t_blocked(c));
	pg[0] = 7;
	CHECK_OK(lm_ntfn_signal(n));
	struct lm_thread_info ti;
	CHECK_OK(t_wait(c, &ti));
	CHECK_EQ(ti.exit_code, 0x100 + LM_OK);
	CHECK_EQ(w.r0, 1);
}

struct sandbox {
	lm_cptr_t server, ntfn;
	lm_u64 got[5];
};

/* Runs under the clang sandbox filter: allowed and denied calls. */
static lm_word_t sandboxed(lm_word_t a)
{
	struct sandbox *s = (struct sandbox *)a;
	struct lm_msg m;
	s->got[0] = lm_ntfn_signal(s->ntfn);                      /* allowed */
	s->got[1] = lm_thread_yield();                            /* allowed */
	s->got[2] = lm_thread_set_priority(LM_SLOT_TCB, 1);       /* denied */
	s->got[3] = lm_cnode_delete(CN, s->ntfn);                 /* denied */
	s->got[4] = lm_ep_call(s->server, LM_MSG_INFO(0, 1, 0), 0x51, 0, 0, 0, &m);
	return m.w[0];                                            /* THREAD_EXIT: allowed */
}

TEST(clang_syscall_filter_allows_its_calls_and_denies_the_rest)
{
	lm_u64 jb = 0;
	lm_cptr_t p = load_c(obj_syscall_allow, obj_syscall_allow_end, "syscall",
			     LM_BPF_PROG_SYSCALL, 0, 0, &jb);
	lm_cptr_t ep = t_new(LM_OBJ_ENDPOINT, 0), n = t_new(LM_OBJ_NOTIFY, 0);
	lm_cptr_t t = t_thread_new();
	CHECK(p && ep && n && t && jb);
	CHECK_OK(lm_thread_set_filter(t, p));
	struct sandbox s = { ep, n, { 9, 9, 9, 9, 9 } };
	CHECK_OK(lm_thread_start(t, sandboxed, (lm_word_t)&s, t_stack(), T_PRIO));
	struct lm_msg m;
	CHECK_OK(lm_ep_recv(ep, &m));
	CHECK_EQ(m.w[0], 0x51);
	CHECK_OK(lm_ep_reply(LM_MSG_INFO(0, 1, 0), 0x66, 0, 0, 0));
	struct lm_thread_info ti;
	CHECK_OK(t_wait(t, &ti));
	CHECK_EQ(ti.state, LM_TS_EXITED);
	CHECK_EQ(ti.exit_code, 0x66);
	CHECK_EQ(s.got[0], LM_OK);
	CHECK_EQ(s.got[1], LM_OK);
	CHECK_EQ(s.got[2], LM_ERIGHTS);
	CHECK_EQ(s.got[3], LM_ERIGHTS);
	CHECK_EQ(s.got[4], LM_OK);
	lm_u64 word = 0;
	CHECK_OK(lm_ntfn_poll(n, &word)); /* signalled, and not deleted */
	CHECK(word != 0);
}
