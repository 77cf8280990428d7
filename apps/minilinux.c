/*
 * minilinux: a very small Linux library OS. It runs an unmodified static
 * Linux x86-64 executable (tests/linux/hello.c, built with musl-gcc) in
 * its own address space: the first boot module whose name starts with
 * "linux-" is loaded at the addresses its ELF headers ask for, given a
 * Linux initial stack (argc, argv, envp, auxv), and entered. Its system
 * calls come back to this program by reflection (lm/reflect.h) and are
 * served here: write and writev to the console, getpid, getppid,
 * set_tid_address, arch_prctl(ARCH_SET_FS / ARCH_GET_FS), ioctl (ENOTTY:
 * there is no terminal) and exit / exit_group, whose code becomes this
 * program's exit code. Everything else fails with ENOSYS.
 *
 * minilinux itself is linked at MINILINUX_BASE (Makefile), out of the way
 * of a Linux executable's usual 0x400000; the Linux stack lives at
 * LX_STACK_TOP. The handler runs on the Linux program's stack with its FS
 * base (its TLS): nothing here uses FS.
 */
#include <lm/lamina.h>
#include <lamina/elf.h>

#define LX_STACK_TOP   0x7fe000000000ull
#define LX_STACK_PAGES 32
#define LX_PID         1
#define LX_PPID        0

/* Linux's numbers, as far as they are used here. */
#define NR_write           1
#define NR_ioctl           16
#define NR_writev          20
#define NR_getpid          39
#define NR_exit            60
#define NR_getppid         110
#define NR_arch_prctl      158
#define NR_set_tid_address 218
#define NR_exit_group      231
#define ARCH_SET_FS        0x1002
#define ARCH_GET_FS        0x1003
#define EPERM   1
#define EBADF   9
#define EFAULT  14
#define EINVAL  22
#define ENOTTY  25
#define ENOSYS  38
#define AT_NULL   0
#define AT_PHDR   3
#define AT_PHENT  4
#define AT_PHNUM  5
#define AT_PAGESZ 6
#define AT_ENTRY  9
#define AT_RANDOM 25

struct iovec {
	const void *base;
	lm_u64 len;
};

static const struct lm_bootinfo *bi;
static lm_cptr_t con;   /* console endpoint, 0: the kernel's debug console */
static lm_u64 fs_base;

static long lx_write(lm_u64 fd, const void *buf, lm_u64 n)
{
	if (fd != 1 && fd != 2)
		return -EBADF;
	if (con ? lm_con_write(con, buf, n) : lm_debug_write(buf, n))
		return -EFAULT;
	return (long)n;
}

static long lx_writev(lm_u64 fd, const struct iovec *iov, lm_u64 cnt)
{
	long done = 0;

	if (cnt > 1024)
		return -EINVAL;
	for (lm_u64 i = 0; i < cnt; i++) {
		long r = lx_write(fd, iov[i].base, iov[i].len);
		if (r < 0)
			return done ? done : r;
		done += r;
	}
	return done;
}

static long lx_arch_prctl(lm_u64 code, lm_u64 addr)
{
	if (code == ARCH_GET_FS) {
		*(lm_u64 *)addr = fs_base;
		return 0;
	}
	if (code != ARCH_SET_FS)
		return -EINVAL;
	if (lm_thread_set_fsbase(LM_SLOT_TCB, addr))
		return -EPERM; /* Linux's answer for a non-canonical base */
	fs_base = addr;
	return 0;
}

static long lx_syscall(struct lm_sysargs *a)
{
	lm_u64 *x = a->a;

	switch (a->nr) {
	case NR_write:
		return lx_write(x[0], (const void *)x[1], x[2]);
	case NR_writev:
		return lx_writev(x[0], (const struct iovec *)x[1], x[2]);
	case NR_getpid:
	case NR_set_tid_address: /* the thread id: one thread, so the pid */
		return LX_PID;
	case NR_getppid:
		return LX_PPID;
	case NR_ioctl:
		return -ENOTTY;
	case NR_arch_prctl:
		return lx_arch_prctl(x[0], x[1]);
	case NR_exit:
	case NR_exit_group:
		lm_thread_exit(x[0] & 0xff);
	default:
		return -ENOSYS;
	}
}

/* ---- loading ------------------------------------------------------------- */

static const struct lm_bi_module *linux_module(void)
{
	for (lm_u32 i = 0; i < bi->n_modules && i < LM_BI_MAX_MODULES; i++)
		if (!strncmp(bi->modules[i].name, "linux-", 6))
			return &bi->modules[i];
	return 0;
}

/* Fresh zeroed frames for [lo, hi), mapped writable for now. */
static int map_fresh(lm_u64 lo, lm_u64 hi)
{
	for (lm_u64 va = lo & ~(LM_PAGE_SIZE - 1); va < hi; va += LM_PAGE_SIZE) {
		lm_cptr_t f;
		int err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f);

		if (!err)
			err = lm_map_page(LM_SLOT_VSPACE, f, va, LM_R_READ | LM_R_WRITE);
		if (err)
			return err;
	}
	return LM_OK;
}

