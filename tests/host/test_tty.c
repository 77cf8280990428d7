/* The Linux personality's line discipline (linux/tty.c) on the host, with
 * the console replaced by a script of typed bytes and a capture of what is
 * echoed or written. */
#include "check.h"

#include <lamina/types.h>

/* The personality's view of the world, as tty.c needs it (tty.h, lx.h);
 * the state shared by a process tree (tty_share.c) is this process's own
 * here, and job control (jobctl.c) lets every read through and posts a
 * typed signal to us. */
#include "../../linux/tty.h"

static struct lx_tty state;
struct lx_tty *lx_tty = &state;

void lx_tty_share_init(const struct lx_termios *initial)
{
	state.tio = *initial;
}

void lx_tty_lock(void)
{
}

void lx_tty_unlock(void)
{
}

long lx_job_check(int sig)
{
	return 0;
}

int lx_capture;
static const char *typed;   /* what the console READ hands out next */
static char shown[4096];    /* what went to the screen */
static size_t nshown;
static int posted[65];

long lx_con_raw_write(const void *buf, lm_u64 n)
{
	memcpy(shown + nshown, buf, n);
	nshown += n;
	return (long)n;
}

long lx_con_raw_read(void *buf, lm_u64 n)
{
	size_t k = strlen(typed);

	if (!k)
		return -5; /* -EIO: the script ran out (a test bug) */
	k = k < n ? k : n;
	k = k < 3 ? k : 3; /* a few bytes per READ, as a typist's come */
	memcpy(buf, typed, k);
	typed += k;
	return (long)k;
}

/* The console's "input came" notification (CON_NOTIFY): the suite runs
 * once without it (reads are console READs that wait) and once with it
 * (reads that never wait, then a wait on the wake notification). */
static int notify_ok;
static int blocks;

int lx_con_notify(void)
{
	return notify_ok ? 0 : -1;
}

long lx_con_raw_read_now(void *buf, lm_u64 n)
{
	return *typed ? lx_con_raw_read(buf, n) : 0;
}

int lx_clock_ns(lm_u64 id, long *ns)
{
	static long t;

	*ns = t += 1000000; /* a clock that moves 1 ms a look */
	return 0;
}

long lx_block(long until)
{
	blocks++;
	/* nothing more will come: a wait without a deadline would be for
	 * ever, so -EINTR ends it (as a signal would); one with a deadline
	 * passes (the clock moves on every look). A read's wait for input
	 * always has one (tty.c's bound for bytes another process took), so
	 * with nothing typed it would go round for ever: after 100,000
	 * bounded waits, far more than a VTIME test takes, -EINTR too. */
	if (*typed)
		return 0;
	return until >= 0 && blocks < 100000 ? 0 : -4;
}

static lm_u32 typed_ahead; /* bytes the console echoed before the mode changed */

int lm_con_mode(lm_u64 in, lm_u32 mode, lm_u32 *old, lm_u32 *echoed)
{
	*echoed = typed_ahead;
	return 0;
}

void lx_job_ttysig(int sig)
{
	posted[sig]++;
}

void lx_sig_post(int sig, int code, int pid)
{
	posted[sig]++;
}

int lx_sig_pending_unblocked(void)
{
	return 0;
}

static struct lx_termios cooked;

static void reset(const char *script)
{
	typed = script;
	nshown = 0;
	memset(shown, 0, sizeof shown);
	memset(posted, 0, sizeof posted);
	blocks = 0;
	lx_con_termios(&cooked, 2);
}

static long rd(char *buf, size_t n)
{
	long r = lx_tty_read(buf, n);

	if (r >= 0)
		buf[r] = 0;
	return r;
}

static void canonical_read_returns_one_line_with_cr_as_nl(void)
{
	char b[64];

	reset("ab\rcd\r");
	CHECK(rd(b, sizeof b) == 3 && !strcmp(b, "ab\n"));
	CHECK(rd(b, sizeof b) == 3 && !strcmp(b, "cd\n"));
	CHECK(!strcmp(shown, "ab\r\ncd\r\n")); /* echo, with ONLCR */
}

static void erase_word_erase_and_kill_edit_the_line(void)
{
	char b[64];

	reset("abX\x7f" "c\x08" "d one two\x17" "x\r");
	CHECK(rd(b, sizeof b) == 10 && !strcmp(b, "abd one x\n"));
	reset("junk\x15ok\r");
	CHECK(rd(b, sizeof b) == 3 && !strcmp(b, "ok\n"));
	CHECK(strstr(shown, "\b \b\b \b\b \b\b \bok"));
}

static void eof_on_an_empty_line_reads_0_and_ends_a_line_elsewhere(void)
{
	char b[64];

	reset("ab\x04\x04");
	CHECK(rd(b, sizeof b) == 2 && !strcmp(b, "ab"));
	CHECK(rd(b, sizeof b) == 0);
}

