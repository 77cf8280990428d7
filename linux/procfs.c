/*
 * /proc, served by the personality itself (docs/LINUX.md "/proc"). A path
 * in /proc never reaches the file server: lx_fd_at recognises it
 * (lx_procfs_match) and the calls that read /proc resolve it here, with
 * what the process knows of itself (descriptors, executable, arguments,
 * memory) and what the process manager keeps of the others (PM_LIST,
 * PM_INFO). A file's contents are made whole at its first read (as
 * Linux's seq_file does: a shell opens `< /proc/$$/cmdline` before it
 * execs the reader), into one of PF_MAX buffers (procfs_text.c), and read
 * from there; a directory is listed as it is read (procfs_dir.c).
 *
 * Nodes, below /proc: "" (the directory), self (-> <pid>), the system's
 * files (procfs_text.c's table), <pid>/ with cmdline, comm, stat, statm,
 * status, exe (-> the executable) and fd/ (our own descriptors, N -> what
 * it names; another process's is empty).
 */
#include "procfs.h"

static char cur[PF_PATH];  /* the current path, below /proc ("" = /proc) */
static int cur_long;       /* it did not fit cur: names nothing */
static char cwd[PF_PATH + 6]; /* the working directory when in /proc, or "" */
struct pf lx_pf[PF_MAX];

/* path, with "." and ".." and repeated slashes folded, into out[n] as
 * "/a/b" (out is not path); 0, or -1 if it does not fit. */
static int fold(const char *path, char *out, lm_u64 n)
{
	lm_u64 len = 0;

	for (const char *p = path; *p;) {
		const char *e = p;
		while (*e && *e != '/')
			e++;
		lm_u64 k = (lm_u64)(e - p);
		if (k == 2 && p[0] == '.' && p[1] == '.') {
			while (len && out[--len] != '/')
				;
		} else if (k && !(k == 1 && p[0] == '.')) {
			if (len + 1 + k >= n)
				return -1;
			out[len++] = '/';
			memcpy(out + len, p, k);
			len += k;
		}
		p = *e ? e + 1 : e;
	}
	out[len] = 0;
	return 0;
}

/* Whether a relative path can lead into /proc from a directory outside
 * it: only through "proc" or ".." as its first component ("." aside). */
static int may_reach(const char *p)
{
	for (;;) {
		while (*p == '/')
			p++;
		if (p[0] == '.' && (!p[1] || p[1] == '/'))
			p++;
		else
			break;
	}
	return (!strncmp(p, "proc", 4) && (!p[4] || p[4] == '/')) ||
	       (!strncmp(p, "..", 2) && (!p[2] || p[2] == '/'));
}

/* The path of the directory a relative path starts from, outside /proc:
 * "" for the root; 0 if there is none (the caller reports the error). The
 * page's paths are kept (FS_GETPATH answers in the same page). */
static const char *start_dir(long dirfd)
{
	static char saved[FS_DATA], dir[FS_PATH];
	long h = (int)dirfd == AT_FDCWD ? (long)lx_cwd : lx_fd_handle(dirfd), n;

	if (h <= 0)
		return h == 0 ? "" : 0;
	memcpy(saved, lx_fsb->data, sizeof saved);
	n = lx_fs_call(FS_GETPATH, (lm_u64)h, 0, 0, 0, 0);
	if (n >= 0 && n < (long)sizeof dir)
		memcpy(dir, lx_fsb->data, (lm_u64)n + 1);
	memcpy(lx_fsb->data, saved, sizeof saved);
	return n >= 0 && n < (long)sizeof dir ? dir : 0;
}

