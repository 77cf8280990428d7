/* Boot-time physical memory: the firmware's RAM ranges minus what the
 * kernel and the boot modules occupy, carved into aligned power-of-two
 * blocks for the root task's untyped capabilities. Pure logic. */
#ifndef BOOTMEM_H
#define BOOTMEM_H

#include "kernel.h"

#define BOOTMEM_MAX 64

struct range { u64 start, end; }; /* [start, end) */

struct bootmem {
	struct range r[BOOTMEM_MAX];
	int n;
};

void bootmem_add(struct bootmem *m, u64 start, u64 end);
void bootmem_remove(struct bootmem *m, u64 start, u64 end);
/* bootmem_add of the parts of [start, end) inside within's ranges: memory
 * given back is RAM only if the loader said it was. */
void bootmem_add_within(struct bootmem *m, const struct bootmem *within, u64 start, u64 end);
u64 bootmem_alloc(struct bootmem *m, u64 size, u64 align);
u64 bootmem_total(const struct bootmem *m);
/* Split [start, end) into naturally aligned power-of-two blocks of at
 * least 2^min_bits; calls emit(paddr, bits) for each. Returns the count. */
int bootmem_blocks(u64 start, u64 end, int min_bits, int max_bits,
		   void (*emit)(u64 pa, int bits, void *arg), void *arg);

#endif
