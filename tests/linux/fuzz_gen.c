/*
 * The fuzzer's generator (tests/linux/fuzz.h): a seeded random Linux
 * system call with random and hostile arguments.
 *
 * A table names each call's arguments by kind (a descriptor, a path, an
 * output buffer and its length, flags, ...); each kind draws from a
 * mix of good values (so the calls get past their first checks and reach
 * deep paths) and bad ones (NULL, kernel-half and non-canonical
 * addresses, the personality's own pages, read-only and unmapped pages,
 * misaligned pointers, huge lengths, negative and just-closed
 * descriptors). Then one fix-up per call keeps the invariant of fuzz.h:
 * bounded waits, no fatal signals, memory calls only on what the fuzzer
 * does not depend on. One call in eight is a number the table lacks
 * (unimplemented, unknown, past the table) with random words.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "fuzz.h"

uint64_t fz_rand(struct fz_state *s)
{
	/* xorshift64*: the same sequence for a seed on every run */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545f4914f6cdd1dull;
}

static long pick(struct fz_state *s, long n) { return (long)(fz_rand(s) % (uint64_t)n); }

struct call { short nr; const char *args; };

/*
 * Argument kinds: F descriptor, D directory descriptor (AT_FDCWD often),
 * p path the call may change (the scratch directory's names only), r path
 * it only reads (also devices and /proc), t a symbolic link's target, B
 * output buffer, b input buffer, L length, I flags or any int, n small
 * int, M address for a memory call, S structure in, O structure out, T
 * bounded timeout, V iovec array (the count follows as n), G signal safe
 * to send, P pid safe to name, X any word, 0 zero.
 */
static const struct call calls[] = {
	{ 0, "FBL" }, { 1, "FbL" }, { 2, "rII" }, { 3, "F" }, { 4, "rO" }, { 5, "FO" },
	{ 6, "rO" }, { 7, "Sn0" }, { 8, "FXn" }, { 9, "MLIIFX" }, { 10, "MLI" },
	{ 11, "ML" }, { 12, "M" }, { 13, "GSOn" }, { 14, "nSOn" }, { 16, "FIB" },
	{ 17, "FBLX" }, { 18, "FbLX" }, { 19, "FVn" }, { 20, "FVn" }, { 21, "rI" },
	{ 22, "O" }, { 23, "nSSST" }, { 24, "" }, { 25, "MLLIM" }, { 26, "MLI" },
	{ 27, "MLB" }, { 28, "MLI" }, { 32, "F" }, { 33, "FF" }, { 35, "TO" },
	{ 36, "nO" }, { 38, "nSO" }, { 39, "" }, { 40, "FFOL" }, { 41, "III" },
	{ 42, "FSL" }, { 43, "FOO" }, { 44, "FbLISL" }, { 45, "FBLIOO" }, { 46, "FSI" },
	{ 47, "FOI" }, { 48, "FI" }, { 49, "FSL" }, { 50, "FI" }, { 51, "FOO" },
	{ 52, "FOO" }, { 53, "IIIO" }, { 54, "FIISL" }, { 55, "FIIOO" }, { 56, "IMOOX" },
	{ 57, "" }, { 58, "" }, { 61, "POIO" }, { 62, "PG" }, { 63, "O" }, { 72, "FIX" },
	{ 73, "FI" }, { 74, "F" }, { 75, "F" }, { 76, "pX" }, { 77, "FX" }, { 78, "FBL" },
	{ 79, "BL" }, { 80, "p" }, { 81, "F" }, { 82, "pp" }, { 83, "pI" }, { 84, "p" },
	{ 85, "pI" }, { 86, "pp" }, { 87, "p" }, { 88, "tp" }, { 89, "rBL" }, { 90, "pI" },
	{ 91, "FI" }, { 92, "pII" }, { 93, "FII" }, { 94, "pII" }, { 95, "I" },
	{ 96, "OO" }, { 97, "nO" }, { 98, "nO" }, { 99, "O" }, { 100, "O" }, { 102, "" },
	{ 104, "" }, { 105, "I" }, { 106, "I" }, { 107, "" }, { 108, "" }, { 109, "PP" },
	{ 110, "" }, { 111, "" }, { 112, "" }, { 113, "II" }, { 114, "II" }, { 115, "nO" },
	{ 116, "nS" }, { 117, "III" }, { 118, "OOO" }, { 119, "III" }, { 120, "OOO" },
	{ 121, "P" }, { 124, "P" }, { 125, "SO" }, { 127, "On" }, { 128, "SOTn" },
	{ 131, "SO" }, { 132, "pS" }, { 133, "pII" }, { 135, "I" }, { 137, "rO" },
	{ 138, "FO" }, { 140, "nP" }, { 141, "nPI" }, { 157, "IXXXX" }, { 158, "IO" },
	{ 160, "nS" }, { 161, "p" }, { 162, "" }, { 186, "" }, { 200, "PG" }, { 201, "O" },
	{ 202, "OIXTOX" }, { 203, "PLS" }, { 204, "PLB" }, { 217, "FBL" }, { 218, "O" },
	{ 228, "nO" }, { 229, "nO" }, { 230, "nITO" }, { 234, "PPG" }, { 235, "pS" },
	{ 247, "nPOIO" }, { 257, "DrII" }, { 258, "DpI" }, { 260, "DpIII" }, { 262, "DrOI" },
	{ 263, "DpI" }, { 264, "DpDp" }, { 265, "DpDpI" }, { 266, "tDp" }, { 267, "DrBL" },
	{ 268, "DpI" }, { 269, "DrI" }, { 270, "nSSSTS" }, { 271, "SnTSn" }, { 273, "SL" },
	{ 274, "POO" }, { 275, "FOFOLI" }, { 276, "FFLI" }, { 280, "DpSI" }, { 284, "I" },
	{ 285, "FIXX" }, { 288, "FOOI" }, { 290, "II" }, { 291, "I" }, { 292, "FFI" },
	{ 293, "OI" }, { 295, "FVnX" }, { 296, "FVnX" }, { 302, "PnSO" }, { 309, "OOO" },
	{ 316, "DpDpI" }, { 318, "BLI" }, { 319, "rI" }, { 326, "FOFOLI" }, { 327, "FVnXI" },
	{ 328, "FVnXI" }, { 332, "DrIIO" }, { 334, "SLII" }, { 434, "PI" }, { 436, "FFI" },
	{ 439, "DrII" },
};
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