int lx_procfs_match(long dirfd, const char *path)
{
	static char full[FS_PATH * 2 + 8], folded[FS_PATH * 2 + 8];
	const char *base = "";
	int in_proc = 0;
	long h;

	if (path[0] == '/' && !may_reach(path))
		return 0; /* most paths: one look at the first component */
	if (path[0] != '/') {
		if ((int)dirfd == AT_FDCWD && cwd[0])
			base = cwd, in_proc = 1;
		else if ((int)dirfd != AT_FDCWD && (h = lx_fd_proc(dirfd)) >= 0)
			base = lx_pf[h].name, in_proc = 1;
		else if (!may_reach(path) || !(base = start_dir(dirfd)))
			return 0;
	}
	lm_snprintf(full, sizeof full, "%s/%s", base, path);
	if (fold(full, folded, sizeof folded))
		return 0;
	if (strncmp(folded, "/proc", 5) || (folded[5] && folded[5] != '/')) {
		/* from /proc out of it ("../etc"): the server gets the whole path */
		if (!in_proc)
			return 0;
		if (path != lx_fsb->path && path != lx_fsb->path2)
			return 1; /* not the page's (exec's own copy): served as /proc's */
		if (strlen(folded) >= FS_PATH)
			return LX_PROC_LONG;
		lx_strcpy(lx_fsb->path == path ? lx_fsb->path : lx_fsb->path2,
			  folded[0] ? folded : "/");
		return 0;
	}
	cur_long = strlen(folded + 5) >= sizeof cur;
	lx_strcpy(cur, cur_long ? "" : folded[5] ? folded + 6 : "");
	return 1;
}

/* ---- resolving ------------------------------------------------------------------- */

/* One component of p at *at into c[n]; 0 at the end. */
static int component(const char **at, char *c, lm_u64 n)
{
	const char *p = *at, *e;
	lm_u64 k;

	while (*p == '/')
		p++;
	for (e = p; *e && *e != '/'; e++)
		;
	k = (lm_u64)(e - p) < n ? (lm_u64)(e - p) : n - 1;
	memcpy(c, p, k);
	c[k] = 0;
	*at = e;
	return e != p;
}

static int at_end(const char *p)
{
	while (*p == '/')
		p++;
	return !*p;
}

static long number(const char *c)
{
	long v = 0;

	if (!c[0] || (c[0] == '0' && c[1]))
		return -1;
	for (; *c; c++) {
		if (*c < '0' || *c > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*c - '0');
	}
	return v;
}

/* Whether pid is a process; the manager's record of it in v. */
static int pid_exists(long pid, struct lx_pview *v)
{
	return pid > 0 && lx_procfs_view(pid, v) == 0;
}

/* The node the current path names; a last component that is a symbolic
 * link (self, exe, fd/N) is followed unless nofollow, a link in the
 * middle always. 0, -ENOENT or -ENOTDIR. */
static long resolve(int nofollow, struct pnode *n, struct lx_pview *v)
{
	const char *p = cur;
	char c[24];
	long pid;

	*n = (struct pnode){ .kind = PN_ROOT };
	if (cur_long)
		return -ENOENT;
	if (!component(&p, c, sizeof c))
		return 0;
	if (!strcmp(c, "self") && nofollow && at_end(p)) {
		n->kind = PN_SELF;
		return 0;
	}
	if ((n->top = lx_procfs_top(c)) >= 0) {
		n->kind = PN_TOP;
		return component(&p, c, sizeof c) ? -ENOTDIR : 0;
	}
	pid = !strcmp(c, "self") ? lx_pid : number(c);
	if (!pid_exists(pid, v))
		return -ENOENT;
	n->kind = PN_PID;
	n->pid = pid;
	if (!component(&p, c, sizeof c))
		return 0;
	if (!strcmp(c, "task")) { /* task/<tid>: a thread shows its process's files */
		n->kind = PN_TASKDIR;
		if (!component(&p, c, sizeof c))
			return 0;
		if (!lx_procfs_is_task(pid, number(c)))
			return -ENOENT;
		n->kind = PN_PID;
		if (!component(&p, c, sizeof c))
			return 0;
	}
	for (int i = 0; lx_procfs_pid_files[i]; i++)
		if (!strcmp(c, lx_procfs_pid_files[i])) {
			n->kind = PN_FILE;
			n->file = (int)i;
			return component(&p, c, sizeof c) ? -ENOTDIR : 0;
		}
	if (!strcmp(c, "exe")) {
		n->kind = PN_EXE;
		return component(&p, c, sizeof c) ? -ENOTDIR : 0; /* not a directory */
	}
	if (strcmp(c, "fd"))
		return -ENOENT;
	n->kind = PN_FDDIR;
	if (!component(&p, c, sizeof c))
		return 0;
	n->fd = number(c);
	if (pid != lx_pid || n->fd < 0 || lx_fd_next((int)n->fd) != n->fd)
		return -ENOENT; /* another process's descriptors are not known here */
	n->kind = PN_FD;
	return component(&p, c, sizeof c) ? -ENOTDIR : 0;
}

static int is_dir(int kind)
{
	return kind == PN_ROOT || kind == PN_PID || kind == PN_FDDIR || kind == PN_TASKDIR;
}

