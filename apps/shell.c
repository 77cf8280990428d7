/*
 * shell: the interactive shell root starts on a normal boot. It talks only
 * to the console server (servers/console/console.h): output with CON_WRITE
 * on the output endpoint, input with CON_READ on the input endpoint, which
 * blocks until a line is typed.
 *
 * Root gives it (slots in console.h): both console endpoints, its event
 * notification, a copy of the console's TCB (for ps), copies of the I/O-port
 * and IRQ-control capabilities (passed on to ktest), every boot module but
 * root's and its own mapped read-only, and most of memory, which it passes
 * on to the programs it runs and takes back when they end.
 *
 * The foreground program: `run` lends it the input endpoint
 * (LM_SLOT_CONSOLE_IN: it owns the keyboard while it runs) and waits on
 * the event notification for either of two signals: the program's stop
 * notification (SH_EV_DONE) or the console's Ctrl-C (SH_EV_INTR). On
 * Ctrl-C it stops the program. Either way it then suspends the program,
 * revokes the input endpoint it lent, destroys the program and takes its
 * memory back. The shell runs above its programs (or, for spin, beside
 * it), so a program that spins cannot keep it from acting on Ctrl-C.
 */
#include <lm/lamina.h>
#include "../servers/console/console.h"
#include "../servers/fs/fs_proto.h"
#include "../servers/fs/fs_srv.h"
#include "../servers/proc/pm_srv.h"
#include "../servers/timer/timer_srv.h"
#include "../servers/mem/mem_srv.h"
#include "shell.h"
#include "shell_pm.h"

#define SH_CHILD_PRIO 100          /* what ktest expects (tests/guest/harness.h) */
#define SH_KEEP_BYTES (24ull << 20) /* kept when memory is given to a child */
#define SH_MAX_GIVE   64
#define SH_MAX_CAPS   1024
#define LINE_MAX      128          /* longer lines are cut to LINE_MAX - 1 */
#define MAX_ARGS      32
#define LX_ARG_SEP    '\x1f'       /* between words of a Linux command line (linux/main.c) */

static const struct lm_bootinfo *bi;
static struct lm_pool pool;
static lm_cptr_t done_ntfn; /* SH_SLOT_EVENTS minted with SH_EV_DONE */

/* ---- console I/O -------------------------------------------------------- */

static int con_dead;

static void con_write(const char *s, lm_u64 n)
{
	if (n && !con_dead && lm_con_write(SH_SLOT_CON_EP, s, n)) {
		con_dead = 1; /* no console: say so once, on the debug console */
		lm_stdout_use(0);
		lm_printf("shell: the console is gone\n");
	}
}

void con_puts(const char *s)
{
	con_write(s, strlen(s));
}

int sh_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lm_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	if (n > 0)
		con_write(buf, (lm_u64)n);
	return n;
}

/* Up to CON_MAX_BYTES input bytes, blocking until there is at least one;
 * 0 if Ctrl-C was typed instead. */
static lm_u32 con_read(lm_u8 *b)
{
	lm_u32 n;
	int err = lm_con_read(SH_SLOT_CON_IN, b, CON_MAX_BYTES, &n);

	if (err == LM_EINTR)
		return 0;
	if (err) {
		lm_printf("shell: console READ failed: %s\n", lm_err_str(err));
		lm_thread_exit(1);
	}
	return n;
}

/* One line of input, without its end, or LM_EINTR if Ctrl-C was typed
 * (the line so far is dropped). Non-printable bytes are ignored,
 * backspace/DEL edit, a line too long is cut (and *cut set). */
static int read_line(char *line, lm_u32 *n, int *cut)
{
	static lm_u8 b[CON_MAX_BYTES];
	static lm_u32 bn, bi_;
	static int last_cr;
	lm_u32 len = 0, over = 0;

	for (;;) {
		if (bi_ == bn) {
			bn = con_read(b);
			bi_ = 0;
			if (!bn)
				return LM_EINTR;
		}
		lm_u8 c = b[bi_++];
		int cr = last_cr;

		last_cr = c == '\r';
		if (c == '\n' && cr)
			continue; /* the LF of a CR LF */
		if (c == '\r' || c == '\n')
			break;
		if (c == 0x08 || c == 0x7f) {
			if (over)
				over--;
			else if (len)
				len--;
		} else if (c >= 0x20 && c < 0x7f) {
			if (len < LINE_MAX - 1)
				line[len++] = (char)c;
			else
				over++;
		}
	}
	line[len] = 0;
	*cut = over != 0;
	*n = len;
	return LM_OK;
}

