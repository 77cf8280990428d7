/*
 * Starting a process from an ELF image in memory.
 *
 * Everything made for the process (CNode, address space, TCB, frames,
 * page tables, the bootinfo page) is carved from one untyped taken from
 * the caller's pool, so lm_proc_destroy gives it all back with one revoke.
 *
 * The child's environment, on purpose the same as the root task's
 * (<lamina/bootinfo.h>), so a program runs unchanged whether the kernel or
 * a parent started it:
 *   - rdi = the argument word, rsp = LM_SPAWN_STACK_TOP (16-byte aligned),
 *     stack_pages of stack mapped below it, nothing below that;
 *   - capability slots: 1 its CNode, 2 its address space, 3 its TCB,
 *     5 the bootinfo frame (when a bootinfo template is given); every
 *     capability the caller lists, at the slot the caller chose (by
 *     convention 4 = I/O ports and 6 = IRQ control, as for root); then,
 *     at max(8, highest listed slot + 1), its own range of address-space
 *     IDs (with a template, unless asked for none), and after it the frames
 *     and tables made for its image, stack, bootinfo page and mapped
 *     capabilities; all slots after those are empty;
 *   - its address space's ID comes from the caller's range `asids`
 *     (default lm_asid_cap); its own range is a sub-range of that one,
 *     issued to it (ASIDS_ISSUE): `nasids` IDs, LM_SPAWN_ASIDS by default,
 *     so that it can make address spaces of its own, and no more;
 *   - with a template: a page in struct lm_bootinfo format, read-only at
 *     LM_BOOTINFO_VADDR. lm_spawn copies the template and fills in magic,
 *     cnode_bits, first_free, boot_first, boot_end and asid_slot; everything else
 *     (untyped and module lists naming the child's slots, cmdline, CPU
 *     data) is the caller's to fill.
 *
 * Image pages: a page of a writable segment, or one that holds part of a
 * zeroed tail (memsz past filesz), is a new frame with the image's bytes
 * copied in. Given the image's frames (lm_spawn.frames), a page of a
 * read-only segment whose file offset and address agree modulo 4 KiB is
 * instead the caller's frame itself, mapped with the segment's rights
 * minus write through a copy of the capability that has only those rights
 * (so neither the mapping nor anything the child derives from it can
 * write the caller's frame); the rest of such a page shows the file's
 * neighbouring bytes, as a file mapping would. Those frames need the read
 * right (and exec for an executable segment): lm_spawn reads the rights
 * of the first and shares only segments they allow (the others' pages are
 * copied); a later frame with fewer rights fails the spawn (LM_ERIGHTS),
 * and a first slot that is empty or not a frame fails it too (LM_ECAP,
 * LM_ETYPE). Their copies sit among the child's frames and go with
 * lm_proc_destroy. The frames may be runs (frames of 2^13 .. 2^20 bytes,
 * every one the first's size): then one copy of a run maps the part of it
 * a segment uses in one page table (VSPACE_MAP_RUN), so the image costs
 * per run, not per page; a 2 MiB frame as the first fails (LM_EINVAL).
 */
#ifndef LM_SPAWN_H
#define LM_SPAWN_H

#include <lamina/types.h>
#include <lamina/bootinfo.h>

struct lm_pool;

#define LM_SPAWN_STACK_TOP    LM_ROOT_STACK_TOP
#define LM_SPAWN_STACK_PAGES  LM_ROOT_STACK_PAGES
/* Where lm_spawn maps one page of the caller at a time to fill it. */
#define LM_SPAWN_WINDOW       0x7ff000000000ull
/* Where root maps boot modules in the processes it starts. */
#define LM_CHILD_MODULE_VADDR 0x7f0000000000ull

/* The size of the ID range a child gets unless lm_spawn.nasids says
 * otherwise; LM_SPAWN_NO_ASIDS there: none. */
#define LM_SPAWN_ASIDS    64u
#define LM_SPAWN_NO_ASIDS 0xffffffffu

/* lm_spawn_cap.flags */
#define LM_SPAWN_MOVE 0x1u /* move instead of copying (needed for untyped) */
#define LM_SPAWN_MAP  0x2u /* a frame: also map the child's copy at vaddr */
/* With LM_SPAWN_MAP: map it read-only whatever `rights` the copy keeps (a
 * boot module's frames with exec, so the child can spawn from them). */
#define LM_SPAWN_MAP_RO 0x4u

struct lm_spawn_cap {
	lm_cptr_t src;  /* slot in the caller */
	lm_cptr_t dst;  /* slot in the child */
	lm_u32 rights;  /* a copy keeps these rights (LM_R_*); ignored by MOVE */
	lm_u32 flags;   /* LM_SPAWN_* */
	lm_u64 vaddr;   /* LM_SPAWN_MAP: where, mapped with `rights` */
};

struct lm_spawn {
	const void *image;   /* the ELF executable */
	lm_u64 size;
	/* Optional: the frames the image lies in (a boot module's: slot and
	 * nframes of its lm_bi_module), 4 KiB frames in the caller's slots
	 * frames .. frames+nframes-1, frame i holding image bytes from i * 4 KiB
	 * (or runs of 2^bits bytes each: from i * 2^bits; see above).
	 * With them, pages of read-only segments are not copied: the child gets
	 * read-only copies of these capabilities, mapped where the segment
	 * goes (see below). 0: every page is copied. */
	lm_cptr_t frames;
	lm_u32 nframes;
	lm_word_t arg;       /* the child's rdi: main's argument */
	lm_u32 prio;         /* at most the caller's own priority */
	lm_u32 cnode_bits;   /* the child's CNode has 2^cnode_bits slots */
	lm_u32 stack_pages;  /* 0: LM_SPAWN_STACK_PAGES */
	lm_u32 ncaps;
	const struct lm_spawn_cap *caps;
	const struct lm_bootinfo *bi; /* bootinfo template, or NULL for none */
	struct lm_pool *pool;         /* where memory comes from; NULL: default */
	lm_cptr_t asids;     /* range its address space's ID comes from; 0: lm_asid_cap */
	lm_u32 nasids;       /* IDs in its own range (needs bi): 0 = LM_SPAWN_ASIDS */
	int suspended;       /* do not resume: the caller calls lm_proc_start */
};

/* The caller's handles on a process. */
struct lm_proc {
	lm_cptr_t ut;        /* the untyped everything was made from */
	lm_cptr_t cnode;     /* the child's CNode, address space and TCB */
	lm_cptr_t vspace;
	lm_cptr_t tcb;
	lm_u64 entry;
	lm_u32 first_free;   /* the child's first empty slot */
};

/*
 * Make the process and (unless a->suspended) start it. Errors: those of
 * lm_elf_check for a bad image; LM_ERANGE for a listed slot outside the
 * child's CNode or on a fixed slot (0-3, 5 with a template); LM_ELIMIT when
 * the child's CNode or the caller's slots run out, or (from the kernel) when
 * the caller's ID range has too few free IDs; the kernel's for the
 * rest. On failure nothing is left behind and moved capabilities are back
 * in their slots.
 */
int lm_spawn(const struct lm_spawn *a, struct lm_proc *p);
int lm_proc_start(const struct lm_proc *p);
/* Stop the process and free everything made for it. Capabilities that were
 * moved or copied into it go with it. */
int lm_proc_destroy(struct lm_proc *p);

#endif
