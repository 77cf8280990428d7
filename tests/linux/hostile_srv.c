/*
 * Garbage straight to the shared servers (issue 11, 9 (d)): a Linux
 * process bypasses its personality and sends the process manager (slot
 * 11), the file server (slot 9), the timer server (slot 12) and, now and
 * then, any other slot of its own, requests with random labels, lengths,
 * capabilities, register and buffer words, and its file-server page full
 * of garbage (unterminated paths, random handles).
 *
 *   hostile_srv [ROUNDS [REQUESTS [SEED [trace]]]]   (default 3 3000 1; with
 *                                                   trace, each step on the console)
 *
 * Each round a forked child makes the requests (it holds no descriptor of
 * its parent's: it closes what fork gave it, and the parent opens its own
 * after the fork) and reports how they were answered; the parent checks
 * that it ended within a bound and that every server still serves it and
 * the system correctly (fuzz_sys.c), that its file and pipe opened after
 * the fork are untouched, and that the servers answer chosen bad requests
 * with their documented errors. The few requests that are a process's
 * right but would end this test (PM_EXIT, PM_STOP's peers: a signal to
 * the terminal's foreground group, taking the console) are never sent;
 * PM_KILL names only the child itself or no process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <lamina/ipc.h>
#include "check.h"
#include "pm_call.h"
#include "fuzz.h"
#include "../../servers/proc/pm_proto.h"
#include "../../servers/fs/fs_proto.h"
#include "../../servers/timer/timer_proto.h"

#define SLOT_FS    9
#define SLOT_PM    11
#define SLOT_TIMER 12
#define IPCBUF     ((volatile long *)0x7ef800010000ull) /* msg[64], send_caps[3], recv_slots[3] */

static int failures, trace = -1; /* trace: the console, with a 4th argument */

static void step(const char *what, long round)
{
	char line[96];
	if (trace >= 0)
		write(trace, line, snprintf(line, sizeof line, "hostile_srv: round %ld: %s\n", round, what));
}

/* EP_CALL on slot (lx_ep_call): the reply's w0 (and *r1 = w1), or -1000 -
 * the kernel's error for the call itself. */
#define ep_call lx_ep_call

static long call4(long slot, long label, long w0, long w1, long w2, long *r1)
{
	return ep_call(slot, LM_MSG_INFO(label, 4, 0), w0, w1, w2, 0, r1);
}

static uint64_t rng;
static uint64_t rnd(void)
{
	rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}
static long pick(long n) { return (long)(rnd() % (uint64_t)n); }

static long word(void)
{
	static const long w[] = { 0, 1, -1, 2, 64, 65, 4096, 4032, 4033, 0x7fffffff, -4096,
		1l << 40, 0xffff800000000000l, 0x7ef800000000l };
	return pick(3) ? w[pick(sizeof(w) / sizeof(w[0]))] : (long)rnd();
}

/* The child's own requests may not end the test (the header). */
static void tame(long slot, long *label, long *w0, int me)
{
	/* FS_HELLO fresh forgets every handle the child holds (its pipes
	 * back to the parent): a right request that ends the round. */
	if (slot == SLOT_FS && *label == FS_HELLO)
		*label = FS_NREQ + 1;
	if (slot != SLOT_PM)
		return;
	if (*label == PM_EXIT || *label == PM_TTYSIG || *label == PM_SETCTTY ||
	    *label == PM_TCSETPGRP)
		*label = PM_GETPPID;
	if (*label == PM_KILL && !(*w0 == me || *w0 == -me || *w0 > PM_PIDS || *w0 < -PM_PIDS))
		*w0 = pick(2) ? me : 99999;
}

static char fs_dir[96];

/* Garbage in the file server's page: random bytes after the child's
 * directory (a path is absolute: what it makes stays in its directory, as
 * root may make anything anywhere), 2 KiB unterminated paths, or a name in
 * its directory. */
static void fill_page(long label)
{
	struct fs_buf *b = (struct fs_buf *)FS_BUF_VA;
	int makes = label == FS_OPEN || label == FS_MKDIR || label == FS_SYMLINK ||
		    label == FS_LINK || label == FS_RENAME || label == FS_MKNOD;
	switch (makes ? 2 : pick(4)) {
	case 0:
		for (int i = 0; i < 512; i++)
			((uint64_t *)b)[i] = rnd();
		memcpy(b->path, fs_dir, strlen(fs_dir)), b->path[strlen(fs_dir)] = '/';
		memcpy(b->path2, fs_dir, strlen(fs_dir)), b->path2[strlen(fs_dir)] = '/';
		break;
	case 1:
		memset(b->path, 'p', FS_PATH);
		memset(b->path2, 'q', FS_PATH);
		memcpy(b->path, fs_dir, strlen(fs_dir)), b->path[strlen(fs_dir)] = '/';
		break;
	default:
		snprintf(b->path, FS_PATH, "%s/%c", fs_dir, (int)('a' + pick(4)));
		snprintf(b->path2, FS_PATH, "%s/%c", fs_dir, (int)('a' + pick(4)));
		b->times[0] = word(), b->times[1] = word();
	}
}

