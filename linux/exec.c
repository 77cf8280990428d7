/*
 * execve and execveat: a new program in place of the current one, in the
 * same process (docs/LINUX.md, "execve"); and the first program, which
 * main.c starts through the same code.
 *
 * Two phases, as Linux's prepare and commit. Staging changes nothing the
 * program can see: the arguments and environment are copied out of the old
 * image (struct lx_args), the path is opened in the file server's tree
 * (x bit, regular file), `#!` lines are followed (at most SCRIPT_DEPTH), and
 * the ELF file's headers and the pages its load segments lie in are read
 * into a buffer of the personality's own (EXEC_BUF, above the Linux range,
 * so no program pointer reaches it; stage_segments) and every header and
 * segment checked (lx_load_check). A failure up to there
 * returns -errno to the caller with the process intact. When the file is
 * the one the running program was loaded from, unchanged, and its
 * read-only segments are as loaded (same_image), only the headers and the
 * writable segments are read: the commit keeps the others (lx_load_keep).
 *
 * The point of no return is the switch to exec_stack (the program's stack,
 * on which a reflected call runs, is about to go): then the old areas and
 * pages are released, the staged image loaded, the buffer freed,
 * descriptors marked FD_CLOEXEC closed, handled signals reset
 * (lx_sig_exec), the FS base cleared, a fresh stack built and the new
 * program entered with clean registers. What stays is the personality's
 * own state: its image, the reflection entry, the file server's page, the
 * descriptor table, the working directory, the umask, the limits. Past the
 * point of no return only memory can run out (frames, page-table entries):
 * Linux then kills the process with SIGSEGV, and so does this (status 139).
 */
#include "mm.h"
#include "thread.h"
#include <lamina/elf.h>

#define SCRIPT_DEPTH 5                  /* #! files in a chain (ELOOP beyond), as Linux 6 */
#define SCRIPT_LINE  256                /* a #! line: 255 bytes and its newline */
#define EXEC_BUF     0x7f8000000000ull  /* the staged file (personality's memory) */
#define EXEC_MAX     (32ull << 20)      /* the largest executable (ENOMEM beyond) */
#define EXEC_PAGES   (EXEC_MAX / LX_PAGE)
#define SIGSEGV      11

static lm_cptr_t buf_frames[EXEC_PAGES]; /* the frames mapped at EXEC_BUF */
static lm_u64 buf_pages;

static struct lx_args args_a, args_b;   /* execve's arguments; room to rewrite them */
static char given[FS_PATH];             /* the path given: AT_EXECFN, the process name */
/* resolved: staged (the file server's name of the file opened, FS_O_EXEC,
 * or "" until resolve), and the running one's */
static char exe[FS_PATH], cur_exe[FS_PATH];
static struct {
	const void *img;
	lm_u64 size;
	const struct lx_args *args;
	lm_u64 t0, reqs;  /* -t: rdtsc at the start, file server requests */
	int keep;         /* the same file as the running program's: lx_load_keep */
	int file;         /* from a file (not a boot module) */
} go;

/* A file as execve saw it: the running program's (img_id, when loaded
 * from a file) and the one being staged. A write to the file changes its
 * ctime (and a utimensat that puts mtime back changes it too). */
struct file_id {
	lm_u64 dev, ino;
	long size, mtime, mtime_ns, ctime, ctime_ns;
};
static struct file_id img_id, new_id;
static lm_u8 exec_stack[16384] __attribute__((aligned(16)));

/* ---- the arguments ------------------------------------------------------------ */

int lx_args_add(struct lx_args *g, const char *s, int env)
{
	lm_u64 n = strlen(s) + 1, ptrs = 8 * (lm_u64)(g->argc + g->envc + 1);

	if (g->len + n + ptrs > LX_ARG_MAX || (!env && g->envc))
		return -E2BIG;
	memcpy(g->str + g->len, s, n);
	g->len += (lm_u32)n;
	*(env ? &g->envc : &g->argc) += 1;
	return 0;
}

