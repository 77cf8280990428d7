/*
 * Loading eBPF programs from ELF relocatable objects, as
 * `clang -target bpf -O2 -c` writes them. The kernel takes only flat arrays
 * of instructions; this is the linker that turns an object into one, in
 * user space (and on the host, in bpf-run --elf).
 *
 * A program is an executable section other than .text (C puts it there
 * with __attribute__((section("name")))), one function per section. The
 * functions in .text are subprograms: those a program calls, directly or
 * through each other, are appended after it and the local-call immediates
 * are fixed up to reach them. An object with no other executable section
 * has one program, the function at the start of .text.
 *
 * Refused, with a message naming the place: anything malformed (every
 * offset, size, index and string is checked before it is used, so a
 * corrupt object cannot make the loader read outside it), relocations
 * other than calls into .text, and in particular lddw relocations against
 * data (global variables, constant tables, string literals, maps): Lamina
 * has no maps or global data, a program's data is its context and stack.
 *
 * Freestanding: uses nothing but memcpy and strcmp.
 */
#ifndef LM_BPF_ELF_H
#define LM_BPF_ELF_H

#include <lamina/types.h>
#include <lamina/bpf.h>

#define LM_BPF_ELF_MAX_SECTIONS 1024    /* more section headers are refused */
#define LM_BPF_ELF_MAX_FUNCS    64      /* functions in one linked program */
#define LM_BPF_ELF_MAX_SECTION  (65536 * 8)  /* bytes in one executable section */

/* Why a call failed: one line, no newline, always NUL-terminated. */
struct lm_bpf_elf_error {
	char msg[160];
};

/*
 * The i-th program in the object (0, 1, ... in section order): its section
 * name (pointing into img) and its size in instructions before linking.
 * LM_OK; LM_ENOENT when there are no more than i programs; LM_EINVAL
 * when the object is malformed (err says why).
 */
int lm_bpf_elf_program(const void *img, lm_u64 size, lm_u32 i, const char **name,
		       lm_u32 *ninsns, struct lm_bpf_elf_error *err);

/*
 * Link the program in section `section` (NULL: the first program) into
 * out[0..cap): the program's function, then each .text function it
 * reaches, with every local call aimed at the copy. *n is the number of
 * instructions written. LM_OK; LM_ENOENT: no such program; LM_ERANGE:
 * more than cap instructions; LM_EINVAL: malformed or unsupported (err
 * says what and where). Nothing is promised about out after a failure.
 */
int lm_bpf_elf_load(const void *img, lm_u64 size, const char *section,
		    struct lm_bpf_insn *out, lm_u32 cap, lm_u32 *n,
		    struct lm_bpf_elf_error *err);

#endif
