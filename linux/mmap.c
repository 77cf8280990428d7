/*
 * The memory system calls: brk, mmap (anonymous private and shared; files
 * and /dev/zero in mmap_file.c), munmap, mprotect, mremap, madvise. Each
 * checks all its arguments first, so a failed call leaves the map as it
 * was (mm.h's operations reserve the area records they need before
 * changing anything).
 */
#include "mm.h"
#include "thread.h"

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)

static lm_u64 brk_start, brk_cur;

void lx_brk_init(lm_u64 start)
{
	brk_start = brk_cur = start;
}

/* brk(addr): move the break; the result is the break after the call (the
 * old one when the move is refused, as Linux does). */
LX_SYS(brk)
{
	lm_u64 want = a[0], old_end = LX_PAGE_UP(brk_cur), new_end = LX_PAGE_UP(want);

	if (want < brk_start || new_end < want)
		return (long)brk_cur;
	if (new_end > old_end) {
		if (!lx_range_valid(old_end, new_end) || !lx_range_free(old_end, new_end) ||
		    lx_mm_add(old_end, new_end, PROT_READ | PROT_WRITE))
			return (long)brk_cur;
	} else if (new_end < old_end && lx_unmap(new_end, old_end)) {
		return (long)brk_cur;
	}
	brk_cur = want;
	return (long)brk_cur;
}

/* Where a new mapping of len bytes goes: MAP_FIXED takes addr, a hint is
 * taken when free, otherwise the highest gap below LX_MMAP_TOP. */
static long place(lm_u64 addr, lm_u64 len, lm_u64 flags)
{
	lm_u64 end = addr + len;

	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & (LX_PAGE - 1))
			return -EINVAL;
		if (end < addr || !lx_range_valid(addr, end))
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) &&
		    !lx_range_free(addr, end))
			return -EEXIST;
		return (long)addr;
	}
	addr = LX_PAGE_DOWN(addr);
	end = addr + len;
	if (addr && end > addr && lx_range_valid(addr, end) && lx_range_free(addr, end))
		return (long)addr;
	addr = lx_find_gap(len);
	return addr ? (long)addr : -ENOMEM;
}

