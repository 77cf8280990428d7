/*
 * The process: its identity from the process manager (servers/proc), its
 * wake notification and IPC buffer, fork (fork, vfork, clone without
 * threads), its end, and the signals the manager holds for it.
 *
 * fork is liblamina's copy-on-write lm_fork, with a hook for what lm_fork
 * does not know: the program's pages (mm.c's table: shared, and ours made
 * read-only), the capture buffers and console input (console.c), and the
 * child's three capabilities from PM_FORK (file server endpoint and page,
 * process manager endpoint) put in its CNode at their fixed slots. The
 * fork runs on a stack of the personality's own (fork_stack), not the
 * program's: from the hook on, nothing the child will read is written.
 *
 * Lamina-level lifetime (docs/LINUX.md): a child's memory derives from
 * ours, so when our program ends we report to the manager at once and
 * then linger, serving our children's page requests (liblamina's fork
 * server), until every Lamina child has stopped and been reaped.
 */
#include "thread.h"
#include "../servers/timer/timer_srv.h"
#include "../servers/fs/fs_srv.h"
#include "../servers/proc/pm_proto.h"
#include "../servers/proc/pm_srv.h"
#include "../servers/mem/mem_srv.h"
#include <lm/mem.h>

#define CSIGNAL              0xff
#define CLONE_VM             0x100
#define CLONE_VFORK          0x4000
#define CLONE_THREAD         0x10000
#define CLONE_SETTLS         0x80000
#define CLONE_PARENT_SETTID  0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_CHILD_SETTID   0x1000000
/* Served as fork: the exit signal, vfork's wait (the parent does not wait),
 * and the flags that change nothing here (ptrace, detached, untraced,
 * System V semaphores). */
#define CLONE_OK (CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID | \
		  CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | 0x2000 | 0x400000 | 0x800000 | 0x40000)

long lx_pid = 1;
/* When this process began (lx_tsc_ns): its start, or its fork. Its CPU
 * time at exit, which its parent's SIGCHLD reports as si_utime, is the
 * time since (the kernel keeps no CPU time per thread yet, and this is
 * what CLOCK_PROCESS_CPUTIME_ID stands for too: docs/LINUX.md). */
static lm_u64 born_ns;
static volatile struct pm_sigpage *sigpage;
static lm_u64 seen;           /* sigpage->posted when we last fetched */

/* A Lamina child of ours (a forked process), until reaped. */
struct kid {
	long pid;
	struct lm_proc proc;
	lm_cptr_t caps[3];        /* from PM_FORK; caps[2] (its PM endpoint) kept */
};
static struct kid kids[LM_FORK_MAX_CHILDREN];

/* ---- identity: the IPC buffer, the wake, PM_HELLO ------------------------------ */

/* Our wake notification, a copy minted LX_WAKE_PM sent with PM_HELLO, and
 * the signal page that comes back. Without a manager: pid 1, no signals
 * from outside. */
static void hello(void)
{
	struct lm_ipc_buffer *b = lx_ipc_buffer();
	lm_cptr_t minted, page = lm_slot_alloc();
	struct lm_msg m;

	sigpage = 0;
	if (!page || !(minted = lx_wake_mint(LX_WAKE_PM)))
		return;
	b->recv_slots[0] = page;
	/* The timer server's endpoint minted with our pid comes second, at
	 * LX_SLOT_TIMER, which whoever gave us the manager's endpoint keeps
	 * for it (a forked child's holds nothing of its parent's: emptied to
	 * be sure). Without a manager the slot may be anything's: untouched. */
	lm_u64 desc = 0;
	lx_timer_ep = 0;
	if (!lm_cnode_identify(LM_SLOT_CNODE, LX_SLOT_PM, &desc, 0, 0) &&
	    LM_ID_TYPE(desc) == LM_OBJ_ENDPOINT) {
		lm_cnode_delete(LM_SLOT_CNODE, LX_SLOT_TIMER);
		lx_timer_ep = LX_SLOT_TIMER;
	}
	b->recv_slots[1] = lx_timer_ep;
	if (lm_ep_call(LX_SLOT_PM, LM_MSG_INFO(PM_HELLO, 0, 1), 0, 0, 0, 0, &m))
		m = (struct lm_msg){ 0 }; /* no manager: no pid, no signal page, no timer */
	if (LM_MSG_NCAPS(m.info) < 2)
		lx_timer_ep = 0; /* no timer server: waits with a deadline yield */
	if ((long)m.w[0] > 0) {
		lx_pid = (long)m.w[0];
		if (LM_MSG_NCAPS(m.info) >= 1 &&
		    !lm_map_page(LM_SLOT_VSPACE, page, LX_SIGPAGE_VA, LM_R_READ))
			sigpage = (volatile struct pm_sigpage *)LX_SIGPAGE_VA;
	}
	b->recv_slots[0] = b->recv_slots[1] = 0;
	seen = 0;
}

