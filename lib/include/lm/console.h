/*
 * The console protocol (servers/console) and its client side. A call's
 * label is `op | n << 8`; WRITE carries up to CON_MAX_BYTES bytes packed
 * little-endian in the four register words.
 *
 * Output is open to every holder of the console endpoint (LM_SLOT_CONSOLE,
 * named by bootinfo's console_slot; lm_printf prints through it).
 *
 * Input is a capability of its own: the console's input endpoint. Root
 * gives it to the shell only; the shell lends a copy to the program it runs
 * in the foreground, at LM_SLOT_CONSOLE_IN, and revokes it when the program
 * ends. Whoever holds it owns the keyboard; READ on the output endpoint is
 * refused (CON_ENOTOWNER). READ blocks until there is input, or until
 * Ctrl-C is typed (CON_EINTR); Ctrl-C itself never reaches READ unless
 * the owner asked for it (CON_MODE_RAWINTR).
 */
#ifndef LM_CONSOLE_H
#define LM_CONSOLE_H

#include <lamina/types.h>

#define CON_WRITE      1
#define CON_READ       2
#define CON_MODE       4 /* input endpoint only: n = the new CON_MODE_* flags */
#define CON_READ_NOW   5 /* input endpoint only: READ that never waits (0 bytes if none) */
#define CON_NOTIFY     6 /* input endpoint only: + a notification to signal on input, or none */

/* The console's modes (CON_MODE; all off at boot, and the shell turns them
 * off again when its foreground program ends): for a client that runs its
 * own line discipline (the Linux personality's terminal, linux/tty.c). */
#define CON_MODE_NOECHO  0x1 /* input is not echoed: the client echoes */
#define CON_MODE_RAWINTR 0x2 /* Ctrl-C is input like any byte; a second one typed
			      * while the first is still unread interrupts as usual */
#define CON_MODE_RAWOUT  0x4 /* output goes out as written: "\n" stays "\n" */
#define CON_MODE_ALL     0x7

#define CON_OK         0
#define CON_EBADREQ    1 /* unknown operation */
#define CON_ENOTOWNER  2 /* READ on the output endpoint: input is not yours */
#define CON_EINTR      3 /* READ ended by Ctrl-C, no bytes */

#define CON_MAX_BYTES  32
#define CON_LABEL(op, n)   ((lm_u64)(op) | ((lm_u64)(n) << 8))
#define CON_LABEL_OP(l)    ((l) & 0xff)
#define CON_LABEL_N(l)     (((l) >> 8) & 0xff)

/* Where parents put a child's console endpoint (WRITE). */
#define LM_SLOT_CONSOLE    7
/* Where the shell lends the foreground program the input endpoint (WRITE).
 * The first slot after the fixed ones: in a program that was not lent
 * input it holds something else (or nothing), and READ fails with
 * LM_ETYPE or LM_ECAP. */
#define LM_SLOT_CONSOLE_IN 8

/* Write n bytes through console endpoint ep; LM_OK or the call's error. */
int lm_con_write(lm_cptr_t ep, const void *buf, lm_u64 n);

/* Read 1..max (at most CON_MAX_BYTES) input bytes through input endpoint
 * `in`, blocking until there are some; *got says how many. LM_OK, the
 * call's error, LM_EINTR (Ctrl-C was typed: no bytes), LM_ERIGHTS (`in`
 * is the output endpoint: not the input owner) or LM_EINVAL. */
int lm_con_read(lm_cptr_t in, void *buf, lm_u32 max, lm_u32 *got);

/* Set the console's mode flags (CON_MODE_*) through input endpoint `in`;
 * *old (may be 0) gets the flags before, *echoed (may be 0) how many of
 * the bytes waiting to be read the console echoed already (when echo goes
 * off: the client, which echoes from now on, must not echo those again).
 * LM_OK, the call's error, LM_ERIGHTS (not the input owner) or LM_EINVAL
 * (unknown flags). */
int lm_con_mode(lm_cptr_t in, lm_u32 mode, lm_u32 *old, lm_u32 *echoed);

/* As lm_con_read, but never waits: *got may be 0. */
int lm_con_read_now(lm_cptr_t in, void *buf, lm_u32 max, lm_u32 *got);

/* Ask the console to signal a notification whenever input arrives (with
 * `cap`: the notification named in send_caps[0] of the caller's IPC
 * buffer, which the caller must have), or to stop (without). LM_OK, the
 * call's error, LM_ERIGHTS (not the input owner), LM_EINVAL (no
 * notification arrived). */
int lm_con_notify(lm_cptr_t in, int cap);

/* Send lm_printf's output to console endpoint ep (0: the debug console). */
void lm_stdout_use(lm_cptr_t ep);

#endif
