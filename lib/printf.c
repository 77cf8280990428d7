/* lm_printf and lm_snprintf: one formatter writing into a sink that either
 * fills a caller's buffer or flushes to the debug console when full. */
#include <lm/console.h>
#include <lm/printf.h>
#include <lm/sys.h>

/* Where lm_printf's output goes: a console endpoint, or (0) the kernel's
 * debug console, which is only for early boot and programs without one. */
static lm_cptr_t stdout_ep;

lm_cptr_t lm_debug_cap; /* lm_start sets it from the bootinfo */

void lm_stdout_use(lm_cptr_t ep)
{
	stdout_ep = ep;
}

struct sink {
	char *buf;
	size_t cap;   /* bytes buf can hold */
	size_t len;   /* bytes in buf now */
	size_t total; /* bytes produced in all */
	int console;  /* flush to DEBUG_WRITE instead of truncating */
};

static void sink_flush(struct sink *s)
{
	/* If the console is gone, still say it somewhere. */
	if (s->console && s->len && (!stdout_ep || lm_con_write(stdout_ep, s->buf, s->len)))
		lm_debug_write(s->buf, s->len);
	s->len = 0;
}

static void put(struct sink *s, char c)
{
	s->total++;
	if (s->len == s->cap) {
		if (!s->console)
			return; /* snprintf: truncate, keep counting */
		sink_flush(s);
	}
	s->buf[s->len++] = c;
}

static void put_pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

struct spec {
	int left;  /* '-' */
	int zero;  /* '0' */
	int alt;   /* '#': 0x before hex */
	char sign; /* '+' or ' ' before a non-negative decimal, else 0 */
	int width;
	int prec;  /* -1: none */
};

/* A string padded to the width; prec limits how much of it is used. */
static void put_str(struct sink *s, const char *str, const struct spec *sp)
{
	int n = 0;

	if (!str)
		str = "(null)";
	while (str[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		put_pad(s, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(s, str[i]);
	if (sp->left)
		put_pad(s, ' ', sp->width - n);
}

/* A number in base 10 or 16, with an optional sign or prefix. */
static void put_num(struct sink *s, unsigned long long v, int neg, int base,
		    int upper, const char *prefix, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = 0, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		prefix = "-";
	while (prefix && prefix[plen])
		plen++;
	pad = sp->width - n - plen;
	if (!sp->left && !sp->zero)
		put_pad(s, ' ', pad);
	for (int i = 0; i < plen; i++)
		put(s, prefix[i]);
	if (!sp->left && sp->zero)
		put_pad(s, '0', pad);
	while (n)
		put(s, tmp[--n]);
	if (sp->left)
		put_pad(s, ' ', pad);
}

/* Parse flags, width and precision at *fmt; returns the length modifier
 * count of 'l's (2 for ll, 1 for l or z) and leaves *fmt at the conversion. */
static int parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *f = *fmt;
	int longs = 0;

	sp->left = sp->zero = sp->alt = sp->width = 0;
	sp->sign = 0;
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = 1;
		else if (*f == '0')
			sp->zero = 1;
		else if (*f == '#')
			sp->alt = 1;
		else if (*f == '+' || (*f == ' ' && sp->sign != '+'))
			sp->sign = *f;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		sp->prec = 0;
		for (f++; *f >= '0' && *f <= '9'; f++)
			sp->prec = sp->prec * 10 + (*f - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			longs++;
		else if (*f == 'z')
			longs = 1;
		else if (*f != 'h')
			break;
	}
	*fmt = f;
	return longs;
}

static unsigned long long arg_unsigned(va_list *ap, int longs)
{
	if (longs >= 2)
		return va_arg(*ap, unsigned long long);
	if (longs == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static long long arg_signed(va_list *ap, int longs)
{
	if (longs >= 2)
		return va_arg(*ap, long long);
	if (longs == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static void format(struct sink *s, const char *fmt, va_list ap0)
{
	va_list ap;
	struct spec sp;

	va_copy(ap, ap0);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(s, *fmt);
			continue;
		}
		fmt++;
		int longs = parse_spec(&fmt, &sp, &ap);
		long long sv;

		switch (*fmt) {
		case 'd':
		case 'i':
			sv = arg_signed(&ap, longs);
			put_num(s, sv < 0 ? -(unsigned long long)sv : (unsigned long long)sv,
				sv < 0, 10, 0, sp.sign == '+' ? "+" : sp.sign ? " " : 0, &sp);
			break;
		case 'u':
			put_num(s, arg_unsigned(&ap, longs), 0, 10, 0, 0, &sp);
			break;
		case 'x':
		case 'X':
			put_num(s, arg_unsigned(&ap, longs), 0, 16, *fmt == 'X',
				sp.alt ? (*fmt == 'X' ? "0X" : "0x") : 0, &sp);
			break;
		case 'p':
			put_num(s, (unsigned long)va_arg(ap, void *), 0, 16, 0, "0x", &sp);
			break;
		case 's':
			put_str(s, va_arg(ap, const char *), &sp);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };

			sp.prec = 1;
			put_str(s, c, &sp);
			break;
		}
		case '%':
			put(s, '%');
			break;
		case 0:
			fmt--; /* a lone '%' at the end: stop at the NUL */
			break;
		default: /* unknown conversion: show it as written */
			put(s, '%');
			put(s, *fmt);
			break;
		}
	}
	va_end(ap);
}

int lm_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct sink s = { buf, n ? n - 1 : 0, 0, 0, 0 };

	format(&s, fmt, ap);
	if (n)
		buf[s.len] = 0;
	return (int)s.total;
}

int lm_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = lm_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

int lm_vprintf(const char *fmt, va_list ap)
{
	char buf[LM_PRINTF_BUF];
	struct sink s = { buf, sizeof buf, 0, 0, 1 };

	format(&s, fmt, ap);
	sink_flush(&s);
	return (int)s.total;
}

int lm_printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = lm_vprintf(fmt, ap);
	va_end(ap);
	return r;
}
