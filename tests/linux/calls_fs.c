/* Files: openat and its flags, read/write/pread/pwrite/lseek on files,
 * getdents64, stat/fstat/newfstatat/statx, mkdirat, unlinkat, renameat2,
 * linkat, symlinkat, readlinkat, faccessat, fchmodat, utimensat,
 * truncate, getcwd/chdir/fchdir, dup sharing offsets, fcntl's flags,
 * /dev/null, /dev/zero, /dev/urandom. Everything happens under D (made
 * afresh, removed at the end); on the host too. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include "calls.h"

#define DT_DIR 4
#define STATX_BASIC_STATS 0x7ff
/* struct statx as Linux lays it out (this musl has no declaration) */
struct statx_ts { int64_t tv_sec; uint32_t tv_nsec; int32_t pad; };
struct statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, pad0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

#define D "/tmp/calls-fs"

static const char *const names[] = { D "/sub/deep", D "/sub", D "/f", D "/g", D "/h",
				     D "/ln", D "/loop1", D "/loop2", D "/dangle", D "/new",
				     D "/x", D "/e", D "/dir2", D "/t", D "/lnk2", 0 };

static void clean(void)
{
	for (int i = 0; names[i]; i++) {
		syscall(SYS_unlinkat, AT_FDCWD, names[i], 0);
		syscall(SYS_unlinkat, AT_FDCWD, names[i], AT_REMOVEDIR);
	}
	syscall(SYS_unlinkat, AT_FDCWD, D, AT_REMOVEDIR);
}

