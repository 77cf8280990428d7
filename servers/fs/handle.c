/*
 * Open file descriptions, named by handles 1..FS_HANDLES: the inode, the
 * offset and the status flags, shared by every descriptor that names the
 * handle. refs counts the client's references (dup across processes comes
 * with fork: FS_DUP); the handle goes at the last FS_CLOSE. A handle is
 * usable only by the client (badge) that opened it.
 */
#include "fs.h"

static struct handle handles[FS_HANDLES + 1]; /* [0] unused: 0 is "none" */

lm_u64 h_new(struct inode *i, lm_u64 owner, lm_u32 flags)
{
	for (lm_u64 h = 1; h <= FS_HANDLES; h++)
		if (!handles[h].ino) {
			handles[h] = (struct handle){ i, owner, 0, flags, 1 };
			i->opens++;
			return h;
		}
	return 0;
}

struct handle *h_get(lm_u64 h, lm_u64 owner)
{
	if (h == 0 || h > FS_HANDLES || !handles[h].ino || handles[h].owner != owner)
		return 0;
	return &handles[h];
}

void h_put(lm_u64 h)
{
	struct handle *x = &handles[h];

	if (--x->refs)
		return;
	x->ino->opens--;
	ino_put(x->ino);
	*x = (struct handle){ 0 };
}

/* A client starts afresh (a new process on its badge): its old handles go. */
void h_forget_owner(lm_u64 owner)
{
	for (lm_u64 h = 1; h <= FS_HANDLES; h++)
		if (handles[h].ino && handles[h].owner == owner) {
			handles[h].refs = 1;
			h_put(h);
		}
}