static void a_short_read_takes_the_rest_of_the_line_next(void)
{
	char b[64];

	reset("hello\r");
	CHECK(rd(b, 2) == 2 && !strcmp(b, "he"));
	CHECK(rd(b, sizeof b) == 4 && !strcmp(b, "llo\n"));
}

static void ctrl_c_posts_sigint_flushes_and_echoes(void)
{
	char b[64];

	reset("abc\x03x\r");
	CHECK(rd(b, sizeof b) == 2 && !strcmp(b, "x\n"));
	CHECK(posted[2] == 1);
	CHECK(!strncmp(shown, "abc^C", 5));
	reset("\x1c\x1az\r");
	CHECK(rd(b, sizeof b) == 2 && posted[3] == 1 && posted[20] == 1);
}

static void raw_mode_returns_bytes_as_typed_without_echo(void)
{
	struct lx_termios t = cooked;
	char b[64];

	t.lflag &= ~(0x2u | 0x8u | 0x1u); /* ICANON, ECHO, ISIG */
	t.cc[6] = 1;                       /* VMIN */
	reset("q\x03\x7f");
	lx_con_termios(&t, 1);
	CHECK(rd(b, 1) == 1 && b[0] == 'q');
	CHECK(rd(b, sizeof b) == 2 && b[0] == 3 && b[1] == 0x7f); /* no signal, no erase */
	CHECK(posted[2] == 0 && nshown == 0);
	t.cc[6] = 4;
	reset("abcdef");
	lx_con_termios(&t, 1);
	CHECK(rd(b, sizeof b) >= 4); /* waits for VMIN bytes */
	lx_con_termios(&cooked, 1);
}

static void output_gets_cr_before_nl_unless_opost_is_off(void)
{
	struct lx_termios t = cooked;

	reset("");
	CHECK(lx_tty_write("a\nb\n", 4) == 4 && !strcmp(shown, "a\r\nb\r\n"));
	t.oflag = 0;
	lx_con_termios(&t, 1);
	nshown = 0;
	memset(shown, 0, sizeof shown);
	CHECK(lx_tty_write("a\n", 2) == 2 && !strcmp(shown, "a\n"));
	lx_con_termios(&cooked, 1);
}

static void poll_readiness_is_a_whole_line_in_canonical_mode(void)
{
	char b[64];

	reset("ab\r");
	CHECK(lx_tty_input_ready(0) == 0);
	CHECK(lx_tty_input_ready(1) == 1);
	CHECK(rd(b, sizeof b) == 3);
}

static void a_read_with_nothing_typed_waits_on_the_wake_notification(void)
{
	char b[8];

	reset("");
	blocks = 0;
	CHECK(lx_tty_read(b, sizeof b) == -4 && blocks >= 1);
}

static void vmin_0_reads_what_is_there_and_vtime_bounds_the_wait(void)
{
	struct lx_termios t = cooked;
	char b[64];

	t.lflag &= ~(0x2u | 0x8u); /* ICANON, ECHO */
	t.cc[6] = 0;               /* VMIN */
	t.cc[5] = 0;               /* VTIME */
	reset("");
	lx_con_termios(&t, 1);
	CHECK(lx_tty_read(b, sizeof b) == 0);
	reset("ab");
	lx_con_termios(&t, 1);
	CHECK(lx_tty_read(b, sizeof b) == 2);
	t.cc[5] = 2;               /* 0.2 s */
	lx_con_termios(&t, 1);
	typed = "";
	blocks = 0;
	CHECK(lx_tty_read(b, sizeof b) == 0 && blocks > 0); /* waited, then timed out */
	lx_con_termios(&cooked, 1);
}

static void bytes_the_console_echoed_are_not_echoed_again(void)
{
	char b[64];

	typed_ahead = 3;
	lx_tty_init();
	reset("abcd\r");
	CHECK(rd(b, sizeof b) == 5 && !strcmp(b, "abcd\n"));
	CHECK(!strcmp(shown, "d\r\n"));
	typed_ahead = 0;
	lx_tty_init();
}

static void suite(void)
{
	RUN(canonical_read_returns_one_line_with_cr_as_nl);
	RUN(erase_word_erase_and_kill_edit_the_line);
	RUN(eof_on_an_empty_line_reads_0_and_ends_a_line_elsewhere);
	RUN(a_short_read_takes_the_rest_of_the_line_next);
	RUN(ctrl_c_posts_sigint_flushes_and_echoes);
	RUN(raw_mode_returns_bytes_as_typed_without_echo);
	RUN(output_gets_cr_before_nl_unless_opost_is_off);
}

int main(void)
{
	lx_tty_init();
	lx_con_termios(&cooked, 0);
	suite();
	RUN(poll_readiness_is_a_whole_line_in_canonical_mode);
	notify_ok = 1;
	lx_tty_init();
	suite();
	RUN(a_read_with_nothing_typed_waits_on_the_wake_notification);
	RUN(vmin_0_reads_what_is_there_and_vtime_bounds_the_wait);
	RUN(bytes_the_console_echoed_are_not_echoed_again);
	return CHECK_DONE();
}