static void files(void)
{
	char buf[64];
	struct iovec iov[2] = { { "hel", 3 }, { "lo", 2 } };
	int fd, fd2;

	FAILS(syscall(SYS_openat, AT_FDCWD, D "/f", O_RDONLY), ENOENT);
	fd = syscall(SYS_openat, AT_FDCWD, D "/f", O_CREAT | O_RDWR | O_EXCL, 0644);
	CHECK(fd >= 3);
	FAILS(syscall(SYS_openat, AT_FDCWD, D "/f", O_CREAT | O_RDWR | O_EXCL, 0644), EEXIST);
	CHECK(syscall(SYS_writev, fd, iov, 2) == 5);
	CHECK(syscall(SYS_write, fd, " world", 6) == 6);
	CHECK(syscall(SYS_lseek, fd, 0, SEEK_CUR) == 11);
	CHECK(syscall(SYS_lseek, fd, 0, SEEK_END) == 11);
	CHECK(syscall(SYS_lseek, fd, -5L, SEEK_END) == 6);
	FAILS(syscall(SYS_lseek, fd, -20L, SEEK_CUR), EINVAL);
	FAILS(syscall(SYS_lseek, fd, 0, 7), EINVAL);
	CHECK(syscall(SYS_read, fd, buf, sizeof buf) == 5 && !memcmp(buf, "world", 5));
	CHECK(syscall(SYS_read, fd, buf, sizeof buf) == 0);
	CHECK(syscall(SYS_pread64, fd, buf, 4, 1) == 4 && !memcmp(buf, "ello", 4));
	CHECK(syscall(SYS_pwrite64, fd, "J", 1, 0) == 1);
	CHECK(syscall(SYS_lseek, fd, 0, SEEK_CUR) == 11); /* p* leave the offset */
	FAILS(syscall(SYS_pread64, fd, buf, 4, -1L), EINVAL);
	CHECK(syscall(SYS_lseek, fd, 0, SEEK_SET) == 0);
	FAILS(syscall(SYS_read, fd, BAD, 4), EFAULT);
	CHECK(syscall(SYS_lseek, fd, 11, SEEK_SET) == 11);
	/* a hole reads as zeros */
	CHECK(syscall(SYS_pwrite64, fd, "!", 1, 20) == 1);
	CHECK(syscall(SYS_pread64, fd, buf, 10, 11) == 10 && buf[0] == 0 && buf[8] == 0 && buf[9] == '!');
	/* dup shares the offset and the status flags, not FD_CLOEXEC */
	fd2 = syscall(SYS_dup, fd);
	CHECK(syscall(SYS_lseek, fd, 2, SEEK_SET) == 2);
	CHECK(syscall(SYS_lseek, fd2, 0, SEEK_CUR) == 2);
	CHECK(syscall(SYS_fcntl, fd, F_SETFL, O_APPEND) == 0);
	CHECK((syscall(SYS_fcntl, fd2, F_GETFL) & (O_APPEND | O_ACCMODE)) == (O_APPEND | O_RDWR));
	CHECK(syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC) == 0);
	CHECK(syscall(SYS_fcntl, fd2, F_GETFD) == 0);
	CHECK(syscall(SYS_write, fd2, "$", 1) == 1);      /* O_APPEND: at the end */
	CHECK(syscall(SYS_lseek, fd, 0, SEEK_CUR) == 22);
	CHECK(syscall(SYS_close, fd2) == 0);
	CHECK(syscall(SYS_ftruncate, fd, 3) == 0);
	CHECK(syscall(SYS_pread64, fd, buf, 10, 0) == 3 && !memcmp(buf, "Jel", 3));
	FAILS(syscall(SYS_ftruncate, fd, -1L), EINVAL);
	CHECK(syscall(SYS_close, fd) == 0);
	/* O_TRUNC, O_WRONLY, O_RDONLY */
	fd = syscall(SYS_openat, AT_FDCWD, D "/f", O_WRONLY | O_TRUNC | O_CLOEXEC);
	CHECK(fd >= 0 && syscall(SYS_fcntl, fd, F_GETFD) == FD_CLOEXEC);
	FAILS(syscall(SYS_read, fd, buf, 1), EBADF);
	CHECK(syscall(SYS_write, fd, "abc\n", 4) == 4);
	syscall(SYS_close, fd);
	fd = syscall(SYS_openat, AT_FDCWD, D "/f", O_RDONLY | O_NONBLOCK);
	CHECK(fd >= 0 && (syscall(SYS_fcntl, fd, F_GETFL) & O_NONBLOCK));
	FAILS(syscall(SYS_write, fd, "x", 1), EBADF);
	FAILS(syscall(SYS_ftruncate, fd, 0), EINVAL);
	CHECK(syscall(SYS_read, fd, buf, 64) == 4 && !memcmp(buf, "abc\n", 4));
	syscall(SYS_close, fd);
	FAILS(syscall(SYS_openat, AT_FDCWD, D "/f/", O_RDONLY), ENOTDIR);
	FAILS(syscall(SYS_openat, AT_FDCWD, D "/f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	FAILS(syscall(SYS_openat, AT_FDCWD, D, O_WRONLY), EISDIR);
	FAILS(syscall(SYS_openat, AT_FDCWD, D "/f/x", O_RDONLY), ENOTDIR);
	FAILS(syscall(SYS_openat, AT_FDCWD, "", O_RDONLY), ENOENT);
	FAILS(syscall(SYS_openat, AT_FDCWD, BAD, O_RDONLY), EFAULT);
	FAILS(syscall(SYS_openat, 99, "f", O_RDONLY), EBADF);
	FAILS(syscall(SYS_openat, AT_FDCWD, D "/new/", O_CREAT | O_RDWR, 0644), EISDIR);
	FAILS(syscall(SYS_truncate, D, 0), EISDIR);
	CHECK(syscall(SYS_truncate, D "/f", 2) == 0);
}

static void dirs(void)
{
	char buf[1024], cwd[256];
	int dfd, fd, n, seen = 0;
	struct stat st;

	CHECK(syscall(SYS_mkdirat, AT_FDCWD, D "/sub", 0755) == 0);
	FAILS(syscall(SYS_mkdirat, AT_FDCWD, D "/sub", 0755), EEXIST);
	FAILS(syscall(SYS_mkdirat, AT_FDCWD, D "/no/sub", 0755), ENOENT);
	FAILS(syscall(SYS_mkdirat, AT_FDCWD, D "/f/sub", 0755), ENOTDIR);
	dfd = syscall(SYS_openat, AT_FDCWD, D "/sub", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK(syscall(SYS_mkdirat, dfd, "deep", 0700) == 0);
	CHECK(syscall(SYS_newfstatat, dfd, "deep", &st, 0) == 0 && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 07777) == 0700 && st.st_nlink == 2);
	CHECK(syscall(SYS_newfstatat, AT_FDCWD, D "/sub", &st, 0) == 0 && st.st_nlink == 3);
	fd = syscall(SYS_openat, dfd, "../f", O_RDONLY);
	CHECK(fd >= 0);
	FAILS(syscall(SYS_openat, fd, "x", O_RDONLY), ENOTDIR);
	FAILS(syscall(SYS_getdents64, fd, buf, sizeof buf), ENOTDIR);
	syscall(SYS_close, fd);
	FAILS(syscall(SYS_unlinkat, AT_FDCWD, D "/sub", AT_REMOVEDIR), ENOTEMPTY);
	FAILS(syscall(SYS_unlinkat, AT_FDCWD, D "/sub", 0), EISDIR);
	FAILS(syscall(SYS_unlinkat, AT_FDCWD, D "/f", AT_REMOVEDIR), ENOTDIR);
	FAILS(syscall(SYS_unlinkat, AT_FDCWD, D "/f", 0x1), EINVAL);
	FAILS(syscall(SYS_unlinkat, AT_FDCWD, D "/nothing", 0), ENOENT);
	/* getdents64: ".", "..", "deep" */
	fd = syscall(SYS_openat, AT_FDCWD, D "/sub", O_RDONLY | O_DIRECTORY);
	FAILS(syscall(SYS_getdents64, fd, buf, 8), EINVAL);
	FAILS(syscall(SYS_getdents64, fd, BAD, sizeof buf), EFAULT);
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
		for (int off = 0; off < n;) {
			struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *e = (void *)(buf + off);
			seen |= !strcmp(e->name, ".") ? 1 : !strcmp(e->name, "..") ? 2 :
				!strcmp(e->name, "deep") && e->type == DT_DIR ? 4 : 8;
			off += e->reclen;
		}
	CHECK(n == 0 && seen == 7);
	CHECK(syscall(SYS_lseek, fd, 0, SEEK_SET) == 0);
	CHECK(syscall(SYS_getdents64, fd, buf, sizeof buf) > 0);
	/* EISDIR (EINVAL on some host file systems, overlayfs) */
	CHECK(syscall(SYS_read, fd, buf, 1) == -1 && (errno == EISDIR || errno == EINVAL));
	syscall(SYS_close, fd);
	FAILS(syscall(SYS_getdents64, 99, buf, sizeof buf), EBADF);
	/* the working directory */
	CHECK(syscall(SYS_chdir, D "/sub/deep") == 0);
	CHECK(syscall(SYS_getcwd, cwd, sizeof cwd) == (long)sizeof(D "/sub/deep"));
	CHECK(!strcmp(cwd, D "/sub/deep"));
	FAILS(syscall(SYS_getcwd, cwd, 4), ERANGE);
	CHECK(syscall(SYS_chdir, "..") == 0 && syscall(SYS_getcwd, cwd, sizeof cwd) > 0 &&
	      !strcmp(cwd, D "/sub"));
	CHECK(syscall(SYS_newfstatat, AT_FDCWD, "deep", &st, 0) == 0);
	FAILS(syscall(SYS_chdir, D "/f"), ENOTDIR);
	FAILS(syscall(SYS_chdir, D "/none"), ENOENT);
	CHECK(syscall(SYS_fchdir, dfd) == 0 && syscall(SYS_getcwd, cwd, sizeof cwd) > 0 &&
	      !strcmp(cwd, D "/sub"));
	FAILS(syscall(SYS_fchdir, 99), EBADF);
	CHECK(syscall(SYS_chdir, "/") == 0);
	syscall(SYS_close, dfd);
	CHECK(syscall(SYS_unlinkat, AT_FDCWD, D "/sub/deep", AT_REMOVEDIR) == 0);
}

static void links(void)
{
	char buf[64];
	struct stat st;
	int fd;

	CHECK(syscall(SYS_linkat, AT_FDCWD, D "/f", AT_FDCWD, D "/g", 0) == 0);
	CHECK(syscall(SYS_newfstatat, AT_FDCWD, D "/g", &st, 0) == 0 && st.st_nlink == 2 &&
	      st.st_size == 2);
	FAILS(syscall(SYS_linkat, AT_FDCWD, D "/f", AT_FDCWD, D "/g", 0), EEXIST);
	FAILS(syscall(SYS_linkat, AT_FDCWD, D "/sub", AT_FDCWD, D "/h", 0), EPERM);
	FAILS(syscall(SYS_linkat, AT_FDCWD, D "/f", AT_FDCWD, D "/h", 0x8), EINVAL);
	CHECK(syscall(SYS_symlinkat, "f", AT_FDCWD, D "/ln") == 0);
	FAILS(syscall(SYS_symlinkat, "f", AT_FDCWD, D "/ln"), EEXIST);
	FAILS(syscall(SYS_symlinkat, "", AT_FDCWD, D "/e"), ENOENT);
	CHECK(syscall(SYS_readlinkat, AT_FDCWD, D "/ln", buf, sizeof buf) == 1 && buf[0] == 'f');
	CHECK(syscall(SYS_readlinkat, AT_FDCWD, D "/ln", buf, 0) == -1 && errno == EINVAL);
	FAILS(syscall(SYS_readlinkat, AT_FDCWD, D "/f", buf, sizeof buf), EINVAL);
	CHECK(syscall(SYS_newfstatat, AT_FDCWD, D "/ln", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	      S_ISLNK(st.st_mode) && st.st_size == 1);
	CHECK(syscall(SYS_newfstatat, AT_FDCWD, D "/ln", &st, 0) == 0 && S_ISREG(st.st_mode));
	FAILS(syscall(SYS_openat, AT_FDCWD, D "/ln", O_RDONLY | O_NOFOLLOW), ELOOP);
	fd = syscall(SYS_openat, AT_FDCWD, D "/ln", O_RDONLY);
	CHECK(fd >= 0 && syscall(SYS_read, fd, buf, 64) == 2);
	syscall(SYS_close, fd);
	CHECK(syscall(SYS_symlinkat, "loop2", AT_FDCWD, D "/loop1") == 0);
	CHECK(syscall(SYS_symlinkat, "loop1", AT_FDCWD, D "/loop2") == 0);
	FAILS(syscall(SYS_openat, AT_FDCWD, D "/loop1", O_RDONLY), ELOOP);
	FAILS(syscall(SYS_newfstatat, AT_FDCWD, D "/loop1/x", &st, 0), ELOOP);
	CHECK(syscall(SYS_symlinkat, "nowhere", AT_FDCWD, D "/dangle") == 0);
	FAILS(syscall(SYS_openat, AT_FDCWD, D "/dangle", O_RDONLY), ENOENT);
	/* O_CREAT through a dangling link makes its target */
	fd = syscall(SYS_openat, AT_FDCWD, D "/dangle", O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	syscall(SYS_close, fd);
	CHECK(syscall(SYS_unlinkat, AT_FDCWD, D "/nowhere", 0) == 0);
	FAILS(syscall(SYS_openat, AT_FDCWD, D "/dangle", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	/* an unlinked file lives while it is open */
	fd = syscall(SYS_openat, AT_FDCWD, D "/g", O_RDONLY);
	CHECK(syscall(SYS_unlinkat, AT_FDCWD, D "/g", 0) == 0);
	CHECK(syscall(SYS_unlinkat, AT_FDCWD, D "/f", 0) == 0);
	CHECK(syscall(SYS_read, fd, buf, 64) == 2);
	CHECK(syscall(SYS_fstat, fd, &st) == 0 && st.st_nlink == 0);
	syscall(SYS_close, fd);
	fd = syscall(SYS_openat, AT_FDCWD, D "/f", O_CREAT | O_WRONLY, 0644);
	syscall(SYS_write, fd, "data", 4);
	syscall(SYS_close, fd);
	/* long names and paths */
	memset(buf, 'n', 63);
	buf[63] = 0;
	CHECK(syscall(SYS_faccessat, AT_FDCWD, D, F_OK) == 0);
	{
		static char big[300], huge[5000];
		memset(big, 'a', 299);
		memset(huge, 'a', 4999);
		FAILS(syscall(SYS_openat, AT_FDCWD, big, O_RDONLY), ENAMETOOLONG);
		FAILS(syscall(SYS_openat, AT_FDCWD, huge, O_RDONLY), ENAMETOOLONG);
	}
}

static void renames(void)
{
	struct stat st;

	CHECK(syscall(SYS_renameat, AT_FDCWD, D "/f", AT_FDCWD, D "/x") == 0);
	FAILS(syscall(SYS_newfstatat, AT_FDCWD, D "/f", &st, 0), ENOENT);
	CHECK(syscall(SYS_newfstatat, AT_FDCWD, D "/x", &st, 0) == 0 && st.st_size == 4);
	FAILS(syscall(SYS_renameat, AT_FDCWD, D "/f", AT_FDCWD, D "/y"), ENOENT);
	CHECK(syscall(SYS_openat, AT_FDCWD, D "/t", O_CREAT | O_WRONLY, 0600) >= 0);
	FAILS(syscall(SYS_renameat2, AT_FDCWD, D "/x", AT_FDCWD, D "/t", RENAME_NOREPLACE), EEXIST);
	CHECK(syscall(SYS_renameat2, AT_FDCWD, D "/x", AT_FDCWD, D "/t", 0) == 0);
	CHECK(syscall(SYS_newfstatat, AT_FDCWD, D "/t", &st, 0) == 0 && st.st_size == 4);
	FAILS(syscall(SYS_renameat2, AT_FDCWD, D "/t", AT_FDCWD, D "/x", 0x40), EINVAL);
	FAILS(syscall(SYS_renameat, AT_FDCWD, D "/sub", AT_FDCWD, D "/sub/in"), EINVAL);
	FAILS(syscall(SYS_renameat, AT_FDCWD, D "/sub", AT_FDCWD, D "/t"), ENOTDIR);
	FAILS(syscall(SYS_renameat, AT_FDCWD, D "/t", AT_FDCWD, D "/sub"), EISDIR);
	CHECK(syscall(SYS_renameat, AT_FDCWD, D "/sub", AT_FDCWD, D "/dir2") == 0);
	CHECK(syscall(SYS_newfstatat, AT_FDCWD, D "/dir2", &st, 0) == 0 && S_ISDIR(st.st_mode));
}

static void attrs(void)
{
	struct stat st;
	struct timespec ts[2] = { { 1000, 5 }, { 2000, 7 } };
	struct statx sx;
	int fd;

	CHECK(syscall(SYS_fchmodat, AT_FDCWD, D "/t", 0640, 0) == 0);
	CHECK(syscall(SYS_newfstatat, AT_FDCWD, D "/t", &st, 0) == 0 && (st.st_mode & 07777) == 0640);
	FAILS(syscall(SYS_fchmodat, AT_FDCWD, D "/none", 0640, 0), ENOENT);
	fd = syscall(SYS_openat, AT_FDCWD, D "/t", O_RDONLY);
	CHECK(syscall(SYS_fchmod, fd, 0600) == 0);
	CHECK(syscall(SYS_fstat, fd, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_size == 4);
	FAILS(syscall(SYS_fchmod, 99, 0600), EBADF);
	CHECK(syscall(SYS_utimensat, AT_FDCWD, D "/t", ts, 0) == 0);
	CHECK(syscall(SYS_fstat, fd, &st) == 0 && st.st_atim.tv_sec == 1000 &&
	      st.st_atim.tv_nsec == 5 && st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 7);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	CHECK(syscall(SYS_utimensat, fd, NULL, ts, 0) == 0);
	CHECK(syscall(SYS_fstat, fd, &st) == 0 && st.st_atim.tv_sec == 1000 && st.st_mtim.tv_sec > 2000);
	ts[0].tv_nsec = 1000000000;
	FAILS(syscall(SYS_utimensat, AT_FDCWD, D "/t", ts, 0), EINVAL);
	FAILS(syscall(SYS_utimensat, AT_FDCWD, D "/t", BAD, 0), EFAULT);
	FAILS(syscall(SYS_utimensat, AT_FDCWD, D "/none", NULL, 0), ENOENT);
	CHECK(syscall(SYS_statx, AT_FDCWD, D "/t", 0, STATX_BASIC_STATS, &sx) == 0 &&
	      sx.stx_size == 4 && S_ISREG(sx.stx_mode) && sx.stx_nlink == 1);
	CHECK(syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0 && sx.stx_size == 4);
	FAILS(syscall(SYS_statx, AT_FDCWD, D "/none", 0, STATX_BASIC_STATS, &sx), ENOENT);
	FAILS(syscall(SYS_statx, AT_FDCWD, D "/t", 0, STATX_BASIC_STATS, BAD), EFAULT);
	CHECK(syscall(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH) == 0 && st.st_size == 4);
	FAILS(syscall(SYS_newfstatat, AT_FDCWD, D "/t", &st, 0x4), EINVAL);
	syscall(SYS_close, fd);
	CHECK(syscall(SYS_faccessat, AT_FDCWD, D "/t", R_OK | W_OK) == 0);
	FAILS(syscall(SYS_faccessat, AT_FDCWD, D "/t", X_OK), EACCES);
	FAILS(syscall(SYS_faccessat, AT_FDCWD, D "/none", F_OK), ENOENT);
	FAILS(syscall(SYS_faccessat, AT_FDCWD, D "/t", 8), EINVAL);
	CHECK(syscall(SYS_faccessat, AT_FDCWD, "/bin/busybox", X_OK) == 0 ||
	      syscall(SYS_faccessat, AT_FDCWD, "/bin/sh", X_OK) == 0);
}

static void devices(void)
{
	char buf[16];
	int fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR);

	CHECK(fd >= 0 && syscall(SYS_read, fd, buf, 16) == 0 && syscall(SYS_write, fd, "x", 1) == 1);
	syscall(SYS_close, fd);
	fd = syscall(SYS_openat, AT_FDCWD, "/dev/zero", O_RDONLY);
	memset(buf, 1, sizeof buf);
	CHECK(fd >= 0 && syscall(SYS_read, fd, buf, 16) == 16 && buf[0] == 0 && buf[15] == 0);
	syscall(SYS_close, fd);
	fd = syscall(SYS_openat, AT_FDCWD, "/dev/urandom", O_RDONLY);
	CHECK(fd >= 0 && syscall(SYS_read, fd, buf, 16) == 16);
	syscall(SYS_close, fd);
}

/* Under Lamina: requests the personality would never send, straight to the
 * file server's endpoint (slot 9) from the program, and a page of garbage;
 * each must get an error and the server must go on serving. */
static long raw_call(long label, long w0, long w1, long w2, long w3, long *r0)
{
	register long rax __asm__("rax") = 0x1000 + 29; /* EP_CALL */
	register long rdi __asm__("rdi") = 9;
	register long rsi __asm__("rsi") = (label << 16) | 4;
	register long rdx __asm__("rdx") = w0;
	register long r10 __asm__("r10") = w1;
	register long r8 __asm__("r8") = w2;
	register long r9 __asm__("r9") = w3;

	__asm__ volatile("syscall" : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			 "+r"(r9) : : "rcx", "r11", "memory");
	*r0 = rdx;
	return rax;
}

static void garbage(void)
{
	struct utsname u;
	char *page = (char *)0x7ef800000000ul;
	long r;
	struct stat st;

	if (uname(&u) || !strstr(u.release, "lamina"))
		return;
	CHECK(raw_call(999, 0, 0, 0, 0, &r) == 0 && r == -ENOSYS);
	CHECK(raw_call(0, 0, 0, 0, 0, &r) == 0 && r == -ENOSYS);
	CHECK(raw_call(4 /* READ */, 12345, 10, 0, 0, &r) == 0 && r == -EBADF);
	CHECK(raw_call(4, -1, -1, -1, -1, &r) == 0 && r == -EBADF);
	CHECK(raw_call(3 /* CLOSE */, 0, 0, 0, 0, &r) == 0 && r == -EBADF);
	memset(page, 'x', 4096);     /* no NUL anywhere: every path too long */
	CHECK(raw_call(2 /* OPEN */, 0, 0, 0, 0, &r) == 0 && r == -ENAMETOOLONG);
	CHECK(raw_call(2, 77777, 0, 0, 0, &r) == 0 && r == -ENAMETOOLONG);
	strcpy(page + 64, "/etc");
	CHECK(raw_call(2, 77777, 0, 0, 0, &r) == 0 && r == 0 - 0 + r && r < 0);
	CHECK(raw_call(2, 0, 0, 0, 0, &r) == 0 && r > 0); /* opened: the server still serves */
	long h = r;
	CHECK(raw_call(4, h, 1u << 20, 0, 0, &r) == 0 && r == -EINVAL);   /* past the page */
	CHECK(raw_call(8 /* GETDENTS */, h, 0, 0, 0, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(6 /* SEEK */, h, 0x7fffffffffffffff, 1, 0, &r) == 0);
	CHECK(raw_call(3, h, 0, 0, 0, &r) == 0 && r == 0);
	CHECK(raw_call(3, h, 0, 0, 0, &r) == 0 && r == -EBADF);
	/* badges and their privileges (fs_proto.h): FORK and DROP are the
	 * process manager's; a client asking is refused before anything
	 * changes, whatever the arguments */
	CHECK(raw_call(24 /* FORK */, 1, 2, 0, 0, &r) == 0 && r == -EPERM);
	CHECK(raw_call(24, 1, 1, 0, 0, &r) == 0 && r == -EPERM);
	CHECK(raw_call(24, -1, 99, 0, 0, &r) == 0 && r == -EPERM);
	CHECK(raw_call(25 /* DROP */, 1, 0, 0, 0, &r) == 0 && r == -EPERM);
	CHECK(raw_call(25, 0x10000, 0, 0, 0, &r) == 0 && r == -EPERM);
	CHECK(raw_call(1 /* HELLO */, 2, 0, 0, 0, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(1, -1, 0, 0, 0, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(22 /* PIPE */, 1, 0, 0, 0, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(22, 02000000 /* O_CLOEXEC: the personality's */, 0, 0, 0, &r) == 0 &&
	      r == -EINVAL);
	CHECK(raw_call(23 /* POLL */, 0, 1, 0, 0, &r) == 0 && r == -EBADF);
	CHECK(raw_call(23, 4096, 1, 0, 0, &r) == 0 && r == -EBADF);
	CHECK(raw_call(29 /* FS_NREQ */, 0, 0, 0, 0, &r) == 0 && r == -ENOSYS);
	CHECK(raw_call(28 /* LOCK */, 12345, 0x200, 0, 1, &r) == 0 && r == -EBADF);
	/* MKNOD: only a regular file or a named pipe, whatever the path */
	CHECK(raw_call(26 /* MKNOD */, 0, 0020600 /* S_IFCHR */, 0, 0, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(26, 0, 0040700 /* S_IFDIR */, 0, 0, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(26, 0, -1, 0, 0, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(26, 0, 0010600, 0, 0, &r) == 0 && r == -EEXIST); /* "/etc" is there */
	CHECK(raw_call(27 /* FIFO_WAIT */, 12345, 0, 0, 0, &r) == 0 && r == -EBADF);
	CHECK(raw_call(2, 0, 0, 0, 0, &r) == 0 && r > 0); /* /etc again */
	h = r;
	CHECK(raw_call(27, h, 0, 0, 0, &r) == 0 && r == -EINVAL);        /* not a named pipe */
	/* LOCK: a kind, a type, known flags, start < end; flock the whole file */
	CHECK(raw_call(28, h, 0, 0, 1, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(28, h, 0x203, 0, 1, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(28, h, 0x8200, 0, 1, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(28, h, 0x200, 5, 5, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(28, h, 0x100, 0, 10, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(28, h, 0x2202 /* GET of UNLCK */, 0, 1, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(28, h, 0x4300 /* CLOSE of OFD */, 0, 1, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(28, h, 0x2201, 0, 1, &r) == 0 && r == 2);        /* GET: nothing there */
	CHECK(raw_call(23, h, 0x10005, 0, 0, &r) == 0 && r == 5); /* a file: always ready */
	CHECK(raw_call(5 /* WRITE */, h, 1, 0, 0, &r) == 0 && r == -EBADF); /* read only */
	CHECK(raw_call(3, h, 0, 0, 0, &r) == 0 && r == 0);
	/* a pipe made by hand: a WRITE past FS_DATA needs its tail in the
	 * message words, which this call does not carry */
	CHECK(raw_call(22, 0, 0, 0, 0, &r) == 0 && r > 0);
	h = r;
	CHECK(raw_call(5, h + 1, 4033, 0, 2, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(5, h + 1, 4097, 0, 0, &r) == 0 && r == -EINVAL);
	CHECK(raw_call(5, h + 1, 10, 0, 4, &r) == 0 && r == -EINVAL);   /* unknown how */
	CHECK(raw_call(5, h + 1, 10, 0, 0, &r) == 0 && r == 10);         /* "/etc\0xxxxx" */
	CHECK(raw_call(4, h, 5000, 0, 0, &r) == 0 && r == -EINVAL);
	memset(page + 64, 'y', 10);
	CHECK(raw_call(4, h, 100, 0, 0, &r) == 0 && r == 10 && !memcmp(page + 64, "/etc\0xxxxx", 10));
	CHECK(raw_call(5, h, 1, 0, 0, &r) == 0 && r == -EBADF);         /* the read end */
	CHECK(raw_call(4, h + 1, 1, 0, 0, &r) == 0 && r == -EBADF);     /* the write end */
	CHECK(raw_call(6, h, 0, 0, 0, &r) == 0 && r == -ESPIPE);
	CHECK(raw_call(3, h, 0, 0, 0, &r) == 0 && r == 0);
	CHECK(raw_call(5, h + 1, 1, 0, 0, &r) == 0 && r == -EPIPE);
	CHECK(raw_call(3, h + 1, 0, 0, 0, &r) == 0 && r == 0);
	CHECK(syscall(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &st, 0) == 0 && st.st_size > 0);
}

void test_fs(void)
{
	clean();
	CHECK(syscall(SYS_mkdirat, AT_FDCWD, D, 0755) == 0);
	files();
	dirs();
	links();
	renames();
	attrs();
	devices();
	garbage();
	clean();
	FAILS(syscall(SYS_newfstatat, AT_FDCWD, D, &(struct stat){ 0 }, 0), ENOENT);
	printf("fs: done\n");
}
