/* Where root puts the timer server's capabilities (servers/root/timer.c),
 * and the timer endpoint's slots in the shell and in a Linux process. */
#ifndef TIMER_SRV_H
#define TIMER_SRV_H

/* In the server. */
#define TIMER_SLOT_IOPORT  4    /* the PIT's ports 0x40-0x43, nothing else */
#define TIMER_SLOT_IRQ     8    /* IRQ capability for line 2 (ISA IRQ 0, the PIT) */
#define TIMER_SLOT_EP      9    /* its endpoint (READ) */
#define TIMER_SLOT_NTFN    10   /* its notification: the IRQ's, bound to its TCB */
#define TIMER_SLOT_IPCBUF  11   /* its IPC buffer frame, mapped at TIMER_IPCBUF_VA */
/* The image's frames follow these; the slots for the clients' wake
 * notifications and the one a capability lands in are allocated above
 * bootinfo's first_free (main.c). */
#define TIMER_IPCBUF_VA    0x500000000ull

#define TIMER_PIT_LINE     2    /* IOAPIC input 2: ISA IRQ 0 (docs/API.md "Interrupts") */
#define TIMER_PIT_PORT     0x40 /* channel 0 data; 0x43 the mode/command register */

/* In a Linux process: its copy minted with its pid by the process manager
 * (which holds the endpoint at PM_SLOT_TIMER_EP) and handed over with the
 * PM_HELLO reply (WRITE | GRANT: TIMER_HELLO carries a cap). */
#define LX_SLOT_TIMER      12

#endif