static int is_link(int kind)
{
	return kind == PN_SELF || kind == PN_EXE || kind == PN_FD;
}

/* The name a node is known by, below /proc (self followed: our pid). */
static void name_of(const struct pnode *n, char *out, lm_u64 size)
{
	if (n->kind == PN_ROOT)
		lm_snprintf(out, size, "/proc");
	else if (n->kind == PN_TOP)
		lm_snprintf(out, size, "/proc/%s", lx_procfs_top_name(n->top));
	else if (n->kind == PN_FILE)
		lm_snprintf(out, size, "/proc/%ld/%s", n->pid, lx_procfs_pid_files[n->file]);
	else
		lm_snprintf(out, size, "/proc/%ld%s", n->pid,
			    n->kind == PN_FDDIR ? "/fd" : n->kind == PN_TASKDIR ? "/task" : "");
}

/* ---- the calls on a path ------------------------------------------------------------ */

static struct pf *pf_new(void)
{
	for (int i = 0; i < PF_MAX; i++)
		if (!lx_pf[i].used) {
			lx_pf[i] = (struct pf){ .used = 1 };
			return &lx_pf[i];
		}
	return 0;
}

/* The executable a process runs, for its exe link. */
static const char *exe_of(const struct pnode *n, const struct lx_pview *v)
{
	return n->pid == lx_pid ? lx_execfn : v->info.exe;
}

long lx_procfs_open(lm_u64 flags)
{
	static struct lx_pview v;
	struct pnode n;
	struct pf *f;
	long r = resolve(!!(flags & O_NOFOLLOW), &n, &v), fd;

	if (r)
		return r == -ENOENT && (flags & O_CREAT) ? -EACCES : r;
	if (n.kind == PN_EXE) { /* the executable itself, from the file server */
		lx_strcpy(lx_fsb->path, exe_of(&n, &v));
		if (!lx_fsb->path[0])
			return -ENOENT;
		lm_u64 mode = 0;
		long h = lx_fs_call(FS_OPEN, 0, flags & (O_ACCMODE | O_CLOEXEC | O_DIRECTORY |
							  O_NONBLOCK | O_PATH), 0, 0, &mode);
		return h < 0 ? h : lx_fd_open((lm_u64)h, (lm_u32)mode, (lm_u32)flags);
	}
	if (n.kind == PN_FD) /* a second descriptor for what fd N names */
		return sys_fcntl((const lm_u64[]){ (lm_u64)n.fd,
			flags & O_CLOEXEC ? F_DUPFD_CLOEXEC : F_DUPFD, 0 });
	if (is_link(n.kind))
		return -ELOOP; /* O_NOFOLLOW on a link */
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT)))
		return is_dir(n.kind) ? -EISDIR : -EACCES;
	if ((flags & O_DIRECTORY) && !is_dir(n.kind))
		return -ENOTDIR;
	if (!(f = pf_new()))
		return -ENFILE;
	f->node = n;
	name_of(&n, f->name, sizeof f->name);
	fd = lx_fd_open_proc((lm_u64)(f - lx_pf), is_dir(n.kind), (lm_u32)flags);
	if (fd < 0)
		f->used = 0;
	return fd;
}

/* A node's attributes, as Linux's proc shows them: directories 0555,
 * files 0444 and size 0, links 0777; all root's. */
static void node_stat(const struct pnode *n, struct lx_stat *st)
{
	*st = (struct lx_stat){ .dev = PF_DEV, .nlink = 1, .blksize = 1024 };
	st->ino = (lm_u64)n->pid << 16 | (lm_u64)n->kind << 8 |
		  (lm_u64)(n->kind == PN_FD ? n->fd : n->kind == PN_TOP ? n->top : n->file);
	st->mode = n->kind == PN_FDDIR ? S_IFDIR | 0500 : is_dir(n->kind) ? S_IFDIR | 0555
		 : is_link(n->kind) ? S_IFLNK | 0777 : S_IFREG | 0444;
	st->nlink = is_dir(n->kind) ? 2 : 1;
	if (n->kind == PN_FD) { /* as Linux: r-x for reading, -wx for writing, size 64 */
		long fl = sys_fcntl((const lm_u64[]){ (lm_u64)n->fd, F_GETFL, 0 });
		st->mode = S_IFLNK | ((fl & O_ACCMODE) != O_WRONLY ? 0500 : 0) |
			   ((fl & O_ACCMODE) != O_RDONLY ? 0300 : 0);
		st->size = 64;
	}
	st->atime = st->mtime = st->ctime = lx_realtime_ns() / 1000000000;
}

