/*
 * Paths, until the file server exists (docs/LINUX.md, "What is next"): the
 * file system is the root directory alone. The working directory is "/",
 * chdir accepts "/" and nothing else.
 */
#include "lx.h"

#define PATH_MAX 4096

/* getcwd(buf, size): the length with its NUL, as the system call (not the
 * libc function) returns. */
LX_SYS(getcwd)
{
	if (a[1] < 2)
		return -ERANGE;
	return lx_copy_out(a[0], "/", 2) ? -EFAULT : 2;
}

LX_SYS(chdir)
{
	char path[PATH_MAX];
	long n = lx_copy_str(path, a[0], sizeof path);

	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	/* every component must be "", "." or "..": they all name "/" here */
	for (char *p = path; *p;) {
		while (*p == '/')
			p++;
		char *c = p;
		while (*p && *p != '/')
			p++;
		if (p - c > 2 || (p - c >= 1 && c[0] != '.') || (p - c == 2 && c[1] != '.'))
			return -ENOENT;
	}
	return 0;
}
