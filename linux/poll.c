/*
 * poll and ppoll over the descriptors there are: the terminal's (and the
 * capture mode's pipes and /dev/null). Outputs are always ready; the only
 * thing that can become ready is the terminal's input. A poll that must
 * wait is a loop of lx_block (sleep.c): until the deadline (the timer
 * server), a signal (EINTR) or the console's signal that input came
 * (LX_WAKE_CON), then a new scan. Without the console's signal, a wait for
 * the terminal blocks in a console READ whose bytes the next read gets,
 * and the timeout is not honoured.
 */
#include "lx.h"

/* Fill in revents; the number of descriptors with any. */
static int scan(struct lx_pollfd *fds, lm_u64 n, int *tty_in)
{
	int ready = 0;

	*tty_in = 0;
	for (lm_u64 i = 0; i < n; i++) {
		fds[i].revents = fds[i].fd < 0 ? 0 : lx_fd_poll(fds[i].fd, fds[i].events, tty_in);
		ready += fds[i].revents != 0;
	}
	return ready;
}

static long now_ns(void)
{
	long ns = 0;

	lx_clock_ns(CLOCK_MONOTONIC, &ns);
	return ns;
}

/* timeout: ns, < 0 for none. */
static long do_poll(lm_u64 ufds, lm_u64 n, long timeout)
{
	static struct lx_pollfd fds[LX_NOFILE];
	int tty_in, ready;
	long until = timeout > 0 ? now_ns() + timeout : -1, r;

	if (n > LX_NOFILE) /* RLIMIT_NOFILE */
		return -EINVAL;
	if (!lx_writable(ufds, n * sizeof fds[0]) || lx_copy_in(fds, ufds, n * sizeof fds[0]))
		return -EFAULT;
	ready = scan(fds, n, &tty_in);
	while (!ready && timeout != 0) {
		if (tty_in && !lx_tty_can_wait()) {
			/* only a console READ that waits can tell: no timeout */
			r = lx_con_input_ready(1);
			if (r < 0)
				return r;
			ready = scan(fds, n, &tty_in);
			break;
		}
		r = lx_block(until); /* the terminal's input, a timer, a signal */
		if (r < 0)
			return r;
		ready = scan(fds, n, &tty_in);
		if (until >= 0 && now_ns() >= until)
			break;
	}
	lx_copy_out(ufds, fds, n * sizeof fds[0]);
	return ready;
}

/* poll(fds, nfds, timeout_ms) */
LX_SYS(poll)
{
	int ms = (int)a[2];

	return do_poll(a[0], a[1], ms < 0 ? -1 : ms * 1000000l);
}

/* ppoll(fds, nfds, timeout, sigmask, sigsetsize): the mask only matters
 * once signals are delivered. */
LX_SYS(ppoll)
{
	struct lx_timespec ts;

	if (a[2]) {
		if (lx_copy_in(&ts, a[2], sizeof ts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000l)
			return -EINVAL;
	}
	if (a[3] && a[4] != 8)
		return -EINVAL;
	return do_poll(a[0], a[1], a[2] ? ts.tv_sec * 1000000000l + ts.tv_nsec : -1);
}
