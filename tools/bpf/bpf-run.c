/*
 * bpf-run: run an eBPF program in Lamina's interpreter, as a plugin of the
 * bpf_conformance suite (https://github.com/Alan-Jowett/bpf_conformance):
 *
 *   bpf-run [<memory as base16>] [options] < program
 *
 * The program comes on stdin as base16 text (bytes as hex pairs, any
 * whitespace between them), or raw bytes with --raw, or as base16 text in
 * --program <hex>. r1 points to a copy of the memory (0 when there is none)
 * and r2 holds its length. On success r0 goes to stdout in lowercase hex
 * without 0x or leading zeros (what the suite's runner parses, as uBPF's
 * plugin prints it) and the exit status is 0; any failure is one line on
 * stderr and status 1.
 *
 * There is no verifier step yet: the interpreter checks the program as
 * it runs, which is what --no-verify asks for and the default for now;
 * --verify-only and --elf are refused until they exist. --jit runs the
 * program as x86-64 code from the JIT instead (kernel/bpf/jit.h): in its
 * checked mode, which gives the interpreter's results and errors, unless
 * the program was verified (then in its verified mode).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpf/bpf.h"
#include "jit_load.h"

#define DEFAULT_BUDGET 10000000ull

static void usage(void)
{
	fprintf(stderr, "usage: bpf-run [<memory as base16>] [--no-verify] [--raw] "
			"[--program <base16>] [--budget <n>] [--jit] < program\n");
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
	struct jit_code jc = jit_load(insns, n, verified ? BPF_JIT_VERIFIED : BPF_JIT_CHECKED, NULL);

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

int main(int argc, char **argv)
{
	static struct bpf_vm vm;
	const char *memhex = NULL, *proghex = NULL;
	unsigned long long budget = DEFAULT_BUDGET;
	int raw = 0, jit = 0, a = 1;
	int verified = 0;       /* set once a verify step has accepted the program */
	unsigned char *mem = NULL, *prog;
	size_t memlen = 0, proglen;
	struct bpf_result res;

	if (a < argc && strncmp(argv[a], "--", 2) != 0)
		memhex = argv[a++];
	for (; a < argc; a++) {
		if (!strcmp(argv[a], "--no-verify") || !strcmp(argv[a], "--interpret"))
			continue;
		else if (!strcmp(argv[a], "--raw"))
			raw = 1;
		else if (!strcmp(argv[a], "--program") && a + 1 < argc)
			proghex = argv[++a];
		else if (!strcmp(argv[a], "--budget") && a + 1 < argc)
			budget = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--verify-only"))
			die("%s: there is no verifier yet (only --no-verify runs)", argv[a]);
		else if (!strcmp(argv[a], "--jit"))
			jit = 1;
		else if (!strcmp(argv[a], "--elf"))
			die("%s: ELF objects cannot be loaded yet (base16 or --raw only)", argv[a]);
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
	if (jit)
		run_jit(&vm, insns, (lm_u32)(proglen / 8), verified, memlen ? mem : NULL, memlen,
			budget, &res);
	else
		bpf_run(&vm, insns, (lm_u32)(proglen / 8), memlen ? mem : NULL, memlen, NULL,
			budget, &res);
	free(insns);
	free(mem);
	if (res.err) {
		fprintf(stderr, "bpf-run: instruction %u: %s\n", res.pc, bpf_strerror(res.err));
		return 1;
	}
	printf("%llx\n", (unsigned long long)res.r0);
	return 0;
}
