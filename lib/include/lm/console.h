/*
 * The console protocol (servers/console) and its client side. A call's
 * label is `op | n << 8`; WRITE carries up to CON_MAX_BYTES bytes packed
 * little-endian in the four register words; READ never blocks and returns
 * what is buffered (a client that gets nothing waits on the console's input
 * notification). Programs started with a console find its endpoint at
 * LM_SLOT_CONSOLE, named by bootinfo's console_slot; lm_printf then prints
 * through it instead of the kernel's debug console.
 */
#ifndef LM_CONSOLE_H
#define LM_CONSOLE_H

#include <lamina/types.h>

#define CON_WRITE      1
#define CON_READ       2

#define CON_OK         0
#define CON_EBADREQ    1

#define CON_MAX_BYTES  32
#define CON_LABEL(op, n)   ((lm_u64)(op) | ((lm_u64)(n) << 8))
#define CON_LABEL_OP(l)    ((l) & 0xff)
#define CON_LABEL_N(l)     (((l) >> 8) & 0xff)

/* Where parents put a child's console endpoint (WRITE). */
#define LM_SLOT_CONSOLE    7

/* Write n bytes through console endpoint ep; LM_OK or the call's error. */
int lm_con_write(lm_cptr_t ep, const void *buf, lm_u64 n);

/* Send lm_printf's output to console endpoint ep (0: the debug console). */
void lm_stdout_use(lm_cptr_t ep);

#endif