/* A NULL-terminated vector of strings from the program (uv 0: none). */
static long collect(struct lx_args *g, lm_u64 uv, int env)
{
	for (lm_u64 i = 0; uv; i++) {
		lm_u64 p, ptrs = 8 * (lm_u64)(g->argc + g->envc + 1);
		long n;

		if (lx_copy_in(&p, uv + 8 * i, 8))
			return -EFAULT;
		if (!p)
			return 0;
		if (g->len + ptrs >= LX_ARG_MAX)
			return -E2BIG;
		n = lx_copy_str(g->str + g->len, p, LX_ARG_MAX - g->len - ptrs);
		if (n < 0)
			return n == -EFAULT ? n : -E2BIG;
		g->len += (lm_u32)n + 1;
		*(env ? &g->envc : &g->argc) += 1;
	}
	return 0;
}

/* A script's arguments: {interp, [arg], script, argv[1..]}, envp kept. */
static long script_args(struct lx_args *g, const char *interp, const char *arg, const char *script)
{
	struct lx_args *t = &args_b;
	const char *s = g->str;
	long err;

	t->argc = t->envc = 0;
	t->len = 0;
	err = lx_args_add(t, interp, 0);
	if (!err && arg)
		err = lx_args_add(t, arg, 0);
	if (!err)
		err = lx_args_add(t, script, 0);
	for (int i = 0; i < g->argc + g->envc && !err; i++, s += strlen(s) + 1)
		if (i)
			err = lx_args_add(t, s, i >= g->argc);
	if (!err)
		memcpy(g, t, __builtin_offsetof(struct lx_args, str) + t->len);
	return err;
}

/* ---- the file ------------------------------------------------------------------- */

/* The loader may have taken frames into the new program's map (zeroed
 * entries); the rest go back. */
static void buf_free(void)
{
	while (buf_pages)
		if (buf_frames[--buf_pages])
			lm_vm_frame_put(buf_frames[buf_pages]); /* deleting unmaps it */
}

/* Frames under the buffer's bytes [lo, hi), where there are none yet
 * (pages below lo may stay without: buf_frames[k] 0). */
static long buf_map(lm_u64 lo, lm_u64 hi)
{
	lm_cptr_t f;

	if (hi > EXEC_MAX)
		return -ENOMEM;
	for (lm_u64 k = lo / LX_PAGE; k * LX_PAGE < hi; k++) {
		while (buf_pages <= k)
			buf_frames[buf_pages++] = 0;
		if (buf_frames[k])
			continue;
		if (lm_vm_frame_get(&f))
			return -ENOMEM;
		if (lm_map_page(LM_SLOT_VSPACE, f, EXEC_BUF + k * LX_PAGE, LM_R_READ | LM_R_WRITE)) {
			lm_vm_frame_put(f);
			return -ENOMEM;
		}
		buf_frames[k] = f;
	}
	return 0;
}

/* n bytes from pos into dst, in requests of the page's data field; the
 * count read (short at the end of the file) or -errno. */
static long read_at(lm_u64 h, char *dst, lm_u64 n, lm_u64 pos)
{
	lm_u64 done = 0;

	while (done < n) {
		lm_u64 k = n - done < FS_DATA ? n - done : FS_DATA;
		long r = lx_fs_call(FS_READ, h, k, pos + done, 1, 0);

		go.reqs++;
		if (r < 0)
			return r;
		memcpy(dst + done, lx_fsb->data, (lm_u64)r);
		done += (lm_u64)r;
		if ((lm_u64)r < k)
			break;
	}
	return (long)done;
}

/*
 * Open what execve names, as Linux checks it: a regular file with an x bit
 * (root may run anything with one), EACCES otherwise. The handle, or
 * -errno; *own says whether it is ours to close (not a descriptor's, for
 * AT_EMPTY_PATH).
 */
