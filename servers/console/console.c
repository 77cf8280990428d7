/*
 * console: the user-level COM1 driver (protocol in console.h).
 *
 * Root starts it with COM1's I/O ports, the IRQ capability for line 4, its
 * two endpoints (output, for everyone; input, for the one who owns the
 * keyboard), the shell's interrupt notification, a notification of its own
 * that it binds to its TCB and to the IRQ, and a second thread.
 *
 * The main thread serves the output endpoint forever, one EP_RECV /
 * EP_REPLY_RECV per event:
 *   - a notification (LM_MSG_NOTIFY): the UART interrupted; take every byte
 *     it has, echo it, keep it in the ring, IRQ_ACK, wake the reader. A
 *     Ctrl-C (0x03) is not kept: it signals the shell's interrupt
 *     notification and ends a READ that is waiting;
 *   - CON_WRITE, answered at once; CON_READ and CON_MODE, refused
 *     (CON_ENOTOWNER).
 * The reader thread serves the input endpoint: a READ waits (holding its
 * caller's reply right) until the ring has bytes or Ctrl-C comes; CON_MODE
 * sets the flags (no echo, Ctrl-C as input, output untranslated) that the
 * main thread applies to the bytes it handles from then on. Being a
 * thread of its own, it can keep one caller waiting without holding up
 * output. The ring has one writer (main) and one reader (reader).
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

#define CTRL_C 0x03

static lm_u8 ring[RING_SIZE];
/* head: next to read, written only by the reader; tail: next to write,
 * written only by the main thread. Each reads the other's with acquire,
 * so a byte is in ring[] before the reader can see tail move past it. */
static lm_u32 ring_head, ring_tail;
/* Ctrl-C: main counts them in intr_seq and, before each count, stores in
 * intr_tail where the ring ended; the reader drops input up to there. */
static lm_u32 intr_seq, intr_tail;
static lm_u32 seen_seq; /* the reader's: the last Ctrl-C it has acted on */
static lm_u8 reader_stack[16384] __attribute__((aligned(16)));
/* CON_MODE_* flags: written by the reader (CON_MODE on the input endpoint),
 * read by main as each byte comes or goes out. */
static lm_u32 mode;
/* In CON_MODE_RAWINTR: the ring position just past the last Ctrl-C kept as
 * input (main's); while the reader's head is before it, that one is unread. */
static lm_u32 intr_kept_end;
/* CON_NOTIFY: the input owner's notification, in owner_ntfn (set by the
 * reader; main signals it when input arrives: a signal to an empty or
 * replaced slot only fails). land: where a capability sent to the reader
 * lands. Both 0 when the reader has no IPC buffer. */
static lm_cptr_t owner_ntfn, land;
static struct lm_ipc_buffer *reader_ipc = (struct lm_ipc_buffer *)CON_IPCBUF_VA;
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

