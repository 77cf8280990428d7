/*
 * The compiler builtins kernel/bpf/ uses that Frama-C 25 does not know,
 * as C with the same meaning (tests/assurance/eva_bpf.c; forced in by
 * eva.sh with -include): GCC's overflow-checked add and subtract (the
 * verifier's bounds), memset and memcpy, and the __atomic operations (interp.c's atomics; one
 * CPU, one thread: a read, then a write).
 */
#ifndef EVA_BPF_BUILTINS_H
#define EVA_BPF_BUILTINS_H

static inline int eva_uadd(unsigned long long a, unsigned long long b, unsigned long long *r)
{
	*r = a + b;
	return *r < a;
}

static inline int eva_usub(unsigned long long a, unsigned long long b, unsigned long long *r)
{
	*r = a - b;
	return a < b;
}

/* Signed: the sum as unsigned (wrapping is defined there), overflowed iff
 * both operands have one sign and the result the other. */
static inline int eva_sadd(long long a, long long b, long long *r)
{
	unsigned long long u = (unsigned long long)a + (unsigned long long)b;
	int o = (long long)((u ^ (unsigned long long)a) & (u ^ (unsigned long long)b)) < 0;

	*r = (long long)u;
	return o;
}

static inline int eva_ssub(long long a, long long b, long long *r)
{
	unsigned long long u = (unsigned long long)a - (unsigned long long)b;
	int o = (long long)(((unsigned long long)a ^ (unsigned long long)b) &
			    ((unsigned long long)a ^ u)) < 0;

	*r = (long long)u;
	return o;
}

/* By the result's type (Frama-C has no _Generic): the kernel passes
 * 64-bit results only, signed or not. */
#define EVA_SIGNED(r) ((__typeof__(*(r)))-1 < 0)
#define __builtin_add_overflow(a, b, r) \
	(EVA_SIGNED(r) ? eva_sadd((a), (b), (long long *)(r)) \
		       : eva_uadd((a), (b), (unsigned long long *)(r)))
#define __builtin_sub_overflow(a, b, r) \
	(EVA_SIGNED(r) ? eva_ssub((a), (b), (long long *)(r)) \
		       : eva_usub((a), (b), (unsigned long long *)(r)))

/* Frama-C's libc memset and memcpy, which EVA runs as its own builtins. */
#include <string.h>
#define __builtin_memset(d, c, n) memset((d), (c), (n))
#define __builtin_memcpy(d, s, n) memcpy((d), (s), (n))

#define EVA_FETCH(p, v, op) ({ __typeof__(*(p)) o_ = *(p); *(p) = o_ op (v); o_; })
#define __atomic_fetch_add(p, v, o) EVA_FETCH(p, v, +)
#define __atomic_fetch_or(p, v, o)  EVA_FETCH(p, v, |)
#define __atomic_fetch_and(p, v, o) EVA_FETCH(p, v, &)
#define __atomic_fetch_xor(p, v, o) EVA_FETCH(p, v, ^)
#define __atomic_exchange_n(p, v, o) ({ __typeof__(*(p)) o_ = *(p); *(p) = (v); o_; })
#define __atomic_compare_exchange_n(p, e, d, w, s, f) \
	({ int ok_ = *(p) == *(e); if (ok_) *(p) = (d); else *(e) = *(p); ok_; })

#endif
