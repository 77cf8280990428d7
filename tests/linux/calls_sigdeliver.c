/* Signal delivery: handlers with their siginfo and ucontext, the mask
 * during and after a handler, SA_NODEFER, SA_RESETHAND, the alternate
 * stack, the FPU/SSE state across a handler, a context edited by the
 * handler, faults as signals (SIGSEGV fixed and resumed, SIGFPE left with
 * siglongjmp, SIGILL, SIGTRAP), sigsuspend, rt_sigpending,
 * rt_sigtimedwait, kill to oneself, and the calls' errors. The process
 * signals itself: kill(getpid()), or a fault. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include "calls.h"

#define BIT(s) (1ul << ((s) - 1))

static volatile int hits, depth, max_depth;
static volatile int got_sig, got_code, got_pid;
static volatile unsigned long mask_in_handler, uc_mask, uc_rip, stack_local;
static void *volatile got_addr;
static sigjmp_buf jb;
static volatile int reached;

static void test_waits_woken(void);

static unsigned long cur_mask(void)
{
	unsigned long m = 0;

	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
	return m;
}

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags,
			unsigned long extra)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < 64; s++)
		if (extra & BIT(s))
			sigaddset(&sa.sa_mask, s);
	CHECK(sigaction(sig, &sa, NULL) == 0);
}

static void self_kill(int sig)
{
	CHECK(syscall(SYS_kill, getpid(), sig) == 0);
}

static void on_info(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	volatile int local;

	hits++;
	got_sig = sig;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_addr = si->si_addr;
	mask_in_handler = cur_mask();
	memcpy((void *)&uc_mask, &uc->uc_sigmask, 8);
	uc_rip = uc->uc_mcontext.gregs[REG_RIP];
	stack_local = (unsigned long)&local;
	if (si->si_signo != sig)
		got_sig = -1;
}

/* siginfo, the mask during the handler (its own signal and sa_mask
 * added) and after it (as before), the ucontext's saved mask. */
static void test_handler_basics(void)
{
	unsigned long before;

	hits = 0;
	set_handler(SIGUSR1, on_info, 0, BIT(SIGUSR2));
	before = cur_mask();
	self_kill(SIGUSR1);
	CHECK(hits == 1 && got_sig == SIGUSR1);
	CHECK(got_code == SI_USER && got_pid == getpid());
	CHECK((mask_in_handler & BIT(SIGUSR1)) && (mask_in_handler & BIT(SIGUSR2)));
	CHECK(uc_mask == before);
	CHECK(cur_mask() == before);

	/* tkill (musl's raise): SI_TKILL */
	CHECK(syscall(SYS_tkill, syscall(SYS_gettid), SIGUSR1) == 0);
	CHECK(hits == 2 && got_code == SI_TKILL);
	CHECK(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1) == 0);
	CHECK(hits == 3 && got_code == SI_TKILL);
	CHECK(raise(SIGUSR1) == 0 && hits == 4);
	signal(SIGUSR1, SIG_DFL);
}

/* SA_NODEFER: the handler's own signal is not blocked: it nests. */
static void on_nest(int sig, siginfo_t *si, void *uc)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	mask_in_handler = cur_mask();
	if (hits++ == 0)
		self_kill(sig);
	depth--;
}

