/* Signal bookkeeping: rt_sigaction, rt_sigprocmask, sigaltstack (no
 * signal is delivered here). */
#include <signal.h>
#include <string.h>
#include "calls.h"

/* The kernel's struct sigaction (not libc's). */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static void on_usr1(int sig)
{
	(void)sig;
}

#define BIT(s) (1ul << ((s) - 1))

void test_signal(void)
{
	struct ksigaction act = { on_usr1, 0x04000000 /* SA_RESTORER */, 0, BIT(SIGUSR2) }, old;
	unsigned long set = BIT(SIGUSR1) | BIT(SIGKILL), cur;
	stack_t ss;

	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 8) == 0);
	memset(&old, 0, sizeof old);
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8) == 0);
	CHECK(old.handler == on_usr1 && old.mask == BIT(SIGUSR2));
	FAILS(syscall(SYS_rt_sigaction, SIGKILL, &act, NULL, 8), EINVAL);
	FAILS(syscall(SYS_rt_sigaction, SIGSTOP, &act, NULL, 8), EINVAL);
	CHECK(syscall(SYS_rt_sigaction, SIGKILL, NULL, &old, 8) == 0);
	FAILS(syscall(SYS_rt_sigaction, 0, &act, NULL, 8), EINVAL);
	FAILS(syscall(SYS_rt_sigaction, 65, &act, NULL, 8), EINVAL);
	FAILS(syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 4), EINVAL);
	FAILS(syscall(SYS_rt_sigaction, SIGUSR1, BAD, NULL, 8), EFAULT);
	FAILS(syscall(SYS_rt_sigaction, SIGUSR1, NULL, BAD, 8), EFAULT);
	act.handler = SIG_DFL;
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 8) == 0);

	CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8) == 0);
	CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8) == 0);
	CHECK((cur & BIT(SIGUSR1)) && !(cur & BIT(SIGKILL))); /* SIGKILL cannot be blocked */
	CHECK(syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, &cur, 8) == 0 && (cur & BIT(SIGUSR1)));
	CHECK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &cur, 8) == 0 && !(cur & BIT(SIGUSR1)));
	FAILS(syscall(SYS_rt_sigprocmask, 7, &set, NULL, 8), EINVAL);
	FAILS(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4), EINVAL);
	FAILS(syscall(SYS_rt_sigprocmask, SIG_BLOCK, BAD, NULL, 8), EFAULT);

	CHECK(syscall(SYS_sigaltstack, NULL, &ss) == 0 && (ss.ss_flags & SS_DISABLE));
	FAILS(syscall(SYS_sigaltstack, NULL, BAD), EFAULT);
}
