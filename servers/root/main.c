/*
 * The root task. The kernel starts it with every initial capability
 * (<lamina/bootinfo.h>). It takes all untyped memory into its pool, prints
 * a banner, runs the test suite if the command line says `test` (or the
 * benchmarks for `bench`), then starts `hello`, reports how it ended, and
 * on a normal boot starts the console server, the shell (normal.c), the
 * file server (fs.c), the process manager (proc.c), the timer server
 * (timer.c) and the memory manager (mem.c).
 */
#include "root.h"

struct lm_pool root_pool;

static const struct root_child hello = {
	.name = "hello", .cnode_bits = 8,
};

static void banner(const struct lm_bootinfo *bi)
{
	lm_u64 bytes = 0;

	for (lm_u32 i = 0; i < bi->n_untyped; i++)
		bytes += 1ull << bi->untyped[i].size_bits;
	lm_printf("lamina root: %u untyped, %lu MiB free, modules:", bi->n_untyped,
		  bytes >> 20);
	for (lm_u32 i = 0; i < bi->n_modules; i++)
		lm_printf(" %.32s", bi->modules[i].name);
	lm_printf("\n");
}

static void pool_setup(const struct lm_bootinfo *bi)
{
	lm_pool_init(&root_pool, ROOT_SPLIT_BITS);
	for (lm_u32 i = 0; i < bi->n_untyped && i < LM_BI_MAX_UNTYPED; i++)
		if (lm_pool_add(&root_pool, bi->untyped[i].slot))
			lm_printf("root: untyped in slot %u unusable\n", bi->untyped[i].slot);
	lm_pool_use(&root_pool);
}

static void run_hello(struct lm_proc *p)
{
	struct lm_thread_info ti;
	int err;

	lm_proc_start(p);
	err = root_join(p->tcb, &ti);
	if (err)
		lm_printf("root: waiting for hello failed: %s\n", lm_err_str(err));
	else if (ti.state == LM_TS_EXITED)
		lm_printf("root: hello exited with code %lu\n", ti.exit_code);
	else
		lm_printf("root: hello stopped in state %u (fault vector %lu at %#lx)\n",
			  ti.state, ti.fault_kind, ti.fault_rip);
}

static void __attribute__((noreturn)) idle(void)
{
	/* Nothing left to do: stop for good. Nobody holds root's TCB to
	 * resume it, so the loop is only a guard. */
	for (;;)
		lm_thread_suspend(LM_SLOT_TCB);
}

int main(lm_word_t arg)
{
	const struct lm_bootinfo *bi = (const struct lm_bootinfo *)arg;
	struct lm_proc hp;
	int err;

	if (arg != LM_BOOTINFO_VADDR || bi->magic != LM_BOOTINFO_MAGIC) {
		lm_printf("root: no bootinfo at %#lx\n", arg);
		idle();
	}
	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
	pool_setup(bi);
	banner(bi);
	/* The console first: everything after this prints through it. */
	root_console_make(bi);
	/* Make hello now, while root still runs at 255 and may give it
	 * priority 100; the test run lowers root's priority for good. */
	err = root_launch(bi, &hello, &hp);
	if (err)
		lm_printf("root: cannot start hello: %s\n", lm_err_str(err));
	if (lm_cmdline_has(bi->cmdline, "test"))
		root_run_and_exit(bi, &root_ktest);
	else if (lm_cmdline_has(bi->cmdline, "bench"))
		root_run_and_exit(bi, &root_kbench);
	else {
		root_fs_objects();
		root_fs_objects();
		root_proc_objects();
		root_timer_objects();
		root_mem_objects(); /* half of memory, before the shell takes the rest */
		root_shell_make(bi);
		root_fs_start(bi); /* the file server: Linux programs' files */
		root_proc_start(bi); /* the process manager: their pids */
		root_timer_start(bi); /* the timer server: Linux programs' sleeps */
		root_mem_start(bi); /* the memory manager: Linux process trees' memory */
	}
	lm_thread_set_priority(LM_SLOT_TCB, ROOT_WAIT_PRIO);
	if (!err)
		run_hello(&hp);
	root_shell_start();
	root_mem_watch();
	idle();
}
