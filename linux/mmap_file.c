/*
 * mmap of a descriptor (mmap.c's part for a file): regular files and
 * /dev/zero.
 *
 * A regular file is read in whole at mmap into fresh pages of the map,
 * through the descriptor (lx_fd_io, at the offset given; the descriptor's
 * own offset does not move), and those pages are then the process's
 * private memory (LX_AREA_FILE): a write copies nothing back to the file,
 * a fork copies them on write like any other. What the file holds past its
 * end in the last page reads as zeros; the pages wholly past the file's
 * last page are an LX_AREA_BUS area: a touch is SIGBUS, as Linux (man 2
 * mmap). The contents are the file's at the mmap: a later write to the
 * file is not seen (Linux's MAP_PRIVATE leaves that unspecified until the
 * page is written; for MAP_SHARED it is a difference, docs/LINUX.md).
 *
 * MAP_SHARED of a file is the same read-only (LX_AREA_FILE_RO: mprotect
 * never adds PROT_WRITE, EACCES); a writable MAP_SHARED of a file is
 * refused with ENODEV (after Linux's EACCES for a descriptor not open
 * read-write). /dev/zero gives anonymous memory: private, or shared
 * across fork for MAP_SHARED, as on Linux. Anything else (a pipe, a
 * directory, the terminal, /proc) is ENODEV; a descriptor not open for
 * reading EACCES.
 */
#include "mm.h"

#define DEV_ZERO (1 << 8 | 5) /* servers/fs/image.c */

long lx_mmap_file_check(long fd, lm_u64 off, lm_u64 len, lm_u32 prot, int shared, lm_u32 *kind)
{
	struct lx_stat st;
	long acc, r;

	if (off & (LX_PAGE - 1))
		return -EINVAL;
	if (off + len < off || (long)(off + len) < 0)
		return -EOVERFLOW;
	if ((acc = lx_fd_access(fd)) < 0)
		return acc;
	if ((r = lx_fd_stat(fd, &st)))
		return r;
	if (shared && (prot & PROT_WRITE) && acc != O_RDWR)
		return -EACCES;
	if (acc == O_WRONLY)
		return -EACCES;
	if ((st.mode & S_IFMT) == S_IFCHR && st.rdev == DEV_ZERO && lx_fd_proc(fd) < 0) {
		*kind = shared ? LX_AREA_SHARED : LX_AREA_ANON;
		return 0;
	}
	if ((st.mode & S_IFMT) != S_IFREG || lx_fd_proc(fd) >= 0)
		return -ENODEV;
	if (shared && (prot & PROT_WRITE))
		return -ENODEV; /* a writable shared file mapping: not served */
	*kind = shared ? LX_AREA_FILE_RO : LX_AREA_FILE;
	return 0;
}

long lx_mmap_file(lm_u64 at, lm_u64 len, lm_u32 prot, lm_u32 kind, long fd, lm_u64 off)
{
	struct lx_stat st;
	lm_u64 avail, nfile;
	long r;

	if ((r = lx_fd_stat(fd, &st)))
		return r;
	avail = (lm_u64)st.size > off ? (lm_u64)st.size - off : 0;
	nfile = LX_PAGE_UP(avail) < len ? LX_PAGE_UP(avail) : len;
	if (nfile && lx_mm_add_kind(at, at + nfile, prot, kind))
		return -ENOMEM;
	if (nfile < len && lx_mm_add_kind(at + nfile, at + len, prot, LX_AREA_BUS)) {
		lx_unmap(at, at + nfile);
		return -ENOMEM;
	}
	if (nfile) {
		lm_u64 n = avail < nfile ? avail : nfile;

		r = lx_mm_populate(at, at + nfile); /* writable, to be filled */
		if (!r && (r = lx_fd_io(fd, (void *)at, n, (long)off, 0)) >= 0)
			r = lx_mm_protect(at, at + nfile, prot);
		if (r < 0) {
			lx_unmap(at, at + len);
			return r;
		}
	}
	return (long)at;
}
