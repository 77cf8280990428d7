/*
 * Loading a Linux executable and building its initial stack, as Linux's
 * execve does (fs/binfmt_elf.c's contract, System V x86-64 ABI §3.4).
 *
 * Accepted: ELF64 x86-64 ET_EXEC at its link addresses, and ET_DYN without
 * an interpreter (static-pie, which relocates itself) at LX_PIE_BASE. The
 * image is untrusted: every header and segment is checked to lie in the
 * file and in the Linux part of the address space before anything is
 * mapped. Segments are copied into fresh frames (a boot module stays
 * read-only), their bss tail is zero (fresh frames are), then each gets the
 * rights its p_flags ask for. From execve's buffer, whose frames hold the
 * file page by page, a page made of one segment's file bytes takes the
 * buffer's frame instead of a copy (struct frames).
 *
 * execve (exec.c) calls lx_load_check on the new image while the old one
 * still runs, and lx_load only past its point of no return, on an empty
 * map: so lx_load can then fail only for want of memory.
 *
 * The span of the read-only segments' pages is recorded (lx_img_lo,
 * lx_img_hi) when no writable segment shares a page with it: an execve of
 * the same file (a forked busybox running /proc/self/exe) then keeps
 * those pages mapped, or inherited from the parent, and loads only the
 * writable segments (lx_load_keep).
 */
#include "mm.h"
#include <lamina/elf.h>

#define ET_DYN     3
#define PT_INTERP  3
#define PT_PHDR    6
#define MAX_PHDRS  64

static lm_u32 prot_of(lm_u32 pf)
{
	return (pf & LM_PF_R ? PROT_READ : 0) | (pf & LM_PF_W ? PROT_WRITE : 0) |
	       (pf & LM_PF_X ? PROT_EXEC : 0);
}

static int check_header(const struct lm_elf_ehdr *e, lm_u64 size)
{
	if (size < sizeof *e || e->ident[0] != 0x7f || e->ident[1] != 'E' || e->ident[2] != 'L' ||
	    e->ident[3] != 'F' || e->ident[4] != LM_ELF_CLASS64 || e->ident[5] != 1 ||
	    e->machine != LM_ELF_X86_64 || (e->type != LM_ELF_EXEC && e->type != ET_DYN))
		return -ENOEXEC;
	if (e->phentsize != sizeof(struct lm_elf_phdr) || e->phnum == 0 || e->phnum > MAX_PHDRS ||
	    e->phoff > size || size - e->phoff < (lm_u64)e->phnum * sizeof(struct lm_elf_phdr))
		return -ENOEXEC;
	return 0;
}

/* Check every loadable segment; find the load bias and the image's span. */
static int check_segments(const lm_u8 *img, lm_u64 size, const struct lm_elf_ehdr *e,
			  const struct lm_elf_phdr *ph, lm_u64 *bias)
{
	lm_u64 lo = ~0ull;

	for (int i = 0; i < e->phnum; i++) {
		if (ph[i].type == PT_INTERP)
			return -ENOEXEC; /* dynamically linked: no loader yet */
		if (ph[i].type != LM_PT_LOAD || !ph[i].memsz)
			continue;
		if (ph[i].filesz > ph[i].memsz || ph[i].offset > size ||
		    size - ph[i].offset < ph[i].filesz || ph[i].vaddr + ph[i].memsz < ph[i].vaddr ||
		    (ph[i].vaddr & (LX_PAGE - 1)) != (ph[i].offset & (LX_PAGE - 1)))
			return -ENOEXEC;
		if (ph[i].vaddr < lo)
			lo = ph[i].vaddr;
	}
	if (lo == ~0ull)
		return -ENOEXEC;
	*bias = e->type == ET_DYN ? LX_PIE_BASE - LX_PAGE_DOWN(lo) : 0;
	for (int i = 0; i < e->phnum; i++) {
		lm_u64 s = ph[i].vaddr + *bias, t = s + ph[i].memsz;

		if (ph[i].type == LM_PT_LOAD && ph[i].memsz &&
		    (t < s || !lx_range_valid(LX_PAGE_DOWN(s), LX_PAGE_UP(t))))
			return -ENOMEM;
	}
	(void)img;
	return 0;
}

/* The file's frames, when the image is in page-sized frames of its own
 * (execve's buffer: frames[k] holds file bytes [k * 4096, (k + 1) * 4096)):
 * a page made only of one segment's file bytes takes its frame instead of
 * a copy. */
struct frames {
	lm_cptr_t *f;                 /* 0: copy everything (a boot module) */
	const struct lm_elf_phdr *ph; /* every segment, to find shared file pages */
	int phnum;
};

/* The page at va of segment p takes file page fo's frame: the page holds
 * file bytes only (no bss, no neighbour segment's page) and no other
 * segment's file bytes lie in that file page (else it would need them too). */
