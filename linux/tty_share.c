/*
 * The line discipline's state shared by a process tree (tty.h): pages of
 * their own at LX_TTY_VA, made by the tree's first process and handed to
 * each child at fork (console.c's fork hooks call these), as the capture
 * buffers are.
 */
#include "tty.h"

#define TTY_PAGES ((sizeof(struct lx_tty) + LM_PAGE_SIZE - 1) / LM_PAGE_SIZE)

static struct lx_tty own_state; /* until (or without) the shared pages */
struct lx_tty *lx_tty = &own_state;
static lm_cptr_t frames[TTY_PAGES];

static int map(void)
{
	for (lm_u32 i = 0; i < TTY_PAGES; i++)
		if (lm_map_page(LM_SLOT_VSPACE, frames[i], LX_TTY_VA + i * LM_PAGE_SIZE,
				LM_R_READ | LM_R_WRITE))
			return -1;
	return 0;
}

void lx_tty_share_init(const struct lx_termios *initial)
{
	own_state.tio = *initial;
	for (lm_u32 i = 0; i < TTY_PAGES; i++)
		if (lm_vm_own_frame_get(&frames[i]))
			return; /* no memory: the state stays our own */
	if (map())
		return;
	lx_tty = (struct lx_tty *)LX_TTY_VA;
	*lx_tty = own_state;
}

int lx_tty_fork_share(struct lm_fork_child *c)
{
	lm_cptr_t cn = lm_fork_child_cnode(c);

	for (lm_u32 i = 0; lx_tty != &own_state && i < TTY_PAGES; i++) {
		int err = lm_cnode_copy(cn, frames[i], LM_SLOT_CNODE, frames[i],
					LM_R_READ | LM_R_WRITE);
		if (err)
			return err;
	}
	return 0;
}

void lx_tty_fork_child(void)
{
	if (lx_tty != &own_state && map())
		lx_tty = &own_state; /* (cannot happen: the slots were copied) */
}

/* A lock that a process killed while holding it cannot keep for ever:
 * after many yields the waiter takes it (the state may then be one byte
 * off, never out of bounds: every index is checked where it is used). */
void lx_tty_lock(void)
{
	for (int i = 0; __atomic_exchange_n(&lx_tty->lock, 1, __ATOMIC_ACQUIRE) && i < 10000; i++)
		lm_thread_yield();
}

void lx_tty_unlock(void)
{
	__atomic_store_n(&lx_tty->lock, 0, __ATOMIC_RELEASE);
}
