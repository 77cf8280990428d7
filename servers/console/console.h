/*
 * The console protocol: what servers/console (the user-level COM1 driver)
 * understands, shared with its clients (apps/shell.c).
 *
 * Messages use only the four register words, so neither side needs an IPC
 * buffer: up to CON_MAX_BYTES (32) bytes per call, packed little-endian in
 * w0..w3 (byte i is bits 8*(i%8).. of word i/8). Every request is an
 * EP_CALL and gets exactly one reply (the server has one reply right at a
 * time, so it never keeps a caller waiting: READ does not block).
 *
 *   CON_WRITE: label = CON_WRITE | n << 8, n <= 32 bytes in w0..w3.
 *              Output "\n" becomes "\r\n".
 *              Reply: label = CON_OK | n << 8 (n bytes written).
 *   CON_READ:  label = CON_READ | max << 8 (max <= 32; 0 means 32).
 *              Reply: label = CON_OK | n << 8, n (0..max) input bytes in
 *              w0..w3. n == 0: nothing typed yet; wait on the input
 *              notification, then ask again.
 *   Anything else: reply label = CON_EBADREQ.
 *
 * Input is echoed by the server as it arrives: printable bytes as they
 * are, CR or LF as "\r\n", backspace (0x08) and DEL (0x7f) as "\b \b"
 * (only over bytes echoed since the last line end or output), nothing for
 * other control bytes. The bytes themselves reach READ unchanged (CR and
 * LF included); line editing is the client's.
 *
 * Capability slots in the console server's CSpace (root puts them there):
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <lm/console.h>

/* The server's slots. */
#define CON_SLOT_IOPORT    4   /* the I/O ports (a copy of root's) */
#define CON_SLOT_IRQ       8   /* IRQ capability for line 4 (COM1) */
#define CON_SLOT_EP        9   /* its service endpoint (READ) */
#define CON_SLOT_INPUT     10  /* "input available" notification (WRITE) */
#define CON_SLOT_IRQ_NTFN  11  /* its own notification: IRQ + bound to its TCB */

#define CON_IRQ_LINE       4
#define CON_PORT           0x3f8

/* The shell's slots (root puts them there; see servers/root). */
#define SH_SLOT_IOPORT     4   /* devices, passed on to ktest */
#define SH_SLOT_IRQCTL     6
#define SH_SLOT_CON_EP     8   /* the console endpoint (WRITE) */
#define SH_SLOT_CON_INPUT  9   /* the input notification (READ) */
#define SH_SLOT_CON_TCB    10  /* the console's thread (READ), for ps */

#endif
