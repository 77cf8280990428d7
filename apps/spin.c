/*
 * spin: says so, then spins forever without a system call. The shell runs
 * it at its own priority: Ctrl-C must still stop it (tests/tools/test_shell.py).
 */
#include <lm/lamina.h>

int main(lm_word_t arg)
{
	lm_printf("spin: spinning until stopped\n");
	for (;;)
		__asm__ volatile("" ::: "memory");
}