static void test_nodefer_resethand(void)
{
	struct sigaction old;

	depth = max_depth = hits = 0;
	set_handler(SIGUSR2, on_nest, SA_NODEFER, 0);
	self_kill(SIGUSR2);
	CHECK(max_depth == 2 && depth == 0 && hits == 2);
	CHECK(!(mask_in_handler & BIT(SIGUSR2)));

	/* without SA_NODEFER the second one waits for the first to return */
	depth = max_depth = hits = 0;
	set_handler(SIGUSR2, on_nest, 0, 0);
	self_kill(SIGUSR2);
	CHECK(max_depth == 1 && depth == 0 && hits == 2);

	hits = 0;
	set_handler(SIGUSR2, on_info, SA_RESETHAND, 0);
	self_kill(SIGUSR2);
	CHECK(hits == 1);
	CHECK(sigaction(SIGUSR2, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
}

/* The alternate stack: the handler runs on it and cannot change it. */
static char alt[16384] __attribute__((aligned(16)));
static volatile int alt_flags, alt_err, uc_ss_flags;
static void *volatile uc_ss_sp;

static void on_alt(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	stack_t ss, cur;
	volatile int local;

	stack_local = (unsigned long)&local;
	memset(&cur, 0, sizeof cur);
	sigaltstack(NULL, &cur);
	alt_flags = cur.ss_flags;
	ss.ss_sp = alt;
	ss.ss_size = sizeof alt;
	ss.ss_flags = 0;
	errno = 0;
	alt_err = sigaltstack(&ss, NULL) == -1 ? errno : 0;
	uc_ss_sp = uc->uc_stack.ss_sp;
	uc_ss_flags = uc->uc_stack.ss_flags;
}

static void test_altstack(void)
{
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0 }, old;

	CHECK(sigaltstack(&ss, &old) == 0 && (old.ss_flags & SS_DISABLE));
	set_handler(SIGUSR1, on_alt, SA_ONSTACK, 0);
	self_kill(SIGUSR1);
	CHECK(stack_local >= (unsigned long)alt && stack_local < (unsigned long)alt + sizeof alt);
	CHECK(alt_flags == SS_ONSTACK);
	CHECK(alt_err == EPERM);
	CHECK(uc_ss_sp == alt && uc_ss_flags == 0);
	CHECK(sigaltstack(NULL, &old) == 0 && old.ss_sp == alt && old.ss_flags == 0);

	/* without SA_ONSTACK the handler stays on the ordinary stack */
	set_handler(SIGUSR1, on_alt, 0, 0);
	self_kill(SIGUSR1);
	CHECK(!(stack_local >= (unsigned long)alt && stack_local < (unsigned long)alt + sizeof alt));

	ss.ss_size = 1024; /* raw calls: musl checks some of this itself */
	FAILS(syscall(SYS_sigaltstack, &ss, NULL), ENOMEM);
	ss.ss_size = sizeof alt;
	ss.ss_flags = 0x40;
	FAILS(syscall(SYS_sigaltstack, &ss, NULL), EINVAL);
	FAILS(syscall(SYS_sigaltstack, BAD, NULL), EFAULT);
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL) == 0);
	CHECK(sigaltstack(NULL, &old) == 0 && (old.ss_flags & SS_DISABLE));
	signal(SIGUSR1, SIG_DFL);
}

/* The FPU/SSE state: a handler that changes xmm registers and MXCSR
 * leaves the interrupted code's alone; the handler starts with MXCSR at
 * its default. */
static volatile unsigned handler_mxcsr;

static void on_fpu(int sig, siginfo_t *si, void *uc)
{
	unsigned m = 0x7f80; /* round toward zero: not the default */

	__asm__ volatile("stmxcsr %0" : "=m"(handler_mxcsr));
	__asm__ volatile("ldmxcsr %0\n"
			 "pcmpeqd %%xmm6, %%xmm6\n"
			 "pxor %%xmm15, %%xmm15\n" : : "m"(m) : "xmm6", "xmm15");
}

