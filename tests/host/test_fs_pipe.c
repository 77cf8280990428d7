/*
 * The file server's handles and pipes on the host (servers/fs: handle.c,
 * pipe.c, serve.c and the path code they call), with a heap of malloc'd
 * blocks of the server's sizes and a record of the wake-ups the server
 * asks for (fs_wake). What several Linux processes see: handles held by a
 * set of badges (FS_FORK's h_fork, FS_DROP's h_release_all), EOF and EPIPE
 * counted over every holder, the would-block answers and the waiters they
 * register, atomic writes with their tail, and a heap that runs out; the
 * bound on file locks, charged to the badges holding them (lock.c).
 */
#include <stdlib.h>
#include "check.h"
#include "../../servers/fs/fs.h"

/* ---- stand-ins for heap.c and client.c -------------------------------- */
#define HEAP_MAX (16ull << 20) /* the server's 4 x 4 MiB */
static lm_u64 heap_used;

void *fs_alloc(lm_u64 n)
{
	int k = 5;
	char *b;

	while (k <= 26 && (1ull << k) < n + 16)
		k++;
	if (k > 26 || heap_used + (1ull << k) > HEAP_MAX)
		return 0;
	b = calloc(1, 1ull << k);
	*(lm_u64 *)b = (lm_u64)k;
	heap_used += 1ull << k;
	return b + 16;
}

void fs_free(void *p)
{
	if (!p)
		return;
	heap_used -= fs_alloc_size(p) + 16;
	free((char *)p - 16);
}

lm_u64 fs_alloc_size(const void *p)
{
	return p ? (1ull << *(const lm_u64 *)((const char *)p - 16)) - 16 : 0;
}

static lm_u64 woken; /* the badges fs_wake was asked to signal since the last look */

void fs_wake(lm_u64 badges)
{
	woken |= badges;
}

static lm_u64 took_wakes(void)
{
	lm_u64 w = woken;

	woken = 0;
	return w;
}

/* ---- requests as main.c makes them -------------------------------------- */
static struct fs_buf pages[FS_CLIENTS + 1];
static lm_u64 r1;

static long req_tail(lm_u64 badge, lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 w3,
		     const void *tail, lm_u64 ntail)
{
	struct fs_req q = { .badge = badge, .label = label, .w = { w0, w1, w2, w3 },
			    .buf = &pages[badge] };
	long r;

	if (ntail)
		memcpy(q.tail, tail, ntail);
	q.ntail = (ntail + 7) / 8 * 8;
	r = fs_serve(&q);
	r1 = q.r1;
	return r;
}

static long req(lm_u64 badge, lm_u64 label, lm_u64 w0, lm_u64 w1, lm_u64 w2, lm_u64 w3)
{
	return req_tail(badge, label, w0, w1, w2, w3, 0, 0);
}

static long wr(lm_u64 badge, lm_u64 h, const char *s, lm_u64 n, lm_u64 how)
{
	memcpy(pages[badge].data, s, n < FS_DATA ? n : FS_DATA);
	return req_tail(badge, FS_WRITE, h, n, 0, how, s + (n < FS_DATA ? n : FS_DATA),
			n > FS_DATA ? n - FS_DATA : 0);
}

static long rd(lm_u64 badge, lm_u64 h, char *out, lm_u64 n)
{
	long r = req(badge, FS_READ, h, n, 0, 0);

	if (r > 0)
		memcpy(out, pages[badge].data, (size_t)r);
	return r;
}

static long mkpipe(lm_u64 badge, lm_u64 flags, lm_u64 *wh)
{
	long r = req(badge, FS_PIPE, flags, 0, 0, 0);

	*wh = r1;
	return r;
}

static void setup(void)
{
	if (!fs_root) {
		fs_root = ino_new(S_IFDIR | 0755);
		fs_root->nlink = 2;
	}
}

/* ---- the tests ---------------------------------------------------------- */

