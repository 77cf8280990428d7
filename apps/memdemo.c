/*
 * memdemo: visible memory revocation under pressure (issue 13, item 5;
 * docs/DESIGN.md "Revocation"). Run from the shell (`run memdemo`) and by
 * make test (tests/tools/test_shell.py).
 *
 * Run by the shell, the parent holds an account of the system's memory
 * manager (MEMDEMO_SLOT_ACCT: 12 chunks, 3 of them guaranteed; the shell's
 * `mem` lists it and closes it when memdemo ends); started any other way
 * it starts a memory manager of its own (the "mem" module) with 32 MiB
 * (16 chunks). It starts three children, copies of this program, each
 * with an account of 3 chunks below its own, 1 of them guaranteed. A child keeps one page of
 * data in each of its chunks. Then a new job of the parent's wants more
 * than is free: the parent asks each child for 2 chunks back, and at the
 * deadline enforces it; the job gets the free chunks and the 6 back. Two children cooperate: their hook saves the
 * data of the chunks it gives up to the backing store (a page in the
 * guaranteed chunk) and names them; their next touch of a page given back
 * faults and is refilled from the backing store: no data lost. The third
 * ignores the request: at the deadline the manager takes 2 chunks by
 * force; its next touch faults, its pager reads the abort records, maps
 * zeroed pages and reports exactly the pages the records name as lost.
 * Every child's guaranteed page stays mapped throughout. Everything is
 * ordered by IPC with the parent, never by time.
 */
#include <lm/lamina.h>
#include <lm/mem.h>
#include <lm/vm.h>
#include <lm/string.h>
#include "../servers/mem/mem_proto.h"
#include "../servers/mem/mem_srv.h"

#define KIDS        3
#define KID_CHUNKS  3          /* 1 guaranteed, 2 not */
#define ASKED       2
#define LEND_BITS   (MEM_CHUNK_BITS + 4) /* 16 chunks */

/* The child's slots and addresses. */
#define K_SLOT_ACCT 9          /* its account (WRITE, GRANT) */
#define K_SLOT_EP   10         /* the parent's endpoint, badged with its number */
#define K_SLOT_OWN  11         /* 256 KiB for its own objects */
#define K_SLOT_CON  12
#define K_CMDLINE   "memdemo-child"
#define K_IPCBUF_VA 0x20000000ull
#define K_PAGE_VA   0x20001000ull      /* the account's page */
#define K_DATA_VA   0x40000000000ull   /* page i: one per chunk, 2 MiB apart */
#define K_VA(i)     (K_DATA_VA + (lm_u64)(i) * LM_LARGE_PAGE_SIZE)

/* Parent <-> child: the child calls with a label, the parent answers
 * when the step may go on. */
enum { K_HELLO = 1, K_READY, K_ANSWERED, K_DONE };

static struct lm_ipc_buffer *kib = (struct lm_ipc_buffer *)K_IPCBUF_VA;

/* ---- the child: a library OS with a backing store --------------------------- */

static lm_u64 kid_no, cooperates;
static struct lm_mem_map maps[KID_CHUNKS];
static lm_u64 backing[KID_CHUNKS][8]; /* in the image: memory that is ours */
static lm_u64 saved[KID_CHUNKS], lost_pages;
static struct lm_vm_region region;
static lm_u8 exc_stack[8192] __attribute__((aligned(16)));

static lm_u64 word(lm_u64 i, lm_u64 k)
{
	return (kid_no << 16) | (i << 8) | k;
}

/* The cooperating hook: the data of each chunk it gives up is saved first. */
static lm_u64 give_up(lm_u64 wanted, lm_u64 *paddrs, lm_u64 max)
{
	lm_u64 n = 0;

	for (int i = KID_CHUNKS - 1; i >= 1 && n < wanted && n < max; i--) {
		memcpy(backing[i], (const void *)K_VA(i), sizeof backing[i]);
		saved[i] = 1;
		paddrs[n++] = maps[i].chunk;
	}
	return n;
}

/* The pager: a page whose chunk left is refilled, from the backing store
 * if it was saved, else zeroed and counted lost. */