static int movable(const struct frames *fr, const struct lm_elf_phdr *p, lm_u64 va, lm_u64 fo,
		   int first_shared)
{
	if (!fr->f || first_shared || fo + LX_PAGE > p->offset + p->filesz)
		return 0;
	for (int i = 0; i < fr->phnum; i++) {
		const struct lm_elf_phdr *q = &fr->ph[i];

		if (q != p && q->type == LM_PT_LOAD && q->filesz &&
		    LX_PAGE_DOWN(q->offset) < fo + LX_PAGE && q->offset + q->filesz > fo)
			return 0;
	}
	return 1;
}

/* Map one segment. A page it shares with the previous segment keeps that
 * segment's frame and gets the union of both rights. Movable pages take the
 * file's frames; the others are fresh frames with their bytes copied. */
static int load_segment(const lm_u8 *img, const struct lm_elf_phdr *p, lm_u64 bias,
			const struct frames *fr)
{
	lm_u64 va = p->vaddr + bias, lo = LX_PAGE_DOWN(va), hi = LX_PAGE_UP(va + p->memsz);
	lm_u64 fend = va + p->filesz;
	lm_u32 prot = prot_of(p->flags);
	struct lx_area *shared = lx_area_at(lo);
	lm_u32 shared_prot = shared ? shared->prot | prot : 0;
	int err;

	if (shared) {
		if (shared->hi != lo + LX_PAGE || lx_mm_protect(lo, lo + LX_PAGE, PROT_READ | PROT_WRITE))
			return -ENOEXEC; /* segments overlap by more than a page */
	}
	if (hi > lo + (shared ? LX_PAGE : 0)) {
		err = lx_mm_add(lo + (shared ? LX_PAGE : 0), hi, PROT_READ | PROT_WRITE);
		if (err)
			return err;
	}
	for (lm_u64 pg = lo; pg < hi; pg += LX_PAGE) {
		lm_u64 fo = pg - va + p->offset;

		if (movable(fr, p, va, fo, pg == lo && shared)) {
			err = lx_page_adopt(pg, fr->f[fo / LX_PAGE]);
			fr->f[fo / LX_PAGE] = 0;
			if (err)
				return err;
		}
	}
	err = lx_mm_populate(lo, hi); /* the pages not taken: fresh frames */
	if (err)
		return err;
	for (lm_u64 pg = lo; pg < hi && pg < fend; pg += LX_PAGE) {
		lm_u64 from = pg > va ? pg : va, to = pg + LX_PAGE < fend ? pg + LX_PAGE : fend;

		if (!movable(fr, p, va, pg - va + p->offset, pg == lo && shared))
			memcpy((void *)from, img + p->offset + (from - va), to - from);
	}
	if (shared && (err = lx_mm_protect(lo, lo + LX_PAGE, shared_prot)))
		return err;
	if (hi > lo + (shared ? LX_PAGE : 0))
		err = lx_mm_protect(lo + (shared ? LX_PAGE : 0), hi, prot);
	return err;
}

int lx_load_check(const void *image, lm_u64 size)
{
	const struct lm_elf_ehdr *e = image;
	struct lm_elf_phdr ph[MAX_PHDRS];
	lm_u64 bias;
	int err = check_header(e, size);

	if (err)
		return err;
	memcpy(ph, (const lm_u8 *)image + e->phoff, e->phnum * sizeof ph[0]);
	err = check_segments(image, size, e, ph, &bias);
	if (!err && (e->entry + bias < LX_LOW || e->entry + bias >= LX_HIGH))
		err = -ENOEXEC;
	return err;
}

lm_u64 lx_img_lo, lx_img_hi;
int lx_img_kept LX_HOT;

/* The read-only segments' page span, if no writable segment's pages meet
 * it; else lo == hi. */
static void ro_span(const struct lm_elf_phdr *ph, int n, lm_u64 bias, lm_u64 *lo, lm_u64 *hi)
{
	*lo = ~0ull;
	*hi = 0;
	for (int i = 0; i < n; i++)
		if (ph[i].type == LM_PT_LOAD && ph[i].memsz && !(ph[i].flags & LM_PF_W)) {
			lm_u64 s = LX_PAGE_DOWN(ph[i].vaddr + bias);
			lm_u64 t = LX_PAGE_UP(ph[i].vaddr + bias + ph[i].memsz);
			*lo = s < *lo ? s : *lo;
			*hi = t > *hi ? t : *hi;
		}
	for (int i = 0; i < n; i++)
		if (ph[i].type == LM_PT_LOAD && ph[i].memsz && (ph[i].flags & LM_PF_W) &&
		    LX_PAGE_DOWN(ph[i].vaddr + bias) < *hi &&
		    LX_PAGE_UP(ph[i].vaddr + bias + ph[i].memsz) > *lo)
			*lo = *hi;
	if (*lo >= *hi)
		*lo = *hi = 0;
}

static int load(const void *image, lm_u64 size, lm_cptr_t *frames, int keep,
		struct lx_image *out)
{
	const lm_u8 *img = image;
	const struct lm_elf_ehdr *e = image;
	struct lm_elf_phdr ph[MAX_PHDRS];
	struct frames fr = { frames, ph, e->phnum };
	lm_u64 bias = 0, end = 0;
	int err = check_header(e, size);