static long open_exec(long dirfd, const char *p, lm_u64 flags, lm_u64 *size, int *own)
{
	struct lx_stat st;
	long dir, h, r;

	new_id = (struct file_id){ 0 };
	exe[0] = 0;

	*own = 0;
	if (!*p && (flags & AT_EMPTY_PATH)) {
		h = (int)dirfd == AT_FDCWD ? -EACCES : lx_fd_handle(dirfd);
		if (h == -ENOTDIR)
			return -EACCES; /* the terminal */
	} else {
		if (!*p)
			return -ENOENT;
		if (!strcmp(p, "/proc/self/exe")) /* ash runs a script that is not #! so */
			p = lx_execfn;
		dir = lx_fd_at(dirfd, p);
		if (dir < 0)
			return dir;
		if (p != lx_fsb->path)
			lx_strcpy(lx_fsb->path, p);
		h = lx_fs_call(FS_OPEN, (lm_u64)dir, O_RDONLY | FS_O_EXEC |
			       (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0), 0, 0, 0);
		*own = h > 0;
		if (h > 0) { /* FS_O_EXEC's path and stat, before the next request */
			struct fs_stat fst;

			lx_strcpy(exe, lx_fsb->path2);
			memcpy(&fst, lx_fsb->data, sizeof fst);
			lx_fs_to_stat(&fst, &st);
		}
	}
	if (h < 0)
		return h;
	r = *own ? 0 : lx_fs_stat((lm_u64)h, "", FS_AT_EMPTY, &st);
	if (!r && ((st.mode & S_IFMT) != S_IFREG || !(st.mode & 0111)))
		r = -EACCES;
	if (!r && (lm_u64)st.size > EXEC_MAX)
		r = -ENOMEM;
	if (r) {
		if (*own)
			lx_fs_call(FS_CLOSE, (lm_u64)h, 0, 0, 0, 0);
		return r;
	}
	*size = (lm_u64)st.size;
	new_id = (struct file_id){ st.dev, st.ino, st.size, st.mtime, st.mtime_ns, st.ctime,
				   st.ctime_ns };
	return h;
}

/* The running program was loaded from this same file, unchanged, and its
 * read-only segments are still as loaded. */
static int same_image(void)
{
	return lx_img_kept && new_id.ino && !memcmp(&new_id, &img_id, sizeof new_id);
}

/*
 * Staging, the file's first page (the headers) in the buffer already:
 * only the load segments' file bytes are read too, or with `only`
 * LM_PF_W (lx_load_keep) the writable segments' alone; the buffer's other
 * pages stay without frames (a symbol table, section headers: no loader
 * reads them). 1 when the headers are not all in the first page (then
 * the whole file is read), else 0 or -errno.
 */
static long stage_segments(lm_u64 h, lm_u64 size, lm_u32 only)
{
	const struct lm_elf_ehdr *e = (const void *)EXEC_BUF;
	const struct lm_elf_phdr *ph;
	lm_u64 first = size < LX_PAGE ? size : LX_PAGE;
	long n, err;

	if (first < sizeof *e || e->phoff > first ||
	    (first - e->phoff) / sizeof *ph < e->phnum)
		return 1;
	if ((err = lx_load_check((const void *)EXEC_BUF, size)))
		return err; /* every segment lies in the file */
	ph = (const void *)(EXEC_BUF + e->phoff);
	for (int i = 0; i < e->phnum; i++) {
		lm_u64 lo = LX_PAGE_DOWN(ph[i].offset), hi = ph[i].offset + ph[i].filesz;

		if (ph[i].type != LM_PT_LOAD || (ph[i].flags & only) != only || !ph[i].filesz)
			continue;
		if (lo < first) /* the first page is read already */
			lo = first;
		if (hi <= lo)
			continue;
		if ((err = buf_map(lo, hi)))
			return err;
		n = read_at(h, (char *)EXEC_BUF + lo, hi - lo, lo);
		if (n != (long)(hi - lo))
			return n < 0 ? n : -ENOEXEC;
	}
	return 0;
}