long lx_proc_ppid(void)
{
	return sigpage ? (long)sigpage->ppid : -1;
}

void lx_proc_init(void)
{
	born_ns = lx_tsc_ns();
	lx_wake_setup();
	hello();
	/* A child's memory: its private pages, the pages it copies, its
	 * own children's. At most 128 MiB, 2 bits less each generation,
	 * and at most half of what the parent has free, but never less than
	 * 8 MiB (a child exec'ing busybox, a 2 MiB image, used 6.3 MiB of
	 * 8): below that fork says ENOMEM (docs/LINUX.md, "Memory of a
	 * child"). */
	lm_fork_set_pool_bits(27);
	lm_fork_set_pool_floor(23);
	/* Address-space IDs: each child half of ours, not an eighth, so that
	 * command substitutions nest five deep and more (512 at the top). */
	lm_fork_set_asids(LM_FORK_HALF_ASIDS);
	/* With an account from the memory manager (the shell's `linux`
	 * gives one, servers/mem): the pool grows a chunk at a time from
	 * it, and each fork's child gets an account of its own below ours
	 * (lm/mem.h), so memory no longer halves at each generation. */
	lm_u64 desc;
	if (!lm_mem_account() && !lm_cnode_identify(LM_SLOT_CNODE, LX_SLOT_MEM, &desc, 0, 0) &&
	    LM_ID_TYPE(desc) == LM_OBJ_ENDPOINT)
	{
		lm_mem_use(LX_SLOT_MEM, lx_ipc_buffer);
		/* With a guarantee (the shell's `linux` gives the tree one):
		 * our own state and each fork child's in guaranteed chunks,
		 * the program's pages in ordinary ones (docs/LINUX.md "Memory
		 * taken back"). Without, as before. */
		lm_mem_guard_own();
	}
	lx_mem_register(); /* requests and forced takes (mm_revoke.c) */
}

/* ---- signals from the manager ------------------------------------------------------ */

void lx_proc_poll(void)
{
	struct lm_msg m;

	lx_mem_poll(); /* the memory manager's requests: two reads when none */
	if (!sigpage || sigpage->posted == seen)
		return;
	seen = sigpage->posted; /* before the fetch: a later post is seen next time */
	if (lm_ep_call(LX_SLOT_PM, LM_MSG_INFO(PM_SIGFETCH, 0, 0), 0, 0, 0, 0, &m))
		return;
	for (lm_u64 set = m.w[0]; set; set &= set - 1) {
		int sig = __builtin_ctzll(set) + 1;

		if (sig == SIGCHLD && m.w[2]) /* a child's stop, continue or end (signal.c) */
			lx_sig_post_chld(m.w[2]);
		else
			lx_sig_post(sig, 0 /* SI_USER */, set == m.w[0] ? (int)m.w[1] : 0);
	}
}

/* ---- Lamina children -------------------------------------------------------------- */

