/*
 * kbench: processes. spawn starts `probe` (a small Lamina program that
 * exits at once) from its ELF image with liblamina's lm_spawn, waits for it
 * to exit and destroys it, as Linux's fork + execve + waitpid of a tiny
 * static program.
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
		if (lm_spawn(&a, &p) || lm_wait_thread(p.tcb, ~0ull, &ti) ||
		    ti.state != LM_TS_EXITED || ti.exit_code != 0)
			spawn_failed++;
		lm_proc_destroy(&p);
	}
}

void kb_proc(void)
{
	if (!selected("spawn") || !(probe = module("probe")))
		return;
	bench("spawn", 2, 1, op_spawn);
	if (spawn_failed)
		lm_printf("# spawn: %d of the spawned processes failed\n", spawn_failed);
}
