/*
 * poll and ppoll over the descriptors there are: the terminal's (and the
 * capture mode's pipes and /dev/null). Outputs are always ready; the only
 * thing that can become ready is the terminal's input, and the console can
 * only be asked by reading, so a poll that must wait for it blocks in a
 * READ whose bytes are kept for the next read (console.c). A timeout is
 * honoured when nothing waits for the terminal; one that waits for it
 * blocks until input comes (the timer server will bound it).
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

/* timeout: ns, < 0 for none. */
static long do_poll(lm_u64 ufds, lm_u64 n, long timeout)
{
	static struct lx_pollfd fds[LX_NOFILE];
	int tty_in, ready;

	if (n > LX_NOFILE) /* RLIMIT_NOFILE */
		return -EINVAL;
	if (!lx_writable(ufds, n * sizeof fds[0]) || lx_copy_in(fds, ufds, n * sizeof fds[0]))
		return -EFAULT;
	ready = scan(fds, n, &tty_in);
	if (!ready && timeout != 0) {
		if (tty_in) {
			int r = lx_con_input_ready(1);

			if (r < 0) /* a signal (Ctrl-C): poll is never restarted */
				return -ERESTARTNOHAND;
			ready = scan(fds, n, &tty_in);
		} else if (lx_sleep_ns(timeout)) {
			return -ERESTARTNOHAND;
		}
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

/* ppoll(fds, nfds, timeout, sigmask, sigsetsize): sigmask is the mask
 * while it waits; if a signal interrupts it, the handler's frame holds the
 * old mask (as rt_sigsuspend's), else it is put back at once. */
LX_SYS(ppoll)
{
	struct lx_timespec ts;
	lm_u64 mask;
	long r;

	if (a[2]) {
		if (lx_copy_in(&ts, a[2], sizeof ts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000l)
			return -EINVAL;
	}
	if (a[3] && a[4] != 8)
		return -EINVAL;
	if (a[3] && lx_copy_in(&mask, a[3], sizeof mask))
		return -EFAULT;
	if (a[3])
		lx_sig_mask_for_wait(mask);
	r = do_poll(a[0], a[1], a[2] ? ts.tv_sec * 1000000000l + ts.tv_nsec : -1);
	if (a[3] && r != -ERESTARTNOHAND)
		lx_sig_mask_restore();
	return r;
}