/* ---- names -------------------------------------------------------------- */

static const char *state_name(lm_u32 s)
{
	static const char *const n[] = { "inactive", "runnable", "faulted", "exited", "blocked" };
	return s < sizeof n / sizeof n[0] ? n[s] : "?";
}

static lm_cptr_t cspace_end(void)
{
	return 1ull << bi->cnode_bits;
}

/* ---- children ----------------------------------------------------------- */

/* prog.modules: none, every module but the Linux programs (linux-*: only
 * the personality and its tests need them, and their frames would crowd a
 * child's CNode), or all of them. */
#define SH_MOD_LINUX 2

struct prog {
	const char *name;
	lm_u32 cnode_bits;
	int memory, modules, devices, with_self;
	int shell_prio; /* at the shell's own priority, not SH_CHILD_PRIO */
	lm_u32 asids;   /* its range of address-space IDs: 0, LM_SPAWN_ASIDS */
	int rtc;        /* the CMOS clock's ports (0x70-0x71) at LM_SLOT_IOPORT */
};

/* Half of the shell's range (root's ROOT_BIG_ASIDS). */
#define SH_BIG_ASIDS 1024

/* As root starts them (servers/root); anything else gets memory and the
 * modules. spin runs beside the shell to show that Ctrl-C stops even a
 * program the shell does not outrank (none can run above it: a thread's
 * priority is at most its maker's). */
static const struct prog progs[] = {
	{ "ktest", 14, 1, SH_MOD_LINUX, 1, 0, 0, SH_BIG_ASIDS, 0 },
	{ "kbench", 12, 1, 1, 0, 1, 0, SH_BIG_ASIDS, 0 },
	{ "hello", 8, 0, 0, 0, 0, 0, 0, 0 },
	{ "spin", 8, 0, 0, 0, 0, 1, 0, 0 },
	/* the Linux personality: one module (the program), a large CNode (a
	 * slot per frame it maps), the wall clock */
	/* half of our IDs: its forked children's, half of them each
	 * (LM_FORK_HALF_ASIDS) so that trees nest ten deep */
	{ "linux", 14, 1, 1, 0, 0, 0, SH_BIG_ASIDS, 1 },
	/* its children are copies of itself */
	{ "memdemo", 12, 1, 1, 0, 1, 0, 0, 0 },
};
static const struct prog prog_default = { 0, 12, 1, 1, 0, 0, 0, 0, 0 };

/* The command line a program is given in its bootinfo, and the one module
 * it is given when set (the Linux personality's program). */
static char child_cmdline[LM_BI_CMDLINE_LEN];
static lm_cptr_t rtc_ports; /* ports 0x70-0x71 only (made at start), or 0 */
static lm_cptr_t lx_caps[3]; /* a Linux process's: fs endpoint, fs page, pm endpoint */
static long lx_pid;          /* its pid from the process manager, or 0 */
static lm_u64 lx_mem;        /* its tree's memory account's badge (or memdemo's), or 0 */
static const char *child_only_module;

static struct lm_bootinfo tmpl;
static struct lm_spawn_cap caps[SH_MAX_CAPS];
static lm_cptr_t kept[SH_MAX_GIVE]; /* our parents of the untypeds given away */
static lm_u32 nkept;
static struct lm_proc child;
static const char *child_name;
static lm_u32 ncaps, next_dst;

static const struct lm_bi_module *find_module(const char *name)
{
	for (lm_u32 i = 0; i < bi->n_modules && i < LM_BI_MAX_MODULES; i++)
		if (!strncmp(bi->modules[i].name, name, LM_BI_NAME_LEN))
			return &bi->modules[i];
	return 0;
}

static int add_cap(lm_cptr_t src, lm_cptr_t dst, lm_u32 rights, lm_u32 flags, lm_u64 va)
{
	if (ncaps == SH_MAX_CAPS)
		return LM_ELIMIT;
	caps[ncaps++] = (struct lm_spawn_cap){ src, dst, rights, flags, va };
	return LM_OK;
}

