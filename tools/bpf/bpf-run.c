/*
 * bpf-run: run an eBPF program in Lamina's interpreter, as a plugin of the
 * bpf_conformance suite (https://github.com/Alan-Jowett/bpf_conformance):
 *
 *   bpf-run [<memory as base16>] [options] < program
 *
 * The program comes on stdin as base16 text (bytes as hex pairs, any
 * whitespace between them), or raw bytes with --raw, or as base16 text in
 * --program <hex>, or as an ELF object from clang -target bpf with --elf
 * (raw bytes; --section NAME picks the program, else the first). r1
 * points to a copy of the memory (0 when there is none) and r2 holds its
 * length. On success r0 goes to stdout in lowercase hex
 * without 0x or leading zeros (what the suite's runner parses, as uBPF's
 * plugin prints it) and the exit status is 0; any failure is one line on
 * stderr and status 1.
 *
 * By default the verifier (kernel/bpf/verify*.c) checks the program first,
 * with the memory as its context (ctx_size its length, writable, r2 its
 * size; no memory: r1 is 0), then the interpreter runs it. A refused
 * program is one line on stderr, `bpf-run: instruction <N>: <NAME>:
 * <reason>` (NAME as in enum lm_bpf_verr without LM_BPF_V_), status 1.
 * --verify-only stops after the verifier (prints "ok", status 0);
 * --no-verify runs the interpreter alone; --readonly makes the context
 * read-only for the verifier. --elf links the program out of a clang
 * object first (lib/bpf_elf*.c). --jit runs
 * the program as x86-64 code from the JIT instead (kernel/bpf/jit.h): in
 * its verified mode when the verifier accepted it, else (--no-verify) in
 * its checked mode, which gives the interpreter's results and errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpf/bpf.h"
#include <lm/bpf_elf.h>
#include "bpf/helpers.h"
#include "bpf/verify.h"
#include "jit_load.h"

#define DEFAULT_BUDGET 10000000ull

static void usage(void)
{
	fprintf(stderr, "usage: bpf-run [<memory as base16>] [--no-verify | --verify-only] [--readonly] "
			"[--jit] [--raw] [--program <base16>] [--budget <n>] [--elf [--section <name>]] "
			"< program\n");
	exit(1);
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "bpf-run: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode base16 text: hex pairs, whitespace allowed between bytes. */
static unsigned char *base16_decode(const char *s, size_t *len, const char *what)
{
	unsigned char *out = malloc(strlen(s) / 2 + 1);
	size_t n = 0;

	if (!out)
		die("out of memory reading the %s", what);
	while (*s) {
		if (strchr(" \t\r\n", *s)) {
			s++;
			continue;
		}
		if (hexval(s[0]) < 0 || !s[1] || hexval(s[1]) < 0)
			die("the %s is not base16 text (hex pairs)", what);
		out[n++] = (unsigned char)(hexval(s[0]) << 4 | hexval(s[1]));
		s += 2;
	}
	*len = n;
	return out;
}

/* Compile for the host (W^X: written, then made executable) and run. */
static void run_jit(struct bpf_vm *vm, const struct lm_bpf_insn *insns, lm_u32 n, int verified,
		    void *mem, size_t memlen, unsigned long long budget, struct bpf_result *res)
{
	struct jit_code jc = jit_load(insns, n, verified ? BPF_JIT_VERIFIED : BPF_JIT_CHECKED,
				       bpf_helpers_for(LM_BPF_PROG_MEM));

	if (!jc.code)
		die("the JIT cannot translate %s", n > BPF_JIT_MAX_INSNS ? "so long a program"
			: "this program (out of memory)");
	bpf_jit_run(jc.code, vm, mem, memlen, budget, res);
	jit_unload(&jc);
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap + 1);

	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	if (!buf)
		die("out of memory reading the %s", "program");
	buf[n] = 0;
	*len = n;
	return buf;
}

/* --elf: link the program out of the object (lib/bpf_elf*.c); the
 * instructions replace the object in *prog. */
static void elf_link(unsigned char **prog, size_t *len, const char *section)
{
	enum { CAP = 65536 };
	struct lm_bpf_elf_error err;
	struct lm_bpf_insn *insns = malloc(CAP * sizeof *insns);
	lm_u32 n;

	if (!insns)
		die("out of memory for the %s", "program");
	if (lm_bpf_elf_load(*prog, *len, section, insns, CAP, &n, &err) != 0)
		die("ELF: %s", err.msg);
	free(*prog);
	*prog = (unsigned char *)insns;
	*len = (size_t)n * sizeof *insns;
}

