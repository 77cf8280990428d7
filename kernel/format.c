/* printf-style formatting for the kernel: %d %i %u %x %X %p %s %c %%, with
 * l/ll/z length, width, '0' and '-' flags. Pure: host-tested. */
#include "kernel.h"

struct fmt_spec {
	int width;
	bool zero, left;
	int longs;
};

static int emit_str(putc_fn put, void *arg, const char *s, int len, const struct fmt_spec *sp)
{
	int n = 0, pad = sp->width > len ? sp->width - len : 0;

	if (!sp->left)
		for (; pad > 0; pad--, n++)
			put(' ', arg);
	for (int i = 0; i < len; i++, n++)
		put(s[i], arg);
	for (; pad > 0; pad--, n++)
		put(' ', arg);
	return n;
}

static int emit_num(putc_fn put, void *arg, u64 v, unsigned base, bool neg, bool upper,
		    const struct fmt_spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int len = 0, n = 0;

	do {
		buf[len++] = digits[v % base];
		v /= base;
	} while (v);
	int body = len + neg;
	int pad = sp->width > body ? sp->width - body : 0;
	if (!sp->left && !sp->zero)
		for (; pad > 0; pad--, n++)
			put(' ', arg);
	if (neg) {
		put('-', arg);
		n++;
	}
	if (!sp->left)
		for (; pad > 0; pad--, n++)
			put('0', arg);
	while (len)
		put(buf[--len], arg), n++;
	for (; pad > 0; pad--, n++)
		put(' ', arg);
	return n;
}

int vformat(putc_fn put, void *arg, const char *fmt, va_list ap)
{
	int n = 0;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(*fmt, arg);
			n++;
			continue;
		}
		struct fmt_spec sp = { 0 };
		for (fmt++;; fmt++) {
			if (*fmt == '0')
				sp.zero = true;
			else if (*fmt == '-')
				sp.left = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			sp.longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			i64 v = sp.longs ? va_arg(ap, i64) : va_arg(ap, int);
			n += emit_num(put, arg, v < 0 ? -(u64)v : (u64)v, 10, v < 0, false, &sp);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			u64 v = sp.longs ? va_arg(ap, u64) : va_arg(ap, unsigned);
			n += emit_num(put, arg, v, *fmt == 'u' ? 10 : 16, false, *fmt == 'X', &sp);
			break;
		}
		case 'p': {
			struct fmt_spec p = { .width = 16, .zero = true };
			put('0', arg);
			put('x', arg);
			n += 2 + emit_num(put, arg, (u64)va_arg(ap, void *), 16, false, false, &p);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			n += emit_str(put, arg, s, (int)strlen(s), &sp);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			n += emit_str(put, arg, &c, 1, &sp);
			break;
		}
		case '%':
			put('%', arg);
			n++;
			break;
		case '\0':
			return n;
		default:
			put('%', arg);
			put(*fmt, arg);
			n += 2;
		}
	}
	return n;
}

struct sn_buf {
	char *p;
	size_t left;
};

static void sn_put(char c, void *arg)
{
	struct sn_buf *b = arg;
	if (b->left > 1) {
		*b->p++ = c;
		b->left--;
	}
}

int snformat(char *buf, size_t n, const char *fmt, ...)
{
	struct sn_buf b = { buf, n };
	va_list ap;
	va_start(ap, fmt);
	int r = vformat(sn_put, &b, fmt, ap);
	va_end(ap);
	if (n)
		*b.p = '\0';
	return r;
}