/* "#!interp [arg]\n" in head[0, n), NUL-terminated in place. */
static long parse_script(char *head, long n, char **interp, char **arg)
{
	long end = 0;
	char *p, *e;

	while (end < n && head[end] != '\n')
		end++;
	if (end == n && n >= SCRIPT_LINE)
		return -ENOEXEC; /* no end of line within 255 bytes */
	head[end] = 0;
	for (p = head + 2; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p)
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	for (e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = 0;
	*arg = *p ? p : 0;
	return 0;
}

/*
 * The absolute path of the file p names, its symbolic links followed
 * (for /proc/self/exe: /bin/sh -> /bin/busybox), where the open's
 * FS_O_EXEC gave none: the server resolves the directory part
 * (GETPATH), the last component is read as a link until it is none. p as
 * given when anything fails.
 */
static void resolve(long dirfd, const char *p, char *out)
{
	static char cur[FS_PATH], base[FS_PATH];
	long dir = lx_fd_at(dirfd, p), d, n;
	lm_u64 owned = 0;

	lx_strcpy(out, p);
	lx_strcpy(cur, p);
	for (int hops = 0; hops < 40 && dir >= 0; hops++) {
		char *slash = 0;

		for (char *q = cur; *q; q++)
			if (*q == '/')
				slash = q;
		lx_strcpy(base, slash ? slash + 1 : cur);
		if (slash)
			*slash = 0;
		lx_strcpy(lx_fsb->path, !slash ? "." : cur[0] ? cur : "/");
		d = lx_fs_call(FS_OPEN, (lm_u64)dir, O_PATH | O_DIRECTORY, 0, 0, 0);
		if (d < 0)
			break;
		if (owned)
			lx_fs_call(FS_CLOSE, owned, 0, 0, 0, 0);
		owned = (lm_u64)d;
		dir = d;
		n = lx_fs_call(FS_GETPATH, owned, 0, 0, 0, 0);
		if (n < 0 || n + 2 + strlen(base) > FS_PATH)
			break;
		lm_snprintf(out, FS_PATH, "%s%s%s", lx_fsb->data, n > 1 ? "/" : "", base);
		lx_strcpy(lx_fsb->path, base);
		n = lx_fs_call(FS_READLINK, owned, FS_PATH - 1, 0, 0, 0);
		if (n < 0)
			break; /* not a link: out is the file */
		lx_fsb->data[n] = 0;
		lx_strcpy(cur, lx_fsb->data);
	}
	if (owned)
		lx_fs_call(FS_CLOSE, owned, 0, 0, 0, 0);
}

/* ---- past the point of no return -------------------------------------------------- */

/* The new program's first instruction: rsp at argc, every other register
 * zero (rdx = 0: no function for atexit), a fresh FPU and SSE state. */
static __attribute__((noreturn)) void enter(lm_u64 sp, lm_u64 entry)
{
	static const lm_u32 mxcsr = 0x1f80;

	__asm__ volatile("fninit\n"
			 "ldmxcsr %2\n"
			 "mov %0, %%rsp\n"
			 "mov %1, %%rcx\n"
			 "xor %%eax, %%eax\n xor %%ebx, %%ebx\n xor %%edx, %%edx\n"
			 "xor %%esi, %%esi\n xor %%edi, %%edi\n xor %%ebp, %%ebp\n"
			 "xor %%r8d, %%r8d\n xor %%r9d, %%r9d\n xor %%r10d, %%r10d\n"
			 "xor %%r11d, %%r11d\n xor %%r12d, %%r12d\n xor %%r13d, %%r13d\n"
			 "xor %%r14d, %%r14d\n xor %%r15d, %%r15d\n"
			 "pxor %%xmm0, %%xmm0\n pxor %%xmm1, %%xmm1\n pxor %%xmm2, %%xmm2\n"
			 "pxor %%xmm3, %%xmm3\n pxor %%xmm4, %%xmm4\n pxor %%xmm5, %%xmm5\n"
			 "pxor %%xmm6, %%xmm6\n pxor %%xmm7, %%xmm7\n pxor %%xmm8, %%xmm8\n"
			 "pxor %%xmm9, %%xmm9\n pxor %%xmm10, %%xmm10\n pxor %%xmm11, %%xmm11\n"
			 "pxor %%xmm12, %%xmm12\n pxor %%xmm13, %%xmm13\n pxor %%xmm14, %%xmm14\n"
			 "pxor %%xmm15, %%xmm15\n"
			 "jmp *%%rcx" :: "r"(sp), "r"(entry), "m"(mxcsr) : "memory");
	__builtin_unreachable();
}

static __attribute__((noreturn)) void killed(const char *why)
{
	lm_printf("linux: execve %s: %s past the point of no return: killed\n", given, why);
	lx_exit(128 + SIGSEGV);
}

/* On exec_stack: the old program goes, the staged one comes. */
static __attribute__((noreturn)) void commit(void)
{
	struct lx_image im;
	lm_u64 t1 = lx_rdtsc(), sp;
	int err;

	lx_thr_exec();
	lx_futex_exec();
	if (go.keep) { /* all but the read-only segments, which stay */
		if (lx_unmap(LX_LOW, lx_img_lo) || lx_unmap(lx_img_hi, LX_HIGH))
			killed("no memory for the map");
		err = lx_load_keep(go.img, go.size, buf_frames, &im);
	} else {
		lx_mm_reset();
		lx_img_kept = 0;
		err = lx_load(go.img, go.size, go.img == (const void *)EXEC_BUF ? buf_frames : 0, &im);
	}
	buf_free();
	if (err)
		killed("no memory for the image");
	lx_img_kept = go.file && lx_img_hi > lx_img_lo;
	img_id = new_id;
	lx_brk_init(im.brk);
	lx_fd_exec();
	lx_sig_exec();
	lx_proc_exec();
	lx_strcpy(cur_exe, exe);
	lx_execfn = cur_exe;
	lx_set_comm(given);
	sp = lx_initial_stack(&im, go.args, given);
	if (!sp)
		killed("no memory for the stack");
	lx_procfs_exec(go.args);
	if (lx_trace)
		lm_printf("[linux] execve %s (%s): %lu bytes, %lu file server requests, "
			  "%lu rdtsc ticks to stage, %lu to load\n", given, exe, go.size, go.reqs,
			  t1 - go.t0, lx_rdtsc() - t1);
	lx_thr_exec_done(); /* the call never returns: the lock is free */
	enter(sp, im.entry);
}

static lm_word_t commit_on_first(lm_word_t unused)
{
	(void)unused;
	commit();
}

static __attribute__((noreturn)) void point_of_no_return(void)
{
	/* From a thread other than the first, the first carries the exec
	 * on and the caller ends here (thread.c, lx_thr_exec_handoff). */
	lx_thr_exec_handoff(commit_on_first, exec_stack + sizeof exec_stack);
	__asm__ volatile("mov %0, %%rsp\n"
			 "call *%1\n"
			 "ud2" :: "r"(exec_stack + sizeof exec_stack), "r"(commit) : "memory");
	__builtin_unreachable();
}

/* ---- staging ------------------------------------------------------------------------- */

long lx_exec_path(long dirfd, const char *p, lm_u64 flags, struct lx_args *g)
{
	static char cur[FS_PATH], head[SCRIPT_LINE + 1];
	const char *buf = (const char *)EXEC_BUF;
	char *interp, *arg;
	lm_u64 size = 0;
	long h, n, err;
	int own;

	go.t0 = lx_rdtsc();
	go.reqs = 0;
	if (strlen(p) >= FS_PATH)
		return -ENAMETOOLONG;
	lx_strcpy(cur, p);
	lx_strcpy(given, p);
	if (!*p) /* AT_EMPTY_PATH: the descriptor's file, named as Linux names it */
		lm_snprintf(given, sizeof given, "/dev/fd/%ld", dirfd);
	for (int depth = 0;; depth++) {
		h = open_exec(dirfd, cur, flags, &size, &own);
		if (h < 0)
			return h;
		/* the first page: a #! line, or the ELF headers */
		lm_u64 first = size < LX_PAGE ? size : LX_PAGE;
		n = buf_map(0, first);
		if (!n)
			n = read_at((lm_u64)h, (char *)EXEC_BUF, first, 0);
		if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
			n = n < SCRIPT_LINE ? n : SCRIPT_LINE;
			memcpy(head, buf, (lm_u64)n);
			buf_free();
			if (own)
				lx_fs_call(FS_CLOSE, (lm_u64)h, 0, 0, 0, 0);
			if (depth == SCRIPT_DEPTH)
				return -ELOOP;
			err = parse_script(head, n, &interp, &arg);
			if (!err)
				err = script_args(g, interp, arg, *cur ? cur : given);
			if (err)
				return err;
			lx_strcpy(cur, interp);
			dirfd = AT_FDCWD;
			flags = 0;
			continue;
		}
		err = n < 0 ? n : n != (long)first || n < 4 || memcmp(buf, "\x7f" "ELF", 4) ? -ENOEXEC : 0;
		go.keep = 0;
		if (!err) {
			int keep = same_image();

			err = stage_segments((lm_u64)h, size, keep ? LM_PF_W : 0);
			go.keep = keep && !err;
			n = (long)size;
			if (err > 0) { /* headers past the first page: read it all */
				err = 0;
				go.keep = 0;
				buf_free();
			}
		}
		if (!err && !buf_pages && !(err = buf_map(0, size))) {
			n = read_at((lm_u64)h, (char *)EXEC_BUF, size, 0);
			err = n < 0 ? n : lx_load_check((const void *)EXEC_BUF, (lm_u64)n);
		}
		if (own)
			lx_fs_call(FS_CLOSE, (lm_u64)h, 0, 0, 0, 0);
		if (err) {
			buf_free();
			return err;
		}
		break;
	}
	if (!exe[0] && *cur)
		resolve(dirfd, cur, exe);
	else if (!exe[0])
		lx_strcpy(exe, given);
	go.img = (const void *)EXEC_BUF;
	go.size = (lm_u64)n;
	go.args = g;
	go.file = 1;
	point_of_no_return();
}

