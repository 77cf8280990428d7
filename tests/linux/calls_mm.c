/* Memory: brk, mmap, munmap, mprotect, mremap, madvise. A pointer the
 * program may not use is tested through write(2) and read(2), which must
 * answer EFAULT instead of faulting. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include "calls.h"

#define PG 4096L

static int all(const char *p, long n, char c)
{
	for (long i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static void brk_calls(void)
{
	long cur = syscall(SYS_brk, 0), top;

	CHECK(cur > 0 && cur % 8 == 0);
	top = syscall(SYS_brk, cur + 100000);
	CHECK(top == cur + 100000);
	CHECK(all((char *)cur, 100000, 0));
	memset((char *)cur, 7, 100000);
	CHECK(syscall(SYS_brk, cur) == cur);            /* shrink */
	CHECK(syscall(SYS_brk, 1) == cur);              /* below the start: refused */
	CHECK(syscall(SYS_brk, cur + PG) == cur + PG);
	CHECK(syscall(SYS_brk, cur) == cur);
}

static char *map(void *at, long len, int prot, int flags)
{
	return (char *)syscall(SYS_mmap, at, len, prot, flags, -1, 0);
}

static void mmap_calls(void)
{
	char *p = map(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS), *q;

	CHECK(p != MAP_FAILED && (long)p % PG == 0);
	CHECK(all(p, 3 * PG, 0));
	memset(p, 'a', 3 * PG);
	FAILS(map(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS), EINVAL);
	FAILS(map(0, PG, PROT_READ, MAP_ANONYMOUS), EINVAL);     /* neither private nor shared */
	FAILS(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, 99, 0), EBADF);
	FAILS(map(p + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), EINVAL);
	FAILS(map(p, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE), EEXIST);
	/* MAP_FIXED replaces: the middle page reads zero again */
	CHECK(map(p + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) ==
	      p + PG);
	CHECK(all(p, PG, 'a') && all(p + PG, PG, 0) && all(p + 2 * PG, PG, 'a'));
	/* the personality's own pages are not the program's to map over
	 * (Linux has nothing there: it maps) */
	struct utsname u;
	if (!uname(&u) && strstr(u.release, "lamina")) {
		FAILS(map((void *)0x7ef800100000, PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), ENOMEM);
		FAILS(map((void *)0x7ef800000000, 2 * PG, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE), ENOMEM);
		q = map((void *)0x7ef800010000, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
		CHECK(q != MAP_FAILED && q != (char *)0x7ef800010000); /* a hint there is not taken */
		if (q != MAP_FAILED)
			syscall(SYS_munmap, q, PG);
	}
	/* a free hint is taken */
	q = map((void *)0x200000000000, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
	CHECK(q == (char *)0x200000000000);
	CHECK(syscall(SYS_munmap, q, PG) == 0);
	q = map((void *)0x200000000000, PG, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE);
	CHECK(q == (char *)0x200000000000);
	/* unmapped memory is refused by calls, not a crash */
	CHECK(syscall(SYS_munmap, q, PG) == 0);
	FAILS(syscall(SYS_write, 1, q, 1), EFAULT);
	FAILS(syscall(SYS_munmap, p + 1, PG), EINVAL);
	FAILS(syscall(SYS_munmap, p, 0), EINVAL);
	/* a large mapping costs only the pages touched */
	q = map(0, 256L << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
	CHECK(q != MAP_FAILED);
	if (q != MAP_FAILED) {
		q[0] = 1;
		q[(256L << 20) - 1] = 2;
		CHECK(q[0] == 1 && q[(256L << 20) - 1] == 2 && q[PG * 1000] == 0);
		CHECK(syscall(SYS_munmap, q, 256L << 20) == 0);
	}
	/* mprotect */
	CHECK(syscall(SYS_mprotect, p, PG, PROT_READ) == 0);
	CHECK(syscall(SYS_write, 1, p, 0) == 0);
	FAILS(syscall(SYS_getrandom, p, 8, 0), EFAULT);
	CHECK(syscall(SYS_getrandom, p + PG, 8, 0) == 8);
	CHECK(syscall(SYS_mprotect, p, PG, PROT_READ | PROT_WRITE) == 0);
	p[0] = 'b';
	CHECK(syscall(SYS_mprotect, p, 3 * PG, PROT_NONE) == 0);
	FAILS(syscall(SYS_write, 1, p, 1), EFAULT);
	CHECK(syscall(SYS_mprotect, p, 3 * PG, PROT_READ | PROT_WRITE) == 0);
	CHECK(p[0] == 'b');
	FAILS(syscall(SYS_mprotect, p + 1, PG, PROT_READ), EINVAL);
	FAILS(syscall(SYS_mprotect, p, PG, 0x100), EINVAL);
	FAILS(syscall(SYS_mprotect, (void *)0x300000000000, PG, PROT_READ), ENOMEM);
	CHECK(syscall(SYS_munmap, p, 3 * PG) == 0);
}

static void mremap_madvise(void)
{
	char *p = map(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS), *q, *r;

	memset(p, 'm', 2 * PG);
	/* block the page after it, so growing must move (the page is ours:
	 * the pages after a new mapping may be someone else's) */
	CHECK(syscall(SYS_munmap, p + 2 * PG, PG) == 0);
	q = map(p + 2 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE);
	CHECK(q == p + 2 * PG);
	FAILS(syscall(SYS_mremap, p, 2 * PG, 4 * PG, 0), ENOMEM);
	r = (char *)syscall(SYS_mremap, p, 2 * PG, 4 * PG, MREMAP_MAYMOVE);
	CHECK(r != MAP_FAILED && r != p);
	if (r != MAP_FAILED) {
		CHECK(all(r, 2 * PG, 'm') && all(r + 2 * PG, 2 * PG, 0));
		FAILS(syscall(SYS_write, 1, p, 1), EFAULT); /* the old place is gone */
		CHECK(syscall(SYS_mremap, r, 4 * PG, PG, 0) == (long)r); /* shrink */
		FAILS(syscall(SYS_write, 1, r + PG, 1), EFAULT);
		CHECK(syscall(SYS_munmap, r, PG) == 0);
	}
	CHECK(syscall(SYS_munmap, q, PG) == 0);
	/* grow in place when the pages after are free */
	p = map(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	CHECK(syscall(SYS_munmap, p + PG, 2 * PG) == 0);
	CHECK(syscall(SYS_mremap, p, PG, 3 * PG, 0) == (long)p);
	p[3 * PG - 1] = 1;
	FAILS(syscall(SYS_mremap, p + 1, PG, 2 * PG, 0), EINVAL);
	FAILS(syscall(SYS_mremap, p, PG, 2 * PG, 0x80), EINVAL);
	FAILS(syscall(SYS_mremap, p, PG, 2 * PG, MREMAP_FIXED, p + 8 * PG), EINVAL);
	FAILS(syscall(SYS_mremap, (void *)0x300000000000, PG, 2 * PG, 0), EFAULT);
	/* madvise(DONTNEED): private anonymous pages read zero afterwards */
	memset(p, 'z', 3 * PG);
	CHECK(syscall(SYS_madvise, p, 2 * PG, MADV_DONTNEED) == 0);
	CHECK(all(p, 2 * PG, 0) && all(p + 2 * PG, PG, 'z'));
	CHECK(syscall(SYS_madvise, p, PG, MADV_WILLNEED) == 0);
	FAILS(syscall(SYS_madvise, p + 1, PG, MADV_DONTNEED), EINVAL);
	FAILS(syscall(SYS_madvise, p, PG, 12345), EINVAL);
	FAILS(syscall(SYS_madvise, (void *)0x300000000000, PG, MADV_DONTNEED), ENOMEM);
	CHECK(syscall(SYS_munmap, p, 3 * PG) == 0);
}

void test_mm(void)
{
	brk_calls();
	mmap_calls();
	mremap_madvise();
}
