/*
 * The guest test harness. A test is a void function declared with
 * TEST(name); it registers itself in the `lm_tests` link set (lib/user.ld)
 * and harness.c runs every one: `test <name> ... ` before it, then `ok` or
 * `FAIL <file>:<line>: <what>`, and `N passed, M failed` at the end.
 *
 * Each test gets a fresh arena: t_pool, over the untyped t_ut, is the
 * default pool while it runs (lm_obj_alloc, lm_map_page, lm_spawn all take
 * from it). Afterwards the harness revokes t_ut, which stops every thread
 * and removes every object and mapping the test made; deletes whatever the
 * test left in slots it allocated (copies of ktest's own capabilities);
 * checks that t_ut is whole again (no leak) and that DEBUG_CHECK finds no
 * problem. A test therefore need not clean up after itself, except for
 * things outside the arena (capabilities it moved, IRQ lines, devices).
 *
 * CHECK* macros record the first failure and return from the function
 * they are in, so they are used in void functions only; helpers return
 * error codes or 0 instead.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <lm/lamina.h>

struct t_case {
	const char *name;
	void (*fn)(void);
	int slow; /* run after all the others */
};

#define T_CASE(name, slow_)                                                  \
	static void test_##name(void);                                       \
	static const struct t_case t_case_##name = { #name, test_##name, slow_ }; \
	static const struct t_case *const t_ptr_##name                       \
		__attribute__((section("lm_tests"), used)) = &t_case_##name;  \
	static void test_##name(void)

#define TEST(name)      T_CASE(name, 0)
#define TEST_SLOW(name) T_CASE(name, 1)

void t_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int t_failed(void);
/* Print a line of commentary inside the current test (e.g. why it checked
 * less than usual); the result then follows on a line of its own. */
