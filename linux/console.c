/*
 * The terminal: descriptors 0, 1 and 2 of a Linux process start on the
 * Lamina console (servers/console). Output goes through the console
 * endpoint bootinfo names; input through the input endpoint the shell lends
 * its foreground program (LM_SLOT_CONSOLE_IN), 32 bytes per READ at most.
 * Both pass through the line discipline (tty.c) on the way.
 *
 * Capture mode (linux -x, for test runners such as tests/tools/test_busybox.py):
 * stdout and stderr are kept apart in buffers and printed at exit as
 *   @@LX-OUT <bytes> <hex>\n  @@LX-ERR <bytes> <hex>\n  @@LX-STATUS <code>\n
 * so a runner can compare both streams byte for byte with a host run; the
 * program then sees what a host program run by a test runner sees: stdout
 * and stderr are pipes and stdin is at end of file (like /dev/null).
 */
#include "lx.h"

#define CAP_MAX (64u << 10)

/* The capture buffers live in pages of their own (LX_CAPTURE_VA), which a
 * fork gives the child writable: every process of the tree appends to the
 * same two streams, as to a pipe the test runner reads, and the top one
 * prints them when it (and so the whole tree) has ended. */
struct capture {
	lm_u64 len[2];
	lm_u64 cut;
	lm_u8 pad[4096 - 24];
	char buf[2][CAP_MAX];
};
#define CAP_PAGES (sizeof(struct capture) / LM_PAGE_SIZE)
LM_STATIC_ASSERT(sizeof(struct capture) % LM_PAGE_SIZE == 0, "whole pages");
static lm_cptr_t cap_frames[CAP_PAGES];
static struct capture *cap = (struct capture *)LX_CAPTURE_VA;
#define cap_len cap->len
#define cap_buf cap->buf
#define cap_cut cap->cut

int lx_con_capture_init(void)
{
	for (lm_u32 i = 0; i < CAP_PAGES; i++)
		if (lm_vm_own_frame_get(&cap_frames[i]) ||
		    lm_map_page(LM_SLOT_VSPACE, cap_frames[i], LX_CAPTURE_VA + i * LM_PAGE_SIZE,
				LM_R_READ | LM_R_WRITE))
			return -ENOMEM;
	return 0;
}

int lx_con_fork_share(struct lm_fork_child *c)
{
	lm_cptr_t cn = lm_fork_child_cnode(c);

	/* the console input the shell lent us, if it did; GRANT: the child
	 * sends its own notification with CON_NOTIFY when it reads (tty.c) */
	lm_cnode_copy(cn, LM_SLOT_CONSOLE_IN, LM_SLOT_CNODE, LM_SLOT_CONSOLE_IN,
		      LM_R_WRITE | LM_R_GRANT);
	if (lx_tty_fork_share(c))
		return -ENOMEM;
	for (lm_u32 i = 0; lx_capture && i < CAP_PAGES; i++) {
		int err = lm_cnode_copy(cn, cap_frames[i], LM_SLOT_CNODE, cap_frames[i],
					LM_R_READ | LM_R_WRITE);
		if (err)
			return err;
	}
	return 0;
}

void lx_con_fork_child(void)
{
	lx_tty_fork_child();
	for (lm_u32 i = 0; lx_capture && i < CAP_PAGES; i++)
		lm_map_page(LM_SLOT_VSPACE, cap_frames[i], LX_CAPTURE_VA + i * LM_PAGE_SIZE,
			    LM_R_READ | LM_R_WRITE);
}

static lm_cptr_t con(void)
{
	return lx_bi->console_slot;
}

static int raw_write(const void *buf, lm_u64 n)
{
	return con() ? lm_con_write(con(), buf, n) : lm_debug_write(buf, n);
}

long lx_con_raw_write(const void *buf, lm_u64 n)
{
	return raw_write(buf, n) ? -EIO : (long)n;
}

long lx_con_write(int which, const void *buf, lm_u64 n)
{
	if (lx_capture) {
		lm_u64 room = CAP_MAX - cap_len[which - 1];
		lm_u64 k = n < room ? n : room;

		memcpy(cap_buf[which - 1] + cap_len[which - 1], buf, k);
		cap_len[which - 1] += k;
		cap_cut |= k < n;
		return (long)n;
	}
	return lx_tty_write(buf, n);
}

/* One READ of up to n (<= CON_MAX_BYTES) bytes from the console, as typed:
 * the count, -EINTR (the console interrupted: Ctrl-C), -EIO. */
long lx_con_raw_read(void *buf, lm_u64 n)
{
	lm_u32 got;
	int err = lm_con_read(LM_SLOT_CONSOLE_IN, buf, n < CON_MAX_BYTES ? (lm_u32)n : CON_MAX_BYTES,
			      &got);

	if (err == LM_EINTR)
		return -EINTR;
	return err ? -EIO : (long)got;
}

long lx_con_raw_read_now(void *buf, lm_u64 n)
{
	lm_u32 got;
	int err = lm_con_read_now(LM_SLOT_CONSOLE_IN, buf,
				  n < CON_MAX_BYTES ? (lm_u32)n : CON_MAX_BYTES, &got);

	if (err == LM_EINTR) /* the console interrupted: the shell stops us */
		return -EINTR;
	return err ? -EIO : (long)got;
}

int lx_con_notify(void)
{
	lm_cptr_t minted = lx_wake_mint(LX_WAKE_CON);
	int err;

	if (!minted)
		return -1;
	err = lm_con_notify(LM_SLOT_CONSOLE_IN, 1);
	lx_wake_unmint(minted);
	return err ? -1 : 0;
}

long lx_con_read(void *buf, lm_u64 n)
{
	if (lx_capture || !n)
		return 0;
	return lx_tty_read(buf, n);
}

/* Whether read(0) would return at once: in capture mode always (end of
 * file); on the terminal as the line discipline says (tty.c), which with
 * `wait` reads the console until it would. 0, 1, or -EINTR. */
int lx_con_input_ready(int wait)
{
	return lx_capture ? 1 : lx_tty_input_ready(wait);
}

int lx_con_is_tty(int which)
{
	return !lx_capture;
}

static void put_hex(const char *tag, int which)
{
	static const char dig[] = "0123456789abcdef";
	char line[512];
	lm_u64 n = 0;

	lm_printf("@@LX-%s %lu ", tag, cap_len[which]);
	for (lm_u64 i = 0; i < cap_len[which]; i++) {
		line[n++] = dig[(lm_u8)cap_buf[which][i] >> 4];
		line[n++] = dig[cap_buf[which][i] & 15];
		if (n == sizeof line) {
			raw_write(line, n);
			n = 0;
		}
	}
	line[n++] = '\n';
	raw_write(line, n);
}

void lx_con_flush_capture(int status)
{
	if (!lx_capture)
		return;
	lm_printf("\n");
	put_hex("OUT", 0);
	put_hex("ERR", 1);
	if (cap_cut)
		lm_printf("@@LX-TRUNCATED\n");
	lm_printf("@@LX-STATUS %d\n", status);
}
