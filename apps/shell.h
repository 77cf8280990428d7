/* What the shell's files share (shell.c, shell_show.c). */
#ifndef SHELL_H
#define SHELL_H

#include <lm/lamina.h>

/* Output to the console. */
void con_puts(const char *s);
int sh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Which thread a TCB slot is: "shell", "console", the running program's name. */
const char *sh_tcb_name(lm_cptr_t s);

/* shell_show.c: the `caps` and `mem` commands. */
void sh_cmd_caps(const struct lm_bootinfo *bi);
void sh_cmd_mem(const struct lm_bootinfo *bi);

#endif