static int add_modules(const char *self, int with_self, int linux_too)
{
	lm_u64 va = LM_CHILD_MODULE_VADDR;

	for (lm_u32 i = 0; i < bi->n_modules && i < LM_BI_MAX_MODULES; i++) {
		const struct lm_bi_module *m = &bi->modules[i];
		struct lm_bi_module *t = &tmpl.modules[tmpl.n_modules];

		if (!with_self && !strncmp(m->name, self, LM_BI_NAME_LEN))
			continue;
		if (child_only_module && strncmp(m->name, child_only_module, LM_BI_NAME_LEN))
			continue;
		if (!child_only_module && !linux_too && !strncmp(m->name, "linux-", 6))
			continue;
		/* the root image is the file server's alone (servers/root/fs.c) */
		if (!strncmp(m->name, "rootfs", LM_BI_NAME_LEN) || !strncmp(m->name, "fs", LM_BI_NAME_LEN) ||
		    !strncmp(m->name, "proc", LM_BI_NAME_LEN) || !strncmp(m->name, "timer", LM_BI_NAME_LEN))
			continue;
		*t = *m;
		t->vaddr = va;
		t->slot = next_dst;
		for (lm_u32 f = 0; f < m->nframes; f++)
			if (add_cap(m->slot + f, next_dst++, LM_R_READ | LM_R_EXEC,
				    LM_SPAWN_MAP | LM_SPAWN_MAP_RO, va + f * LM_PAGE_SIZE))
				return LM_ELIMIT;
		tmpl.n_modules++;
		va += (m->nframes * LM_PAGE_SIZE + LM_LARGE_PAGE_SIZE) & ~(LM_LARGE_PAGE_SIZE - 1);
	}
	return LM_OK;
}

/* Give the child all but SH_KEEP_BYTES, largest pieces first. Each piece
 * U is cut from our pool and kept; its one child V (all of U) is moved to
 * the child. Revoking U afterwards takes back everything made from it. */
static int add_memory(void)
{
	for (lm_u32 bits = 40; bits >= 20 && nkept < SH_MAX_GIVE; bits--) {
		while (nkept < SH_MAX_GIVE && lm_pool_free_bytes(&pool) >= SH_KEEP_BYTES + (1ull << bits)) {
			lm_cptr_t u, v = lm_slot_alloc();
			lm_u64 paddr;

			if (!v)
				return LM_ELIMIT;
			if (lm_pool_alloc(&pool, LM_OBJ_UNTYPED, bits, &u)) {
				lm_slot_free(v);
				break; /* nothing this big left: go smaller */
			}
			kept[nkept++] = u;
			int err = lm_untyped_retype(u, LM_OBJ_UNTYPED, bits, LM_SLOT_CNODE, v, 1);
			if (err) {
				lm_slot_free(v);
				return err;
			}
			lm_cnode_identify(LM_SLOT_CNODE, v, 0, &paddr, 0);
			struct lm_bi_untyped *ut = &tmpl.untyped[tmpl.n_untyped++];
			ut->paddr = paddr;
			ut->size_bits = (lm_u8)bits;
			ut->slot = next_dst;
			err = add_cap(v, next_dst++, LM_R_ALL, LM_SPAWN_MOVE, 0);
			if (err)
				return err;
			if (tmpl.n_untyped == LM_BI_MAX_UNTYPED)
				return LM_OK;
		}
	}
	return LM_OK;
}

static void give_back(void)
{
	for (lm_u32 i = 0; i < nkept; i++)
		lm_obj_free(kept[i]); /* revoke: the moved child and all made from it */
	nkept = 0;
	/* untypeds that never left (a failed spawn) were children of kept[] */
	for (lm_u32 i = 0; i < ncaps; i++)
		if (caps[i].flags & LM_SPAWN_MOVE)
			lm_slot_free(caps[i].src);
}

static lm_u32 shell_prio(void)
{
	struct lm_thread_info ti;

	return lm_thread_info(LM_SLOT_TCB, &ti) ? SH_CHILD_PRIO : ti.priority;
}

