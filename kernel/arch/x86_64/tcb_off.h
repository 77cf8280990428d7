/*
 * Where the exception fast path (entry.S) finds the TCB fields it reads,
 * as offsets from the thread's frame (struct tcb's `frame`, which is where
 * the stub's %rsp is after pushing the registers). trap.c checks each
 * against struct tcb, so a change of layout fails the build.
 */
#ifndef TCB_OFF_H
#define TCB_OFF_H

#define T_FS_BASE   0x278
#define T_GS_BASE   0x280
#define T_EXC_ENTRY 0x288
#define T_EXC_TOP   0x290
#define T_EXC_SIZE  0x298

#endif
