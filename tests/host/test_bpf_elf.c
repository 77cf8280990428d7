/* Host tests of the eBPF ELF loader (lib/bpf_elf*.c): objects clang built
 * from tests/bpf/elf/ and tests/bpf/guest/ are linked and run in the
 * interpreter, then damaged on purpose (cut short, fields set out of range, thousands of
 * random corruptions): every damaged object gets an error with a message,
 * and ASan sees no read outside it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "bpf/bpf.h"
#include <lamina/elf.h>
#include <lamina/error.h>
#include <lamina/syscall.h>
#include <lm/bpf_elf.h>

/* The objects, embedded at build time (BPF_OBJ_DIR is the Makefile's). */
#define EMBED(sym, file)                                                        \
	__asm__(".section .rodata\n.balign 8\n" #sym ":\n.incbin \"" BPF_OBJ_DIR  \
		"/elf/" file "\"\n" #sym "_end:\n.previous\n");                    \
	extern const unsigned char sym[], sym##_end[];
EMBED(calls_o, "calls.o")
EMBED(data_o, "data.o")
EMBED(textonly_o, "textonly.o")
/* The filters built for the guest (tests/bpf/guest/, build/bpf/<name>.o). */
#define EMBED_GUEST(sym, file)                                                  \
	__asm__(".section .rodata\n.balign 8\n" #sym ":\n.incbin \"" BPF_OBJ_DIR  \
		"/" file "\"\n" #sym "_end:\n.previous\n");                         \
	extern const unsigned char sym[], sym##_end[];
EMBED_GUEST(syscall_allow_o, "syscall_allow.o")
EMBED_GUEST(wake_ready_o, "wake_ready.o")
EMBED_GUEST(packet_filter_o, "packet_filter.o")

#define CAP 1024
static struct lm_bpf_insn prog[CAP];
static lm_u32 nprog;
static struct lm_bpf_elf_error err;
static struct bpf_vm vm;

static size_t size_of(const unsigned char *b, const unsigned char *e)
{
	return (size_t)(e - b);
}
#define OBJ(o) o, size_of(o, o##_end)

static int load(const unsigned char *img, size_t size, const char *sec)
{
	nprog = 0;
	return lm_bpf_elf_load(img, size, sec, prog, CAP, &nprog, &err);
}

/* r0 of the linked program over the bytes 0, 1, ..., 63. */
static uint64_t run_linked(void)
{
	unsigned char mem[64];
	struct bpf_result res;

	for (int i = 0; i < 64; i++)
		mem[i] = (unsigned char)i;
	if (bpf_run(&vm, prog, nprog, mem, sizeof mem, NULL, 100000, &res) != BPF_OK)
		return 0xdeadbeefull;
	return res.r0;
}

static lm_u32 section_insns(const unsigned char *img, size_t size, const char *want)
{
	const char *name;
	lm_u32 n;

	for (lm_u32 i = 0; lm_bpf_elf_program(img, size, i, &name, &n, &err) == LM_OK; i++)
		if (strcmp(name, want) == 0)
			return n;
	return 0;
}

static void programs_listed_in_section_order(void)
{
	static const char *want[] = { "mixed", "deep", "shared", "plain" };
	const char *name = NULL;
	lm_u32 n = 0;

	for (lm_u32 i = 0; i < 4; i++) {
		CHECK(lm_bpf_elf_program(OBJ(calls_o), i, &name, &n, &err) == LM_OK);
		CHECK(strcmp(name, want[i]) == 0 && n > 0);
	}
	CHECK(lm_bpf_elf_program(OBJ(calls_o), 4, &name, &n, &err) == LM_ENOENT);
}

static void static_global_and_inline_calls_link_and_run(void)
{
	CHECK(load(OBJ(calls_o), "mixed") == LM_OK);
	CHECK(run_linked() == 135);
	CHECK(nprog > section_insns(OBJ(calls_o), "mixed"));   /* .text appended */
}

static void three_deep_call_chain_through_text(void)
{
	CHECK(load(OBJ(calls_o), "deep") == LM_OK);
	CHECK(run_linked() == ((7 ^ 0x55) + 3) * 5);
}

/* Only what the program reaches is appended: twice is 3 instructions. */
static void only_reached_functions_appended(void)
{
	CHECK(load(OBJ(calls_o), "shared") == LM_OK);
	CHECK(run_linked() == 20);
	CHECK(nprog == section_insns(OBJ(calls_o), "shared") + 3);
	CHECK(load(OBJ(calls_o), "plain") == LM_OK);
	CHECK(run_linked() == 0x2a);
	CHECK(nprog == section_insns(OBJ(calls_o), "plain"));
}

static void calls_aim_at_the_copies(void)
{
	CHECK(load(OBJ(calls_o), "mixed") == LM_OK);
	for (lm_u32 i = 0; i < nprog; i++) {
		if (prog[i].op != 0x85 || LM_BPF_SRC(&prog[i]) != 1)
			continue;
		int64_t t = (int64_t)i + prog[i].imm + 1;
		CHECK(t > i && t < nprog);      /* forward, into an appended function */
	}
}

static void first_program_by_default(void)
{
	CHECK(load(OBJ(calls_o), NULL) == LM_OK);
	CHECK(run_linked() == 135);
}

static void text_only_object_runs_its_first_function(void)
{
	const char *name = NULL;

	CHECK(lm_bpf_elf_program(OBJ(textonly_o), 0, &name, NULL, &err) == LM_OK);
	CHECK(name && strcmp(name, ".text") == 0);
	CHECK(lm_bpf_elf_program(OBJ(textonly_o), 1, &name, NULL, &err) == LM_ENOENT);
	CHECK(load(OBJ(textonly_o), NULL) == LM_OK);
	CHECK(run_linked() == 2 * 3 + 1);
}

static void unknown_section_is_ENOENT_named(void)
{
	CHECK(load(OBJ(calls_o), "nonesuch") == LM_ENOENT);
	CHECK(strstr(err.msg, "nonesuch") != NULL);
}

static void global_data_refused_naming_the_symbol(void)
{
	CHECK(load(OBJ(data_o), "uses_counter") == LM_EINVAL);
	CHECK(strstr(err.msg, "counter") && strstr(err.msg, "no maps or global data"));
	CHECK(load(OBJ(data_o), "uses_table") == LM_EINVAL);
	CHECK(strstr(err.msg, "table") != NULL);
	CHECK(load(OBJ(data_o), "no_data") == LM_OK);
	CHECK(run_linked() == 2);
}

static void too_small_output_is_ERANGE(void)
{
	lm_u32 n = 0;

	CHECK(lm_bpf_elf_load(OBJ(calls_o), "mixed", prog, 4, &n, &err) == LM_ERANGE);
	CHECK(lm_bpf_elf_load(OBJ(calls_o), "mixed", prog, 0, &n, &err) == LM_ERANGE);
	CHECK(err.msg[0] != 0);
}

/* r0 of the linked program over mem. */
static uint64_t run_on(void *mem, uint64_t len)
{
	struct bpf_result res;

	if (bpf_run(&vm, prog, nprog, mem, len, NULL, 100000, &res) != BPF_OK)
		return 0xdeadbeefull;
	return res.r0;
}

static void guest_syscall_filter_allows_denies_reflects(void)
{
	struct lm_bpf_syscall_ctx c = { 0 };

	CHECK(load(OBJ(syscall_allow_o), "syscall") == LM_OK);
	c.nr = LM_SYS_DEBUG_PUTC;
	CHECK(run_on(&c, sizeof c) == LM_BPF_SYS_ALLOW);
	c.nr = LM_SYS_THREAD_EXIT;
	CHECK(run_on(&c, sizeof c) == LM_BPF_SYS_ALLOW);
	c.nr = LM_SYS_VSPACE_MAP;
	CHECK(run_on(&c, sizeof c) == (LM_BPF_SYS_DENY | (uint64_t)LM_ERIGHTS << 16));
	c.nr = LM_SYS_END + 100;
	CHECK(run_on(&c, sizeof c) == (LM_BPF_SYS_DENY | (uint64_t)LM_ERIGHTS << 16));
	c.nr = 1;       /* Linux write */
	CHECK(run_on(&c, sizeof c) == LM_BPF_SYS_REFLECT);
}

static void guest_predicate_reads_the_ready_word(void)
{
	static uint64_t page[512];

	CHECK(load(OBJ(wake_ready_o), NULL) == LM_OK);
	CHECK(run_on(page, sizeof page) == 0);
	page[0] = 3;
	CHECK(run_on(page, sizeof page) == 1);
}

static void guest_packet_filter_keeps_dns_only(void)
{
	unsigned char f[64] = { [12] = 0x08, [14] = 0x45, [23] = 17, [36] = 0, [37] = 53 };

	CHECK(load(OBJ(packet_filter_o), "packet") == LM_OK);
	CHECK(run_on(f, sizeof f) == 1);
	CHECK(run_on(f, 37) == 0);      /* too short to hold the port */
	f[37] = 54;
	CHECK(run_on(f, sizeof f) == 0);
	f[37] = 53;
	f[23] = 6;                      /* TCP */
	CHECK(run_on(f, sizeof f) == 0);
}

/* --- damaged objects ------------------------------------------------------ */

/* Every entry point on a damaged copy in a buffer of exactly its size (so
 * ASan catches a read past it): only documented results, always a message
 * on failure. Returns the number of loads that failed. */
static int try_all(const unsigned char *img, size_t size)
{
	static const char *secs[] = { NULL, "mixed", "deep", "shared", "plain", ".text",
				      "uses_counter", "uses_table", "no_data" };
	int failed = 0;

	for (lm_u32 i = 0; i < 6; i++) {
		const char *name = NULL;
		lm_u32 n;
		int rc = lm_bpf_elf_program(img, size, i, &name, &n, &err);
		CHECK(rc == LM_OK || rc == LM_ENOENT || rc == LM_EINVAL);
		CHECK(rc == LM_OK ? name != NULL : err.msg[0] != 0);
	}
	for (size_t k = 0; k < sizeof secs / sizeof secs[0]; k++) {
		int rc = load(img, size, secs[k]);
		CHECK(rc == LM_OK || rc == LM_ENOENT || rc == LM_EINVAL || rc == LM_ERANGE);
		CHECK(rc == LM_OK ? nprog <= CAP : err.msg[0] != 0);
		CHECK(memchr(err.msg, 0, sizeof err.msg) != NULL);
		failed += rc != LM_OK;
	}
	return failed;
}

static unsigned char *copy_of(const unsigned char *img, size_t size)
{
	unsigned char *c = malloc(size ? size : 1);
	memcpy(c, img, size);
	return c;
}

static void every_truncation_is_an_error(void)
{
	size_t size = size_of(calls_o, calls_o_end);

	for (size_t len = 0; len < size; len++) {
		unsigned char *c = copy_of(calls_o, len);
		CHECK(load(c, len, NULL) != LM_OK && err.msg[0] != 0);
		try_all(c, len);
		free(c);
	}
}

static void null_image_is_an_error(void)
{
	CHECK(load(NULL, 100, NULL) == LM_EINVAL);
}

/* Field offsets inside the headers, for the targeted damage below. */
static struct lm_elf_ehdr ehdr_of(const unsigned char *img)
{
	struct lm_elf_ehdr e;
	memcpy(&e, img, sizeof e);
	return e;
}

static size_t shdr_at(const unsigned char *img, lm_u32 i)
{
	return ehdr_of(img).shoff + (size_t)i * sizeof(struct lm_elf_shdr);
}

static lm_u32 find_section_type(const unsigned char *img, lm_u32 type, lm_u32 nth)
{
	for (lm_u32 i = 1; i < ehdr_of(img).shnum; i++) {
		struct lm_elf_shdr sh;
		memcpy(&sh, img + shdr_at(img, i), sizeof sh);
		if (sh.type == type && nth-- == 0)
			return i;
	}
	return 0;
}

/* Set the 8-byte (or 4/2-byte) field at off of a copy; expect an error. */
static void damaged(size_t off, uint64_t v, int width, const char *want)
{
	size_t size = size_of(calls_o, calls_o_end);
	unsigned char *c = copy_of(calls_o, size);

	memcpy(c + off, &v, (size_t)width);
	int rc = load(c, size, "mixed");
	CHECK(rc == LM_EINVAL);
	if (want && !strstr(err.msg, want)) {
		printf("(message: %s) ", err.msg);
		CHECK(!"the message names the damage");
	}
	try_all(c, size);
	free(c);
}

static void damaged_fields_are_named(void)
{
	const unsigned char *img = calls_o;
	lm_u32 rel = find_section_type(img, LM_SHT_REL, 0);
	lm_u32 sym = find_section_type(img, LM_SHT_SYMTAB, 0);
	struct lm_elf_shdr rsh, ssh;

	CHECK(rel && sym);
	memcpy(&rsh, img + shdr_at(img, rel), sizeof rsh);
	memcpy(&ssh, img + shdr_at(img, sym), sizeof ssh);
	damaged(0, 0, 1, "not a little-endian ELF64");
	damaged(18, 62, 2, "machine 62");                          /* x86-64 */
	damaged(offsetof(struct lm_elf_ehdr, shnum), 5000, 2, "5000 sections");
	damaged(offsetof(struct lm_elf_ehdr, shoff), 1ull << 40, 8, "outside the file");
	damaged(offsetof(struct lm_elf_ehdr, shstrndx), 200, 2, "name table");
	/* A section far past the end, a name past the name table. */
	damaged(shdr_at(img, 2) + offsetof(struct lm_elf_shdr, offset), 1ull << 62, 8, "outside");
	damaged(shdr_at(img, 2) + offsetof(struct lm_elf_shdr, name), 1u << 30, 4, "no valid name");
	/* A relocation at a misaligned offset, past the section, at a symbol
	 * that does not exist; a relocation section naming no section. */
	damaged(rsh.offset, 3, 8, "not an instruction");
	damaged(rsh.offset, 1ull << 32, 8, "not an instruction");
	damaged(rsh.offset + 8, 0xffffull << 32 | 10, 8, "symbol 65535");
	damaged(shdr_at(img, rel) + offsetof(struct lm_elf_shdr, info), 999, 4, "section 999");
	damaged(shdr_at(img, rel) + offsetof(struct lm_elf_shdr, entsize), 24, 8, "entry size");
	damaged(shdr_at(img, sym) + offsetof(struct lm_elf_shdr, entsize), 16, 8, "entry size");
	/* An executable section of 7 bytes. */
	damaged(shdr_at(img, 3) + offsetof(struct lm_elf_shdr, size), 7, 8, "whole");
	/* The called function's symbol made huge: it leaves its section. */
	for (lm_u32 k = 1; k < ssh.size / sizeof(struct lm_elf_sym); k++) {
		struct lm_elf_sym s;
		size_t at = ssh.offset + k * sizeof s;
		memcpy(&s, img + at, sizeof s);
		if ((s.info & 0xf) == LM_STT_FUNC && s.shndx != 0 && s.value > 0) {
			damaged(at + offsetof(struct lm_elf_sym, size), 1ull << 40, 8, "function");
			break;
		}
	}
}

/* The section-name table is read while sections are still being checked:
 * a name table that comes after the section being named, with its offset
 * far outside the file, must be caught before it is read. */
static void late_name_table_outside_the_file(void)
{
	size_t size = size_of(calls_o, calls_o_end);
	unsigned char *c = copy_of(calls_o, size);
	lm_u32 last = ehdr_of(c).shnum - 1;
	size_t at = shdr_at(c, last);
	lm_u32 strtab = LM_SHT_STRTAB;
	lm_u64 far = 1ull << 40;
	lm_u16 idx = (lm_u16)last;

	memcpy(c + at + offsetof(struct lm_elf_shdr, type), &strtab, 4);
	memcpy(c + at + offsetof(struct lm_elf_shdr, offset), &far, 8);
	memcpy(c + offsetof(struct lm_elf_ehdr, shstrndx), &idx, 2);
	CHECK(load(c, size, NULL) == LM_EINVAL && err.msg[0] != 0);
	try_all(c, size);
	free(c);
}

/* A small xorshift generator: the same corruptions every run. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Where the symbols, relocations and section headers start (clang puts
 * them after the code and data). */
static size_t tables_start(const unsigned char *img)
{
	size_t at = shdr_at(img, 0);
	lm_u32 types[] = { LM_SHT_SYMTAB, LM_SHT_REL };

	for (int t = 0; t < 2; t++) {
		lm_u32 i = find_section_type(img, types[t], 0);
		struct lm_elf_shdr sh;
		if (!i)
			continue;
		memcpy(&sh, img + shdr_at(img, i), sizeof sh);
		if (sh.offset < at)
			at = sh.offset;
	}
	return at;
}

/* Random bytes set to random or boundary values; half the time inside the
 * symbols, relocations and section headers (where the loader looks), else anywhere. 6000 objects
 * by default, BPF_ELF_ITERS=n for more. */
static void random_corruptions_only_errors(void)
{
	static const uint8_t vals[] = { 0, 1, 7, 8, 0x7f, 0x80, 0xff };
	const unsigned char *objs[] = { calls_o, data_o, textonly_o };
	const size_t sizes[] = { size_of(calls_o, calls_o_end), size_of(data_o, data_o_end),
				 size_of(textonly_o, textonly_o_end) };
	int failed = 0, tries = 0, iters = 6000;

	if (getenv("BPF_ELF_ITERS"))            /* longer runs by hand */
		iters = atoi(getenv("BPF_ELF_ITERS"));
	for (int iter = 0; iter < iters; iter++) {
		int w = iter % 3;
		size_t size = sizes[w];
		unsigned char *c = copy_of(objs[w], size);
		size_t tables = tables_start(objs[w]);
		int flips = 1 + (int)(next() % 4);

		for (int f = 0; f < flips; f++) {
			size_t at = next() % 2 ? tables + next() % (size - tables) : next() % size;
			c[at] = next() % 2 ? (uint8_t)next() : vals[next() % sizeof vals];
		}
		if (iter % 10 == 0)
			size -= next() % 64 % size;   /* and sometimes cut short */
		failed += try_all(c, size);
		tries += 9;
		free(c);
	}
	printf("(%d of %d loads refused) ", failed, tries);
	CHECK(failed > 0 && failed < tries);
}

int main(void)
{
	RUN(programs_listed_in_section_order);
	RUN(static_global_and_inline_calls_link_and_run);
	RUN(three_deep_call_chain_through_text);
	RUN(only_reached_functions_appended);
	RUN(calls_aim_at_the_copies);
	RUN(first_program_by_default);
	RUN(text_only_object_runs_its_first_function);
	RUN(unknown_section_is_ENOENT_named);
	RUN(global_data_refused_naming_the_symbol);
	RUN(too_small_output_is_ERANGE);
	RUN(guest_syscall_filter_allows_denies_reflects);
	RUN(guest_predicate_reads_the_ready_word);
	RUN(guest_packet_filter_keeps_dns_only);
	RUN(null_image_is_an_error);
	RUN(every_truncation_is_an_error);
	RUN(damaged_fields_are_named);
	RUN(late_name_table_outside_the_file);
	RUN(random_corruptions_only_errors);
	return CHECK_DONE();
}
