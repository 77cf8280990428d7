/*
 * The console protocol: what servers/console (the user-level COM1 driver)
 * understands, shared with its clients (lib/console.c, apps/shell.c).
 *
 * Messages use only the four register words, so neither side needs an IPC
 * buffer (but for CON_NOTIFY's capability): up to CON_MAX_BYTES (32) bytes
 * per call, packed little-endian in w0..w3 (byte i is bits 8*(i%8).. of
 * word i/8). Every request is an EP_CALL and gets exactly one reply.
 *
 * Two endpoints, each a capability:
 *   output (LM_SLOT_CONSOLE in every program): anyone may WRITE;
 *   input: READ. Root gives it to the shell alone; the shell lends a copy
 *          to the program it runs in the foreground (LM_SLOT_CONSOLE_IN)
 *          and revokes it when that program ends. Holding it is owning
 *          the keyboard: nobody else can name it.
 *
 *   CON_WRITE (output): label = CON_WRITE | n << 8, n <= 32 bytes in w0..w3.
 *              Output "\n" becomes "\r\n".
 *              Reply: label = CON_OK | n << 8 (n bytes written).
 *   CON_READ (input): label = CON_READ | max << 8 (max <= 32; 0 means 32).
 *              Blocks until input is typed. Reply: label = CON_OK | n << 8,
 *              n (1..max) input bytes in w0..w3; or CON_EINTR (no bytes)
 *              if Ctrl-C was typed while it waited.
 *   CON_MODE (input): label = CON_MODE | flags << 8 (CON_MODE_* of
 *              lm/console.h). Reply: label = CON_OK | old flags << 8, w0 =
 *              how many of the unread bytes were echoed (0 if echo was
 *              off); CON_EBADREQ for unknown flags.
 *   CON_READ_NOW (input): as CON_READ, but never waits: n may be 0.
 *   CON_NOTIFY (input), with one capability: a notification the server
 *              signals whenever input arrives (or Ctrl-C is kept as input),
 *              replacing any earlier one; without a capability: none.
 *              Reply: label = CON_OK | kept << 8 (kept = 1 if a notification
 *              is kept now); CON_EBADREQ if the capability is no
 *              notification (none is kept then). Sending a capability needs
 *              GRANT on the input endpoint (the shell lends it so).
 *   CON_READ, CON_MODE, CON_READ_NOW, CON_NOTIFY (output): reply label =
 *              CON_ENOTOWNER at once.
 *   Anything else: reply label = CON_EBADREQ.
 *
 * Input is echoed by the server as it arrives: printable bytes as they
 * are, CR or LF as "\r\n", backspace (0x08) and DEL (0x7f) as "\b \b"
 * (only over bytes echoed since the last line end or output), Ctrl-C as
 * "^C\r\n", nothing for other control bytes. The bytes themselves reach
 * READ unchanged (CR and LF included), except Ctrl-C, which is never
 * buffered: it signals the shell's interrupt notification (the shell stops
 * its foreground program) and ends a READ that is waiting. Bytes typed
 * before it stay buffered. Line editing is the client's. The modes change
 * this for a client with a line discipline of its own: CON_MODE_NOECHO (no
 * echo), CON_MODE_RAWINTR (Ctrl-C is a byte READ returns, but a second one
 * typed while the first is unread interrupts as above), CON_MODE_RAWOUT
 * (no "\r" added to output). The shell resets them when its foreground
 * program ends.
 *
 * Capability slots in the console server's CSpace (root puts them there):
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <lm/console.h>

/* The server's slots. */
#define CON_SLOT_IOPORT    4   /* COM1's eight ports */
#define CON_SLOT_IRQ       8   /* IRQ capability for line 4 (COM1) */
#define CON_SLOT_EP        9   /* the output endpoint (READ: it serves it) */
#define CON_SLOT_INTR      10  /* the shell's interrupt notification (WRITE, badged) */
#define CON_SLOT_IRQ_NTFN  11  /* its own notification: IRQ + bound to its TCB */
#define CON_SLOT_IN_EP     12  /* the input endpoint (READ) */
#define CON_SLOT_WAKE      13  /* the reader's "input or Ctrl-C" notification */
#define CON_SLOT_READER    14  /* the reader thread (made and configured by root) */
#define CON_SLOT_IPCBUF    15  /* the reader's IPC buffer frame (CON_NOTIFY brings a cap) */
#define CON_IPCBUF_VA      0x500000000ull

#define CON_IRQ_LINE       4
#define CON_PORT           0x3f8

/* The shell's slots (root puts them there; see servers/root). */
#define SH_SLOT_IOPORT     4   /* devices, passed on to ktest */
#define SH_SLOT_IRQCTL     6
#define SH_SLOT_CON_EP     8   /* the console's output endpoint (WRITE) */
#define SH_SLOT_CON_IN     9   /* the console's input endpoint (WRITE): lent to the foreground */
#define SH_SLOT_CON_TCB    10  /* the console's thread (READ), for ps */
#define SH_SLOT_EVENTS     11  /* its event notification (READ, WRITE): Ctrl-C, child stops */

/* Bits of the shell's event notification: the badge each signaller uses. */
#define SH_EV_DONE         0x1 /* the foreground program stopped (the shell's own mint) */
#define SH_EV_INTR         0x2 /* Ctrl-C (the console's copy, minted by root) */

#endif
