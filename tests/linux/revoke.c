/*
 * Visible revocation under the Linux personality (issue 13;
 * linux/mm_revoke.c, docs/LINUX.md "Memory taken back"). Run by
 * tests/tools/test_busybox.py as `linux -x revoke`; the exit status is the
 * number of failed checks, each failure a line on stderr. Only under
 * Lamina (on a host it checks nothing and passes).
 *
 * The parent holds the account above each fork child's (slot 13, the
 * memory manager's protocol straight to its endpoint, as the shell or a
 * policy server would), so it can ask a child for memory and take it:
 *
 * - a child that cooperates: its memory written, then unmapped, it is
 *   asked for a chunk; at its next system call the personality gives back
 *   a chunk it holds wholly free (the program's pages share chunks with
 *   nothing of the personality's), so the parent's enforce takes nothing;
 *   the child's data still mapped is intact, no signal;
 * - a child taken from by force: 8 MiB written, two chunks taken. Each
 *   page then reads either what was written or SIGBUS with BUS_ADRERR and
 *   si_addr the address read (again at a second touch), never zeros or
 *   another page's bytes; a system call given a lost page fails with
 *   EFAULT; the personality goes on (pipes, mmap of fresh memory, munmap
 *   of the lost pages, exit).
 *
 * The personality's own state (its page table, the copies a forked child
 * makes of its own data, kernel objects) is in guaranteed chunks (the
 * shell gives the tree a guarantee, each fork child draws its first chunk
 * on it: lm_mem_guard_own), which a take never reaches: the child
 * survives and loses program pages only. A death (SIGKILL, the
 * personality's own state lost), wrong bytes or a hang fail.
 *
 * Ordered by the pipes, never by time.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

#include "check.h"

/* servers/mem/mem_proto.h */
enum { MEM_INFO = 4, MEM_LIST = 5, MEM_REQUEST = 7, MEM_ENFORCE = 9 };
#define SLOT_MEM 13
#define PAGE 4096
#define BIG (8ul << 20)

/* EP_CALL straight to the account: the reply's words in w[0..3], or -1000
 * - the Lamina error of the call itself. */
static long mem_call(long label, long a0, long a1, long a2, long w[4])
{
	register long rax __asm__("rax") = 0x1000 + 29; /* EP_CALL */
	register long rdi __asm__("rdi") = SLOT_MEM;
	register long rsi __asm__("rsi") = (label << 16) | 3;
	register long rdx __asm__("rdx") = a0;
	register long r10 __asm__("r10") = a1;
	register long r8 __asm__("r8") = a2;
	register long r9 __asm__("r9") = 0;

	__asm__ volatile("syscall" : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			 "+r"(r9) : : "rcx", "r11", "memory");
	w[0] = rdx;
	w[1] = r10;
	w[2] = r8;
	w[3] = r9;
	return rax ? -1000 - rax : rdx;
}

/* The account below ours (our one child's): its badge, its use in *use. */
static long child_account(long *use)
{
	long w[4], mine[4] = { 0 }, n = 0;
	long badge[8], parent[8], used[8];

	for (long b = 1; n < 8 && mem_call(MEM_LIST, b, 0, 0, w) > 0; b = w[0] + 1) {
		badge[n] = w[0];
		parent[n] = w[1];
		used[n++] = w[3] & 0xffffffff;
	}
	mem_call(MEM_INFO, 0, 0, 0, mine);
	for (long i = 0; i < n; i++)
		if (parent[i] == (mine[3] & 0xffffffff)) {
			*use = used[i];
			return badge[i];
		}
	return 0;
}

static void put(int fd, long v)
{
	if (write(fd, &v, sizeof v) != sizeof v)
		_exit(100);
}

static long get(int fd)
{
	long v = -1;

	if (read(fd, &v, sizeof v) != sizeof v)
		return -1;
	return v;
}

static unsigned char mark(unsigned long page)
{
	return (unsigned char)(page * 7 + 1);
}

static void fill(unsigned char *p, unsigned long len)
{
	for (unsigned long k = 0; k < len / PAGE; k++)
		memset(p + k * PAGE, mark(k), PAGE);
}

/* ---- a touch of a taken page -------------------------------------------- */

static sigjmp_buf jb;
static volatile void *bus_addr;
static volatile int bus_code;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	bus_addr = si->si_addr;
	bus_code = si->si_code;
	siglongjmp(jb, 1);
}

static void catch_bus(void)
{
	struct sigaction sa = { 0 };

	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, 0);
}

/* A child running fn(its read end, its write end), once it said 1: its
 * account's badge in *badge, the account's use in *use. */