static void kid_free(struct kid *k)
{
	for (int i = 0; i < 3; i++)
		if (k->caps[i]) {
			lm_cnode_delete(LM_SLOT_CNODE, k->caps[i]);
			lm_slot_free(k->caps[i]);
		}
	*k = (struct kid){ 0 };
}

/* Reap kid k if it has stopped (or wait until it has, if block). One that
 * stopped without telling the manager (a fault in its personality) is
 * reported with its own endpoint: the manager ignores it otherwise. */
static int kid_reap(struct kid *k, int block)
{
	struct lm_thread_info ti;
	struct lm_msg m;

	if (!block && (lm_thread_info(k->proc.tcb, &ti) ||
		       (ti.state != LM_TS_EXITED && ti.state != LM_TS_FAULTED)))
		return 0;
	if (lm_fork_wait(&k->proc, &ti))
		return 0;
	/* Stopped on a fault its personality could not take (its own state
	 * gone: memory taken by force, mm_revoke.c): the system ended it, not
	 * the program, reported as Linux's out-of-memory kill, SIGKILL. */
	lm_u64 ws = ti.state == LM_TS_EXITED ? (ti.exit_code & 0xff) << 8 : 9;
	lm_ep_call(k->caps[2], LM_MSG_INFO(PM_EXIT, 1, 0), ws, 0, 0, 0, &m);
	kid_free(k);
	return 1;
}

void lx_proc_reap_stopped(void)
{
	for (lm_u32 i = 0; i < LM_FORK_MAX_CHILDREN; i++)
		if (kids[i].pid)
			kid_reap(&kids[i], 0);
}

/* Reap the Lamina child of pid if it has stopped (wait4 found it a zombie). */
void lx_proc_reaped(long pid)
{
	for (lm_u32 i = 0; i < LM_FORK_MAX_CHILDREN; i++)
		if (kids[i].pid == pid)
			kid_reap(&kids[i], 0);
}

void lx_exit_wstatus(int ws)
{
	int code = (ws & 0x7f) ? 128 + (ws & 0x7f) : (ws >> 8) & 0xff;
	struct lm_msg m;

	lx_thr_end_process(ws); /* the others stopped; returns in the first thread */
	lx_syscall_report();
	lm_u64 ticks = (lx_tsc_ns() - born_ns) / (1000000000ull / LX_HZ);
	lm_ep_call(LX_SLOT_PM, LM_MSG_INFO(PM_EXIT, 2, 0), (lm_u64)ws & 0xffff,
		   ticks > 0xffffffffull ? 0xffffffffull : ticks, 0, 0, &m);
	for (lm_u32 i = 0; i < LM_FORK_MAX_CHILDREN; i++) /* linger */
		if (kids[i].pid)
			kid_reap(&kids[i], 1);
	if (lm_fork_generation() == 0)
		lx_con_flush_capture(code);
	lm_thread_exit((lm_u64)code);
	__builtin_unreachable();
}

void lx_exit(int status)
{
	lx_exit_wstatus((status & 0xff) << 8);
}


/* ---- fork ------------------------------------------------------------------------- */

#define FORK_TRIES 64 /* yields to wait for a place (see do_fork) */

struct fork_args {
	lm_u64 flags, sp, ptid, ctid, tls;
	struct kid *k;
};

static int fork_hook(struct lm_fork_child *c, void *arg)
{
	struct kid *k = arg;
	lm_cptr_t cn = lm_fork_child_cnode(c);
	int err;

	if ((err = lm_cnode_move(cn, LX_SLOT_FS, LM_SLOT_CNODE, k->caps[0])) ||
	    (err = lm_cnode_move(cn, LX_SLOT_FS_BUF, LM_SLOT_CNODE, k->caps[1])) ||
	    (err = lm_cnode_copy(cn, LX_SLOT_PM, LM_SLOT_CNODE, k->caps[2],
				 LM_R_WRITE | LM_R_GRANT)) ||
	    (err = lx_con_fork_share(c)))
		return err;
	return lx_mm_fork_share(c) ? LM_ENOMEM : LM_OK;
}