/* Output from a client: "\n" becomes "\r\n" (unless CON_MODE_RAWOUT). */
static void put(lm_u8 c)
{
	if (c == '\n' && !(__atomic_load_n(&mode, __ATOMIC_RELAXED) & CON_MODE_RAWOUT))
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

/* Ctrl-C: shown as ^C, never kept; the shell stops its foreground
 * program, a READ waiting now ends with CON_EINTR, and what was typed
 * before it and not yet read is dropped. */
static void interrupt(void)
{
	__atomic_store_n(&intr_tail, ring_tail, __ATOMIC_RELAXED);
	tx('^');
	tx('C');
	tx('\r');
	tx('\n');
	col = 0;
	last_cr = 0;
	__atomic_store_n(&intr_seq, intr_seq + 1, __ATOMIC_RELEASE);
	lm_ntfn_signal(CON_SLOT_INTR);
}

/* Take every byte the UART holds; 1 if the reader should look. */
static int drain(void)
{
	int got = 0;

	for (int i = 0; i < 4096 && (inb(LSR) & LSR_DR); i++) {
		lm_u8 c = (lm_u8)inb(RBR);
		lm_u32 tail = ring_tail;

		lm_u32 head = __atomic_load_n(&ring_head, __ATOMIC_ACQUIRE);
		lm_u32 m = __atomic_load_n(&mode, __ATOMIC_RELAXED);

		got = 1;
		/* Ctrl-C interrupts, unless the owner takes it as input; even
		 * then a second one while the first is unread interrupts, so
		 * that a program that stopped reading can still be stopped. */
		if (c == CTRL_C && (!(m & CON_MODE_RAWINTR) || (int)(intr_kept_end - head) > 0)) {
			interrupt();
			continue;
		}
		if (tail - head == RING_SIZE)
			continue; /* full: drop, and do not echo what is lost */
		ring[tail & (RING_SIZE - 1)] = c;
		__atomic_store_n(&ring_tail, tail + 1, __ATOMIC_RELEASE);
		if (c == CTRL_C)
			intr_kept_end = tail + 1;
		if (!(m & CON_MODE_NOECHO))
			echo(c);
	}
	return got;
}

static void on_irq(void)
{
	int got = drain();

	lm_irq_ack(CON_SLOT_IRQ);
	got |= drain(); /* bytes that came between the drain and the ack */
	if (got) {
		lm_ntfn_signal(CON_SLOT_WAKE);
		if (owner_ntfn)
			lm_ntfn_signal(owner_ntfn);
	}
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

/* Serve one output-endpoint request; the reply goes into *info and w[]. */
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
	case CON_MODE:
	case CON_READ_NOW:
	case CON_NOTIFY:
		w[0] = w[1] = w[2] = w[3] = 0;
		*info = LM_MSG_INFO(CON_ENOTOWNER, 0, 0);
		return;
	}
	w[0] = w[1] = w[2] = w[3] = 0;
	*info = LM_MSG_INFO(CON_EBADREQ, 0, 0);
}

/* Act on Ctrl-Cs not seen yet: drop the input typed before the last one.
 * Head only moves forward (a later Ctrl-C may have moved intr_tail past
 * where intr_seq said). Returns the Ctrl-C count now seen. */
static lm_u32 drop_interrupted(void)
{
	lm_u32 seq = __atomic_load_n(&intr_seq, __ATOMIC_ACQUIRE);
	lm_u32 to = __atomic_load_n(&intr_tail, __ATOMIC_RELAXED);

	if (seq != seen_seq && (int)(to - ring_head) > 0)
		__atomic_store_n(&ring_head, to, __ATOMIC_RELEASE);
	seen_seq = seq;
	return seq;
}

/* Answer one READ of up to n bytes: wait for input or a Ctrl-C, then
 * reply. Bytes leave the ring only if the reply reached the caller (it may
 * have been stopped meanwhile: they stay for the next reader). */
static void read_one(lm_u32 n, int wait)
{
	lm_u32 seq = drop_interrupted(), head, k = 0;
	lm_u8 b[CON_MAX_BYTES];
	lm_u64 w[4];

	if (n == 0 || n > CON_MAX_BYTES)
		n = CON_MAX_BYTES;
	while (wait && ring_head == __atomic_load_n(&ring_tail, __ATOMIC_ACQUIRE) &&
	       seq == __atomic_load_n(&intr_seq, __ATOMIC_ACQUIRE))
		lm_ntfn_wait(CON_SLOT_WAKE, 0); /* a signal after the check is kept */
	if (seq != drop_interrupted()) {
		lm_ep_reply(LM_MSG_INFO(CON_EINTR, 0, 0), 0, 0, 0, 0);
		return;
	}
	head = ring_head;
	while (k < n && head + k != __atomic_load_n(&ring_tail, __ATOMIC_ACQUIRE)) {
		b[k] = ring[(head + k) & (RING_SIZE - 1)];
		k++;
	}
	pack(w, b, k);
	if (lm_ep_reply(LM_MSG_INFO(CON_LABEL(CON_OK, k), 4, 0), w[0], w[1], w[2], w[3]) == LM_OK)
		__atomic_store_n(&ring_head, head + k, __ATOMIC_RELEASE);
}

