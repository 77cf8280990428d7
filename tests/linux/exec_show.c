/*
 * exec-show (and exec-show-pie, the same as a static-pie): what execve
 * handed over, checked; a stage of the chain tests/linux/exec.c describes.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failures;

#define CHECK(c) \
	((c) ? (void)0 : (void)(failures++, fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c)))

static int argv_is(int argc, char **argv, const char *const *want)
{
	int i = 0;

	for (; want[i]; i++)
		if (i >= argc || strcmp(argv[i], want[i]))
			return 0;
	return i == argc && !argv[argc];
}

static void link_is(const char *path, const char *want)
{
	char buf[256];
	ssize_t n = readlink(path, buf, sizeof buf - 1);

	buf[n > 0 ? n : 0] = 0;
	if (strcmp(buf, want)) {
		failures++;
		fprintf(stderr, "FAIL readlink %s = %s, expected %s\n", path, buf, want);
	}
}

/* The auxiliary vector: where the program headers are, the entry, the name. */
static void auxv(const char *execfn, const char *exe, const char *comm)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM), load = 0;
	char name[16] = "";

	CHECK(getauxval(AT_PAGESZ) == 4096 && getauxval(AT_PHENT) == sizeof(Elf64_Phdr));
	CHECK(getauxval(AT_BASE) == 0 && getauxval(AT_SECURE) == 0);
	CHECK(ph && n > 0 && n < 64);
	for (unsigned long i = 0; ph && i < n && i < 64; i++)
		load += ph[i].p_type == PT_LOAD;
	CHECK(load > 0);
	CHECK(getauxval(AT_ENTRY) != 0);
	CHECK(getauxval(AT_RANDOM) != 0);
	CHECK(getauxval(AT_EXECFN) && !strcmp((const char *)getauxval(AT_EXECFN), execfn));
	link_is("/proc/self/exe", exe);
	CHECK(prctl(PR_GET_NAME, name) == 0 && !strcmp(name, comm));
	CHECK(sbrk(0) != (void *)-1);
}

/* The chain's files go at its end, so that the tree is as before. */
static void clean(void)
{
	static const char *const names[] = {
		"badelf", "emptyinterp", "exec-arg", "exec-script", "l0", "l1", "l2", "l3", "l4",
		"l5", "loop", "noexec", "nointerp", "noxscript",
	};
	char path[64];

	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "/tmp/xt/%s", names[i]);
		CHECK(unlink(path) == 0);
	}
	CHECK(rmdir("/tmp/xt") == 0);
}

/* In the read-only data: which build of the file runs (a copy of this
 * program with the mark rewritten is "MARK-B"). */
static const char mark[] = "MARK-A";

static int marked(const char *want)
{
	const volatile char *m = mark;
	char got[sizeof mark];

	for (unsigned i = 0; i < sizeof mark; i++)
		got[i] = m[i];
	return !strcmp(got, want);
}