struct tally { long n, replies, refused, kernel; };

/* The request being made, written before it (a file at LOGFD): what the
 * parent prints if the child does not come back. */
struct hs_log { long i, slot, info, w[4]; };
#define LOGFD 200
static int logfd = LOGFD;

static void child(long requests, int go, int back)
{
	struct tally t = { 0 };
	char c;
	int me = getpid();

	setsid();
	fz_ignore_signals();
	/* what fork gave it of the parent's (the pipe fuzz_sys.c holds):
	 * closed, so its handles are the parent's alone */
	for (int fd = 3; fd < 256; fd++)
		if (fd != go && fd != back && fd != LOGFD)
			close(fd);
	if (read(go, &c, 1) != 1)
		_exit(3);
	mkdir(fs_dir, 0755);
	for (long i = 0; i < requests; i++) {
		static const long slots[] = { SLOT_PM, SLOT_FS, SLOT_TIMER };
		long slot = pick(16) ? slots[pick(3)] : pick(64);
		long label = pick(8) ? pick(slot == SLOT_FS ? FS_NREQ + 2 : PM_NREQ + 2) : word() & 0xffffffffffffl;
		long len = pick(4) ? pick(LM_MSG_MAX_WORDS + 1) : pick(128);
		long ncaps = pick(3) ? 0 : pick(4);
		long w[4] = { word(), word(), word(), word() };
		if (slot == SLOT_FS && pick(2))
			w[0] = pick(64); /* a handle number: someone's, maybe */
		tame(slot, &label, &w[0], me);
		for (int k = 4; k < LM_MSG_MAX_WORDS; k++)
			IPCBUF[k] = pick(2) ? word() : 0;
		for (int k = 0; k < 3; k++) {
			IPCBUF[LM_MSG_MAX_WORDS + k] = pick(40);     /* send_caps: slots of its own */
			IPCBUF[LM_MSG_MAX_WORDS + 3 + k] = 0;        /* recv_slots: refuse */
		}
		long info = LM_MSG_INFO(label, len, ncaps) | (pick(16) ? 0 : (long)pick(4) << 13);
		struct hs_log l = { i, slot, info, { w[0], w[1], w[2], w[3] } };
		pwrite(LOGFD, &l, sizeof l, 0);
		if (slot == SLOT_FS) /* after the log's write: its data goes through the page */
			fill_page(label);
		long r = ep_call(slot, info, w[0], w[1], w[2], w[3], 0);
		t.n++;
		if (r <= -1000)
			t.kernel++;
		else if (r < 0)
			t.refused++;
		else
			t.replies++;
	}
	write(back, &t, sizeof t);
	_exit(0);
}

static void sys_fail(const char *what)
{
	failures++;
	fprintf(stderr, "FAIL hostile_srv: system check: %s\n", what);
}

/* FS_OPEN with FS_O_EXEC (fs_proto.h): path2 names what was opened,
 * links followed, and data holds its fs_stat; "" for a directory no
 * longer in the tree; a failed open leaves the page alone. */