/* CON_NOTIFY: keep the notification that came in `land` (or none). */
static void set_notify(lm_u64 info)
{
	lm_u64 desc = 0;
	int ok = LM_MSG_NCAPS(info) == 1 &&
		 !lm_cnode_identify(LM_SLOT_CNODE, land, &desc, 0, 0) &&
		 LM_ID_TYPE(desc) == LM_OBJ_NOTIFY && (LM_ID_RIGHTS(desc) & LM_R_WRITE);

	lm_cnode_delete(LM_SLOT_CNODE, owner_ntfn);
	if (ok)
		ok = lm_cnode_move(LM_SLOT_CNODE, owner_ntfn, LM_SLOT_CNODE, land) == LM_OK;
	lm_ep_reply(LM_MSG_INFO(ok || !LM_MSG_NCAPS(info) ? CON_LABEL(CON_OK, ok) : CON_EBADREQ, 0,
				0),
		    0, 0, 0, 0);
}

/* The reader thread: serves the input endpoint, one READ at a time. */
static lm_word_t reader(lm_word_t arg)
{
	for (;;) {
		struct lm_msg m;
		int err;

		if (land) { /* a capability sent with any request lands here */
			lm_cnode_delete(LM_SLOT_CNODE, land);
			reader_ipc->recv_slots[0] = land;
		}
		err = lm_ep_recv(CON_SLOT_IN_EP, &m);
		if (err)
			continue; /* EINTR or EDELETED: nobody to answer */
		lm_u64 label = LM_MSG_LABEL(m.info);
		lm_u32 n = CON_LABEL_N(label);

		if (CON_LABEL_OP(label) == CON_READ || CON_LABEL_OP(label) == CON_READ_NOW) {
			read_one(n, CON_LABEL_OP(label) == CON_READ);
		} else if (CON_LABEL_OP(label) == CON_NOTIFY && land) {
			set_notify(m.info);
		} else if (CON_LABEL_OP(label) == CON_MODE && !(n & ~CON_MODE_ALL)) {
			lm_u32 old = __atomic_exchange_n(&mode, n, __ATOMIC_SEQ_CST);
			/* what is in the ring now was echoed if echo was on (main
			 * reads the mode per byte before it stores the byte: on
			 * one CPU only a preemption between the two could make
			 * this one byte off) */
			lm_u64 echoed = (old & CON_MODE_NOECHO) ? 0 :
					__atomic_load_n(&ring_tail, __ATOMIC_ACQUIRE) - ring_head;

			lm_ep_reply(LM_MSG_INFO(CON_LABEL(CON_OK, old), 1, 0), echoed, 0, 0, 0);
		} else {
			lm_ep_reply(LM_MSG_INFO(CON_EBADREQ, 0, 0), 0, 0, 0, 0);
		}
	}
	return 0;
}

/* The reader runs at the console's own priority. */
static int start_reader(void)
{
	struct lm_thread_info ti;
	int err = lm_thread_info(LM_SLOT_TCB, &ti);

	if (!err)
		err = lm_thread_start(CON_SLOT_READER, reader, 0,
				      reader_stack + sizeof reader_stack, ti.priority);
	if (err)
		lm_printf("console: cannot start its reader: %s\n", lm_err_str(err));
	return err;
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
	/* CON_NOTIFY needs the reader to receive a capability: an IPC buffer
	 * and two slots (without the frame from root: no CON_NOTIFY) */
	if (lm_thread_set_ipc_buffer(CON_SLOT_READER, CON_SLOT_IPCBUF) == LM_OK) {
		land = lm_slot_alloc();
		owner_ntfn = land ? lm_slot_alloc() : 0;
		if (!owner_ntfn)
			land = 0;
	}
	return start_reader();
}

int main(lm_word_t arg)
{
	const struct lm_bootinfo *bi = (const struct lm_bootinfo *)arg;
	struct lm_msg m;
	lm_u64 info = 0, w[4] = { 0 };
	int owed = 0, err;

	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
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
