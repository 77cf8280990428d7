/*
 * Reaching the Linux program's memory from a handler. The personality
 * shares the program's address space, so a bad pointer would fault inside
 * the library OS; instead every pointer is checked against the memory map
 * first (mm.c), which is exact: the map lists what the program owns and with
 * which rights, and the pages it names are mapped (or mapped on the touch,
 * by the fault hook). A pointer into the library OS's own image, stack or
 * modules is outside the map, so it is refused too (-EFAULT), as Linux
 * refuses a pointer into the kernel.
 */
#include "lx.h"

int lx_readable(lm_u64 addr, lm_u64 n)
{
	return !n || lx_mm_allows(addr, n, PROT_READ);
}

int lx_writable(lm_u64 addr, lm_u64 n)
{
	return !n || lx_mm_allows(addr, n, PROT_WRITE);
}

int lx_copy_in(void *dst, lm_u64 usrc, lm_u64 n)
{
	if (!lx_readable(usrc, n))
		return -EFAULT;
	memcpy(dst, (const void *)usrc, n);
	return 0;
}

int lx_copy_out(lm_u64 udst, const void *src, lm_u64 n)
{
	if (!lx_writable(udst, n))
		return -EFAULT;
	memcpy((void *)udst, src, n);
	return 0;
}

long lx_copy_str(char *buf, lm_u64 ustr, lm_u64 max)
{
	for (lm_u64 i = 0; i < max; i++) {
		if (((ustr + i) & (LX_PAGE - 1)) == 0 || i == 0)
			if (!lx_readable(ustr + i, 1))
				return -EFAULT;
		buf[i] = *(const char *)(ustr + i);
		if (!buf[i])
			return (long)i;
	}
	return -ENAMETOOLONG;
}