lm_u64 lx_clone_sp, lx_clone_rip;
void lx_clone_tramp(void);
/* Where a clone child with a stack of its own returns: its registers as
 * the call left them (reflect.S), rsp and rip from the two words. */
__asm__(".text\n.globl lx_clone_tramp\nlx_clone_tramp:\n"
	"\tmov lx_clone_sp(%rip), %rsp\n"
	"\tjmp *lx_clone_rip(%rip)\n");

/* The child, at once after lm_fork: its own pages mapped by hand, its own
 * identity, no children. Still on the fork stack. */
static void child_start(struct fork_args *fa)
{
	long pid = fa->k->pid;

	lx_thr_fork_child(); /* first: GS names our one thread's slot */
	born_ns = lx_tsc_ns();
	for (lm_u32 i = 0; i < LM_FORK_MAX_CHILDREN; i++)
		kids[i] = (struct kid){ 0 };
	lm_reflect_install(LM_SLOT_TCB, lx_dispatch); /* a new thread: no foreign entry yet */
	lm_map_page(LM_SLOT_VSPACE, LX_SLOT_FS_BUF, FS_BUF_VA, LM_R_READ | LM_R_WRITE);
	lx_con_fork_child();
	lx_sig_fork_child(); /* nothing pending in a new process */
	lx_wake_setup();
	int managed = sigpage != 0; /* our parent's: it had a manager */
	hello();
	if (managed && !sigpage)
		lx_exit_wstatus(SIGKILL); /* killed before it started (the manager says) */
	lx_pid = pid;
	lx_mem_register(); /* our own account (lm_fork made it) */
	lx_fs_fork_child(); /* our wake to the file server at our first request */
	lx_timer_fork_child(); /* and to the timer server at our first timer */
	if (fa->flags & CLONE_SETTLS) {
		lm_u64 b[2] = { ARCH_SET_FS, fa->tls };
		sys_arch_prctl(b);
	}
	if (fa->flags & CLONE_CHILD_SETTID)
		lx_copy_out(fa->ctid, &pid, 4);
	if (fa->flags & CLONE_CHILD_CLEARTID)
		lx_clear_tid = fa->ctid;
	if (fa->sp) { /* return on the stack the caller gave */
		lx_clone_sp = fa->sp;
		lx_clone_rip = lx_cur_args->rip;
		lx_cur_args->rip = (lm_u64)lx_clone_tramp;
	}
}

/* PM_FORK: the child's pid and its three capabilities in k->caps. */
static long pm_fork(struct kid *k)
{
	struct lm_ipc_buffer *b = lx_ipc_buffer();
	struct lm_msg m;
	long r;

	if (!b)
		return -ENOSYS;
	for (int i = 0; i < 3; i++)
		if (!(k->caps[i] = lm_slot_alloc()))
			return -EAGAIN;
	for (int i = 0; i < 3; i++)
		b->recv_slots[i] = k->caps[i];
	r = lm_ep_call(LX_SLOT_PM, LM_MSG_INFO(PM_FORK, 0, 0), 0, 0, 0, 0, &m) ? -ENOSYS
										: (long)m.w[0];
	for (int i = 0; i < 3; i++)
		b->recv_slots[i] = 0;
	if (r > 0 && LM_MSG_NCAPS(m.info) != 3)
		r = -EAGAIN;
	return r;
}

/* On the fork stack. In the parent: the child's pid or -errno; in the
 * child: 0. */
