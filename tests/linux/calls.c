/* The system-call tests' main (calls.h). */
#include <string.h>
#include <sys/stat.h>
#include "calls.h"

int failures, piped;

int main(int argc, char **argv)
{
	struct stat st;

	if (argc == 2 && !strcmp(argv[1], "crash")) {
		/* a store to page 0: the personality must end the program as
		 * Linux's SIGSEGV would (status 139), not fault itself */
		printf("calls: storing to address 16\n");
		fflush(stdout);
		int *volatile p = BAD;
		*p = 1;
		return 99;
	}
	if (argc == 2 && !strcmp(argv[1], "tty"))
		return test_tty();
	if (argc == 2 && !strcmp(argv[1], "sleep")) {
		/* for a typist's Ctrl-C (tests/tools/test_shell.py): SIGINT
		 * ends the sleep, and the program with it (status 130) */
		printf("calls: sleeping\n");
		fflush(stdout);
		sleep(30);
		printf("calls: woke\n");
		return 99;
	}
	if (argc == 2 && !strcmp(argv[1], "alarm")) {
		/* no handler: SIGALRM's default action ends the program during
		 * its sleep, with status 128 + 14 */
		alarm(1);
		sleep(10);
		return 99;
	}
	if (argc == 2 && !strcmp(argv[1], "sigill-blocked"))
		return sigill_blocked();
	if (argc == 2 && !strcmp(argv[1], "futex-pingpong"))
		return futex_pingpong();
	if (argc == 2 && !strcmp(argv[1], "kill-self"))
		return kill_self();
	if (argc == 2 && !strcmp(argv[1], "segv-in-handler"))
		return segv_in_handler();
	piped = fstat(1, &st) == 0 && S_ISFIFO(st.st_mode);
	CHECK(argc == 1 && argv[1] == NULL);
	test_io();
	test_mm();
	test_mmap();
	test_sendfile();
	test_socket();
	test_proc(argv[0]);
	test_time();
	test_signal();
	test_sigdeliver();
	test_efault();
	test_fs();
	test_pipe();
	test_fifo();
	test_fdlink();
	test_lock();
	test_timers();
	test_procfs(argv[0]);
	printf("calls: %d failed\n", failures);
	return failures > 100 ? 100 : failures;
}
