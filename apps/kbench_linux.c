/*
 * kbench: reflected Linux system calls. linux_getppid is a raw SYSCALL
 * with rax = 110 (Linux's getppid) from a thread whose foreign entry is
 * liblamina's lm_reflect_entry: the kernel sends it back to kbench itself,
 * the entry calls a C handler that answers, and the entry returns to the
 * caller with no second system call. The same loop as Linux's
 * null_syscall in bench/linux/lbench.c, so the two figures pair up.
 */
#include "kbench.h"

#define NR_GETPPID 110
#define ENOSYS     38

static long serve(struct lm_sysargs *a)
{
	return a->nr == NR_GETPPID ? 1 : -ENOSYS;
}

static void op_getppid(lm_u64 n)
{
	for (lm_u64 i = 0; i < n; i++) {
		long r = NR_GETPPID;
		__asm__ volatile("syscall" : "+a"(r) : : "rcx", "r11", "memory");
	}
}

void kb_linux(void)
{
	if (!selected("linux_getppid") || lm_reflect_install(LM_SLOT_TCB, serve))
		return;
	bench("linux_getppid", 10000, 1, op_getppid);
	lm_reflect_install(LM_SLOT_TCB, 0);
}
