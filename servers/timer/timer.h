/* The timer server's internal interfaces (protocol: timer_proto.h). */
#ifndef TIMER_H
#define TIMER_H

#include <lm/lamina.h>
#include "timer_proto.h"
#include "timer_srv.h"

/* Replies carry Linux errno values (the server serves Linux processes). */
#define EPERM    1
#define EINVAL   22
#define ENOSYS   38
#define ENOTCONN 107

/* pit.c */
lm_u64 pit_max_ns(void);
void pit_oneshot(lm_u64 ns);
void pit_stop(void);

/* table.c: the deadlines */
extern lm_u64 timer_khz;
lm_u64 timer_now(void);                 /* TSC ns */
void table_clear(lm_u32 client);        /* client: badge - 1 */
long table_arm(lm_u32 client, lm_u64 id, lm_u64 deadline, lm_u64 *r1);
long table_cancel(lm_u32 client, lm_u64 id, lm_u64 *r1);
/* Signal every client whose deadline has passed; then set the PIT for the
 * earliest one left. */
void table_run(void);
extern lm_u8 table_has_wake[TIMER_CLIENTS];

/* main.c: signal client's wake notification (never blocks) */
void timer_wake(lm_u32 client);

#endif
