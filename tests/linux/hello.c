/*
 * An ordinary Linux program, built with `musl-gcc -static` and run
 * unmodified on Lamina by the Linux personality (linux/, by system-call
 * reflection). It uses
 * only what a small library OS serves: write/writev through stdio,
 * getpid/getppid, and an unknown system call that must fail with ENOSYS.
 * The exit code tells the test what it saw: 42 when everything held, else
 * the number of the first check that failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char raw[] = "linux-hello: write(2) works\n";
	pid_t pid = getpid();

	if (write(1, raw, strlen(raw)) != (ssize_t)strlen(raw))
		exit(1);
	printf("linux-hello: hello from musl, argc=%d argv[0]=%s pid=%d ppid=%d\n", argc,
	       argc > 0 ? argv[0] : "?", (int)pid, (int)getppid());
	errno = 0;
	long r = syscall(999); /* no such Linux system call */
	int e = errno;
	printf("linux-hello: syscall(999) = %ld, errno %d (%s)\n", r, e,
	       e == ENOSYS ? "ENOSYS" : "not ENOSYS");
	fflush(stdout);
	if (argc < 1 || pid <= 0)
		exit(2);
	if (r != -1 || e != ENOSYS)
		exit(3);
	exit(42);
}