/* The Linux process's pid is the manager's again. */
static void lx_release(lm_u64 code)
{
	if (lx_pid > 0)
		sh_pm_release(lx_pid, code, lx_caps);
	lx_pid = 0;
	sh_mem_end(lx_mem); /* after the tree: the personality lingers for its children */
	lx_mem = 0;
}

static int spawn(const char *name, const struct prog *pr)
{
	const struct lm_bi_module *m = find_module(name);
	struct lm_spawn a = { 0 };
	int err = LM_OK;

	if (!m)
		return LM_ENOENT;
	tmpl = (struct lm_bootinfo){ 0 };
	memcpy(tmpl.cmdline, child_cmdline[0] ? child_cmdline : bi->cmdline, sizeof tmpl.cmdline);
	tmpl.tsc_khz = bi->tsc_khz;
	tmpl.ram_bytes = bi->ram_bytes;
	tmpl.cpu_features = bi->cpu_features;
	ncaps = 0;
	nkept = 0;
	next_dst = LM_SLOT_CONSOLE_IN + 1;
	/* The child prints through the console too, and owns its input while
	 * it runs (revoked in run()). */
	err = add_cap(SH_SLOT_CON_EP, LM_SLOT_CONSOLE, LM_R_WRITE, 0, 0);
	tmpl.console_slot = LM_SLOT_CONSOLE;
	if (!err)
		err = add_cap(SH_SLOT_CON_IN, LM_SLOT_CONSOLE_IN, LM_R_WRITE | LM_R_GRANT, 0, 0);
	if (!err && pr->devices) {
		err = add_cap(SH_SLOT_IOPORT, LM_SLOT_IOPORT, LM_R_ALL, 0, 0);
		if (!err)
			err = add_cap(SH_SLOT_IRQCTL, LM_SLOT_IRQCTL, LM_R_ALL, 0, 0);
		if (!err && bi->debug_slot) {
			tmpl.debug_slot = next_dst;
			err = add_cap(bi->debug_slot, next_dst++, LM_R_ALL, 0, 0);
		}
	}
	/* A Linux process: a pid from the process manager, which is its badge
	 * on the file server and on the manager (slots and address:
	 * servers/fs/fs_srv.h, servers/proc/pm_srv.h). Without a manager it
	 * runs alone, with an empty file system. */
	if (!err && !strcmp(name, "linux") && (lx_pid = sh_pm_new(lx_caps)) > 0) {
		err = add_cap(lx_caps[0], LX_SLOT_FS, LM_R_WRITE | LM_R_GRANT, 0, 0);
		if (!err)
			err = add_cap(lx_caps[1], LX_SLOT_FS_BUF, LM_R_READ | LM_R_WRITE,
				      LM_SPAWN_MAP, FS_BUF_VA);
		if (!err)
			err = add_cap(lx_caps[2], LX_SLOT_PM, LM_R_WRITE | LM_R_GRANT, 0, 0);
		next_dst = LX_SLOT_TIMER + 1; /* 12: the timer endpoint the manager gives (PM_HELLO) */
		/* Its user's memory account (servers/mem): its forks' memory. */
		lm_cptr_t acct;
		if (!err && !sh_mem_new(&acct, &lx_mem)) {
			err = add_cap(acct, LX_SLOT_MEM, LM_R_WRITE | LM_R_GRANT, LM_SPAWN_MOVE, 0);
			next_dst = LX_SLOT_MEM + 1;
		}
	} else if (lx_pid < 0) {
		lx_pid = 0;
	}
	/* memdemo shows revocation through the system's manager: an account
	 * of ours with a small quota, so that its pressure is real and `mem`
	 * shows it; closed when it ends, as a Linux tree's. */
	lm_cptr_t demo;
	if (!err && !strcmp(name, "memdemo") && next_dst == MEMDEMO_SLOT_ACCT &&
	    !sh_mem_split(MEMDEMO_QUOTA, MEMDEMO_GUAR, &demo, &lx_mem)) {
		err = add_cap(demo, MEMDEMO_SLOT_ACCT, LM_R_WRITE | LM_R_GRANT, LM_SPAWN_MOVE, 0);
		next_dst = MEMDEMO_SLOT_ACCT + 1;
	}
	if (!err && pr->rtc && rtc_ports) /* none: its time starts at 0 (1970) */
		err = add_cap(rtc_ports, LM_SLOT_IOPORT, LM_R_ALL, 0, 0);
	if (!err && pr->modules)
		err = add_modules(name, pr->with_self, pr->modules == SH_MOD_LINUX);
	if (!err && pr->memory)
		err = add_memory();
	if (!err) {
		a.image = (const void *)m->vaddr;
		a.size = m->size;
		a.frames = m->slot; /* text and read-only data not copied */
		a.nframes = m->nframes;
		a.arg = LM_BOOTINFO_VADDR;
		a.prio = pr->shell_prio ? shell_prio() : SH_CHILD_PRIO;
		a.cnode_bits = pr->cnode_bits;
		a.ncaps = ncaps;
		a.caps = caps;
		a.bi = &tmpl;
		a.pool = &pool;
		a.nasids = pr->asids;
		a.suspended = 1;
		err = lm_spawn(&a, &child);
	}
	if (err) {
		give_back();
		lx_release(0);
	}
	return err;
}

