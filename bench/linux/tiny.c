/*
 * The exec target of lbench's spawn benchmark: the smallest static program
 * that exits.  No libc start-up code, so the figure is the kernel's cost of
 * fork + execve + exit + wait, not musl's initialisation.
 *
 * Build: musl-gcc -static -O2 -nostdlib -nostartfiles -o tiny tiny.c
 */
#include <sys/syscall.h>

void _start(void)
{
	__asm__ volatile("syscall" ::"a"(SYS_exit_group), "D"(0));
	__builtin_unreachable();
}