static void test_fpu(void)
{
	uint64_t a = 0x0123456789abcdefull, b = 0xfedcba9876543210ull, ra = 0, rb = 0;
	unsigned mx = 0x1f80 | 0x2000, mx_after = 0, mx_before;
	long r;

	set_handler(SIGUSR1, on_fpu, 0, 0);
	__asm__ volatile("stmxcsr %0" : "=m"(mx_before));
	__asm__ volatile("ldmxcsr %[mx]\n"
			 "movq %[a], %%xmm6\n"
			 "movq %[b], %%xmm15\n"
			 "syscall\n"
			 "movq %%xmm6, %[ra]\n"
			 "movq %%xmm15, %[rb]\n"
			 "stmxcsr %[mxa]\n"
			 : "=a"(r), [ra] "=r"(ra), [rb] "=r"(rb), [mxa] "=m"(mx_after)
			 : "a"((long)SYS_kill), "D"((long)getpid()), "S"((long)SIGUSR1),
			   [mx] "m"(mx), [a] "r"(a), [b] "r"(b)
			 : "rcx", "r11", "memory", "xmm6", "xmm15");
	__asm__ volatile("ldmxcsr %0" : : "m"(mx_before));
	CHECK(r == 0);
	CHECK(ra == a && rb == b);
	CHECK(mx_after == mx);
	CHECK(handler_mxcsr == 0x1f80);
	signal(SIGUSR1, SIG_DFL);
}

/* SIGILL from ud2: the handler edits the context (rip past ud2, rax). */
static void on_ill(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	on_info(sig, si, ucv);
	uc->uc_mcontext.gregs[REG_RIP] += 2;
	uc->uc_mcontext.gregs[REG_RAX] = 42;
}

extern char ud2_at[];

static void test_ill_edit(void)
{
	long rax;

	set_handler(SIGILL, on_ill, 0, 0);
	__asm__ volatile("xor %%eax, %%eax\n"
			 ".globl ud2_at\n"
			 "ud2_at: ud2\n" : "=a"(rax) : : "memory");
	CHECK(rax == 42);
	CHECK(got_sig == SIGILL && got_code == ILL_ILLOPN);
	CHECK(got_addr == (void *)ud2_at && uc_rip == (unsigned long)ud2_at);
	signal(SIGILL, SIG_DFL);
}

/* SIGTRAP from int3: the context's rip is after it. */
extern char after_int3[];

static void test_trap(void)
{
	set_handler(SIGTRAP, on_info, 0, 0);
	got_sig = 0;
	__asm__ volatile("int3\n"
			 ".globl after_int3\n"
			 "after_int3: nop\n" ::: "memory");
	CHECK(got_sig == SIGTRAP && got_code == SI_KERNEL);
	CHECK(uc_rip == (unsigned long)after_int3);
	signal(SIGTRAP, SIG_DFL);
}

/* SIGSEGV: the handler gives the page its right and returns; the store
 * runs again and succeeds. */
static char *volatile seg_page;

static void on_segv_fix(int sig, siginfo_t *si, void *uc)
{
	on_info(sig, si, uc);
	mprotect(seg_page, 4096, PROT_READ | PROT_WRITE);
}

static void on_jump(int sig, siginfo_t *si, void *uc)
{
	on_info(sig, si, uc);
	siglongjmp(jb, 1);
}

static void test_segv(void)
{
	seg_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(seg_page != MAP_FAILED);
	hits = 0;
	set_handler(SIGSEGV, on_segv_fix, 0, 0);
	seg_page[100] = 7;
	CHECK(hits == 1 && seg_page[100] == 7);
	CHECK(got_sig == SIGSEGV && got_code == SEGV_ACCERR && got_addr == seg_page + 100);
	munmap(seg_page, 4096);

	set_handler(SIGSEGV, on_jump, 0, 0);
	reached = 0;
	if (!sigsetjmp(jb, 1)) {
		volatile int *volatile p = BAD;
		*p = 1;
		reached = 1;
	}
	CHECK(!reached && got_code == SEGV_MAPERR && got_addr == BAD);
	CHECK(!(cur_mask() & BIT(SIGSEGV))); /* siglongjmp put the mask back */
	signal(SIGSEGV, SIG_DFL);
}

/* A stack overflow: SIGSEGV can only be handled on the alternate stack
 * (the program's own has no room for the frame); the handler leaves with
 * siglongjmp. */
static volatile unsigned long overflow_depth;