static struct lm_thread_info child_info;

/*
 * Wait until the child stops (LM_OK, its state in child_info) or Ctrl-C is
 * typed (LM_EINTR). Its stop notification and the console's Ctrl-C both
 * signal SH_SLOT_EVENTS; the state is checked after the notification is
 * set, so a stop in between is not missed.
 */
static int wait_child(void)
{
	int err = lm_thread_set_stop_notify(child.tcb, done_ntfn);

	while (!err) {
		lm_u64 word = 0;

		err = lm_thread_info(child.tcb, &child_info);
		if (err || (child_info.state != LM_TS_RUNNABLE && child_info.state != LM_TS_BLOCKED))
			break;
		err = lm_ntfn_wait(SH_SLOT_EVENTS, &word);
		if (!err && (word & SH_EV_INTR))
			return LM_EINTR;
	}
	return err;
}

static void report(const char *name, int err)
{
	if (err == LM_EINTR)
		sh_printf("%s stopped by Ctrl-C\n", name);
	else if (err)
		sh_printf("%s: waiting for it failed: %s\n", name, lm_err_str(err));
	else if (child_info.state == LM_TS_EXITED)
		sh_printf("%s exited with code %lu\n", name, child_info.exit_code);
	else if (child_info.state == LM_TS_FAULTED)
		sh_printf("%s FAULTED: vector %lu at rip %#lx, address %#lx, error %#lx\n",
			  name, child_info.fault_kind, child_info.fault_rip,
			  child_info.fault_addr, child_info.fault_error);
	else
		sh_printf("%s stopped in state %s\n", name, state_name(child_info.state));
}

/* Start program `name`, wait for it, report how it ended under the name
 * `shown`. */
static void run_prog(const char *name, const char *shown)
{
	const struct prog *pr = &prog_default;
	int err;

	for (lm_u32 i = 0; i < sizeof progs / sizeof progs[0]; i++)
		if (!strcmp(progs[i].name, name))
			pr = &progs[i];
	err = spawn(name, pr);
	if (err) {
		sh_printf("run: cannot start %s: %s\n", name, lm_err_str(err));
		return;
	}
	child_name = shown;
	lm_ntfn_poll(SH_SLOT_EVENTS, 0); /* forget Ctrl-Cs typed at the prompt */
	err = lm_proc_start(&child);
	if (err)
		sh_printf("run: cannot start %s: %s\n", name, lm_err_str(err));
	else
		report(shown, err = wait_child());
	lm_thread_suspend(child.tcb);
	lm_cnode_revoke(LM_SLOT_CNODE, SH_SLOT_CON_IN); /* input is the shell's again */
	lm_con_mode(SH_SLOT_CON_IN, 0, 0, 0); /* echo, Ctrl-C and output as the shell wants them */
	lm_con_notify(SH_SLOT_CON_IN, 0);  /* and nobody else to tell of input */
	lm_proc_destroy(&child);
	lx_release(err == LM_OK && child_info.state == LM_TS_EXITED ? child_info.exit_code : 137);
	child = (struct lm_proc){ 0 };
	child_name = 0;
	give_back();
}

