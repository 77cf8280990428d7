/* Command-line words (lm/cmdline.h). */
#include <lm/cmdline.h>
#include <lm/string.h>

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* The next word at or after s and its length; NULL when none is left. */
static const char *next_word(const char *s, lm_u64 *len)
{
	while (*s && is_space(*s))
		s++;
	*len = 0;
	while (s[*len] && !is_space(s[*len]))
		(*len)++;
	return *len ? s : 0;
}

int lm_cmdline_has(const char *cmd, const char *word)
{
	lm_u64 n, wl = strlen(word);

	for (const char *w = next_word(cmd, &n); w; w = next_word(w + n, &n))
		if (n == wl && strncmp(w, word, n) == 0)
			return 1;
	return 0;
}

static int digit(char c, unsigned base)
{
	unsigned d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < base ? (int)d : -1;
}

int lm_parse_u64(const char *s, lm_u64 len, lm_u64 *val)
{
	unsigned base = 10;
	lm_u64 v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return 0;
	for (lm_u64 i = 0; i < len; i++) {
		int d = digit(s[i], base);

		if (d < 0)
			return 0;
		v = v * base + (lm_u64)d;
	}
	*val = v;
	return 1;
}

int lm_cmdline_u64(const char *cmd, const char *key, lm_u64 *val)
{
	lm_u64 n, kl = strlen(key);

	for (const char *w = next_word(cmd, &n); w; w = next_word(w + n, &n))
		if (n > kl && w[kl] == '=' && strncmp(w, key, kl) == 0)
			return lm_parse_u64(w + kl + 1, n - kl - 1, val);
	return 0;
}

/* Split a line into words in place. As in sh: 'single quotes' keep
 * everything, "double quotes" keep everything but \" and \\, and a
 * backslash outside quotes keeps the next character; quotes may make an
 * empty word. Returns the number of words, max + 1 for too many, or
 * 0 with *bad set for an unterminated quote. */
lm_u32 lm_cmdline_split(char *line, char **argv, lm_u32 max, int *bad)
{
	lm_u32 n = 0;
	char *in = line, *out = line;

	*bad = 0;
	for (;;) {
		while (*in == ' ')
			in++;
		if (!*in)
			return n;
		if (n == max)
			return n + 1; /* too many */
		argv[n++] = out;
		char q = 0;
		while (*in && (q || *in != ' ')) {
			char c = *in++;

			if (q && c == q)
				q = 0;
			else if (!q && (c == '\'' || c == '"'))
				q = c;
			else if (c == '\\' && q != '\'' && *in &&
				 (!q || *in == '"' || *in == '\\'))
				*out++ = *in++;
			else
				*out++ = c;
		}
		if (q) {
			*bad = 1;
			return 0;
		}
		/* out never passes in: each word is at most as long as its input */
		if (*in)
			in++;
		*out++ = 0;
	}
}
