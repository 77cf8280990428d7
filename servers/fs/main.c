/*
 * fs: the file server (protocol in fs_proto.h, design in docs/LINUX.md).
 *
 * Root starts it with its endpoint (FS_SLOT_EP, to receive on), untyped
 * memory for its heap (FS_SLOT_MEM..), the boot
 * module "rootfs" (a cpio archive, unpacked at start: image.c) and the
 * FS_CLIENTS buffer pages, mapped here at FS_SRV_BUF_VA, page b-1 for
 * badge b; root gives copies of the endpoint (to mint) and of the pages to
 * the shell (and the process manager), which hand a badged endpoint and
 * its page to each Linux process. The process manager's own badge
 * FS_BADGE_PM may fork and drop badges (client.c). One thread serves every request in turn: a request is decoded
 * and checked before anything changes, so a malformed one costs its
 * sender an error and nobody else anything.
 */
#include "fs.h"
#include "fs_srv.h"

static struct fs_req q;

/* A WRITE's bytes past FS_DATA, from message words 4.. */
static void take_tail(const struct lm_msg *m)
{
	const lm_u64 *words = fs_msg_words();
	lm_u64 len = LM_MSG_LEN(m->info);

	if (!words || len <= LM_MSG_REG_WORDS)
		return;
	len -= LM_MSG_REG_WORDS;
	if (len > FS_TAIL / 8)
		len = FS_TAIL / 8;
	memcpy(q.tail, words, len * 8);
	q.ntail = len * 8;
}

/* Who may send what: FS_FORK and FS_DROP only FS_BADGE_PM, the rest only
 * clients (1..FS_CLIENTS); a capability only with FS_HELLO. */
static long serve(const struct lm_msg *m)
{
	lm_u64 label = LM_MSG_LABEL(m->info), ncaps = LM_MSG_NCAPS(m->info);
	int pm = m->badge == FS_BADGE_PM, client = m->badge >= 1 && m->badge <= FS_CLIENTS;

	q = (struct fs_req){ .badge = m->badge, .label = label };
	for (int k = 0; k < 4; k++)
		q.w[k] = m->w[k];
	if (ncaps && !(client && label == FS_HELLO))
		fs_discard_cap();
	if (label == FS_FORK || label == FS_DROP)
		return pm ? fs_serve_client(&q, 0) : -EPERM;
	if (pm)
		return -EPERM;
	if (!client)
		return -EBADF; /* an unbadged copy: root's own, never a client's */
	q.buf = (struct fs_buf *)(FS_SRV_BUF_VA + (m->badge - 1) * LM_PAGE_SIZE);
	fs_now = q.buf->now_ns;
	if (label == FS_HELLO)
		return fs_serve_client(&q, ncaps);
	if (label == FS_WRITE)
		take_tail(m);
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
	fs_clients_init();
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