static int pager(struct lm_vm_region *r, const struct lm_vm_fault *f)
{
	struct lm_mem_abort rec[8];
	lm_u64 n, lost;
	struct lm_mem_map *m;
	lm_cptr_t fr;

	lm_mem_aborts(rec, 8, &n, &lost);
	if (!(m = lm_mem_lookup(f->addr)) || !m->taken)
		return LM_VM_PASS;
	if (lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &fr) ||
	    lm_map_page(LM_SLOT_VSPACE, fr, m->vaddr, LM_R_READ | LM_R_WRITE))
		return LM_VM_PASS;
	lm_u64 i = (m->vaddr - K_DATA_VA) / LM_LARGE_PAGE_SIZE;
	if (saved[i])
		memcpy((void *)m->vaddr, backing[i], sizeof backing[i]);
	else
		lost_pages++;
	m->taken = 0; /* ours again */
	return LM_VM_HANDLED;
}

static lm_u64 kid_call(lm_u64 label, lm_u64 w0, lm_u64 w1)
{
	struct lm_msg m;

	if (lm_ep_call(K_SLOT_EP, LM_MSG_INFO(label, 2, 0), w0, w1, 0, 0, &m))
		return ~0ull;
	return m.w[0];
}

static int kid_setup(const struct lm_bootinfo *bi, lm_cptr_t *ntf)
{
	static struct lm_pool pool;
	lm_cptr_t f, n, pg;
	int err;

	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
	lm_pool_init(&pool, 0);
	if ((err = lm_pool_add(&pool, K_SLOT_OWN)))
		return err;
	lm_pool_use(&pool);
	if ((err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f)) ||
	    (err = lm_map_page(LM_SLOT_VSPACE, f, K_IPCBUF_VA, LM_R_READ | LM_R_WRITE)) ||
	    (err = lm_thread_set_ipc_buffer(LM_SLOT_TCB, f)) ||
	    (err = lm_obj_alloc(LM_OBJ_NOTIFY, 0, &n)) ||
	    (err = lm_vm_init(LM_SLOT_TCB, exc_stack + sizeof exc_stack, sizeof exc_stack)))
		return err;
	lm_cptr_t b = lm_slot_alloc();
	if (!b || !(pg = lm_slot_alloc()))
		return LM_ELIMIT;
	if ((err = lm_cnode_mint(LM_SLOT_CNODE, b, LM_SLOT_CNODE, n, LM_R_WRITE, 1)) ||
	    (err = lm_mem_register(K_SLOT_ACCT, kib, b, pg, K_PAGE_VA)))
		return err;
	*ntf = n;
	return lm_vm_region_add(&region, K_DATA_VA, KID_CHUNKS * LM_LARGE_PAGE_SIZE, pager, 0);
}

/* Chunk i (0: the guaranteed one) with a page of data at K_VA(i). */
static int kid_chunk(lm_u64 i)
{
	lm_cptr_t c = lm_slot_alloc(), f = lm_slot_alloc();
	int err;

	if (!c || !f)
		return LM_ELIMIT;
	err = i == 0 ? lm_mem_grow_guaranteed(K_SLOT_ACCT, kib, c) : lm_mem_grow(K_SLOT_ACCT, kib, c);
	lm_u64 desc, paddr;
	if (err || (err = lm_cnode_identify(LM_SLOT_CNODE, c, &desc, &paddr, 0)) ||
	    (err = lm_untyped_retype(c, LM_OBJ_FRAME, LM_PAGE_BITS, LM_SLOT_CNODE, f, 1)) ||
	    (err = lm_map_page(LM_SLOT_VSPACE, f, K_VA(i), LM_R_READ | LM_R_WRITE)))
		return err;
	for (lm_u64 k = 0; k < 8; k++)
		((volatile lm_u64 *)K_VA(i))[k] = word(i, k);
	maps[i] = (struct lm_mem_map){ .vaddr = K_VA(i), .npages = 1, .chunk = paddr,
				       .pinned = i == 0 };
	lm_mem_track(&maps[i]);
	return LM_OK;
}

/* 1 if page i's data is not what was written (a lost page reads zeros).
 * Touching a page taken or given back faults into the pager. */
static int page_bad(lm_u64 i)
{
	for (lm_u64 k = 0; k < 8; k++)
		if (((volatile lm_u64 *)K_VA(i))[k] != word(i, k))
			return 1;
	return 0;
}

