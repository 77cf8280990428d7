/* Console client: writes and reads through the console server (lm/console.h). */
#include <lm/console.h>
#include <lm/sys.h>

int lm_con_write(lm_cptr_t ep, const void *buf, lm_u64 n)
{
	const lm_u8 *s = buf;

	while (n) {
		lm_u32 k = n > CON_MAX_BYTES ? CON_MAX_BYTES : (lm_u32)n;
		lm_u64 w[4] = { 0 };
		struct lm_msg r;

		for (lm_u32 i = 0; i < k; i++)
			w[i / 8] |= (lm_u64)s[i] << (8 * (i % 8));
		int err = lm_ep_call(ep, LM_MSG_INFO(CON_LABEL(CON_WRITE, k), 4, 0), w[0], w[1],
				     w[2], w[3], &r);
		if (err)
			return err;
		s += k;
		n -= k;
	}
	return LM_OK;
}

static int con_read(lm_cptr_t in, lm_u32 op, void *buf, lm_u32 max, lm_u32 *got)
{
	lm_u8 *b = buf;
	struct lm_msg r;
	lm_u32 n;

	*got = 0;
	if (max == 0 || max > CON_MAX_BYTES)
		max = CON_MAX_BYTES;
	int err = lm_ep_call(in, LM_MSG_INFO(CON_LABEL(op, max), 0, 0), 0, 0, 0, 0, &r);
	if (err)
		return err;
	switch (CON_LABEL_OP(LM_MSG_LABEL(r.info))) {
	case CON_OK:
		break;
	case CON_EINTR:
		return LM_EINTR;
	case CON_ENOTOWNER:
		return LM_ERIGHTS;
	default:
		return LM_EINVAL;
	}
	n = CON_LABEL_N(LM_MSG_LABEL(r.info));
	if (n > max)
		n = max;
	for (lm_u32 i = 0; i < n; i++)
		b[i] = (lm_u8)(r.w[i / 8] >> (8 * (i % 8)));
	*got = n;
	return LM_OK;
}

int lm_con_read(lm_cptr_t in, void *buf, lm_u32 max, lm_u32 *got)
{
	return con_read(in, CON_READ, buf, max, got);
}

int lm_con_read_now(lm_cptr_t in, void *buf, lm_u32 max, lm_u32 *got)
{
	return con_read(in, CON_READ_NOW, buf, max, got);
}

int lm_con_notify(lm_cptr_t in, int cap)
{
	struct lm_msg r;
	int err = lm_ep_call(in, LM_MSG_INFO(CON_NOTIFY, 0, cap ? 1 : 0), 0, 0, 0, 0, &r);

	if (err)
		return err;
	switch (CON_LABEL_OP(LM_MSG_LABEL(r.info))) {
	case CON_OK: /* n = 1: a notification is kept (a capability that did
		      * not travel, for want of GRANT or of a buffer, is none) */
		return !cap == !CON_LABEL_N(LM_MSG_LABEL(r.info)) ? LM_OK : LM_EINVAL;
	case CON_ENOTOWNER:
		return LM_ERIGHTS;
	default:
		return LM_EINVAL;
	}
}

int lm_con_mode(lm_cptr_t in, lm_u32 mode, lm_u32 *old, lm_u32 *echoed)
{
	struct lm_msg r;
	int err;

	if (mode > 0xff)
		return LM_EINVAL;
	err = lm_ep_call(in, LM_MSG_INFO(CON_LABEL(CON_MODE, mode), 0, 0), 0, 0, 0, 0, &r);
	if (err)
		return err;
	switch (CON_LABEL_OP(LM_MSG_LABEL(r.info))) {
	case CON_OK:
		if (old)
			*old = CON_LABEL_N(LM_MSG_LABEL(r.info));
		if (echoed)
			*echoed = (lm_u32)r.w[0];
		return LM_OK;
	case CON_ENOTOWNER:
		return LM_ERIGHTS;
	default:
		return LM_EINVAL;
	}
}