/* The verifier's verdict with the memory as the context; refused: exit 1. */
static void verify_or_die(const struct lm_bpf_insn *insns, lm_u32 n, size_t memlen,
			  int readonly)
{
	struct bpf_verify_cfg cfg = { .ctx_size = (lm_u32)memlen, .ctx_writable = !readonly,
				      .r2_is_size = 1, .helpers = bpf_helpers_for(LM_BPF_PROG_MEM) };
	struct bpf_verify_result vres;
	struct bpf_verify_ws *ws = malloc(bpf_verify_ws_size);

	if (!ws)
		die("out of memory for the %s", "verifier");
	if (memlen > 0xffffffffu)
		die("the memory is %s", "too large");
	if (bpf_verify(ws, insns, n, &cfg, &vres)) {
		fprintf(stderr, "bpf-run: instruction %u: %s: %s\n", vres.pc,
			bpf_verify_name(vres.err), bpf_verify_strerror(vres.err));
		exit(1);
	}
	free(ws);
}

int main(int argc, char **argv)
{
	static struct bpf_vm vm;
	const char *memhex = NULL, *proghex = NULL;
	unsigned long long budget = DEFAULT_BUDGET;
	int raw = 0, a = 1, elf = 0, verify = 1, verify_only = 0, readonly = 0, jit = 0;
	const char *section = NULL;
	unsigned char *mem = NULL, *prog;
	size_t memlen = 0, proglen;
	struct bpf_result res;

	if (a < argc && strncmp(argv[a], "--", 2) != 0)
		memhex = argv[a++];
	for (; a < argc; a++) {
		if (!strcmp(argv[a], "--no-verify") || !strcmp(argv[a], "--interpret"))
			verify = 0;
		else if (!strcmp(argv[a], "--raw"))
			raw = 1;
		else if (!strcmp(argv[a], "--program") && a + 1 < argc)
			proghex = argv[++a];
		else if (!strcmp(argv[a], "--budget") && a + 1 < argc)
			budget = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--verify-only"))
			verify_only = 1;
		else if (!strcmp(argv[a], "--readonly"))
			readonly = 1;
		else if (!strcmp(argv[a], "--jit"))
			jit = 1;
		else if (!strcmp(argv[a], "--elf"))
			elf = raw = 1;
		else if (!strcmp(argv[a], "--section") && a + 1 < argc)
			section = argv[++a];
		else if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h"))
			usage();
		else
			die("unknown option %s", argv[a]);
	}

	if (memhex)
		mem = base16_decode(memhex, &memlen, "memory");
	if (proghex) {
		prog = base16_decode(proghex, &proglen, "program");
	} else {
		char *text = read_all(stdin, &proglen);
		prog = raw ? (unsigned char *)text : base16_decode(text, &proglen, "program");
		if (!raw)
			free(text);
	}
	if (elf)
		elf_link(&prog, &proglen, section);
	if (proglen == 0 || proglen % sizeof(struct lm_bpf_insn))
		die("the program is %s, not a whole number of 8-byte instructions",
		    proglen ? "cut off" : "empty");
	if (proglen / 8 > 0xffffffffu)
		die("the program is %s", "too long");

	/* An aligned copy: the instructions are read as structs. */
	struct lm_bpf_insn *insns = malloc(proglen);
	if (!insns)
		die("out of memory for the %s", "program");
	memcpy(insns, prog, proglen);
	free(prog);
	if (verify || verify_only)
		verify_or_die(insns, (lm_u32)(proglen / 8), memlen, readonly);
	if (verify_only) {
		printf("ok\n");
		return 0;
	}
	if (jit)
		run_jit(&vm, insns, (lm_u32)(proglen / 8), verify, memlen ? mem : NULL, memlen,
			budget, &res);
	else
		bpf_run(&vm, insns, (lm_u32)(proglen / 8), memlen ? mem : NULL, memlen,
			bpf_helpers_for(LM_BPF_PROG_MEM), budget, &res);
	free(insns);
	free(mem);
	if (res.err) {
		fprintf(stderr, "bpf-run: instruction %u: %s\n", res.pc, bpf_strerror(res.err));
		return 1;
	}
	printf("%llx\n", (unsigned long long)res.r0);
	return 0;
}
