/*
 * Checking and reading an eBPF ELF relocatable object (lm/bpf_elf.h). The
 * image is untrusted and may sit at any alignment: every header, symbol and
 * relocation is copied out with memcpy after its range is checked, and
 * every check is written so that it cannot overflow (a + b <= size becomes
 * a <= size && b <= size - a).
 */
#include <stdarg.h>
#include <lamina/error.h>
#include <lm/string.h>
#include "bpf_elf_int.h"

/* --- error messages ------------------------------------------------------ */

static void msg_put(struct lm_bpf_elf_error *err, lm_u32 *at, char c)
{
	if (*at + 1 < sizeof err->msg)
		err->msg[(*at)++] = c;
}

int bpf_elf_fail(struct lm_bpf_elf_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	lm_u32 at = 0;

	if (!err)
		return code;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (fmt[0] == '%' && fmt[1] == 's') {
			for (const char *s = va_arg(ap, const char *); *s; s++)
				msg_put(err, &at, *s);
			fmt++;
		} else if (fmt[0] == '%' && fmt[1] == 'u') {
			char digits[20];
			lm_u32 k = 0;
			lm_u64 v = va_arg(ap, lm_u64);
			do
				digits[k++] = (char)('0' + v % 10);
			while ((v /= 10) && k < sizeof digits);
			while (k)
				msg_put(err, &at, digits[--k]);
			fmt++;
		} else {
			msg_put(err, &at, *fmt);
		}
	}
	va_end(ap);
	err->msg[at] = 0;
	return code;
}

/* --- sections -------------------------------------------------------------- */

static void get_ehdr(const struct bpf_obj *o, struct lm_elf_ehdr *e)
{
	memcpy(e, o->img, sizeof *e);
}

void bpf_obj_shdr(const struct bpf_obj *o, lm_u32 i, struct lm_elf_shdr *sh)
{
	struct lm_elf_ehdr e;

	get_ehdr(o, &e);
	memcpy(sh, o->img + e.shoff + (lm_u64)i * sizeof *sh, sizeof *sh);
}

/* A NUL-terminated string at off in section sec, or NULL. The table's
 * range is checked here, not left to section_check: names are read while
 * sections are still being checked, and the table may come later. */
static const char *str_at(const struct bpf_obj *o, lm_u32 sec, lm_u64 off)
{
	struct lm_elf_shdr sh;

	if (sec == 0 || sec >= o->shnum)
		return NULL;
	bpf_obj_shdr(o, sec, &sh);
	if (sh.type != LM_SHT_STRTAB || off >= sh.size)
		return NULL;
	if (sh.offset > o->size || sh.size > o->size - sh.offset)
		return NULL;
	const char *s = (const char *)o->img + sh.offset + off;
	for (lm_u64 k = 0; k < sh.size - off; k++)
		if (s[k] == 0)
			return s;
	return NULL;
}

const char *bpf_obj_secname(const struct bpf_obj *o, lm_u32 i)
{
	struct lm_elf_ehdr e;
	struct lm_elf_shdr sh;

	get_ehdr(o, &e);
	bpf_obj_shdr(o, i, &sh);
	return str_at(o, e.shstrndx, sh.name);
}

int bpf_obj_is_prog(const struct bpf_obj *o, lm_u32 i)
{
	struct lm_elf_shdr sh;

	bpf_obj_shdr(o, i, &sh);
	return sh.type == LM_SHT_PROGBITS && (sh.flags & LM_SHF_EXECINSTR) && sh.size > 0;
}

static int ehdr_check(struct bpf_obj *o)
{
	static const lm_u8 magic[7] = { 0x7f, 'E', 'L', 'F', LM_ELF_CLASS64, 1, 1 };
	struct lm_elf_ehdr e;

	if (o->size < sizeof e)
		return bpf_elf_fail(o->err, LM_EINVAL, "not an ELF object: %u bytes", o->size);
	get_ehdr(o, &e);
	if (memcmp(e.ident, magic, sizeof magic) != 0)
		return bpf_elf_fail(o->err, LM_EINVAL, "not a little-endian ELF64 object");
	if (e.type != LM_ELF_REL || e.machine != LM_ELF_BPF || e.version != 1)
		return bpf_elf_fail(o->err, LM_EINVAL, "not an eBPF relocatable object "
				    "(type %u, machine %u)", (lm_u64)e.type, (lm_u64)e.machine);
	if (e.shentsize != sizeof(struct lm_elf_shdr))
		return bpf_elf_fail(o->err, LM_EINVAL, "section header size %u", (lm_u64)e.shentsize);
	if (e.shnum == 0 || e.shnum > LM_BPF_ELF_MAX_SECTIONS)
		return bpf_elf_fail(o->err, LM_EINVAL, "%u sections (1 to %u allowed)",
				    (lm_u64)e.shnum, (lm_u64)LM_BPF_ELF_MAX_SECTIONS);
	if (e.shoff > o->size || (lm_u64)e.shnum * sizeof(struct lm_elf_shdr) > o->size - e.shoff)
		return bpf_elf_fail(o->err, LM_EINVAL, "section headers outside the file");
	if (e.shstrndx == 0 || e.shstrndx >= e.shnum)
		return bpf_elf_fail(o->err, LM_EINVAL, "section name table index %u",
				    (lm_u64)e.shstrndx);
	o->shnum = e.shnum;
	return LM_OK;
}

