/*
 * IPC messages. A message is a label, up to LM_MSG_MAX_WORDS words and up
 * to LM_MSG_MAX_CAPS capabilities. The first LM_MSG_REG_WORDS words travel
 * in registers (rdx, r10, r8, r9 on both sides); the rest are copied once,
 * by the kernel, from the sender's IPC buffer to the receiver's.
 */
#ifndef LAMINA_IPC_H
#define LAMINA_IPC_H

#include <lamina/types.h>

#define LM_MSG_MAX_WORDS 64
#define LM_MSG_REG_WORDS 4
#define LM_MSG_MAX_CAPS  3

/* The info word: length, capability count, flags, label. */
#define LM_MSG_INFO(label, len, ncaps) \
	(((lm_u64)(label) << 16) | ((lm_u64)(ncaps) << 8) | (lm_u64)(len))
#define LM_MSG_LEN(i)    ((i) & 0x7f)
#define LM_MSG_NCAPS(i)  (((i) >> 8) & 0x3)
#define LM_MSG_LABEL(i)  ((i) >> 16)
#define LM_MSG_MOVE      (1ull << 12) /* move the capabilities instead of copying */
#define LM_MSG_NOTIFY    (1ull << 13) /* set on receive: a bound notification, rdi = word */

/*
 * The IPC buffer: one 4 KiB frame per thread (THREAD_SET_IPC_BUFFER).
 * msg[0..3] are unused (those words are in registers).
 */
struct lm_ipc_buffer {
	lm_u64 msg[LM_MSG_MAX_WORDS];
	lm_u64 send_caps[LM_MSG_MAX_CAPS]; /* cptrs in the sender's CSpace */
	lm_u64 recv_slots[LM_MSG_MAX_CAPS]; /* empty slots of the receiver's CSpace; 0 = refuse */
	lm_u64 recv_badges[LM_MSG_MAX_CAPS]; /* filled on receive: badge of each cap */
};
LM_STATIC_ASSERT(sizeof(struct lm_ipc_buffer) <= 4096, "IPC buffer fits a page");

#endif
