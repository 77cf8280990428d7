/* Fixed-width types for the user-kernel ABI. Both sides are freestanding. */
#ifndef LAMINA_TYPES_H
#define LAMINA_TYPES_H

typedef unsigned char      lm_u8;
typedef unsigned short     lm_u16;
typedef unsigned int       lm_u32;
typedef unsigned long      lm_u64;
typedef long               lm_i64;

/* A capability pointer: an index into a capability space (CNode). */
typedef lm_u64 lm_cptr_t;
typedef lm_u64 lm_word_t;

#define LM_STATIC_ASSERT(c, m) _Static_assert(c, m)

#endif
