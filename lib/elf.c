/* ELF64 image validation (lm/elf.h). Every header is copied out with
 * memcpy, so an image at any alignment is fine. */
#include <lamina/elf.h>
#include <lm/elf.h>
#include <lm/string.h>
#include <lamina/error.h>
#include <lamina/object.h>

#define PAGE 4096ull

static int ehdr_ok(const struct lm_elf_ehdr *e, lm_u64 size)
{
	static const lm_u8 magic[7] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

	if (memcmp(e->ident, magic, sizeof magic) != 0)
		return 0; /* not ELF, not 64-bit, not little-endian, bad version */
	if (e->type != 2 || e->machine != 62 || e->version != 1)
		return 0; /* ET_EXEC, EM_X86_64 */
	if (e->phentsize != sizeof(struct lm_elf_phdr))
		return 0;
	if (e->phnum == 0 || e->phnum > LM_ELF_MAX_PHDRS)
		return 0;
	/* Program headers inside the image, without overflow. */
	return e->phoff <= size && e->phnum * sizeof(struct lm_elf_phdr) <= size - e->phoff;
}

static void get_phdr(const void *img, const struct lm_elf_ehdr *e, lm_u32 i,
		     struct lm_elf_phdr *ph)
{
	memcpy(ph, (const lm_u8 *)img + e->phoff + i * sizeof *ph, sizeof *ph);
}

static int loadable(const struct lm_elf_phdr *ph)
{
	return ph->type == LM_PT_LOAD && ph->memsz > 0;
}

/* One loadable segment: LM_OK, LM_EINVAL or LM_ERANGE. */
static int seg_ok(const struct lm_elf_phdr *ph, lm_u64 size)
{
	if (ph->filesz > ph->memsz)
		return LM_EINVAL;
	if (ph->offset > size || ph->filesz > size - ph->offset)
		return LM_EINVAL; /* file bytes outside the image */
	if (ph->vaddr < LM_USER_MIN || ph->vaddr >= LM_USER_MAX ||
	    ph->memsz > LM_USER_MAX - ph->vaddr)
		return LM_ERANGE;
	return LM_OK;
}

/* Page ranges [first page, last page] of two segments overlap. */
static int seg_overlap(const struct lm_elf_phdr *a, const struct lm_elf_phdr *b)
{
	lm_u64 a0 = a->vaddr / PAGE, a1 = (a->vaddr + a->memsz - 1) / PAGE;
	lm_u64 b0 = b->vaddr / PAGE, b1 = (b->vaddr + b->memsz - 1) / PAGE;

	return a0 <= b1 && b0 <= a1;
}

static int entry_in(const struct lm_elf_phdr *ph, lm_u64 entry)
{
	return (ph->flags & LM_PF_X) && entry >= ph->vaddr &&
	       entry - ph->vaddr < ph->memsz;
}

int lm_elf_check(const void *img, lm_u64 size, lm_u64 *entry, lm_u32 *nsegs)
{
	struct lm_elf_ehdr e;
	struct lm_elf_phdr ph, other;
	lm_u32 n = 0;
	int entry_ok = 0, err;

	if (!img || size < sizeof e)
		return LM_EINVAL;
	memcpy(&e, img, sizeof e);
	if (!ehdr_ok(&e, size))
		return LM_EINVAL;
	for (lm_u32 i = 0; i < e.phnum; i++) {
		get_phdr(img, &e, i, &ph);
		if (!loadable(&ph))
			continue;
		err = seg_ok(&ph, size);
		if (err)
			return err;
		for (lm_u32 j = 0; j < i; j++) {
			get_phdr(img, &e, j, &other);
			if (loadable(&other) && seg_overlap(&ph, &other))
				return LM_EINVAL;
		}
		entry_ok |= entry_in(&ph, e.entry);
		n++;
	}
	if (n == 0 || !entry_ok)
		return LM_EINVAL;
	if (entry)
		*entry = e.entry;
	if (nsegs)
		*nsegs = n;
	return LM_OK;
}

int lm_elf_segment(const void *img, lm_u64 size, lm_u32 i, struct lm_elf_seg *seg)
{
	struct lm_elf_ehdr e;
	struct lm_elf_phdr ph;

	if (!img || size < sizeof e)
		return LM_EINVAL;
	memcpy(&e, img, sizeof e);
	if (!ehdr_ok(&e, size))
		return LM_EINVAL;
	for (lm_u32 k = 0; k < e.phnum; k++) {
		get_phdr(img, &e, k, &ph);
		if (!loadable(&ph) || i-- != 0)
			continue;
		if (seg_ok(&ph, size))
			return LM_EINVAL;
		seg->vaddr = ph.vaddr;
		seg->memsz = ph.memsz;
		seg->filesz = ph.filesz;
		seg->offset = ph.offset;
		seg->rights = LM_R_READ | (ph.flags & LM_PF_W ? LM_R_WRITE : 0) |
			      (ph.flags & LM_PF_X ? LM_R_EXEC : 0);
		return LM_OK;
	}
	return LM_EINVAL;
}