static void pathname_requests(void)
{
	struct fs_buf *b = (struct fs_buf *)FS_BUF_VA;
	struct fs_stat st;
	struct stat want;
	char gone[64];
	long h, d;

	strcpy(b->path, "/bin/sh"); /* a link to busybox */
	h = call4(SLOT_FS, FS_OPEN, 0, O_RDONLY | FS_O_EXEC, 0, 0);
	CHECK(h > 0 && !strcmp(b->path2, "/bin/busybox"));
	memcpy(&st, b->data, sizeof st);
	CHECK(stat("/bin/busybox", &want) == 0 && st.ino == (uint64_t)want.st_ino &&
	      st.size == (uint64_t)want.st_size && st.mode == (uint64_t)want.st_mode);
	CHECK(h <= 0 || call4(SLOT_FS, FS_CLOSE, h, 0, 0, 0) == 0);
	strcpy(b->path, "/tmp/.././bin/"); /* a directory: its own path */
	h = call4(SLOT_FS, FS_OPEN, 0, O_RDONLY | O_DIRECTORY | FS_O_EXEC, 0, 0);
	CHECK(h > 0 && !strcmp(b->path2, "/bin"));
	CHECK(h <= 0 || call4(SLOT_FS, FS_CLOSE, h, 0, 0, 0) == 0);
	strcpy(b->path, "/no/such/file");
	strcpy(b->path2, "kept");
	CHECK(call4(SLOT_FS, FS_OPEN, 0, O_RDONLY | FS_O_EXEC, 0, 0) == -ENOENT);
	CHECK(!strcmp(b->path2, "kept"));
	snprintf(gone, sizeof gone, "/tmp/hostile.%d/gone", getpid());
	CHECK(mkdir(gone, 0755) == 0);
	strcpy(b->path, gone);
	d = call4(SLOT_FS, FS_OPEN, 0, O_PATH | O_DIRECTORY, 0, 0);
	CHECK(d > 0 && rmdir(gone) == 0);
	strcpy(b->path, ".");
	h = call4(SLOT_FS, FS_OPEN, d, O_RDONLY | FS_O_EXEC, 0, 0);
	CHECK(h > 0 && b->path2[0] == 0); /* open, but in no directory */
	CHECK(h <= 0 || call4(SLOT_FS, FS_CLOSE, h, 0, 0, 0) == 0);
	CHECK(d <= 0 || call4(SLOT_FS, FS_CLOSE, d, 0, 0, 0) == 0);
}

