/*
 * Linking one eBPF program out of a checked object (lm/bpf_elf.h): copy the
 * program's function, then every .text function it reaches, and aim each
 * local call at the copy of its target.
 *
 * A call's target, before linking, is either
 *  - relocated (R_BPF_64_32 against a symbol S in .text): the instruction
 *    at S.value / 8 + imm + 1 of .text (clang writes imm = -1 for a named
 *    function, or the offset from the section symbol for a static one), or
 *  - not relocated (a call within one section): pc + imm + 1 in the
 *    section of the caller.
 * Either way it must be the first instruction of a function symbol, whose
 * size says how much to copy. Each function is copied once, in the order
 * first reached; after linking, a call's imm is the distance between the
 * copies, as RFC 9669 defines it for the flat program.
 */
#include <lamina/error.h>
#include <lm/string.h>
#include "bpf_elf_int.h"

#define INSN sizeof(struct lm_bpf_insn)

struct func {
	lm_u32 sec;
	lm_u64 start;           /* byte offset in sec */
	lm_u32 len;             /* instructions */
	lm_u32 pos;             /* index of its copy in out */
};

struct link {
	struct bpf_obj *o;
	struct lm_bpf_insn *out;
	lm_u32 cap, n;
	struct func funcs[LM_BPF_ELF_MAX_FUNCS];
	lm_u32 nfuncs;
};

/* The function at byte off of section sec, copied if it is new: its index
 * in out in *pos. The entry (nfuncs 0) may be a whole section without a
 * symbol (hand-written assembly has none). */
static int add_func(struct link *l, lm_u32 sec, lm_u64 off, lm_u32 *pos)
{
	struct lm_elf_shdr sh;
	lm_u64 bytes;
	int found;

	for (lm_u32 k = 0; k < l->nfuncs; k++) {
		if (l->funcs[k].sec == sec && l->funcs[k].start == off) {
			*pos = l->funcs[k].pos;
			return LM_OK;
		}
	}
	bpf_obj_shdr(l->o, sec, &sh);
	found = bpf_obj_func_at(l->o, sec, off, &bytes);
	if (found < 0)
		return -found;
	if (!found && !(l->nfuncs == 0 && off == 0 && sec != l->o->text))
		return bpf_elf_fail(l->o->err, LM_EINVAL, "call to %s+%u, where no function starts",
				    bpf_obj_secname(l->o, sec), off);
	if (!found)
		bytes = sh.size;
	if (l->nfuncs == LM_BPF_ELF_MAX_FUNCS)
		return bpf_elf_fail(l->o->err, LM_EINVAL, "more than %u functions",
				    (lm_u64)LM_BPF_ELF_MAX_FUNCS);
	if (bytes / INSN > l->cap - l->n)
		return bpf_elf_fail(l->o->err, LM_ERANGE, "the program needs more than %u "
				    "instructions", (lm_u64)l->cap);
	/* Inside the file: the section is (bpf_obj_open), the range inside it is. */
	memcpy(l->out + l->n, l->o->img + sh.offset + off, bytes);
	l->funcs[l->nfuncs++] = (struct func){ sec, off, (lm_u32)(bytes / INSN), l->n };
	*pos = l->n;
	l->n += (lm_u32)(bytes / INSN);
	return LM_OK;
}

static int is_local_call(const struct lm_bpf_insn *in)
{
	return in->op == (LM_BPF_JMP | LM_BPF_CALL) && LM_BPF_SRC(in) == LM_BPF_CALL_LOCAL;
}

/* Point the call at out[at] to the function starting at instruction tgt
 * (which may lie past the end: that is checked) of section sec. */
static int aim_call(struct link *l, lm_u32 at, lm_u32 sec, lm_i64 tgt)
{
	struct lm_elf_shdr sh;
	lm_u32 pos;
	int rc;

	bpf_obj_shdr(l->o, sec, &sh);
	if (tgt < 0 || (lm_u64)tgt >= sh.size / INSN)
		return bpf_elf_fail(l->o->err, LM_EINVAL, "instruction %u: call outside %s",
				    (lm_u64)at, bpf_obj_secname(l->o, sec));
	rc = add_func(l, sec, (lm_u64)tgt * INSN, &pos);
	if (rc == LM_OK)
		l->out[at].imm = (int)((lm_i64)pos - (lm_i64)at - 1);
	return rc;
}

/* Instruction i of function f carries relocation rel. */
static int apply_rel(struct link *l, const struct func *f, lm_u32 i, const struct lm_elf_rel *rel)
{
	struct lm_bpf_insn *in = &l->out[f->pos + i];
	struct lm_elf_sym sym;
	lm_u32 type = (lm_u32)rel->info;
	int rc;

	if (type == LM_R_BPF_NONE)
		return LM_OK;
	rc = bpf_obj_sym(l->o, rel->info >> 32, &sym);
	if (rc)
		return rc;
	if (type == LM_R_BPF_64_64 && in->op == LM_BPF_LDDW)
		return bpf_elf_fail(l->o->err, LM_EINVAL, "instruction %u: lddw of the address "
				    "of %s: Lamina has no maps or global data (use the context or "
				    "the stack)", (lm_u64)(f->pos + i), bpf_obj_symname(l->o, &sym));
	if (type != LM_R_BPF_64_32 || !is_local_call(in))
		return bpf_elf_fail(l->o->err, LM_EINVAL, "instruction %u: relocation type %u "
				    "against %s is not supported here", (lm_u64)(f->pos + i),
				    (lm_u64)type, bpf_obj_symname(l->o, &sym));
	if (sym.shndx != l->o->text || l->o->text == 0 || sym.value % INSN)
		return bpf_elf_fail(l->o->err, LM_EINVAL, "instruction %u: call to %s, which is "
				    "not a function in .text", (lm_u64)(f->pos + i),
				    bpf_obj_symname(l->o, &sym));
	return aim_call(l, f->pos + i, l->o->text, (lm_i64)(sym.value / INSN) + in->imm + 1);
}

