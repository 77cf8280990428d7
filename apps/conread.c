/*
 * conread: checks the console's input rules from a program's side
 * (lm/console.h). READ on the output endpoint is refused; as the shell's
 * foreground program it holds the input endpoint and reads one line
 * through it, which it prints back. Exit codes: 0 a line was read,
 * 1 a rule was broken, 2 Ctrl-C ended the READ.
 */
#include <lm/lamina.h>

#define LINE 64

static int read_line(char *line)
{
	lm_u32 len = 0;

	for (;;) {
		lm_u8 b[CON_MAX_BYTES];
		lm_u32 n;
		int err = lm_con_read(LM_SLOT_CONSOLE_IN, b, sizeof b, &n);

		if (err)
			return err;
		for (lm_u32 i = 0; i < n; i++) {
			if (b[i] == '\r' || b[i] == '\n') {
				line[len] = 0;
				return LM_OK;
			}
			if (b[i] >= 0x20 && b[i] < 0x7f && len < LINE - 1)
				line[len++] = (char)b[i];
		}
	}
}

int main(lm_word_t arg)
{
	char line[LINE];
	lm_u8 b[4];
	lm_u32 n;
	int err = lm_con_read(LM_SLOT_CONSOLE, b, sizeof b, &n);

	if (err != LM_ERIGHTS) {
		lm_printf("conread: READ on the output endpoint: %s, not ERIGHTS\n", lm_err_str(err));
		return 1;
	}
	lm_printf("conread: READ on the output endpoint refused: not the input owner\n");
	lm_printf("conread: type a line\n");
	err = read_line(line);
	if (err == LM_EINTR) {
		lm_printf("conread: READ ended by Ctrl-C\n");
		return 2;
	}
	if (err) {
		lm_printf("conread: READ failed: %s\n", lm_err_str(err));
		return 1;
	}
	lm_printf("conread: got '%s'\n", line);
	return 0;
}
