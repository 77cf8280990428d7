/*
 * The line discipline's state (tty.c), one for the whole process tree the
 * shell started on the console, as Linux keeps one per terminal: termios
 * and the input queue live in pages every process of the tree maps at
 * LX_TTY_VA (tty_share.c; a fork gives the child the same frames), so a
 * byte one process took from the console is there for whichever reads
 * next, and a mode one sets holds for all. Without those pages (no
 * memory, capture mode) the state is the process's own.
 *
 * One process at a time changes it: lx_tty_lock (the personality of a
 * process is one thread; processes may preempt each other on one CPU).
 */
#ifndef LX_TTY_H
#define LX_TTY_H

#include "lx.h"

#define LX_TTY_Q_SIZE    4096 /* the input queue, as Linux's */
#define LX_TTY_MAX_LINES 256

struct lx_tty {
	lm_u32 lock;                        /* 1 while a process changes the rest */
	lm_u32 nq;                          /* bytes in q */
	lm_u32 nlines;                      /* complete lines at q's start */
	lm_u32 necho;                       /* bytes in echo_buf */
	struct lx_termios tio;
	lm_u32 lines[LX_TTY_MAX_LINES];     /* their lengths (0: end of file) */
	char echo_buf[256];
	char q[LX_TTY_Q_SIZE];              /* complete lines, then the one being edited */
};

extern struct lx_tty *lx_tty;

/* tty_share.c */
void lx_tty_share_init(const struct lx_termios *initial);
void lx_tty_lock(void);
void lx_tty_unlock(void);

#endif