/* Section i on its own: inside the file, a name, sane table entries. */
static int section_check(struct bpf_obj *o, lm_u32 i)
{
	struct lm_elf_shdr sh;
	const char *name;

	bpf_obj_shdr(o, i, &sh);
	if (sh.type != LM_SHT_NOBITS && (sh.offset > o->size || sh.size > o->size - sh.offset))
		return bpf_elf_fail(o->err, LM_EINVAL, "section %u lies outside the file", (lm_u64)i);
	name = bpf_obj_secname(o, i);
	if (!name)
		return bpf_elf_fail(o->err, LM_EINVAL, "section %u has no valid name", (lm_u64)i);
	if (sh.type == LM_SHT_PROGBITS && (sh.flags & LM_SHF_EXECINSTR)) {
		if (sh.size % sizeof(struct lm_bpf_insn))
			return bpf_elf_fail(o->err, LM_EINVAL, "section %s: %u bytes, not whole "
					    "8-byte instructions", name, sh.size);
		if (sh.size > LM_BPF_ELF_MAX_SECTION)
			return bpf_elf_fail(o->err, LM_EINVAL, "section %s: %u bytes, more than %u",
					    name, sh.size, (lm_u64)LM_BPF_ELF_MAX_SECTION);
		if (strcmp(name, ".text") == 0 && sh.size > 0)
			o->text = i;
	}
	if (sh.type == LM_SHT_SYMTAB) {
		if (o->symtab)
			return bpf_elf_fail(o->err, LM_EINVAL, "two symbol tables");
		if (sh.entsize != sizeof(struct lm_elf_sym) || sh.size % sizeof(struct lm_elf_sym))
			return bpf_elf_fail(o->err, LM_EINVAL, "symbol table entry size %u", sh.entsize);
		if (!str_at(o, sh.link, 0))
			return bpf_elf_fail(o->err, LM_EINVAL, "symbol table without string table");
		o->symtab = i;
		o->nsyms = (lm_u32)(sh.size / sizeof(struct lm_elf_sym));
	}
	return LM_OK;
}

/* A relocation section, once the symbol table is known: only those that
 * apply to executable sections matter (debug information has its own). */
static int rel_check(struct bpf_obj *o, lm_u32 i)
{
	struct lm_elf_shdr sh, target;

	bpf_obj_shdr(o, i, &sh);
	if (sh.type != LM_SHT_REL && sh.type != LM_SHT_RELA)
		return LM_OK;
	if (sh.info == 0 || sh.info >= o->shnum)
		return bpf_elf_fail(o->err, LM_EINVAL, "relocation section %s applies to section %u",
				    bpf_obj_secname(o, i), (lm_u64)sh.info);
	bpf_obj_shdr(o, sh.info, &target);
	if (!(target.flags & LM_SHF_EXECINSTR))
		return LM_OK;
	if (sh.type == LM_SHT_RELA)
		return bpf_elf_fail(o->err, LM_EINVAL, "RELA relocations for %s (eBPF uses REL)",
				    bpf_obj_secname(o, sh.info));
	if (sh.entsize != sizeof(struct lm_elf_rel) || sh.size % sizeof(struct lm_elf_rel))
		return bpf_elf_fail(o->err, LM_EINVAL, "relocation section %s: entry size %u",
				    bpf_obj_secname(o, i), sh.entsize);
	if (sh.link != o->symtab || o->symtab == 0)
		return bpf_elf_fail(o->err, LM_EINVAL, "relocation section %s: symbol table %u",
				    bpf_obj_secname(o, i), (lm_u64)sh.link);
	if (sh.size / sizeof(struct lm_elf_rel) > target.size / sizeof(struct lm_bpf_insn))
		return bpf_elf_fail(o->err, LM_EINVAL, "relocation section %s: more entries "
				    "than instructions", bpf_obj_secname(o, i));
	for (lm_u64 k = 0; k < sh.size / sizeof(struct lm_elf_rel); k++) {
		struct lm_elf_rel rel;
		memcpy(&rel, o->img + sh.offset + k * sizeof rel, sizeof rel);
		if (rel.offset % sizeof(struct lm_bpf_insn) || rel.offset >= target.size)
			return bpf_elf_fail(o->err, LM_EINVAL, "relocation %u of %s: offset %u is "
					    "not an instruction of it", k, bpf_obj_secname(o, sh.info),
					    rel.offset);
		if ((rel.info >> 32) >= o->nsyms)
			return bpf_elf_fail(o->err, LM_EINVAL, "relocation %u of %s: symbol %u "
					    "does not exist", k, bpf_obj_secname(o, sh.info),
					    rel.info >> 32);
	}
	for (lm_u32 j = 1; j < i; j++) {
		struct lm_elf_shdr other;
		bpf_obj_shdr(o, j, &other);
		if (other.type == LM_SHT_REL && other.info == sh.info)
			return bpf_elf_fail(o->err, LM_EINVAL, "two relocation sections for %s",
					    bpf_obj_secname(o, sh.info));
	}
	return LM_OK;
}

