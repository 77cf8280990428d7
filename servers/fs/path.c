/*
 * Path resolution: component by component from the root (a leading '/')
 * or from `start`; "." and ".." as the directories say (".." of the root
 * is the root); a symbolic link met on the way (or last, with W_FOLLOW, or
 * last before a '/') is replaced by its target and the walk goes on, at
 * most 40 times (ELOOP), as on Linux.
 */
#include "fs.h"

#define MAXLINKS 40
#define BUF      (2 * FS_PATH + 256)

static char buf[BUF], tmp[BUF];

/* buf = target + "/" + rest (rest may alias buf: copied through tmp). */
static int splice(const struct inode *link, const char *rest)
{
	lm_u64 tl = link->size, rl = strlen(rest);

	if (tl + 1 + rl + 1 > BUF)
		return -ENAMETOOLONG;
	memcpy(tmp, link->data, tl);
	tmp[tl] = '/';
	memcpy(tmp + tl + 1, rest, rl + 1);
	if (!rl)
		tmp[tl] = 0; /* no trailing '/' the path did not have */
	memcpy(buf, tmp, tl + rl + 2);
	return 0;
}

int fs_walk(struct inode *dir, const char *path, int flags, struct walk *w)
{
	int links = 0;
	char *p = buf;
	lm_u64 n = strlen(path);

	if (n == 0)
		return -ENOENT;
	if (n >= BUF)
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	*w = (struct walk){ 0 };
restart:
	if (*p == '/')
		dir = fs_root;
	for (;;) {
		while (*p == '/')
			p++;
		char *name = p;
		while (*p && *p != '/')
			p++;
		lm_u64 len = (lm_u64)(p - name);
		char *rest = p;
		while (*rest == '/')
			rest++;
		int last = !*rest, slash = *p == '/';

		if (!S_ISDIR(dir->mode))
			return -ENOTDIR;
		if (len == 0) { /* "/" alone, or the start itself */
			w->dir = dir;
			w->ino = dir;
			w->slash = 1;
			return 0;
		}
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		struct inode *i = dir_lookup(dir, name, len);
		if (last && (flags & W_PARENT) &&
		    (!i || !S_ISLNK(i->mode) || !(flags & W_FOLLOW))) {
			w->dir = dir;
			w->ino = i;
			memcpy(w->name, name, len);
			w->name[len] = 0;
			w->slash = slash;
			return 0;
		}
		if (!i)
			return -ENOENT;
		if (S_ISLNK(i->mode) && (!last || slash || (flags & W_FOLLOW))) {
			if (++links > MAXLINKS)
				return -ELOOP;
			int err = splice(i, slash ? rest - 1 : rest);
			if (err)
				return err;
			p = buf;
			if (i->size == 0)
				return -ENOENT;
			goto restart;
		}
		if (last) {
			if (slash && !S_ISDIR(i->mode))
				return -ENOTDIR;
			w->dir = dir;
			w->ino = i;
			memcpy(w->name, name, len);
			w->name[len] = 0;
			w->slash = slash;
			return 0;
		}
		dir = i;
		p = rest;
	}
}
