/*
 * Advisory file locks (docs/LINUX.md "File locks"): flock(2), and
 * fcntl(2)'s F_GETLK/F_SETLK/F_SETLKW and their open-file-description
 * forms F_OFD_*. The file server keeps the locks (servers/fs/lock.c):
 * here the byte range is made absolute (SEEK_CUR from the description's
 * offset, SEEK_END from the file's size), the access mode checked, and a
 * wait is the server's "would block" loop (a signal ends it: EINTR, or
 * restarted with SA_RESTART). The terminal and /proc have nothing another
 * process could lock: locking them succeeds and holds nothing.
 *
 * A POSIX lock belongs to the process and goes when it closes any
 * descriptor of the file: once this process has taken one, every close of
 * a server file tells the server (lx_lock_close).
 */
#include "lx.h"

#define F_GETLK      5
#define F_SETLK      6
#define F_SETLKW     7
#define F_OFD_GETLK  36
#define F_OFD_SETLK  37
#define F_OFD_SETLKW 38
#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
#define OFFSET_MAX 0x7fffffffffffffffl

struct lx_flock {
	short l_type, l_whence;
	long l_start, l_len;
	int l_pid;
};
LM_STATIC_ASSERT(sizeof(struct lx_flock) == 32, "Linux x86-64 struct flock");

static int posix_locks; /* this process took a POSIX lock: closes drop them */

/* The request's last word: the locker's pid, what F_GETLK tells others. */
static lm_u64 with_pid(lm_u64 op)
{
	return op | (lm_u64)(lm_u32)lx_pid << 32;
}

LX_SYS(flock)
{
	lm_u64 op = a[1] & ~(lm_u64)LOCK_NB, h, type;
	lm_u32 acc;
	long r = lx_fd_lockable((long)a[0], &h, &acc);

	if (r < 0)
		return r;
	if ((a[1] & ~(lm_u64)(LOCK_SH | LOCK_EX | LOCK_NB | LOCK_UN)) ||
	    (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN))
		return -EINVAL;
	if (!r)
		return 0;
	type = op == LOCK_SH ? FS_F_RDLCK : op == LOCK_EX ? FS_F_WRLCK : FS_F_UNLCK;
	op = FS_LK_FLOCK | type | (a[1] & LOCK_NB ? 0 : FS_LK_WAIT);
	return lx_fs_call_wait(FS_LOCK, h, with_pid(op), 0, FS_LK_EOF, 0, 0, 0);
}

/* The struct flock's range as bytes [*s, *e) of fd (e FS_LK_EOF: to the
 * end, whatever it becomes), as Linux computes it. */
static long range(long fd, lm_u64 h, const struct lx_flock *fl, lm_u64 *s, lm_u64 *e)
{
	long base = 0, start, end;

	if (fl->l_whence == SEEK_CUR) {
		base = lx_fs_call(FS_SEEK, h, 0, SEEK_CUR, 0, 0);
		if (base < 0)
			base = 0; /* a pipe: no offset */
	} else if (fl->l_whence == SEEK_END) {
		struct lx_stat st;

		if (lx_fd_stat(fd, &st))
			return -EBADF;
		base = st.size;
	} else if (fl->l_whence != SEEK_SET) {
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, fl->l_start, &start) || start < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (__builtin_add_overflow(start, fl->l_len - 1, &end))
			return -EOVERFLOW;
		*s = (lm_u64)start;
		*e = (lm_u64)end + 1;
	} else if (fl->l_len < 0) {
		if (start + fl->l_len < 0)
			return -EINVAL;
		*s = (lm_u64)(start + fl->l_len);
		*e = (lm_u64)start;
	} else {
		*s = (lm_u64)start;
		*e = FS_LK_EOF;
	}
	return 0;
}

/* fcntl's lock commands (fd.c passes them here). */
long lx_fcntl_lock(long fd, lm_u64 cmd, lm_u64 uarg)
{
	int ofd = cmd >= F_OFD_GETLK, get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	struct lx_flock fl;
	lm_u64 h, s, e, op;
	lm_u32 acc;
	long r = lx_fd_lockable(fd, &h, &acc);

	if (r < 0)
		return r;
	if (lx_copy_in(&fl, uarg, sizeof fl))
		return -EFAULT;
	if (fl.l_type != FS_F_RDLCK && fl.l_type != FS_F_WRLCK && fl.l_type != FS_F_UNLCK)
		return -EINVAL;
	if (ofd && fl.l_pid)
		return -EINVAL;
	if (!r) { /* nothing to lock: nothing in the way either */
		if (get) {
			fl.l_type = FS_F_UNLCK;
			return lx_copy_out(uarg, &fl, sizeof fl) ? -EFAULT : 0;
		}
		return 0;
	}
	r = range(fd, h, &fl, &s, &e);
	if (r)
		return r;
	op = (ofd ? FS_LK_OFD : FS_LK_POSIX) | (lm_u64)fl.l_type;
	if (get) {
		if (fl.l_type == FS_F_UNLCK)
			return -EINVAL;
		r = lx_fs_call(FS_LOCK, h, with_pid(op | FS_LK_GET), s, e, 0);
		if (r < 0)
			return r;
		fl.l_type = (short)r;
		if (r != FS_F_UNLCK) {
			const struct fs_lockinfo *c = (const struct fs_lockinfo *)lx_fsb->data;

			fl.l_whence = SEEK_SET;
			fl.l_start = (long)c->start;
			fl.l_len = c->end == FS_LK_EOF ? 0 : (long)(c->end - c->start);
			fl.l_pid = (int)c->pid;
		}
		return lx_copy_out(uarg, &fl, sizeof fl) ? -EFAULT : 0;
	}
	if ((fl.l_type == FS_F_RDLCK && (acc & O_ACCMODE) == O_WRONLY) ||
	    (fl.l_type == FS_F_WRLCK && (acc & O_ACCMODE) == O_RDONLY))
		return -EBADF;
	if (cmd == F_SETLKW || cmd == F_OFD_SETLKW)
		op |= FS_LK_WAIT;
	r = lx_fs_call_wait(FS_LOCK, h, with_pid(op), s, e, 0, 0, 0);
	if (!r && !ofd && fl.l_type != FS_F_UNLCK)
		posix_locks = 1;
	return r;
}

/* A descriptor of the server's handle h is being closed: this process's
 * POSIX locks on its file go (fcntl(2): "closing any file descriptor"). */
void lx_lock_close(lm_u64 h)
{
	if (posix_locks)
		lx_fs_call(FS_LOCK, h, FS_LK_POSIX | FS_F_UNLCK | FS_LK_CLOSE, 0, FS_LK_EOF, 0);
}
