/*
 * Starting a boot module as a process: the capabilities it is given and
 * the bootinfo page that describes them to it (lm/spawn.h).
 */
#include "root.h"

#define MAX_CAPS 2048 /* module frames count: ktest alone is ~400 with its debug info */

/* Kept static: a bootinfo template and a capability list are too big for
 * comfort on root's 64 KiB stack, and root starts one child at a time. */
static struct lm_bootinfo tmpl;
static struct lm_spawn_cap caps[MAX_CAPS];
static struct root_ut given[ROOT_MAX_GIVE];

const struct lm_bi_module *root_module(const struct lm_bootinfo *bi,
				       const char *name)
{
	for (lm_u32 i = 0; i < bi->n_modules && i < LM_BI_MAX_MODULES; i++)
		if (strncmp(bi->modules[i].name, name, LM_BI_NAME_LEN) == 0)
			return &bi->modules[i];
	return 0;
}

struct caplist {
	lm_u32 n;
	lm_u32 dst; /* next slot in the child */
};

static int add_cap(struct caplist *l, lm_cptr_t src, lm_cptr_t dst,
		   lm_u32 rights, lm_u32 flags, lm_u64 vaddr)
{
	if (l->n == MAX_CAPS)
		return LM_ELIMIT;
	caps[l->n++] = (struct lm_spawn_cap){ src, dst, rights, flags, vaddr };
	return LM_OK;
}

/* Every module but root and the child itself, mapped read-only one after
 * the other (2 MiB apart) from LM_CHILD_MODULE_VADDR. The capabilities keep
 * exec (never write) so that the child can spawn a module without copying
 * its text (lm_spawn.frames). */
static int add_modules(const struct lm_bootinfo *bi, const struct root_child *c,
		       struct caplist *l)
{
	lm_u64 va = LM_CHILD_MODULE_VADDR;

	for (lm_u32 i = 0; i < bi->n_modules && i < LM_BI_MAX_MODULES; i++) {
		const struct lm_bi_module *m = &bi->modules[i];
		struct lm_bi_module *t = &tmpl.modules[tmpl.n_modules];

		if (!strcmp(m->name, "root") ||
		    (!c->with_self && !strncmp(m->name, c->name, LM_BI_NAME_LEN)))
			continue;
		if (c->module && strncmp(m->name, c->module, LM_BI_NAME_LEN))
			continue;
		*t = *m;
		t->vaddr = va;
		t->slot = l->dst;
		for (lm_u32 f = 0; f < m->nframes; f++)
			if (add_cap(l, m->slot + f, l->dst++, LM_R_READ | LM_R_EXEC,
				    LM_SPAWN_MAP | LM_SPAWN_MAP_RO,
				    va + f * LM_PAGE_SIZE))
				return LM_ELIMIT;
		tmpl.n_modules++;
		va += (m->nframes * LM_PAGE_SIZE + LM_LARGE_PAGE_SIZE) & ~(LM_LARGE_PAGE_SIZE - 1);
	}
	return LM_OK;
}

/* Most of root's memory, as untypeds moved to the child. */
static int add_memory(struct caplist *l)
{
	lm_u32 n = root_carve(&root_pool, ROOT_KEEP_BYTES, given, ROOT_MAX_GIVE);

	for (lm_u32 i = 0; i < n; i++) {
		struct lm_bi_untyped *u = &tmpl.untyped[tmpl.n_untyped++];

		u->paddr = given[i].paddr;
		u->size_bits = (lm_u8)given[i].bits;
		u->slot = l->dst;
		if (add_cap(l, given[i].slot, l->dst++, LM_R_ALL, LM_SPAWN_MOVE, 0))
			return LM_ELIMIT;
	}
	return LM_OK;
}

static void tmpl_init(const struct lm_bootinfo *bi)
{
	tmpl = (struct lm_bootinfo){ 0 };
	memcpy(tmpl.cmdline, bi->cmdline, sizeof tmpl.cmdline);
	tmpl.tsc_khz = bi->tsc_khz;
	tmpl.ram_bytes = bi->ram_bytes;
	tmpl.cpu_features = bi->cpu_features;
}

int root_launch(const struct lm_bootinfo *bi, const struct root_child *c,
		struct lm_proc *p)
{
	const struct lm_bi_module *m = root_module(bi, c->name);
	struct caplist l = { 0, LM_SLOT_FIRST_BOOT };
	struct lm_spawn a = { 0 };
	int err = LM_OK;

	if (!m)
		return LM_ENOENT;
	tmpl_init(bi);
	/* Every child but the console itself prints through the console. */
	if (root_console_ep && strcmp(c->name, "console")) {
		err = add_cap(&l, root_console_ep, LM_SLOT_CONSOLE, LM_R_WRITE, 0, 0);
		tmpl.console_slot = LM_SLOT_CONSOLE;
	}
	for (lm_u32 i = 0; i < c->nextra && !err; i++) {
		const struct lm_spawn_cap *k = &c->extra[i];

		err = add_cap(&l, k->src, k->dst, k->rights, k->flags, k->vaddr);
		if (k->dst + 1 > l.dst)
			l.dst = (lm_u32)k->dst + 1;
	}
	if (!err && c->devices) {
		err = add_cap(&l, LM_SLOT_IOPORT, LM_SLOT_IOPORT, LM_R_ALL, 0, 0);
		if (!err)
			err = add_cap(&l, LM_SLOT_IRQCTL, LM_SLOT_IRQCTL, LM_R_ALL, 0, 0);
		tmpl.debug_slot = l.dst; /* a child's 7 is its console */
		if (!err)
			err = add_cap(&l, LM_SLOT_DEBUG, l.dst++, LM_R_ALL, 0, 0);
	}
	if (!err && c->modules)
		err = add_modules(bi, c, &l);
	if (!err && c->memory)
		err = add_memory(&l);
	/* The counting kernel (its DEBUG_COUNTS is not LM_ENOSYS) lets the
	 * benchmarks read its counters: the debug capability goes last, so
	 * every other slot is where it is under any other kernel. */
	if (!err && c->counts && lm_debug_counts(0) != LM_ENOSYS) {
		tmpl.debug_slot = l.dst;
		err = add_cap(&l, LM_SLOT_DEBUG, l.dst++, LM_R_ALL, 0, 0);
	}
	if (err)
		return err;
	a.image = (const void *)m->vaddr;
	a.size = m->size;
	a.frames = m->slot; /* text and read-only data not copied */
	a.nframes = m->nframes;
	a.arg = LM_BOOTINFO_VADDR;
	a.prio = c->prio ? c->prio : ROOT_CHILD_PRIO;
	a.cnode_bits = c->cnode_bits;
	a.ncaps = l.n;
	a.caps = caps;
	a.bi = &tmpl;
	a.pool = &root_pool;
	a.nasids = c->asids;
	a.suspended = 1;
	return lm_spawn(&a, p);
}

int root_join(lm_cptr_t tcb, struct lm_thread_info *ti)
{
	static lm_cptr_t ntfn;
	int err = ntfn ? LM_OK : lm_obj_alloc(LM_OBJ_NOTIFY, 0, &ntfn);

	return err ? err : lm_thread_join(tcb, ntfn, ti);
}
