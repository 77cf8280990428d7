/*
 * kbench: processes. spawn starts `probe` (a small Lamina program that
 * exits at once) from its ELF image with liblamina's lm_spawn, waits for it
 * to exit and destroys it, as Linux's fork + execve + waitpid of a tiny
 * static program. fork_exit forks kbench itself (lm/fork.h) after it has
 * written 1 MiB of on-demand memory; the child exits at once and the
 * parent waits, as Linux's fork + _exit + waitpid.
 */
#include "kbench.h"
#include "probe.h"

static const struct lm_bi_module *module(const char *name)
{
	for (lm_u32 i = 0; i < bi->n_modules; i++)
		if (!strcmp(bi->modules[i].name, name))
			return &bi->modules[i];
	return 0;
}

static const struct lm_bi_module *probe;
static int spawn_failed;
static lm_cptr_t spawn_ntfn; /* the child's stop notification */

static void op_spawn(lm_u64 n)
{
	for (lm_u64 i = 0; i < n; i++) {
		struct lm_spawn a = { 0 };
		struct lm_proc p;
		struct lm_thread_info ti;

		a.image = (const void *)probe->vaddr;
		a.size = probe->size;
		a.arg = PROBE_ARG(PROBE_EXIT, 0);
		a.prio = 100;
		a.cnode_bits = 6;
		if (lm_spawn(&a, &p) || lm_thread_join(p.tcb, spawn_ntfn, &ti) ||
		    ti.state != LM_TS_EXITED || ti.exit_code != 0)
			spawn_failed++;
		lm_proc_destroy(&p);
	}
}

#define FORK_MEM_VA 0x680000000ull
#define FORK_MEM_PAGES 256
static struct lm_vm_anon fork_mem;
static lm_cptr_t fork_frames[FORK_MEM_PAGES];
static int fork_failed;

static void op_fork_exit(lm_u64 n)
{
	for (lm_u64 i = 0; i < n; i++) {
		struct lm_proc p;
		struct lm_thread_info ti;
		int r = lm_fork(&p);

		if (r == LM_FORK_CHILD)
			lm_thread_exit(0);
		if (r || lm_fork_wait(&p, &ti) || ti.state != LM_TS_EXITED || ti.exit_code)
			fork_failed++;
	}
}

static void run_fork_exit(void)
{
	static lm_u8 exc_stack[16384] __attribute__((aligned(16)));

	if (lm_vm_init(LM_SLOT_TCB, exc_stack + sizeof exc_stack, sizeof exc_stack) ||
	    lm_vm_anon_init(&fork_mem, FORK_MEM_VA, FORK_MEM_PAGES * LM_PAGE_SIZE,
			    LM_R_READ | LM_R_WRITE, fork_frames))
		return;
	for (lm_u64 i = 0; i < FORK_MEM_PAGES; i++) /* 1 MiB touched */
		memset((void *)(FORK_MEM_VA + i * LM_PAGE_SIZE), 1, LM_PAGE_SIZE);
	bench("fork_exit", 4, 1, op_fork_exit);
	if (fork_failed)
		lm_printf("# fork_exit: %d of the forks failed\n", fork_failed);
}

void kb_proc(void)
{
	if (selected("fork_exit"))
		run_fork_exit();
	if (!selected("spawn") || !(probe = module("probe")) ||
	    !(spawn_ntfn = new_obj(LM_OBJ_NOTIFY, 0)))
		return;
	bench("spawn", 2, 1, op_spawn);
	if (spawn_failed)
		lm_printf("# spawn: %d of the spawned processes failed\n", spawn_failed);
}
