/*
 * The terminal's line discipline, as Linux's n_tty does it, run here in the
 * personality: the console server (servers/console) only moves bytes. At
 * start the personality asks the console (CON_MODE, through the input
 * endpoint the shell lent it) not to echo, to pass Ctrl-C on as a byte and
 * to leave output alone; from then on what termios says is done here:
 *
 *   input:  ISTRIP, IGNCR, ICRNL, INLCR; ISIG (VINTR -> SIGINT, VQUIT ->
 *           SIGQUIT, VSUSP -> SIGTSTP, sent to the terminal's foreground
 *           process group through the process manager, jobctl.c; the
 *           queue is flushed unless NOFLSH); ICANON: a read
 *           returns at most one line, VERASE (and backspace, 0x08) erases
 *           a character, VWERASE a word, VKILL the line, VEOF ends the line
 *           without itself (on an empty line: a read returns 0);
 *           non-canonical: VMIN and VTIME as termios(3) says (without the
 *           console's notification, VMIN 0 counts as 1 and VTIME is
 *           ignored: a console READ that waits cannot be bounded in time);
 *   echo:   ECHO, ECHOE ("\b \b"), ECHOK/ECHOKE (the line erased), ECHONL,
 *           ECHOCTL (^X for control bytes);
 *   output: OPOST + ONLCR ("\n" -> "\r\n").
 *
 * Bytes are echoed when the personality takes them from the console: when
 * the program reads or polls the terminal, or, when the console signals
 * the wake notification on input (CON_NOTIFY, LX_WAKE_CON), whenever the
 * personality wakes from a wait (a sleep, a poll, a wait4), so that a
 * Ctrl-C or Ctrl-Z typed meanwhile reaches the foreground group. The
 * console tells one process of input: the last that waited to read the
 * terminal asks it to (CON_NOTIFY) before each such wait; a shell waiting
 * for its foreground job so still sees the job's Ctrl-Z unless the job
 * itself reads the terminal. Without that notification a wait for input
 * is a console READ that waits, which no timer or signal can end.
 * Bytes typed before the personality took the console over were echoed by
 * the console (CON_MODE says how many wait unread): they are not echoed
 * again. If the console refuses the mode (input not lent), the console's
 * own echo and line ends are left in place and only ICRNL is applied here,
 * as before.
 */
#include "tty.h"

#define Q_SIZE    LX_TTY_Q_SIZE
#define MAX_LINES LX_TTY_MAX_LINES

/* termios bits (asm-generic/termbits.h) */
#define ISTRIP  0x20
#define INLCR   0x40
#define IGNCR   0x80
#define ICRNL   0x100
#define OPOST   0x1
#define ONLCR   0x4
#define ISIG    0x1
#define ICANON  0x2
#define ECHO    0x8
#define ECHOE   0x10
#define ECHOK   0x20
#define ECHONL  0x40
#define NOFLSH  0x80
#define TOSTOP  0x100
#define ECHOCTL 0x200
#define ECHOKE  0x800
#define IEXTEN  0x8000
enum { VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6,
       VSUSP = 10, VEOL = 11, VWERASE = 14 };

static const struct lx_termios tio_initial = {
	.iflag = ICRNL | 0x400,     /* ICRNL | IXON */
	.oflag = OPOST | ONLCR,
	.cflag = 0xbf,              /* B38400 | CS8 | CREAD */
	.lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	.cc = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22 },
};

static int own;               /* the console took our mode: the discipline is ours */
static lm_u32 echoed;         /* bytes to come that the console echoed before it was ours */
static int notified;          /* the console signals LX_WAKE_CON on input: waits are ours too */
/* The shared state (tty.h), by the names it had when it was ours alone. */
#define tio      lx_tty->tio
#define q        lx_tty->q
#define nq       lx_tty->nq
#define lines    lx_tty->lines
#define nlines   lx_tty->nlines
#define echo_buf lx_tty->echo_buf
#define necho    lx_tty->necho

void lx_tty_init(void)
{
	own = !lx_capture &&
	      lm_con_mode(LM_SLOT_CONSOLE_IN, CON_MODE_ALL, 0, &echoed) == LM_OK;
	notified = own && lx_con_notify() == 0;
	if (own)
		lx_tty_share_init(&tio_initial);
	else
		tio = tio_initial;
}