/* /tmp/xs: a copy of /bin/exec-show, its mark rewritten to b's. */
static void copy_marked(char b)
{
	static char img[4 << 20];
	int fd = open("/bin/exec-show", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, img, sizeof img) : -1;

	CHECK(n > 0 && n < (ssize_t)sizeof img);
	close(fd);
	for (ssize_t i = 0; i + (ssize_t)sizeof mark <= n; i++)
		if (!memcmp(img + i, "MARK-A", sizeof mark))
			img[i + 5] = b;
	unlink("/tmp/xs");
	fd = open("/tmp/xs", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	CHECK(fd >= 0 && n > 0 && write(fd, img, n) == n);
	close(fd);
}

static void next(const char *path, char *const *argv, char *const *envp)
{
	fflush(stdout);
	if (failures)
		exit(failures);
	execve(path, argv, envp);
	fprintf(stderr, "FAIL execve %s: %s\n", path, strerror(errno));
	exit(1);
}

int main(int argc, char **argv, char **envp)
{
	static const char *const pie[] = { "exec-show-pie", "pie", "arg two", "", 0 };
	static const char *const pie_env[] = { "LX_EXEC=1", "EMPTY=", 0 };
	static const char *const onearg[] = { "/bin/exec-show", "one-arg", "/tmp/xt/exec-arg", "p1", 0 };
	static const char *const nested[] = { "/bin/exec-show", "/tmp/xt/l5", "/tmp/xt/l4", "/tmp/xt/l3",
					      "/tmp/xt/l2", "/tmp/xt/l1", "n1", 0 };
	char c;

	if (argc > 1 && !strcmp(argv[1], "pie")) {
		char *script[] = { "exec-script", "a1", 0 };
		char *env[] = { "PATH=/bin", 0 };

		CHECK(argv_is(argc, argv, pie));
		CHECK(argv_is(2, envp, pie_env));
		auxv("/bin/exec-show-pie", "/bin/exec-show-pie", "exec-show-pie");
		CHECK(fcntl(10, F_GETFD) == -1 && errno == EBADF); /* FD_CLOEXEC: closed */
		CHECK(fcntl(11, F_GETFD) == 0);                    /* kept */
		CHECK(pread(11, &c, 1, 0) == 1 && c == 'r');
		CHECK(fcntl(1, F_GETFD) == 0);
		printf("exec-show-pie: argv, envp, auxv, descriptors as execve gave them\n");
		if (!failures) {
			int fd = open("/tmp/xt/exec-script", O_WRONLY | O_CREAT | O_TRUNC, 0755);
			const char *s = "#!/bin/sh\necho \"script: $0 $1\"\n"
					"exec /bin/exec-test back \"$0\" \"$1\"\n";

			CHECK(fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s));
			close(fd);
		}
		next("/tmp/xt/exec-script", script, env);
	}
	if (argc > 1 && !strcmp(argv[1], "one-arg")) {
		char *l1[] = { "l1", "n1", 0 };

		CHECK(argv_is(argc, argv, onearg));
		CHECK(envp[0] && !strcmp(envp[0], "STAGE=3") && !envp[1]);
		auxv("/tmp/xt/exec-arg", "/bin/exec-show", "exec-arg");
		printf("exec-show: #! with one argument\n");
		next("/tmp/xt/l1", l1, envp);
	}
	if (argc > 1 && !strcmp(argv[1], "/tmp/xt/l5")) {
		CHECK(argv_is(argc, argv, nested));
		auxv("/tmp/xt/l1", "/bin/exec-show", "l1");
		printf("exec-show: five nested #! files\n");
		clean();
		fflush(stdout);
		if (failures)
			return failures;
		int fd = open("/bin/exec-show", O_RDONLY | O_CLOEXEC);
		char *fx[] = { "exec-show", "fexec", 0 };

		syscall(SYS_execveat, fd, "", fx, envp, AT_EMPTY_PATH);
		fprintf(stderr, "FAIL fexecve: %s\n", strerror(errno));
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "fexec")) {
		const char *fn = (const char *)getauxval(AT_EXECFN);
		int fd = fn && !strncmp(fn, "/dev/fd/", 8) ? atoi(fn + 8) : -1;

		char *copy[] = { "/tmp/xs", "copy", 0 };

		CHECK(fd > 2);
		CHECK(fcntl(fd, F_GETFD) == -1 && errno == EBADF); /* O_CLOEXEC: closed */
		printf("exec-show: execveat AT_EMPTY_PATH\n");
		copy_marked('A');
		next("/tmp/xs", copy, envp);
	}
	/* An execve of the running program's own file may keep its read-only
	 * pages (docs/LINUX.md, "execve"): not once the file is another. */
	if (argc == 2 && !strcmp(argv[1], "copy")) {
		char *changed[] = { "/tmp/xs", "changed", 0 };

		CHECK(marked("MARK-A"));
		copy_marked('B'); /* the running file replaced, same size */
		next("/tmp/xs", changed, envp);
	}
	if (argc == 2 && !strcmp(argv[1], "changed")) {
		char *same[] = { "/tmp/xs", "same", 0 };

		CHECK(marked("MARK-B"));
		auxv("/tmp/xs", "/tmp/xs", "xs");
		printf("exec-show: the file changed under the running program\n");
		next("/tmp/xs", same, envp);
	}
	if (argc == 2 && !strcmp(argv[1], "same")) {
		CHECK(marked("MARK-B"));
		auxv("/tmp/xs", "/tmp/xs", "xs");
		CHECK(unlink("/tmp/xs") == 0);
		printf("exec-show: the running program's own file again\n");
		return failures;
	}
	fprintf(stderr, "FAIL exec-show: unexpected arguments (argc %d)\n", argc);
	return 1;
}