long lx_exec_image(const void *img, lm_u64 size, const char *execfn, struct lx_args *g)
{
	int err = lx_load_check(img, size);

	if (err)
		return err;
	if (strlen(execfn) >= FS_PATH)
		return -ENAMETOOLONG;
	go.t0 = lx_rdtsc();
	go.reqs = 0;
	lx_strcpy(given, execfn);
	lx_strcpy(exe, execfn);
	go.img = img;
	go.size = size;
	go.args = g;
	go.keep = go.file = 0;
	point_of_no_return();
}

/* execveat(dirfd, path, argv, envp, flags): as Linux, a NULL argv gives
 * argc 1 with argv[0] = "". The arguments are copied before the path is
 * looked at (Linux looks first: with both wrong, it says ENOENT here
 * EFAULT). */
static long do_execve(long dirfd, lm_u64 upath, lm_u64 uargv, lm_u64 uenvp, lm_u64 flags)
{
	static char p[FS_PATH];
	struct lx_args *g = &args_a;
	long err;

	if (flags & ~(lm_u64)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	err = lx_copy_str(p, upath, FS_PATH);
	if (err < 0)
		return err;
	g->argc = g->envc = 0;
	g->len = 0;
	err = collect(g, uargv, 0);
	if (!err && !g->argc)
		err = lx_args_add(g, "", 0);
	if (!err)
		err = collect(g, uenvp, 1);
	if (err)
		return err;
	return lx_exec_path(dirfd, p, flags, g);
}

LX_SYS(execve)
{
	return do_execve(AT_FDCWD, a[0], a[1], a[2], 0);
}

LX_SYS(execveat)
{
	return do_execve((long)a[0], a[1], a[2], a[3], a[4]);
}
