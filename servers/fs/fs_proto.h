/*
 * The file server's protocol (servers/fs), shared with its clients (the
 * Linux personality, linux/fsclient.c). docs/LINUX.md describes it.
 *
 * Every request is an EP_CALL on the server's endpoint through a badged
 * capability: the badge names the client (1..FS_CLIENTS), and with it the
 * client's buffer page, a 4 KiB frame mapped in both (struct fs_buf).
 * label = FS_*, w0..w3 = the arguments below; strings and data travel in
 * the page. The reply's w0 is the result (>= 0) or -errno (Linux's
 * numbers: the server serves Linux processes), w1 a second result.
 *
 * Open file descriptions live in the server, named by handles (1..): the
 * offset and the status flags (O_ACCMODE, O_APPEND, O_NONBLOCK) are
 * there, so that every descriptor (and, after fork, every process) naming
 * one handle shares them. A handle is held by a set of badges: the one
 * that opened it, and those FS_FORK gave it to; the use of a handle by a
 * badge that does not hold it is EBADF. FS_CLOSE drops the caller's
 * membership; the handle goes when no badge holds it. A client holds a
 * handle once however many of its descriptors name it.
 *
 * The process manager's badge FS_BADGE_PM (it has no page) may only send
 * FS_FORK and FS_DROP; a client badge sending those gets EPERM.
 *
 * Nothing blocks in the server: a request that would have to wait (READ
 * of an empty pipe that has writers, WRITE to a full pipe that has
 * readers, the handle without O_NONBLOCK) answers w0 = -EAGAIN, w1 =
 * FS_WOULDBLOCK, and the server signals the client's wake notification
 * (given with FS_HELLO) when that pipe end changes; the client then asks
 * again. With O_NONBLOCK the answer is -EAGAIN, w1 = 0.
 *
 * "dir" arguments are a handle of a directory, or 0 for the root; a path
 * starting with '/' ignores it. FS_AT_EMPTY with an empty path means the
 * handle itself (fstat, fchmod, futimens, fchdir).
 */
#ifndef FS_PROTO_H
#define FS_PROTO_H

#include <lamina/types.h>

#define FS_CLIENTS 64                     /* badges 1..64 (pids), one buffer page each */
#define FS_BADGE_PM 0x10000               /* the process manager's badge: FORK, DROP */
#define FS_BUF_VA  0x7ef800000000ull      /* the page, in a Linux process */
#define FS_PATH    2016                   /* a path with its NUL, at most */
#define FS_DATA    4032                   /* data bytes per READ/WRITE/... */
#define FS_TAIL    64                     /* WRITE: bytes past FS_DATA in message words 4.. */
#define FS_WRITE_MAX (FS_DATA + FS_TAIL)  /* = PIPE_BUF: an atomic pipe write in one request */
#define FS_PIPE_BUF 4096                  /* pipe writes up to this are atomic */
#define FS_PIPE_SIZE 65536                /* a pipe's capacity (Linux's default) */

struct fs_buf {
	lm_u64 now_ns;    /* the client's wall clock: timestamps of changes */
	lm_u64 times[4];  /* UTIMES: atime sec, nsec, mtime sec, nsec */
	lm_u64 rsv[3];
	union {
		char data[FS_DATA];
		struct {
			char path[FS_PATH];
			char path2[FS_PATH];
		};
	};
};
LM_STATIC_ASSERT(sizeof(struct fs_buf) == 4096, "one page");

/* What FS_STAT writes at data. */
struct fs_stat {
	lm_u64 ino, size, nlink, mode, rdev;
	lm_u64 atime, mtime, ctime; /* ns since 1970 */
};

/* Requests: label, then (w0, w1, w2, w3). */
enum {
	FS_HELLO = 1, /* (fresh) + wake cap        -> 0; fresh: forget the badge's handles */
	FS_OPEN,      /* (dir, flags, mode)        path -> handle, w1 = mode (FS_O_EXEC: path2, data) */
	FS_CLOSE,     /* (h)                       -> 0 */
	FS_READ,      /* (h, n, pos, use_pos)      -> n read, bytes at data */
	FS_WRITE,     /* (h, n, pos, how)          bytes at data (+ tail) -> n written */
	FS_SEEK,      /* (h, off, whence)          -> new offset */
	FS_STAT,      /* (dir, flags)              path -> 0, fs_stat at data */
	FS_GETDENTS,  /* (h, n)                    -> bytes of linux_dirent64 at data */
	FS_MKDIR,     /* (dir, mode)               path */
	FS_UNLINK,    /* (dir, flags)              path (AT_REMOVEDIR in flags) */
	FS_RENAME,    /* (dir, dir2, flags)        path -> path2 */
	FS_LINK,      /* (dir, dir2, flags)        path -> path2 */
	FS_SYMLINK,   /* (dir)                     path2 made a link to path */
	FS_READLINK,  /* (dir, n)                  path -> length, target at data */
	FS_CHMOD,     /* (dir, mode, flags)        path */
	FS_UTIMES,    /* (dir, flags)              path, times[] */
	FS_TRUNCATE,  /* (dir, length, flags)      path (FS_AT_EMPTY: dir is an open handle, writable) */
	FS_ACCESS,    /* (dir, mode, flags)        path */
	FS_GETFL,     /* (h)                       -> status flags */
	FS_SETFL,     /* (h, flags)                O_APPEND, O_NONBLOCK */
	FS_GETPATH,   /* (h, named)                -> length, the directory's path at data (below) */
	FS_PIPE,      /* (flags)                   -> read handle, w1 = write handle */
	FS_POLL,      /* (h, events)               -> revents, w1 = bytes readable */
	FS_FORK,      /* (parent, child)           FS_BADGE_PM only: child holds parent's handles */
	FS_DROP,      /* (badge)                   FS_BADGE_PM only: release its handles, wake cap */
	FS_MKNOD,     /* (dir, mode)               path: a regular file or a named pipe (S_IFIFO) */
	FS_FIFO_WAIT, /* (h)                       -> 0 once the other end of a named pipe opened */
	FS_LOCK,      /* (h, op|pid<<32, start, end) advisory locks (below); GET: -> type, fs_lockinfo at data */
	FS_NREQ
};

