/*
 * The root file system from a boot module: a "newc" cpio archive
 * (tools/mkrootfs.py), entries in an order where every directory comes
 * before what it holds. Regular files and link targets keep pointing into
 * the module (read-only, mapped for the server's whole life) until first
 * written: file_resize copies them then. Hard links are not in the
 * archive (the packer writes symbolic links).
 * Then the devices every Linux system has in /dev.
 */
#include "fs.h"

#define HDR 110

static lm_u64 hex(const char *p)
{
	lm_u64 v = 0;

	for (int k = 0; k < 8; k++) {
		char c = p[k];
		v = v << 4 | (lm_u64)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
	}
	return v;
}

static int add(const char *name, lm_u32 mode, lm_u64 mtime, const char *data, lm_u64 size)
{
	struct walk w;
	struct inode *i;
	int err;

	if (!strcmp(name, ".")) {
		fs_root->mode = S_IFDIR | (mode & 07777);
		fs_root->mtime = fs_root->ctime = fs_root->atime = mtime;
		return 0;
	}
	err = fs_walk(fs_root, name, W_PARENT, &w);
	if (err || w.ino)
		return err ? err : -EEXIST;
	i = ino_new(mode);
	if (!i)
		return -ENOSPC;
	if (!S_ISDIR(mode)) {
		i->data = (char *)data;
		i->size = size;
		i->owned = 0;
	}
	err = dir_add(w.dir, w.name, i);
	if (err)
		return err;
	i->atime = i->mtime = i->ctime = mtime;
	return 0;
}

int fs_image_load(const void *img, lm_u64 size)
{
	const char *p = img, *end = p + size;

	while (p + HDR <= end && !strncmp(p, "070701", 6)) {
		lm_u64 mode = hex(p + 14), mtime = hex(p + 46), fsize = hex(p + 54);
		lm_u64 nsize = hex(p + 94);
		const char *name = p + HDR, *data = name + ((HDR + nsize + 3) & ~3ull) - HDR;

		if (nsize == 0 || data > end || fsize > (lm_u64)(end - data) || name[nsize - 1])
			return -EINVAL;
		if (!strcmp(name, "TRAILER!!!"))
			return 0;
		if (S_ISDIR(mode) || S_ISREG(mode) || S_ISLNK(mode)) {
			int err = add(name, (lm_u32)mode, mtime * 1000000000ull, data, fsize);
			if (err) {
				lm_printf("fs: image: %s: error %d\n", name, -err);
				return err;
			}
		}
		p = data + ((fsize + 3) & ~3ull);
	}
	return -EINVAL;
}

static void dev(struct inode *d, const char *name, lm_u32 mode, lm_u32 rdev)
{
	struct inode *i = ino_new(mode);

	if (i) {
		i->rdev = rdev;
		dir_add(d, name, i);
	}
}

/* /dev: the devices the server serves itself (null, zero, urandom,
 * random) and the terminal's names, which the client serves (it sees the
 * mode and rdev in FS_OPEN's reply). */
void fs_devices(void)
{
	struct inode *d = dir_lookup(fs_root, "dev", 3);

	if (!d) {
		d = ino_new(S_IFDIR | 0755);
		if (!d || dir_add(fs_root, "dev", d))
			return;
	}
	dev(d, "null", S_IFCHR | 0666, 1 << 8 | 3);
	dev(d, "zero", S_IFCHR | 0666, 1 << 8 | 5);
	dev(d, "random", S_IFCHR | 0666, 1 << 8 | 8);
	dev(d, "urandom", S_IFCHR | 0666, 1 << 8 | 9);
	dev(d, "tty", S_IFCHR | 0666, 5 << 8 | 0);
	dev(d, "console", S_IFCHR | 0600, 5 << 8 | 1);
}
