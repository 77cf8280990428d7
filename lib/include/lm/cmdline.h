/* Reading the kernel command line (bootinfo's cmdline): space-separated
 * words, some of the form key=value. */
#ifndef LM_CMDLINE_H
#define LM_CMDLINE_H

#include <lamina/types.h>

/* 1 if `word` is one of the words of cmd. */
int lm_cmdline_has(const char *cmd, const char *word);
/* The value of the first word "key=<number>" (decimal, or hex with 0x):
 * 1 and *val set if found and well formed, else 0. */
int lm_cmdline_u64(const char *cmd, const char *key, lm_u64 *val);
/* Parse a whole string as a number (decimal or 0x hex). 1 on success. */
int lm_parse_u64(const char *s, lm_u64 len, lm_u64 *val);
/* Split a line into words in place, as sh does with quotes and
 * backslashes (the shell's command lines); see lib/cmdline.c. At most max
 * words; returns their number, max + 1 for too many, or 0 with *bad set
 * for an unterminated quote. */
lm_u32 lm_cmdline_split(char *line, char **argv, lm_u32 max, int *bad);

#endif
