/*
 * Inodes and directories. An inode lives while a directory entry (nlink)
 * or an open handle (opens) names it; a directory's nlink counts its entry
 * in its parent, its own "." and its subdirectories' "..", as on Linux.
 * Directory entries are an unsorted array: small directories, no hashing.
 */
#include "fs.h"

#define NINODES 4096

static struct inode inodes[NINODES];
struct inode *fs_root;
lm_u64 fs_now; /* the time of the request being served (ns) */

struct inode *ino_new(lm_u32 mode)
{
	for (lm_u32 n = 0; n < NINODES; n++)
		if (!inodes[n].mode) {
			struct inode *i = &inodes[n];

			*i = (struct inode){ .mode = mode, .owned = 1 };
			i->atime = i->mtime = i->ctime = fs_now;
			return i;
		}
	return 0;
}

lm_u64 ino_number(const struct inode *i)
{
	return (lm_u64)(i - inodes) + 2; /* the root is 2, as on ext4 */
}

void ino_put(struct inode *i)
{
	if (i->nlink || i->opens)
		return;
	if (i->owned)
		fs_free(i->data);
	if (i->pipe) {
		fs_free(i->pipe->buf);
		fs_free(i->pipe);
	}
	for (lm_u32 n = 0; n < i->nents; n++)
		fs_free(i->ents[n].name);
	fs_free(i->ents);
	fs_free(i->gone);
	*i = (struct inode){ 0 };
}

struct inode *dir_lookup(struct inode *d, const char *name, lm_u64 len)
{
	if (len == 1 && name[0] == '.')
		return d;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return d->parent ? d->parent : d;
	for (lm_u32 n = 0; n < d->nents; n++)
		if (!strncmp(d->ents[n].name, name, len) && !d->ents[n].name[len])
			return d->ents[n].ino;
	return 0;
}

/* Link i into d as name (not there yet). */
int dir_add(struct inode *d, const char *name, struct inode *i)
{
	lm_u64 len = strlen(name);
	char *copy;

	if (!d->nlink) /* removed, though still open: nothing new goes in (Linux: ENOENT) */
		return -ENOENT;
	copy = fs_alloc(len + 1);
	if (!copy)
		return -ENOSPC;
	if (d->nents == d->cap) {
		lm_u32 cap = d->cap ? d->cap * 2 : 8;
		struct dent *e = fs_alloc(cap * sizeof *e);

		if (!e) {
			fs_free(copy);
			return -ENOSPC;
		}
		if (d->nents)
			memcpy(e, d->ents, d->nents * sizeof *e);
		fs_free(d->ents);
		d->ents = e;
		d->cap = cap;
	}
	memcpy(copy, name, len + 1);
	d->ents[d->nents++] = (struct dent){ i, copy };
	i->nlink++;
	fs_free(i->gone); /* named again: no path (deleted) to tell */
	i->gone = 0;
	if (S_ISDIR(i->mode)) {
		i->parent = d;
		i->nlink++;  /* its "." */
		d->nlink++;  /* its ".." */
	}
	d->mtime = d->ctime = fs_now;
	i->ctime = fs_now;
	return 0;
}

#define DELETED " (deleted)"

/* i, still open, lost its last name, d's `name`: keep the path for
 * FS_PATH_NAMED, as Linux's /proc shows it ("/path (deleted)"). Only the
 * open unlinked inodes hold one (at most one each, freed with the inode),
 * so what is kept is bounded by the handles; with the heap spent or a path
 * too long for an answer nothing is kept, and the path is just not told. */
static void remember_name(const struct inode *d, const char *name, struct inode *i)
{
	static char path[FS_DATA];
	lm_u64 len = strlen(name);
	int at = ino_path(d, path, sizeof path);

	if (at < 0 || (lm_u64)at + 1 + len + sizeof DELETED > sizeof path)
		return;
	if (at > 1)
		path[at++] = '/';
	memcpy(path + at, name, len + 1);
	i->gone = fs_alloc((lm_u64)at + len + 1);
	if (i->gone)
		memcpy(i->gone, path, (lm_u64)at + len + 1);
}

