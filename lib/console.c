/* Console client: writes through the console server (lm/console.h). */
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
