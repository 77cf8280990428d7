/*
 * Stand-ins for the signal delivery (linux/signal*.c, another branch of
 * this increment): weak, so that the real ones replace them when the
 * branches merge. lx_sig_post applies only a signal's default action, and
 * ignores what the program asked for (no handler can run without delivery):
 * end the process with status 128 + sig, except for the signals whose
 * default is to be ignored, and the stop signals, which are ignored too
 * (no job control: nobody could continue the process).
 */
#include "lx.h"

__attribute__((weak)) void lx_sig_post(int sig, int code, int pid)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return;
	}
	lx_exit(128 + sig);
}

__attribute__((weak)) int lx_sig_pending_unblocked(void)
{
	return 0;
}
