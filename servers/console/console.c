/*
 * console: the user-level COM1 driver (protocol in console.h).
 *
 * Root starts it with a copy of the I/O-port capability, the IRQ capability
 * for line 4, its service endpoint, the "input available" notification it
 * signals, and a notification of its own that it binds to its TCB and to
 * the IRQ. Then it serves forever, one EP_RECV / EP_REPLY_RECV per event:
 *   - a notification (LM_MSG_NOTIFY): the UART interrupted; take every byte
 *     it has, echo it, keep it in the ring, IRQ_ACK, signal the clients;
 *   - CON_WRITE / CON_READ calls, each answered at once (a server holds one
 *     reply right at a time, so READ never blocks: it may return 0 bytes).
 */
#include <lm/lamina.h>
#include "console.h"

/* 16550 registers (offsets from CON_PORT). */
#define RBR 0 /* receive buffer (read) / transmit holding (write) */
#define IER 1
#define IIR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define LSR_DR   0x01 /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */
#define IER_RDA  0x01 /* interrupt on received data */
#define MCR_DTR_RTS_OUT2 0x0b /* OUT2 gates the IRQ line to the interrupt controller */

#define RING_SIZE 4096 /* a power of two */

static lm_u8 ring[RING_SIZE];
static lm_u32 ring_head, ring_tail; /* head: next to read; tail: next to write */
static lm_u32 col;   /* bytes echoed since the last line end or output: what backspace may erase */
static int last_cr;  /* the last input byte was CR: a following LF is part of the same line end */

static lm_u64 inb(lm_u64 reg)
{
	lm_u64 v = 0;

	lm_ioport_in(CON_SLOT_IOPORT, CON_PORT + reg, 1, &v);
	return v & 0xff;
}

static void outb(lm_u64 reg, lm_u64 v)
{
	lm_ioport_out(CON_SLOT_IOPORT, CON_PORT + reg, 1, v);
}

static void tx(lm_u8 c)
{
	for (int i = 0; i < 100000 && !(inb(LSR) & LSR_THRE); i++)
		;
	outb(RBR, c);
}

/* Output from a client: "\n" becomes "\r\n". */
static void put(lm_u8 c)
{
	if (c == '\n')
		tx('\r');
	tx(c);
}

static void echo(lm_u8 c)
{
	int cr = last_cr;

	last_cr = c == '\r';
	if (c == '\r' || c == '\n') {
		if (c == '\n' && cr)
			return; /* CR LF: one line end, already echoed */
		tx('\r');
		tx('\n');
		col = 0;
	} else if (c == 0x08 || c == 0x7f) {
		if (col) {
			tx('\b');
			tx(' ');
			tx('\b');
			col--;
		}
	} else if (c >= 0x20 && c < 0x7f) {
		tx(c);
		col++;
	}
}

/* Take every byte the UART holds; 1 if there were any. */
static int drain(void)
{
	int got = 0;

	for (int i = 0; i < 4096 && (inb(LSR) & LSR_DR); i++) {
		lm_u8 c = (lm_u8)inb(RBR);

		got = 1;
		if (ring_tail - ring_head == RING_SIZE)
			continue; /* full: drop, and do not echo what is lost */
		ring[ring_tail++ & (RING_SIZE - 1)] = c;
		echo(c);
	}
	return got;
}

static void on_irq(void)
{
	int got = drain();

	lm_irq_ack(CON_SLOT_IRQ);
	got |= drain(); /* bytes that came between the drain and the ack */
	if (got)
		lm_ntfn_signal(CON_SLOT_INPUT);
}

static void unpack(const lm_u64 w[4], lm_u8 *b, lm_u32 n)
{
	for (lm_u32 i = 0; i < n; i++)
		b[i] = (lm_u8)(w[i / 8] >> (8 * (i % 8)));
}

static void pack(lm_u64 w[4], const lm_u8 *b, lm_u32 n)
{
	w[0] = w[1] = w[2] = w[3] = 0;
	for (lm_u32 i = 0; i < n; i++)
		w[i / 8] |= (lm_u64)b[i] << (8 * (i % 8));
}

/* Serve one request; the reply goes into *info and w[]. */
static void serve(const struct lm_msg *m, lm_u64 *info, lm_u64 w[4])
{
	lm_u64 label = LM_MSG_LABEL(m->info);
	lm_u32 n = CON_LABEL_N(label);
	lm_u8 b[CON_MAX_BYTES];

	switch (CON_LABEL_OP(label)) {
	case CON_WRITE:
		if (n > CON_MAX_BYTES)
			n = CON_MAX_BYTES;
		unpack(m->w, b, n);
		for (lm_u32 i = 0; i < n; i++)
			put(b[i]);
		if (n)
			col = 0; /* the echoed input is no longer the last thing shown */
		w[0] = w[1] = w[2] = w[3] = 0;
		*info = LM_MSG_INFO(CON_LABEL(CON_OK, n), 0, 0);
		return;
	case CON_READ:
		if (n == 0 || n > CON_MAX_BYTES)
			n = CON_MAX_BYTES;
		lm_u32 k = 0;
		while (k < n && ring_head != ring_tail)
			b[k++] = ring[ring_head++ & (RING_SIZE - 1)];
		pack(w, b, k);
		*info = LM_MSG_INFO(CON_LABEL(CON_OK, k), 4, 0);
		return;
	}
	w[0] = w[1] = w[2] = w[3] = 0;
	*info = LM_MSG_INFO(CON_EBADREQ, 0, 0);
}

static int setup(void)
{
	int err = lm_thread_bind_notify(LM_SLOT_TCB, CON_SLOT_IRQ_NTFN);

	if (err) {
		lm_printf("console: cannot bind its notification: %s\n", lm_err_str(err));
		return err;
	}
	outb(IER, 0);
	outb(LCR, 0x03); /* 8N1 (the kernel set 115200 baud) */
	outb(MCR, MCR_DTR_RTS_OUT2);
	(void)inb(LSR);
	(void)inb(IIR);
	(void)inb(MSR);
	err = lm_irq_set_notify(CON_SLOT_IRQ, CON_SLOT_IRQ_NTFN);
	if (err) {
		lm_printf("console: cannot route IRQ %u: %s\n", CON_IRQ_LINE, lm_err_str(err));
		return err;
	}
	outb(IER, IER_RDA);
	drain(); /* typed before we were listening */
	return LM_OK;
}

int main(lm_word_t arg)
{
	struct lm_msg m;
	lm_u64 info = 0, w[4] = { 0 };
	int owed = 0, err;

	if (setup())
		return 1;
	for (;;) {
		if (owed)
			err = lm_ep_reply_recv(CON_SLOT_EP, info, w[0], w[1], w[2], w[3], &m);
		else
			err = lm_ep_recv(CON_SLOT_EP, &m);
		owed = 0;
		if (err) {
			if (err != LM_EINTR && err != LM_EDELETED) {
				lm_printf("console: receive failed: %s\n", lm_err_str(err));
				return 1;
			}
			continue;
		}
		if (m.info & LM_MSG_NOTIFY) {
			on_irq();
			continue;
		}
		serve(&m, &info, w);
		owed = 1;
	}
}