static void fork_shares_handles_and_eof_waits_for_every_writer(void)
{
	lm_u64 w, base = heap_used;
	long r = mkpipe(1, 0, &w);
	char buf[16];

	CHECK(r > 0 && w > 0 && (lm_u64)r != w);
	CHECK(req(2, FS_READ, r, 1, 0, 0) == -EBADF);   /* not badge 2's */
	h_fork(1, 2);
	CHECK(wr(2, w, "hi", 2, 0) == 2);
	CHECK(rd(1, r, buf, sizeof buf) == 2 && !memcmp(buf, "hi", 2));
	CHECK(req(1, FS_CLOSE, w, 0, 0, 0) == 0);
	CHECK(req(1, FS_CLOSE, w, 0, 0, 0) == -EBADF);  /* badge 1 holds it no more */
	/* badge 2 still holds the write end: no EOF, would block */
	CHECK(rd(1, r, buf, 1) == -EAGAIN && r1 == FS_WOULDBLOCK);
	CHECK(took_wakes() == 0);
	CHECK(wr(2, w, "x", 1, 0) == 1);
	CHECK(took_wakes() == BADGE_BIT(1));             /* the waiting reader */
	CHECK(rd(1, r, buf, 1) == 1);
	CHECK(rd(1, r, buf, 1) == -EAGAIN);
	h_release_all(2);                                /* FS_DROP: badge 2 exits */
	CHECK(took_wakes() == BADGE_BIT(1));
	CHECK(rd(1, r, buf, 1) == 0);                    /* EOF */
	CHECK(req(1, FS_CLOSE, r, 0, 0, 0) == 0);
	CHECK(heap_used == base);                        /* the pipe is gone */
}

static void epipe_when_every_reader_is_gone(void)
{
	lm_u64 w;
	long r = mkpipe(3, 0, &w);

	h_fork(3, 4);
	CHECK(req(3, FS_CLOSE, r, 0, 0, 0) == 0);
	CHECK(wr(3, w, "a", 1, 0) == 1);                 /* badge 4 still reads */
	CHECK(req(3, FS_POLL, w, FS_POLLOUT, 0, 0) == FS_POLLOUT);
	h_release_all(4);
	CHECK(wr(3, w, "a", 1, 0) == -EPIPE);
	CHECK(req(3, FS_POLL, w, FS_POLLOUT, 0, 0) == (FS_POLLOUT | FS_POLLERR));
	CHECK(req(3, FS_CLOSE, w, 0, 0, 0) == 0);
	CHECK(h_held_by(3) == 0 && h_held_by(4) == 0);
}

static void full_pipe_blocks_writer_until_a_read(void)
{
	static char big[FS_PIPE_SIZE];
	lm_u64 w, total = 0;
	long r = mkpipe(5, 0, &w), n;
	char buf[FS_DATA];

	h_fork(5, 6);
	while ((n = wr(6, w, big, FS_WRITE_MAX, 0)) > 0)
		total += (lm_u64)n;
	CHECK(n == -EAGAIN && r1 == FS_WOULDBLOCK && total == FS_PIPE_SIZE);
	CHECK(req(6, FS_POLL, w, FS_POLLOUT | FS_POLL_ARM, 0, 0) == 0);
	CHECK(took_wakes() == 0);
	CHECK(rd(5, r, buf, 1) == 1);
	CHECK(took_wakes() == BADGE_BIT(6));
	/* one byte of room: an atomic write of 2 waits, a plain one takes 1 */
	CHECK(wr(6, w, "ab", 2, FS_W_ATOMIC) == -EAGAIN && r1 == FS_WOULDBLOCK);
	CHECK(wr(6, w, "ab", 2, 0) == 1);
	/* with O_NONBLOCK the answer is a plain EAGAIN and nobody waits */
	CHECK(req(6, FS_SETFL, w, O_NONBLOCK, 0, 0) == 0);
	r1 = 99;
	CHECK(wr(5, w, "c", 1, 0) == -EAGAIN && r1 == 0); /* (the handle's flags are shared) */
	CHECK(rd(5, r, buf, 1) == 1 && took_wakes() == BADGE_BIT(6));
	CHECK(rd(5, r, buf, 1) == 1 && took_wakes() == 0);
	h_release_all(5);
	h_release_all(6);
	CHECK(h_held_by(5) == 0 && h_held_by(6) == 0);
}

