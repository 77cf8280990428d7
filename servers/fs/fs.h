/*
 * The file server's internals: an in-memory tree of inodes (inode.c), path
 * resolution (path.c), open file descriptions (handle.c), the request
 * handlers (serve.c, serve_path.c), the boot image (image.c) and a heap
 * (heap.c). One thread serves one request at a time, so nothing here
 * needs a lock.
 */
#ifndef FS_H
#define FS_H

#include <lm/lamina.h>
#include "fs_proto.h"

/* Linux's numbers: the server answers Linux processes. */
#define ENOENT 2
#define EIO 5
#define EBADF 9
#define EACCES 13
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define ENOMEM 12
#define EPERM 1
#define EAGAIN 11
#define EPIPE 32
#define ENXIO 6
#define EDEADLK 35
#define ENOLCK 37

#define S_IFMT   0170000
#define S_IFDIR  0040000
#define S_IFREG  0100000
#define S_IFLNK  0120000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)

#define O_ACCMODE 3
#define O_RDONLY  0
#define O_WRONLY  1
#define O_RDWR    2
#define O_CREAT   0100
#define O_EXCL    0200
#define O_NOCTTY  0400
#define O_TRUNC   01000
#define O_APPEND  02000
#define O_NONBLOCK 04000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_CLOEXEC   02000000
#define O_DIRECT    040000
#define O_PATH      010000000

#define NAME_MAX 255
#define FS_MAX_FILE (64ull << 20)

struct fs_req;

/* ---- heap.c ---- */
void fs_heap_init(void);
void *fs_alloc(lm_u64 n);   /* zeroed; 0 when the arena is spent */
void fs_free(void *p);
lm_u64 fs_alloc_size(const void *p);

/* ---- inode.c ---- */
struct dent {
	struct inode *ino;
	char *name;
};

struct inode {
	lm_u32 mode;      /* S_IF* | permissions; 0 = free */
	lm_u32 nlink;
	lm_u32 opens;     /* handles naming it: freed when both are 0 */
	lm_u32 rdev;
	lm_u64 size;
	char *data;       /* file bytes or link target; heap, or the image's if !owned */
	int owned;
	struct dent *ents; /* a directory's entries (heap), nents used */
	lm_u32 nents, cap;
	struct inode *parent; /* a directory's ".." */
	struct pipe *pipe;    /* a pipe's (S_IFIFO): heap */
	char *gone;           /* nlink 0, still open: the path its last name had (heap, or 0) */
	lm_u64 atime, mtime, ctime;
};

extern struct inode *fs_root;
extern lm_u64 fs_now;
struct inode *ino_new(lm_u32 mode);
lm_u64 ino_number(const struct inode *i);
void ino_put(struct inode *i);          /* forget it if no link nor handle names it */
struct inode *dir_lookup(struct inode *d, const char *name, lm_u64 len);
int dir_add(struct inode *d, const char *name, struct inode *i);
int dir_remove(struct inode *d, const char *name);
int file_resize(struct inode *i, lm_u64 size);
int file_write(struct inode *i, lm_u64 pos, const void *src, lm_u64 n);
int ino_path(const struct inode *d, char *out, lm_u64 max);
int ino_named_path(const struct inode *i, char *out, lm_u64 max); /* FS_PATH_NAMED */

/* ---- path.c ---- */
#define W_FOLLOW 1 /* follow a symbolic link in the last component */
#define W_PARENT 2 /* stop at the last component's directory */
struct walk {
	struct inode *dir;   /* the last component's directory */
	struct inode *ino;   /* what the path names, or 0 (W_PARENT only) */
	char name[NAME_MAX + 1];
	int slash;           /* the path ended in '/' */
};
int fs_walk(struct inode *start, const char *path, int flags, struct walk *w);

