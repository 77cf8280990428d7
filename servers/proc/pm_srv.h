/* Where root puts the process manager's capabilities (servers/root/proc.c),
 * and where its clients hold theirs. */
#ifndef PM_SRV_H
#define PM_SRV_H

/* In the manager. */
#define PM_SLOT_EP     9    /* its endpoint: receive, and mint clients' badges */
#define PM_SLOT_FS_EP  10   /* the file server's, unbadged: minted per pid */
#define PM_SLOT_FS_PM  11   /* the file server's, badge FS_BADGE_PM: FS_FORK, FS_DROP */
#define PM_SLOT_MEM    12   /* untyped: signal pages, its IPC buffer */
#define PM_SLOT_TIMER_EP 13 /* the timer server's, unbadged: minted per pid (0: none) */
#define PM_SLOT_FS_BUF 16   /* .. + FS_CLIENTS - 1: the file server's client pages */
#define PM_MEM_BITS    20   /* 1 MiB */

/* In the shell: the manager's endpoint, badge PM_BADGE_SHELL. */
#define SH_SLOT_PM     12

/* In a Linux process (LX_SLOT_FS 9 and LX_SLOT_FS_BUF 10: ../fs/fs_srv.h). */
#define LX_SLOT_PM     11

#endif