static int kid(const struct lm_bootinfo *bi)
{
	lm_cptr_t ntf;
	lm_u64 got = 0, w = 0;
	int err;

	kid_no = kid_call(K_HELLO, 0, 0);
	cooperates = kid_no != KIDS - 1;
	if ((err = kid_setup(bi, &ntf)))
		return kid_call(K_DONE, ~0ull, err), 1;
	for (lm_u64 i = 0; i < KID_CHUNKS; i++)
		if ((err = kid_chunk(i)))
			return kid_call(K_DONE, ~0ull, err), 1;
	kid_call(K_READY, 0, 0);                /* the parent answers at once */
	lm_ntfn_wait(ntf, &w);                  /* told: the request is in the page */
	lm_u64 wanted = lm_mem_wanted();
	if (cooperates) {
		lm_mem_set_reclaim(give_up);
		lm_mem_reclaim(&got);
	}
	kid_call(K_ANSWERED, got, 0);           /* the parent enforces, then answers */
	lm_u64 guaranteed_bad = page_bad(0), bad = 0;
	for (lm_u64 i = 1; i < KID_CHUNKS; i++)
		bad += page_bad(i);
	lm_printf("memdemo: child %lu (%s): asked for %lu, gave %lu; lost %lu pages, "
		  "%lu pages differ, guaranteed page %s\n",
		  kid_no, cooperates ? "cooperates" : "ignores requests", wanted, got,
		  lost_pages, bad, guaranteed_bad ? "LOST" : "intact");
	kid_call(K_DONE, lost_pages, bad + guaranteed_bad);
	return 0;
}

/* ---- the parent ------------------------------------------------------------------ */

static const struct lm_bi_module *module(const struct lm_bootinfo *bi, const char *name)
{
	for (lm_u32 i = 0; i < bi->n_modules && i < LM_BI_MAX_MODULES; i++)
		if (!strncmp(bi->modules[i].name, name, LM_BI_NAME_LEN))
			return &bi->modules[i];
	return 0;
}

static struct lm_bootinfo tmpl;

/* Spawn module m (a child of ours when kid: its command line says so and
 * it prints through K_SLOT_CON; started later). */
static int start(const struct lm_bi_module *m, const struct lm_spawn_cap *caps, lm_u32 n,
		 lm_u32 cnode_bits, int kid, struct lm_proc *p)
{
	struct lm_spawn a = { 0 };

	tmpl = (struct lm_bootinfo){ 0 };
	if (kid) {
		memcpy(tmpl.cmdline, K_CMDLINE, sizeof K_CMDLINE);
		tmpl.console_slot = n == 4 ? K_SLOT_CON : 0;
		a.suspended = 1;
	}
	a.image = (const void *)m->vaddr;
	a.size = m->size;
	a.arg = LM_BOOTINFO_VADDR;
	a.prio = 1;
	a.cnode_bits = cnode_bits;
	a.caps = caps;
	a.ncaps = n;
	a.bi = &tmpl;
	a.nasids = LM_SPAWN_NO_ASIDS;
	struct lm_thread_info ti; /* at our priority */
	if (!lm_thread_info(LM_SLOT_TCB, &ti))
		a.prio = ti.priority;
	return lm_spawn(&a, p);
}

static void table(lm_cptr_t root, const char *when)
{
	struct lm_msg m;

	lm_printf("memdemo: accounts %s (chunks of 2 MiB):\n"
		  "  badge parent    quota      use  guaranteed\n", when);
	for (lm_u64 b = 1;
	     !lm_ep_call(root, LM_MSG_INFO(MEM_LIST, 1, 0), b, 0, 0, 0, &m) && (long)m.w[0] > 0;
	     b = m.w[0] + 1)
		lm_printf("  %5lu %6lu %8lu %8lu %11lu\n", m.w[0], m.w[1], m.w[2],
			  m.w[3] & 0xffffffff, m.w[3] >> 32);
}

/* Serve one call of a child: its label, badge and words; the answer is
 * given by the caller with lm_ep_reply. */
static lm_u64 serve(lm_cptr_t ep, lm_u64 want, struct lm_msg *m)
{
	if (lm_ep_recv(ep, m) || LM_MSG_LABEL(m->info) != want)
		return 0;
	return m->badge;
}

/* Pool and IPC buffer of the parent. */
static int parent_setup(const struct lm_bootinfo *bi)
{
	static struct lm_pool pool;
	lm_cptr_t f;
	int err;

	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
	lm_pool_init(&pool, 18);
	for (lm_u32 i = 0; i < bi->n_untyped; i++)
		lm_pool_add(&pool, bi->untyped[i].slot);
	lm_pool_use(&pool);
	if ((err = lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f)) ||
	    (err = lm_map_page(LM_SLOT_VSPACE, f, K_IPCBUF_VA, LM_R_READ | LM_R_WRITE)))
		return err;
	return lm_thread_set_ipc_buffer(LM_SLOT_TCB, f);
}