static unsigned long recurse(volatile char *prev)
{
	volatile char page[4000];

	page[0] = prev ? prev[0] + 1 : 0;
	if (++overflow_depth == 0) /* never: the stack ends first */
		return 0;
	return recurse(page) + page[1];
}

static void test_overflow(void)
{
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0 };

	CHECK(sigaltstack(&ss, NULL) == 0);
	set_handler(SIGSEGV, on_jump, SA_ONSTACK, 0);
	overflow_depth = 0;
	reached = 0;
	if (!sigsetjmp(jb, 1)) {
		recurse(0);
		reached = 1;
	}
	CHECK(!reached && got_sig == SIGSEGV && overflow_depth > 1000);
	CHECK(stack_local >= (unsigned long)alt && stack_local < (unsigned long)alt + sizeof alt);
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL) == 0);
	signal(SIGSEGV, SIG_DFL);
}

/* SIGFPE from a division by zero, left with siglongjmp. */
static void test_fpe(void)
{
	volatile int zero = 0, r = 1;

	set_handler(SIGFPE, on_jump, 0, 0);
	/* (not CHECK(0) after the division: the compiler may count the
	 * failure before dividing) */
	reached = 0;
	if (!sigsetjmp(jb, 1)) {
		r = 10 / zero;
		reached = 1;
	}
	CHECK(!reached && r == 1 && got_sig == SIGFPE && got_code == FPE_INTDIV);
	CHECK(!(cur_mask() & BIT(SIGFPE)));
	signal(SIGFPE, SIG_DFL);
}

/* Pending, blocked: rt_sigpending sees it, sigsuspend runs its handler
 * and returns EINTR with the mask as it was; rt_sigtimedwait takes one. */
static void test_pending_suspend(void)
{
	sigset_t set, none, pend;
	siginfo_t si;
	struct timespec zero = { 0, 0 };

	hits = 0;
	set_handler(SIGUSR1, on_info, 0, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	self_kill(SIGUSR1);
	CHECK(hits == 0);
	sigemptyset(&pend);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2));
	sigemptyset(&none);
	FAILS(sigsuspend(&none), EINTR);
	CHECK(hits == 1 && !(mask_in_handler & BIT(SIGUSR2)) && (mask_in_handler & BIT(SIGUSR1)));
	CHECK(cur_mask() & BIT(SIGUSR1));
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));

	self_kill(SIGUSR2);
	memset(&si, 0, sizeof si);
	CHECK(sigtimedwait(&set, &si, &zero) == SIGUSR2);
	CHECK(si.si_signo == SIGUSR2 && si.si_code == SI_USER && si.si_pid == getpid());
	errno = 0;
	CHECK(sigtimedwait(&set, &si, &zero) == -1 && errno == EAGAIN);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);

	/* unblocking a pending signal delivers it as sigprocmask returns */
	hits = 0;
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	self_kill(SIGUSR1);
	CHECK(hits == 0);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	CHECK(hits == 1);
	signal(SIGUSR1, SIG_DFL);
}

/* Ignored signals vanish; the calls' errors. */
static void test_ignore_errors(void)
{
	unsigned long set = 0;
	sigset_t pend;

	signal(SIGUSR1, SIG_IGN);
	self_kill(SIGUSR1);
	self_kill(SIGCHLD); /* ignored by default */
	self_kill(SIGWINCH);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));
	signal(SIGUSR1, SIG_DFL);
	CHECK(syscall(SYS_kill, getpid(), 0) == 0);
	FAILS(syscall(SYS_kill, getpid(), 65), EINVAL);
	FAILS(syscall(SYS_kill, 999999, SIGUSR1), ESRCH);
	FAILS(syscall(SYS_tkill, -1, SIGUSR1), EINVAL);
	FAILS(syscall(SYS_tgkill, 0, 1, SIGUSR1), EINVAL);
	FAILS(syscall(SYS_rt_sigpending, BAD, 8), EFAULT);
	FAILS(syscall(SYS_rt_sigpending, &set, 9), EINVAL);
	FAILS(syscall(SYS_rt_sigsuspend, BAD, 8), EFAULT);
	FAILS(syscall(SYS_rt_sigsuspend, &set, 4), EINVAL);
	FAILS(syscall(SYS_rt_sigtimedwait, BAD, NULL, NULL, 8), EFAULT);
	FAILS(syscall(SYS_rt_sigtimedwait, &set, NULL, NULL, 4), EINVAL);
}