	if (err)
		return err;
	memcpy(ph, img + e->phoff, e->phnum * sizeof ph[0]);
	err = check_segments(img, size, e, ph, &bias);
	*out = (struct lx_image){ .entry = e->entry + bias, .phnum = e->phnum, .base = 0 };
	for (int i = 0; i < e->phnum && !err; i++) {
		if (ph[i].type == PT_PHDR)
			out->phdr = ph[i].vaddr + bias;
		if (ph[i].type != LM_PT_LOAD || !ph[i].memsz)
			continue;
		/* the program headers, when no PT_PHDR says where they are */
		if (!out->phdr && e->phoff >= ph[i].offset &&
		    e->phoff - ph[i].offset < ph[i].filesz)
			out->phdr = ph[i].vaddr + bias + (e->phoff - ph[i].offset);
		if (!keep || (ph[i].flags & LM_PF_W))
			err = load_segment(img, &ph[i], bias, &fr);
		if (ph[i].vaddr + bias + ph[i].memsz > end)
			end = ph[i].vaddr + bias + ph[i].memsz;
	}
	if (err)
		return err;
	if (!lx_mm_allows(out->entry, 1, PROT_EXEC))
		return -ENOEXEC;
	out->brk = LX_PAGE_UP(end);
	ro_span(ph, e->phnum, bias, &lx_img_lo, &lx_img_hi);
	return 0;
}

int lx_load(const void *image, lm_u64 size, lm_cptr_t *frames, struct lx_image *out)
{
	return load(image, size, frames, 0, out);
}

int lx_load_keep(const void *image, lm_u64 size, lm_cptr_t *frames, struct lx_image *out)
{
	return load(image, size, frames, 1, out);
}

/* ---- the initial stack ------------------------------------------------------------ */

/* Push n bytes below *sp; their address. */
static lm_u64 push(char **sp, const void *p, lm_u64 n)
{
	*sp -= n;
	memcpy(*sp, p, n);
	return (lm_u64)*sp;
}

/* The auxiliary vector (docs/LINUX.md lists its entries); its length in
 * words. */
static lm_u64 build_auxv(lm_u64 *auxv, const struct lx_image *im, lm_u64 platform, lm_u64 rnd,
			 lm_u64 fn)
{
	lm_u32 a = 1, b, c = 0, d;
	lm_u64 n = 0;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
#define AUX(k, v) (auxv[n++] = (k), auxv[n++] = (v))
	AUX(AT_PHDR, im->phdr);
	AUX(AT_PHENT, sizeof(struct lm_elf_phdr));
	AUX(AT_PHNUM, im->phnum);
	AUX(AT_PAGESZ, LX_PAGE);
	AUX(AT_BASE, im->base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, im->entry);
	AUX(AT_UID, LX_UID);
	AUX(AT_EUID, LX_UID);
	AUX(AT_GID, LX_GID);
	AUX(AT_EGID, LX_GID);
	AUX(AT_SECURE, 0);
	AUX(AT_HWCAP, d); /* CPUID 1 EDX, as Linux gives on x86 */
	AUX(AT_HWCAP2, 0);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PLATFORM, platform);
	AUX(AT_RANDOM, rnd);
	AUX(AT_EXECFN, fn);
	AUX(AT_NULL, 0);
#undef AUX
	return n;
}

/*
 * From LX_STACK_TOP down: execfn, the argument and environment strings
 * (args->str as one block), "x86_64", 16 random bytes, then, 16-byte
 * aligned from the returned rsp up: argc, argv[] and NULL, envp[] and
 * NULL, the auxiliary vector. args->len <= LX_ARG_MAX (exec.c), far less
 * than the stack, whose pages are mapped on touch.
 */
lm_u64 lx_arg_start;

lm_u64 lx_initial_stack(const struct lx_image *im, const struct lx_args *args, const char *execfn)
{
	char *sp = (char *)LX_STACK_TOP;
	lm_u64 auxv[2 * 24], n, nstr = (lm_u64)(args->argc + args->envc);

	if (lx_mm_add(LX_STACK_TOP - LX_STACK_SIZE, LX_STACK_TOP, PROT_READ | PROT_WRITE))
		return 0;
	lm_u64 fn = push(&sp, execfn, strlen(execfn) + 1);
	lm_u64 strs = push(&sp, args->str, args->len);
	lx_arg_start = strs;
	lm_u64 platform = push(&sp, "x86_64", 7);
	sp = (char *)((lm_u64)(sp - 16) & ~15ull);
	lx_random(sp, 16);
	lm_u64 rnd = (lm_u64)sp;

	n = build_auxv(auxv, im, platform, rnd, fn);
	lm_u64 words = 1 + nstr + 2 + n;
	lm_u64 *top = (lm_u64 *)((lm_u64)(sp - words * 8) & ~15ull), *w = top;
	*w++ = (lm_u64)args->argc;
	if (!args->argc)
		*w++ = 0;
	for (lm_u64 i = 0; i < nstr; i++) {
		*w++ = strs;
		strs += strlen((const char *)strs) + 1;
		if (i + 1 == (lm_u64)args->argc)
			*w++ = 0;
	}
	*w++ = 0;
	memcpy(w, auxv, n * 8);
	return (lm_u64)top;
}