static void run(const char *name)
{

	if (!strcmp(name, "console") || !strcmp(name, "root") || !strcmp(name, "shell") ||
	    !strcmp(name, "timer")) {
		sh_printf("run: %s is a system program and cannot be run from the shell\n", name);
		return;
	}
	if (!find_module(name)) {
		sh_printf("run: no such program: %s (try: help)\n", name);
		return;
	}
	if (!strncmp(name, "linux-", 6)) { /* a Linux executable, not ours */
		sh_printf("run: %s is a Linux program: run it with: linux %s\n", name, name + 6);
		return;
	}
	if (!strcmp(name, "linux")) {
		con_puts("run: the Linux personality runs a Linux program: linux <program> [args]\n");
		return;
	}
	run_prog(name, name);
}

/* linux [-t] [-x] <program> [args...]: the Linux personality (linux/) runs
 * boot module linux-<program>, or <program> from the file server's tree
 * (a path, or a name in /bin...), with argv = {<program>, args...}; the words
 * reach it in its bootinfo's cmdline, separated by LX_ARG_SEP. */
static void cmd_linux(lm_u32 argc, char **argv)
{
	static char module[LM_BI_NAME_LEN + 8];
	lm_u32 i = 1, n = 0;

	while (i < argc && argv[i][0] == '-' && (argv[i][1] == 't' || argv[i][1] == 'x') &&
	       !argv[i][2])
		i++;
	if (i == argc) {
		con_puts("usage: linux [-t] [-x] <program> [arguments...]\n");
		return;
	}
	/* boot module linux-<program> when there is one (the test programs),
	 * else none: the personality finds the program in the file tree */
	lm_snprintf(module, sizeof module, "linux-%s", argv[i]);
	if (strlen(module) >= LM_BI_NAME_LEN || !find_module(module))
		lm_snprintf(module, sizeof module, "linux-");
	for (lm_u32 j = 1; j < argc; j++) {
		lm_u64 len = strlen(argv[j]);

		if (n + len + 1 >= sizeof child_cmdline) {
			con_puts("linux: the command line is too long\n");
			return;
		}
		if (j > 1)
			child_cmdline[n++] = LX_ARG_SEP;
		memcpy(child_cmdline + n, argv[j], len);
		n += len;
	}
	child_cmdline[n] = 0;
	child_only_module = module;
	run_prog("linux", argv[i]);
	child_cmdline[0] = 0;
	child_only_module = 0;
}

/* ---- commands ----------------------------------------------------------- */

static void cmd_help(void)
{
	con_puts("commands:\n"
		 "  help           this list\n"
		 "  ps             the threads this shell holds: state and priority\n"
		 "  caps           every capability in the shell's CSpace\n"
		 "  mem            free untyped memory and total RAM; the memory\n"
		 "                 manager's accounts: quota, use, guaranteed (chunks)\n"
		 "  run <program>  start a boot module, wait for it, report how it ended;\n"
		 "                 it owns the keyboard while it runs; Ctrl-C stops it\n"
		 "  linux [-t] [-x] <program> [args]\n"
		 "                 run Linux program linux-<program> or <program> from the\n"
		 "                 file tree (e.g. busybox, /bin/ls, ls) under the\n"
		 "                 Linux personality; -t traces its system calls\n"
		 "  bench          run kbench (the benchmarks)\n"
		 "  test           run ktest (the kernel test suite)\n"
		 "programs:");
	for (lm_u32 i = 0; i < bi->n_modules && i < LM_BI_MAX_MODULES; i++)
		if (strncmp(bi->modules[i].name, "console", LM_BI_NAME_LEN))
			sh_printf(" %.32s", bi->modules[i].name);
	con_puts("\nprograms print through the console; Ctrl-C stops the one running.\n");
}

const char *sh_tcb_name(lm_cptr_t s)
{
	if (s == LM_SLOT_TCB)
		return "shell";
	if (s == SH_SLOT_CON_TCB)
		return "console";
	if (child.tcb && s == child.tcb)
		return child_name ? child_name : "child";
	return "?";
}