void test_sigdeliver(void)
{
	test_handler_basics();
	test_nodefer_resethand();
	test_altstack();
	test_fpu();
	test_ill_edit();
	test_trap();
	test_segv();
	test_overflow();
	test_fpe();
	test_pending_suspend();
	test_waits_woken();
	test_ignore_errors();
}

/* The waits end when a signal comes later, from a timer or from another
 * process (they sleep on the wake notification the manager and the timer
 * server signal): pause ended by an alarm, sigtimedwait's timeout with
 * nothing pending, sigsuspend ended by a child's kill. */
static void test_waits_woken(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 20000 } }; /* once, in 20 ms */
	struct timespec t30 = { 0, 30000000 };
	sigset_t set, none;
	siginfo_t si;
	int st;

	hits = 0;
	set_handler(SIGALRM, on_info, 0, 0);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	FAILS(pause(), EINTR);
	CHECK(hits == 1 && got_sig == SIGALRM);
	signal(SIGALRM, SIG_DFL);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	errno = 0;
	CHECK(sigtimedwait(&set, &si, &t30) == -1 && errno == EAGAIN);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);

	hits = 0;
	set_handler(SIGUSR1, on_info, 0, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0); /* until sigsuspend waits */
	pid_t c = fork();
	if (c == 0)
		_exit(kill(getppid(), SIGUSR1) == 0 ? 0 : 1);
	sigemptyset(&none);
	FAILS(sigsuspend(&none), EINTR);
	CHECK(hits == 1 && got_sig == SIGUSR1 && got_pid == c);
	CHECK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* pselect6's mask, as sigsuspend's: SIGUSR1 blocked but for the
	 * wait, which it interrupts; blocked again after (pselect(2)). */
	hits = 0;
	c = fork();
	if (c == 0)
		_exit(kill(getppid(), SIGUSR1) == 0 ? 0 : 1);
	FAILS(pselect(0, NULL, NULL, NULL, NULL, &none), EINTR);
	CHECK(hits == 1 && got_sig == SIGUSR1 && got_pid == c);
	sigset_t now;
	CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0 && sigismember(&now, SIGUSR1));
	CHECK(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	signal(SIGUSR1, SIG_DFL);
}

/* `calls sigill-blocked`: a fault whose signal is blocked kills with it
 * (status 128 + 4), handler or not. */
int sigill_blocked(void)
{
	sigset_t set;

	set_handler(SIGILL, on_info, 0, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGILL);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("calls: ud2 with SIGILL blocked\n");
	fflush(stdout);
	__asm__ volatile("ud2");
	return 99;
}

/* `calls kill-self`: SIGUSR1's default action ends the process (138). */
int kill_self(void)
{
	printf("calls: SIGUSR1 to itself\n");
	fflush(stdout);
	syscall(SYS_kill, getpid(), SIGUSR1);
	return 99;
}

/* `calls segv-in-handler`: a SIGSEGV handler (without SA_NODEFER) that
 * faults again: the signal is blocked in it, so the second fault kills
 * (139), as on Linux. */
static void on_segv_again(int sig, siginfo_t *si, void *uc)
{
	volatile int *volatile p = BAD;

	*p = 2;
}

int segv_in_handler(void)
{
	volatile int *volatile p = BAD;

	set_handler(SIGSEGV, on_segv_again, 0, 0);
	printf("calls: SIGSEGV in its handler\n");
	fflush(stdout);
	*p = 1;
	return 99;
}