long lx_procfs_stat(int nofollow, struct lx_stat *st)
{
	static struct lx_pview v;
	struct pnode n;
	long r = resolve(nofollow, &n, &v);

	if (r)
		return r;
	if (n.kind == PN_EXE && !nofollow) {
		const char *exe = exe_of(&n, &v);
		return exe[0] ? lx_fs_stat(0, exe, 0, st) : -ENOENT;
	}
	if (n.kind == PN_FD && !nofollow)
		return lx_fd_stat(n.fd, st);
	node_stat(&n, st);
	return 0;
}

long lx_procfs_readlink(char *out, lm_u64 size)
{
	static struct lx_pview v;
	struct pnode n;
	long r = resolve(1, &n, &v);

	if (r)
		return r;
	if (n.kind == PN_SELF)
		return lm_snprintf(out, size, "%ld", lx_pid);
	if (n.kind == PN_EXE) {
		const char *exe = exe_of(&n, &v);
		return exe[0] ? lm_snprintf(out, size, "%s", exe) : -ENOENT;
	}
	if (n.kind == PN_FD)
		return lx_fd_link(n.fd, out, size);
	return -EINVAL; /* not a symbolic link */
}

/* access: anything may be read, directories searched; nothing written. */
long lx_procfs_access(lm_u64 mode)
{
	struct lx_stat st;
	long r = lx_procfs_stat(0, &st);

	if (r)
		return r;
	if ((mode & 2) || ((mode & 1) && !S_ISDIR(st.mode)))
		return -EACCES;
	return 0;
}

long lx_procfs_chdir(void)
{
	static struct lx_pview v;
	struct pnode n;
	long r = resolve(0, &n, &v);

	if (r)
		return r;
	if (!is_dir(n.kind))
		return -ENOTDIR;
	name_of(&n, cwd, sizeof cwd);
	return 0;
}

const char *lx_procfs_cwd(void)
{
	return cwd[0] ? cwd : 0;
}

void lx_procfs_cwd_leave(void)
{
	cwd[0] = 0;
}

/* ---- descriptors ---------------------------------------------------------------------- */

/* A file's contents, made at its first read or seek: 0, or -ESRCH when
 * its process has gone since the open. */
static long make(struct pf *f)
{
	static struct lx_pview v;

	if (f->made)
		return 0;
	if (f->node.kind == PN_FILE && lx_procfs_view(f->node.pid, &v))
		return -ESRCH;
	f->len = lx_procfs_text(&f->node, &v, f->buf, sizeof f->buf);
	f->made = 1;
	return 0;
}

long lx_procfs_read(lm_u64 h, lm_u64 buf, lm_u64 n, long pos)
{
	struct pf *f = &lx_pf[h];
	lm_u64 at = pos < 0 ? f->pos : (lm_u64)pos, k;
	long r;

	if (is_dir(f->node.kind))
		return -EISDIR;
	if ((r = make(f)))
		return r;
	k = at >= f->len ? 0 : f->len - at < n ? f->len - at : n;
	memcpy((void *)buf, f->buf + at, k); /* the caller checked buf */
	if (pos < 0)
		f->pos += k;
	return (long)k;
}

long lx_procfs_seek(lm_u64 h, long off, lm_u64 whence)
{
	struct pf *f = &lx_pf[h];
	long base;

	if (whence == SEEK_END && !is_dir(f->node.kind) && make(f))
		return -ESRCH;
	base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (long)f->pos
	     : whence == SEEK_END ? (long)f->len : -1;

	if (base < 0 || base + off < 0)
		return -EINVAL;
	if (is_dir(f->node.kind) && base + off != 0 && whence != SEEK_CUR)
		return -EINVAL; /* a directory rewinds, as lseek(fd, 0, SEEK_SET) */
	f->pos = (lm_u64)(base + off);
	return base + off;
}

long lx_procfs_fstat(lm_u64 h, struct lx_stat *st)
{
	node_stat(&lx_pf[h].node, st);
	return 0;
}

const char *lx_procfs_name(lm_u64 h)
{
	return lx_pf[h].name;
}

void lx_procfs_close(lm_u64 h)
{
	lx_pf[h].used = 0;
}