/* Chosen bad requests, from the parent: the documented errors. */
static void bad_requests(void)
{
	long r1;
	CHECK(call4(SLOT_PM, 0, 0, 0, 0, 0) == -ENOSYS);
	CHECK(call4(SLOT_PM, PM_NREQ, 0, 0, 0, 0) == -ENOSYS);
	CHECK(call4(SLOT_PM, 0x7fffffff, 0, 0, 0, 0) == -ENOSYS);
	CHECK(call4(SLOT_PM, PM_NEW, 0, 0, 0, 0) == -EPERM);       /* the shell's */
	CHECK(call4(SLOT_PM, PM_RELEASE, 1, 0, 0, 0) == -EPERM);
	CHECK(call4(SLOT_PM, PM_KILL, 99999, SIGKILL, 0, 0) == -ESRCH);
	CHECK(call4(SLOT_PM, PM_KILL, getpid(), 1000, 0, 0) == -EINVAL);
	CHECK(call4(SLOT_PM, PM_GETPPID, 0, 0, 0, 0) == getppid());
	CHECK(call4(SLOT_FS, 0, 0, 0, 0, 0) == -ENOSYS);
	CHECK(call4(SLOT_FS, FS_NREQ, 0, 0, 0, 0) == -ENOSYS);
	CHECK(call4(SLOT_FS, FS_FORK, 1, 2, 0, 0) == -EPERM);      /* the process manager's */
	CHECK(call4(SLOT_FS, FS_DROP, 1, 0, 0, 0) == -EPERM);
	CHECK(call4(SLOT_FS, FS_READ, 9999, 16, 0, 0) == -EBADF);
	CHECK(call4(SLOT_FS, FS_CLOSE, -1, 0, 0, 0) == -EBADF);
	CHECK(call4(SLOT_TIMER, 99, 0, 0, 0, 0) == -ENOSYS);
	CHECK(call4(SLOT_TIMER, TIMER_ARM, 99, 0, 0, &r1) == -EINVAL);
	CHECK(call4(SLOT_TIMER, TIMER_CANCEL, -1, 0, 0, &r1) == -EINVAL);
	CHECK(call4(SLOT_TIMER, TIMER_HELLO, 0, 0, 0, 0) == -EINVAL); /* no capability */
	/* a pid PM_FORK made that nothing runs (no personality will ever take
	 * its signals): SIGKILL still ends it, and its parent reaps it */
	for (int k = 0; k < LM_MSG_MAX_CAPS; k++)
		IPCBUF[LM_MSG_MAX_WORDS + 3 + k] = 0; /* its capabilities refused */
	long ghost = call4(SLOT_PM, PM_FORK, 0, 0, 0, 0);
	int st = 0;
	CHECK(ghost > 0 && ghost <= PM_PIDS);
	CHECK(kill(ghost, SIGKILL) == 0);
	CHECK(waitpid(ghost, &st, WNOHANG) == ghost && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	pathname_requests();
	/* a message longer than a message may be, to each: the kernel refuses it */
	CHECK(ep_call(SLOT_PM, LM_MSG_INFO(PM_GETPPID, 100, 0), 0, 0, 0, 0, 0) <= -1000);
	CHECK(ep_call(SLOT_FS, LM_MSG_INFO(FS_STAT, 127, 0), 0, 0, 0, 0, 0) <= -1000);
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 3, requests = argc > 2 ? atol(argv[2]) : 3000;
	char top[64], path[96], buf[16];
	struct tally all = { 0 };
	long cut = 0; /* rounds whose child did not report */

	uint64_t seed = 0x9e3779b97f4a7c15ull * (uint64_t)((argc > 3 ? atol(argv[3]) : 1) + 1);
	signal(SIGPIPE, SIG_IGN);
	snprintf(top, sizeof top, "/tmp/hostile.%d", getpid());
	mkdir(top, 0755);
	snprintf(path, sizeof path, "%s/log", top);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fz_sys_init(top) || fd < 0 || dup2(fd, LOGFD) != LOGFD) {
		perror("hostile_srv: setting up");
		return 2;
	}
	close(fd);
	if (argc > 4)
		trace = open("/dev/console", O_WRONLY | O_NOCTTY);
	bad_requests();
	for (long round = 0; round < rounds; round++) {
		step("starts", round);
		rng = seed ^ (0x5851f42d4c957f2dull * (uint64_t)(round + 1)); /* each round its own */
		int go[2], back[2], status = 0; /* parent -> child: start; child -> parent: tally */
		struct tally t = { 0 };
		snprintf(fs_dir, sizeof fs_dir, "%s/c%ld", top, round);
		if (pipe(go) || pipe(back)) {
			perror("hostile_srv: pipe");
			return 2;
		}
		int p = fork();
		if (p == 0)
			child(requests, go[0], back[1]);
		close(go[0]), close(back[1]);
		/* after the fork: handles the child never held */
		snprintf(path, sizeof path, "%s/mine", top);
		int mine = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		int late[2];
		CHECK(mine >= 0 && write(mine, "mine", 4) == 4 && pipe(late) == 0 && write(late[1], "late", 4) == 4);
		write(go[1], "g", 1);
		int ended = fz_wait_bounded(p, 120000, &status) == p;
		if (!ended) {
			kill(p, SIGKILL);
			ended = fz_wait_bounded(p, 10000, &status) == p;
		}
		step(ended ? "the child ended" : "the child did not end", round);
		/* bounded: a pid its PM_FORK made holds the pipe's other end */
		struct pollfd pfd = { .fd = back[0], .events = POLLIN };
		if (poll(&pfd, 1, 10000) == 1 && read(back[0], &t, sizeof t) == sizeof t)
			all.n += t.n, all.replies += t.replies, all.refused += t.refused, all.kernel += t.kernel;
		else {
			/* its own business (it may signal itself, drop its own
			 * handles, call an endpoint nobody serves): said, not a
			 * failure; the servers are checked below */
			struct hs_log l = { 0 };
			pread(logfd, &l, sizeof l, 0);
			cut++;
			printf("hostile_srv: round %ld: the child %s (status %#x) after request %ld: "
			       "slot %ld info %#lx words %#lx %#lx %#lx %#lx\n", round,
			       ended ? "ended early" : "did not end", status, l.i, l.slot, l.info, l.w[0],
			       l.w[1], l.w[2], l.w[3]);
		}
		CHECK(lseek(mine, 0, SEEK_CUR) == 4 && pread(mine, buf, 8, 0) == 4 && memcmp(buf, "mine", 4) == 0);
		CHECK(read(late[0], buf, 8) == 4 && memcmp(buf, "late", 4) == 0);
		close(mine), close(late[0]), close(late[1]), close(go[1]), close(back[0]);
		step("checking", round);
		if (fz_sys_check(sys_fail))
			fprintf(stderr, "FAIL hostile_srv: after round %ld (seed state %#lx)\n", round, (long)rng);
		bad_requests();
		step("checked", round);
	}
	snprintf(path, sizeof path, "%s", top);
	fz_rmtree(path); /* the tree is everyone's */
	printf("hostile_srv: %ld rounds (%ld cut short by the child's own requests), %ld requests: "
	       "%ld answered, %ld refused with an error, %ld refused by the kernel; %d failures\n",
	       rounds, cut, all.n, all.replies, all.refused, all.kernel, failures);
	return failures != 0;
}