static long do_fork(void *arg)
{
	struct fork_args *fa = arg;
	struct kid *k = 0;
	long pid;
	int err;

	/* A place for the child: children that have ended but not stopped
	 * yet (or linger for children of their own) hold theirs; they are
	 * given a while to stop, then fork says EAGAIN, as at Linux's
	 * RLIMIT_NPROC. */
	for (int tries = 0; !k && tries < FORK_TRIES; tries++) {
		if (tries)
			lx_thr_yield();
		lx_proc_reap_stopped();
		for (lm_u32 i = 0; i < LM_FORK_MAX_CHILDREN && !k; i++)
			if (!kids[i].pid)
				k = &kids[i];
	}
	if (!k)
		return -EAGAIN; /* LM_FORK_MAX_CHILDREN alive */
	if (lx_mm_fork_prepare())
		return -ENOMEM; /* MAP_SHARED pages: their frames first (mm.c) */
	fa->k = k;
	if ((pid = pm_fork(k)) <= 0) {
		kid_free(k);
		return pid ? pid : -EAGAIN;
	}
	k->pid = pid;
	err = lm_fork_ex(&k->proc, fork_hook, k);
	if (err == LM_FORK_CHILD) {
		child_start(fa);
		return 0;
	}
	if (err) { /* the pid ends before it began: reported and reaped at once */
		struct lm_msg m;
		lm_ep_call(k->caps[2], LM_MSG_INFO(PM_EXIT, 1, 0), 0, 0, 0, 0, &m);
		lx_pm_call(PM_WAIT, PM_P_PID, (lm_u64)pid, PM_WNOHANG, 0);
		kid_free(k);
			return err == LM_ENOMEM ? -ENOMEM : -EAGAIN;
	}
	/* Its stop (an exit, or a fault in its personality that never says
	 * PM_EXIT) wakes us: a wait4 for it then finds it stopped and
	 * reports it (lx_proc_reap_stopped) instead of sleeping forever. */
	lm_cptr_t w = lx_wake_mint(LX_WAKE_KID);
	if (w) {
		lm_thread_set_stop_notify(k->proc.tcb, w); /* the thread holds a copy */
		lx_wake_unmint(w);
	}
	lm_slot_free(k->caps[0]); /* moved to the child */
	lm_slot_free(k->caps[1]);
	k->caps[0] = k->caps[1] = 0;
	return pid;
}

static lm_u8 fork_stack[16384] __attribute__((aligned(16)));
long lx_on_stack(long (*fn)(void *), void *arg, void *top);
__asm__(".text\n.globl lx_on_stack\nlx_on_stack:\n"
	"\tpush %rbp\n\tmov %rsp, %rbp\n\tmov %rdx, %rsp\n"
	"\tmov %rdi, %rax\n\tmov %rsi, %rdi\n\tcall *%rax\n"
	"\tmov %rbp, %rsp\n\tpop %rbp\n\tret\n");

static long fork_with(lm_u64 flags, lm_u64 sp, lm_u64 ptid, lm_u64 ctid, lm_u64 tls)
{
	struct fork_args fa = { flags, sp, ptid, ctid, tls, 0 };
	long pid;

	if ((flags & CLONE_PARENT_SETTID) && !lx_writable(ptid, 4))
		return -EFAULT;
	if ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) && !lx_writable(ctid, 4))
		return -EFAULT;
	pid = lx_on_stack(do_fork, &fa, fork_stack + sizeof fork_stack);
	if (pid > 0 && (flags & CLONE_PARENT_SETTID))
		lx_copy_out(ptid, &pid, 4);
	return pid;
}

LX_SYS(fork) { return fork_with(17, 0, 0, 0, 0); }
/* vfork: the parent does not wait for the child's exec or exit (a copy,
 * not the same memory: what the child writes the parent never sees). */
LX_SYS(vfork) { return fork_with(17, 0, 0, 0, 0); }

/* clone(flags, stack, parent_tid, child_tid, tls): a thread (thread.c), or
 * fork-like; CLONE_VM without CLONE_THREAD only with CLONE_VFORK
 * (posix_spawn's), served as fork with the child on the given stack. */
LX_SYS(clone)
{
	lm_u64 fl = a[0];

	if (fl & CLONE_THREAD)
		return lx_thr_clone(lx_cur_args);
	if ((fl & ~(lm_u64)CLONE_OK) ||
	    ((fl & CLONE_VM) && !(fl & CLONE_VFORK)))
		return -ENOSYS;
	return fork_with(fl, a[1], a[2], a[3], a[4]);
}