LX_SYS(mmap)
{
	lm_u64 len = LX_PAGE_UP(a[1]), flags = a[3];
	lm_u32 prot = (lm_u32)a[2] & PROT_ALL; /* Linux ignores other bits here */
	long at;

	if (!a[1] || len < a[1])
		return !a[1] ? -EINVAL : -ENOMEM;
	if ((flags & MAP_TYPE) != MAP_PRIVATE && (flags & MAP_TYPE) != MAP_SHARED &&
	    (flags & MAP_TYPE) != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (flags & MAP_HUGETLB)
		return -EINVAL;
	int shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	lm_u32 kind = shared ? LX_AREA_SHARED : LX_AREA_ANON;
	if (!(flags & MAP_ANONYMOUS)) {
		long r = lx_mmap_file_check((long)a[4], a[5], len, prot, shared, &kind);

		if (r)
			return r;
	}
	at = place(a[0], len, flags);
	if (at < 0)
		return at;
	if (!lx_range_free((lm_u64)at, (lm_u64)at + len)) {
		long err = lx_unmap((lm_u64)at, (lm_u64)at + len); /* MAP_FIXED replaces */
		if (err)
			return err;
	}
	if (kind == LX_AREA_FILE || kind == LX_AREA_FILE_RO)
		return lx_mmap_file((lm_u64)at, len, prot, kind, (long)a[4], a[5]);
	/* A SHARED area is private memory until a fork shares its frames. */
	return lx_mm_add_kind((lm_u64)at, (lm_u64)at + len, prot, kind) ? -ENOMEM : at;
}

LX_SYS(munmap)
{
	lm_u64 addr = a[0], len = LX_PAGE_UP(a[1]);

	if ((addr & (LX_PAGE - 1)) || !a[1] || len < a[1] || !lx_range_valid(addr, addr + len))
		return -EINVAL;
	if (lx_thr_defer_unmap(addr, addr + len))
		return 0; /* the caller's own stack: once the thread is gone */
	return lx_unmap(addr, addr + len);
}

LX_SYS(mprotect)
{
	lm_u64 addr = a[0], len = LX_PAGE_UP(a[1]);
	/* PROT_GROWSDOWN/UP and PROT_SEM are accepted and ignored */
	lm_u32 prot = (lm_u32)a[2] & ~0x03000008u;

	if ((addr & (LX_PAGE - 1)) || len < a[1] || (prot & ~PROT_ALL))
		return -EINVAL;
	if (!len)
		return 0;
	if (!lx_range_valid(addr, addr + len) || !lx_range_covered(addr, addr + len))
		return -ENOMEM;
	/* a read-only MAP_SHARED file stays so (as Linux, for a file not
	 * open for writing; here for every file: mmap_file.c) */
	for (lm_u64 at = addr; (prot & PROT_WRITE) && at < addr + len; at = lx_area_at(at)->hi)
		if (lx_area_at(at)->kind == LX_AREA_FILE_RO)
			return -EACCES;
	return lx_mm_protect(addr, addr + len, prot);
}

/* mremap: shrink in place, grow in place when the pages after are free,
 * else move (MREMAP_MAYMOVE) or move to new_addr (MREMAP_FIXED); the pages
 * move with their contents. One area at a time, as Linux requires. The
 * pages a shared area grows by lie past its shared object: a touch is
 * SIGBUS, as on Linux (an LX_AREA_BUS area). */
LX_SYS(mremap)
{
	lm_u64 old = a[0], old_len = LX_PAGE_UP(a[1]), new_len = LX_PAGE_UP(a[2]);
	lm_u64 flags = a[3], to = a[4];
	struct lx_area *ar = lx_area_at(old);

	if ((old & (LX_PAGE - 1)) || (flags & ~7ull) || !new_len || new_len < a[2] ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) || (flags & MREMAP_DONTUNMAP) ||
	    !old_len)
		return -EINVAL;
	if (!ar || old + old_len > ar->hi || old + old_len < old)
		return -EFAULT;
	lm_u32 prot = ar->prot, kind = ar->kind;
	lm_u32 grown = kind == LX_AREA_SHARED ? LX_AREA_BUS : kind;
	if (kind == LX_AREA_BUS || kind == LX_AREA_FILE || kind == LX_AREA_FILE_RO)
		return -EINVAL; /* file mappings keep their place (a partial mremap) */
	if (flags & MREMAP_FIXED) {
		if ((to & (LX_PAGE - 1)) || !lx_range_valid(to, to + new_len) ||
		    (to < old + old_len && old < to + new_len))
			return -EINVAL;
	} else if (new_len <= old_len) {
		return new_len < old_len && lx_unmap(old + new_len, old + old_len) ? -ENOMEM
										: (long)old;
	} else if (lx_range_valid(old + old_len, old + new_len) &&
		   lx_range_free(old + old_len, old + new_len)) {
		return lx_mm_add_kind(old + old_len, old + new_len, prot, grown) ? -ENOMEM
										     : (long)old;
	} else if (!(flags & MREMAP_MAYMOVE) || !(to = lx_find_gap(new_len))) {
		return -ENOMEM;
	}
	lm_u64 keep = old_len < new_len ? old_len : new_len;
	if (lx_unmap(to, to + new_len) || lx_mm_add_kind(to, to + keep, prot, kind) ||
	    (new_len > keep && lx_mm_add_kind(to + keep, to + new_len, prot, grown)))
		return -ENOMEM;
	if (lx_pages_move(old, keep, to, prot))
		return -ENOMEM;
	lx_unmap(old, old + old_len);
	return (long)to;
}

/* madvise: DONTNEED and FREE drop the pages of private anonymous memory
 * (which then reads as zeros, which is what DONTNEED promises and FREE
 * allows); shared memory and file mappings keep theirs (Linux reads them
 * again from the shared object or the file: the same contents, but for a
 * private file page written since, which here keeps the write). The other
 * advice is accepted and ignored. */
LX_SYS(madvise)
{
	lm_u64 addr = a[0], len = LX_PAGE_UP(a[1]), adv = a[2];

	if ((addr & (LX_PAGE - 1)) || len < a[1])
		return -EINVAL;
	if (!(adv <= MADV_DONTNEED || (adv >= MADV_FREE && adv <= 21 && adv != 9)))
		return -EINVAL;
	if (!len)
		return 0;
	if (!lx_range_valid(addr, addr + len) || !lx_range_covered(addr, addr + len))
		return -ENOMEM;
	for (lm_u64 at = addr; (adv == MADV_DONTNEED || adv == MADV_FREE) && at < addr + len;) {
		struct lx_area *ar = lx_area_at(at);
		lm_u64 end = ar->hi < addr + len ? ar->hi : addr + len;

		if (ar->kind == LX_AREA_ANON)
			lx_pages_release(at, end);
		at = end;
	}
	return 0;
}
