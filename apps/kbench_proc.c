/*
 * kbench: processes. spawn starts `probe` (a small Lamina program that
 * exits at once) from its ELF image with liblamina's lm_spawn, waits for it
 * to exit and destroys it, as Linux's fork + execve + waitpid of a tiny
 * static program. fork_exit forks kbench itself (lm/fork.h) after it has
 * written 1 MiB of on-demand memory; the child exits at once and the
 * parent waits, as Linux's fork + _exit + waitpid.
 *
 * The scaling rows (docs/BENCHMARKS.md): fork_exit_0, _64k and _4m with
 * that much on-demand memory written (run after fork_exit, which they
 * leave as it was); spawn_16k, _256k and _2m start a generated image of
 * that size (text, then one page of data) whose code exits at once.
 */
#include "kbench.h"
#include "probe.h"
#include <lamina/elf.h>

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
static lm_u64 spawn_size; /* of the generated image at IMG_VA */
static lm_cptr_t spawn_frames; /* its frames, in consecutive slots */

static void op_spawn(lm_u64 n)
{
	for (lm_u64 i = 0; i < n; i++) {
		struct lm_spawn a = { 0 };
		struct lm_proc p;
		struct lm_thread_info ti;

		a.image = (const void *)probe->vaddr;
		a.size = probe->size;
		a.frames = probe->slot;
		a.nframes = probe->nframes;
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

/* The on-demand region fork_exit writes: 1 MiB touched. */
static int run_fork_exit_setup(void)
{
	static lm_u8 exc_stack[16384] __attribute__((aligned(16)));

	if (lm_vm_init(LM_SLOT_TCB, exc_stack + sizeof exc_stack, sizeof exc_stack) ||
	    lm_vm_anon_init(&fork_mem, FORK_MEM_VA, FORK_MEM_PAGES * LM_PAGE_SIZE,
			    LM_R_READ | LM_R_WRITE, fork_frames))
		return -1;
	for (lm_u64 i = 0; i < FORK_MEM_PAGES; i++) /* 1 MiB touched */
		memset((void *)(FORK_MEM_VA + i * LM_PAGE_SIZE), 1, LM_PAGE_SIZE);
	return 0;
}

static void run_fork_exit(void)
{
	if (run_fork_exit_setup())
		return;
	bench("fork_exit", 4, 1, op_fork_exit);
	if (fork_failed)
		lm_printf("# fork_exit: %d of the forks failed\n", fork_failed);
}

/* fork_exit with more slots of our CNode in use (copies of a
 * notification, as many of 4,096 as our CNode has free in one run, above
 * the others: the slot allocator fills from the bottom), as boot modules
 * or open files would hold them. The child's CNode mirrors our slots, so
 * it grows (up to our CNode's size); the fork's cost should not follow
 * (issue 14). Run right after fork_exit. */
#define MORE_SLOTS 4096
static void run_fork_slots(void)
{
	lm_cptr_t n = new_obj(LM_OBJ_NOTIFY, 0), first = 0;
	lm_u32 more = MORE_SLOTS;
	lm_u64 done = 0;

	while (n && more >= 256 && !(first = lm_slot_alloc_n(more)))
		more /= 2;
	if (!first) {
		lm_printf("# fork_exit_slots: no slots free\n");
		return;
	}
	for (; done < more; done++)
		if (lm_cnode_copy(LM_SLOT_CNODE, first + done, LM_SLOT_CNODE, n, LM_R_ALL))
			break;
	lm_printf("# fork_exit_slots: slots %lu to %lu filled\n", (unsigned long)first,
		  (unsigned long)(first + done - 1));
	if (done == more)
		bench("fork_exit_slots", 4, 1, op_fork_exit);
	lm_cnode_delete_range(LM_SLOT_CNODE, first, done);
	lm_slot_free_n(first, more);
}

/* fork_exit against the memory written, all in one 4 MiB on-demand region
 * (fork_exit's 1 MiB region is destroyed first): 0, 64 KiB, 1 MiB, 4 MiB.
 * Fork notes every page of a writable region, touched or not, so the
 * region's size is kept the same for the four. */
#define FORK_BIG_PAGES 1024
static struct lm_vm_anon fork_big;
static lm_cptr_t fork_big_frames[FORK_BIG_PAGES];

static void touch_pages(lm_u64 va, lm_u64 pages)
{
	for (lm_u64 i = 0; i < pages; i++)
		memset((void *)(va + i * LM_PAGE_SIZE), 1, LM_PAGE_SIZE);
}

static void run_fork_sizes(void)
{
	static const struct { const char *name; lm_u64 pages, iters; } sizes[] = {
		{ "fork_exit_0", 0, 4 }, { "fork_exit_64k", 16, 4 },
		{ "fork_exit_1m", 256, 4 }, { "fork_exit_4m", 1024, 2 },
	};
	int any = 0;

	for (unsigned i = 0; i < 4; i++)
		any |= selected(sizes[i].name);
	if (!any)
		return;
	if (fork_mem.r.size)
		lm_vm_anon_destroy(&fork_mem);
	else if (run_fork_exit_setup() || lm_vm_anon_destroy(&fork_mem)) /* the handler */
		return;
	if (lm_vm_anon_init(&fork_big, FORK_MEM_VA, FORK_BIG_PAGES * LM_PAGE_SIZE,
			    LM_R_READ | LM_R_WRITE, fork_big_frames))
		return;
	for (unsigned i = 0; i < 4; i++) {
		touch_pages(FORK_MEM_VA, sizes[i].pages);
		if (selected(sizes[i].name))
			bench(sizes[i].name, sizes[i].iters, 1, op_fork_exit);
	}
	if (fork_failed)
		lm_printf("# fork_exit_*: %d of the forks failed\n", fork_failed);
}

/* ---- spawn of generated images ------------------------------------------ */

#define IMG_VA   0x700000000ull /* IMG_RUNS runs of 2^IMG_RUN_BITS bytes, 2 MiB-aligned */
#define IMG_RUN_BITS 20
#define IMG_RUNS 2
#define IMG_BASE 0x400000ull    /* where the image's text is linked */
#define IMG_CODE 0x100          /* its entry, after the headers */

/* An image of `size` bytes at IMG_VA: ELF header, two program headers
 * (text read-execute, all but the last page; one page of read-write data)
 * and code at IMG_CODE that calls THREAD_EXIT(0). The frames came zeroed. */
static void image_make(lm_u64 size)
{
	lm_u8 *img = (lm_u8 *)IMG_VA;
	struct lm_elf_ehdr e = { .ident = { 0x7f, 'E', 'L', 'F', 2, 1, 1 } };
	struct lm_elf_phdr ph[2] = {
		{ LM_PT_LOAD, LM_PF_R | LM_PF_X, 0, IMG_BASE, IMG_BASE, size - LM_PAGE_SIZE,
		  size - LM_PAGE_SIZE, LM_PAGE_SIZE },
		{ LM_PT_LOAD, LM_PF_R | LM_PF_W, size - LM_PAGE_SIZE, IMG_BASE + size - LM_PAGE_SIZE,
		  IMG_BASE + size - LM_PAGE_SIZE, LM_PAGE_SIZE, LM_PAGE_SIZE, LM_PAGE_SIZE },
	};
	lm_u32 nr = LM_SYS_THREAD_EXIT;
	/* mov $nr, %eax; xor %edi, %edi; syscall; ud2 */
	lm_u8 code[] = { 0xb8, (lm_u8)nr, (lm_u8)(nr >> 8), (lm_u8)(nr >> 16), (lm_u8)(nr >> 24),
			 0x31, 0xff, 0x0f, 0x05, 0x0f, 0x0b };

	e.type = 2;     /* ET_EXEC */
	e.machine = 62; /* EM_X86_64 */
	e.version = 1;
	e.entry = IMG_BASE + IMG_CODE;
	e.phoff = sizeof e;
	e.ehsize = sizeof e;
	e.phentsize = sizeof ph[0];
	e.phnum = 2;
	memcpy(img, &e, sizeof e);
	memcpy(img + sizeof e, ph, sizeof ph);
	memcpy(img + IMG_CODE, code, sizeof code);
}

/* The generated images' memory: two runs of 1 MiB (frames of 2^20 bytes)
 * in consecutive slots (spawn_frames), each mapped whole, in order at
 * IMG_VA. lm_spawn maps a part of a run per run and page table in the
 * child (VSPACE_MAP_RUN), so the image costs per run, not per page. */
static int image_frames(void)
{
	lm_cptr_t ut = new_obj(LM_OBJ_UNTYPED, 21), first = lm_slot_alloc_n(IMG_RUNS);

	if (!ut || !first ||
	    lm_untyped_retype(ut, LM_OBJ_FRAME, IMG_RUN_BITS, LM_SLOT_CNODE, first, IMG_RUNS))
		return -1;
	for (lm_u32 i = 0; i < IMG_RUNS; i++)
		if (lm_map_page(LM_SLOT_VSPACE, first + i, IMG_VA + ((lm_u64)i << IMG_RUN_BITS),
				LM_R_READ | LM_R_WRITE))
			return -1;
	spawn_frames = first;
	return 0;
}

/* op_spawn for the generated image; its child's CNode has room for up to
 * 512 image frames. */
static void op_spawn_image(lm_u64 n)
{
	for (lm_u64 i = 0; i < n; i++) {
		struct lm_spawn a = { 0 };
		struct lm_proc p;
		struct lm_thread_info ti;

		a.image = (const void *)IMG_VA;
		a.size = spawn_size;
		a.frames = spawn_frames;
		a.nframes = (lm_u32)((spawn_size + (1ull << IMG_RUN_BITS) - 1) >> IMG_RUN_BITS);
		a.prio = 100;
		a.cnode_bits = 10;
		if (lm_spawn(&a, &p) || lm_thread_join(p.tcb, spawn_ntfn, &ti) ||
		    ti.state != LM_TS_EXITED || ti.exit_code != 0)
			spawn_failed++;
		lm_proc_destroy(&p);
	}
}

static void run_spawn_sizes(void)
{
	static const struct { const char *name; lm_u64 size; } sizes[] = {
		{ "spawn_16k", 16 << 10 }, { "spawn_256k", 256 << 10 }, { "spawn_2m", 2 << 20 },
	};
	for (unsigned i = 0; i < 3; i++) {
		if (!selected(sizes[i].name))
			continue;
		if (!spawn_frames && image_frames()) {
			lm_printf("kbench: cannot make the spawn images\n");
			return;
		}
		image_make(sizes[i].size);
		spawn_size = sizes[i].size;
		bench(sizes[i].name, 2, 1, op_spawn_image);
	}
}

void kb_proc(void)
{
	int spawns = selected("spawn") || selected("spawn_16k") || selected("spawn_256k") ||
		     selected("spawn_2m");

	/* fork_exit and spawn first, in the state they were always measured
	 * in; the series after them. */
	if (selected("fork_exit") || selected("fork_exit_slots"))
		run_fork_exit();
	if (selected("fork_exit_slots"))
		run_fork_slots();
	if (spawns && (!(probe = module("probe")) || !(spawn_ntfn = new_obj(LM_OBJ_NOTIFY, 0))))
		spawns = 0;
	if (spawns && selected("spawn"))
		bench("spawn", 2, 1, op_spawn);
	run_fork_sizes();
	if (spawns)
		run_spawn_sizes();
	if (spawn_failed)
		lm_printf("# spawn: %d of the spawned processes failed\n", spawn_failed);
}
