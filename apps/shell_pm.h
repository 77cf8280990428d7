/* The shell's side of the process manager (servers/proc/pm_proto.h): a pid,
 * with its file server badge and page, for each Linux process it starts. */
#ifndef SHELL_PM_H
#define SHELL_PM_H

#include <lm/lamina.h>

/* Set up the IPC buffer replies with capabilities need; 0 or an error
 * (then there is no process manager for this shell). */
int sh_pm_init(void);
/* A new top-level pid (> 0), its capabilities in caps[0..2]: the file
 * server's endpoint and client page, the manager's endpoint (badge pid);
 * or -errno. */
long sh_pm_new(lm_cptr_t caps[3]);
/* The process of pid has ended with exit code `code` (its status if it never
 * said so itself); the capabilities of sh_pm_new are deleted. */
void sh_pm_release(long pid, lm_u64 code, lm_cptr_t caps[3]);

/* The memory manager (servers/mem/mem_proto.h), through the root account
 * in SH_SLOT_MEM. A new account for a Linux process tree (its user's
 * quota: SH_MEM_SHARE eighths of the chunks free), SH_MEM_GUAR of them
 * guaranteed (at most half of those free; the tree's personalities
 * keep their own state there, lm_mem_guard_own), in *cap, its badge in
 * *badge; 0 or an error (then the tree has no manager: fork as without). */
int sh_mem_new(lm_cptr_t *cap, lm_u64 *badge);
/* A new account of quota chunks, guar of them guaranteed (memdemo's). */
int sh_mem_split(lm_u64 quota, lm_u64 guar, lm_cptr_t *cap, lm_u64 *badge);
/* Take back everything lent to the account (its tree has ended). */
void sh_mem_end(lm_u64 badge);
/* The first account at or after badge `from`: out[] = badge, parent's
 * badge, quota, use (chunks). 0, or LM_ENOENT after the last. */
int sh_mem_next(lm_u64 from, lm_u64 out[4]);

#endif
