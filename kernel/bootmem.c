/* Range list arithmetic for boot memory (see bootmem.h). Ranges are kept
 * sorted and disjoint, at most BOOTMEM_MAX of them: the walks say so in
 * their bounds too (a constant bound is one EVA can unroll,
 * tests/assurance/eva_boot.c). */
#include "bootmem.h"

/* Ranges go into out in order; a full list drops the last (memory lost,
 * never a write past the list). */
static void push(struct bootmem *out, u64 start, u64 end)
{
	if (out->n < BOOTMEM_MAX)
		out->r[out->n++] = (struct range){ start, end };
}

void bootmem_add(struct bootmem *m, u64 start, u64 end)
{
	struct bootmem out = { .n = 0 };
	bool placed = false;
	if (start >= end)
		return;
	/* Ranges that overlap or touch the new one are absorbed into it. */
	for (int i = 0; i < m->n && i < BOOTMEM_MAX; i++) {
		struct range r = m->r[i];
		if (r.end < start) {
			push(&out, r.start, r.end);
		} else if (r.start > end) {
			if (!placed)
				push(&out, start, end);
			placed = true;
			push(&out, r.start, r.end);
		} else {
			start = r.start < start ? r.start : start;
			end = r.end > end ? r.end : end;
		}
	}
	if (!placed)
		push(&out, start, end);
	*m = out;
}

void bootmem_remove(struct bootmem *m, u64 start, u64 end)
{
	struct bootmem out = { .n = 0 };
	if (start >= end)
		return;
	/* A full list split in two has one range too many (push). */
	for (int i = 0; i < m->n && i < BOOTMEM_MAX; i++) {
		struct range r = m->r[i];
		if (r.end <= start || r.start >= end) {
			push(&out, r.start, r.end);
			continue;
		}
		if (r.start < start)
			push(&out, r.start, start);
		if (r.end > end)
			push(&out, end, r.end);
	}
	*m = out;
}

void bootmem_add_within(struct bootmem *m, const struct bootmem *within, u64 start, u64 end)
{
	for (int i = 0; i < within->n && i < BOOTMEM_MAX; i++) {
		u64 s = within->r[i].start > start ? within->r[i].start : start;
		u64 e = within->r[i].end < end ? within->r[i].end : end;
		bootmem_add(m, s, e); /* nothing if s >= e */
	}
}

/* First fit, lowest address. Returns 0 if nothing fits (0 is never RAM
 * we hand out: the first MiB is always removed). */
u64 bootmem_alloc(struct bootmem *m, u64 size, u64 align)
{
	for (int i = 0; i < m->n && i < BOOTMEM_MAX; i++) {
		u64 a = ALIGN_UP(m->r[i].start, align);
		if (a >= m->r[i].start && a < m->r[i].end && m->r[i].end - a >= size) {
			bootmem_remove(m, a, a + size);
			return a;
		}
	}
	return 0;
}

u64 bootmem_total(const struct bootmem *m)
{
	u64 t = 0;
	for (int i = 0; i < m->n && i < BOOTMEM_MAX; i++)
		t += m->r[i].end - m->r[i].start;
	return t;
}

int bootmem_blocks(u64 start, u64 end, int min_bits, int max_bits,
		   void (*emit)(u64 pa, int bits, void *arg), void *arg)
{
	int n = 0;
	start = ALIGN_UP(start, 1ull << min_bits);
	end &= ~((1ull << min_bits) - 1);
	while (start < end) {
		int bits = start ? __builtin_ctzll(start) : 63;
		if (bits > max_bits)
			bits = max_bits;
		while (bits > min_bits && (1ull << bits) > end - start)
			bits--;
		emit(start, bits, arg);
		n++;
		start += 1ull << bits;
	}
	return n;
}