/* Each segment into fresh frames, then given its own rights. */
static int load(const void *img, lm_u64 size, lm_u64 *entry)
{
	lm_u32 n;
	int err = lm_elf_check(img, size, entry, &n);

	for (lm_u32 i = 0; i < n && !err; i++) {
		struct lm_elf_seg s;
		lm_u64 lo, hi;

		lm_elf_segment(img, size, i, &s);
		lo = s.vaddr & ~(LM_PAGE_SIZE - 1);
		hi = (s.vaddr + s.memsz + LM_PAGE_SIZE - 1) & ~(LM_PAGE_SIZE - 1);
		err = map_fresh(lo, hi);
		if (err)
			break;
		memcpy((void *)s.vaddr, (const lm_u8 *)img + s.offset, s.filesz);
		err = lm_vspace_protect(LM_SLOT_VSPACE, lo, (hi - lo) / LM_PAGE_SIZE, s.rights, 0);
	}
	return err;
}

/* Where the program headers are once loaded: in the segment holding that
 * part of the file (0 if none does). */
static lm_u64 phdr_addr(const void *img, const struct lm_elf_ehdr *e)
{
	for (lm_u32 i = 0; i < e->phnum; i++) {
		struct lm_elf_phdr ph;

		memcpy(&ph, (const lm_u8 *)img + e->phoff + i * sizeof ph, sizeof ph);
		if (ph.type == LM_PT_LOAD && e->phoff >= ph.offset &&
		    e->phoff + e->phnum * sizeof ph <= ph.offset + ph.filesz)
			return ph.vaddr + (e->phoff - ph.offset);
	}
	return 0;
}

/* The Linux initial stack at LX_STACK_TOP: argv[0] and 16 random bytes at
 * the top, then (16-byte aligned, from the returned rsp up) argc, argv,
 * NULL, an empty envp, NULL, and the auxiliary vector. */
static lm_u64 *initial_stack(const char *name, const void *img, lm_u64 entry)
{
	const struct lm_elf_ehdr *e = img;
	char *top = (char *)LX_STACK_TOP;
	lm_u64 len = strlen(name) + 1;
	char *arg0 = top - len;
	lm_u64 *rnd = (lm_u64 *)(((lm_u64)arg0 - 16) & ~15ull);
	lm_u64 auxv[] = {
		AT_PHDR, phdr_addr(img, e), AT_PHENT, sizeof(struct lm_elf_phdr),
		AT_PHNUM, e->phnum, AT_PAGESZ, LM_PAGE_SIZE, AT_ENTRY, entry,
		AT_RANDOM, (lm_u64)rnd, AT_NULL, 0,
	};
	lm_u64 nwords = 1 + 2 + 1 + sizeof auxv / 8;
	lm_u64 *sp = rnd - nwords - (nwords & 1);
	lm_u64 *p = sp;
	lm_u32 lo, hi;

	memcpy(arg0, name, len);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	rnd[0] = ((lm_u64)hi << 32 | lo) * 0x9e3779b97f4a7c15ull;
	rnd[1] = rnd[0] ^ (lm_u64)&rnd * 0xbf58476d1ce4e5b9ull;
	*p++ = 1;               /* argc */
	*p++ = (lm_u64)arg0;    /* argv */
	*p++ = 0;
	*p++ = 0;               /* envp: empty */
	memcpy(p, auxv, sizeof auxv);
	return sp;
}

int main(lm_word_t arg)
{
	static struct lm_pool pool;
	const struct lm_bi_module *m;
	lm_u64 entry, *sp;
	int err;

	bi = (const struct lm_bootinfo *)arg;
	if (arg != LM_BOOTINFO_VADDR || bi->magic != LM_BOOTINFO_MAGIC)
		return 200;
	con = bi->console_slot;
	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
	lm_pool_init(&pool, 22);
	for (lm_u32 i = 0; i < bi->n_untyped && i < LM_BI_MAX_UNTYPED; i++)
		lm_pool_add(&pool, bi->untyped[i].slot);
	lm_pool_use(&pool);

	m = linux_module();
	if (!m) {
		lm_printf("minilinux: no linux-* module to run\n");
		return 201;
	}
	err = load((const void *)m->vaddr, m->size, &entry);
	if (!err)
		err = map_fresh(LX_STACK_TOP - LX_STACK_PAGES * LM_PAGE_SIZE, LX_STACK_TOP);
	if (!err)
		err = lm_reflect_install(LM_SLOT_TCB, lx_syscall);
	if (err) {
		lm_printf("minilinux: cannot load %.32s: %s\n", m->name, lm_err_str(err));
		return 202;
	}
	sp = initial_stack(m->name, (const void *)m->vaddr, entry);
	/* Enter as the Linux kernel would: rsp at argc, rdx = 0 (no function
	 * for atexit), no frame. */
	__asm__ volatile("mov %0, %%rsp\n"
			 "xor %%edx, %%edx\n"
			 "xor %%ebp, %%ebp\n"
			 "jmp *%1" :: "r"(sp), "r"(entry) : "memory");
	__builtin_unreachable();
}