static void atomic_write_of_pipe_buf_crosses_page_and_tail(void)
{
	char in[FS_WRITE_MAX], out[2 * FS_WRITE_MAX];
	lm_u64 w, got = 0;
	long r = mkpipe(7, O_NONBLOCK, &w), n;

	for (int i = 0; i < FS_WRITE_MAX; i++)
		in[i] = (char)(i * 13 + 1);
	CHECK(wr(7, w, "12", 2, 0) == 2);
	CHECK(wr(7, w, in, FS_WRITE_MAX, FS_W_ATOMIC) == FS_WRITE_MAX);
	/* a tail shorter than the count claims: refused, nothing written */
	CHECK(req_tail(7, FS_WRITE, w, FS_DATA + 9, 0, 0, in, 8) == -EINVAL);
	CHECK(req(7, FS_WRITE, w, FS_WRITE_MAX + 1, 0, 0) == -EINVAL);
	while ((n = rd(7, r, out + got, FS_DATA)) > 0)
		got += (lm_u64)n;
	CHECK(n == -EAGAIN && got == 2 + FS_WRITE_MAX);
	CHECK(!memcmp(out, "12", 2) && !memcmp(out + 2, in, FS_WRITE_MAX));
	h_release_all(7);
}

static void waiters_go_with_their_badge(void)
{
	lm_u64 w;
	long r = mkpipe(8, 0, &w);
	char c;

	h_fork(8, 9);
	CHECK(rd(9, r, &c, 1) == -EAGAIN && r1 == FS_WOULDBLOCK);
	CHECK(req(9, FS_CLOSE, r, 0, 0, 0) == 0); /* 9 no longer waits */
	CHECK(wr(8, w, "z", 1, 0) == 1);
	CHECK(took_wakes() == 0);
	CHECK(req(8, FS_POLL, r, FS_POLLIN, 0, 0) == FS_POLLIN && r1 == 1);
	h_release_all(8);
	h_release_all(9);
}

static void pipes_and_handles_are_bounded(void)
{
	static lm_u64 ws[FS_HANDLES];
	static char big[FS_WRITE_MAX];
	lm_u64 base = heap_used, npipes = 0, enomem = 0;
	long r;

	while (npipes < FS_HANDLES && (r = mkpipe(10, O_NONBLOCK, &ws[npipes])) > 0)
		npipes++;
	CHECK(r == -ENFILE && npipes == FS_HANDLES / 2);
	/* fill them until the heap is spent: each answer is a count, EAGAIN
	 * or ENOMEM, never a fault */
	for (lm_u64 i = 0; i < npipes; i++) {
		long n;

		while ((n = wr(10, ws[i], big, FS_WRITE_MAX, 0)) > 0)
			;
		CHECK(n == -EAGAIN || n == -ENOMEM);
		enomem += n == -ENOMEM;
	}
	CHECK(enomem > 0 && heap_used <= HEAP_MAX);
	h_release_all(10);
	CHECK(heap_used == base && h_free_count(FS_HANDLES) == FS_HANDLES);
}

static void pipe_refuses_flags_and_seek(void)
{
	lm_u64 w;
	long r;

	CHECK(mkpipe(11, O_CLOEXEC, &w) == -EINVAL);
	CHECK(mkpipe(11, O_DIRECT, &w) == -EINVAL);
	r = mkpipe(11, 0, &w);
	CHECK(req(11, FS_SEEK, r, 0, 0, 0) == -ESPIPE);
	CHECK(req(11, FS_GETDENTS, r, 100, 0, 0) == -ENOTDIR);
	CHECK(req(11, FS_WRITE, r, 1, 0, 0) == -EBADF);
	CHECK(req(11, FS_READ, w, 1, 0, 0) == -EBADF);
	CHECK(req(11, FS_WRITE, w, 1, 0, 4) == -EINVAL);
	CHECK(req(11, FS_GETFL, w, 0, 0, 0) == O_WRONLY);
	h_release_all(11);
}

static long open_as(lm_u64 badge, const char *name, lm_u64 flags)
{
	strcpy(pages[badge].path, name);
	return req(badge, FS_OPEN, 0, flags, 0600, 0);
}