/* Unlink name from d; the inode goes when nothing names it. */
int dir_remove(struct inode *d, const char *name)
{
	for (lm_u32 n = 0; n < d->nents; n++) {
		struct inode *i = d->ents[n].ino;

		if (strcmp(d->ents[n].name, name))
			continue;
		fs_free(d->ents[n].name);
		d->ents[n] = d->ents[--d->nents];
		i->nlink--;
		if (S_ISDIR(i->mode)) {
			i->nlink--;
			d->nlink--;
			i->parent = 0;
		}
		d->mtime = d->ctime = fs_now;
		i->ctime = fs_now;
		if (!i->nlink && i->opens && !i->gone)
			remember_name(d, name, i);
		ino_put(i);
		return 0;
	}
	return -ENOENT;
}

/* Make i's data its own and at least `size` bytes long (zeros after). */
int file_resize(struct inode *i, lm_u64 size)
{
	lm_u64 have = i->owned ? fs_alloc_size(i->data) : 0;

	if (size > FS_MAX_FILE)
		return -EFBIG;
	if (size > have || !i->owned) {
		lm_u64 cap = 64;
		char *d;

		while (cap < size)
			cap *= 2;
		d = fs_alloc(cap);
		if (!d)
			return -ENOSPC;
		memcpy(d, i->data, i->size < size ? i->size : size);
		if (i->owned)
			fs_free(i->data);
		i->data = d;
		i->owned = 1;
	} else if (size > i->size) {
		memset(i->data + i->size, 0, size - i->size);
	}
	i->size = size;
	i->mtime = i->ctime = fs_now;
	return 0;
}

int file_write(struct inode *i, lm_u64 pos, const void *src, lm_u64 n)
{
	int err;

	if (pos + n > FS_MAX_FILE || pos + n < pos)
		return -EFBIG;
	if (pos + n > i->size || !i->owned) {
		err = file_resize(i, pos + n > i->size ? pos + n : i->size);
		if (err)
			return err;
	}
	memcpy(i->data + pos, src, n);
	i->mtime = i->ctime = fs_now;
	return 0;
}

static const char *name_in(const struct inode *d, const struct inode *i)
{
	for (lm_u32 n = 0; n < d->nents; n++)
		if (d->ents[n].ino == i)
			return d->ents[n].name;
	return 0;
}

/* The absolute path of directory d: its length, or -ENOENT if it was
 * removed, -ENAMETOOLONG. Built right to left through the parents. */
int ino_path(const struct inode *d, char *out, lm_u64 max)
{
	lm_u64 at = max - 1;

	out[at] = 0;
	if (d == fs_root) {
		out[0] = '/';
		out[1] = 0;
		return 1;
	}
	while (d != fs_root) {
		const char *name;
		lm_u64 len;

		if (!d->parent || !(name = name_in(d->parent, d)))
			return -ENOENT;
		len = strlen(name);
		if (len + 1 > at)
			return -ENAMETOOLONG;
		at -= len;
		memcpy(out + at, name, len);
		out[--at] = '/';
		d = d->parent;
	}
	memmove(out, out + at, max - at);
	return (int)(max - 1 - at);
}

/* FS_PATH_NAMED: a path naming i. A directory's own; a non-directory's
 * the first directory entry found that names it (a file's other links
 * are not told apart). A file knows no directory of its own: every live
 * directory is looked at, which is few enough for the rare readlink that
 * asks. Unlinked (or removed) but open: the path it had, DELETED after
 * it, as Linux's /proc says; -ENOENT if none is known (an anonymous pipe,
 * a name not kept). */
int ino_named_path(const struct inode *i, char *out, lm_u64 max)
{
	int dir = S_ISDIR(i->mode), own = dir ? ino_path(i, out, max) : -ENOENT;
	lm_u64 gone;

	for (lm_u32 n = 0; n < NINODES && !dir; n++) {
		const struct inode *d = &inodes[n];
		const char *name = S_ISDIR(d->mode) ? name_in(d, i) : 0;
		lm_u64 len;
		int at;

		if (!name)
			continue;
		at = ino_path(d, out, max);
		if (at < 0)
			continue; /* a directory no longer in the tree */
		len = strlen(name);
		if ((lm_u64)at + 1 + len + 1 > max)
			return -ENAMETOOLONG;
		if (at > 1)
			out[at++] = '/';
		memcpy(out + at, name, len + 1);
		return at + (int)len;
	}
	if (own != -ENOENT || !i->gone)
		return own;
	gone = strlen(i->gone);
	if (gone + sizeof DELETED > max)
		return -ENAMETOOLONG;
	memcpy(out, i->gone, gone);
	memcpy(out + gone, DELETED, sizeof DELETED);
	return (int)(gone + sizeof DELETED - 1);
}
