/*
 * fs: the file server (protocol in fs_proto.h, design in docs/LINUX.md).
 *
 * Root starts it with its endpoint (FS_SLOT_EP, to receive on), untyped
 * memory for its heap (FS_SLOT_MEM..), the boot
 * module "rootfs" (a cpio archive, unpacked at start: image.c) and the
 * FS_CLIENTS buffer pages, mapped here at FS_SRV_BUF_VA, page b-1 for
 * badge b; root gives copies of the endpoint (to mint) and of the pages to
 * the shell, which hands a badged endpoint and its page to each Linux
 * process. One thread serves every request in turn: a request is decoded
 * and checked before anything changes, so a malformed one costs its
 * sender an error and nobody else anything.
 */
#include "fs.h"
#include "fs_srv.h"

static struct fs_req q;

static long serve(const struct lm_msg *m)
{
	if (m->badge < 1 || m->badge > FS_CLIENTS)
		return -EBADF; /* an unbadged copy: root's own, never a client's */
	q = (struct fs_req){ .badge = m->badge, .label = LM_MSG_LABEL(m->info) };
	for (int k = 0; k < 4; k++)
		q.w[k] = m->w[k];
	q.buf = (struct fs_buf *)(FS_SRV_BUF_VA + (m->badge - 1) * LM_PAGE_SIZE);
	fs_now = q.buf->now_ns;
	return fs_serve(&q);
}

static int setup(const struct lm_bootinfo *bi)
{
	const struct lm_bi_module *m = 0;
	int err;

	for (lm_u32 k = 0; k < bi->n_modules && k < LM_BI_MAX_MODULES; k++)
		if (!strncmp(bi->modules[k].name, "rootfs", LM_BI_NAME_LEN))
			m = &bi->modules[k];
	lm_slot_init(bi->first_free, 1ull << bi->cnode_bits);
	fs_heap_init();
	fs_root = ino_new(S_IFDIR | 0755);
	fs_root->nlink = 2;
	if (!m) {
		lm_printf("fs: no rootfs module: the root is empty\n");
		fs_devices();
		return 0;
	}
	err = fs_image_load((const void *)m->vaddr, m->size);
	if (err)
		lm_printf("fs: the rootfs image is damaged (error %d): kept what was read\n", -err);
	fs_devices();
	return 0;
}

int main(lm_word_t arg)
{
	struct lm_msg m;
	long r = 0;
	int owed = 0, err;

	if (setup((const struct lm_bootinfo *)arg))
		return 1;
	for (;;) {
		if (owed)
			err = lm_ep_reply_recv(FS_SLOT_EP, LM_MSG_INFO(0, 2, 0), (lm_u64)r, q.r1, 0, 0, &m);
		else
			err = lm_ep_recv(FS_SLOT_EP, &m);
		owed = 0;
		if (err)
			continue;
		q.r1 = 0;
		r = serve(&m);
		owed = 1;
	}
}