/* ---- handle.c ---- */
/* Badge b (1..FS_CLIENTS) is bit b-1 of a badge set. */
#define BADGE_BIT(b) (1ull << ((b) - 1))
struct handle {
	struct inode *ino;   /* 0: free */
	lm_u64 holders;      /* the badges holding it: never 0 while in use */
	lm_u64 off;
	lm_u32 flags;        /* O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH */
};
#define FS_HANDLES 1024
lm_u64 h_new(struct inode *i, lm_u64 badge, lm_u32 flags);
lm_u32 h_free_count(lm_u32 want);  /* free handles, counting up to want */
struct handle *h_get(lm_u64 h, lm_u64 badge);
void h_release(lm_u64 h, lm_u64 badge);   /* badge no longer holds h */
void h_release_all(lm_u64 badge);
lm_u32 h_held_by(lm_u64 badge);           /* how many handles badge holds */
lm_u64 h_holders(lm_u64 h);               /* the badges holding h */
void h_fork(lm_u64 parent, lm_u64 child);

/* ---- pipe.c ---- */
/* A pipe: a ring of bytes, grown by doubling up to FS_PIPE_SIZE as it
 * fills, so that an idle pipe costs little of the heap. An anonymous
 * pipe (FS_PIPE) has exactly one read handle and one write handle; a
 * named one (a FIFO inode made by FS_MKNOD) gets a handle per open, and
 * its struct at the first open. */
struct pipe {
	char *buf;            /* heap; 0 until the first write */
	lm_u32 cap;           /* bytes buf holds */
	lm_u32 head, len;     /* the oldest byte's index, bytes in it */
	lm_u32 readers, writers; /* open handles that read / write (O_RDWR: both) */
	lm_u64 ropens, wopens;   /* opens ever of each end: "a peer came" (fifo_wait, POLLHUP) */
	lm_u64 rwait, wwait;  /* badges waiting to read / to write (or for the other end to open) */
	int named;            /* a FIFO inode's: its data goes when the last handle does */
};
/* A pipe handle's `off` holds the peer's opens counter when it opened
 * with no peer (Linux's f_version), else FIFO_PEER_SEEN: a reader sees
 * POLLHUP only once a writer came after it, and an open waits until one
 * comes. */
#define FIFO_PEER_SEEN (~0ull)
long pipe_make(lm_u64 badge, lm_u32 flags, lm_u64 *wh);
long pipe_read(struct handle *h, lm_u64 badge, char *out, lm_u64 n, lm_u64 *r1);
long pipe_write(struct handle *h, lm_u64 badge, const char *src, lm_u64 n, int atomic,
		lm_u64 *r1);
long pipe_poll(struct handle *h, lm_u64 badge, lm_u64 events, lm_u64 *r1);
void pipe_end_closed(struct inode *i, lm_u32 flags);   /* a handle of it went */
void pipe_forget(struct inode *i, lm_u32 flags, lm_u64 badge); /* badge left that end */
long pipe_would_block(const struct handle *h, lm_u64 *waiters, lm_u64 badge, lm_u64 *r1);
void pipe_wake(lm_u64 *waiters);            /* signal and empty a waiter set */
long fifo_open(struct inode *i, lm_u64 badge, lm_u32 flags, int *wait);
long fifo_wait(struct handle *h, lm_u64 badge, lm_u64 *r1);

/* ---- lock.c ---- */
long lock_request(struct fs_req *q, struct handle *h, lm_u64 hnum);
void lock_not_waiting(lm_u64 badge);
void lock_handle_gone(lm_u64 hnum);
void lock_badge_gone(lm_u64 badge);

/* ---- client.c ---- */
void fs_clients_init(void);
const lm_u64 *fs_msg_words(void);  /* message words 4.. just received, or 0 */
void fs_discard_cap(void);          /* delete a capability a request brought */
long fs_serve_client(struct fs_req *q, lm_u64 ncaps);   /* HELLO, FORK, DROP */
void fs_wake(lm_u64 badges);        /* signal the wake caps of these badges */

/* ---- image.c ---- */
int fs_image_load(const void *img, lm_u64 size);
void fs_devices(void);

/* ---- serve.c ---- */
struct fs_req {
	lm_u64 badge, label, w[4];
	struct fs_buf *buf;  /* 0 for FS_BADGE_PM, which has no page */
	lm_u64 tail[FS_TAIL / 8]; /* WRITE: message words 4.. */
	lm_u64 ntail;        /* bytes of tail the message carried */
	lm_u64 r1;           /* the reply's w1 */
};
long fs_serve(struct fs_req *q);
long fs_serve_path(struct fs_req *q);

#endif
