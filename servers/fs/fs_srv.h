/* Where root puts the file server's capabilities and pages (servers/root/fs.c). */
#ifndef FS_SRV_H
#define FS_SRV_H

#include "fs_proto.h"

#define FS_SLOT_EP     9                    /* its endpoint (READ) */
#define FS_SRV_BUF_VA  0x500000000ull       /* client b's page at + (b-1) * 4 KiB */
#define FS_SLOT_BUF    (FS_SLOT_EP + 1)     /* the client pages: .. + FS_CLIENTS - 1 */
#define FS_SLOT_MEM    (FS_SLOT_BUF + FS_CLIENTS) /* untyped, 4 MiB each, for the heap */
#define FS_MEM_PIECES  4


/* In a Linux process: its badged endpoint and its page (at FS_BUF_VA). */
#define LX_SLOT_FS     9
#define LX_SLOT_FS_BUF 10

#endif
