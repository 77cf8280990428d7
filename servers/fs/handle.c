/*
 * Open file descriptions, named by handles 1..FS_HANDLES: the inode, the
 * offset and the status flags, shared by every descriptor that names the
 * handle in every process holding it. A handle is held by a set of badges
 * (one bit each, FS_CLIENTS <= 64): the opener's, and the children FS_FORK
 * gave it to. A badge's membership goes with FS_CLOSE or FS_DROP; the
 * handle goes with the last membership. A client holds a handle once,
 * however many of its descriptors name it (the personality counts those).
 */
#include "fs.h"

static struct handle handles[FS_HANDLES + 1]; /* [0] unused: 0 is "none" */

lm_u64 h_new(struct inode *i, lm_u64 badge, lm_u32 flags)
{
	for (lm_u64 h = 1; h <= FS_HANDLES; h++)
		if (!handles[h].ino) {
			handles[h] = (struct handle){ i, BADGE_BIT(badge), 0, flags };
			i->opens++;
			return h;
		}
	return 0;
}

lm_u32 h_free_count(lm_u32 want)
{
	lm_u32 n = 0;

	for (lm_u64 h = 1; h <= FS_HANDLES && n < want; h++)
		n += !handles[h].ino;
	return n;
}

struct handle *h_get(lm_u64 h, lm_u64 badge)
{
	if (h == 0 || h > FS_HANDLES || !handles[h].ino || !(handles[h].holders & BADGE_BIT(badge)))
		return 0;
	return &handles[h];
}

/* h is held by badge (h_get said so). */
void h_release(lm_u64 h, lm_u64 badge)
{
	struct handle *x = &handles[h];
	struct inode *i = x->ino;

	x->holders &= ~BADGE_BIT(badge);
	if (i->pipe)
		pipe_forget(i, x->flags, badge);
	if (x->holders)
		return;
	i->opens--;
	if (i->pipe)
		pipe_end_closed(i, x->flags);
	lock_handle_gone(h);
	*x = (struct handle){ 0 };
	ino_put(i);
}

void h_release_all(lm_u64 badge)
{
	for (lm_u64 h = 1; h <= FS_HANDLES; h++)
		if (handles[h].ino && (handles[h].holders & BADGE_BIT(badge)))
			h_release(h, badge);
}

/* The badges holding handle h (a handle of the list): 0 if it is free. */
lm_u64 h_holders(lm_u64 h)
{
	return h && h <= FS_HANDLES && handles[h].ino ? handles[h].holders : 0;
}

lm_u32 h_held_by(lm_u64 badge)
{
	lm_u32 n = 0;

	for (lm_u64 h = 1; h <= FS_HANDLES; h++)
		n += handles[h].ino && (handles[h].holders & BADGE_BIT(badge));
	return n;
}

/* The child holds every handle the parent holds: the same numbers, so
 * the child's copy of the parent's descriptor table stays valid. */
void h_fork(lm_u64 parent, lm_u64 child)
{
	for (lm_u64 h = 1; h <= FS_HANDLES; h++)
		if (handles[h].ino && (handles[h].holders & BADGE_BIT(parent)))
			handles[h].holders |= BADGE_BIT(child);
}
