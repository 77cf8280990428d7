/*
 * Advisory file locks (docs/LINUX.md "File locks"): flock(2)'s, and
 * fcntl(2)'s byte-range locks, both the process-owned (POSIX, F_SETLK)
 * and the open-file-description-owned (OFD, F_OFD_SETLK) kinds.
 *
 * Two spaces, as on Linux: flock locks conflict only with flock locks,
 * POSIX and OFD locks with each other. The owner of a flock or OFD lock
 * is the handle (the open file description: shared by dup and fork, gone
 * with its last holder); of a POSIX lock the badge (the process: not
 * inherited by a fork child, kept across execve, dropped when the
 * process closes any descriptor of the file, FS_LK_CLOSE, or ends,
 * FS_DROP). Readers share, a writer excludes; an owner's own locks never
 * conflict with its new one, which replaces them where they overlap
 * (splitting a range, merging with its neighbours of the same type).
 *
 * Nothing waits in the server: a conflicting request with FS_LK_WAIT is
 * -EAGAIN with FS_WOULDBLOCK, its badge is a waiter, and every release
 * wakes every waiter to ask again. A POSIX waiter's request says whom it
 * waits for (`waits_for`), so a request that would close a cycle of
 * processes waiting for each other is EDEADLK, as Linux detects it.
 * Locks are few and short-lived: one list.
 *
 * The bound: a lock is charged to whoever holds it, for as long as it
 * exists: a POSIX lock to its badge, a handle's lock to every badge
 * holding the handle (each of them could unlock it, and its close drops
 * it). A badge is charged at most LOCKS_PER_CLIENT (ENOLCK past that for
 * a request that would charge any of them more), so the list never holds
 * more than LOCKS_PER_CLIENT for every badge, and no process can take the
 * locks another could make. The charge is counted, never kept: a badge
 * that goes (FS_DROP, or FS_HELLO of a new process) first releases its
 * handles, so the next process on the badge starts from what it holds,
 * nothing, while a handle's locks that outlive their maker stay charged
 * to the handle's other holders. A fork child is charged what its
 * parent's handles hold, no more than the parent: within the bound.
 */
#include "fs.h"

#define LOCKS_PER_CLIENT 16
#define HANDLE_OWNER (1ull << 32) /* an owner that is a handle, not a badge */

struct lock {
	struct lock *next;
	struct inode *ino;
	lm_u64 owner;      /* a badge (POSIX) or HANDLE_OWNER | handle */
	lm_u64 pid;        /* the pid its locker gave, for F_GETLK */
	lm_u64 start, end; /* bytes [start, end); end FS_LK_EOF: to the end, whatever it becomes */
	lm_u8 type;        /* FS_F_RDLCK or FS_F_WRLCK */
	lm_u8 flock;       /* the flock space */
};

static struct lock *locks;
static lm_u64 waiters;                  /* badges to wake at any release */
static lm_u64 waits_for[FS_CLIENTS + 1]; /* a POSIX waiter's blocker, 0 if none */

static void unlink_lock(struct lock **at)
{
	struct lock *l = *at;

	*at = l->next;
	fs_free(l);
}

/* Link l (allocated by the caller) into the list. */
static void add_lock(struct lock *l, struct inode *i, lm_u64 owner, lm_u64 pid, lm_u64 s,
		     lm_u64 e, lm_u8 type, lm_u8 flock)
{
	*l = (struct lock){ locks, i, owner, pid, s, e, type, flock };
	locks = l;
}

/* The badges an owner's locks are charged to: its holders. */
static lm_u64 charged_to(lm_u64 owner)
{
	return owner & HANDLE_OWNER ? h_holders(owner & ~HANDLE_OWNER) : BADGE_BIT(owner);
}

/* May `more` locks be charged to every badge of the set? */
static int within_bound(lm_u64 set, lm_u32 more)
{
	lm_u32 n[FS_CLIENTS + 1] = { 0 };

	for (struct lock *l = locks; l; l = l->next)
		for (lm_u64 b = charged_to(l->owner) & set; b; b &= b - 1)
			n[__builtin_ctzll(b) + 1]++;
	for (lm_u64 b = set; b; b &= b - 1)
		if (n[__builtin_ctzll(b) + 1] + more > LOCKS_PER_CLIENT)
			return 0;
	return 1;
}

static void released(void)
{
	lm_u64 w = waiters;

	waiters = 0;
	if (w)
		fs_wake(w);
}

/* The first lock of another owner in the same space that a lock of this
 * type over [s, e) would conflict with. */
static struct lock *conflict(struct inode *i, lm_u64 owner, lm_u8 flock, lm_u64 s, lm_u64 e,
			     lm_u8 type)
{
	for (struct lock *l = locks; l; l = l->next)
		if (l->ino == i && l->flock == flock && l->owner != owner && l->start < e &&
		    s < l->end && (type == FS_F_WRLCK || l->type == FS_F_WRLCK))
			return l;
	return 0;
}

/* Would badge b waiting for owner o close a cycle? Only POSIX owners
 * (badges) wait for one owner; a handle owner is never followed. */
static int deadlock(lm_u64 b, lm_u64 o)
{
	for (int n = 0; n <= FS_CLIENTS && o && !(o & HANDLE_OWNER); n++) {
		if (o == b)
			return 1;
		o = o <= FS_CLIENTS ? waits_for[o] : 0;
	}
	return 0;
}

/* Make owner's locks over [s, e) of inode i be `type` (FS_F_UNLCK: none):
 * its locks there are cut away, and the new one absorbs its same-type
 * neighbours that overlap or touch it. The locks this needs (a range
 * split in two, the new one) are charged to the owner's holders and
 * taken before anything changes: ENOLCK leaves the locks as they were
 * (an unlock that splits nothing always goes through). */
