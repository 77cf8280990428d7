/* The system-call tests' main (calls.h). */
#include <string.h>
#include <sys/stat.h>
#include "calls.h"

int failures, piped;

int main(int argc, char **argv)
{
	struct stat st;

	piped = fstat(1, &st) == 0 && S_ISFIFO(st.st_mode);
	CHECK(argc == 1 && argv[1] == NULL);
	test_io();
	test_mm();
	test_proc(argv[0]);
	test_time();
	test_signal();
	printf("calls: %d failed\n", failures);
	return failures > 100 ? 100 : failures;
}