static pid_t start(void (*fn)(int, int), int down[2], int up[2], long *badge, long *use)
{
	CHECK(pipe(down) == 0 && pipe(up) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		/* Our ends are not the child's: holding the write end of
		 * its pipe, it would never read an end of file (the
		 * `everything` child, whose program survives the take,
		 * waited for ever). */
		close(down[1]), close(up[0]);
		fn(down[0], up[1]);
	}
	/* The child's ends are its alone: a child that dies is an end of
	 * file here (a failed check), never a read that waits for ever. */
	close(down[0]), close(up[1]);
	down[0] = up[1] = -1;
	CHECK(get(up[0]) == 1);
	*badge = child_account(use);
	return pid;
}

static void finish(pid_t pid, int down[2], int up[2])
{
	int st = -1;

	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fprintf(stderr, "revoke: child %d: wait status %#x\n", (int)pid, st);
	close(down[1]), close(up[0]);
}

/* Read the first and last byte of page p: 0 read back, 1 SIGBUS at p
 * (BUS_ADRERR), 2 anything else. */
static int touch(volatile unsigned char *p, unsigned char want)
{
	if (sigsetjmp(jb, 1)) {
		return bus_addr == (void *)p && bus_code == BUS_ADRERR ? 1 : 2;
	}
	unsigned char a = p[0], b = p[PAGE - 1];
	return a == want && b == want ? 0 : 2;
}

/* The child taken from: writes BIG bytes, says so, waits for the take,
 * reads every page back; reports lost pages, bad pages. */