static long set_range(struct inode *i, lm_u64 owner, lm_u64 pid, lm_u8 flock, lm_u64 s, lm_u64 e,
		      lm_u8 type)
{
	struct lock *outer = 0, *split = 0, *mine = 0;
	lm_u32 more;
	int changed = 0;

	/* the one own lock of another type that holds [s, e) strictly inside
	 * (an owner's locks never overlap each other) is cut in two */
	for (struct lock *l = locks; l && !outer; l = l->next)
		if (l->ino == i && l->owner == owner && l->flock == flock && l->start < s &&
		    l->end > e && l->type != type)
			outer = l;
	more = !!outer + (type != FS_F_UNLCK);
	if ((more && !within_bound(charged_to(owner), more)) ||
	    (outer && !(split = fs_alloc(sizeof *split))) ||
	    (type != FS_F_UNLCK && !(mine = fs_alloc(sizeof *mine)))) {
		fs_free(split);
		return -ENOLCK;
	}
	if (outer) {
		add_lock(split, i, owner, outer->pid, e, outer->end, outer->type, flock);
		outer->end = s;
		changed = 1;
	}
	for (struct lock **at = &locks; *at;) {
		struct lock *l = *at;

		if (l->ino != i || l->owner != owner || l->flock != flock ||
		    l->end < s || l->start > e) {
			at = &l->next;
			continue;
		}
		if (l->type == type) { /* overlapping or touching: absorbed */
			s = l->start < s ? l->start : s;
			e = l->end > e ? l->end : e;
			unlink_lock(at);
			continue;
		}
		if (l->end == s || l->start == e) { /* touching, another type: kept */
			at = &l->next;
			continue;
		}
		changed = 1;
		if (l->start < s) {        /* its head stays */
			l->end = s;
			at = &l->next;
		} else if (l->end > e) {   /* its tail stays */
			l->start = e;
			at = &l->next;
		} else {
			unlink_lock(at);
		}
	}
	if (type != FS_F_UNLCK)
		add_lock(mine, i, owner, pid, s, e, type, flock);
	if (changed || type == FS_F_UNLCK)
		released();
	return 0;
}

/* FS_LOCK (h, op | pid << 32, start, end) on a handle the caller holds. */
long lock_request(struct fs_req *q, struct handle *h, lm_u64 hnum)
{
	lm_u64 op = q->w[1] & 0xffffffffu, pid = q->w[1] >> 32, s = q->w[2], e = q->w[3];
	lm_u64 kind = op & FS_LK_KIND;
	lm_u8 type = (lm_u8)(op & FS_LK_TYPE), flock = kind == FS_LK_FLOCK;
	lm_u64 owner = kind == FS_LK_POSIX ? q->badge : HANDLE_OWNER | hnum;
	struct lock *c;

	if ((op & ~(lm_u64)(FS_LK_KIND | FS_LK_TYPE | FS_LK_WAIT | FS_LK_GET | FS_LK_CLOSE)) ||
	    !kind || type > FS_F_UNLCK || s >= e || (h->flags & O_PATH))
		return -EINVAL;
	if (flock && (s || e != FS_LK_EOF))
		return -EINVAL;
	waits_for[q->badge] = 0;
	if (op & FS_LK_CLOSE) /* the process closed a descriptor of the file */
		return kind == FS_LK_POSIX ? set_range(h->ino, owner, pid, 0, 0, FS_LK_EOF, FS_F_UNLCK)
					   : -EINVAL;
	if (op & FS_LK_GET) {
		struct fs_lockinfo *out = (struct fs_lockinfo *)q->buf->data;

		if (type == FS_F_UNLCK)
			return -EINVAL;
		c = conflict(h->ino, owner, flock, s, e, type);
		if (!c)
			return FS_F_UNLCK;
		*out = (struct fs_lockinfo){ c->start, c->end,
					     c->owner & HANDLE_OWNER ? (lm_u64)-1 : c->pid };
		return c->type;
	}
	if (type != FS_F_UNLCK && (c = conflict(h->ino, owner, flock, s, e, type))) {
		if (!(op & FS_LK_WAIT))
			return -EAGAIN;
		if (kind == FS_LK_POSIX && deadlock(q->badge, c->owner))
			return -EDEADLK;
		if (kind == FS_LK_POSIX)
			waits_for[q->badge] = c->owner;
		waiters |= BADGE_BIT(q->badge);
		q->r1 = FS_WOULDBLOCK;
		return -EAGAIN;
	}
	return set_range(h->ino, owner, pid, flock, s, e, type);
}

/* Any request but FS_LOCK: the badge is not (or no more) waiting for a
 * lock (a wait a signal ended is never asked again). */
void lock_not_waiting(lm_u64 badge)
{
	waits_for[badge] = 0;
}

/* Every lock of this owner goes. */
static void drop_owner(lm_u64 owner)
{
	int any = 0;

	for (struct lock **at = &locks; *at;)
		if ((*at)->owner == owner) {
			unlink_lock(at);
			any = 1;
		} else {
			at = &(*at)->next;
		}
	if (any)
		released();
}

/* The handle went (its last holder): its flock and OFD locks with it. */
void lock_handle_gone(lm_u64 hnum)
{
	drop_owner(HANDLE_OWNER | hnum);
}

/* The badge's process ended (or a new one took the badge): its POSIX
 * locks go, and it waits for nothing. Its handles went first
 * (h_release_all): nothing stays charged to the badge. */
void lock_badge_gone(lm_u64 badge)
{
	waiters &= ~BADGE_BIT(badge);
	waits_for[badge] = 0;
	drop_owner(badge);
}