static void cmd_ps(void)
{
	sh_printf("%6s  %-22s %-9s %s\n", "slot", "thread", "state", "prio");
	for (lm_cptr_t s = 1; s < cspace_end(); s++) {
		lm_u64 desc;
		struct lm_thread_info ti;

		if (lm_cnode_identify(LM_SLOT_CNODE, s, &desc, 0, 0) || LM_ID_TYPE(desc) != LM_OBJ_TCB)
			continue;
		if (lm_thread_info(s, &ti)) {
			sh_printf("%6lu  %-22s (no READ right)\n", s, sh_tcb_name(s));
			continue;
		}
		sh_printf("%6lu  %-22s %-9s %u", s, sh_tcb_name(s), state_name(ti.state), ti.priority);
		if (ti.state == LM_TS_EXITED)
			sh_printf("  exit code %lu", ti.exit_code);
		else if (ti.state == LM_TS_FAULTED)
			sh_printf("  vector %lu at %#lx", ti.fault_kind, ti.fault_rip);
		con_puts("\n");
	}
}

static void command(char *line)
{
	char *argv[MAX_ARGS];
	int bad;
	lm_u32 argc = lm_cmdline_split(line, argv, MAX_ARGS, &bad);

	if (bad)
		con_puts("unterminated quote\n");
	if (argc == 0)
		return;
	if (argc > MAX_ARGS) {
		sh_printf("too many words (at most %u)\n", MAX_ARGS);
		return;
	}
	const char *c = argv[0];
	int none = argc == 1;

	if (!strcmp(c, "help") && none)
		cmd_help();
	else if (!strcmp(c, "ps") && none)
		cmd_ps();
	else if (!strcmp(c, "caps") && none)
		sh_cmd_caps(bi);
	else if (!strcmp(c, "mem") && none)
		sh_cmd_mem(bi);
	else if (!strcmp(c, "bench") && none)
		run("kbench");
	else if (!strcmp(c, "test") && none)
		run("ktest");
	else if (!strcmp(c, "run") && argc == 2)
		run(argv[1]);
	else if (!strcmp(c, "linux"))
		cmd_linux(argc, argv);
	else if (!strcmp(c, "run"))
		con_puts("usage: run <program>\n");
	else if (!strcmp(c, "help") || !strcmp(c, "ps") || !strcmp(c, "caps") ||
		 !strcmp(c, "mem") || !strcmp(c, "bench") || !strcmp(c, "test"))
		sh_printf("%s: takes no arguments\n", c);
	else
		sh_printf("unknown command: %s (try: help)\n", c);
}

int main(lm_word_t arg)
{
	static char line[LINE_MAX];
	int err, cut;

	bi = (const struct lm_bootinfo *)arg;
	if (arg != LM_BOOTINFO_VADDR || bi->magic != LM_BOOTINFO_MAGIC) {
		lm_printf("shell: no bootinfo\n");
		return 1;
	}
	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
	lm_pool_init(&pool, 22);
	for (lm_u32 i = 0; i < bi->n_untyped && i < LM_BI_MAX_UNTYPED; i++)
		lm_pool_add(&pool, bi->untyped[i].slot);
	lm_pool_use(&pool);
	done_ntfn = lm_slot_alloc();
	err = done_ntfn ? lm_cnode_mint(LM_SLOT_CNODE, done_ntfn, LM_SLOT_CNODE, SH_SLOT_EVENTS,
					LM_R_WRITE, SH_EV_DONE)
			: LM_ELIMIT;
	if (err)
		sh_printf("shell: cannot mint its stop signal (%s): run will not work\n",
			  lm_err_str(err));
	rtc_ports = lm_slot_alloc();
	if (rtc_ports && lm_ioport_issue(SH_SLOT_IOPORT, 0x70, 2, LM_SLOT_CNODE, rtc_ports)) {
		lm_slot_free(rtc_ports);
		rtc_ports = 0;
	}
	if (sh_pm_init())
		sh_printf("shell: no IPC buffer: Linux programs run without a process manager\n");
	con_puts("\nLamina shell. Type help for the commands.\n");
	for (;;) {
		lm_u32 n;

		con_puts("lamina> ");
		if (read_line(line, &n, &cut))
			continue; /* Ctrl-C: the line is dropped (the console showed ^C) */
		if (cut)
			sh_printf("(line too long: cut to %u characters)\n", LINE_MAX - 1);
		if (n)
			command(line);
	}
}