static void forced_child(int rd, int wr)
{
	unsigned char *p = mmap(0, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long lost = 0, bad = 0, again = 0, first = -1;

	catch_bus();
	if (p == MAP_FAILED)
		_exit(101);
	fill(p, BIG);
	put(wr, 1);
	if (get(rd) < 0)
		_exit(102);
	for (unsigned long k = 0; k < BIG / PAGE; k++) {
		int r = touch(p + k * PAGE, mark(k));

		lost += r == 1;
		bad += r == 2;
		if (r == 1) /* lost for good: a second touch is SIGBUS again */
			again += touch(p + k * PAGE, mark(k)) == 1;
		if (r == 1 && first < 0)
			first = (long)k;
	}
	put(wr, lost);
	put(wr, bad);
	put(wr, again);
	/* A system call given a lost page: EFAULT, both ways. */
	int io[2], efault = 0;
	if (first >= 0 && pipe(io) == 0) {
		errno = 0;
		efault += write(io[1], p + first * PAGE, 8) == -1 && errno == EFAULT;
		errno = 0;
		efault += write(io[1], &lost, 8) == 8 &&
			  read(io[0], p + first * PAGE, 8) == -1 && errno == EFAULT;
	}
	put(wr, efault);
	/* The personality goes on: the lost range unmapped, fresh memory
	 * mapped, written and read back. */
	int ok = munmap(p, BIG) == 0;
	unsigned char *q = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok &= q != MAP_FAILED;
	if (ok) {
		fill(q, 1 << 20);
		for (unsigned long k = 0; k < (1 << 20) / PAGE; k++)
			ok &= q[k * PAGE] == mark(k);
	}
	put(wr, ok);
	_exit(0);
}

/* A child that died (its pipe ended early): reaped and its status
 * printed, never a hang. */
static void killed_for_state(pid_t pid, int down[2], int up[2], const char *which)
{
	int st = -1;

	close(down[1]);
	CHECK(waitpid(pid, &st, 0) == pid);
	fprintf(stdout, "revoke: %s: the child lost its personality's state: %s %d\n", which,
		WIFSIGNALED(st) ? "killed by signal" : "exited with",
		WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	close(up[0]);
}

static void forced(void)
{
	int down[2], up[2];
	long w[4], use = 0, b = 0;
	pid_t pid = start(forced_child, down, up, &b, &use);

	CHECK(b > 0 && use >= 4); /* 8 MiB and its own: more than 4 chunks */
	CHECK(mem_call(MEM_REQUEST, b, 2, 0, w) == 2);
	long taken = mem_call(MEM_ENFORCE, b, 0, 0, w);
	long left = 0;
	child_account(&left);
	fprintf(stdout, "revoke: forced: account use %ld, taken %ld, use now %ld\n", use, taken, left);
	CHECK(taken >= 0 && taken <= 2);
	CHECK(left == use - 2); /* what it gave back (nothing lost) and what was taken */
	put(down[1], 1);
	long lost = get(up[0]);
	if (lost < 0) { /* dead: its own state was taken (a failure) */
		killed_for_state(pid, down, up, "forced");
		CHECK(!"the forced child survives");
		return;
	}
	long bad = get(up[0]), again = get(up[0]), efault = get(up[0]);
	long on = get(up[0]);
	fprintf(stdout, "revoke: forced: %ld pages lost (SIGBUS), %ld bad, %ld SIGBUS again, "
		"%ld EFAULT of 2, goes on %ld\n", lost, bad, again, efault, on);
	CHECK(lost > 0 && lost <= taken * 512); /* the taken chunks held program pages */
	CHECK(bad == 0); /* never zeros or another page's bytes */
	CHECK(again == lost);
	CHECK(efault == (lost ? 2 : 0));
	CHECK(on == 1);
	finish(pid, down, up);
}

/* The cooperating child: BIG written then unmapped (its frames free), a
 * small region kept; asked for a chunk, it gives one back at its next
 * call; its kept data intact, no signal. */
static void cooperating_child(int rd, int wr)
{
	unsigned char *keep = mmap(0, 64 * PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *p = mmap(0, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long bad = 0;

	catch_bus();
	if (keep == MAP_FAILED || p == MAP_FAILED)
		_exit(101);
	fill(keep, 64 * PAGE);
	fill(p, BIG);
	munmap(p, BIG);
	put(wr, 1);
	if (get(rd) < 0) /* asked meanwhile: answered at the next call */
		_exit(102);
	put(wr, 2);
	if (get(rd) < 0) /* the parent's enforce is done */
		_exit(103);
	for (unsigned long k = 0; k < 64; k++)
		bad += touch(keep + k * PAGE, mark(k)) != 0;
	put(wr, bad);
	_exit(0);
}

static void cooperating(void)
{
	int down[2], up[2];
	long w[4], use = 0, after = 0, b = 0;
	pid_t pid = start(cooperating_child, down, up, &b, &use);

	CHECK(b > 0 && use >= 2);
	CHECK(mem_call(MEM_REQUEST, b, 1, 0, w) == 1);
	put(down[1], 1);
	CHECK(get(up[0]) == 2); /* its call after the request: answered */
	child_account(&after);
	long taken = mem_call(MEM_ENFORCE, b, 0, 0, w);
	fprintf(stdout, "revoke: cooperating: account use %ld, after its answer %ld, then taken %ld\n", use,
		after, taken);
	/* It gives back a chunk it holds wholly free: the program's 8 MiB
	 * unmapped left whole chunks (the personality's own pages are in
	 * guaranteed ones), so nothing is taken by force. */
	CHECK(after == use - 1);
	CHECK(taken == 0);
	put(down[1], 1);
	long bad = get(up[0]);
	if (bad < 0) {
		killed_for_state(pid, down, up, "cooperating");
		CHECK(!"the cooperating child survives");
		return;
	}
	CHECK(bad == 0);
	finish(pid, down, up);
}

/* Every chunk of a child that may be taken, taken: all but its guaranteed
 * ones (its personality's own state), which stay. The child ends normally
 * once its pipe closes if it never touches what went; if the program's
 * own stack went, by its signal or, when the signal cannot be delivered
 * there, as an out-of-memory kill (SIGKILL, never SIGSEGV, which would
 * blame the program); its parent reaps it, nothing hangs. */
static void all_child(int rd, int wr)
{
	unsigned char *p = mmap(0, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(101);
	fill(p, BIG);
	put(wr, 1);
	while (get(rd) >= 0)
		;
	_exit(0);
}

static void everything(void)
{
	int down[2], up[2], st = -1;
	long w[4], use = 0, b = 0, left = -1;
	pid_t pid = start(all_child, down, up, &b, &use);

	CHECK(b > 0);
	long asked = mem_call(MEM_REQUEST, b, 1000, 0, w);
	CHECK(asked >= 1 && asked < use); /* its guaranteed chunks are not asked for */
	long taken = mem_call(MEM_ENFORCE, b, 0, 0, w);
	child_account(&left);
	CHECK(taken == asked && left == use - taken);
	close(down[1]);
	CHECK(waitpid(pid, &st, 0) == pid);
	fprintf(stdout, "revoke: everything: %ld chunks taken, the child %s %d\n", taken,
		WIFSIGNALED(st) ? "killed by signal" : "exited with", WIFSIGNALED(st) ? WTERMSIG(st)
										  : WEXITSTATUS(st));
	CHECK((WIFSIGNALED(st) && (WTERMSIG(st) == SIGKILL || WTERMSIG(st) == SIGBUS)) ||
	      (WIFEXITED(st) && !WEXITSTATUS(st)));
	close(up[0]);
}

/* Bad input to the protocol from a Linux program: a badge not below ours,
 * zero chunks, an unknown request; errors, nothing taken. */
static void bad_input(void)
{
	long w[4];

	CHECK(mem_call(MEM_REQUEST, 0x7fff, 1, 0, w) == -8 /* LM_ENOENT */);
	CHECK(mem_call(MEM_ENFORCE, 0x7fff, 0, 0, w) == -8);
	CHECK(mem_call(MEM_ENFORCE, 1, 0, 0, w) == -4 /* LM_ERIGHTS: the root account */);
	CHECK(mem_call(99, 0, 0, 0, w) == -13 /* LM_ENOSYS */);
}

int main(void)
{
	struct utsname u;

	if (uname(&u) || !strstr(u.release, "lamina"))
		return 0;
	setvbuf(stdout, 0, _IONBF, 0); /* a hang shows how far it got */
	bad_input();
	cooperating();
	forced();
	everything();
	return failures;
}