static int canon(void)
{
	return (tio.lflag & ICANON) != 0;
}

/* Output, with OPOST/ONLCR applied when the discipline is ours. */
static long out(const char *buf, lm_u64 n)
{
	char b[128];
	lm_u64 i = 0;

	if (!own || (tio.oflag & (OPOST | ONLCR)) != (OPOST | ONLCR))
		return lx_con_raw_write(buf, n);
	while (i < n) {
		lm_u32 k = 0;

		for (; i < n && k < sizeof b - 1; i++) {
			if (buf[i] == '\n')
				b[k++] = '\r';
			b[k++] = buf[i];
		}
		long r = lx_con_raw_write(b, k);
		if (r < 0)
			return r;
	}
	return (long)n;
}

/* With TOSTOP (stty tostop), a write from a background group is SIGTTOU's
 * first, as a change of the terminal is (Linux's n_tty_write through
 * tty_check_change): allowed if the writer ignores or blocks SIGTTOU,
 * EIO from an orphaned group, else SIGTTOU to its group and the write
 * starts again once it is continued (or EINTR after a handler without
 * SA_RESTART). Echo is the discipline's, never checked. */
long lx_tty_write(const void *buf, lm_u64 n)
{
	long r;

	if ((tio.lflag & TOSTOP) && (r = lx_job_check(SIGTTOU)))
		return r;
	return out(buf, n);
}

static void echo_flush(void)
{
	if (necho)
		out(echo_buf, necho);
	necho = 0;
}

static void echo_put(char c)
{
	if (necho == sizeof echo_buf)
		echo_flush();
	echo_buf[necho++] = c;
}