/* A jump must stay inside its function: functions move when linked. */
static int jump_ok(const struct lm_bpf_insn *in, lm_u32 i, lm_u32 len)
{
	lm_u8 cls = LM_BPF_CLASS(in->op), oper = LM_BPF_OPER(in->op);
	lm_i64 tgt;

	if ((cls != LM_BPF_JMP && cls != LM_BPF_JMP32) || oper == LM_BPF_CALL || oper == LM_BPF_EXIT)
		return 1;
	tgt = (lm_i64)i + 1 + (cls == LM_BPF_JMP32 && oper == LM_BPF_JA ? in->imm : in->off);
	return tgt >= 0 && tgt < len;
}

/* Fix up function k's calls; may append more functions. */
static int link_func(struct link *l, lm_u32 k)
{
	struct func f = l->funcs[k];
	struct lm_elf_rel rel;
	int rc;

	for (lm_u32 i = 0; i < f.len; i++) {
		struct lm_bpf_insn *in = &l->out[f.pos + i];
		if (bpf_obj_rel_at(l->o, f.sec, f.start + (lm_u64)i * INSN, &rel))
			rc = apply_rel(l, &f, i, &rel);
		else if (is_local_call(in))
			rc = aim_call(l, f.pos + i, f.sec, (lm_i64)(f.start / INSN) + i + in->imm + 1);
		else if (!jump_ok(in, i, f.len))
			rc = bpf_elf_fail(l->o->err, LM_EINVAL, "instruction %u: jump out of its "
					  "function", (lm_u64)(f.pos + i));
		else
			rc = LM_OK;
		if (rc)
			return rc;
		if (in->op == LM_BPF_LDDW)
			i++;    /* the second slot is data */
	}
	return LM_OK;
}

/* Section index of program i (0: none), in section order; an object with
 * no program section but .text has .text as its one program. */
static lm_u32 prog_sec(const struct bpf_obj *o, lm_u32 i)
{
	lm_u32 seen = 0;

	for (lm_u32 s = 1; s < o->shnum; s++)
		if (s != o->text && bpf_obj_is_prog(o, s) && seen++ == i)
			return s;
	return seen == 0 && i == 0 ? o->text : 0;
}

int lm_bpf_elf_program(const void *img, lm_u64 size, lm_u32 i, const char **name,
		       lm_u32 *ninsns, struct lm_bpf_elf_error *err)
{
	struct bpf_obj o;
	struct lm_elf_shdr sh;
	lm_u32 sec;
	int rc = bpf_obj_open(&o, img, size, err);

	if (rc)
		return rc;
	sec = prog_sec(&o, i);
	if (sec == 0)
		return bpf_elf_fail(err, LM_ENOENT, "no program %u", (lm_u64)i);
	bpf_obj_shdr(&o, sec, &sh);
	if (name)
		*name = bpf_obj_secname(&o, sec);
	if (ninsns)
		*ninsns = (lm_u32)(sh.size / INSN);
	return LM_OK;
}

/* The section of the program called name (NULL: the first), or 0. */
static lm_u32 find_prog(const struct bpf_obj *o, const char *name)
{
	lm_u32 sec;

	for (lm_u32 i = 0; (sec = prog_sec(o, i)) != 0; i++)
		if (!name || strcmp(bpf_obj_secname(o, sec), name) == 0)
			return sec;
	if (name && o->text && strcmp(name, ".text") == 0)
		return o->text;     /* asked for by name even beside other programs */
	return 0;
}

int lm_bpf_elf_load(const void *img, lm_u64 size, const char *section,
		    struct lm_bpf_insn *out, lm_u32 cap, lm_u32 *n,
		    struct lm_bpf_elf_error *err)
{
	struct bpf_obj o;
	struct link l;
	lm_u32 sec, pos;
	int rc = bpf_obj_open(&o, img, size, err);

	if (rc)
		return rc;
	sec = find_prog(&o, section);
	if (sec == 0)
		return section ? bpf_elf_fail(err, LM_ENOENT, "no program section %s", section)
			       : bpf_elf_fail(err, LM_ENOENT, "no program in the object");
	memset(&l, 0, sizeof l);
	l.o = &o;
	l.out = out;
	l.cap = cap;
	rc = add_func(&l, sec, 0, &pos);
	for (lm_u32 k = 0; rc == LM_OK && k < l.nfuncs; k++)
		rc = link_func(&l, k);
	if (rc == LM_OK)
		*n = l.n;
	return rc;
}