static long lock_as(lm_u64 badge, lm_u64 h, lm_u64 kind, lm_u64 start)
{
	return req(badge, FS_LOCK, h, kind | FS_F_WRLCK | badge << 32, start, start + 1);
}

/* A handle's locks are charged to the badges holding it, not to the one
 * that made them: they outlive their maker, and the next process on its
 * badge starts with nothing charged; the holders left are charged them
 * (a fork child too) until the handle goes. */
static void locks_are_charged_to_their_holders(void)
{
	long h = open_as(20, "/lk", O_RDWR | O_CREAT), h2, h3;
	lm_u64 base = heap_used; /* the file and its name */
	int n = 0;

	CHECK(h > 0);
	h_fork(20, 21);
	while (n < 40 && lock_as(21, (lm_u64)h, FS_LK_OFD, 2 * (lm_u64)n) == 0)
		n++;
	CHECK(n == 16 && lock_as(21, (lm_u64)h, FS_LK_OFD, 1000) == -ENOLCK);
	/* badge 20 holds them too */
	CHECK(lock_as(20, (lm_u64)h, FS_LK_POSIX, 1000) == -ENOLCK);
	/* an unlock that splits nothing is never refused */
	CHECK(req(20, FS_LOCK, h, FS_LK_OFD | FS_F_UNLCK, 30, 31) == 0);
	CHECK(lock_as(20, (lm_u64)h, FS_LK_OFD, 30) == 0);
	h_release_all(21);                              /* FS_DROP: badge 21 exits */
	lock_badge_gone(21);
	h2 = open_as(22, "/lk", O_RDWR);
	CHECK(lock_as(22, (lm_u64)h2, FS_LK_OFD, 0) == -EAGAIN); /* the locks outlive it */
	/* a new process on badge 21 holds nothing and is charged nothing */
	h3 = open_as(21, "/lk", O_RDWR);
	for (n = 0; n < 16; n++)
		CHECK(lock_as(21, (lm_u64)h3, FS_LK_POSIX, 100 + 2 * (lm_u64)n) == 0);
	CHECK(lock_as(21, (lm_u64)h3, FS_LK_POSIX, 200) == -ENOLCK);
	/* a fork child of a holder is charged what the handle holds */
	h_fork(20, 23);
	CHECK(lock_as(23, (lm_u64)h, FS_LK_POSIX, 300) == -ENOLCK);
	CHECK(req(23, FS_CLOSE, h, 0, 0, 0) == 0);
	CHECK(lock_as(23, (lm_u64)h, FS_LK_POSIX, 300) == -EBADF);
	h_release_all(23);
	lock_badge_gone(23);
	/* the handle's last holder closes it: its locks go, 20 is charged nothing */
	CHECK(req(20, FS_CLOSE, h, 0, 0, 0) == 0);
	CHECK(lock_as(22, (lm_u64)h2, FS_LK_OFD, 0) == 0);
	h = open_as(20, "/lk", O_RDWR);
	for (n = 0; n < 16; n++)
		CHECK(lock_as(20, (lm_u64)h, FS_LK_POSIX, 400 + 2 * (lm_u64)n) == 0);
	for (lm_u64 b = 20; b <= 22; b++) {
		h_release_all(b);
		lock_badge_gone(b);
	}
	CHECK(heap_used == base); /* every lock went */
	strcpy(pages[20].path, "/lk");
	CHECK(req(20, FS_UNLINK, 0, 0, 0, 0) == 0);
}

/* FS_GETPATH with FS_PATH_NAMED of h answers want. */
static int named_is(lm_u64 badge, long h, const char *want)
{
	return req(badge, FS_GETPATH, (lm_u64)h, FS_PATH_NAMED, 0, 0) == (long)strlen(want) &&
	       !strcmp(pages[badge].data, want);
}

static long unlink_as(lm_u64 badge, const char *name, lm_u64 flags)
{
	strcpy(pages[badge].path, name);
	return req(badge, FS_UNLINK, 0, flags, 0, 0);
}