/* Numbers never made with random words: they end, wedge or signal the
 * fuzzer, or reach other processes' memory (fuzz.h). */
static const short never[] = {
	15, 34, 37, 59, 60, 101, 129, 130, 165, 166, 169, 222, 223, 224, 225, 226,
	231, 297, 310, 311, 317, 322, 424, 435, 232, 233, 281, 441, 240, 241, 242, 243,
	201, 202, 246, 254, 304, 308, 312, 329, 320, 170, 171, 164, 227, 159, 305, 153,
};

static int known(long nr)
{
	for (unsigned i = 0; i < NCALLS; i++)
		if (calls[i].nr == nr)
			return 1;
	for (unsigned i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (never[i] == nr)
			return 1;
	return 0;
}

/* Addresses the fuzzer does not own, each bad in its own way. */
static long bad_ptr(struct fz_state *s)
{
	static const long bad[] = {
		0, 1, 8, 4096, 0xffff800000000000l, 0xffffffffff600000l, -1l, -4096l,
		0x0000800000000000l, 0x00007ffffffff000l, 0x40000000l, 0x40001000l,
		0x7ef800000000l, 0x7ef800010000l, 0x7ef800100000l, 0x7f0000000000l,
		0x100000000000l, 0x3000l,
	};
	long k = pick(s, sizeof(bad) / sizeof(bad[0]) + 2);
	if (k == sizeof(bad) / sizeof(bad[0]))
		return (long)(s->pool - 4096 + pick(s, 4096));     /* the guard below */
	if (k > (long)(sizeof(bad) / sizeof(bad[0])))
		return (long)(s->pool + FZ_POOL + pick(s, 4096));  /* the guard above */
	return bad[k];
}

/* A pointer into the pool: aligned or not, sometimes near its end. */
static long pool_ptr(struct fz_state *s)
{
	switch (pick(s, 4)) {
	case 0: return (long)(s->pool + FZ_POOL - 1 - pick(s, 64));
	case 1: return (long)(s->pool + pick(s, FZ_POOL) );
	default: return (long)(s->pool + (pick(s, FZ_POOL / 4096) << 12));
	}
}

static long ptr(struct fz_state *s, long good)
{
	return pick(s, 5) == 0 ? bad_ptr(s) : good;
}

static long len(struct fz_state *s)
{
	static const long l[] = { 0, 1, 7, 8, 64, 4095, 4096, 4097, 65536, 65537,
		1l << 31, 1l << 40, -1l, 0x7fffffffl, 0x80000000l };
	return pick(s, 3) ? pick(s, 8192) : l[pick(s, sizeof(l) / sizeof(l[0]))];
}

static long fd(struct fz_state *s)
{
	static const long f[] = { -1, -100, 0, 1, 2, 1023, 1024, 65536, 0x7fffffff,
		-0x80000000l, 0x100000003l };
	switch (pick(s, 8)) {
	case 0: return f[pick(s, sizeof(f) / sizeof(f[0]))];
	case 1: return s->last_closed;
	case 2: return pick(s, 40);
	default: return s->fds[pick(s, s->nfds)];
	}
}

static long word(struct fz_state *s)
{
	static const long w[] = { 0, 1, -1, 2, 3, 0x80, 0x800, 0x7fffffff, 0x80000000l,
		0xffffffffl, 1l << 40, -0x8000000000000000l, 4096, 65536 };
	switch (pick(s, 4)) {
	case 0: return w[pick(s, sizeof(w) / sizeof(w[0]))];
	case 1: return (long)(fz_rand(s) & 0xffff);
	case 2: return (long)fz_rand(s);
	default: return 1l << pick(s, 32);
	}
}

/* Names in the scratch directory, the call's working directory. */
static const char *const scratch_names[] = {
	"a", "b", "d", "d/e", "d/e/f", "l", "h", "new", "d/new", "nosuch/x", "a/x",
	".", "", "l/x", "dl", "d/", "new2", "x y",
};
static const char *const read_names[] = {
	"/dev/null", "/dev/zero", "/dev/urandom", "/proc/self/stat", "/proc/self/fd",
	"/proc/self/fd/0", "/proc/self/maps", "/proc/meminfo", "/proc/1/stat",
	"/proc/self/status", "/proc/self/cmdline", "/proc/self/exe", "/proc/uptime",
	"/nonexistent/x", "/etc/passwd", "/proc/99999/stat", "/proc/self/fd/999",
};

/* A string in the argument area (at *off), or a hostile pointer. */
static long path(struct fz_state *s, int reading, long *off)
{
	char *p = s->arg + *off;
	switch (pick(s, 12)) {
	case 0: return bad_ptr(s);
	case 1: /* unterminated, running into the guard page */
		memset(s->arg + FZ_ARG - 16, 'z', 16);
		return (long)(s->arg + FZ_ARG - 16);
	case 2: /* longer than PATH_MAX, or than a name may be */
		memset(p, 'q', 4200);
		p[pick(s, 2) ? 300 : 4199] = 0;
		*off += 4200;
		return (long)p;
	case 3: case 4:
		if (reading) {
			strcpy(p, read_names[pick(s, sizeof(read_names) / sizeof(read_names[0]))]);
			break;
		}
		/* fall through */
	default:
		strcpy(p, scratch_names[pick(s, sizeof(scratch_names) / sizeof(scratch_names[0]))]);
	}
	*off += strlen(p) + 1;
	return (long)p;
}

/* A structure going in: random bytes, or plausible ones, in the area. */
static long in_struct(struct fz_state *s, long *off)
{
	long *p = (long *)(s->arg + *off);
	for (int i = 0; i < 32; i++)
		p[i] = pick(s, 3) ? (long)pick(s, 64) : word(s);
	*off += 256;
	return ptr(s, (long)p);
}

/* An iovec array into the pool, some entries bad. */
static long iovec(struct fz_state *s, long *off)
{
	long *p = (long *)(s->arg + *off);
	for (int i = 0; i < 16; i++) {
		p[2 * i] = ptr(s, pool_ptr(s));
		p[2 * i + 1] = pick(s, 6) ? pick(s, 4096) : len(s);
	}
	*off += 256;
	return ptr(s, (long)p);
}

/* A timeout that ends soon, or a bad one (never none: fuzz.h). */
static long timeout(struct fz_state *s, long *off)
{
	long *p = (long *)(s->arg + *off);
	*off += 16;
	p[0] = 0;
	p[1] = pick(s, 4) ? pick(s, 2000000) : (pick(s, 2) ? -1 : 1000000000);
	long bad = bad_ptr(s);
	if (bad == 0)
		bad = 8; /* NULL is no timeout at all: a wait for ever */
	return pick(s, 6) ? (long)p : (pick(s, 2) ? bad : (long)(s->arg + FZ_ARG - 8));
}

/* An address for a memory call: the pool, a hostile one, or a high
 * address nothing of the fuzzer's lives at. */
static long mm_addr(struct fz_state *s)
{
	switch (pick(s, 6)) {
	case 0: return bad_ptr(s);
	case 1: return 0x200000000000l + (pick(s, 1 << 20) << 12) + (pick(s, 8) ? 0 : 1);
	default: return (long)(s->pool + (pick(s, FZ_POOL / 4096) << 12)) + (pick(s, 10) ? 0 : 123);
	}
}

static int owned(struct fz_state *s, long a, long n)
{
	uintptr_t lo = (uintptr_t)a, hi = lo + (uintptr_t)(n < 0 ? 1l << 47 : n) + 4096;
	for (int i = 0; i < 4; i++)
		if (lo < s->own_hi[i] && hi > s->own_lo[i])
			return 1;
	return hi < lo; /* wraps: may cover anything */
}

/* Signals the fuzzer ignores (fuzz.c): safe to send to itself. */
static long sig(struct fz_state *s)
{
	static const long g[] = { 0, SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH, SIGURG, SIGPIPE,
		SIGHUP, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, 65, -1, 1000, 32, 34, 64 };
	return g[pick(s, sizeof(g) / sizeof(g[0]))];
}

static long pid(struct fz_state *s)
{
	/* never a pid of 1..64 but its own and its child's: another
	 * process's (the test's own parent) may have it */
	static const long p[] = { 99999, -99999, 0x7fffffff, -0x80000000l, 65, 1l << 32 };
	switch (pick(s, 4)) {
	case 0: return p[pick(s, sizeof(p) / sizeof(p[0]))];
	case 1: return s->kid;
	default: return s->pid;
	}
}

static void arg_of(struct fz_state *s, char k, long *a, long *off)
{
	switch (k) {
	case 'F': *a = fd(s); break;
	case 'D': *a = pick(s, 2) ? -100 : fd(s); break;
	case 'p': *a = path(s, 0, off); break;
	case 'r': *a = path(s, 1, off); break;
	case 't': *a = path(s, 0, off); break;
	case 'B': case 'b': *a = ptr(s, pool_ptr(s)); break;
	case 'L': *a = len(s); break;
	case 'I': *a = word(s); break;
	case 'n': *a = pick(s, 5) ? pick(s, 17) : word(s); break;
	case 'M': *a = mm_addr(s); break;
	case 'S': *a = in_struct(s, off); break;
	case 'O': *a = ptr(s, (long)(s->arg + (*off += 512) - 512)); break;
	case 'T': *a = timeout(s, off); break;
	case 'V': *a = iovec(s, off); break;
	case 'G': *a = sig(s); break;
	case 'P': *a = pid(s); break;
	case 'X': *a = (long)fz_rand(s); break;
	default: *a = 0;
	}
}

/* The fix-ups that keep fuzz.h's invariant, call by call. */
static int fix(struct fz_state *s, long nr, long *a)
{
	switch (nr) {
	case 9: /* mmap: a fixed address only where the fuzzer has nothing */
	case 10: case 11: case 26: case 27: case 28: case 25:
		if (nr == 9 && pick(s, 2))
			a[1] &= 0xfffffff;
		if (owned(s, a[0], a[1])) {
			/* the pool instead, the length cut to what is left of it */
			long at = pick(s, FZ_POOL / 4096) << 12;
			a[0] = (long)s->pool + at;
			if ((unsigned long)a[1] > (unsigned long)(FZ_POOL - at))
				a[1] = FZ_POOL - at;
		}
		if (nr == 25 && owned(s, a[4], a[2]))
			a[4] = 0x300000000000l;
		return 0;
	case 12: /* brk: never below where it started */
		if (a[0] && (uintptr_t)a[0] < (uintptr_t)s->brk0 + (1 << 20))
			a[0] = pick(s, 2) ? s->brk0 + (1 << 20) + pick(s, 1 << 20) : 1;
		return 0;
	case 13: /* rt_sigaction: only signals whose action the fuzzer does not need */
		if (a[0] >= 1 && a[0] <= 64 && a[0] != SIGCHLD && a[0] != SIGWINCH && a[0] != SIGURG)
			a[0] = pick(s, 2) ? SIGKILL : 65;
		/* a handler is SIG_DFL or SIG_IGN: never a random address to run */
		if ((uintptr_t)a[1] - (uintptr_t)s->arg < FZ_ARG - 8)
			*(long *)a[1] = pick(s, 2);
		return 0;
	case 14: /* rt_sigprocmask: any mask; a block does no harm */
		return 0;
	case 16: /* ioctl: FIONBIO/FIOASYNC fine; the argument a buffer */
		return 0;
	case 38: if (a[0] == 0) a[0] = 1; return 0;         /* setitimer: not ITIMER_REAL */
	case 56: /* clone: the child side exits at once */
		a[0] &= ~(long)(CLONE_SETTLS | 0x00400000 /* CLONE_UNTRACED */);
		a[0] = (a[0] & ~0xffl) | SIGCHLD;
		/* fall through */
	case 57: case 58:
		return s->forks++ < FZ_FORKS ? 1 : -1;
	case 61: a[2] |= 1; return 0;                      /* wait4: WNOHANG */
	case 247: a[3] |= 1; return 0;                     /* waitid: WNOHANG */
	case 62: case 200: /* kill, tkill: to itself, its child, or nobody */
		if (a[0] == s->kid && pick(s, 4) == 0)
			a[1] = SIGKILL;
		return 0;
	case 234: a[0] = pick(s, 2) ? s->pid : a[0]; return 0;
	case 72: /* fcntl: the lock commands wait for nobody else; F_SETLKW's
		  * conflicts are only with itself; the argument a pool pointer */
		a[1] = pick(s, 2) ? pick(s, 48) : (pick(s, 2) ? 1024 + pick(s, 16) : a[1]);
		if (a[1] == 7 || a[1] == 38) a[1] = 6;
		if (a[1] >= 5 && a[1] <= 7) a[2] = ptr(s, pool_ptr(s));
		if (a[1] == 36 || a[1] == 37 || a[1] == 38) a[2] = ptr(s, pool_ptr(s));
		return 0;
	case 73: a[1] |= 4; return 0;                      /* flock: LOCK_NB */
	case 133: case 259: /* mknod(at): never a named pipe, whose open would
			     * wait for a peer that never comes */
		if ((a[nr == 133 ? 1 : 2] & 0170000) == 0010000)
			a[nr == 133 ? 1 : 2] &= ~0170000l;
		return 0;
	case 80: case 161: /* chdir, chroot: only inside the scratch directory */
		if (pick(s, 2)) a[0] = (long)".";
		return 0;
	case 7: a[2] = pick(s, 3); return 0;               /* poll: a bounded timeout */
	case 158: /* arch_prctl: never move its own TLS */
		if (a[0] == 0x1001 || a[0] == 0x1002) a[0] = 0x1003 + pick(s, 2) * 1;
		return 0;
	case 160: case 302: /* rlimits: never CPU or stack */
		if (nr == 160 && (a[0] == 0 || a[0] == 3)) a[0] = 7;
		if (nr == 302 && (a[1] == 0 || a[1] == 3)) a[1] = 7;
		if (nr == 302 && pick(s, 2)) a[0] = 0;
		return 0;
	case 202: /* futex: a word in the area, never a wait without a bound */
		a[1] &= 0x18f;
		if ((a[1] & 0x7f) == 6 || (a[1] & 0x7f) == 11 || (a[1] & 0x7f) == 13)
			a[1] = 1; /* the PI locks may wait with no bound */
		return 0;
	case 218: a[0] = (long)(s->arg + FZ_ARG - 64); return 0; /* set_tid_address */
	case 131: /* sigaltstack: its own stack, or disabled (a handler runs on it) */
		if ((uintptr_t)a[0] - (uintptr_t)s->arg < FZ_ARG - 24) {
			long *ss = (long *)a[0];
			ss[0] = (long)fz_altstack + (pick(s, 4) ? 0 : 8);
			ss[1] = pick(s, 3) ? 0 : (pick(s, 2) ? 2 /* SS_DISABLE */ : 1l << 31 /* SS_AUTODISARM */);
			ss[2] = pick(s, 4) ? 65536 : 16384 + pick(s, 65536 - 16384 - 8);
		} else if (pick(s, 2))
			a[0] = 0;
		return 0;
	case 436: /* close_range: never the log */
		if ((unsigned long)a[0] <= FZ_LOGFD && (unsigned long)a[1] >= FZ_LOGFD)
			a[1] = FZ_LOGFD - 1;
		return 0;
	case 33: case 292: /* dup2, dup3: never over the log */
		if (a[1] == FZ_LOGFD)
			a[1]++;
		return 0;
	case 0: case 17: case 19: case 295: case 327: /* reads: the descriptor non-blocking */
	case 1: case 18: case 20: case 296: case 328: case 40: case 275: case 276: case 326:
	case 43: case 288: case 45: case 47: case 44: case 46: case 42:
		fz_nonblock(a[0]);
		if (nr == 40 || nr == 275 || nr == 276 || nr == 326)
			fz_nonblock(a[nr == 40 ? 1 : 2]);
		return 0;
	case 23: /* select's timeout is a timeval: microseconds */
		if ((uintptr_t)a[4] - (uintptr_t)s->arg < FZ_ARG - 16)
			((long *)a[4])[1] %= 20000;
		return 0;
	case 2: case 257: /* the system's files (r names) only read */
		if ((uintptr_t)a[nr == 2 ? 0 : 1] - (uintptr_t)s->arg < FZ_ARG &&
		    *(char *)a[nr == 2 ? 0 : 1] == '/')
			a[nr == 2 ? 1 : 2] &= ~(long)(O_ACCMODE | O_TRUNC | O_CREAT | O_APPEND | 0x400000);
		return 0;
	case 91: case 93: case 260: case 280: case 268:
		/* fchmod, fchown, and the *at forms on a descriptor: never a
		 * device everyone uses (dup2 may have put one at any number) */
		if (fz_device(a[0]))
			a[0] = -1;
		return 0;
	}
	return 0;
}

int fz_gen(struct fz_state *s, long *nr, long a[6])
{
	long off = 0;
	for (;;) {
		if (pick(s, 8) == 0) {
			/* a number the table does not know, with random words */
			do
				*nr = pick(s, 4) ? pick(s, 1024) : 1024 + pick(s, 4096 - 1024);
			while (known(*nr));
			for (int i = 0; i < 6; i++)
				a[i] = pick(s, 2) ? word(s) : bad_ptr(s);
			return 0;
		}
		const struct call *c = &calls[pick(s, NCALLS)];
		*nr = c->nr;
		int n = (int)strlen(c->args);
		for (int i = n; i < 6; i++)
			a[i] = word(s);
		for (int i = 0; i < n; i++)
			arg_of(s, c->args[i], &a[i], &off);
		int f = fix(s, *nr, a);
		if (f >= 0)
			return f;
	}
}

/* The oracle: answers fixed by the man pages whatever the state. A
 * descriptor that cannot be open (negative, past the limit of 256 the
 * personality has and the 1024 Linux's default) is EBADF for every call
 * that looks it up first (pread64, preadv, ftruncate check their offset
 * or length before: not here); ENOSYS is also accepted (unimplemented).
 * A number past every table is ENOSYS. A count never exceeds the length
 * asked. */
const char *fz_wrong(long nr, const long *a, long r)
{
	static const short fd_first[] = { 0, 1, 3, 5, 8, 16, 19, 20, 32, 72, 73, 74, 75, 78, 81, 91,
		93, 138, 217 };
	int fd = (int)a[0];

	if (nr >= 460 && nr < 4096)
		return r == -ENOSYS ? 0 : "not ENOSYS for a number no table has";
	for (unsigned i = 0; i < sizeof(fd_first) / sizeof(fd_first[0]); i++)
		if (nr == fd_first[i] && (fd < 0 || fd >= 1024) && r != -EBADF && r != -ENOSYS)
			return "not EBADF for a descriptor that cannot be open";
	if ((nr == 0 || nr == 1 || nr == 17 || nr == 18 || nr == 217 || nr == 89) && r > 0 &&
	    (unsigned long)r > (unsigned long)a[2])
		return "more bytes than asked";
	if ((nr == 79 || nr == 318) && r > 0 && (unsigned long)r > (unsigned long)a[1])
		return "more bytes than asked";
	if ((nr == 2 || nr == 257 || nr == 32 || nr == 33 || nr == 292 || nr == 85) && r >= 256)
		return "a descriptor past the table";
	return 0;
}