int bpf_obj_open(struct bpf_obj *o, const void *img, lm_u64 size,
		 struct lm_bpf_elf_error *err)
{
	int rc;

	memset(o, 0, sizeof *o);
	o->img = img;
	o->size = img ? size : 0;
	o->err = err;
	if (err)
		err->msg[0] = 0;
	rc = ehdr_check(o);
	for (lm_u32 i = 1; rc == LM_OK && i < o->shnum; i++)
		rc = section_check(o, i);
	for (lm_u32 i = 1; rc == LM_OK && i < o->shnum; i++)
		rc = rel_check(o, i);
	return rc;
}

/* --- symbols and relocations ----------------------------------------------- */

int bpf_obj_sym(const struct bpf_obj *o, lm_u64 idx, struct lm_elf_sym *sym)
{
	struct lm_elf_shdr sh;

	if (o->symtab == 0 || idx == 0 || idx >= o->nsyms)
		return bpf_elf_fail(o->err, LM_EINVAL, "symbol %u does not exist", idx);
	bpf_obj_shdr(o, o->symtab, &sh);
	memcpy(sym, o->img + sh.offset + idx * sizeof *sym, sizeof *sym);
	return LM_OK;
}

const char *bpf_obj_symname(const struct bpf_obj *o, const struct lm_elf_sym *sym)
{
	struct lm_elf_shdr sh;
	const char *s;

	bpf_obj_shdr(o, o->symtab, &sh);
	s = str_at(o, sh.link, sym->name);
	if (s && *s)
		return s;
	if (sym->shndx > 0 && sym->shndx < o->shnum)
		return bpf_obj_secname(o, sym->shndx);
	return "?";
}

int bpf_obj_func_at(const struct bpf_obj *o, lm_u32 sec, lm_u64 off, lm_u64 *size)
{
	struct lm_elf_shdr sh;
	struct lm_elf_sym sym;

	bpf_obj_shdr(o, sec, &sh);
	for (lm_u32 k = 1; k < o->nsyms; k++) {
		bpf_obj_sym(o, k, &sym);
		if ((sym.info & 0xf) != LM_STT_FUNC || sym.shndx != sec || sym.value != off)
			continue;
		if (sym.size == 0 || sym.size % sizeof(struct lm_bpf_insn) ||
		    sym.value > sh.size || sym.size > sh.size - sym.value)
			return -bpf_elf_fail(o->err, LM_EINVAL, "function %s: %u bytes at %u "
					     "in a %u-byte section", bpf_obj_symname(o, &sym),
					     sym.size, sym.value, sh.size);
		*size = sym.size;
		return 1;
	}
	return 0;
}

int bpf_obj_rel_at(const struct bpf_obj *o, lm_u32 sec, lm_u64 off, struct lm_elf_rel *rel)
{
	struct lm_elf_shdr sh;

	for (lm_u32 i = 1; i < o->shnum; i++) {
		bpf_obj_shdr(o, i, &sh);
		if (sh.type != LM_SHT_REL || sh.info != sec)
			continue;
		for (lm_u64 k = 0; k < sh.size / sizeof *rel; k++) {
			memcpy(rel, o->img + sh.offset + k * sizeof *rel, sizeof *rel);
			if (rel->offset == off)
				return 1;
		}
		return 0;
	}
	return 0;
}
