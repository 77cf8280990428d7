/*
 * The harnesses' way to keep apart the states a first nondeterministic
 * call leaves (runs ipc2 and precise2): a number made of the kernel's
 * state, eva_sig, computed at the end of the first call while its
 * argument splits still hold; eva.sh keeps states apart by its value
 * (-eva-partition-value eva_sig), so two states merge only where they
 * agree on everything it is made of (docs/ASSURANCE.md, section 3).
 * Only exact integers go into it: a pointer mixed into a number is a
 * "garbled mix" to EVA, so objects go in as small numbers (the includer's
 * own naming). Included by eva/ipc_sig.h and eva/cap_sig.h.
 */
#ifndef EVA_SIG_H
#define EVA_SIG_H

u64 eva_sig;

static u64 mix(u64 h, u64 v)
{
	return h * 0x100000001b3ull + v; /* unsigned: wraps */
}

/* What a slot holds, without its object's address and derivation links. */
static u64 slot_sig(u64 h, const struct slot *s)
{
	return mix(mix(mix(h, s->cap.type), s->cap.rights), s->cap.w2);
}

#endif