/* The manager: its endpoint mep, 128 KiB of its own, 32 MiB to lend; the
 * root account in *root. */
static int manager(const struct lm_bi_module *mm, struct lm_proc *mp, lm_cptr_t *root)
{
	lm_cptr_t mep, lend, own, r = lm_slot_alloc();
	int err;

	if (!r)
		return LM_ELIMIT;
	if ((err = lm_obj_alloc(LM_OBJ_UNTYPED, LEND_BITS, &lend)) ||
	    (err = lm_obj_alloc(LM_OBJ_ENDPOINT, 0, &mep)) ||
	    (err = lm_obj_alloc(LM_OBJ_UNTYPED, 17, &own)))
		return err;
	const struct lm_spawn_cap caps[] = {
		{ mep, MEM_SLOT_EP, LM_R_ALL, 0, 0 },
		{ own, MEM_SLOT_OWN, LM_R_ALL, LM_SPAWN_MOVE, 0 },
		{ lend, MEM_SLOT_UT, LM_R_ALL, LM_SPAWN_MOVE, 0 },
	};
	if ((err = start(mm, caps, 3, 10, 0, mp)))
		return err;
	*root = r;
	return lm_cnode_mint(LM_SLOT_CNODE, r, LM_SLOT_CNODE, mep, LM_R_WRITE | LM_R_GRANT,
			     MEM_BADGE_ROOT);
}

/* Child i: its account (3 chunks, 1 guaranteed) and start. */
static int child(const struct lm_bootinfo *bi, const struct lm_bi_module *self, lm_cptr_t root,
		 lm_cptr_t ep, lm_u64 i, lm_u64 *badge, struct lm_proc *p)
{
	lm_cptr_t acct = lm_slot_alloc(), kep = lm_slot_alloc(), own;
	int err;

	if (!acct || !kep)
		return LM_ELIMIT;
	if ((err = lm_mem_split_with(root, kib, KID_CHUNKS, 1, 0, acct, badge)) ||
	    (err = lm_cnode_mint(LM_SLOT_CNODE, kep, LM_SLOT_CNODE, ep, LM_R_WRITE, i + 1)) ||
	    (err = lm_obj_alloc(LM_OBJ_UNTYPED, 18, &own)))
		return err;
	const struct lm_spawn_cap caps[] = {
		{ acct, K_SLOT_ACCT, LM_R_WRITE | LM_R_GRANT, LM_SPAWN_MOVE, 0 },
		{ kep, K_SLOT_EP, LM_R_WRITE, LM_SPAWN_MOVE, 0 },
		{ own, K_SLOT_OWN, LM_R_ALL, LM_SPAWN_MOVE, 0 },
		{ bi->console_slot, K_SLOT_CON, LM_R_WRITE, 0, 0 },
	};
	return start(self, caps, bi->console_slot ? 4 : 3, 10, 1, p);
}

/* Child i starts: says hello (told its number), makes its chunks, says
 * it is ready and waits for a request. */
static int ready(lm_cptr_t ep, lm_u64 i)
{
	struct lm_msg m;

	if (serve(ep, K_HELLO, &m) != i + 1)
		return 1;
	lm_ep_reply(LM_MSG_INFO(0, 1, 0), i, 0, 0, 0);
	if (serve(ep, K_READY, &m) != i + 1)
		return 1;
	lm_ep_reply(LM_MSG_INFO(0, 1, 0), 0, 0, 0, 0);
	return 0;
}

/* Under pressure: child i is asked, answers, its deadline passes, it
 * checks its pages. 0 if it ended as it should. */
static int reclaim(lm_cptr_t root, lm_cptr_t ep, lm_u64 i, lm_u64 badge)
{
	struct lm_msg m;
	lm_u64 asked = 0, taken = 0;

	lm_mem_request(root, badge, ASKED, 0, &asked);
	if (serve(ep, K_ANSWERED, &m) != i + 1)
		return 1;
	lm_u64 gave = m.w[0];
	lm_mem_enforce(root, badge, &taken); /* the deadline passed */
	lm_printf("memdemo: child %lu asked for %lu chunks, gave %lu, %lu taken by force\n", i,
		  asked, gave, taken);
	lm_ep_reply(LM_MSG_INFO(0, 1, 0), 0, 0, 0, 0);
	if (serve(ep, K_DONE, &m) != i + 1)
		return 1;
	lm_u64 lost = m.w[0], bad = m.w[1];
	lm_ep_reply(LM_MSG_INFO(0, 1, 0), 0, 0, 0, 0);
	/* Cooperating: all given, nothing lost. Ignoring: exactly what was
	 * taken is lost (reads zeros), the rest intact. */
	if (i != KIDS - 1)
		return !(gave == ASKED && taken == 0 && lost == 0 && bad == 0);
	return !(gave == 0 && taken == ASKED && lost == ASKED && bad == ASKED);
}

