/*
 * The server's heap: blocks of 2^k bytes (k = 5 .. 26) from one arena at
 * HEAP_VA, mapped a page at a time as it grows, from the untyped memory
 * root gave (FS_SLOT_MEM..), each block kept on its size's free list when
 * freed. Files grow by
 * doubling, so power-of-two blocks waste at most half, and nothing is
 * ever split or merged: simple enough to be obviously right.
 * A block's header (its class) sits in the 16 bytes before it.
 */
#include "fs.h"
#include "fs_srv.h"

#define ARENA   (48ull << 20)  /* at most: the CNode's slots bound it too */
#define HEAP_VA 0x600000000ull
#define MIN_K   5
#define MAX_K   26
#define HDR     16

static char *const arena = (char *)HEAP_VA;
static lm_u64 used, mapped;
static struct lm_pool pool;

void fs_heap_init(void)
{
	lm_pool_init(&pool, 22);
	for (lm_u32 k = 0; k < FS_MEM_PIECES; k++)
		lm_pool_add(&pool, FS_SLOT_MEM + k);
	lm_pool_use(&pool);
}

/* Map pages until the arena reaches `end`; 0 when memory or slots run out. */
static int grow(lm_u64 end)
{
	while (mapped < end) {
		lm_cptr_t f;

		if (lm_obj_alloc(LM_OBJ_FRAME, LM_PAGE_BITS, &f))
			return 0;
		if (lm_map_page(LM_SLOT_VSPACE, f, HEAP_VA + mapped, LM_R_READ | LM_R_WRITE)) {
			lm_obj_free(f);
			return 0;
		}
		mapped += LM_PAGE_SIZE;
	}
	return 1;
}
static void *free_list[MAX_K + 1];

static int class_of(lm_u64 n)
{
	int k = MIN_K;

	while (k <= MAX_K && (1ull << k) < n + HDR)
		k++;
	return k;
}

void *fs_alloc(lm_u64 n)
{
	int k = class_of(n);
	char *b;

	if (k > MAX_K)
		return 0;
	if (free_list[k]) {
		b = free_list[k];
		free_list[k] = *(void **)(b + HDR);
	} else {
		if (ARENA - used < (1ull << k) || !grow(used + (1ull << k)))
			return 0;
		b = arena + used;
		used += 1ull << k;
	}
	*(lm_u64 *)b = (lm_u64)k;
	memset(b + HDR, 0, (1ull << k) - HDR);
	return b + HDR;
}

void fs_free(void *p)
{
	char *b = (char *)p - HDR;
	int k;

	if (!p)
		return;
	k = (int)*(lm_u64 *)b;
	*(void **)p = free_list[k];
	free_list[k] = b;
}

/* The bytes a block holds. */
lm_u64 fs_alloc_size(const void *p)
{
	return p ? (1ull << *(const lm_u64 *)((const char *)p - HDR)) - HDR : 0;
}