static int is_ctl(char c)
{
	return ((lm_u8)c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

/* Echo one input byte as ECHO and ECHOCTL say. */
static void echo_char(char c)
{
	if (!(tio.lflag & ECHO))
		return;
	if (is_ctl(c) && (tio.lflag & ECHOCTL)) {
		echo_put('^');
		echo_put((char)(c ^ 0x40));
	} else {
		echo_put(c);
	}
}

static lm_u32 ready_bytes(void)
{
	lm_u32 r = 0;

	for (lm_u32 i = 0; i < nlines; i++)
		r += lines[i];
	return r;
}

/* Erase the last byte of the line being edited, on screen too. */
static int erase_one(void)
{
	if (nq == ready_bytes())
		return 0;
	char c = q[--nq];
	if ((tio.lflag & (ECHO | ECHOE)) == (ECHO | ECHOE))
		for (int k = is_ctl(c) && (tio.lflag & ECHOCTL) ? 2 : 1; k > 0; k--) {
			echo_put('\b');
			echo_put(' ');
			echo_put('\b');
		}
	return 1;
}

static void end_line(void)
{
	lm_u32 start = ready_bytes();

	if (nlines < MAX_LINES)
		lines[nlines++] = nq - start;
}

/* A signal character: flush, show it, raise the signal. */
static void isig(char c, int sig)
{
	if (!(tio.lflag & NOFLSH)) {
		nq = 0;
		nlines = 0;
	}
	echo_char(c);
	echo_flush();
	lx_job_ttysig(sig);
}

static void canon_char(char c)
{
	lm_u8 *cc = tio.cc;

	if (c == (char)cc[VERASE] || c == 0x08) {
		erase_one();
	} else if (c == (char)cc[VWERASE] && (tio.lflag & IEXTEN)) {
		while (nq > ready_bytes() && q[nq - 1] == ' ')
			erase_one();
		while (nq > ready_bytes() && q[nq - 1] != ' ')
			erase_one();
	} else if (c == (char)cc[VKILL]) {
		if (tio.lflag & (ECHOK | ECHOKE))
			while (erase_one())
				;
		else
			nq = ready_bytes();
	} else if (c == (char)cc[VEOF]) {
		end_line();
	} else if (nq < Q_SIZE - 1 || c == '\n') {
		/* the last byte of the queue is kept for a line end */
		if (nq == Q_SIZE)
			return;
		q[nq++] = c;
		if (c == '\n' || (cc[VEOL] && c == (char)cc[VEOL])) {
			if (!(tio.lflag & ECHO) && (tio.lflag & ECHONL))
				echo_put('\n');
			else
				echo_char(c);
			end_line();
		} else {
			echo_char(c);
		}
	}
}

static void input_char(char c)
{
	lm_u8 *cc = tio.cc;

	if (tio.iflag & ISTRIP)
		c &= 0x7f;
	if (c == '\r') {
		if (tio.iflag & IGNCR)
			return;
		if (tio.iflag & ICRNL)
			c = '\n';
	} else if (c == '\n' && (tio.iflag & INLCR)) {
		c = '\r';
	}
	int sig = !(tio.lflag & ISIG) ? 0 :
		  cc[VINTR] && c == (char)cc[VINTR] ? SIGINT :
		  cc[VQUIT] && c == (char)cc[VQUIT] ? SIGQUIT :
		  cc[VSUSP] && c == (char)cc[VSUSP] ? SIGTSTP : 0;

	if (sig) {
		isig(c, sig);
	} else if (canon()) {
		canon_char(c);
	} else if (nq < Q_SIZE) {
		q[nq++] = c;
		echo_char(c);
	}
}

static void input(const char *b, long n)
{
	lx_tty_lock();
	for (long i = 0; i < n; i++)
		if (own && echoed) { /* typed ahead and shown: not again */
			lm_u32 shown = necho;

			input_char(b[i]);
			necho = shown;
			echoed--;
		} else if (own) {
			input_char(b[i]);
		} else if (nq < Q_SIZE) /* the console echoed and edits: only ICRNL */
			q[nq++] = b[i] == '\r' && (tio.iflag & ICRNL) ? '\n' : b[i];
	echo_flush();
	lx_tty_unlock();
}

/* Take what the console has now (never waiting): bytes taken, or -EIO. */
static long pump(void)
{
	char b[CON_MAX_BYTES];
	long r, total = 0;

	do { /* bounded: the console's ring holds 4 KiB */
		r = lx_con_raw_read_now(b, sizeof b);
		if (r < 0)
			return r;
		input(b, r);
		total += r;
	} while (r == sizeof b && total < 8192);
	return total;
}

void lx_tty_pump(void)
{
	if (notified)
		pump();
}

int lx_tty_can_wait(void)
{
	return notified;
}

static int readable(lm_u64 want);
static long mono_ns(void);
#define LOST_WAKE_NS 100000000l

/* Before a wait for input: the console tells us of it from now on (or,
 * if it will not, waits for the terminal are console READs). */
void lx_tty_listen(void)
{
	if (notified && lx_con_notify())
		notified = 0;
}

/* A wait for input ends by `until` (< 0: none) and within LOST_WAKE_NS:
 * bytes another process of the tree took from the console before we
 * listened are in the shared queue, but the console told that process. */
long lx_tty_bound(long until)
{
	long b = mono_ns() + LOST_WAKE_NS;

	return until < 0 || b < until ? b : until;
}

/* Get more input through the discipline: 0, -EINTR (a signal is pending,
 * or Ctrl-C when the console interrupted), -EIO. With the console's
 * notification the wait is lx_block's (a timer or a signal ends it too);
 * without, a console READ that waits. */
static long fill(void)
{
	char b[CON_MAX_BYTES];
	long r;

	lx_tty_listen();
	if (notified) {
		/* Told of input from now on; what another process of the tree
		 * took from the console before is in the shared queue, but
		 * the console told that process, not us: the wait is bounded
		 * (LOST_WAKE_NS) so that such bytes are seen. */
		r = pump();
		if (r == 0 && !readable(1))
			r = lx_block(lx_tty_bound(-1));
	} else {
		r = lx_con_raw_read(b, sizeof b);
		if (r > 0)
			input(b, r);
	}
	if (r < 0)
		return r;
	return lx_sig_pending_unblocked() ? -EINTR : 0;
}

/* Readable now: a line (or end of file) in canonical mode, min(VMIN,
 * want) bytes otherwise. */
static int readable(lm_u64 want)
{
	lm_u64 vmin = tio.cc[VMIN] ? tio.cc[VMIN] : 1;

	if (own && canon())
		return nlines > 0;
	return nq >= (want < vmin ? want : vmin) && nq > 0;
}

static long take(char *buf, lm_u64 n)
{
	lm_u32 k = nq < n ? nq : (lm_u32)n;

	if (own && canon() && nlines) {
		if (!lines[0]) { /* end of file: this read returns 0 */
			memmove(lines, lines + 1, --nlines * sizeof lines[0]);
			return 0;
		}
		if (k > lines[0])
			k = lines[0];
		lines[0] -= k;
		if (!lines[0])
			memmove(lines, lines + 1, --nlines * sizeof lines[0]);
	}
	memcpy(buf, q, k);
	memmove(q, q + k, nq - k);
	nq -= k;
	return (long)k;
}

/* Take what is readable, if it still is (another process of the tree
 * may have taken it since we looked): the count, or -EAGAIN. */
static long take_ready(char *buf, lm_u64 n, int any)
{
	long r = -EAGAIN;

	lx_tty_lock();
	if (any || readable(n))
		r = take(buf, n);
	lx_tty_unlock();
	return r;
}

static long mono_ns(void)
{
	long ns = 0;

	lx_clock_ns(CLOCK_MONOTONIC, &ns);
	return ns;
}

/* Non-canonical with VTIME (tenths of a second) or VMIN 0, as termios(3)
 * says: VMIN 0 VTIME 0 takes what is there (maybe nothing); VMIN 0 waits
 * at most VTIME for a first byte; VMIN > 0 waits for a first byte, then
 * for VMIN bytes as long as each comes within VTIME of the one before.
 * Needs waits that a timer can end (notified). */
static long timed_read(char *buf, lm_u64 n)
{
	lm_u64 vmin = tio.cc[VMIN], want = vmin < n ? vmin : n;
	long vtime = tio.cc[VTIME] * 100000000l, until = -1, r;
	lm_u32 last;

	pump();
	lx_tty_listen();
	if (vmin && !nq) { /* the first byte: no time limit */
		while (!nq)
			if ((r = fill()) < 0)
				return r;
	}
	last = nq;
	if (vtime)
		until = mono_ns() + vtime;
	while (vtime && nq < (vmin ? want : 1) && mono_ns() < until) {
		if ((r = lx_block(until)) < 0)
			return r;
		pump();
		if (vmin && nq != last) { /* VTIME runs from the last byte */
			last = nq;
			until = mono_ns() + vtime;
		}
	}
	return take_ready(buf, n, 1);
}

static long read_now(void *buf, lm_u64 n)
{
	long r;

	if (notified && !canon() && (!tio.cc[VMIN] || tio.cc[VTIME]))
		return timed_read(buf, n);
	while ((r = take_ready(buf, n, 0)) == -EAGAIN)
		if ((r = fill()) < 0)
			return r;
	return r;
}

/* A read from a background group is SIGTTIN's first (jobctl.c); one a
 * signal ends is restarted if no handler runs or it has SA_RESTART, as
 * Linux's n_tty has it (so a stop and continue is not seen). */
long lx_tty_read(void *buf, lm_u64 n)
{
	long r = lx_job_check(SIGTTIN);

	if (r)
		return r;
	r = read_now(buf, n);
	return r == -EINTR && lx_sig_pending_unblocked() ? -ERESTARTSYS : r;
}

/* 1 if a read would return at once; with `wait`, read the console until
 * one would (0, 1 or -EINTR). */
int lx_tty_input_ready(int wait)
{
	if (!readable(1))
		lx_tty_pump();
	while (!readable(1)) {
		if (!wait)
			return 0;
		long r = fill();
		if (r < 0)
			return (int)r;
	}
	return 1;
}

/* TCGETS (set 0), TCSETS/TCSETSW (1), TCSETSF (2: the input is flushed).
 * Output is never queued here, so TCSETSW has nothing to wait for. Bytes
 * already queued are one line being edited after a switch to canonical
 * mode, and all readable after a switch away from it. */
void lx_con_termios(struct lx_termios *t, int set)
{
	if (!set) {
		*t = tio;
		return;
	}
	lx_tty_lock();
	if (set == 2)
		nq = 0;
	tio = *t;
	nlines = 0;
	lx_tty_unlock();
}
