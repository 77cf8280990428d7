/* The free-slot bitmap over the caller's CNode (lm/slot.h). */
#include <lm/slot.h>
#include <lm/fork.h>

struct lm_slots lm_slots LM_PRIVATE;

static int slot_used(lm_u32 s)
{
	return (lm_slots.used[s / 64] >> (s % 64)) & 1;
}

static void slot_mark(lm_u32 s, int used)
{
	lm_u64 bit = 1ull << (s % 64);

	if (used)
		lm_slots.used[s / 64] |= bit;
	else
		lm_slots.used[s / 64] &= ~bit;
}

void lm_slot_init(lm_cptr_t first, lm_cptr_t end)
{
	struct lm_slots *a = &lm_slots;

	if (end > LM_SLOTS_MAX)
		end = LM_SLOTS_MAX;
	if (first < 1)
		first = 1; /* slot 0 never holds a capability */
	if (first > end)
		first = end;
	a->first = a->hint = (lm_u32)first;
	a->end = (lm_u32)end;
	a->nfree = (lm_u32)(end - first);
	for (lm_u32 i = 0; i < LM_SLOTS_MAX / 64; i++)
		a->used[i] = 0;
}

/*
 * First fit: the lowest free slots go first, so a process's slots stay
 * packed at the bottom of its CNode (lm_fork gives a child a CNode only as
 * big as the highest slot in use). `hint` is a low-water mark: no slot
 * below it is free.
 */
lm_cptr_t lm_slot_alloc_n(lm_u32 n)
{
	struct lm_slots *a = &lm_slots;

	if (n == 0 || n > a->nfree)
		return 0;
	if (n == 1) { /* a word at a time */
		for (lm_u32 w = a->hint / 64; w <= (a->end - 1) / 64; w++) {
			lm_u64 free = ~a->used[w];
			lm_u32 s;

			if (w == a->hint / 64)
				free &= ~0ull << (a->hint % 64);
			if (!free)
				continue;
			s = w * 64 + (lm_u32)__builtin_ctzll(free);
			if (s >= a->end)
				break;
			slot_mark(s, 1);
			a->nfree--;
			a->hint = s + 1;
			return s;
		}
		return 0;
	}
	for (lm_u32 s = a->hint, run = 0; s < a->end; s++) {
		/* A word of used slots at a test: the low slots of a process
		 * with many capabilities (boot modules, files) are all in use,
		 * and lm_fork asks for runs from the bottom (bit by bit, a
		 * fork cost 8 instructions per slot in use). */
		if (!(s % 64) && a->used[s / 64] == ~0ull) {
			run = 0;
			s += 63;
			continue;
		}
		run = slot_used(s) ? 0 : run + 1;
		if (run == n) {
			lm_u32 base = s + 1 - n;

			for (lm_u32 i = base; i <= s; i++)
				slot_mark(i, 1);
			a->nfree -= n;
			if (base == a->hint)
				a->hint = s + 1;
			return base;
		}
	}
	return 0;
}

lm_cptr_t lm_slot_alloc(void)
{
	return lm_slot_alloc_n(1);
}

void lm_slot_free_n(lm_cptr_t s, lm_u32 n)
{
	struct lm_slots *a = &lm_slots;

	for (lm_u32 i = 0; i < n; i++, s++) {
		if (s < a->first || s >= a->end || !slot_used((lm_u32)s))
			continue; /* not ours or already free: ignore */
		slot_mark((lm_u32)s, 0);
		a->nfree++;
		if (s < a->hint)
			a->hint = (lm_u32)s;
	}
}

void lm_slot_free(lm_cptr_t s)
{
	lm_slot_free_n(s, 1);
}

lm_u32 lm_slot_nfree(void)
{
	return lm_slots.nfree;
}