/* FS_OPEN's flags (w1) beside Linux's O_*: with FS_O_EXEC (an open for
 * execve) a successful open also writes at path2 the absolute path of
 * what it opened, symbolic links followed (the directory's path,
 * FS_GETPATH's, and the last name; a directory's own), or "" when it does
 * not fit FS_PATH or a directory on the way is no longer in the tree; and
 * at data (over path, read already) its struct fs_stat, as FS_STAT of the
 * handle gives: /proc/self/exe and the checks without five more
 * requests. A failed open leaves the page as it was. */
#define FS_O_EXEC 0x40000000u

/* FS_OPEN's answer, w1 bit 30 (beside the mode and rdev): the handle is
 * a named pipe's end opened without O_NONBLOCK while the other end has no
 * handle; open(2) blocks until one opens: the client waits with
 * FS_FIFO_WAIT (which may answer FS_WOULDBLOCK), closing the handle if a
 * signal ends the wait. */
#define FS_OPEN_WAIT (1u << 30)

/* FS_LOCK's op: a kind, a type, flags. Bytes [start, end), end FS_LK_EOF
 * to the end of the file whatever it becomes (flock: all of it). The
 * owner is the handle (FLOCK, OFD) or the calling badge (POSIX). */
#define FS_LK_FLOCK  0x100  /* flock(2)'s space */
#define FS_LK_POSIX  0x200  /* fcntl F_SETLK: owned by the process */
#define FS_LK_OFD    0x300  /* fcntl F_OFD_SETLK: owned by the handle */
#define FS_LK_KIND   0x300
#define FS_LK_TYPE   0x3    /* FS_F_RDLCK, FS_F_WRLCK, FS_F_UNLCK */
#define FS_LK_WAIT   0x1000 /* wait for a conflicting lock to go (FS_WOULDBLOCK; EDEADLK) */
#define FS_LK_GET    0x2000 /* F_GETLK: the first conflicting lock's type (FS_F_UNLCK: none) */
#define FS_LK_CLOSE  0x4000 /* POSIX: the process closed a descriptor of the file: its locks go */
#define FS_LK_EOF    (~0ull)
#define FS_F_RDLCK 0
#define FS_F_WRLCK 1
#define FS_F_UNLCK 2

/* What FS_LOCK with FS_LK_GET writes at data: the conflicting lock. */
struct fs_lockinfo {
	lm_u64 start, end; /* end FS_LK_EOF: to the end */
	lm_u64 pid;        /* the pid its locker gave (POSIX), or (lm_u64)-1 (a handle's) */
};

/* FS_GETPATH's w1: a non-directory's path too, a directory entry naming
 * it (one of its links); unlinked (a directory: removed) while open, the
 * path its last name had and " (deleted)", as Linux's /proc says;
 * -ENOENT if there is none (an anonymous pipe, a path not kept); without
 * it a non-directory is ENOTDIR. */
#define FS_PATH_NAMED 1

/* FS_HELLO's w0 */
#define FS_HELLO_FRESH 1  /* a new process on the badge: drop what it held */

/* FS_WRITE's w3: how. A WRITE of n > FS_DATA bytes (at most FS_WRITE_MAX)
 * carries bytes FS_DATA.. in message words 4.. (the call's length counts
 * them; both sides need an IPC buffer). */
#define FS_W_POS    1     /* at w2, not at the handle's offset (files) */
#define FS_W_ATOMIC 2     /* a pipe: all n bytes at once or none (n <= FS_PIPE_BUF) */

/* w1 of a -EAGAIN answer: the caller should wait for its wake notification */
#define FS_WOULDBLOCK 1

/* FS_POLL events and revents: Linux's values */
#define FS_POLLIN   0x001
#define FS_POLLOUT  0x004
#define FS_POLLERR  0x008
#define FS_POLLHUP  0x010
#define FS_POLLNVAL 0x020
#define FS_POLL_ARM 0x10000 /* register as a waiter: the wake cap is signalled on a change */

/* flags of path requests, Linux's values */
#define FS_AT_NOFOLLOW 0x100
#define FS_AT_REMOVEDIR 0x200
#define FS_AT_FOLLOW   0x400
#define FS_AT_EMPTY    0x1000

#endif