static long rename_as(lm_u64 badge, const char *from, const char *to)
{
	strcpy(pages[badge].path, from);
	strcpy(pages[badge].path2, to);
	return req(badge, FS_RENAME, 0, 0, 0, 0);
}

/* FS_GETPATH with FS_PATH_NAMED: a FIFO's name as it is now; none for an
 * anonymous pipe; "/path (deleted)" for an unlinked FIFO still open;
 * without the flag ENOTDIR, an unknown flag EINVAL. */
static void getpath_names_a_fifo(void)
{
	lm_u64 w;
	long r = mkpipe(24, 0, &w), f;

	strcpy(pages[24].path, "/pd");
	CHECK(req(24, FS_MKDIR, 0, 0755, 0, 0) == 0);
	strcpy(pages[24].path, "/pd/f");
	CHECK(req(24, FS_MKNOD, 0, S_IFIFO | 0600, 0, 0) == 0);
	f = open_as(24, "/pd/f", O_RDWR);
	CHECK(f > 0 && named_is(24, f, "/pd/f"));
	CHECK(req(24, FS_GETPATH, f, 0, 0, 0) == -ENOTDIR);
	CHECK(req(24, FS_GETPATH, f, 2, 0, 0) == -EINVAL);
	CHECK(rename_as(24, "/pd/f", "/g") == 0 && named_is(24, f, "/g"));
	CHECK(req(24, FS_GETPATH, (lm_u64)r, FS_PATH_NAMED, 0, 0) == -ENOENT);
	CHECK(unlink_as(24, "/g", 0) == 0 && named_is(24, f, "/g (deleted)"));
	CHECK(unlink_as(24, "/pd", FS_AT_REMOVEDIR) == 0);
	h_release_all(24);
}

/* FS_PATH_NAMED of a regular file and of a directory: the path as it is
 * now (a rename is no unlink); once the last name goes while a handle
 * holds it, the path it had and " (deleted)", kept until the inode goes
 * (its heap with it); a file replaced by a rename is deleted too; a
 * removed directory too, while getcwd's FS_GETPATH (no flag) has none. */
static void getpath_names_files_and_the_deleted(void)
{
	lm_u64 base = heap_used;
	long f, d, g;

	strcpy(pages[25].path, "/nd");
	CHECK(req(25, FS_MKDIR, 0, 0755, 0, 0) == 0);
	f = open_as(25, "/nd/a", O_RDWR | O_CREAT);
	d = open_as(25, "/nd", O_RDONLY | O_DIRECTORY);
	CHECK(f > 0 && d > 0 && named_is(25, f, "/nd/a") && named_is(25, d, "/nd"));
	CHECK(rename_as(25, "/nd/a", "/nd/b") == 0 && named_is(25, f, "/nd/b"));
	g = open_as(25, "/nd/c", O_RDWR | O_CREAT);
	CHECK(g > 0 && rename_as(25, "/nd/c", "/nd/b") == 0); /* b, still open as f, replaced */
	CHECK(named_is(25, f, "/nd/b (deleted)") && named_is(25, g, "/nd/b"));
	CHECK(unlink_as(25, "/nd/b", 0) == 0 && named_is(25, g, "/nd/b (deleted)"));
	CHECK(unlink_as(25, "/nd", FS_AT_REMOVEDIR) == 0 && named_is(25, d, "/nd (deleted)"));
	CHECK(req(25, FS_GETPATH, d, 0, 0, 0) == -ENOENT); /* getcwd's: no path */
	h_release_all(25);
	CHECK(heap_used == base); /* the names kept went with their inodes */
}

int main(void)
{
	setup();
	RUN(fork_shares_handles_and_eof_waits_for_every_writer);
	RUN(epipe_when_every_reader_is_gone);
	RUN(full_pipe_blocks_writer_until_a_read);
	RUN(atomic_write_of_pipe_buf_crosses_page_and_tail);
	RUN(waiters_go_with_their_badge);
	RUN(pipes_and_handles_are_bounded);
	RUN(pipe_refuses_flags_and_seek);
	RUN(locks_are_charged_to_their_holders);
	RUN(getpath_names_a_fifo);
	RUN(getpath_names_files_and_the_deleted);
	return CHECK_DONE();
}