void t_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(c)                                                             \
	do {                                                                 \
		if (!(c)) {                                                  \
			t_fail(__FILE__, __LINE__, "%s", #c);                \
			return;                                              \
		}                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		lm_u64 a_ = (lm_u64)(a), b_ = (lm_u64)(b);                   \
		if (a_ != b_) {                                              \
			t_fail(__FILE__, __LINE__, "%s == %s: got %#lx, want %#lx", \
			       #a, #b, a_, b_);                              \
			return;                                              \
		}                                                            \
	} while (0)

#define CHECK_NE(a, b)                                                       \
	do {                                                                 \
		lm_u64 a_ = (lm_u64)(a), b_ = (lm_u64)(b);                   \
		if (a_ == b_) {                                              \
			t_fail(__FILE__, __LINE__, "%s != %s: both %#lx",    \
			       #a, #b, a_);                                  \
			return;                                              \
		}                                                            \
	} while (0)

#define CHECK_ERR(call, want)                                                \
	do {                                                                 \
		lm_u64 e_ = (lm_u64)(call), w_ = (lm_u64)(want);             \
		if (e_ != w_) {                                              \
			t_fail(__FILE__, __LINE__, "%s: got %s (%lu), want %s", \
			       #call, lm_err_str(e_), e_, lm_err_str(w_));   \
			return;                                              \
		}                                                            \
	} while (0)

#define CHECK_OK(call) CHECK_ERR(call, LM_OK)

/* ---- the environment ---------------------------------------------------- */

extern const struct lm_bootinfo *t_bi;
extern struct lm_pool t_pool; /* this test's arena */
extern lm_cptr_t t_ut;        /* the untyped behind it */
extern lm_u32 t_ut_bits;

#define T_PRIO       100 /* ktest's priority (root starts it there) */
#define T_WAKER_PRIO 2   /* above root's waiting priority (1) */

/* Test mappings live in PML4 slot 128 and up, where nothing else is. */
#define T_VA          0x400000000000ull
#define T_VA_PAGE(n)  (T_VA + (lm_u64)(n) * LM_PAGE_SIZE)
#define T_VA_2M(n)    (T_VA + (lm_u64)(n) * LM_LARGE_PAGE_SIZE)
#define T_VA_FRESH(n) (T_VA + ((lm_u64)(n) << 39)) /* n >= 1: no tables yet */

#define T_KERNEL_ADDR 0xffff800000000000ull
#define T_NONCANON    0x0000800000000000ull /* first non-canonical address */

/* ---- helpers (util.c): on failure they record it and return 0 ----------- */

lm_cptr_t t_slot(void);                       /* an empty slot */
lm_cptr_t t_new(lm_u32 type, lm_u32 bits);    /* an object from the arena */
lm_cptr_t t_vspace(void);                      /* an address space with an ID */
lm_cptr_t t_copy(lm_cptr_t src, lm_u32 rights); /* a copy in a new slot */
lm_cptr_t t_frame_at(lm_u64 va, lm_u32 rights); /* new 4 KiB frame mapped at va */
int t_map(lm_cptr_t frame, lm_u64 va, lm_u32 rights);

struct t_id {
	int err;
	lm_u64 desc, addr, extra;
};
struct t_id t_id(lm_cptr_t slot);   /* identify a slot of ktest's CNode */
struct t_id t_id_in(lm_cptr_t cn, lm_cptr_t slot);
lm_u32 t_type(lm_cptr_t slot);
lm_u32 t_rights(lm_cptr_t slot);
int t_id_same(struct t_id a, struct t_id b);
lm_u64 t_ut_free(lm_cptr_t ut);

/* Threads sharing ktest's CSpace and address space. */
void *t_stack(void);                          /* a fresh stack's top */
lm_cptr_t t_thread_new(void);                 /* configured, inactive */
lm_cptr_t t_thread(lm_thread_fn fn, lm_word_t arg, lm_u32 prio); /* running */
/* Wait for a thread to stop; LM_EAGAIN if it has not after `ms`
 * milliseconds and 1,000 yields both (util.c says why both). */
int t_wait_ms(lm_cptr_t tcb, lm_u64 ms, struct lm_thread_info *ti);
int t_wait(lm_cptr_t tcb, struct lm_thread_info *ti); /* 10 s */
/* Suspend ktest's main thread until every thread above T_WAKER_PRIO has
 * stopped or blocked: the way to let lower-priority threads run. */
void t_sleep_until_idle(void);
/* Yield until tcb is blocked in IPC (at most 1,000 yields); 1 if it is. */
int t_blocked(lm_cptr_t tcb);
/* Yield up to n times (lets equal-priority threads run). */
void t_yield(lm_u32 n);

lm_u64 t_rdtsc(void);
lm_u64 t_ms_to_tsc(lm_u64 ms);

/* A boot module's bytes (mapped by root), or NULL. */
const void *t_module(const char *name, lm_u64 *size);
/* Spawn `probe` with argument `arg` in the arena; started. */
int t_spawn_probe(lm_u64 arg, const struct lm_spawn_cap *caps, lm_u32 ncaps,
		  struct lm_proc *p);
/* The same with an ID range for the child to make its address space from
 * (0: the test's range, lm_asid_cap). */
int t_spawn_probe_with(lm_u64 arg, lm_cptr_t asids, const struct lm_spawn_cap *caps,
		       lm_u32 ncaps, struct lm_proc *p);

/* A sub-range of n IDs of the test's ID range, in a new slot; the first
 * ID of a range. */
lm_cptr_t t_asid_range(lm_u64 n);
lm_u64 t_first_id(lm_cptr_t range);

/* PIT channel 0 (ports through LM_SLOT_IOPORT) as a rate generator at about
 * 1 kHz, or stopped (mode 0 with the longest count: one edge, 55 ms away,
 * then quiet). QEMU wires the PIT (ISA 0) to IOAPIC input 2. */
int t_pit_run(int on);
/* 1 if the PIT's line (2) can be claimed. On a normal boot the timer
 * server (servers/timer) holds it, so ktest run from the shell skips the
 * tests that need the PIT (saying so); the `test` boot has no timer server. */
int t_pit_free(void);
/* Poll notification n for up to ms milliseconds: the word, or 0. It polls
 * once more after the deadline: a stall of QEMU on a loaded host can pass
 * the deadline between two polls, with the interrupt pending meanwhile. */
lm_u64 t_poll_for(lm_cptr_t n, lm_u64 ms);

/* Raw call returning rax; out[] gets rdi..r9. */
lm_u64 t_raw(lm_u64 nr, lm_u64 a1, lm_u64 a2, lm_u64 a3, lm_u64 a4, lm_u64 a5,
	     lm_u64 a6, lm_u64 *out);

#endif