/* The parent's new job: as many chunks as the root account can get. */
static lm_u64 job(lm_cptr_t root)
{
	lm_u64 n = 0;
	lm_cptr_t s;

	while ((s = lm_slot_alloc()) && !lm_mem_grow(root, kib, s))
		n++;
	return n;
}

/* An account the shell gave us at MEMDEMO_SLOT_ACCT (the system's
 * manager), else 0. */
static int shell_account(void)
{
	lm_u64 desc;

	return !lm_cnode_identify(LM_SLOT_CNODE, MEMDEMO_SLOT_ACCT, &desc, 0, 0) &&
	       LM_ID_TYPE(desc) == LM_OBJ_ENDPOINT;
}

static int parent(const struct lm_bootinfo *bi)
{
	static struct lm_proc mp, kp[KIDS];
	const struct lm_bi_module *self = module(bi, "memdemo"), *mm = module(bi, "mem");
	int sys = shell_account();
	lm_cptr_t ep, root = MEMDEMO_SLOT_ACCT;
	lm_u64 badge[KIDS], q, use, free;
	int err, bad = 0;

	if (!self || (!mm && !sys)) {
		lm_printf("memdemo: needs the memdemo and mem modules\n");
		return 1;
	}
	if ((err = parent_setup(bi)) || (err = lm_obj_alloc(LM_OBJ_ENDPOINT, 0, &ep)) ||
	    (!sys && (err = manager(mm, &mp, &root)))) {
		lm_printf("memdemo: cannot set up: %s\n", lm_err_str(err));
		return 1;
	}
	lm_mem_info(root, &q, &use, &free);
	if (sys)
		lm_printf("memdemo: an account of %lu chunks from the system's memory manager "
			  "(the shell's `mem` lists it); ", q);
	else
		lm_printf("memdemo: a memory manager of its own with %lu chunks; ", q);
	lm_printf("three children of %d chunks, 1 guaranteed; child %d ignores requests\n",
		  KID_CHUNKS, KIDS - 1);
	for (lm_u64 i = 0; i < KIDS && !err; i++)
		err = child(bi, self, root, ep, i, &badge[i], &kp[i]);
	if (err) {
		lm_printf("memdemo: cannot start the children: %s\n", lm_err_str(err));
		return 1;
	}
	for (lm_u64 i = 0; i < KIDS && !bad; i++) {
		lm_proc_start(&kp[i]);
		bad += ready(ep, i);
	}
	if (bad) /* a child could not set up: it waits for nothing more */
		goto out;
	table(root, "with the children running");
	lm_mem_info(root, &q, &use, &free);
	if (free > q - use) /* what our quota leaves, not only what the manager has */
		free = q - use;
	lm_printf("memdemo: a new job wants %lu chunks, %lu are free: each child is asked "
		  "for %d\n", free + KIDS * ASKED, free, ASKED);
	for (lm_u64 i = 0; i < KIDS && !bad; i++)
		bad += reclaim(root, ep, i, badge[i]);
	if (bad)
		goto out;
	table(root, "after the requests");
	lm_u64 got = job(root);
	lm_printf("memdemo: the new job got %lu chunks\n", got);
	bad += got != free + KIDS * ASKED;
out:
	for (int i = 0; i < KIDS; i++)
		lm_proc_destroy(&kp[i]);
	if (!sys)
		lm_proc_destroy(&mp);
	/* The system's manager: the shell closes our account when we end,
	 * which takes back the job's chunks and the children's accounts. */
	lm_printf("memdemo: %s\n", bad ? "FAILED" : "ok");
	return bad ? 1 : 0;
}

int main(lm_word_t arg)
{
	const struct lm_bootinfo *bi = (const struct lm_bootinfo *)LM_BOOTINFO_VADDR;

	if (!strcmp(bi->cmdline, K_CMDLINE))
		return kid(bi);
	return parent(bi);
}
