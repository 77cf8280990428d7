/* The root task: the first process, holder of every initial capability. */
#ifndef ROOT_H
#define ROOT_H

#include <lm/lamina.h>

#define ROOT_CHILD_PRIO 100 /* what root gives the programs it starts */
/* Root waits (blocked, root_join) at the lowest priority but one, below
 * everything it starts; ktest keeps its helper threads above this. */
#define ROOT_WAIT_PRIO  1
#define ROOT_SPLIT_BITS 22          /* pool pieces: 4 MiB */
#define ROOT_KEEP_BYTES (32ull << 20) /* kept when memory is given away */
#define ROOT_MAX_GIVE   64          /* untyped capabilities given away */
/* Address-space IDs for the program that gets most of memory (the shell,
 * ktest or kbench): half of the 4,095; the other programs get
 * LM_SPAWN_ASIDS, and root keeps the rest. */
#define ROOT_BIG_ASIDS  2048

/* What a child gets besides its image. */
struct root_child {
	const char *name;   /* boot module */
	lm_u32 cnode_bits;
	int memory;         /* most of the untyped memory, moved to it */
	int modules;        /* the other modules, mapped read-only */
	int devices;        /* copies of the I/O-port and IRQ-control caps */
	int with_self;      /* its own module too (to start copies of itself) */
	int counts;         /* the debug capability if the kernel counts events */
	const char *module; /* with modules: this one alone */
	lm_u32 prio;        /* 0: ROOT_CHILD_PRIO */
	lm_u32 asids;       /* its range of address-space IDs (lm_spawn.nasids) */
	const struct lm_spawn_cap *extra; /* more capabilities, at their own slots */
	lm_u32 nextra;
};

extern struct lm_pool root_pool;

/* launch.c */
const struct lm_bi_module *root_module(const struct lm_bootinfo *bi,
				       const char *name);
int root_launch(const struct lm_bootinfo *bi, const struct root_child *c,
		struct lm_proc *p);
/* Block until a child's thread exits or stops on a fault. */
int root_join(lm_cptr_t tcb, struct lm_thread_info *ti);

/* give.c */
struct root_ut {
	lm_cptr_t slot;
	lm_u64 paddr;
	lm_u32 bits;
};
lm_u32 root_carve(struct lm_pool *p, lm_u64 keep, struct root_ut *out, lm_u32 max);

/* normal.c */
void root_console_make(const struct lm_bootinfo *bi); /* at priority 255 */
void root_shell_make(const struct lm_bootinfo *bi);
void root_shell_start(void);
extern lm_cptr_t root_console_ep;

/* fs.c */
void root_fs_objects(void);
void root_fs_start(const struct lm_bootinfo *bi);
extern lm_cptr_t root_fs_ep, root_fs_buf[];

/* proc.c */
void root_proc_objects(void);
void root_proc_start(const struct lm_bootinfo *bi);
extern lm_cptr_t root_pm_ep;

/* timer.c */
void root_timer_objects(void);
void root_timer_start(const struct lm_bootinfo *bi);
extern lm_cptr_t root_timer_ep;

/* mem.c */
void root_mem_objects(void);
void root_mem_start(const struct lm_bootinfo *bi);
void root_mem_watch(void); /* until the manager stops; then its endpoint ends */
extern lm_cptr_t root_mem_ep;

/* tests.c */
void root_run_and_exit(const struct lm_bootinfo *bi, const struct root_child *c);
extern const struct root_child root_ktest, root_kbench;

#endif
