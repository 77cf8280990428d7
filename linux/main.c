/*
 * linux: the Linux personality. It runs one unmodified static Linux
 * x86-64 executable (musl or glibc, ET_EXEC or static-pie) in its own
 * address space: the program is loaded beside the personality, and its
 * system calls come back here by reflection (lm/reflect.h) on the same
 * thread, to be served by the handlers in this folder (docs/LINUX.md).
 *
 * The shell starts it for `linux [-t] [-x] <program> [args...]`
 * (apps/shell.c): the command line arrives in bootinfo's cmdline as words
 * separated by LX_ARG_SEP (so that arguments may hold spaces or be
 * empty). The program is the boot module named "linux-<program>" when the
 * shell mapped one here (the test suites' programs), run as /bin/<program>;
 * otherwise it is found in the file server's tree: a path, or a name in
 * PATH's directories (/bin/ls: a busybox applet). Both start through
 * execve's code (exec.c). argv is {<program>, args...}. The exit status
 * is this process's exit code.
 *
 *   -t  trace: every system call and its result on the console, and the
 *       calls refused with ENOSYS at exit
 *   -x  capture: stdout and stderr framed for a test runner (console.c)
 */
#include "thread.h"

#define LX_ARG_SEP '\x1f'
#define MAX_ARGS   63

const struct lm_bootinfo *lx_bi;
int lx_trace, lx_capture;

/* Split the command line in place; the number of words. */
static int split_args(char *line, char **argv)
{
	int n = 0;

	if (!*line)
		return 0;
	argv[n++] = line;
	for (char *p = line; *p; p++)
		if (*p == LX_ARG_SEP) {
			*p = 0;
			if (n == MAX_ARGS)
				return -1;
			argv[n++] = p + 1;
		}
	return n;
}

static const struct lm_bi_module *find_module(const char *name)
{
	for (lm_u32 i = 0; i < lx_bi->n_modules && i < LM_BI_MAX_MODULES; i++)
		if (!strncmp(lx_bi->modules[i].name, "linux-", 6) &&
		    !strncmp(lx_bi->modules[i].name + 6, name, LM_BI_NAME_LEN - 6))
			return &lx_bi->modules[i];
	return 0;
}

static void use_memory(void)
{
	static struct lm_pool pool;

	lm_slot_init(lx_bi->first_free, 1ull << lx_bi->cnode_bits);
	lm_pool_init(&pool, 22);
	for (lm_u32 i = 0; i < lx_bi->n_untyped && i < LM_BI_MAX_UNTYPED; i++)
		lm_pool_add(&pool, lx_bi->untyped[i].slot);
	lm_pool_use(&pool);
}

static const char *const env_default[] = {
	"PATH=/bin:/usr/bin:/sbin:/usr/sbin", "HOME=/", "TERM=vt100",
};

/* A program without a boot module: a path, or a name looked up in PATH's
 * directories, run from the file server's tree. Returns only on failure:
 * the shell's status (127 not found, 126 found but not runnable). */
static int has_slash(const char *s)
{
	while (*s && *s != '/')
		s++;
	return *s == '/';
}

static int start_from_tree(const char *name, struct lx_args *args)
{
	static const char *const dirs[] = { "/bin", "/usr/bin", "/sbin", "/usr/sbin" };
	static char path[FS_PATH];
	struct lx_stat st;
	long err = -ENOENT;

	if (has_slash(name)) {
		err = lx_exec_path(AT_FDCWD, name, 0, args);
	} else {
		for (lm_u32 i = 0; i < sizeof dirs / sizeof dirs[0] && err == -ENOENT; i++) {
			lm_snprintf(path, sizeof path, "%s/%s", dirs[i], name);
			err = lx_fs_stat(0, path, 0, &st);
			if (!err)
				err = lx_exec_path(AT_FDCWD, path, 0, args);
		}
	}
	if (err == -ENOENT || err == -ENOTDIR) {
		lm_printf("linux: no such Linux program: %s (no boot module linux-%s, "
			  "not in the tree)\n", name, name);
		return 127; /* a shell's "command not found" */
	}
	lm_printf("linux: %s: cannot run it (error %ld)\n", name, -err);
	return 126; /* a shell's "cannot execute" */
}

int main(lm_word_t arg)
{
	static char line[LM_BI_CMDLINE_LEN + 1], execfn[LM_BI_NAME_LEN + 8];
	static struct lx_args args;
	char *argv[MAX_ARGS];
	const struct lm_bi_module *m;
	int argc, err = 0;

	lx_bi = (const struct lm_bootinfo *)arg;
	if (arg != LM_BOOTINFO_VADDR || lx_bi->magic != LM_BOOTINFO_MAGIC)
		return 200;
	memcpy(line, lx_bi->cmdline, LM_BI_CMDLINE_LEN);
	argc = split_args(line, argv);
	char **av = argv;
	for (; argc > 0 && av[0][0] == '-' && av[0][1] && !av[0][2]; av++, argc--) {
		if (av[0][1] == 't')
			lx_trace = 1;
		else if (av[0][1] == 'x')
			lx_capture = 1;
		else
			break;
	}
	if (argc <= 0) {
		lm_printf("usage: linux [-t] [-x] <program> [arguments...] (at most %d words)\n",
			  MAX_ARGS - 2);
		return 2;
	}
	for (int i = 0; i < argc; i++)
		err |= lx_args_add(&args, av[i], 0);
	for (lm_u32 i = 0; i < sizeof env_default / sizeof env_default[0]; i++)
		err |= lx_args_add(&args, env_default[i], 1);
	lx_thr_init(); /* before any call or fault: GS names the thread's slot */
	use_memory();
	lx_proc_init();
	if (lx_capture && lx_con_capture_init()) {
		lm_printf("linux: no memory for the capture buffers\n");
		return 126;
	}
	lx_fd_init();
	lx_time_init();
	lx_timer_init();
	lx_tty_init();
	lx_fs_init();
	if (err || lx_mm_init() || lm_reflect_install(LM_SLOT_TCB, lx_dispatch)) {
		lm_printf("linux: %s: no memory to start it\n", av[0]);
		return 126;
	}
	m = find_module(av[0]);
	if (!m)
		return start_from_tree(av[0], &args);
	lm_snprintf(execfn, sizeof execfn, "/bin/%s", av[0]);
	err = (int)lx_exec_image((const void *)m->vaddr, m->size, execfn, &args);
	lm_printf("linux: %s: cannot load it (error %d)\n", av[0], -err);
	return 126; /* a shell's "cannot execute" */
}
