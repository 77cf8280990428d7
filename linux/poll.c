/*
 * poll, ppoll, select and pselect6 over every kind of descriptor: files
 * of the file server (always ready), pipe ends (ready as the server
 * says), the terminal (its outputs always, its input when bytes are
 * ahead).
 *
 * Waiting: the descriptors are scanned; if none is ready and there is a
 * timeout other than 0, they are scanned again with FS_POLL_ARM, so that
 * the server signals our wake notification when a pipe end that was not
 * ready changes, and we wait in lx_block (sleep.c): until the deadline
 * (the timer server), a signal (-EINTR), a pipe's change (LX_WAKE_FS) or
 * the console's signal that input came (LX_WAKE_CON), then scan again.
 * Without the console's signal (lx_tty_can_wait), a wait that includes
 * the terminal blocks in a console READ whose bytes the next read gets,
 * and the timeout is not honoured.
 */
#include "lx.h"

#define FD_WORDS (LX_NOFILE / 64)

/* Fill in revents; the number of descriptors with any. */
static int scan(struct lx_pollfd *fds, lm_u64 n, int arm, int *tty_in)
{
	int ready = 0;

	*tty_in = 0;
	for (lm_u64 i = 0; i < n; i++) {
		fds[i].revents = fds[i].fd < 0 ? 0 :
				 lx_fd_poll(fds[i].fd, fds[i].events, arm, tty_in);
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

/* Until a descriptor is ready (their number), the timeout passes (ns;
 * < 0: none; 0) or a signal is pending (-EINTR); *left: what remains. */
static long wait_ready(struct lx_pollfd *fds, lm_u64 n, long timeout, long *left)
{
	long until = timeout > 0 ? now_ns() + timeout : -1, r;
	int tty_in, ready = scan(fds, n, 0, &tty_in);

	*left = 0;
	while (!ready && timeout != 0) {
		ready = scan(fds, n, 1, &tty_in);
		if (ready)
			break;
		if (tty_in)
			lx_tty_listen(); /* the console tells us of input from now on */
		if (tty_in && !lx_tty_can_wait()) {
			/* only a console READ that waits can tell: no timeout */
			r = lx_con_input_ready(1);
			if (r < 0)
				return r;
			ready = scan(fds, n, 0, &tty_in);
			break;
		}
		/* a pipe, the terminal's input, a timer, a signal */
		r = lx_block(tty_in ? lx_tty_bound(until) : until);
		if (r < 0)
			return r;
		ready = scan(fds, n, 0, &tty_in);
		if (until >= 0 && now_ns() >= until)
			break;
	}
	if (until >= 0 && now_ns() < until)
		*left = until - now_ns();
	return ready;
}

/* timeout: ns, < 0 for none. */
static long do_poll(lm_u64 ufds, lm_u64 n, long timeout)
{
	static struct lx_pollfd fds[LX_NOFILE];
	long ready, left;

	if (n > LX_NOFILE) /* RLIMIT_NOFILE */
		return -EINVAL;
	if (!lx_writable(ufds, n * sizeof fds[0]) || lx_copy_in(fds, ufds, n * sizeof fds[0]))
		return -EFAULT;
	ready = wait_ready(fds, n, timeout, &left);
	if (ready >= 0)
		lx_copy_out(ufds, fds, n * sizeof fds[0]);
	return ready;
}

/* poll(fds, nfds, timeout_ms) */
LX_SYS(poll)
{
	int ms = (int)a[2];

	return do_poll(a[0], a[1], ms < 0 ? -1 : ms * 1000000l);
}

/* A timespec argument: ns (or -1 for none: a null pointer). */
static long timespec_arg(lm_u64 uts, long *ns)
{
	struct lx_timespec ts;

	*ns = -1;
	if (!uts)
		return 0;
	if (lx_copy_in(&ts, uts, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000l)
		return -EINVAL;
	*ns = ts.tv_sec * 1000000000l + ts.tv_nsec;
	return 0;
}

/* ppoll(fds, nfds, timeout, sigmask, sigsetsize): sigmask is the mask
 * while it waits; if a signal interrupts it, the handler's frame holds the
 * old mask (as rt_sigsuspend's), else it is put back at once. */
LX_SYS(ppoll)
{
	lm_u64 mask;
	long ns, r, err = timespec_arg(a[2], &ns);

	if (err)
		return err;
	if (a[3] && a[4] != 8)
		return -EINVAL;
	if (a[3] && lx_copy_in(&mask, a[3], sizeof mask))
		return -EFAULT;
	if (a[3])
		lx_sig_mask_for_wait(mask);
	r = do_poll(a[0], a[1], ns);
	if (r == -EINTR)
		r = -ERESTARTNOHAND; /* poll is never restarted */
	if (a[3] && r != -ERESTARTNOHAND)
		lx_sig_mask_restore();
	return r;
}

/* select's three sets as poll's events: read, write, except (POLLPRI). */
static long do_select(lm_u64 nfds, const lm_u64 *usets, long timeout, long *left)
{
	static lm_u64 sets[3][FD_WORDS];
	static struct lx_pollfd fds[LX_NOFILE];
	static const short ev[3] = { POLLIN, POLLOUT, POLLPRI };
	static const short hit[3] = { POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI };
	int nf = (int)nfds; /* an int in Linux: the high half is not looked at */
	lm_u64 n = nf < LX_NOFILE ? (lm_u64)nf : LX_NOFILE, bytes = (n + 63) / 64 * 8, m = 0;
	long ready, count = 0;

	if (nf < 0)
		return -EINVAL;
	for (int s = 0; s < 3; s++) {
		memset(sets[s], 0, sizeof sets[s]);
		if (usets[s] && lx_copy_in(sets[s], usets[s], bytes))
			return -EFAULT;
	}
	for (lm_u64 fd = 0; fd < n; fd++) {
		short e = 0;

		for (int s = 0; s < 3; s++)
			e |= (sets[s][fd / 64] >> (fd % 64)) & 1 ? ev[s] : 0;
		if (!e)
			continue;
		if (lx_fd_handle((long)fd) == -EBADF)
			return -EBADF;
		fds[m++] = (struct lx_pollfd){ (int)fd, e, 0 };
	}
	ready = wait_ready(fds, m, timeout, left);
	if (ready < 0)
		return ready;
	for (int s = 0; s < 3; s++)
		memset(sets[s], 0, sizeof sets[s]);
	for (lm_u64 i = 0; i < m; i++)
		for (int s = 0; s < 3; s++)
			if ((fds[i].events & ev[s]) && (fds[i].revents & hit[s])) {
				sets[s][fds[i].fd / 64] |= 1ull << (fds[i].fd % 64);
				count++;
			}
	for (int s = 0; s < 3; s++)
		if (usets[s] && lx_copy_out(usets[s], sets[s], bytes))
			return -EFAULT;
	return count;
}

/* select(nfds, readfds, writefds, exceptfds, timeout): the timeout is
 * left holding the time not slept, as Linux does. */
LX_SYS(select)
{
	struct lx_timeval tv;
	long ns = -1, left, r;

	if (a[4]) {
		if (lx_copy_in(&tv, a[4], sizeof tv))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		ns = tv.tv_sec * 1000000000l + tv.tv_usec * 1000;
	}
	r = do_select(a[0], &a[1], ns, &left);
	if (r >= 0 && a[4]) {
		tv = (struct lx_timeval){ left / 1000000000l, left % 1000000000l / 1000 };
		lx_copy_out(a[4], &tv, sizeof tv);
	}
	return r;
}

/* pselect6(nfds, readfds, writefds, exceptfds, timeout, {sigmask, size}):
 * the mask applies while it waits, as ppoll's (a handler's frame holds
 * the old one); an interrupted pselect6 is never restarted. */
LX_SYS(pselect6)
{
	struct lx_timespec ts;
	lm_u64 sig[2] = { 0, 0 }, mask;
	long ns, left, r = timespec_arg(a[4], &ns);

	if (r)
		return r;
	if (a[5]) {
		if (lx_copy_in(sig, a[5], sizeof sig))
			return -EFAULT;
		if (sig[0] && sig[1] != 8)
			return -EINVAL;
		if (sig[0] && lx_copy_in(&mask, sig[0], sizeof mask))
			return -EFAULT;
	}
	if (sig[0])
		lx_sig_mask_for_wait(mask);
	r = do_select(a[0], &a[1], ns, &left);
	if (r == -EINTR)
		r = -ERESTARTNOHAND;
	if (sig[0] && r != -ERESTARTNOHAND)
		lx_sig_mask_restore();
	if (r >= 0 && a[4]) {
		ts = (struct lx_timespec){ left / 1000000000l, left % 1000000000l };
		lx_copy_out(a[4], &ts, sizeof ts);
	}
	return r;
}
